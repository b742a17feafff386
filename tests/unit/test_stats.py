"""Statistics on a small, hand-checked history, answered through the real session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update

import flashcards.storage.prepared as prepared
from flashcards.stats.figures import (
    card_states,
    compile_statements,
    forecast,
    reviews_by_day,
    streaks,
    true_retention,
    weak_areas,
)
from flashcards.storage.cards import fetch_cards
from flashcards.storage.statistics import study_days
from flashcards.storage.tables import CardRow, ExamAnswerRow, ExamRow

from ..conftest import basic_deck
from .test_scheduling import ids_by_front, make_review_card

cards_t = CardRow.__table__

# Each test runs on SQLite and on PostgreSQL (tests/postgres.py).
pytestmark = pytest.mark.engines


def answer(workspace, front: str, rating: int, seconds: float = 10) -> None:
    """Answer one particular card now, whatever else is due, through the session's own path."""
    session = workspace.review_session()
    with workspace.collection.read() as conn:
        card_id = ids_by_front(workspace)[front]
        session.current = fetch_cards(conn, [card_id])[card_id]
    session._shown_at = workspace.clock.now()
    session.current_outcomes = session._outcomes(session.current, workspace.clock.now())
    workspace.clock.advance(seconds=seconds)
    assert session.answer(rating).saved


def test_answers_count_on_the_local_study_day(make_workspace, clock):
    # New York is UTC-5 in January; the rollover is at 04:00 local time.
    workspace = make_workspace({"d.md": basic_deck(3)}, zone="America/New_York")
    clock.instant = datetime(2026, 1, 6, 7, 30, tzinfo=UTC)  # 02:30 Tuesday local: Monday's day
    answer(workspace, "q question 0?", 4)
    clock.instant = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)  # 05:00 Tuesday local
    answer(workspace, "q question 1?", 4, seconds=30)
    answer(workspace, "q question 2?", 4, seconds=20)
    with workspace.collection.read() as conn:
        days = reviews_by_day(conn, workspace.today(), 3)
    assert [(d.date, d.learning, d.seconds) for d in days] == [
        (date(2026, 1, 4), 0, 0),
        (date(2026, 1, 5), 1, 10),
        (date(2026, 1, 6), 2, 50),
    ]


def test_true_retention_counts_the_first_review_of_a_card_each_day(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(3)})
    ids = ids_by_front(workspace)
    now = clock.now()
    make_review_card(workspace, ids["q question 0?"], now - timedelta(hours=1), 5)  # young
    make_review_card(workspace, ids["q question 1?"], now - timedelta(hours=1), 30)  # mature
    make_review_card(workspace, ids["q question 2?"], now - timedelta(hours=1), 4)  # young
    answer(workspace, "q question 0?", 1)  # young: fail (first of the day)
    answer(workspace, "q question 1?", 3)  # mature: pass
    answer(workspace, "q question 2?", 3)  # young: pass
    # Card 0 relearns (not a review answer), then is rescheduled to now as a review card (its
    # last answer stays today's) and passed: a second answer that day must not count.
    answer(workspace, "q question 0?", 3)
    with workspace.collection.write() as conn:
        conn.execute(
            update(cards_t)
            .where(cards_t.c.id == ids["q question 0?"])
            .values(state=2, step=None, due=clock.now() - timedelta(minutes=1))
        )
    answer(workspace, "q question 0?", 3)
    with workspace.collection.read() as conn:
        retention = true_retention(conn, workspace.today())
    day = retention["day"]
    assert (day.young.passed, day.young.total) == (1, 2)
    assert (day.mature.passed, day.mature.total) == (1, 1)
    assert day.all.rate == 2 / 3
    # Nothing falls out of the longer periods.
    assert retention["year"].all.total == 3
    # A week later the answers have left "day" but are still in "week".
    clock.advance(days=7)
    with workspace.collection.read() as conn:
        later = true_retention(conn, workspace.today())
    assert later["day"].all.total == 0 and later["month"].all.total == 3


def test_streaks():
    class Day:
        def __init__(self, ordinal):
            self.date = date.fromordinal(ordinal)

    studied = [10, 11, 12, 20, 21]
    assert streaks(studied, Day(21)) == (2, 3)
    assert streaks(studied, Day(22)) == (2, 3)  # today not studied yet: the streak still stands
    assert streaks(studied, Day(23)) == (0, 3)
    assert streaks([], Day(5)) == (0, 0)


def test_forecast_days_end_at_the_local_rollover_in_a_quarter_hour_zone(make_workspace, clock):
    # Kathmandu is UTC+05:45: the study day ends at 04:00 local, 22:15 UTC the day before.
    workspace = make_workspace({"d.md": basic_deck(3)}, zone="Asia/Kathmandu")
    ids = list(ids_by_front(workspace).values())
    day = workspace.today()
    assert (day.end.hour, day.end.minute) == (22, 15)
    last_moment = day.end - timedelta(milliseconds=1)
    make_review_card(workspace, ids[0], last_moment, 5)  # the last millisecond of today
    make_review_card(workspace, ids[1], day.end, 5)  # the first of tomorrow
    make_review_card(workspace, ids[2], day.end + timedelta(minutes=14, seconds=59), 5)
    with workspace.collection.read() as conn:
        due = forecast(conn, day, days=2)
    assert [d.due for d in due] == [1, 2]


def test_forecast_and_states(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(7)})
    ids = list(ids_by_front(workspace).values())
    now = clock.now()
    make_review_card(workspace, ids[0], now - timedelta(days=40), 5)  # long overdue: today
    make_review_card(workspace, ids[1], now + timedelta(hours=3), 5)  # later today
    make_review_card(workspace, ids[2], now + timedelta(days=1), 5)  # tomorrow
    make_review_card(workspace, ids[5], now - timedelta(days=1), 5)  # overdue, buried today
    with workspace.collection.write() as conn:
        conn.execute(
            update(cards_t).where(cards_t.c.id == ids[3]).values(suspended=True, leech=True)
        )
        conn.execute(update(cards_t).where(cards_t.c.id == ids[4]).values(leech=True))
        conn.execute(
            update(cards_t)
            .where(cards_t.c.id.in_([ids[5], ids[6]]))
            .values(buried_until=workspace.today().end)
        )
        conn.execute(  # buried on an earlier day: no longer counted as buried
            update(cards_t)
            .where(cards_t.c.id == ids[1])
            .values(buried_until=now - timedelta(days=1))
        )
    with workspace.collection.read() as conn:
        due = forecast(conn, workspace.today(), days=3)
        states = card_states(conn, now)
    assert [d.due for d in due] == [3, 1, 0]
    assert states.to_json() == {
        "new": 2,
        "learning": 0,
        "review": 4,
        "relearning": 0,
        "suspended": 1,
        "leech": 2,  # one suspended, one still studied
        "buried": 2,
    }


def test_weakest_decks_and_topics_come_first(make_workspace, clock):
    strong = "# Strong topic\n\nQ: s1?\nA: s\n\nQ: s2?\nA: s\n"
    weak = "# Weak topic\n\nQ: w1?\nA: w\n\n# Unseen topic\n\nQ: u1?\nA: u\n"
    workspace = make_workspace({"a.md": strong, "b.md": weak})
    ids = ids_by_front(workspace)
    now = clock.now()
    make_review_card(workspace, ids["s1?"], now + timedelta(days=50), 60)  # recalled well
    make_review_card(workspace, ids["s2?"], now + timedelta(days=50), 60)
    make_review_card(workspace, ids["w1?"], now - timedelta(days=40), 2)  # long forgotten
    with workspace.collection.read() as conn:
        areas = weak_areas(conn, now)
        weakest = weak_areas(conn, now, topics=1)
    decks, topics = areas.decks, areas.topics
    assert [d.deck for d in decks] == ["b", "a"]
    assert [t.topic for t in topics] == ["Weak topic", "Strong topic", "Unseen topic"]
    assert topics[0].retrievability < 0.7 < 0.95 < topics[1].retrievability
    assert topics[2].retrievability is None and topics[2].cards == 1
    assert areas.topic_count == weakest.topic_count == 3
    assert weakest.topics == topics[:1] and weakest.decks == decks


@pytest.mark.sqlite_only  # the statements compiled ahead are SQLite's fast path
def test_statements_compiled_ahead_are_not_compiled_when_first_read(
    make_workspace, clock, monkeypatch
):
    workspace = make_workspace({"a.md": "# T\n\nQ: q?\nA: a\n"})
    compile_statements(workspace.collection.engine.dialect)
    compiled = []
    real = prepared._Form.__init__

    def counted(self, statement, dialect, columns):
        compiled.append(statement)
        real(self, statement, dialect, columns)

    monkeypatch.setattr(prepared._Form, "__init__", counted)
    today, now = workspace.today(), clock.now()
    with workspace.collection.read() as conn:
        areas = weak_areas(conn, now, topics=40)
        due = forecast(conn, today)
        states = card_states(conn, now)
        days = reviews_by_day(conn, today, 30)
        retention = true_retention(conn, today)
        streak = streaks(study_days(conn), today)
    assert [t.topic for t in areas.topics] == ["T"]
    assert streak == (0, 0)
    assert len(due) == len(days) == 30 and states.new == 1
    assert retention["year"].all.total == 0
    assert compiled == []


def test_exam_scores_count_per_topic_and_per_deck(make_workspace, clock):
    deck_a = "# Known\n\nQ: k1?\nA: k\n\n# Examined\n\nQ: e1?\nA: e\n\nQ: e2?\nA: e\n"
    workspace = make_workspace({"a.md": deck_a, "b.md": "# Other\n\nQ: o1?\nA: o\n"})
    ids = ids_by_front(workspace)
    now = clock.now()
    make_review_card(workspace, ids["k1?"], now + timedelta(days=50), 60)  # recall near 1
    with workspace.collection.write() as conn:
        exam_id = conn.execute(
            insert(ExamRow.__table__).values(started_at=now)
        ).inserted_primary_key[0]
        for position, (front, credit) in enumerate([("e1?", 1.0), ("e2?", 0.0), ("e1?", 0.5)]):
            conn.execute(
                insert(ExamAnswerRow.__table__).values(
                    exam_id=exam_id, card_id=ids[front], position=position, credit=credit
                )
            )
    with workspace.collection.read() as conn:
        areas = weak_areas(conn, now)
    examined, known, other = areas.topics
    assert (examined.topic, examined.exam_score, examined.retrievability) == ("Examined", 0.5, None)
    assert (known.topic, known.exam_score) == ("Known", None) and known.retrievability > 0.95
    assert (other.topic, other.exam_score, other.retrievability) == ("Other", None, None)
    deck = next(d for d in areas.decks if d.deck == "a")
    assert (deck.cards, deck.reviewed, deck.exam_score) == (3, 1, 0.5)


@pytest.mark.slow
def test_stats_json_has_every_figure(tmp_path):
    deck = tmp_path / "d.md"
    deck.write_text(basic_deck(2))
    env = {**os.environ, "FLASHCARDS_NOW": "2026-01-05T08:00:00+00:00"}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "flashcards", *args], capture_output=True, text=True, env=env
        )

    assert run("import", str(deck)).returncode == 0
    result = run("stats", "--json", "--days", "90")
    figures = json.loads(result.stdout)
    for key in (
        "cards",
        "new",
        "learning",
        "review",
        "suspended",
        "due_today",
        "reviews_today",
        "streak_days",
        "exams",
    ):
        assert key in figures
    assert figures["cards"] == 2 and figures["new"] == 2
    assert len(figures["reviews_per_day"]) == 90
    assert set(figures["true_retention"]) == {"day", "week", "month", "year"}
    assert len(figures["forecast"]) == 30
    assert figures["decks"][0]["name"] == "Deck"
    text = run("stats")
    assert text.returncode == 0 and "True retention (desired 90%)" in text.stdout


def test_stats_text_says_one_day_not_one_days(make_workspace, clock):
    from flashcards.stats.summary import everything
    from flashcards.stats.text import render

    workspace = make_workspace({"d.md": basic_deck(2)})
    assert "Streak: 0 days (longest 0)" in render(everything(workspace))
    answer(workspace, "q question 0?", 3)
    assert "Streak: 1 day (longest 1)" in render(everything(workspace))


def test_a_card_without_a_positive_stability_is_not_counted_as_studied(make_workspace, clock):
    # SQLite gives NULL for x/0 and for a negative base raised to a fraction; PostgreSQL fails
    # the whole statement. A card stored with stability 0 or below (written by another tool)
    # counts as never studied, on both.
    workspace = make_workspace({"d.md": basic_deck(3)})
    ids = list(ids_by_front(workspace).values())
    now = clock.now()
    make_review_card(workspace, ids[0], now + timedelta(days=3), 10)
    with workspace.collection.write() as conn:
        for card_id, stability in ((ids[1], 0.0), (ids[2], -4.0)):
            conn.execute(
                update(cards_t)
                .where(cards_t.c.id == card_id)
                .values(state=2, stability=stability, last_review=now - timedelta(days=9))
            )
    with workspace.collection.read() as conn:
        (deck,) = weak_areas(conn, now).decks
    assert (deck.cards, deck.reviewed) == (3, 1)
    assert 0.9 < deck.retrievability <= 1


def test_the_figures_are_plain_numbers_for_json(make_workspace, clock):
    # PostgreSQL sums integers into `numeric`, which comes back as Decimal: json refuses it.
    from flashcards.stats.summary import everything

    workspace = make_workspace({"d.md": "# T\n\nQ: a?\nA: a\n\nQ: b?\nA: b\n"})
    answer(workspace, "a?", 3)
    answer(workspace, "b?", 1)
    figures = json.loads(json.dumps(everything(workspace).to_json()))
    (deck,) = figures["decks"]
    (topic,) = figures["topics"]
    assert (deck["cards"], deck["reviewed"], deck["lapses"]) == (2, 2, 0)
    assert topic["name"] == "d › T" and figures["topic_count"] == 1
    assert figures["card_states"] == {
        "new": 0, "learning": 2, "review": 0, "relearning": 0, "suspended": 0, "leech": 0,
        "buried": 0,
    }  # fmt: skip
    assert figures["reviews_per_day"][-1] == {
        "date": "2026-01-05", "learning": 2, "review": 0, "relearning": 0, "seconds": 20.0,
        "total": 2,
    }  # fmt: skip
    assert figures["streak"] == {"current": 1, "longest": 1}
    assert figures["forecast"][0] == {"date": "2026-01-05", "due": 2}
