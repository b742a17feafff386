"""The `flashcards` command. Heavy modules are imported inside the commands that need them."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from .command import Group
from .common import Options, fail, open_workspace, require_collection
from .export import export
from .optimize import optimize

if TYPE_CHECKING:  # imported inside the commands that use them
    from ..convert.report import ConvertedInputs
    from ..deck.model import DeckError
    from ..study.decks import DeckSummary
    from ..study.rounds import RoundSummary
    from ..workspace import Workspace

__all__ = ["cli", "main"]


_current: Options | None = None  # the options of the command running, for `main`'s last words


@click.group(
    cls=Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "database",
    metavar="PATH",
    help="The collection: a SQLite file, or a PostgreSQL server's URL "
    "(postgresql://USER@HOST/DATABASE; needs the postgres extra). [env: FLASHCARDS_DB]",
)
@click.option(
    "--config",
    "config_file",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The settings file (TOML). [env: FLASHCARDS_CONFIG]",
)
@click.option(
    "--create",
    is_flag=True,
    help="Create the collection named by --db or FLASHCARDS_DB if it does not exist yet "
    "(its folder must exist). The default collection is always created when needed.",
)
@click.version_option(__version__, prog_name="flashcards")
@click.pass_context
def cli(ctx: click.Context, database: str | None, config_file: Path | None, create: bool) -> None:
    """A spaced-repetition trainer for machine-learning system design interviews.

    Run without a command to open the study app.
    """
    import os

    from ..locations import choose_database, config_path

    global _current
    choice = choose_database(database)
    ctx.obj = _current = Options(
        choice.location,
        config_file or config_path(),
        database_source=choice.source,
        config_required=bool(config_file or os.environ.get("FLASHCARDS_CONFIG")),
        create=create,
    )
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj, screen="home")


def run_app(
    options: Options, screen: str, workspace: Workspace | None = None, **arguments: Any
) -> None:
    workspace = workspace or open_workspace(options)
    from ..ui.app import FlashcardsApp

    app = FlashcardsApp(workspace, start=screen, **arguments)
    try:
        app.run()
    finally:
        workspace.close()
    if app.return_code:
        sys.exit(app.return_code)


def _error_json(error: DeckError) -> dict:
    return {"path": error.path, "line": error.line, "message": error.message, "text": str(error)}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def check(options: Options, paths: tuple[str, ...], as_json: bool) -> None:
    """Validate deck and round files or folders (recursive *.md) without writing anything. A
    folder without decks, or a file without cards, is a warning and exits 1 as errors do."""
    from ..deck import load_paths, nothing_found
    from ..round_links import settle_links
    from ..terminal_text import inert

    result = load_paths(list(paths))
    result.errors.extend(settle_links(result, options.database))
    result.errors.sort(key=lambda e: (e.path, e.line))
    shown = [d.path for d in result.decks] + [r.path for r in result.rounds]
    shown += [e.path for e in result.errors]
    warnings = nothing_found(list(paths), shown, result.decks)
    if as_json:
        payload = {
            "decks": len(result.decks),
            "cards": result.card_count,
            "rounds": len(result.rounds),
            "by_kind": result.by_kind(),
            "errors": [_error_json(e) for e in result.errors],
            "warnings": [_error_json(w) for w in warnings],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for error in result.errors:
            click.echo(inert(str(error)), err=True)
        for warning in warnings:
            click.echo(inert(f"{warning} (warning)"), err=True)
        kinds = result.by_kind()
        summary = (
            f"{_plural(len(result.decks), 'deck')}, {_plural(result.card_count, 'card')} "
            f"({kinds['basic']} basic, {kinds['cloze']} cloze, {kinds['choice']} multiple choice)"
        )
        if result.rounds:
            summary += f", {len(result.rounds)} round{'s' * (len(result.rounds) != 1)}"
        if result.errors:
            summary += f"; {_plural(len(result.errors), 'error')}"
        if warnings:
            summary += f"; {_plural(len(warnings), 'warning')}"
        click.echo(summary)
    sys.exit(1 if result.errors or warnings else 0)


RELINKED_MEANS = (
    "Relinked cards kept their review history although they were not found exactly as before "
    "(edited, moved to another file, or back after being removed); check that each one is "
    "the card it was."
)
RENAMED_MEANS = (
    "Decks now known by another key (their `id:`, or their place in the folder imported, the "
    "same on every machine), with their cards and history:"
)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print what changed, or the errors, as JSON.")
@click.option(
    "--from",
    "source_format",
    type=click.Choice(["markdown", "obsidian", "hashcards", "csv", "anki-text", "anki"]),
    help="The inputs' format (by default told from the extension and content).",
)
@click.option(
    "--to",
    "out_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where converted decks are written (default: imported/NAME/ in the data folder).",
)
@click.option(
    "--columns",
    metavar="front,back,tags",
    help="CSV/TSV files have no header row; their columns are these.",
)
@click.option(
    "--cloze-syntax",
    "cloze_syntax",
    multiple=True,
    type=click.Choice(["bold", "curly"]),
    help="Obsidian: also read **bold** or {{curly}} text as clozes (==highlights== always).",
)
@click.pass_obj
def import_command(
    options: Options,
    paths: tuple[str, ...],
    as_json: bool,
    source_format: str | None,
    out_dir: Path | None,
    columns: str | None,
    cloze_syntax: tuple[str, ...],
) -> None:
    """Import deck files or folders into the collection, keeping every card's history.

        Obsidian notes, hashcards decks, CSV/TSV files, Anki's plain-text export and Anki
        packages (with the `anki` extra) are first converted into Markdown decks (written to
        --to DIR), which are then imported.
    Everything is checked first; with any error nothing is written. A folder without decks, or
        a file without cards, is a warning and exits 1. Lists the cards relinked: matched to the
        card they were, and so keeping its history, although edited or moved."""
    from ..deck_import import import_paths
    from ..locations import imported_dir
    from ..terminal_text import inert
    from .progress import Progress

    plan = _convert_inputs(list(paths), source_format, out_dir, columns, cloze_syntax)
    workspace = open_workspace(options, writes=True)
    try:
        try:
            plan.write()
        except OSError as exc:
            fail(f"flashcards: cannot write the converted decks: {exc}")
        now = workspace.clock.now()
        outcome = import_paths(
            workspace.collection,
            plan.markdown + [str(path) for path in plan.files],
            now,
            # A converted deck is placed in the folder of conversions, as `import` of that
            # folder would place it: two inputs' `Default.md` are two decks.
            roots=(out_dir if out_dir is not None else imported_dir(),),
            progress=Progress("import"),
        )
        if not outcome.errors:
            _carry_state(workspace, plan, now)
    finally:
        workspace.close()
    if outcome.errors:
        plan.undo()
        _forget_new_collection(workspace)
        count = len(outcome.errors)
        if as_json:
            errors = [_error_json(e) for e in outcome.errors]
            click.echo(json.dumps({"imported": False, "errors": errors}, ensure_ascii=False))
            sys.exit(1)
        for error in outcome.errors:
            click.echo(inert(str(error)), err=True)
        fail(f"{_plural(count, 'error')}: nothing was imported")
    if not as_json:
        for line in plan.summary():
            click.echo(inert(line))
    report = outcome.report
    assert report is not None  # without errors, the import was written and reported
    rounds = outcome.rounds
    if as_json:
        warnings = outcome.empty + outcome.warnings
        relinked = [
            {"path": r.path, "line": r.line, "front": r.front, "reason": r.reason}
            for r in report.relinked_cards
        ]
        payload = {
            **report.as_dict(),
            "relinked_cards": relinked,
            "renamed_decks": report.renamed,
            "warnings": warnings,
            "imported": True,
        }
        if plan.converted or plan.plan.returned:
            payload["converted"] = plan.as_json()
        if rounds is not None:
            payload["rounds"] = {
                "added": rounds.added,
                "updated": rounds.updated,
                "unchanged": rounds.unchanged,
            }
        click.echo(json.dumps(payload, ensure_ascii=False))
        sys.exit(1 if outcome.empty else 0)
    for warning in outcome.empty + outcome.warnings:
        click.echo(inert(f"flashcards: warning: {warning}"), err=True)
    only_rounds = report.decks == 0 and rounds is not None and rounds.added + rounds.updated
    only_reviews = report.decks == 0 and bool(plan.plan.returned)  # back from Anki, no deck
    if not only_rounds and not only_reviews:
        click.echo(
            f"{_plural(report.decks, 'deck')}: {report.added} added, "
            f"{report.updated} updated, {report.relinked} relinked, {report.retired} retired, "
            f"{report.unchanged} unchanged"
        )
    if rounds is not None and rounds.added + rounds.updated + rounds.unchanged:
        count = rounds.added + rounds.updated + rounds.unchanged
        click.echo(
            f"{_plural(count, 'round')}: {rounds.added} added, {rounds.updated} updated, "
            f"{rounds.unchanged} unchanged"
        )
    if report.relinked_cards:
        click.echo(RELINKED_MEANS)
        for card in report.relinked_cards:
            click.echo(inert(f"  relinked {card}"))
    if report.renamed:
        click.echo(RENAMED_MEANS)
        for old, new in sorted(report.renamed.items()):
            click.echo(inert(f"  {old} -> {new}"))
    sys.exit(1 if outcome.empty else 0)


def _forget_new_collection(workspace: Workspace) -> None:
    """A collection created by an import that then failed is removed again: nothing was
    imported, so nothing should be left behind."""
    path = workspace.collection.sqlite_path
    if not workspace.created or path is None:
        return
    _remove_collection_file(path)
    click.echo(f"flashcards: the new collection {path} was removed again", err=True)


def _remove_collection_file(path: Path) -> None:
    """A SQLite collection this command made, with its write-ahead log, gone again."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _convert_inputs(
    paths: list[str],
    source_format: str | None,
    out_dir: Path | None,
    columns: str | None,
    cloze_syntax: tuple[str, ...],
) -> ConvertedInputs:
    """Convert, in memory, the inputs that are not our Markdown; on any problem, report every
    one as `path:line: message` and stop: nothing is written."""
    from ..convert.delimited import parse_columns
    from ..convert.plan import plan_import
    from ..convert.report import ConvertedInputs
    from ..locations import imported_dir
    from ..terminal_text import inert

    try:
        column_names = parse_columns(columns) if columns else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--columns") from exc
    plan = plan_import(
        paths,
        fmt=source_format,
        out_dir=out_dir,
        default_root=imported_dir(),
        columns=column_names,
        cloze_syntaxes=frozenset({"highlight", *cloze_syntax}),
    )
    if plan.errors:
        for error in plan.errors:
            click.echo(inert(str(error)), err=True)
        count = len(plan.errors)
        fail(f"{count} error{'s' * (count != 1)}: nothing was converted or imported")
    return ConvertedInputs(plan)


def _carry_state(workspace: Workspace, plan: ConvertedInputs, now: datetime) -> None:
    """Give imported cards what their source kept: the review log (Anki, the answers not yet
    here) and suspension (Anki, new cards), review schedules (Obsidian, new cards); and
    bring back the reviews done in Anki to our own exported cards."""
    from ..scheduling.scheduler import make_scheduler
    from ..study.carried import carry_history, carry_schedules, suspend_added

    if plan.histories_by_id:
        plan.history_cards, plan.history_answers = carry_history(
            workspace.collection,
            plan.histories_by_id,
            now,
            make_scheduler(workspace.config, parameters=workspace.parameters),
            workspace.zone,
            workspace.config.rollover_hour,
        )
    if plan.plan.returned:
        from ..study.returned import bring_back

        back = bring_back(
            workspace.collection,
            plan.plan.returned,
            now,
            make_scheduler(workspace.config, parameters=workspace.parameters),
            workspace.zone,
            workspace.config.rollover_hour,
        )
        plan.returned_cards, plan.returned_answers = back.cards, back.answers
        plan.returned_unknown = back.unknown
    plan.suspended = suspend_added(workspace.collection, plan.suspended_ids, now)
    if plan.schedules_by_id:
        result = carry_schedules(
            workspace.collection, plan.schedules_by_id, now, workspace.today(), workspace.parameters
        )
        plan.carried, plan.kept, plan.refused = result.carried, result.kept, result.refused


@cli.command()
@click.option("--deck", "decks", multiple=True, metavar="NAME", help="Study only this deck.")
@click.pass_obj
def review(options: Options, decks: tuple[str, ...]) -> None:
    """Review today's cards (all decks, or the ones named)."""
    from ..workspace import UnknownDeck

    workspace = open_workspace(options)  # opened once: for the names, then for the app
    try:
        deck_ids = workspace.deck_ids(decks)
    except UnknownDeck as exc:
        workspace.close()
        fail(f"flashcards: {exc}")
    run_app(options, screen="review", workspace=workspace, deck_ids=deck_ids)


@cli.command()
@click.option("--deck", "decks", multiple=True, metavar="NAME", help="Ask from this deck.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Ask cards with this tag.")
@click.option("--count", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--minutes", type=click.FloatRange(0.1, 600), help="Time limit (none by default).")
@click.option("--seed", type=int, help="Make the draw and the option order reproducible.")
@click.option("--weak", is_flag=True, help="Favour what your history says is weak.")
@click.option(
    "--resume",
    is_flag=True,
    help="Go on with the exam left unfinished (quit or stopped), where it was left.",
)
@click.option(
    "--feedback",
    type=click.Choice(["each", "end"]),
    help="Show the right answer after each question, or only at the end.",
)
@click.pass_obj
def exam(options: Options, decks, tags, count, minutes, seed, weak, resume, feedback) -> None:
    """A quiz that tests you without changing your review schedule."""
    from ..study.exam import ExamError, ExamSpec, resume_exam, unfinished_exam
    from ..ui.formatting import local_when
    from ..workspace import UnknownDeck

    workspace = open_workspace(options)
    left = unfinished_exam(workspace.collection)
    if left is not None:
        when = local_when(left.started_at, workspace.zone, workspace.clock.now())
        state = f"started {when} ({left.answered}/{left.count} answered)"
    if resume:
        if left is None:
            workspace.close()
            fail("flashcards: no unfinished exam to resume")
        if feedback:
            workspace.config.exam_feedback = feedback
        session = resume_exam(workspace.collection, workspace.config, workspace.clock, left.exam_id)
        resumed = f"Resumed the exam {state}."
        run_app(options, screen="exam", workspace=workspace, exam=session, note=resumed)
        return
    try:
        spec = ExamSpec(
            deck_ids=workspace.deck_ids(decks),
            tags=tuple(tags),
            count=count,
            minutes=minutes,
            seed=seed,
            weak=weak,
        )
        session, note = workspace.new_exam(spec)
    except (UnknownDeck, ExamError) as exc:
        workspace.close()
        fail(f"flashcards: {exc}")
    if left is not None:
        kept = f"The exam {state} is kept: `flashcards exam --resume` goes on with it."
        note = f"{note}\n{kept}" if note else kept
    if feedback:
        workspace.config.exam_feedback = feedback
    run_app(options, screen="exam", workspace=workspace, exam=session, note=note)


@cli.command(name="round")
@click.argument("title", required=False)
@click.option(
    "--minutes",
    type=click.FloatRange(1, 600),
    help="Scale the step budgets to this length (45 by default).",
)
@click.option("--list", "as_list", is_flag=True, help="List the rounds instead of running one.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print the rounds as JSON.")
@click.pass_obj
def round_command(
    options: Options, title: str | None, minutes: float | None, as_list: bool, as_json: bool
) -> None:
    """Rehearse a 45-minute design interview against the clock and a rubric."""
    from ..storage.rounds import round_summaries

    if as_json and not as_list:
        fail("flashcards: --json goes with --list")
    workspace = open_workspace(options)
    if as_list:
        try:
            with workspace.collection.read() as conn:
                summaries = round_summaries(conn)
        finally:
            workspace.close()
        _print_rounds(summaries, as_json)
        return
    if title is None:
        run_app(options, screen="round", workspace=workspace, minutes=minutes)
        return
    from ..study.rounds import RoundChoiceError, find_round, start_round

    try:
        summary = find_round(workspace.collection, title)
    except RoundChoiceError as exc:
        workspace.close()
        fail(f"flashcards: {exc}")
    run = start_round(workspace.collection, summary, workspace.clock.now, minutes)
    run_app(options, screen="round", workspace=workspace, round_run=run, round_id=summary.id)


def _print_rounds(summaries: list[RoundSummary], as_json: bool) -> None:
    from ..terminal_text import inert

    rows = [
        {
            "title": s.title,
            "steps": [
                {"name": step.name, "minutes": step.budget_seconds / 60, "items": len(step.items)}
                for step in s.round.steps
            ],
            "attempts": s.attempts,
            "best": s.best,
        }
        for s in summaries
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No rounds: import a .round.md file with `flashcards import PATH`.")
    for s in summaries:
        last = "never tried" if s.last_score is None else f"last {s.last_score:.0%}"
        minutes = s.round.budget_seconds / 60
        click.echo(inert(f"{s.title}: {len(s.round.steps)} steps, {minutes:g} min, {last}"))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--days",
    type=click.Choice(["30", "90", "365"]),
    default="30",
    show_default=True,
    help="How many days of reviews per day to show.",
)
@click.pass_obj
def stats(options: Options, as_json: bool, days: str) -> None:
    """Print the statistics: today, streaks, reviews per day, true retention, the forecast,
    card states and the weakest decks and topics."""
    from ..stats.summary import everything
    from ..stats.text import render
    from ..terminal_text import inert

    workspace = open_workspace(options)
    try:
        figures = everything(workspace, int(days))
    finally:
        workspace.close()
    if as_json:
        click.echo(json.dumps(figures.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(inert(render(figures)))


cli.add_command(optimize)
cli.add_command(export)


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the decks as JSON.")
@click.pass_context
def decks(ctx: click.Context, as_json: bool) -> None:
    """List the decks (hidden ones marked); hide, show or remove one; built-in decks on/off."""
    if ctx.invoked_subcommand is not None:
        return
    from ..study.decks import builtin_enabled, list_decks
    from ..terminal_text import inert

    workspace = open_workspace(ctx.obj)
    try:
        found = list_decks(workspace.collection)
        builtin = builtin_enabled(workspace.collection)
    finally:
        workspace.close()
    if as_json:
        payload = {"builtin_decks": builtin, "decks": [d.as_dict() for d in found]}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("No decks yet: add some with `flashcards import FOLDER`.")
    width = max((len(d.name) for d in found), default=0)
    for deck in found:
        marks = ", ".join(
            m for m, on in (("hidden", deck.hidden), ("built-in", deck.builtin)) if on
        )
        line = f"{deck.name:<{width}}  {deck.cards:>5} cards  {deck.reviews:>6} reviews"
        click.echo(inert(line + (f"  ({marks})" if marks else "")))
    click.echo(f"Built-in decks: {'on' if builtin else 'off'}.")


def _deck_or_fail(workspace: Workspace, name: str) -> DeckSummary:
    from ..study.decks import UnknownDeck, find_deck

    try:
        return find_deck(workspace.collection, name)
    except UnknownDeck as exc:
        workspace.close()
        fail(f"flashcards: {exc}")


@decks.command(name="hide")
@click.argument("name")
@click.pass_obj
def decks_hide(options: Options, name: str) -> None:
    """Leave a deck out of home, "study all" and exams; its cards and history stay."""
    deck, changed = _set_hidden(options, name, True)
    state = "Hidden" if changed else "Already hidden"
    _say(f"{state}: {deck.name}. `flashcards decks unhide {name}` shows it again.")


@decks.command(name="unhide")
@click.argument("name")
@click.pass_obj
def decks_unhide(options: Options, name: str) -> None:
    """Show a hidden deck again."""
    deck, changed = _set_hidden(options, name, False)
    _say(f"{'Shown again' if changed else 'Not hidden'}: {deck.name}.")


def _set_hidden(options: Options, name: str, hidden: bool) -> tuple[DeckSummary, bool]:
    """Hide or show the deck NAME; returns it and whether anything changed."""
    from ..study.decks import set_hidden

    workspace = open_workspace(options)
    try:
        deck = _deck_or_fail(workspace, name)
        return deck, set_hidden(workspace.collection, deck, hidden)
    finally:
        workspace.close()


def _say(text: str) -> None:
    from ..terminal_text import inert

    click.echo(inert(text))


@decks.command(name="remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask first.")
@click.pass_obj
def decks_remove(options: Options, name: str, yes: bool) -> None:
    """Remove a deck, its cards and their history, after a backup that keeps them."""
    from ..storage.backup import BackupError
    from ..terminal_text import inert

    workspace = open_workspace(options)
    try:
        deck = _deck_or_fail(workspace, name)
        question = (
            f"Remove the deck '{deck.name}' ({deck.cards} cards, {deck.reviews} reviews)? "
            + (
                "A backup is made first"
                if workspace.makes_backups
                else "No backup is made on a PostgreSQL server: take one with pg_dump first"
            )
        )
        if not yes and not _confirm(inert(question)):
            workspace.close()
            fail("Nothing was changed.")
        made = workspace.remove_deck(deck.id)
    except BackupError as exc:
        fail(f"flashcards: {exc}: the deck was not removed")
    finally:
        workspace.close()
    click.echo(inert(f"Removed the deck '{deck.name}' and its {deck.cards} cards."))
    if made is not None:
        click.echo(
            f"Its history is kept in the backup {made.path}: `flashcards restore "
            f"{made.path.name}` brings it back (and undoes what was done since)."
        )
    if deck.builtin:
        click.echo("It is a built-in deck: it will not be added again.")
    else:
        click.echo(inert(f"Importing {deck.file} again would add it back as new cards."))


@decks.command(name="builtin")
@click.argument("state", type=click.Choice(["on", "off"]), required=False)
@click.pass_obj
def decks_builtin(options: Options, state: str | None) -> None:
    """Say whether the built-in decks are on; `on` or `off` sets it for this collection."""
    from ..study.decks import builtin_enabled, set_builtin

    workspace = open_workspace(options, seed=False)
    try:
        if state is not None:
            set_builtin(workspace.collection, state == "on")
        enabled = builtin_enabled(workspace.collection)
        present = sum(d.builtin for d in _summaries(workspace))
    finally:
        workspace.close()
    if enabled:
        click.echo("Built-in decks: on (added and kept up to date each time the program starts).")
    else:
        click.echo("Built-in decks: off (not added or updated).")
        if present:
            click.echo(
                f"The {present} built-in decks already here stay: hide them with "
                "`flashcards decks hide NAME`, or remove them with `flashcards decks remove NAME`."
            )


def _confirm(question: str) -> bool:
    """Ask; no answer (standard input closed) is a no."""
    try:
        return click.confirm(question, default=False)
    except click.Abort:
        click.echo("", err=True)
        return False


def _summaries(workspace: Workspace) -> list[DeckSummary]:
    from ..study.decks import list_decks

    return list_decks(workspace.collection)


@cli.command()
@click.pass_obj
def backup(options: Options) -> None:
    """Back the collection up now (it is also backed up automatically once a day)."""
    from ..storage.backup import BackupError, make_backup

    workspace = open_workspace(options)
    try:
        path = _collection_file(workspace)
        made = make_backup(path, workspace.clock.now(), workspace.config.backups_kept)
    except BackupError as exc:
        fail(f"flashcards: {exc}")
    finally:
        workspace.close()
    click.echo(f"backed up to {made.path} ({made.size / 1024:.0f} KiB)")


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the collection.")
@click.pass_obj
def restore(options: Options, file: Path | None, yes: bool) -> None:
    """List the backups, or put FILE (a backup: its path, or its name as listed) in the
    collection's place. The collection it replaces is kept as a backup of its own."""
    from ..clock import clock_from_env
    from ..storage.backup import (
        SERVER_BACKUPS,
        BackupError,
        find_backup,
        list_backups,
        restore_backup,
    )
    from ..storage.database import database_url

    url = database_url(options.database)
    if not url.startswith("sqlite:///"):
        fail(f"flashcards: nothing to restore here: {SERVER_BACKUPS}")
    path = Path(url.removeprefix("sqlite:///"))
    backups = list_backups(path)
    if file is None:
        if not backups:
            click.echo(f"No backups of {path} yet.")
            return
        click.echo(f"Backups of {path}, newest first (restore one with `flashcards restore NAME`):")
        for item in backups:
            when = item.made_at.astimezone().strftime("%Y-%m-%d %H:%M")
            click.echo(f"  {when}  {item.size / 1024:8.0f} KiB  {item.path}")
        return
    found = find_backup(path, file)
    if found is None:
        fail(f"flashcards: {file}: no such backup (`flashcards restore` lists them)")
    file = found
    if not yes and not click.confirm(f"Replace {path} with {file}?", default=False):
        fail("Nothing was changed.", code=1)
    try:
        kept = restore_backup(path, file, clock_from_env().now())
    except BackupError as exc:
        fail(f"flashcards: {exc}")
    click.echo(f"restored {file}")
    if kept is not None:
        click.echo(f"the collection it replaced is kept as {kept}")


@cli.command()
@click.option("--fix", is_flag=True, help="Repair what can be repaired, and say what changed.")
@click.pass_obj
def doctor(options: Options, fix: bool) -> None:
    """Check the collection: SQLite's integrity check (a PostgreSQL server checks its own),
    rows that point at nothing, and each card's FSRS state against a replay of its review
    log."""
    from ..config import ConfigError, load_config
    from ..maintenance.doctor import examine, examine_unopenable
    from ..storage import Collection, CollectionError
    from ..storage.backup import restore_advice
    from ..storage.database import is_damage

    require_collection(options)
    try:
        config = load_config(options.config_file, required=options.config_required)
    except ConfigError as exc:
        fail(f"flashcards: {exc}")
    try:
        collection = Collection(options.database)
    except CollectionError as exc:
        path = _sqlite_file(options)
        if path is None or not is_damage(exc.__cause__ or exc):
            fail(f"flashcards: {exc}")
        report = examine_unopenable(path)
        click.echo(f"The collection {path} cannot be opened.")
        for finding in report.findings:
            click.echo(f"{finding.kind}: {finding.message}")
        for table, count in report.readable.items():
            click.echo(f"readable: {count} rows in {table}")
        fail(restore_advice(path))
    try:
        report = examine(collection, config, fix=fix)
    finally:
        collection.close()
    for note in report.notes:
        click.echo(note)
    for finding in report.findings:
        click.echo(f"{finding.kind}: {finding.message}")
    for change in report.fixed:
        click.echo(f"fixed: {change}")
    if report.healthy:
        click.echo(f"No problems: {report.cards_checked} cards checked.")
        return
    if any(f.kind == "integrity" for f in report.findings):
        path = collection.sqlite_path
        advice = restore_advice(path) if path else "Restore a backup with `flashcards restore`."
        fail(f"The collection is damaged. {advice}")
    if not fix:
        fail(f"{len(report.findings)} problem(s); `flashcards doctor --fix` repairs them.")


@cli.command(name="copy")
@click.argument("target", metavar="TO")
@click.pass_obj
def copy_command(options: Options, target: str) -> None:
    """Copy the whole collection (decks, cards, history, exams, rounds, parameters) into an
    empty one at TO: a new SQLite file, or an empty database on a PostgreSQL server
    (postgresql://USER@HOST/DATABASE). The way to move a history onto a server that several
    machines share, or back into a file."""
    from ..storage import Collection, CollectionError
    from ..storage.database import database_url, shown_location
    from ..storage.transfer import TransferError, copy_collection

    require_collection(options)
    url = database_url(target)
    new_file = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if new_file is not None and new_file.exists():
        fail(f"flashcards: {new_file} already exists: copy into a new file")
    if new_file is not None and not new_file.parent.is_dir():
        fail(f"flashcards: {new_file.parent}: no such folder")
    shown = shown_location(target)
    try:
        source = Collection(options.database)
    except CollectionError as exc:
        fail(f"flashcards: {exc}")
    try:
        destination = Collection(target)
    except CollectionError as exc:
        source.close()
        fail(f"flashcards: {exc}")
    try:
        copied = copy_collection(source, destination)
    except BaseException as exc:  # whatever stopped it, no half-made file is left behind
        destination.close()
        source.close()
        if new_file is not None:
            _remove_collection_file(new_file)
        if isinstance(exc, TransferError):
            fail(f"flashcards: {shown}: {exc}; nothing was copied")
        raise
    destination.close()
    source.close()
    click.echo(
        f"Copied {_plural(copied.cards, 'card')} and {_plural(copied.reviews, 'review')} "
        f"into {shown}."
    )
    click.echo("Study from it with `--db` set to that location, or with FLASHCARDS_DB.")


def _sqlite_file(options: Options) -> Path | None:
    from ..locations import DatabaseChoice

    return DatabaseChoice(options.database, options.database_source).file


def _collection_file(workspace: Workspace) -> Path:
    from ..storage.backup import SERVER_BACKUPS

    path = workspace.collection.sqlite_path
    if path is None:
        workspace.close()
        fail(f"flashcards: no backup made: {SERVER_BACKUPS}")
    return path


def main() -> None:
    try:
        cli(prog_name="flashcards")
    except Exception as exc:  # the last line of defence: a sentence, never a traceback
        from ..storage.errors import describe_failure

        meaning = describe_failure(exc)
        if meaning is None:
            raise
        if _current is not None and (path := _sqlite_file(_current)) is not None:
            from ..storage.backup import restore_advice
            from ..storage.database import is_damage

            if is_damage(getattr(exc, "orig", None) or exc):
                meaning += " " + restore_advice(path)
        fail(f"flashcards: {meaning}")
