"""Daily review rules, with a fixed clock in Europe/Berlin and fuzz off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from flashcards.scheduling import format_interval, study_day
from flashcards.storage.tables import CardRow, ReviewRow

from ..conftest import NOW, basic_deck

pytestmark = pytest.mark.engines

cards_t = CardRow.__table__
reviews_t = ReviewRow.__table__
BERLIN = ZoneInfo("Europe/Berlin")


def ids_by_front(workspace) -> dict[str, int]:
    with workspace.collection.read() as conn:
        return dict(conn.execute(select(cards_t.c.front, cards_t.c.id)).all())


def make_review_card(workspace, card_id: int, due: datetime, interval_days: float) -> None:
    """Turn a new card into a review card that was last seen `interval_days` before `due`."""
    with workspace.collection.write() as conn:
        conn.execute(
            update(cards_t)
            .where(cards_t.c.id == card_id)
            .values(
                state=2,
                step=None,
                stability=interval_days,
                difficulty=5.0,
                due=due,
                last_review=due - timedelta(days=interval_days),
                reps=3,
            )
        )


def study(session, rating: int = 3, limit: int = 1000) -> list[str]:
    """Answer cards until the queue is empty; return the fronts in order."""
    shown = []
    while (card := session.next_card()) is not None and len(shown) < limit:
        shown.append(card.front)
        session.answer(rating)
    return shown


# Study days ---------------------------------------------------------------------------------


def test_study_day_follows_local_clock_and_rollover():
    # 02:30 in Berlin on Tuesday is still Monday's study day (rollover 04:00).
    late = datetime(2026, 1, 6, 1, 30, tzinfo=UTC)
    day = study_day(late, BERLIN, 4)
    assert str(day.date) == "2026-01-05"
    assert day.start == datetime(2026, 1, 5, 3, 0, tzinfo=UTC)  # 04:00 CET
    assert day.end == datetime(2026, 1, 6, 3, 0, tzinfo=UTC)
    assert str(study_day(datetime(2026, 1, 6, 3, 0, tzinfo=UTC), BERLIN, 4).date) == "2026-01-06"


def test_study_day_across_daylight_saving_is_23_hours():
    # Clocks go forward at 02:00 on Sunday 29 March, inside Saturday's study day (04:00-04:00).
    saturday = study_day(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), BERLIN, 4)
    assert saturday.end - saturday.start == timedelta(hours=23)
    sunday = saturday.next()
    assert sunday.end - sunday.start == timedelta(hours=24)


def test_review_due_before_next_rollover_is_due_today(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(3)}, new_per_day=0)
    ids = ids_by_front(workspace)
    # Monday 09:00 Berlin. Tuesday 03:30 local is before the 04:00 rollover: due today.
    make_review_card(workspace, ids["q question 0?"], datetime(2026, 1, 6, 2, 30, tzinfo=UTC), 10)
    # Tuesday 04:30 local is tomorrow.
    make_review_card(workspace, ids["q question 1?"], datetime(2026, 1, 6, 3, 30, tzinfo=UTC), 10)
    assert workspace.overview().due == 1
    assert study(workspace.review_session()) == ["q question 0?"]


def test_same_instant_is_today_or_not_depending_on_the_timezone(make_workspace):
    due = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)  # 00:00 Tue in Berlin, 18:00 Mon in New York
    tokyo = make_workspace({"d.md": basic_deck(1)}, zone="Asia/Tokyo", new_per_day=0)
    make_review_card(tokyo, ids_by_front(tokyo)["q question 0?"], due, 5)
    # In Tokyo it is Monday 17:00; the card falls on Tuesday 08:00 local: after the rollover.
    assert tokyo.overview().due == 0


# Limits -------------------------------------------------------------------------------------


def test_new_cards_per_day_overall_and_per_deck(make_workspace):
    workspace = make_workspace(
        {
            "a.md": basic_deck(10, "A", "a"),
            "b.md": "---\ntitle: B\nnew_per_day: 2\n---\n"
            + basic_deck(10, "B", "b").split("---\n", 2)[2],
        },
        new_per_day=5,
    )
    overview = workspace.overview()
    assert [(d.deck.name, d.new) for d in overview.decks] == [("A", 5), ("B", 2)]
    assert overview.new == 5
    assert len(study(workspace.review_session(), rating=4)) == 5
    b = workspace.deck_ids(["B"])
    assert workspace.overview(b).new == 0  # the overall limit is spent


def test_per_deck_new_limit_holds_when_studying_that_deck(make_workspace):
    deck = "---\ntitle: B\nnew_per_day: 2\n---\n" + basic_deck(10, "B", "b").split("---\n", 2)[2]
    workspace = make_workspace({"b.md": deck}, new_per_day=20)
    assert len(study(workspace.review_session(), rating=4)) == 2


def test_reviews_per_day_limit(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(6)}, new_per_day=0, reviews_per_day=4)
    for card_id in ids_by_front(workspace).values():
        make_review_card(workspace, card_id, NOW - timedelta(hours=1), 3)
    assert workspace.overview().due == 4
    assert len(study(workspace.review_session())) == 4
    assert workspace.overview().due == 0


def test_limits_reset_at_rollover(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(10)}, new_per_day=3)
    assert len(study(workspace.review_session(), rating=4)) == 3
    clock.instant = datetime(2026, 1, 6, 2, 59, tzinfo=UTC)  # 03:59 Tuesday: still Monday
    assert workspace.overview().new == 0
    clock.instant = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)  # 04:00: a new day
    assert workspace.overview().new == 3


def test_a_session_left_open_over_the_rollover_starts_the_new_day(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(10)}, new_per_day=2)
    session = workspace.review_session()
    assert len(study(session, rating=4)) == 2
    assert session.next_card() is None  # the day's new cards are used
    clock.instant = datetime(2026, 1, 6, 2, 59, tzinfo=UTC)  # 03:59 Tuesday: still Monday
    assert session.next_card() is None
    clock.instant = datetime(2026, 1, 6, 3, 1, tzinfo=UTC)  # 04:01: a new study day
    assert session.next_card() is not None
    session.answer(4)
    with workspace.collection.read() as conn:
        days = [day for (day,) in conn.execute(select(reviews_t.c.day).order_by(reviews_t.c.id))]
    monday = datetime(2026, 1, 5).toordinal()
    assert days == [monday, monday, monday + 1]


# Order ----------------------------------------------------------------------------------------


def test_learning_first_then_most_overdue_relative_to_interval(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(4)}, new_per_day=0)
    ids = ids_by_front(workspace)
    # Overdue by 1 day on a 2-day interval (0.5) beats 5 days overdue on a 100-day one (0.05).
    make_review_card(workspace, ids["q question 0?"], NOW - timedelta(days=5), 100)
    make_review_card(workspace, ids["q question 1?"], NOW - timedelta(days=1), 2)
    make_review_card(workspace, ids["q question 2?"], NOW - timedelta(days=3), 30)
    with workspace.collection.write() as conn:  # a learning card due a minute ago
        conn.execute(
            update(cards_t)
            .where(cards_t.c.id == ids["q question 3?"])
            .values(
                state=1,
                step=1,
                stability=1.0,
                difficulty=5.0,
                due=NOW - timedelta(minutes=1),
                last_review=NOW - timedelta(minutes=11),
                reps=1,
            )
        )
    order = study(workspace.review_session(), rating=4)
    assert order == ["q question 3?", "q question 1?", "q question 2?", "q question 0?"]


def test_new_cards_in_deck_order_mixed_among_reviews(make_workspace):
    workspace = make_workspace(
        {"a.md": basic_deck(6, "A", "new"), "b.md": basic_deck(4, "B", "rev")}, new_per_day=2
    )
    for front, card_id in ids_by_front(workspace).items():
        if front.startswith("rev"):
            make_review_card(workspace, card_id, NOW - timedelta(hours=2), 10)
    order = study(workspace.review_session(), rating=4)
    assert [f for f in order if f.startswith("new")] == ["new question 0?", "new question 1?"]
    assert not order[0].startswith("new") and not order[-1].startswith("new")  # spread, not bunched


def test_learning_cards_come_back_after_their_step_and_early_when_nothing_is_left(
    make_workspace, clock
):
    workspace = make_workspace({"d.md": basic_deck(1)})
    session = workspace.review_session()
    card = session.next_card()
    session.answer(1)  # Again: back in 1 minute
    # Nothing else is left, so the learning card due within 20 minutes is shown at once.
    assert session.next_card().id == card.id
    session.answer(3)  # Good: next step, 10 minutes
    assert session.next_card().id == card.id  # learn-ahead again (10m < 20m)
    session.answer(3)  # graduates to review: days away
    assert session.next_card() is None


def test_learn_ahead_window_is_configurable(make_workspace):
    workspace = make_workspace({"d.md": basic_deck(1)}, learn_ahead_minutes=0)
    session = workspace.review_session()
    session.next_card()
    session.answer(1)
    assert session.next_card() is None


# Siblings, leeches, undo, time ------------------------------------------------------------------


def test_cloze_siblings_are_not_shown_on_the_same_day(make_workspace, clock):
    workspace = make_workspace({"c.md": "# T\n\nC: {{alpha}} then {{beta}} then {{gamma}}.\n"})
    session = workspace.review_session()
    assert len(study(session, rating=4)) == 1
    clock.advance(days=1)
    assert len(study(workspace.review_session(), rating=4)) == 1


def test_a_card_that_lapses_eight_times_becomes_a_suspended_leech(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(1)}, new_per_day=1)
    (card_id,) = ids_by_front(workspace).values()
    leech_seen = False
    for _ in range(8):
        make_review_card(workspace, card_id, clock.now() - timedelta(hours=1), 5)
        session = workspace.review_session()
        card = session.next_card()
        assert card is not None and card.id == card_id
        leech_seen = session.answer(1).became_leech
        clock.advance(days=1)
    assert leech_seen
    with workspace.collection.read() as conn:
        row = conn.execute(select(cards_t).where(cards_t.c.id == card_id)).one()
    assert row.lapses == 8 and row.leech and row.suspended
    assert workspace.review_session().next_card() is None


def test_undo_restores_card_and_log_exactly(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(2)})
    ids = ids_by_front(workspace)
    make_review_card(workspace, ids["q question 0?"], NOW - timedelta(days=1), 7)
    with workspace.collection.read() as conn:
        before = conn.execute(select(cards_t).order_by(cards_t.c.id)).all()
    session = workspace.review_session()
    first = session.next_card()
    clock.advance(seconds=5)
    session.answer(1)
    assert session.undo().id == first.id
    assert session.current.id == first.id
    with workspace.collection.read() as conn:
        after = conn.execute(select(cards_t).order_by(cards_t.c.id)).all()
        assert conn.execute(select(reviews_t)).all() == []

    def strip(rows):
        return [{k: v for k, v in r._asdict().items() if k != "modified_at"} for r in rows]

    assert strip(after) == strip(before)
    session.answer(3)  # the same card can be answered again after the undo
    assert session.done == 1


def test_bury_and_suspend_take_the_card_out_and_undo_brings_it_back(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(2)})
    session = workspace.review_session()
    first = session.next_card()
    session.bury()
    second = session.next_card()
    assert second.id != first.id
    session.suspend()
    assert session.next_card() is None
    assert session.undo().id == second.id
    clock.advance(days=1)
    fronts = study(workspace.review_session(), rating=4)
    assert "q question 0?" in fronts and "q question 1?" in fronts


def test_time_spent_is_recorded(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(1)})
    session = workspace.review_session()
    session.next_card()
    clock.advance(seconds=12.5)
    session.answer(3)
    with workspace.collection.read() as conn:
        (duration,) = conn.execute(select(reviews_t.c.duration_ms)).one()
    assert duration == 12_500


def test_interval_shown_is_the_interval_given(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(1)}, fuzz=True)
    card_id = next(iter(ids_by_front(workspace).values()))
    make_review_card(workspace, card_id, NOW - timedelta(days=2), 30)
    session = workspace.review_session()
    session.next_card()
    label = session.intervals()[3]
    expected_due = session.current_outcomes[3].card.due
    session.answer(3)
    with workspace.collection.read() as conn:
        due = conn.execute(select(cards_t.c.due).where(cards_t.c.id == card_id)).scalar()
    assert due == expected_due
    assert label == format_interval(due - clock.now())


def test_deck_desired_retention_changes_intervals(make_workspace):
    strict = "---\ntitle: Strict\ndesired_retention: 0.97\n---\nQ: s?\nA: s\n"
    lax = "---\ntitle: Lax\ndesired_retention: 0.80\n---\nQ: l?\nA: l\n"
    workspace = make_workspace({"s.md": strict, "l.md": lax})
    ids = ids_by_front(workspace)
    for card_id in ids.values():
        make_review_card(workspace, card_id, NOW - timedelta(hours=1), 20)
    session = workspace.review_session()
    intervals = {}
    while (card := session.next_card()) is not None:
        intervals[card.front] = session.current_outcomes[3].interval
        session.answer(3)
    assert intervals["s?"] < intervals["l?"]


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (timedelta(seconds=30), "30s"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=5), "5h"),
        (timedelta(days=2), "2d"),
        (timedelta(days=103), "3.4mo"),
        (timedelta(days=550), "1.5y"),
    ],
)
def test_interval_labels(delta, label):
    assert format_interval(delta) == label


# What "study all" takes, and what the home screen says it will take ------------------------------


THREE_DECKS = {
    "a.md": basic_deck(5, "A", "a"),
    "b.md": basic_deck(5, "B", "b"),
    "c.md": basic_deck(5, "C", "c"),
}


def test_study_all_takes_new_cards_from_every_deck_in_turn(make_workspace):
    workspace = make_workspace(THREE_DECKS, new_per_day=7)
    order = study(workspace.review_session(), rating=4)
    assert [front.split()[0] + front.split()[2] for front in order] == [
        "a0?", "b0?", "c0?", "a1?", "b1?", "c1?", "a2?"
    ]  # fmt: skip


def test_deck_by_deck_order_is_a_setting(make_workspace):
    workspace = make_workspace(THREE_DECKS, new_per_day=7, new_card_order="deck")
    order = study(workspace.review_session(), rating=4)
    assert [front.split()[0] + front.split()[2] for front in order] == [
        "a0?", "a1?", "a2?", "a3?", "a4?", "b0?", "b1?"
    ]  # fmt: skip


def test_an_unknown_new_card_order_is_a_config_error(tmp_path):
    from flashcards.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text('[study]\nnew_card_order = "random"\n')
    with pytest.raises(ConfigError, match=r"config.toml:2: new_card_order must be one of"):
        load_config(path)


CLOZE_DECK = (
    "---\ntitle: D\n---\n# T\n\nC: {{alpha}} then {{beta}} then {{gamma}}.\n\nQ: x?\nA: y.\n"
)


def test_home_counts_are_what_the_next_review_shows(make_workspace):
    workspace = make_workspace({**THREE_DECKS, "d.md": CLOZE_DECK}, new_per_day=7)
    overview = workspace.overview()
    # Each deck's figure: what studying that deck alone shows (one card of the cloze paragraph).
    figures = [(d.deck.name, d.new) for d in overview.decks]
    assert figures == [("A", 5), ("B", 5), ("C", 5), ("D", 2)]
    # The total: what studying all shows, the overall limit applied; and how many wait behind it.
    assert (overview.new, overview.new_waiting) == (7, 17)
    assert len(study(workspace.review_session(), rating=4)) == 7


@pytest.mark.parametrize(("deck", "expected"), [("A", 4), ("D", 2)])
def test_each_deck_figure_equals_studying_that_deck(make_workspace, deck, expected):
    workspace = make_workspace({**THREE_DECKS, "d.md": CLOZE_DECK}, new_per_day=4)
    (deck_id,) = workspace.deck_ids([deck])
    figure = [d.new for d in workspace.overview().decks if d.deck.id == deck_id][0]
    assert figure == workspace.overview([deck_id]).new == expected
    assert len(study(workspace.review_session([deck_id]), rating=4)) == expected


def test_an_overdue_learning_card_counts_as_ready_now(make_workspace, clock):
    workspace = make_workspace({"d.md": basic_deck(3)})
    session = workspace.review_session()
    session.next_card()
    session.answer(1)  # Again: due in a minute
    clock.advance(minutes=2)
    overview = workspace.overview()
    assert (overview.learning, overview.learning_now) == (1, 1)
    assert workspace.overview().decks[0].learning == 1


def missed_exam_cards(workspace, deck: str, count: int) -> list[int]:
    """Run an exam on `deck`, answer every question wrong, and send the missed to review."""
    from flashcards.study.exam import ExamSession, ExamSpec, draw_exam

    spec = ExamSpec(count=count, seed=3, deck_ids=workspace.deck_ids([deck]))
    questions, _, seed = draw_exam(workspace.collection, workspace.config, spec, NOW)
    session = ExamSession(
        workspace.collection, workspace.config, workspace.clock, questions, spec, seed, [deck]
    )
    for index in range(len(questions)):
        session.answer_basic(index, 0.0)
    session.finish()
    assert session.send_missed_to_review() == count
    return [question.card.id for question in questions]


def test_missed_exam_cards_come_up_first_under_study_all(make_workspace):
    workspace = make_workspace({**THREE_DECKS, "z.md": basic_deck(10, "Z", "z")}, new_per_day=4)
    before = workspace.overview()
    missed = missed_exam_cards(workspace, "Z", 3)
    after = workspace.overview()
    z = [d for d in after.decks if d.deck.name == "Z"][0]
    assert (before.new, after.new) == (4, 4)  # within today's limit...
    assert z.new == 4  # ...and the deck's own figure still what studying it shows
    shown = study(workspace.review_session(), rating=4)
    ids = ids_by_front(workspace)
    assert {ids[front] for front in shown[:3]} == set(missed)  # first, ahead of deck A
    assert shown[3:] == ["a question 0?"]


def test_missed_exam_cards_come_up_even_when_the_new_limit_is_spent(make_workspace):
    workspace = make_workspace({**THREE_DECKS, "z.md": basic_deck(10, "Z", "z")}, new_per_day=2)
    study(workspace.review_session(), rating=4)
    assert workspace.overview().new == 0
    missed = missed_exam_cards(workspace, "Z", 3)
    assert workspace.overview().new == 3
    session = workspace.review_session()
    assert session.left.new == 3
    shown = []
    while (card := session.next_card()) is not None:
        shown.append(card.id)
        session.answer(4)
    assert sorted(shown) == sorted(missed)
    assert workspace.overview().new == 0
