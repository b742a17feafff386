"""`flashcards export`: the collection's decks as an Anki package (to study on the phone), as
Markdown deck files, or its review log as the FSRS optimizer tools' CSV."""

from __future__ import annotations

from pathlib import Path

import click

from .command import Command
from .common import Options, fail, open_workspace

__all__ = ["export"]


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        fail(f"{path}: exists already; --force replaces it")


def _writable_folder(path: Path) -> None:
    parent = path.parent if path.parent != Path("") else Path(".")
    if not parent.is_dir():
        fail(f"{path}: no such folder: {parent}")


@click.command(cls=Command)
@click.option(
    "--deck",
    "deck_names",
    multiple=True,
    metavar="NAME",
    help="Export this deck (repeat for more; default: every deck, built-in ones included).",
)
@click.option(
    "--to",
    "target",
    metavar="FILE.apkg|DIR",
    type=click.Path(path_type=Path),
    help="An Anki package (a name ending in .apkg; needs the 'anki' extra), or a folder for "
    "Markdown deck files.",
)
@click.option(
    "--revlog",
    "revlog",
    metavar="FILE.csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the review log in the FSRS optimizer tools' CSV format.",
)
@click.option(
    "--with-history",
    is_flag=True,
    help="With an .apkg: include each card's schedule, FSRS memory state and review log.",
)
@click.option("--force", is_flag=True, help="Replace files that exist already.")
@click.pass_obj
def export(
    options: Options,
    deck_names: tuple[str, ...],
    target: Path | None,
    revlog: Path | None,
    with_history: bool,
    force: bool,
) -> None:
    """Write decks out: an Anki package for the phone (--to FILE.apkg), Markdown deck files
    (--to DIR), or the review log as CSV (--revlog FILE.csv).

    Each card's lasting identity is its Anki note's GUID, so importing a newer export into
    Anki updates the notes there; `flashcards import` of that package (or of the phone's
    .colpkg) brings the reviews done in Anki back. Nothing is half-written: files are written
    to a temporary name and renamed."""
    from ..storage.export_reads import cards_to_export, export_decks
    from ..workspace import UnknownDeck

    if target is None and revlog is None:
        raise click.UsageError("say where to: --to FILE.apkg, --to DIR or --revlog FILE.csv")
    package = target is not None and target.suffix.lower() == ".apkg"
    if target is not None and target.suffix.lower() in (".colpkg", ".anki2", ".anki21"):
        raise click.UsageError("write an .apkg: Anki imports it into any collection")
    if with_history and not package:
        raise click.UsageError("--with-history goes with --to FILE.apkg")
    files = [path for path in (target if package else None, revlog) if path is not None]
    for path in files:
        _writable_folder(path)
        _refuse_existing(path, force)
    if package:
        try:
            import anki.collection  # noqa: F401  (the extra: checked before any work)
        except ImportError:
            from ..convert.anki_export import EXTRA_MISSING

            fail(f"flashcards: {EXTRA_MISSING}")
    workspace = open_workspace(options)
    try:
        try:
            decks = export_decks(workspace.collection, workspace.deck_ids(deck_names))
        except UnknownDeck as exc:
            fail(f"flashcards: {exc}")
        cards = cards_to_export(workspace.collection, [deck.id for deck in decks])
        if not cards and target is not None:
            fail("flashcards: nothing to export: the collection has no cards yet")
        lines: list[str] = []
        if target is not None and package:
            lines.append(_package(workspace, decks, cards, target, with_history))
        elif target is not None:
            lines.append(_markdown(decks, cards, target, force))
        if revlog is not None:
            lines.append(_revlog(workspace, cards, revlog, all_decks=not deck_names))
    finally:
        workspace.close()
    for line in lines:
        click.echo(line)


def _package(workspace, decks, cards, target: Path, with_history: bool) -> str:
    from ..convert.anki_export import ExportError, plan_notes, write_anki_package
    from ..storage.export_reads import reviews_to_export

    notes = plan_notes(decks, cards)
    reviews = (
        reviews_to_export(workspace.collection, [card.id for card in cards])
        if with_history
        else None
    )
    try:
        written = write_anki_package(
            notes, target, reviews=reviews, now=workspace.clock.now(), zone=workspace.zone
        )
    except ExportError as exc:
        fail(f"flashcards: {exc}")
    line = (
        f"wrote {target}: {len(decks)} deck{'s' * (len(decks) != 1)}, "
        f"{written.notes} notes, {written.cards} cards"
    )
    if with_history:
        line += f", with their schedules and {written.reviews} reviews"
    return line


def _markdown(decks, cards, folder: Path, force: bool) -> str:
    from ..convert.markdown_export import plan_markdown
    from ..convert.writer import write_files
    from ..terminal_text import inert

    if folder.exists() and not folder.is_dir():
        fail(f"{folder}: not a folder (an Anki package's name ends in .apkg)")
    planned = plan_markdown(decks, cards, folder)
    if planned.errors:
        for error in planned.errors:
            click.echo(inert(str(error)), err=True)
        fail(f"{len(planned.errors)} card(s) cannot be written as Markdown: nothing was written")
    existing = [path for path in planned.files if path.exists()]
    if existing and not force:
        for path in existing:
            click.echo(inert(f"{path}: exists already"), err=True)
        fail("flashcards: --force replaces existing files: nothing was written")
    try:
        write_files(planned.files)
    except OSError as exc:
        fail(f"{folder}: cannot write: {exc.strerror or exc}")
    count = len(planned.files)
    return f"wrote {count} deck file{'s' * (count != 1)} ({planned.cards} cards) to {folder}"


def _revlog(workspace, cards, path: Path, *, all_decks: bool) -> str:
    from ..optimizer.revlog import collection_reviews, write_revlog_csv

    wanted = {card.id for card in cards}
    reviews = [
        review
        for review in collection_reviews(workspace.collection)
        if all_decks or review.card_id in wanted
    ]
    try:
        count = write_revlog_csv(reviews, path)
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")
    return f"wrote {path}: {count} review{'s' * (count != 1)}"
