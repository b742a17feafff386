"""Review histories for FSRS: read from the collection or from a CSV review log, then grouped
per card with the study day of every review.

The CSV format is the one of the FSRS optimizer tools: `card_id`, `review_time` (epoch
milliseconds, or ISO 8601; without an offset it is taken as UTC), `review_rating` (1 Again ..
4 Easy), `review_duration` (milliseconds) and an optional `review_state` (0 new, 1 learning,
2 review, 3 relearning, 4 manual). Manual entries (state 4, or rating 0 as Anki writes them
for rescheduling) are not reviews and are skipped.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy import select

from ..review_rules import CardState
from ..scheduling.days import study_day
from ..storage.collection import Collection
from ..storage.tables import reviews

__all__ = [
    "CardHistory",
    "DatedReview",
    "Review",
    "RevlogError",
    "card_histories",
    "collection_reviews",
    "read_revlog_csv",
    "write_revlog_csv",
]

NEW_STATE = 0
MANUAL_STATE = CardState.MANUAL  # the FSRS tools' review_state for a manual change: ours too
REQUIRED_COLUMNS = ("card_id", "review_time", "review_rating")
WRITTEN_COLUMNS = ("card_id", "review_time", "review_rating", "review_state", "review_duration")


class RevlogError(Exception):
    """The review log cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Review:
    """One answer: which card, when (UTC), the rating, and the card's state before it."""

    card_id: int | str
    reviewed_at: datetime
    rating: int
    duration_ms: int | None = None
    state_before: int | None = None  # None when the log does not say


@dataclass(frozen=True, slots=True)
class DatedReview:
    reviewed_at: datetime
    day: int  # the study day (its date's ordinal): FSRS counts days between these
    rating: int
    duration_ms: int | None


@dataclass(frozen=True, slots=True)
class CardHistory:
    """A card's reviews from its first answer as a new card, oldest first."""

    card_id: int | str
    reviews: tuple[DatedReview, ...]


def collection_reviews(collection: Collection) -> list[Review]:
    """Every answer in the collection, oldest first."""
    table = reviews
    statement = (
        select(
            table.c.card_id,
            table.c.reviewed_at,
            table.c.rating,
            table.c.duration_ms,
            table.c.state_before,
        )
        # Manual rows (a reset, a reschedule) are not answers; a reset shows in the log as the
        # next answer being to a new card, where the card's history is split.
        .where(table.c.rating.between(1, 4), table.c.state_before != MANUAL_STATE)
        .order_by(table.c.reviewed_at, table.c.id)
    )
    with collection.read() as conn:
        return [
            Review(row.card_id, row.reviewed_at, row.rating, row.duration_ms, row.state_before)
            for row in conn.execute(statement)
        ]


def read_revlog_csv(path: str | Path) -> list[Review]:
    """Read a review log in the FSRS optimizer tools' CSV format. Raises RevlogError."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _read(csv.DictReader(handle), path)
    except OSError as exc:
        raise RevlogError(f"{path}: cannot read the review log: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RevlogError(f"{path}: not a CSV review log: {exc}") from exc


def write_revlog_csv(reviews: Iterable[Review], path: str | Path) -> int:
    """Write answers in the FSRS optimizer tools' CSV format (`review_time` in epoch
    milliseconds, `review_state` the card's state before the answer, empty when unknown),
    through a temporary file and a rename. Returns how many rows were written; raises
    OSError, having written nothing."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    count = 0
    try:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(WRITTEN_COLUMNS)
            for review in reviews:
                writer.writerow(
                    (
                        review.card_id,
                        int(review.reviewed_at.timestamp() * 1000),
                        review.rating,
                        "" if review.state_before is None else review.state_before,
                        "" if review.duration_ms is None else review.duration_ms,
                    )
                )
                count += 1
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return count


def _read(rows: csv.DictReader, path: Path) -> list[Review]:
    columns = rows.fieldnames or []
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise RevlogError(
            f"{path}:1: missing column{'s' * (len(missing) > 1)} {', '.join(missing)} "
            f"(expected {', '.join(REQUIRED_COLUMNS)}, review_duration, optional review_state)"
        )
    reviews: list[Review] = []
    for row in rows:
        line = rows.line_num
        try:
            review = _review(row)
        except ValueError as exc:
            raise RevlogError(f"{path}:{line}: {exc}") from exc
        if review is not None:
            reviews.append(review)
    return reviews


def _review(row: dict[str, str | None]) -> Review | None:
    card_id = (row.get("card_id") or "").strip()
    if not card_id:
        raise ValueError("card_id is empty")
    rating = _integer(row.get("review_rating"), "review_rating")
    state = row.get("review_state")
    state_before = None if state is None or not state.strip() else _integer(state, "review_state")
    if state_before is not None and not 0 <= state_before <= MANUAL_STATE:
        raise ValueError(f"review_state must be 0 to 4, not {state_before}")
    if not 0 <= rating <= 4:
        raise ValueError(f"review_rating must be 1 to 4, not {rating}")
    if rating == 0 or state_before == MANUAL_STATE:
        return None  # a manual reschedule, not an answer
    duration = row.get("review_duration")
    duration_ms = None if duration is None or not duration.strip() else _duration(duration)
    return Review(card_id, _instant(row.get("review_time")), rating, duration_ms, state_before)


def _integer(text: str | None, column: str) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise ValueError(f"{column} must be a whole number, not '{text}'") from None


def _duration(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"review_duration must be milliseconds, not '{text}'") from None
    return max(0, round(value))


def _instant(text: str | None) -> datetime:
    """Epoch milliseconds or ISO 8601; an ISO time without an offset is taken as UTC."""
    text = (text or "").strip()
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"review_time must be epoch milliseconds or ISO 8601, not '{text}'"
        ) from None
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def card_histories(
    reviews: Iterable[Review], zone: tzinfo, rollover_hour: int
) -> list[CardHistory]:
    """Group reviews per card, oldest first, each dated with its study day.

    When the log gives states, a card's history starts at an answer as a new card, and a card
    that was reset to new starts a second history; reviews before the card is first seen new
    are left out, since its memory cannot be rebuilt from part of its history. Without states,
    each card's first review in the log is taken as its first answer.
    """
    per_card: dict[int | str, list[Review]] = defaultdict(list)
    for review in reviews:
        per_card[review.card_id].append(review)
    histories: list[CardHistory] = []
    for card_id, own in per_card.items():
        own.sort(key=lambda review: review.reviewed_at)
        for episode in _episodes(own):
            dated = tuple(
                DatedReview(
                    review.reviewed_at,
                    study_day(review.reviewed_at, zone, rollover_hour).date.toordinal(),
                    review.rating,
                    review.duration_ms,
                )
                for review in episode
            )
            histories.append(CardHistory(card_id, dated))
    return histories


def _episodes(reviews: list[Review]) -> list[list[Review]]:
    """Split one card's reviews where it was answered as a new card."""
    if all(review.state_before is None for review in reviews):
        return [reviews]
    episodes: list[list[Review]] = []
    for review in reviews:
        if review.state_before == NEW_STATE:
            episodes.append([review])
        elif episodes:
            episodes[-1].append(review)
    return episodes
