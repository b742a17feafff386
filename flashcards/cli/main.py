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
        return Workspace.open(options.database, options.config_file, clock_from_env(), seed=seed)
    except (CollectionError, ConfigError, ValueError) as exc:
        fail(f"flashcards: {exc}")


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
def check(paths: tuple[str, ...], as_json: bool) -> None:
    """Validate deck files or folders (recursive *.md) without writing anything."""
    from ..deck import load_paths
    from ..terminal_text import inert

    result = load_paths(list(paths))
    if as_json:
        payload = {
            "decks": len(result.decks),
            "cards": result.card_count,
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
        if result.errors:
            summary += f"; {len(result.errors)} error{'s' * (len(result.errors) != 1)}"
        click.echo(summary)
    sys.exit(1 if result.errors else 0)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@click.pass_obj
def import_command(options: Options, paths: tuple[str, ...], as_json: bool) -> None:
    """Import deck files or folders into the collection, keeping every card's history.

    Everything is checked first; with any error nothing is written."""
    from ..deck import load_paths
    from ..storage import ImportConflict, import_decks
    from ..terminal_text import inert
    from .progress import Progress

    def refuse(errors) -> None:
        for error in errors:
            click.echo(inert(str(error)), err=True)
        count = len(errors)
        fail(f"{count} error{'s' * (count != 1)}: nothing was imported")

    progress = Progress("import")
    progress("reading decks")
    result = load_paths(list(paths))
    if result.errors:
        refuse(result.errors)
    workspace = open_workspace(options)
    try:
        report = import_decks(
            workspace.collection, result.decks, workspace.clock.now(), progress=progress
        )
    except ImportConflict as conflict:
        refuse(conflict.errors)
    finally:
        workspace.close()
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    click.echo(
        f"{report.decks} deck{'s' * (report.decks != 1)}: {report.added} added, "
        f"{report.updated} updated, {report.relinked} relinked, {report.retired} retired, "
        f"{report.unchanged} unchanged"
    )


@cli.command()
@click.option("--deck", "decks", multiple=True, metavar="NAME", help="Study only this deck.")
@click.pass_obj
def review(options: Options, decks: tuple[str, ...]) -> None:
    """Review today's cards (all decks, or the ones named)."""
    from ..workspace import UnknownDeck

    workspace = open_workspace(options)
    try:
        deck_ids = workspace.deck_ids(decks)
    except UnknownDeck as exc:
        workspace.close()
        fail(f"flashcards: {exc}")
    workspace.close()
    run_app(options, screen="review", deck_ids=deck_ids)


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


def main() -> None:
    cli(prog_name="flashcards")
