"""Our cards as an Anki package (`.apkg`), for studying on the phone, written with the official
`anki` library of the optional `anki` extra.

`plan_notes` decides, without the library, what each Anki note holds: a basic or
multiple-choice card is a note of the "flashcards basic" type (the options on the front, the
answer on the back); a cloze paragraph is one note of the "flashcards cloze" type, its
deletions numbered as Anki's `{{c1::answer::hint}}`. Markdown becomes HTML; the deck and its
topics become the Anki deck and its subdecks; tags stay tags. Each note's GUID is the lasting
identity (`uid`) of its card (of a paragraph's first card), so that importing a newer export
into Anki updates its notes instead of adding copies; the note's "Flashcards id" field names
the card of each of its Anki cards, so that the reviews done in Anki come back to them (see
`anki_package`)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import cache
from html import escape, unescape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..deck.cloze import find_deletions, group_deletions, render_cloze
from ..review_rules import CardState
from ..storage.export_reads import ExportDeck, ExportedCard, ExportedReview

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "BASIC_TYPE",
    "CLOZE_TYPE",
    "EXTRA_MISSING",
    "IDENTITY_FIELD",
    "AnkiNote",
    "ExportError",
    "anki_cloze",
    "plan_notes",
    "write_anki_package",
]

EXTRA_MISSING = (
    "writing Anki packages needs the optional 'anki' extra: install flashcards[anki] "
    "(in a checkout: uv sync --extra anki)"
)
BASIC_TYPE = "flashcards basic"
CLOZE_TYPE = "flashcards cloze"
IDENTITY_FIELD = "Flashcards id"  # our cards' identities, read back when reviews return
_ANKI_ROLLOVER_HOUR = 4  # a new Anki collection's day starts at 4:00
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks for deletions while Markdown renders


class ExportError(Exception):
    """The package cannot be written; the message says why (and names the path)."""


@dataclass(slots=True)
class AnkiNote:
    guid: str
    note_type: str  # BASIC_TYPE or CLOZE_TYPE
    fields: tuple[str, str]  # Front and Back, or Text and Back Extra (HTML)
    identity: str  # the IDENTITY_FIELD: a uid, or "c1:uid c2:uid" for a cloze note
    deck: str  # "Deck::Topic::Subtopic"
    tags: tuple[str, ...]
    cards: list[tuple[int, ExportedCard]] = field(default_factory=list)  # (Anki ord, card)
    media: dict[str, Path] = field(default_factory=dict)  # an image's src -> the file it is


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _html(text: str) -> str:
    return _markdown().render(text).strip() if text.strip() else ""


def _inline(text: str) -> str:
    return _markdown().renderInline(text).strip()


def _deck_part(name: str) -> str:
    """A deck or topic name as one level of an Anki deck ('::' separates levels there)."""
    return " ".join(name.replace("::", ":").split()) or "untitled"


def anki_cloze(source: str) -> tuple[str, dict[str, int], list[str]]:
    """A cloze paragraph of ours in Anki's syntax: the HTML with `{{cN::answer::hint}}`
    deletions, each of our groups' number (a `c3` group stays c3; unnumbered deletions are
    numbered after the largest number, in order), and the alternatives Anki has no syntax
    for, as lines to show with the answer."""
    deletions = find_deletions(source)
    groups = group_deletions(deletions)
    numbers: dict[str, int] = {}
    taken = [int(label[1:]) for label in groups if not label.startswith("=")]
    following = max(taken, default=0)
    for label in groups:
        if label.startswith("="):
            following += 1
            numbers[label] = following
        else:
            numbers[label] = int(label[1:])
    label_of = {d.start: label for label, members in groups.items() for d in members}
    marked = source
    for index in reversed(range(len(deletions))):
        deletion = deletions[index]
        marked = f"{marked[: deletion.start]}{_OPEN}{index}{_CLOSE}{marked[deletion.end :]}"
    html = _html(marked)
    alternatives: list[str] = []
    for index, deletion in enumerate(deletions):
        number = numbers[label_of[deletion.start]]
        hint = f"::{escape(deletion.hint, quote=False)}" if deletion.hint else ""
        text = "{{c" + f"{number}::{_inline(deletion.shown)}{hint}" + "}}"
        html = html.replace(f"{_OPEN}{index}{_CLOSE}", text)
        if len(deletion.answers) > 1:
            others = ", ".join(_inline(a) for a in deletion.answers[1:])
            alternatives.append(f"c{number} {_inline(deletion.shown)} (also accepted: {others})")
    return html, numbers, alternatives


def _cloze_extra(card: ExportedCard) -> str:
    """The notes a cloze card shows under its answer (its back, less the revealed paragraph)."""
    source = card.cloze_source or ""
    deletions = find_deletions(source)
    active = group_deletions(deletions).get(card.cloze_group or "", [])
    revealed = render_cloze(source, deletions, active, reveal=True)
    back = card.back
    return back[len(revealed) :].strip() if back.startswith(revealed) else ""


def _choice_fields(card: ExportedCard) -> tuple[str, str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    options = "".join(f"<li>{_inline(c.text)}</li>" for c in card.choices)
    front = f'{_html(card.front)}\n<ol type="A">{options}</ol>'
    right = [f"{letters[i]}. {_inline(c.text)}" for i, c in enumerate(card.choices) if c.correct]
    back = "<p><b>Answer:</b> " + "; ".join(right) + "</p>"
    if card.back.strip():
        back += "\n" + _html(card.back)
    return front, back


_IMAGE = re.compile(r'<img src="([^"]+)"')


def _media(fields: tuple[str, str], deck: ExportDeck) -> dict[str, Path]:
    """The local image files the fields show, found beside the deck's file (as the deck's
    Markdown links them); links to the web, and files that are not there, are left alone."""
    found: dict[str, Path] = {}
    folder = Path(deck.file).parent if deck.file else None
    for src in _IMAGE.findall(" ".join(fields)):
        name = unquote(unescape(src))
        if folder is None or ":" in name or name.startswith(("/", "\\")):
            continue
        path = folder / name
        if path.is_file():
            found[src] = path
    return found


def plan_notes(decks: Sequence[ExportDeck], cards: Sequence[ExportedCard]) -> list[AnkiNote]:
    """The Anki notes of these cards (those of `decks`), in deck and file order."""
    deck_by_id = {deck.id: deck for deck in decks}
    notes: list[AnkiNote] = []
    paragraphs: dict[tuple[int, str], list[ExportedCard]] = {}
    for card in cards:
        if card.kind == "cloze" and card.cloze_source is not None:
            paragraphs.setdefault((card.deck_id, card.cloze_source), []).append(card)
    done: set[tuple[int, str]] = set()
    for card in cards:
        deck = deck_by_id[card.deck_id]
        where = "::".join(_deck_part(part) for part in (deck.name, *card.topic))
        tags = tuple(dict.fromkeys((*card.tags, *deck.tags)))
        if card.kind == "cloze" and card.cloze_source is not None:
            key = (card.deck_id, card.cloze_source)
            if key in done:
                continue
            done.add(key)
            siblings = paragraphs[key]
            html, numbers, alternatives = anki_cloze(card.cloze_source)
            extra = _html(_cloze_extra(card))
            if alternatives:
                extra += "".join(f"\n<p>{line}</p>" for line in alternatives)
            members = sorted(
                ((numbers[s.cloze_group or ""] - 1, s) for s in siblings if s.cloze_group),
                key=lambda pair: pair[0],
            )
            anchor = min(siblings, key=lambda s: s.id)
            identity = " ".join(f"c{order + 1}:{s.uid}" for order, s in members)
            fields = (html, extra.strip())
            notes.append(
                AnkiNote(
                    anchor.uid,
                    CLOZE_TYPE,
                    fields,
                    identity,
                    where,
                    tags,
                    members,
                    _media(fields, deck),
                )
            )
            continue
        if card.kind == "choice":
            front, back = _choice_fields(card)
        else:
            front, back = _html(card.front), _html(card.back)
        notes.append(
            AnkiNote(
                card.uid,
                BASIC_TYPE,
                (front, back),
                card.uid,
                where,
                tags,
                [(0, card)],
                _media((front, back), deck),
            )
        )
    return notes


# Our note types keep one id, and their fields and templates theirs, from export to export:
# Anki recognises them as the same types and updates the notes, where new ids would make it
# merge the types into ones with twice the templates (and twice the cards).
_TYPE_IDS = {BASIC_TYPE: 1_262_304_000_101, CLOZE_TYPE: 1_262_304_000_102}


def _add_note_types(col) -> None:
    """Our two note types, made from Anki's stock Basic and Cloze (so any Anki reads them as
    those), each with the identity field, which their templates do not show."""
    for name, stock in ((BASIC_TYPE, "Basic"), (CLOZE_TYPE, "Cloze")):
        note_type = col.models.copy(col.models.by_name(stock), add=False)
        note_type["name"] = name
        col.models.add_field(note_type, col.models.new_field(IDENTITY_FIELD))
        base = _TYPE_IDS[name]
        for index, item in enumerate(note_type["flds"]):
            item["id"] = base * 10 + index
        for index, item in enumerate(note_type["tmpls"]):
            item["id"] = base * 10 + 5 + index
        col.models.add_dict(note_type)
        made = col.models.by_name(name)["id"]
        for table, column in (("notetypes", "id"), ("fields", "ntid"), ("templates", "ntid")):
            col.db.execute(f"update {table} set {column} = ? where {column} = ?", base, made)


def _anki_day(moment: datetime, now: datetime, today: int, zone: tzinfo) -> int:
    """The day number Anki gives the day of `moment`, counted from its `today`."""
    shift = timedelta(hours=_ANKI_ROLLOVER_HOUR)
    return (
        today
        + ((moment - shift).astimezone(zone).date() - (now - shift).astimezone(zone).date()).days
    )


def _schedule(col, anki_card, card: ExportedCard, now: datetime, zone: tzinfo) -> None:
    """Give the Anki card our card's schedule and FSRS memory state."""
    from anki.cards import FSRSMemoryState

    if card.state != CardState.NEW:
        today = col.sched.today
        anki_card.reps = card.reps
        anki_card.lapses = card.lapses
        last = card.last_review or now
        interval = max(1, round((card.due - last).total_seconds() / 86400))
        if card.stability is not None and card.difficulty is not None:
            anki_card.memory_state = FSRSMemoryState(
                stability=card.stability, difficulty=card.difficulty
            )
        if hasattr(anki_card, "last_review_time") and card.last_review is not None:
            anki_card.last_review_time = int(card.last_review.timestamp())
        if card.state == CardState.REVIEW:
            anki_card.type = anki_card.queue = 2
            anki_card.ivl = interval
            anki_card.due = _anki_day(card.due, now, today, zone)
            anki_card.factor = 2500
        else:  # learning or relearning: due within the day by the clock, else by the day
            anki_card.type = 1 if card.state == CardState.LEARNING else 3
            anki_card.left = 1
            anki_card.ivl = interval if card.state == CardState.RELEARNING else 0
            anki_card.factor = 2500 if card.state == CardState.RELEARNING else 0
            if card.due - now < timedelta(days=1):
                anki_card.queue = 1
                anki_card.due = int(card.due.timestamp())
            else:
                anki_card.queue = 3
                anki_card.due = _anki_day(card.due, now, today, zone)
    if card.suspended:
        anki_card.queue = -1
    col.update_card(anki_card)


_REVLOG_TYPE = {0: 0, 1: 0, 2: 1, 3: 2}  # our state before the answer -> Anki's revlog type


def _interval(days: float) -> int:
    """An interval in Anki's revlog: days when a day or more, else negative seconds."""
    return round(days) if days >= 1 else -max(1, round(days * 86400))


def _write_revlog(col, reviews: Sequence[ExportedReview], anki_ids: dict[int, int]) -> int:
    used: set[int] = set()
    rows = []
    for review in reviews:
        anki_id = anki_ids.get(review.card_id)
        if anki_id is None:
            continue
        moment = int(review.reviewed_at.timestamp() * 1000)
        while moment in used:  # Anki's revlog ids are unique instants
            moment += 1
        used.add(moment)
        rows.append(
            (
                moment,
                anki_id,
                review.rating,
                _interval(review.scheduled_days),
                _interval(review.interval_before) if review.interval_before else 0,
                min(review.duration_ms or 0, 60_000 * 60),
                _REVLOG_TYPE.get(review.state_before, 1),
            )
        )
    col.db.executemany(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "values (?, ?, -1, ?, ?, ?, 0, ?, ?)",
        rows,
    )
    return len(rows)


@dataclass(frozen=True, slots=True)
class PackageWritten:
    notes: int
    cards: int
    reviews: int


def write_anki_package(
    notes: Sequence[AnkiNote],
    path: Path,
    *,
    reviews: Sequence[ExportedReview] | None,
    now: datetime,
    zone: tzinfo,
) -> PackageWritten:
    """Write the notes to `path` (through a temporary file and a rename). With `reviews`, the
    package holds the cards' schedules and that review log; without, the cards are new.
    Raises ExportError."""
    try:
        from anki.collection import Collection, ExportAnkiPackageOptions
    except ImportError:
        raise ExportError(EXTRA_MISSING) from None
    target = path.resolve()
    temporary = str(target.with_name(f".{target.name}.tmp-{os.getpid()}"))
    try:
        Path(temporary).touch()  # can it be written here at all?
        mode = os.stat(temporary).st_mode & 0o777  # a new file's usual permissions here
    except OSError as exc:
        raise ExportError(f"{path}: cannot write here: {exc.strerror}") from None
    here = os.getcwd()
    try:
        with tempfile.TemporaryDirectory(prefix="flashcards-export-") as folder:
            file = os.path.join(folder, "collection.anki2")
            col = Collection(file)
            try:
                _add_note_types(col)
            finally:
                col.close()  # opened again below: the library forgets the types' first ids
            col = Collection(file)
            try:
                written = _fill(col, notes, reviews, now, zone)
                col.export_anki_package(
                    out_path=temporary,
                    options=ExportAnkiPackageOptions(
                        with_scheduling=reviews is not None,
                        with_deck_configs=False,
                        with_media=True,
                        legacy=False,
                    ),
                    limit=None,
                )
            finally:
                col.close()
                os.chdir(here)  # older versions of the library changed the working folder
        os.chmod(temporary, mode)  # the library writes its file for its owner only
        os.replace(temporary, target)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return written


def _fill(col, notes, reviews, now, zone) -> PackageWritten:
    types = {name: col.models.get(type_id) for name, type_id in _TYPE_IDS.items()}
    deck_ids: dict[str, int] = {}
    anki_ids: dict[int, int] = {}
    card_count = 0
    for planned in notes:
        deck_id = deck_ids.get(planned.deck)
        if deck_id is None:
            deck_id = deck_ids[planned.deck] = col.decks.id(planned.deck)
        note = col.new_note(types[planned.note_type])
        note.guid = planned.guid
        first, second = planned.fields
        for src, path in planned.media.items():
            stored = col.media.add_file(str(path))  # Anki's media folder is flat
            first = first.replace(f'<img src="{src}"', f'<img src="{stored}"')
            second = second.replace(f'<img src="{src}"', f'<img src="{stored}"')
        note.fields[0], note.fields[1] = first, second
        note[IDENTITY_FIELD] = planned.identity
        note.tags = list(planned.tags)
        col.add_note(note, deck_id)
        by_ord = {anki_card.ord: anki_card for anki_card in note.cards()}
        for order, card in planned.cards:
            anki_card = by_ord.get(order)
            if anki_card is None:
                continue
            card_count += 1
            anki_ids[card.id] = anki_card.id
            if reviews is not None:
                _schedule(col, anki_card, card, now, zone)
            elif card.suspended:
                anki_card.queue = -1
                col.update_card(anki_card)
    logged = _write_revlog(col, reviews, anki_ids) if reviews else 0
    return PackageWritten(len(notes), card_count, logged)
