"""`python -m benchmarks [--quick] [--json FILE]`: generate data, measure, print the table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from markdown_it import MarkdownIt

from flashcards.builtin import sync_builtin_decks
from flashcards.storage import Collection

from . import coldstart, ours, peer
from .decks import write_decks
from .fixtures import LIMITS, Study, build_study, copy_database
from .server import BenchServer
from .timing import SKIPPED, Row, interleaved, median

__all__ = ["main"]

REPO = Path(__file__).resolve().parent.parent
QUEUE_BUDGET_S = 0.050
STATS_BUDGET_S = 0.300
SEARCH_BUDGET_S = 0.100


@dataclass(frozen=True, slots=True)
class Mode:
    name: str
    import_cards: int  # rows 1-3: the deck imported
    study_cards: int  # row 4: the collection answered in (about ten reviews per card)
    answers: int  # row 4: cards answered per run
    large_cards: int  # rows 5-7
    runs: int  # of each measurement, ours and the baseline's taking turns
    memory_runs: int  # row 7: a fresh interpreter per run and side
    memory_answers: int  # row 7: cards answered in the probed session


MODES = {
    "smoke": Mode("smoke", 200, 200, 10, 200, runs=1, memory_runs=1, memory_answers=10),
    "quick": Mode("quick", 1_000, 1_000, 100, 10_000, runs=3, memory_runs=1, memory_answers=50),
    "full": Mode("full", 10_000, 10_000, 1_000, 100_000, runs=5, memory_runs=3, memory_answers=100),
}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ratings(count: int, seed: int = 3) -> list[int]:
    """A fixed mix of answers: mostly Good, some Again, Hard and Easy."""
    rng = random.Random(seed)
    return rng.choices([1, 2, 3, 4], weights=[8, 12, 70, 10], k=count)


class Suite:
    """The rows of one run, measured in `work`; Anki's side only when `with_peer`."""

    def __init__(self, mode: Mode, work: Path, with_peer: bool) -> None:
        self.mode = mode
        self.work = work
        self.with_peer = with_peer
        self.rows: list[Row] = []
        self.launched: tuple[Path, dict[str, str]] | None = None
        self.ours_by_row: dict[str, float] = {}  # "4." -> our value, for the server's rows

    def peer_measure(self, measure):
        """The measure, or None (skipped) without the bench extra."""
        return measure if self.with_peer else None

    def add(self, row: Row) -> None:
        self.rows.append(row)
        self.ours_by_row[row.name.split(" ", 1)[0]] = row.ours_s
        ratio = "" if row.ratio is None else f", ratio {row.ratio:.2f}"
        _log(f"  {row.name}: {_value(row.ours_s, row.unit)}{ratio}")

    # Rows 1-3 ---------------------------------------------------------------------------

    def imports(self) -> None:
        cards = self.mode.import_cards
        _log(f"import: generating a {cards:,}-card deck")
        decks = write_decks(self.work / "import-decks", cards)
        deck_file = decks.files[0]
        text = deck_file.read_text(encoding="utf-8")
        markdown = MarkdownIt("commonmark").enable("table")
        target = self.work / "import.sqlite3"
        specs_source = self.work / "import-specs.sqlite3"
        _remove_database(specs_source)
        ours.import_time(decks.folder, specs_source)  # also warms up imports and caches
        specs = peer.note_specs(specs_source) if self.with_peer else []
        deck_names = list(dict.fromkeys(spec.deck for spec in specs))
        reimports: list[float] = []

        def ours_import() -> float:
            _remove_database(target)
            elapsed = ours.import_time(decks.folder, target)
            reimports.append(ours.import_time(decks.folder, target))
            return elapsed

        def parse_alone() -> float:
            start = time.perf_counter()
            markdown.parse(text)
            return time.perf_counter() - start

        def anki_add() -> float:
            folder = self.work / "anki-import"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            col, deck_ids = peer.create_collection(folder / "collection.anki2", deck_names, *LIMITS)
            try:
                start = time.perf_counter()
                peer.add_notes(col, specs, deck_ids)
                return time.perf_counter() - start
            finally:
                col.close()

        _log(f"import: {self.mode.runs} runs")
        ours_times, parse_times, anki_times = interleaved(
            [ours_import, parse_alone, self.peer_measure(anki_add)], self.mode.runs
        )
        first = median(ours_times)
        self.add(
            Row(
                f"1. import {cards:,}-card deck, fresh collection",
                first,
                "markdown-it-py parse alone",
                median(parse_times),
                1.3,
            )
        )
        self.add(
            Row(
                "2. re-import the unchanged deck",
                median(reimports),
                "our first import",
                first,
                0.1,
            )
        )
        self.add(
            _peer_row(
                f"3. import {cards:,}-card deck",
                first,
                f"Anki: add the {len(specs):,} notes at once",
                anki_times,
                1.0,
                self.with_peer,
            )
        )

    # Row 4 ------------------------------------------------------------------------------

    def answers(self, study: Study) -> None:
        count = self.mode.answers
        ratings = _ratings(count)

        def ours_answer() -> float:
            copy = copy_database(study.ours, self.work / "answer-ours.sqlite3")
            return ours.answer_cards(copy, study.config, ratings)

        def anki_answer() -> float:
            folder = self.work / "answer-anki"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            copy = copy_database(study.anki, folder / "collection.anki2")
            return peer.answer_cards(copy, ratings)

        _log(f"answer: {count:,} cards per run, {self.mode.runs} runs")
        ours_times, anki_times = interleaved(
            [ours_answer, self.peer_measure(anki_answer)], self.mode.runs
        )
        self.add(
            _peer_row(
                f"4. answer {count:,} cards, per card ({_size(study)})",
                median(ours_times) / count,
                "Anki: the same answers",
                [t / count for t in anki_times],
                1.0,
                self.with_peer,
            )
        )

    # Rows 5-7 ---------------------------------------------------------------------------

    def large(self, study: Study) -> None:
        size = _size(study)
        _log(f"queue, open, memory: {self.mode.runs} runs")
        ours_times, anki_times = interleaved(
            [
                lambda: ours.queue_and_counts(study.ours, study.config),
                self.peer_measure(lambda: peer.queue_and_counts(study.anki)),
            ],
            self.mode.runs,
        )
        queue = median(ours_times)
        self.add(
            _peer_row(
                f"5a. queue + home counts ({size})",
                queue,
                "Anki: queue + deck-due counts",
                anki_times,
                1.0,
                self.with_peer,
            )
        )
        self.add(
            Row(
                "5b. queue + home counts, absolute",
                queue,
                "the 50 ms budget",
                QUEUE_BUDGET_S,
                1.0,
            )
        )
        # Our first open of a collection file each day also backs it up: measure later opens.
        ours.open_time(study.ours, study.config)
        ours_times, anki_times = interleaved(
            [
                lambda: ours.open_time(study.ours, study.config),
                self.peer_measure(lambda: peer.open_time(study.anki)),
            ],
            self.mode.runs,
        )
        self.add(
            _peer_row(
                f"6. open the collection ({size})",
                median(ours_times),
                "Anki: open its collection",
                anki_times,
                None,
                self.with_peer,
            )
        )
        answers = str(self.mode.memory_answers)
        memory_copy = self.work / "memory-ours.sqlite3"
        ours.open_time(copy_database(study.ours, memory_copy), study.config)  # today's backup

        def ours_memory() -> float:
            copy = copy_database(study.ours, memory_copy)
            return _probe(["ours", str(copy), str(study.config), answers])

        def anki_memory() -> float:
            folder = self.work / "memory-anki"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            copy = copy_database(study.anki, folder / "collection.anki2")
            return _probe(["anki", str(copy), answers])

        ours_peaks, anki_peaks = interleaved(
            [ours_memory, self.peer_measure(anki_memory)], self.mode.memory_runs
        )
        row = _peer_row(
            f"7. peak RSS of a session ({size})",
            median(ours_peaks),
            "Anki: the same session",
            anki_peaks,
            1.5,
            self.with_peer,
        )
        row.unit = "MB"
        self.add(row)

    # Row 8 ------------------------------------------------------------------------------

    def cold_start(self, study: Study) -> None:
        database = copy_database(study.ours, self.work / "cold.sqlite3")
        config = study.config
        now = datetime.now(UTC).replace(microsecond=0)
        collection = Collection(str(database))  # seed the built-in decks, as a first launch would
        try:
            sync_builtin_decks(collection, now)
        finally:
            collection.close()
        card_id, needle = coldstart.first_card(database, config, now)
        env = dict(os.environ)
        env.update(
            FLASHCARDS_DB=str(database),
            FLASHCARDS_CONFIG=str(config),
            FLASHCARDS_DATA_DIR=str(self.work / "cold-data"),
            FLASHCARDS_NOW=now.isoformat(),
            TERM="xterm-256color",
        )
        for name in ("COLUMNS", "LINES", "NO_COLOR", "TEXTUAL"):
            env.pop(name, None)

        def launch(command: list[str]) -> float:
            return coldstart.time_to_text(command, env, needle, REPO)

        ours_command = coldstart.ours_command()
        floor_command = coldstart.peer_command(database, card_id)
        _log(f"cold start: looking for {needle!r}")
        # One launch each, not counted, to warm the file cache (and make our daily backup).
        if self.mode.runs > 1:
            launch(ours_command)
            launch(floor_command)
        ours_times, floor_times = interleaved(
            [lambda: launch(ours_command), lambda: launch(floor_command)], self.mode.runs
        )
        self.add(
            Row(
                f"8. cold start to first card ({_size(study)})",
                median(ours_times),
                "minimal Textual app",
                median(floor_times),
                1.3,
            )
        )
        self.launched = (database, env)  # rows 11-13 start the same collection

    # Rows 11-13 ---------------------------------------------------------------------------

    def whole_commands(self, study: Study) -> None:
        """What a person waits for at the shell: the home screen, `stats --json` and `check`,
        each a whole new process, against starting Python and importing Textual. The
        collection is row 8's (row 4's, with the built-in decks)."""
        database, env = self.launched
        size = _size(study)
        needle = coldstart.first_deck(database, study.config)
        floor = [sys.executable, "-c", "import textual"]

        def run(command: list[str]) -> float:
            start = time.perf_counter()
            subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True)
            return time.perf_counter() - start

        commands = {
            "home": lambda: coldstart.time_to_text(coldstart.home_command(), env, needle, REPO),
            "stats": lambda: run([sys.executable, "-m", "flashcards", "stats", "--json"]),
            "check": lambda: run(
                [sys.executable, "-m", "flashcards", "check", str(REPO / "decks")]
            ),
            "floor": lambda: run(floor),
        }
        _log(f"whole commands: {self.mode.runs} runs of each, looking for {needle!r} on home")
        times = dict(
            zip(commands, interleaved(list(commands.values()), self.mode.runs), strict=True)
        )
        floor_s = median(times["floor"])
        for name, label, target in (
            ("home", f"11. launch to the home screen ({size})", 6.0),
            ("stats", f"12. `flashcards stats --json`, whole process ({size})", 4.0),
            ("check", "13. `flashcards check decks/`, whole process (the built-in decks)", 1.5),
        ):
            self.add(Row(label, median(times[name]), "python -c 'import textual'", floor_s, target))

    # Rows 9 and 10 ------------------------------------------------------------------------

    def screens(self, study: Study) -> None:
        size = _size(study)
        _log(f"statistics screen and browser search: {self.mode.runs} runs")
        stats_times = [ours.stats_screen(study.ours, study.config) for _ in range(self.mode.runs)]
        settled = median([t.settled for t in stats_times])
        self.add(
            Row(
                f"9. statistics screen fully drawn ({size}; the test pilot found it idle "
                f"{settled * 1000:.0f} ms after the key)",
                median([t.drawn for t in stats_times]),
                "the 300 ms budget",
                STATS_BUDGET_S,
                1.0,
            )
        )
        # The first text search after an import indexes the new cards (once): time it apart,
        # so that the row measures searches on an indexed collection.
        indexing = ours.index_for_search(study.ours)
        per_query = [ours.search_times(study.ours, study.config) for _ in range(self.mode.runs)]
        medians = [median([run[i] for run in per_query]) for i in range(len(ours.SEARCHES))]
        slowest = max(range(len(medians)), key=medians.__getitem__)
        self.add(
            Row(
                f"10. browser search, median of {len(medians)} queries ({size}; slowest "
                f"{ours.SEARCHES[slowest]} {medians[slowest] * 1000:.0f} ms; text indexed "
                f"first, once, in {indexing:.1f} s)",
                median(medians),
                "the 100 ms budget",
                SEARCH_BUDGET_S,
                1.0,
            )
        )

    # Rows 4p, 5p, 9p, 10p: the collection rows on a PostgreSQL server --------------------

    def on_server(self, server: BenchServer, study: Study, large: Study) -> None:
        """Rows 4, 5a, 9 and 10 again on the server, each against the same row on SQLite in
        this run (no target: what a person gives up, or not, for one shared history)."""
        _log(f"PostgreSQL at {server.shown}: copying the collections")
        template, _ = server.copy_of(str(study.ours))
        if large is not study:
            _, large_url = server.copy_of(str(large.ours))
        else:
            large_url = server.clone(template)
        count = self.mode.answers
        ratings = _ratings(count)

        def answer_on_server() -> float:
            url = server.clone(template)
            try:
                return ours.answer_cards(url, study.config, ratings)
            finally:
                server.drop(url)

        answers = [answer_on_server() for _ in range(self.mode.runs)]
        queue = [ours.queue_and_counts(large_url, large.config) for _ in range(self.mode.runs)]
        stats = [ours.stats_screen(large_url, large.config) for _ in range(self.mode.runs)]
        per_query = [ours.search_times(large_url, large.config) for _ in range(self.mode.runs)]
        searches = median([median([run[i] for run in per_query]) for i in range(len(per_query[0]))])
        size, study_size = _size(large), _size(study)
        for row, label, value in (
            ("4", f"answer {count:,} cards, per card ({study_size})", median(answers) / count),
            ("5a", f"queue + home counts ({size})", median(queue)),
            ("9", f"statistics screen fully drawn ({size})", median([t.drawn for t in stats])),
            ("10", f"browser search, median of the queries ({size})", searches),
        ):
            self.add(
                Row(
                    f"{row}p. {label}, PostgreSQL",
                    value,
                    f"row {row} on SQLite",
                    self.ours_by_row[f"{row}."],
                    None,
                )
            )


def _size(study: Study) -> str:
    def short(n: int) -> str:
        if n >= 1_000_000:
            return f"{n / 1_000_000:.2g}M"
        return f"{n / 1000:.3g}k" if n >= 1000 else str(n)

    return f"{short(study.cards)} cards, {short(study.reviews)} reviews"


def _peer_row(
    name: str,
    ours_s: float,
    baseline: str,
    peer_times: list[float],
    target: float | None,
    with_peer: bool,
) -> Row:
    if not with_peer:
        return Row(name, ours_s, baseline, None, target, note=SKIPPED)
    return Row(name, ours_s, baseline, median(peer_times), target)


def _probe(arguments: list[str]) -> float:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.probe", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["peak_mb"]


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value:.1f} MB"
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def format_table(rows: list[Row]) -> str:
    header = ("Row", "Ours", "Baseline", "Baseline value", "Ratio", "Target", "Met")
    lines = []
    for row in rows:
        if row.note:
            baseline_value, met = row.note, "-"
        else:
            baseline_value = _value(row.baseline_s, row.unit)
            met = {True: "yes", False: "NO", None: "-"}[row.met]
        lines.append(
            (
                row.name,
                _value(row.ours_s, row.unit),
                row.baseline,
                baseline_value,
                "-" if row.ratio is None else f"{row.ratio:.2f}",
                "-" if row.target is None else f"≤ {row.target:g}",
                met,
            )
        )
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def render(cells) -> str:
        return " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            total_kb = int(handle.readline().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    anki = "not installed"
    if peer.available():
        from anki.buildinfo import version

        anki = version
    return (
        f"{os.cpu_count()} CPUs{memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, anki {anki}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Benchmarks of flashcards against its peers."
    )
    parser.add_argument("--quick", action="store_true", help="small sizes; under a minute")
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--keep", metavar="DIR", help="generate the data in DIR and leave it there")
    parser.add_argument(
        "--db-url",
        metavar="URL",
        help="also run rows 4, 5a, 9 and 10 on this PostgreSQL server (a database the role "
        "connects to; the role needs CREATEDB: the benchmark's databases are made and dropped)",
    )
    args = parser.parse_args(argv)
    mode = MODES["smoke" if args.smoke else "quick" if args.quick else "full"]
    with_peer = peer.available()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="flashcards-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _log(f"{mode.name} mode; data in {work}; Anki {'found' if with_peer else 'not installed'}")
    try:
        suite = Suite(mode, work, with_peer)
        suite.imports()
        _log(f"study collection: {mode.study_cards:,} cards")
        study = build_study(work / "study", mode.study_cards, LIMITS, with_peer, _log)
        _log(f"  built in {study.seconds:.1f}s")
        suite.answers(study)
        large = study
        if mode.large_cards != mode.study_cards:
            _log(f"large collection: {mode.large_cards:,} cards")
            large = build_study(work / "large", mode.large_cards, LIMITS, with_peer, _log)
            _log(f"  built in {large.seconds:.1f}s")
        suite.large(large)
        suite.cold_start(study)
        suite.screens(large)
        suite.whole_commands(study)
        if args.db_url:
            server = BenchServer(args.db_url)
            try:
                suite.on_server(server, study, large)
            finally:
                server.close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    print(
        f"flashcards benchmarks, {mode.name} mode, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s"
    )
    print(f"machine: {machine()}")
    print(
        f"medians of {mode.runs} runs ({mode.memory_runs} for memory), ours and the baseline "
        "taking turns"
    )
    print()
    print(format_table(suite.rows))
    if args.json:
        Path(args.json).write_text(
            json.dumps([row.as_json() for row in suite.rows], indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
