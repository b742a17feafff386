"""Anki packages (`.apkg`, current or legacy, and `.colpkg`), read with the official `anki`
library of the optional `anki` extra: the package is imported into a throw-away collection in a
temporary folder, and its notes are converted like those of Anki's text export (see
`anki_text`), with the fields' HTML turned into Markdown by markdownify, the media the notes
use copied beside the deck, and suspended cards marked so that they stay suspended."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from ..deck.model import DeckError
from .anki_text import build_deck
from .model import Conversion, PastReview

__all__ = ["EXTRA_MISSING", "convert_anki_package"]

EXTRA_MISSING = (
    "reading Anki packages needs the optional 'anki' extra: install flashcards[anki] "
    "(in a checkout: uv sync --extra anki)"
)
# Anki's stock note types (OriginalStockKind), whatever the user renamed them to.
_STOCK = {
    1: "basic",
    2: "basic (and reversed card)",
    3: "basic (optional reversed card)",
    4: "basic (type in the answer)",
    5: "cloze",
}
_SOUND = re.compile(r"\[sound:([^\]]+)\]")
_SUSPENDED_QUEUE = -1
_ANSWER_TYPES = (
    0,
    1,
    2,
    3,
)  # learning, review, relearning, filtered; not manual (4) or rescheduled (5)


def _markdown(html: str) -> str:
    from markdownify import markdownify

    html = _SOUND.sub(lambda m: f'<a href="{m.group(1)}">sound: {m.group(1)}</a>', html)
    text = markdownify(
        html, heading_style="ATX", bullets="-", sub_symbol="<sub>", sup_symbol="<sup>"
    )
    lines = [line.rstrip() for line in text.replace("\u00a0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _note_type(note_type: dict) -> tuple[str, str]:
    """The stock note type this one derives from (else its own name), and its name as shown.
    A renamed or custom type derived from a stock one (Anki records which) is read as that."""
    name = re.sub(r"\+$", "", str(note_type.get("name", ""))) or "unknown"
    kind = _STOCK.get(int(note_type.get("originalStockKind") or 0))
    return (kind or name), name


def convert_anki_package(path: Path, shown: str, name: str) -> Conversion:
    result = Conversion()
    try:
        import markdownify  # noqa: F401  (part of the extra: checked before any work)
        from anki.collection import (
            Collection,
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
        )
    except ImportError:
        result.errors.append(DeckError(shown, 0, EXTRA_MISSING))
        return result
    package = str(path.resolve())
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="flashcards-anki-") as folder:
        collection = Collection(os.path.join(folder, "collection.anki2"))
        try:
            try:
                collection.import_anki_package(
                    ImportAnkiPackageRequest(
                        package_path=package,
                        options=ImportAnkiPackageOptions(
                            with_scheduling=True, merge_notetypes=False
                        ),
                    )
                )
            except Exception as exc:  # the library's own errors: a sentence, not a traceback
                result.errors.append(DeckError(shown, 0, f"not a readable Anki package: {exc}"))
                return result
            _read_notes(collection, shown, name, result)
        finally:
            collection.close()
            os.chdir(here)  # older versions of the library changed the working folder
    return result


def _answers(collection) -> dict[int, tuple[PastReview, ...]]:
    """Every card's answers in the package's review log, oldest first."""
    found: dict[int, list[PastReview]] = {}
    rows = collection.db.all("select id, cid, ease, time, type from revlog order by id")
    for review_id, card_id, ease, duration, kind in rows:
        if kind not in _ANSWER_TYPES or not 1 <= ease <= 4:
            continue
        moment = datetime.fromtimestamp(review_id / 1000, tz=UTC)
        found.setdefault(card_id, []).append(
            PastReview(moment, int(ease), int(duration) if duration and duration > 0 else None)
        )
    return {card_id: tuple(answers) for card_id, answers in found.items()}


def _read_notes(collection, shown: str, name: str, result: Conversion) -> None:
    media_dir = Path(collection.media.dir())
    answers = _answers(collection)
    entries = []
    media: dict[str, bytes] = {}
    for note_id in sorted(collection.find_notes("")):
        note = collection.get_note(note_id)
        cards = note.cards()
        if _returning(note, cards, answers, result):
            continue
        deck_name = collection.decks.name(cards[0].did) if cards else ""
        suspended = frozenset(c.ord for c in cards if c.queue == _SUSPENDED_QUEUE)
        for field in note.fields:
            for file_name in collection.media.files_in_str(note.mid, field):
                source = media_dir / file_name
                if "/" in file_name or file_name.startswith("."):
                    continue  # names only, never paths: nothing lands outside the folder
                if source.is_file():
                    media[file_name] = source.read_bytes()
                else:
                    result.warnings.append(
                        _where(shown, note_id, f"media file '{file_name}' is not in the package")
                    )
        kind, type_name = _note_type(note.note_type())
        if kind in _STOCK.values() and type_name.casefold() != kind:
            result.warnings.append(
                _where(shown, note_id, f"note type '{type_name}' converted as '{kind}'")
            )
        entries.append(
            (
                f"{shown} note {note_id}",
                0,
                note.guid,
                kind,
                deck_name,
                " ".join(note.tags),
                [_markdown(field) for field in note.fields],
                suspended,
                {c.ord: answers[c.id] for c in cards if c.id in answers},
            )
        )
    if not entries and result.returned:
        return  # only our own cards, back from Anki: no deck to convert
    deck = build_deck(result, entries, shown, name, "an Anki package")
    deck.media = media
    if media:
        result.warnings.append(
            _where(
                shown,
                None,
                f"{len(media)} media file{'s' * (len(media) != 1)} copied beside the deck; "
                "the terminal shows images and sounds as links",
            )
        )


def _returning(note, cards, answers, result: Conversion) -> bool:
    """A note that `flashcards export` wrote (its type has our identity field) is a card of
    ours: its answers are kept by the card's identity, and the note is not converted."""
    from .anki_export import IDENTITY_FIELD

    if IDENTITY_FIELD not in note:
        return False
    identity = note[IDENTITY_FIELD].split()
    by_ord: dict[int, str] = {}
    for part in identity:
        label, sep, uid = part.partition(":")
        if sep and label[:1] == "c" and label[1:].isdigit():
            by_ord[int(label[1:]) - 1] = uid
        elif not sep:
            by_ord[0] = part
    for card in cards:
        uid = by_ord.get(card.ord)
        if uid:
            result.returned[uid] = answers.get(card.id, ())
    return True


def _where(shown: str, note_id: int | None, message: str):
    from .model import Skip

    return Skip(shown if note_id is None else f"{shown} note {note_id}", 0, message)
