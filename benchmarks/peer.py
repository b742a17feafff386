"""The peer: Anki's own Python package (`anki`, the bench extra), driven as Anki's desktop app
drives it. Every function here imports `anki` lazily, so the suite runs without it.

The equivalent of one of our collections is built from our collection's rows: one Anki note per
basic or multiple-choice card (note type Basic) and per cloze paragraph (note type Cloze, one
card per deletion group, numbered in order of first appearance as our parser groups them).
Anki gets the same deck names under a parent deck, the same daily limits, FSRS switched on, and
the same review history with the same memory states.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from flashcards.deck.cloze import find_deletions, group_deletions

from .history import LEARNING_STEPS, RELEARNING_STEPS, Placed

__all__ = [
    "NoteSpec",
    "add_notes",
    "answer_cards",
    "available",
    "create_collection",
    "note_specs",
    "open_collection",
    "queue_and_counts",
    "write_history",
]

PARENT_DECK = "Bench"
_DAY = 86_400
_FSRS6_DECAY = 0.1542  # the default last FSRS-6 parameter, as `fsrs` uses it


def available() -> bool:
    """Whether the bench extra is installed."""
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class NoteSpec:
    """One Anki note; `card_ids` are our card ids in the order of the note's cards (ord)."""

    deck: str
    cloze: bool
    fields: tuple[str, str]
    tags: str
    card_ids: tuple[int, ...]


def _cloze_text(source: str) -> tuple[str, list[str]]:
    """Anki's numbered cloze text for one of our cloze paragraphs, and our group labels in
    the order of Anki's card numbers."""
    deletions = find_deletions(source)
    labels = list(group_deletions(deletions))
    number = {label: index + 1 for index, label in enumerate(labels)}
    pieces = []
    cursor = 0
    for deletion in deletions:
        label = deletion.group or "=" + deletion.shown.casefold()
        hint = f"::{deletion.hint}" if deletion.hint else ""
        pieces.append(source[cursor : deletion.start])
        pieces.append(f"{{{{c{number[label]}::{deletion.shown}{hint}}}}}")
        cursor = deletion.end
    pieces.append(source[cursor:])
    return "".join(pieces), labels


def note_specs(database: Path) -> list[NoteSpec]:
    """The notes that hold the same cards as our collection (read with plain sqlite3)."""
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute(
            "SELECT card.id, card.kind, card.front, card.back, card.choices, card.cloze_source,"
            " card.cloze_group, card.tags, deck.name FROM card JOIN deck ON deck.id = card.deck_id"
            " WHERE NOT card.retired ORDER BY card.id"
        ).fetchall()
    finally:
        connection.close()
    specs: list[NoteSpec] = []
    paragraphs: dict[tuple[str, str], dict[str, int]] = {}
    for card_id, kind, front, back, choices, source, group, tags, deck in rows:
        if kind == "cloze":
            paragraphs.setdefault((deck, source), {})[group] = card_id
            continue
        if kind == "choice":
            options = json.loads(choices)
            front = front + "\n\n" + "\n".join(f"- {text}" for text, _correct in options)
            back = back or "; ".join(text for text, correct in options if correct)
        specs.append(NoteSpec(deck, False, (front, back), tags, (card_id,)))
    for (deck, source), cards in paragraphs.items():
        text, labels = _cloze_text(source)
        specs.append(NoteSpec(deck, True, (text, ""), "", tuple(cards[label] for label in labels)))
    return specs


def create_collection(path: Path, decks: list[str], new_per_day: int, reviews_per_day: int):
    """A new collection with FSRS on, created 400 days ago (so that a year of history has
    positive day numbers), our decks under one parent deck, and our daily limits."""
    from anki.collection import Collection

    col = Collection(str(path))
    col.set_config("fsrs", True)
    today_start = col.sched.day_cutoff - _DAY
    col.crt = today_start - 400 * _DAY
    config = col.decks.add_config("bench")
    config["new"]["perDay"] = new_per_day
    config["rev"]["perDay"] = reviews_per_day
    col.decks.update_config(config)
    deck_ids = {name: col.decks.id(f"{PARENT_DECK}::{name}") for name in decks}
    parent = col.decks.id(PARENT_DECK)
    for deck_id in [parent, *deck_ids.values()]:
        deck = col.decks.get(deck_id)
        deck["conf"] = config["id"]
        col.decks.save(deck)
    col.decks.select(parent)
    return col, deck_ids


def add_notes(col, specs: list[NoteSpec], deck_ids: dict[str, int]) -> list[int]:
    """Add every note in one call, as Anki's importers do; returns the note ids."""
    from anki.collection import AddNoteRequest

    basic = col.models.by_name("Basic")
    cloze = col.models.by_name("Cloze")
    requests = []
    for spec in specs:
        note = col.new_note(cloze if spec.cloze else basic)
        note.fields[0], note.fields[1] = spec.fields
        note.tags = spec.tags.split()
        requests.append(AddNoteRequest(note, deck_ids[spec.deck]))
    col.add_notes(requests)
    return [request.note.id for request in requests]


def _revlog_interval(days: float) -> int:
    """Anki's revlog interval: days when a day or more, else negative seconds."""
    return round(days) if days >= 1 else -round(days * _DAY)


_REVLOG_TYPE = {0: 0, 1: 0, 2: 1, 3: 2}  # our state before an answer -> Anki's review kind


def write_history(
    col, specs: list[NoteSpec], note_ids: list[int], histories: dict[int, Placed]
) -> int:
    """Write the same answers and FSRS memory states as our collection holds, straight into
    Anki's tables (cards and revlog). Returns the number of revlog rows."""
    anki_ids = {}
    by_note = {}
    for note_id, ordinal, card_id in col.db.all("SELECT nid, ord, id FROM cards"):
        by_note.setdefault(note_id, {})[ordinal] = card_id
    for spec, note_id in zip(specs, note_ids, strict=True):
        for ordinal, our_id in enumerate(spec.card_ids):
            anki_ids[our_id] = by_note[note_id][ordinal]
    today = col.sched.today
    today_start = col.sched.day_cutoff - _DAY
    cards = []
    revlog = []
    for our_id, history in histories.items():
        template = history.template
        due = history.time(template.due)
        last = history.time(template.last)
        suspended = template.lapses >= 8
        previous_interval = 0
        for answer in template.answers:
            interval = _revlog_interval(answer.scheduled_days)
            revlog.append(
                [
                    int(history.time(answer.at) * 1000),
                    anki_ids[our_id],
                    answer.rating,
                    interval,
                    previous_interval,
                    2500 if answer.state_before == 2 else 0,
                    answer.duration_ms,
                    _REVLOG_TYPE[answer.state_before],
                ]
            )
            previous_interval = interval
        if template.state == 2:
            kind, queue = 2, 2
            due_value = today + int((due - today_start) // _DAY)
            interval_days, left = max(1, round(template.answers[-1].scheduled_days)), 0
        else:
            steps = LEARNING_STEPS if template.state == 1 else RELEARNING_STEPS
            kind, queue = (1 if template.state == 1 else 3), 1
            due_value = int(due)
            interval_days, left = max(1, round(template.stability)), len(steps) - template.step
        memory = {
            "s": round(template.stability, 4),
            "d": round(template.difficulty, 3),
            "dr": 0.9,
            "decay": _FSRS6_DECAY,
            "lrt": int(last),
        }
        cards.append(
            [
                kind,
                -1 if suspended else queue,
                due_value,
                interval_days,
                2500,
                len(template.answers),
                template.lapses,
                left,
                json.dumps(memory, separators=(",", ":")),
                int(last),
                anki_ids[our_id],
            ]
        )
    revlog.sort(key=lambda row: row[0])
    for index in range(1, len(revlog)):  # revlog ids are millisecond stamps and must be unique
        if revlog[index][0] <= revlog[index - 1][0]:
            revlog[index][0] = revlog[index - 1][0] + 1

    def write() -> None:
        col.db.executemany(
            "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?,"
            " lapses = ?, left = ?, data = ?, mod = ?, usn = -1 WHERE id = ?",
            cards,
        )
        col.db.executemany(
            "INSERT INTO revlog (id, cid, ease, ivl, lastIvl, factor, time, type, usn)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, -1)",
            revlog,
        )

    col.db.transact(write)
    return len(revlog)


def open_collection(path: Path):
    from anki.collection import Collection

    return Collection(str(path))


def answer_cards(path: Path, ratings: list[int]) -> float:
    """Answer cards one by one as Anki's reviewer does; seconds for all of them."""
    from anki.cards import Card

    col = open_collection(path)
    try:
        col.sched.get_queued_cards()  # build today's queue, as our session plans it when opened
        start = time.perf_counter()
        for rating in ratings:
            queued = col.sched.get_queued_cards()
            if not queued.cards:
                raise RuntimeError("Anki's queue ran dry")
            top = queued.cards[0]
            card = Card(col, backend_card=top.card)
            card.start_timer()
            # Anki numbers its ratings from 0 (Again) to 3 (Easy); ours run from 1 to 4.
            answer = col.sched.build_answer(card=card, states=top.states, rating=rating - 1)
            col.sched.answer_card(answer)
        return time.perf_counter() - start
    finally:
        col.close()


def queue_and_counts(path: Path) -> float:
    """The deck list's due counts and today's queue, on a freshly opened collection."""
    col = open_collection(path)
    try:
        start = time.perf_counter()
        col.sched.deck_due_tree()
        col.sched.get_queued_cards()
        return time.perf_counter() - start
    finally:
        col.close()


def open_time(path: Path) -> float:
    start = time.perf_counter()
    col = open_collection(path)
    elapsed = time.perf_counter() - start
    col.close()
    return elapsed
