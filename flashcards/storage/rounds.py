"""Mock design rounds in the collection: the rounds as imported, and every attempt at them.

A round's rubric items keep a lasting uid across imports (an explicit id; else the same text in
the same step; else a small rewording of an item that would otherwise be dropped), so attempts
made before an edit still line up with the items after it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from ..deck.identity import trailing_match
from ..rounds.model import ParsedRound, RubricItem, Step, round_from_json, round_to_json
from ..rounds.run import Question, RoundRun, StepProgress
from .importer import similarity
from .inserted import inserted_id
from .tables import cards as cards_t
from .tables import round_attempts as attempts_t
from .tables import rounds as rounds_t

__all__ = [
    "AttemptRecord",
    "RoundReport",
    "RoundSummary",
    "attempts_of",
    "card_ids_by_name",
    "finish_attempt",
    "import_rounds",
    "known_card_names",
    "load_attempt",
    "load_round",
    "recent_attempts",
    "round_sources",
    "rounds_unchanged",
    "round_summaries",
    "save_attempt",
    "unfinished_attempts",
]


# An item whose text changed at least this little is the same item (a typo, a word).
_REWORDING = 0.8


@dataclass(slots=True)
class RoundReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _with_uids(parsed: ParsedRound, previous: ParsedRound | None) -> ParsedRound:
    """The round with every item's lasting uid, matched against its previous version."""
    old_items = previous.items if previous is not None else []
    by_uid = {item.uid: (step.name.casefold(), item) for step, item in old_items}
    taken: set[str] = set()
    steps: list[Step] = []
    pending: list[tuple[int, int, RubricItem]] = []
    for s_index, step in enumerate(parsed.steps):
        items = list(step.items)
        for i_index, item in enumerate(items):
            uid = item.explicit_id or item.fingerprint(parsed.key, step.name)
            if item.explicit_id or uid in by_uid:
                taken.add(uid)
                items[i_index] = replace(item, uid=uid)
            else:
                pending.append((s_index, i_index, item))
        steps.append(replace(step, items=tuple(items)))
    for s_index, i_index, item in pending:
        step_name = parsed.steps[s_index].name.casefold()
        best, best_score = None, _REWORDING
        for uid, (old_step, old_item) in by_uid.items():
            if uid in taken or old_step != step_name or old_item.explicit_id:
                continue
            score = similarity(item.plain.casefold(), old_item.plain.casefold())
            if score >= best_score:
                best, best_score = uid, score
        uid = best or item.fingerprint(parsed.key, parsed.steps[s_index].name)
        taken.add(uid)
        step = steps[s_index]
        items = list(step.items)
        items[i_index] = replace(item, uid=uid)
        steps[s_index] = replace(step, items=tuple(items))
    return replace(parsed, steps=steps, errors=[])


def import_rounds(
    conn: Connection, rounds: list[ParsedRound], now: datetime, *, builtin: bool = False
) -> RoundReport:
    """Add or update the rounds (inside the caller's transaction)."""
    report = RoundReport()
    stored = {row.key: row for row in conn.execute(select(rounds_t))}
    for parsed in rounds:
        row = stored.get(parsed.key)
        if row is not None and row.digest == parsed.digest and row.file == parsed.file:
            report.unchanged += 1
            continue
        previous = round_from_json(row.content) if row is not None else None
        content = round_to_json(_with_uids(parsed, previous))
        values = {
            "title": parsed.title,
            "description": parsed.description,
            "file": parsed.file,
            "digest": parsed.digest,
            "content": content,
            "modified_at": now,
        }
        if row is None:
            conn.execute(insert(rounds_t).values(key=parsed.key, builtin=builtin, **values))
            report.added += 1
        elif row.content == content and row.title == parsed.title:
            conn.execute(update(rounds_t).where(rounds_t.c.id == row.id).values(**values))
            report.unchanged += 1
        else:
            conn.execute(update(rounds_t).where(rounds_t.c.id == row.id).values(**values))
            report.updated += 1
    return report


def round_sources(conn: Connection) -> dict[str, str]:
    """Each stored round's key and the file it was last imported from."""
    return {row.key: row.file for row in conn.execute(select(rounds_t.c.key, rounds_t.c.file))}


def rounds_unchanged(conn: Connection, files: dict[str, tuple[str, str | None]]) -> bool:
    """Whether every round file (resolved path -> digest of its bytes, and its place: its path
    in the folder imported) is stored exactly as it is now: then there is nothing to parse or
    write (the built-in rounds at each start). A round last imported from the same place in
    another copy of the folder (another machine, another install) with the same bytes counts:
    its stored file, only shown, stays the one it was imported from."""
    stored = conn.execute(select(rounds_t.c.file, rounds_t.c.digest)).all()
    exact = {(file, digest) for file, digest in stored}
    by_digest: dict[str, list[str]] = {}
    for file, digest in stored:
        by_digest.setdefault(digest, []).append(file)
    for path, (digest, place) in files.items():
        if (path, digest) in exact:
            continue
        if place is None or not any(trailing_match(f, place) for f in by_digest.get(digest, ())):
            return False
    return True


def known_card_names(conn: Connection) -> set[str]:
    """Every explicit card id in the collection (a cloze paragraph's own id too)."""
    names: set[str] = set()
    for (name,) in conn.execute(
        select(cards_t.c.explicit_id).where(cards_t.c.explicit_id.is_not(None))
    ):
        names.add(name)
        names.add(name.split("#", 1)[0])
    return names


def card_ids_by_name(conn: Connection, names: list[str]) -> list[int]:
    """The collection's cards that these explicit ids name (a cloze paragraph's id names all
    of its cards), in use, each once, in the order named."""
    if not names:
        return []
    wanted = set(names)
    found: dict[str, list[int]] = {}
    statement = select(cards_t.c.id, cards_t.c.explicit_id).where(
        cards_t.c.explicit_id.is_not(None),
        cards_t.c.retired.is_(False),
        cards_t.c.suspended.is_(False),
    )
    for card_id, explicit_id in conn.execute(statement):
        base = explicit_id.split("#", 1)[0]
        for name in (explicit_id, base):
            if name in wanted:
                found.setdefault(name, []).append(card_id)
                break
    return list(dict.fromkeys(card_id for name in names for card_id in found.get(name, [])))


@dataclass(frozen=True, slots=True)
class RoundSummary:
    id: int
    key: str
    title: str
    description: str
    round: ParsedRound
    attempts: int
    best: float | None
    last_score: float | None
    last_at: datetime | None


def round_summaries(conn: Connection) -> list[RoundSummary]:
    """Every round with its finished attempts' count, best and last score: the never-tried
    first, then the weakest last score."""
    finished: dict[int, list[tuple[datetime, float]]] = {}
    statement = select(attempts_t.c.round_id, attempts_t.c.finished_at, attempts_t.c.score).where(
        attempts_t.c.finished_at.is_not(None)
    )
    for round_id, finished_at, score in conn.execute(statement):
        finished.setdefault(round_id, []).append((finished_at, score or 0.0))
    summaries = []
    for row in conn.execute(select(rounds_t).order_by(rounds_t.c.title)):
        done = sorted(finished.get(row.id, []), key=lambda pair: pair[0])
        summaries.append(
            RoundSummary(
                id=row.id,
                key=row.key,
                title=row.title,
                description=row.description,
                round=round_from_json(row.content, row.file),
                attempts=len(done),
                best=max((score for _, score in done), default=None),
                last_score=done[-1][1] if done else None,
                last_at=done[-1][0] if done else None,
            )
        )
    summaries.sort(
        key=lambda s: (s.attempts > 0, s.last_score if s.last_score is not None else 0.0)
    )
    return summaries


def load_round(conn: Connection, round_id: int) -> ParsedRound:
    row = conn.execute(select(rounds_t).where(rounds_t.c.id == round_id)).one()
    return round_from_json(row.content, row.file)


def _steps_json(run: RoundRun) -> str:
    return json.dumps(
        [
            {
                "name": s.name,
                "budget_seconds": s.budget_seconds,
                "seconds": round(s.seconds, 1),
                "notes": s.notes,
            }
            for s in run.steps
        ],
        ensure_ascii=False,
    )


def _questions_json(run: RoundRun) -> str:
    return json.dumps(
        [
            {
                "asked_at": q.asked_at.isoformat(),
                "step": q.step,
                "text": q.text,
                "facts": list(q.facts),
            }
            for q in run.questions
        ],
        ensure_ascii=False,
    )


def save_attempt(conn: Connection, run: RoundRun, round_id: int) -> int:
    """Write the attempt's progress so far (creating its row the first time); returns its id."""
    run.settle()
    values = {
        "saved_at": run.now(),
        "current_step": run.current,
        "steps": _steps_json(run),
        "questions": _questions_json(run),
    }
    if run.attempt_id is None:
        inserted = conn.execute(
            insert(attempts_t).values(
                round_id=round_id,
                started_at=run.started_at or run.now(),
                content=round_to_json(run.round),
                **values,
            )
        )
        run.attempt_id = inserted_id(inserted)
    else:
        conn.execute(update(attempts_t).where(attempts_t.c.id == run.attempt_id).values(**values))
    return run.attempt_id


def finish_attempt(
    conn: Connection,
    run: RoundRun,
    round_id: int,
    marks: dict[str, tuple[bool, bool]],
    score: float,
    transcript: str,
) -> None:
    """Keep the finished attempt with its marks (item uid -> (suggested, covered))."""
    run.stop()
    save_attempt(conn, run, round_id)
    finished_at = conn.execute(
        select(attempts_t.c.finished_at).where(attempts_t.c.id == run.attempt_id)
    ).scalar()
    conn.execute(
        update(attempts_t)
        .where(attempts_t.c.id == run.attempt_id)
        .values(
            finished_at=finished_at or run.now(),
            marks=json.dumps({uid: list(pair) for uid, pair in marks.items()}),
            score=score,
            transcript=transcript,
        )
    )


def _run_from_row(row, now: Callable[[], datetime]) -> RoundRun:
    parsed = round_from_json(row.content)
    steps = [StepProgress(**step) for step in json.loads(row.steps)]
    questions = [
        Question(datetime.fromisoformat(q["asked_at"]), q["step"], q["text"], tuple(q["facts"]))
        for q in json.loads(row.questions)
    ]
    return RoundRun(
        parsed,
        now,
        steps,
        questions,
        current=row.current_step,
        attempt_id=row.id,
        started_at=row.started_at,
    )


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """A finished (or, for resuming, an unfinished) attempt as stored."""

    id: int
    round_id: int
    title: str
    started_at: datetime
    saved_at: datetime
    finished_at: datetime | None
    score: float | None
    run: RoundRun
    marks: dict[str, tuple[bool, bool]]
    transcript: str


def _record(row, title: str, now: Callable[[], datetime]) -> AttemptRecord:
    return AttemptRecord(
        id=row.id,
        round_id=row.round_id,
        title=title,
        started_at=row.started_at,
        saved_at=row.saved_at,
        finished_at=row.finished_at,
        score=row.score,
        run=_run_from_row(row, now),
        marks={uid: (bool(a), bool(b)) for uid, (a, b) in json.loads(row.marks).items()},
        transcript=row.transcript,
    )


def _attempts(conn: Connection, where, now, limit: int | None = None) -> list[AttemptRecord]:
    statement = (
        select(attempts_t, rounds_t.c.title.label("round_title"))
        .join(rounds_t, rounds_t.c.id == attempts_t.c.round_id)
        .where(where)
        .order_by(attempts_t.c.started_at.desc(), attempts_t.c.id.desc())
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [_record(row, row.round_title, now) for row in conn.execute(statement)]


def load_attempt(conn: Connection, attempt_id: int, now: Callable[[], datetime]) -> AttemptRecord:
    return _attempts(conn, attempts_t.c.id == attempt_id, now)[0]


def unfinished_attempts(conn: Connection, now: Callable[[], datetime]) -> list[AttemptRecord]:
    """Attempts interrupted before their results, newest first."""
    return _attempts(conn, attempts_t.c.finished_at.is_(None), now)


def attempts_of(
    conn: Connection, round_id: int, now: Callable[[], datetime]
) -> list[AttemptRecord]:
    """A round's finished attempts, newest first."""
    return _attempts(
        conn,
        (attempts_t.c.round_id == round_id) & attempts_t.c.finished_at.is_not(None),
        now,
    )


def recent_attempts(
    conn: Connection, now: Callable[[], datetime], limit: int | None = None
) -> list[AttemptRecord]:
    """Finished attempts at any round, newest first."""
    return _attempts(conn, attempts_t.c.finished_at.is_not(None), now, limit)
