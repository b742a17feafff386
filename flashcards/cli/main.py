"""The `flashcards` command. Heavy modules are imported inside the commands that need them."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from .. import __version__

__all__ = ["cli", "main"]


@dataclass
class Options:
    database: str
    config_file: Path


def fail(message: str, code: int = 1) -> None:
    from ..terminal_text import inert

    click.echo(inert(message), err=True)
    sys.exit(code)


def open_workspace(options: Options, *, seed: bool = True):
    from ..clock import clock_from_env
    from ..config import ConfigError
    from ..storage import CollectionError
    from ..workspace import Workspace

    try:
        workspace = Workspace.open(
            options.database, options.config_file, clock_from_env(), seed=seed
        )
    except (CollectionError, ConfigError, ValueError) as exc:
        fail(f"flashcards: {exc}")
    for warning in workspace.warnings:
        click.echo(f"flashcards: {warning}", err=True)
    return workspace


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "database",
    metavar="PATH",
    help="The collection: a SQLite file, or a SQLAlchemy URL. [env: FLASHCARDS_DB]",
)
@click.option(
    "--config",
    "config_file",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The settings file (TOML). [env: FLASHCARDS_CONFIG]",
)
@click.version_option(__version__, prog_name="flashcards")
@click.pass_context
def cli(ctx: click.Context, database: str | None, config_file: Path | None) -> None:
    """A spaced-repetition trainer for machine-learning system design interviews.

    Run without a command to open the study app.
    """
    from ..locations import config_path, default_database

    ctx.obj = Options(database or default_database(), config_file or config_path())
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj, screen="home")


def run_app(options: Options, screen: str, workspace=None, **arguments) -> None:
    workspace = workspace or open_workspace(options)
    from ..ui.app import FlashcardsApp

    app = FlashcardsApp(workspace, start=screen, **arguments)
    try:
        app.run()
    finally:
        workspace.close()
    if app.return_code:
        sys.exit(app.return_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def check(options: Options, paths: tuple[str, ...], as_json: bool) -> None:
    """Validate deck and round files or folders (recursive *.md) without writing anything."""
    from ..deck import load_paths
    from ..deck_import import settle_links
    from ..terminal_text import inert

    result = load_paths(list(paths))
    result.errors.extend(settle_links(result, options.database))
    result.errors.sort(key=lambda e: (e.path, e.line))
    if as_json:
        payload = {
            "decks": len(result.decks),
            "cards": result.card_count,
            "rounds": len(result.rounds),
            "by_kind": result.by_kind(),
            "errors": [
                {"path": e.path, "line": e.line, "message": e.message, "text": str(e)}
                for e in result.errors
            ],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for error in result.errors:
            click.echo(inert(str(error)), err=True)
        kinds = result.by_kind()
        summary = (
            f"{len(result.decks)} deck{'s' * (len(result.decks) != 1)}, "
            f"{result.card_count} cards ({kinds['basic']} basic, {kinds['cloze']} cloze, "
            f"{kinds['choice']} multiple choice)"
        )
        if result.rounds:
            summary += f", {len(result.rounds)} round{'s' * (len(result.rounds) != 1)}"
        if result.errors:
            summary += f"; {len(result.errors)} error{'s' * (len(result.errors) != 1)}"
        click.echo(summary)
    sys.exit(1 if result.errors else 0)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
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
    Everything is checked first; with any error nothing is written."""
    from ..deck_import import import_paths
    from ..terminal_text import inert
    from .progress import Progress

    plan = _convert_inputs(list(paths), source_format, out_dir, columns, cloze_syntax)
    workspace = open_workspace(options)
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
            progress=Progress("import"),
        )
        if not outcome.errors:
            _carry_state(workspace, plan, now)
    finally:
        workspace.close()
    if outcome.errors:
        plan.undo()
        for error in outcome.errors:
            click.echo(inert(str(error)), err=True)
        count = len(outcome.errors)
        fail(f"{count} error{'s' * (count != 1)}: nothing was imported")
    if not as_json:
        for line in plan.summary():
            click.echo(inert(line))
    report = outcome.report
    rounds = outcome.rounds
    if as_json:
        payload = report.as_dict()
        if plan.converted:
            payload["converted"] = plan.as_json()
        if rounds is not None:
            payload["rounds"] = {
                "added": rounds.added,
                "updated": rounds.updated,
                "unchanged": rounds.unchanged,
            }
        click.echo(json.dumps(payload))
        return
    only_rounds = report.decks == 0 and rounds is not None and rounds.added + rounds.updated
    if not only_rounds:
        click.echo(
            f"{report.decks} deck{'s' * (report.decks != 1)}: {report.added} added, "
            f"{report.updated} updated, {report.relinked} relinked, {report.retired} retired, "
            f"{report.unchanged} unchanged"
        )
    if rounds is not None and rounds.added + rounds.updated + rounds.unchanged:
        count = rounds.added + rounds.updated + rounds.unchanged
        click.echo(
            f"{count} round{'s' * (count != 1)}: {rounds.added} added, {rounds.updated} updated, "
            f"{rounds.unchanged} unchanged"
        )


def _convert_inputs(
    paths: list[str],
    source_format: str | None,
    out_dir: Path | None,
    columns: str | None,
    cloze_syntax: tuple[str, ...],
):
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


def _carry_state(workspace, plan, now) -> None:
    """Give newly imported cards what their source kept: the review log and suspension
    (Anki), review schedules (Obsidian)."""
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
    "--feedback",
    type=click.Choice(["each", "end"]),
    help="Show the right answer after each question, or only at the end.",
)
@click.pass_obj
def exam(options: Options, decks, tags, count, minutes, seed, weak, feedback) -> None:
    """A quiz that tests you without changing your review schedule."""
    from ..study.exam import ExamError, ExamSpec
    from ..workspace import UnknownDeck

    workspace = open_workspace(options)
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


def _print_rounds(summaries, as_json: bool) -> None:
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
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    click.echo(inert(render(figures)))


from .optimize import optimize  # noqa: E402

cli.add_command(optimize)


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
    """List the backups, or put FILE (a backup) in the collection's place. The collection it
    replaces is kept as a backup of its own."""
    from ..clock import clock_from_env
    from ..storage.backup import BackupError, list_backups, restore_backup
    from ..storage.database import database_url

    url = database_url(options.database)
    if not url.startswith("sqlite:///"):
        fail("flashcards: backups work on SQLite collection files only")
    path = Path(url.removeprefix("sqlite:///"))
    backups = list_backups(path)
    if file is None:
        if not backups:
            click.echo(f"No backups of {path} yet.")
            return
        click.echo(f"Backups of {path}, newest first (restore one with `flashcards restore FILE`):")
        for item in backups:
            when = item.made_at.astimezone().strftime("%Y-%m-%d %H:%M")
            click.echo(f"  {when}  {item.size / 1024:8.0f} KiB  {item.path}")
        return
    if not file.exists():
        fail(f"flashcards: {file}: no such backup")
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
    """Check the collection: SQLite's integrity check, rows that point at nothing, and each
    card's FSRS state against a replay of its review log."""
    from ..config import ConfigError, load_config
    from ..maintenance.doctor import examine
    from ..storage import Collection, CollectionError

    try:
        config = load_config(options.config_file)
        collection = Collection(options.database)
    except (CollectionError, ConfigError) as exc:
        fail(f"flashcards: {exc}")
    try:
        report = examine(collection, config, fix=fix)
    finally:
        collection.close()
    for finding in report.findings:
        click.echo(f"{finding.kind}: {finding.message}")
    for change in report.fixed:
        click.echo(f"fixed: {change}")
    if report.healthy:
        click.echo(f"No problems: {report.cards_checked} cards checked.")
        return
    if any(f.kind == "integrity" for f in report.findings):
        fail("The collection is damaged: restore a backup with `flashcards restore`.")
    if not fix:
        fail(f"{len(report.findings)} problem(s); `flashcards doctor --fix` repairs them.")


def _collection_file(workspace) -> Path:
    path = workspace.collection.sqlite_path
    if path is None:
        fail("flashcards: backups work on SQLite collection files only")
    return path


def main() -> None:
    try:
        cli(prog_name="flashcards")
    except Exception as exc:  # the last line of defence: a sentence, never a traceback
        from ..storage.errors import describe_failure

        meaning = describe_failure(exc)
        if meaning is None:
            raise
        fail(f"flashcards: {meaning}")
