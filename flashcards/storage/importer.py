"""Bring parsed decks into the collection in one transaction, keeping each card's history.

A parsed card is matched to a stored card, in this order: by explicit id; by identical content
(anywhere in the collection, so reordering, moving and renaming keep history); by similar content
among the stored cards that would otherwise be retired (an edited question or answer). Whatever
is left is new; stored cards of the imported decks that matched nothing are retired, and come
back with their history when their text returns.

A deck is found by its key, the same on every machine (flashcards.deck.identity); where its file
lies on this machine is written beside it at each import, and moves no card.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnDefault, Connection, Row, bindparam, func, insert, select, update

from ..deck.identity import (
    BUILTIN_PREFIX,
    EXPLICIT_PREFIX,
    deck_key,
    is_legacy,
    place_of,
    trailing_match,
)
from ..deck.model import DeckError, ParsedCard, ParsedDeck, normalize_text
from ..review_rules import TOPIC_SEPARATOR
from .collection import Collection
from .deck_lists import rename_deck_keys
from .inserted import inserted_id
from .tables import cards as card_table
from .tables import decks as deck_table
from .types import to_millis

if TYPE_CHECKING:
    from ..deck.loader import DeckFile

__all__ = [
    "ImportConflict",
    "ImportReport",
    "import_decks",
    "import_decks_in",
    "relocate_decks",
    "similarity",
    "unchanged_import",
]

# Cards compared pairwise for fuzzy matching at most; past this, only within the same deck.
_FUZZY_BUDGET = 250_000


class ImportConflict(Exception):
    """Cards that are copies of cards still present in another deck file; nothing was written."""

    def __init__(self, errors: list[DeckError]) -> None:
        super().__init__(f"{len(errors)} duplicate card(s)")
        self.errors = errors


RELINK_REASONS = {
    "edited": "its text changed; matched to the card it was by what stayed the same",
    "moved": "it moved from another deck file",
    "returned": "it was retired (gone from its file) and is back",
}


@dataclass(frozen=True, slots=True)
class Relinked:
    """A card that kept its history although it was not found where and as it was before."""

    path: str  # the deck file, as the user named it
    line: int
    front: str
    reason: str  # a key of RELINK_REASONS

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}: {self.front}"


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    updated: int = 0
    relinked: int = 0
    retired: int = 0
    unchanged: int = 0
    decks: int = 0
    relinked_cards: list[Relinked] = field(default_factory=list)
    # Decks whose key changed (old -> new): a legacy key taken over, or an `id:` added,
    # changed or removed. The deck and its cards stayed; lists that name decks follow.
    renamed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "relinked": self.relinked,
            "retired": self.retired,
            "unchanged": self.unchanged,
        }


@dataclass(slots=True)
class _Stored:
    id: int
    explicit_id: str | None
    fingerprint: str
    deck_id: int
    kind: str
    retired: bool
    topic: str
    tags: str
    source_line: int
    position: int
    taken: bool = False


@dataclass(slots=True)
class _Incoming:
    """A parsed card on its way into the collection, with its fingerprint computed once."""

    card: ParsedCard
    deck_id: int
    position: int
    fingerprint: str
    shown: str = ""  # the deck file as the user named it, for the report


def sibling_key(card: ParsedCard) -> str | None:
    if card.cloze_source is None:
        return None
    return hashlib.blake2b(normalize_text(card.cloze_source).encode(), digest_size=8).hexdigest()


def _json_list(items: list) -> str:
    return json.dumps(items, ensure_ascii=False) if items else "[]"


def _content(incoming: _Incoming, sibling_keys: dict[str, str | None] | None = None) -> dict:
    """The stored columns that come from the deck file. `sibling_keys` remembers the key of
    each cloze paragraph, which all of its cards share."""
    card = incoming.card
    if card.cloze_source is None:
        sibling = None
    elif sibling_keys is None:
        sibling = sibling_key(card)
    else:
        sibling = sibling_keys.get(card.cloze_source)
        if sibling is None:
            sibling = sibling_keys[card.cloze_source] = sibling_key(card)
    return {
        "explicit_id": card.explicit_id,
        "fingerprint": incoming.fingerprint,
        "deck_id": incoming.deck_id,
        "kind": card.kind.value,
        "front": card.front,
        "back": card.back,
        "choices": _json_list([[c.text, c.correct] for c in card.choices]),
        "answers": _json_list([list(a) for a in card.answers]),
        "cloze_source": card.cloze_source,
        "cloze_group": card.cloze_group,
        "sibling_key": sibling,
        "topic": TOPIC_SEPARATOR.join(card.topic),
        "tags": " ".join(card.tags),
        "source_line": card.line,
        "position": incoming.position,
    }


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0 to 1 (0 as soon as they are clearly not alike)."""
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
        return 0.0
    return matcher.ratio()


def _fuzzy_score(new: tuple[str, str], old: tuple[str, str]) -> float:
    """How surely a stored card is an edit of a parsed one (0 when it is not)."""
    front = similarity(new[0], old[0])
    if front >= 0.999:
        return 2.0  # the same question with a fixed answer
    if front >= 0.85:
        return 1.0 + front / 2  # a fixed question (and maybe answer)
    if front >= 0.6 and similarity(new[1], old[1]) >= 0.9:
        return front  # a reworded question with the same answer
    return 0.0


def _settle_keys(decks: list[ParsedDeck], known: set[str]) -> list[str]:
    """Each deck's key (flashcards.deck.identity); a file named on its own takes the known key
    whose place ends its path, so that importing it alone updates the deck it already is."""
    keys = []
    for deck in decks:
        place = deck.place
        if place is None:
            place, taken = place_of(deck.file or deck.path, known)
            if taken is not None and deck.explicit_id is None:
                keys.append(taken)
                continue
        keys.append(deck_key(place, deck.explicit_id, deck.builtin))
    return keys


def _same_keys(decks: list[ParsedDeck], keys: list[str]) -> list[DeckError]:
    """Two files of one import that would be one deck."""
    first: dict[str, str] = {}
    errors = []
    for deck, key in zip(decks, keys, strict=True):
        seen = first.setdefault(key, deck.path)
        if seen != deck.path:
            what = f"id '{deck.explicit_id}'" if deck.explicit_id else f"place '{key}'"
            errors.append(
                DeckError(
                    deck.path,
                    0,
                    f"same deck {what} as {seen}: give one of them another `id:` in its front "
                    "matter, or import the folder that holds both",
                )
            )
    return errors


def _other_decks(
    others: dict[int, tuple[ParsedDeck, str, str]],
    matches: list[tuple[_Incoming, _Stored, bool]],
    stored: list[_Stored],
) -> list[DeckError]:
    """Decks last imported from another file that is still on this machine (`others`: deck id
    -> the deck now, its key, that file) which keep none of their cards: two different decks
    at one place (two folders imported apart, each with its `basics.md`), not two copies of one
    folder (two checkouts, one behind the other). Merging them would retire one's cards."""
    kept = {s.deck_id for _incoming, s, _fuzzy in matches}
    had = {s.deck_id for s in stored if not s.retired}
    return [
        DeckError(
            deck.path,
            0,
            f"the deck '{key}' was imported from {file}, a different file that is still there:"
            " to keep both, give one an `id:` in its front matter (or import the folder that"
            " holds both); if that file is an older copy of this one, update or remove it",
        )
        for deck_id, (deck, key, file) in others.items()
        if deck_id in had and deck_id not in kept
    ]


def _takeover(deck: ParsedDeck, key: str, free: list[Row[Any]]) -> Row[Any] | None:
    """A stored deck whose key this deck takes over: the one last imported from this very file
    (its `id:` was added, changed or removed, or the folder imported changed), else a deck
    from before schema 9 whose absolute path ends with this deck's place."""
    file = deck.file or deck.path
    for row in free:
        if row.file == file:
            return row
    place = deck.place or place_of(file, ())[0]
    builtin = key.startswith(BUILTIN_PREFIX)
    legacy = [
        row
        for row in free
        if is_legacy(row.key) and bool(row.builtin) == builtin and trailing_match(row.key, place)
    ]

    def shared(row: Row[Any]) -> int:  # trailing parts in common with this file's path
        count = 0
        for a, b in zip(reversed(Path(row.key).parts), reversed(Path(file).parts), strict=False):
            if a != b:
                break
            count += 1
        return count

    legacy.sort(key=shared, reverse=True)
    if len(legacy) > 1 and shared(legacy[0]) == shared(legacy[1]):
        return None  # two equally likely: take neither (the cards still move with history)
    return legacy[0] if legacy else None


def _upsert_decks(
    conn: Connection, decks: list[ParsedDeck], builtin: bool, report: ImportReport
) -> tuple[list[int], dict[int, tuple[ParsedDeck, str, str]]]:
    """Each deck's row id, in order: found by key, or taken over, or new. And the decks found
    by key that were last imported from another file still on this machine (see
    `_other_decks`)."""
    rows = list(conn.execute(select(deck_table)))
    by_key = {row.key: row for row in rows}
    keys = _settle_keys(decks, set(by_key))
    errors = _same_keys(decks, keys)
    if errors:
        raise ImportConflict(errors)
    free = [row for row in rows if row.key not in set(keys)]
    ids: list[int] = []
    others: dict[int, tuple[ParsedDeck, str, str]] = {}
    for deck, key in zip(decks, keys, strict=True):
        file = deck.file or deck.path
        values = {
            "key": key,
            "file": file,
            "name": deck.title,
            "digest": deck.digest,
            "description": deck.description,
            "tags": " ".join(deck.tags),
            "settings": json.dumps(deck.settings, sort_keys=True),
            "builtin": builtin or key.startswith(BUILTIN_PREFIX),
        }
        row = by_key.get(key)
        if row is None:
            row = _takeover(deck, key, free)
            if row is not None:
                free.remove(row)
                report.renamed[row.key] = key
        elif row.file not in ("", file) and not row.builtin and Path(row.file).is_file():
            others[row.id] = (deck, key, row.file)
        if row is None:
            ids.append(inserted_id(conn.execute(insert(deck_table).values(**values))))
            continue
        ids.append(row.id)
        if any(getattr(row, name) != value for name, value in values.items()):
            conn.execute(update(deck_table).where(deck_table.c.id == row.id).values(**values))
    return ids, others


def unchanged_import(
    collection: Collection, files: list[DeckFile]
) -> tuple[ImportReport, dict[int, str]] | None:
    """If every deck file was imported as it is now, the report of importing it again, without
    parsing anything, and the decks last imported from another place (another machine's copy
    of the folder): deck id -> this machine's file, to write with `relocate_decks`. Else None.
    A file is found by the digest of its bytes (equal bytes: the same `id:`, if any), and must
    be at its key's place."""
    digests = [f.digest for f in files]  # each one hashes the file again
    if not files or len(set(digests)) < len(digests):
        return None  # copies of one file are duplicates: the full import says so
    with collection.read() as conn:
        rows = conn.execute(
            select(deck_table.c.id, deck_table.c.key, deck_table.c.digest, deck_table.c.file)
        ).all()
        by_digest = {row.digest: row for row in rows if row.digest}
        known = {row.key for row in rows}
        moved: dict[int, str] = {}
        for file, digest in zip(files, digests, strict=True):
            row = by_digest.get(digest)
            if row is None or not _holds(row.key, file, known):
                return None
            if row.file != str(file.path):
                moved[row.id] = str(file.path)
        ids = [by_digest[digest].id for digest in digests]
        unchanged = conn.execute(
            select(func.count()).where(
                card_table.c.deck_id.in_(ids), card_table.c.retired.is_(False)
            )
        ).scalar_one()
    return ImportReport(unchanged=unchanged, decks=len(files)), moved


def relocate_decks(conn: Connection, moved: dict[int, str]) -> None:
    """Write where this machine holds each deck's file (deck id -> file); nothing else."""
    if moved:
        conn.execute(
            update(deck_table)
            .where(deck_table.c.id == bindparam("deck_id"))
            .values(file=bindparam("file")),
            [{"deck_id": deck_id, "file": file} for deck_id, file in moved.items()],
        )


def _holds(key: str, file: DeckFile, known: set[str]) -> bool:
    """Whether a deck stored under `key` is the one this file (with the same bytes) makes."""
    if key.startswith(BUILTIN_PREFIX) != file.builtin:
        return False
    if key.removeprefix(BUILTIN_PREFIX).startswith(EXPLICIT_PREFIX):
        return True  # the same bytes hold the same `id:`
    if file.place is not None:
        return key == deck_key(file.place, None, file.builtin)
    place, taken = place_of(str(file.path), known)
    return key == (taken or deck_key(place, None, file.builtin))


def import_decks(
    collection: Collection,
    decks: list[ParsedDeck],
    now: datetime,
    *,
    builtin: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Write the decks into the collection atomically and report what changed."""
    with collection.write() as conn:
        return import_decks_in(conn, decks, now, builtin=builtin, progress=progress)


def import_decks_in(
    conn: Connection,
    decks: list[ParsedDeck],
    now: datetime,
    *,
    builtin: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Like `import_decks`, inside the caller's transaction (rounds are written in it too)."""
    return _import(conn, decks, now, builtin, progress or (lambda _stage: None))


def _import(
    conn: Connection,
    decks: list[ParsedDeck],
    now: datetime,
    builtin: bool,
    progress: Callable[[str], None],
) -> ImportReport:
    report = ImportReport(decks=len(decks))
    deck_ids, others = _upsert_decks(conn, decks, builtin, report)
    if report.renamed:
        rename_deck_keys(conn, report.renamed)
    imported_deck_ids = set(deck_ids)
    deck_files = {
        row.id: row.file for row in conn.execute(select(deck_table.c.id, deck_table.c.file))
    }

    progress("matching cards")
    stored: list[_Stored] = [
        _Stored(*row)
        for row in conn.execute(
            select(
                card_table.c.id,
                card_table.c.explicit_id,
                card_table.c.fingerprint,
                card_table.c.deck_id,
                card_table.c.kind,
                card_table.c.retired,
                card_table.c.topic,
                card_table.c.tags,
                card_table.c.source_line,
                card_table.c.position,
            )
        )
    ]
    by_explicit = {s.explicit_id: s for s in stored if s.explicit_id is not None}
    by_fingerprint: dict[str, list[_Stored]] = {}
    for s in stored:
        by_fingerprint.setdefault(s.fingerprint, []).append(s)

    parsed: list[_Incoming] = []
    for deck, deck_id in zip(decks, deck_ids, strict=True):
        parsed.extend(
            _Incoming(card, deck_id, position, card.fingerprint, deck.path)
            for position, card in enumerate(deck.cards)
        )

    matches: list[tuple[_Incoming, _Stored, bool]] = []  # (parsed, stored, fuzzy)
    pending: list[_Incoming] = []
    for incoming in parsed:  # explicit ids first: they name a card whatever its text
        explicit_id = incoming.card.explicit_id
        found = by_explicit.get(explicit_id) if explicit_id else None
        if found is None:
            pending.append(incoming)
            continue
        found.taken = True
        matches.append((incoming, found, False))
    unmatched: list[_Incoming] = []
    for incoming in pending:
        candidates = [s for s in by_fingerprint.get(incoming.fingerprint, ()) if not s.taken]
        if not candidates:
            unmatched.append(incoming)
            continue
        deck_id = incoming.deck_id
        found = min(candidates, key=lambda s: (s.deck_id != deck_id, s.retired))
        found.taken = True
        matches.append((incoming, found, False))

    if others:
        errors = _other_decks(others, matches, stored)
        if errors:
            raise ImportConflict(errors)
    _refuse_copies(
        matches, imported_deck_ids, deck_files, {d.file or d.path: d.path for d in decks}
    )
    if unmatched:
        matches.extend(_fuzzy_matches(conn, unmatched, stored, imported_deck_ids, deck_files))
        matched_cards = {id(m[0]) for m in matches}
        unmatched = [u for u in unmatched if id(u) not in matched_cards]

    progress("writing")
    _write_matches(conn, matches, now, report)
    retire = [
        s.id for s in stored if not s.taken and not s.retired and s.deck_id in imported_deck_ids
    ]
    if retire:
        conn.execute(
            update(card_table)
            .where(card_table.c.id == bindparam("card_id"))
            .values(retired=True, modified_at=now),
            [{"card_id": card_id} for card_id in retire],
        )
        report.retired = len(retire)
    if unmatched:
        _insert_new(conn, unmatched, now)
        report.added = len(unmatched)
    _drop_empty_decks(conn)
    return report


def _insert_new(conn: Connection, unmatched: list[_Incoming], now: datetime) -> None:
    """Insert new cards in one executemany. Thousands of rows go straight to the driver with
    the values already in storage form (the UTC instant as epoch milliseconds, the same
    conversion `UTCDateTime` makes): SQLAlchemy's per-row parameter processing would otherwise
    cost as much as SQLite's own work."""
    fresh = {
        "due": now,
        "created_at": now,
        "modified_at": now,
        "state": 0,
        "step": None,
        "reps": 0,
        "lapses": 0,
        "retired": False,
        "suspended": False,
        "leech": False,
    }
    sibling_keys: dict[str, str | None] = {}
    rows = []
    for incoming in unmatched:
        row = _content(incoming, sibling_keys)
        row.update(fresh, uid=secrets.token_hex(8))
        rows.append(row)
    if conn.dialect.name != "sqlite":  # other drivers take other parameter styles
        conn.execute(insert(card_table), rows)
        return
    instant = to_millis(now)
    # Scalar column defaults that SQLAlchemy would have filled in (none today; a later column).
    defaults = {
        column.name: column.default.arg
        for column in card_table.columns
        if column.name not in rows[0]
        and isinstance(column.default, ColumnDefault)
        and column.default.is_scalar
    }
    for row in rows:
        row.update(defaults, due=instant, created_at=instant, modified_at=instant)
    columns = list(rows[0])
    conn.exec_driver_sql(
        f"INSERT INTO {card_table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        [tuple(row.values()) for row in rows],
    )


def _refuse_copies(
    matches: list[tuple[_Incoming, _Stored, bool]],
    imported_deck_ids: set[int],
    deck_files: dict[int, str],
    shown: dict[str, str],
) -> None:
    """A card found in a deck that is not being imported has moved here, unless that deck's
    file still holds it: then it is a copy, which would share one history between two cards."""
    elsewhere = [m for m in matches if m[1].deck_id not in imported_deck_ids and not m[1].retired]
    importing = set(shown)
    files = {
        deck_files[m[1].deck_id]
        for m in elsewhere
        if deck_files[m[1].deck_id] not in importing and Path(deck_files[m[1].deck_id]).is_file()
    }
    if not files:
        return
    from ..deck.loader import load_paths

    still_there: dict[str, tuple[str, int]] = {}
    for deck in load_paths(sorted(files)).decks:
        for card in deck.cards:
            location = (deck.path, card.line)
            still_there[card.fingerprint] = location
            if card.explicit_id:
                still_there["id:" + card.explicit_id] = location
    errors = []
    for incoming, _stored, _fuzzy in elsewhere:
        card, deck_id = incoming.card, incoming.deck_id
        key = "id:" + card.explicit_id if card.explicit_id else incoming.fingerprint
        if key in still_there:
            path, line = still_there[key]
            here = shown.get(deck_files[deck_id], deck_files[deck_id])
            what = f"id '{card.explicit_id}'" if card.explicit_id else "card"
            errors.append(DeckError(here, card.line, f"duplicate {what} (also at {path}:{line})"))
    if errors:
        raise ImportConflict(errors)


def _fuzzy_matches(
    conn: Connection,
    unmatched: list[_Incoming],
    stored: list[_Stored],
    imported_deck_ids: set[int],
    deck_files: dict[int, str],
) -> list[tuple[_Incoming, _Stored, bool]]:
    """Pair edited cards with their stored versions, best pairs first."""
    missing_files = {deck_id for deck_id, file in deck_files.items() if not Path(file).exists()}
    candidates = [
        s
        for s in stored
        if not s.taken
        and (s.retired or s.deck_id in imported_deck_ids or s.deck_id in missing_files)
    ]
    if not candidates:
        return []
    texts = _match_texts(conn, [s.id for s in candidates])
    same_deck_only = len(candidates) * len(unmatched) > _FUZZY_BUDGET
    scored: list[tuple[float, int, int]] = []
    for u_index, incoming in enumerate(unmatched):
        card, deck_id = incoming.card, incoming.deck_id
        new = (card.match_front, card.match_back)
        for c_index, s in enumerate(candidates):
            if s.kind != card.kind.value or (same_deck_only and s.deck_id != deck_id):
                continue
            score = _fuzzy_score(new, texts[s.id])
            if score > 0:
                scored.append((score, u_index, c_index))
    scored.sort(key=lambda t: -t[0])
    used_new: set[int] = set()
    result = []
    for _score, u_index, c_index in scored:
        s = candidates[c_index]
        if u_index in used_new or s.taken:
            continue
        used_new.add(u_index)
        s.taken = True
        result.append((unmatched[u_index], s, True))
    return result


def _match_texts(conn: Connection, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Rebuild (match_front, match_back) of stored cards, as ParsedCard computes them."""
    from ..deck.model import CardKind, Choice

    texts: dict[int, tuple[str, str]] = {}
    columns = (
        card_table.c.id,
        card_table.c.kind,
        card_table.c.front,
        card_table.c.back,
        card_table.c.choices,
        card_table.c.cloze_source,
        card_table.c.cloze_group,
    )
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in conn.execute(select(*columns).where(card_table.c.id.in_(chunk))):
            card = ParsedCard(
                kind=CardKind(row.kind),
                front=row.front,
                back=row.back,
                line=0,
                choices=tuple(Choice(t, bool(c)) for t, c in json.loads(row.choices)),
                cloze_source=row.cloze_source,
                cloze_group=row.cloze_group,
            )
            texts[row.id] = (card.match_front, card.match_back)
    return texts


def _write_matches(
    conn: Connection,
    matches: list[tuple[_Incoming, _Stored, bool]],
    now: datetime,
    report: ImportReport,
) -> None:
    full_updates: list[dict] = []
    place_updates: list[dict] = []
    for incoming, s, fuzzy in matches:
        card, deck_id, position = incoming.card, incoming.deck_id, incoming.position
        content_same = s.fingerprint == incoming.fingerprint
        moved = s.deck_id != deck_id
        meta_same = (
            s.explicit_id == card.explicit_id
            and s.topic == TOPIC_SEPARATOR.join(card.topic)
            and s.tags == " ".join(card.tags)
        )
        if fuzzy or moved or s.retired:
            report.relinked += 1
            reason = "returned" if s.retired else "moved" if moved else "edited"
            front = " ".join(card.front.split())
            front = front if len(front) <= 60 else front[:59] + "…"
            report.relinked_cards.append(Relinked(incoming.shown, card.line, front, reason))
        elif content_same and meta_same:
            report.unchanged += 1
            if s.source_line != card.line or s.position != position:
                place_updates.append(
                    {"card_id": s.id, "source_line": card.line, "position": position}
                )
            continue
        else:
            report.updated += 1
        row = _content(incoming)
        row.update(card_id=s.id, retired=False, modified_at=now)
        full_updates.append(row)
    if place_updates:
        conn.execute(
            update(card_table)
            .where(card_table.c.id == bindparam("card_id"))
            .values(source_line=bindparam("source_line"), position=bindparam("position")),
            place_updates,
        )
    if full_updates:
        # Clear explicit ids first so that ids swapped between cards never collide mid-update.
        conn.execute(
            update(card_table)
            .where(card_table.c.id == bindparam("card_id"))
            .values(explicit_id=None),
            [{"card_id": row["card_id"]} for row in full_updates],
        )
        columns = [key for key in full_updates[0] if key != "card_id"]
        conn.execute(
            update(card_table)
            .where(card_table.c.id == bindparam("card_id"))
            .values({key: bindparam(key) for key in columns}),
            full_updates,
        )


def _drop_empty_decks(conn: Connection) -> None:
    """A deck whose cards have all moved elsewhere (a renamed file) has nothing left to keep."""
    used = select(card_table.c.deck_id).distinct()
    conn.execute(deck_table.delete().where(deck_table.c.id.not_in(used)))
