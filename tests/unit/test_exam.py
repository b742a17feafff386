"""Exams: reproducible draws spread over topics, tolerant grading, the timer, stored results,
and an FSRS history left untouched."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from flashcards.deck.grading import answer_matches, grade_answer
from flashcards.stats.exams import exam_history
from flashcards.storage.tables import CardRow, ExamAnswerRow, ExamRow, ReviewRow
from flashcards.study.exam import (
    ExamError,
    ExamSession,
    ExamSpec,
    discard_exam,
    draw_exam,
    resume_exam,
    unfinished_exam,
)

from ..conftest import NOW

pytestmark = pytest.mark.engines

TOPICS = "\n".join(
    f"# Topic {t}\n\n"
    + "\n".join(f"Q: t{t} question {i}?\nA: t{t} answer {i}.\n" for i in range(10))
    for t in range(4)
)
MIXED = """
---
title: Mixed
tags: [mixed]
---
# Choice

Q: Which are ranking metrics?
- [x] NDCG
- [x] MRR
- [ ] RMSE
- [ ] Log loss

# Cloze

C: Rare positives call for {{PR-AUC|average precision}}.

C: {{c1::Precision}} and {{c1::recall}} trade off.

# Basic

<!-- tags: serving -->
Q: Why cache embeddings?
A: To save latency.
"""


def session_for(workspace, spec: ExamSpec) -> ExamSession:
    questions, _eligible, seed = draw_exam(workspace.collection, workspace.config, spec, NOW)
    return ExamSession(
        workspace.collection, workspace.config, workspace.clock, questions, spec, seed, ["Mixed"]
    )


def state_of(workspace):
    with workspace.collection.read() as conn:
        return conn.execute(
            select(CardRow.__table__).order_by(CardRow.__table__.c.id)
        ).all(), conn.execute(select(ReviewRow.__table__)).all()


# Drawing --------------------------------------------------------------------------------------


def test_same_seed_same_questions_and_option_order(make_workspace):
    workspace = make_workspace({"t.md": TOPICS, "m.md": MIXED})
    first, _, _ = draw_exam(workspace.collection, workspace.config, ExamSpec(count=12, seed=7), NOW)
    again, _, _ = draw_exam(workspace.collection, workspace.config, ExamSpec(count=12, seed=7), NOW)
    other, _, _ = draw_exam(workspace.collection, workspace.config, ExamSpec(count=12, seed=8), NOW)
    key = [(q.card.id, tuple(o.text for o in q.options)) for q in first]
    assert key == [(q.card.id, tuple(o.text for o in q.options)) for q in again]
    assert key != [(q.card.id, tuple(o.text for o in q.options)) for q in other]


def test_questions_are_spread_across_topics(make_workspace):
    workspace = make_workspace({"t.md": TOPICS})
    for seed in range(5):
        questions, _, _ = draw_exam(
            workspace.collection, workspace.config, ExamSpec(count=8, seed=seed), NOW
        )
        assert Counter(q.card.topic for q in questions) == {f"Topic {t}": 2 for t in range(4)}


def test_filters_by_deck_and_tag(make_workspace):
    workspace = make_workspace({"t.md": TOPICS, "m.md": MIXED})
    only_mixed = ExamSpec(deck_ids=workspace.deck_ids(["Mixed"]), count=50, seed=1)
    questions, eligible, _ = draw_exam(workspace.collection, workspace.config, only_mixed, NOW)
    assert eligible == 4 and {q.card.deck_name for q in questions} == {"Mixed"}
    tagged, _, _ = draw_exam(
        workspace.collection, workspace.config, ExamSpec(tags=("serving",), seed=1), NOW
    )
    assert [q.card.front for q in tagged] == ["Why cache embeddings?"]
    deck_tag, _, _ = draw_exam(
        workspace.collection, workspace.config, ExamSpec(tags=("MIXED",), seed=1), NOW
    )
    assert len(deck_tag) == 4


def test_no_matching_cards_is_an_error(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    with pytest.raises(ExamError, match="no cards match"):
        draw_exam(workspace.collection, workspace.config, ExamSpec(tags=("nothing",)), NOW)


def test_weak_favours_lapsed_and_missed_cards(make_workspace):
    workspace = make_workspace({"t.md": TOPICS})
    table = CardRow.__table__
    with workspace.collection.write() as conn:
        # Everything is a strong review card except topic 0, question 0: lapsed and forgotten.
        conn.execute(
            table.update().values(
                state=2,
                stability=300.0,
                difficulty=3.0,
                due=NOW + timedelta(days=200),
                last_review=NOW - timedelta(days=1),
                reps=5,
            )
        )
        conn.execute(
            table.update()
            .where(table.c.front == "t0 question 0?")
            .values(stability=2.0, lapses=6, last_review=NOW - timedelta(days=30))
        )

    def hits(weak: bool) -> int:
        found = 0
        for seed in range(40):
            spec = ExamSpec(count=4, seed=seed, weak=weak)
            questions, _, _ = draw_exam(workspace.collection, workspace.config, spec, NOW)
            found += any(q.card.front == "t0 question 0?" for q in questions)
        return found

    # One question per topic: a plain draw picks this card 1 time in 10.
    assert hits(weak=False) <= 10
    assert hits(weak=True) >= 30


# Grading --------------------------------------------------------------------------------------


# The deck's own alternatives, as the reviews quoted them.
LATENCY = ("0.5 ms", "0.5ms", "500 µs", "500 us", "500us", "0.1 ms", "100 µs")
ERROR_BUDGET = ("43 minutes", "43", "43.2", "43.2 minutes")
LOG_LOSS = ("ln 2", "0.693", "0.69", "ln2", "log 2")
ROLLOUT = ("shadow mode", "shadow", "dark launch")


@pytest.mark.parametrize(
    ("typed", "accepted", "ok"),
    [
        # Case, accents, spacing, punctuation, alternatives.
        ("PR-AUC", ("PR-AUC",), True),
        ("pr-auc", ("PR-AUC",), True),
        ("  PR AUC. ", ("PR-AUC",), True),
        ("prauc", ("PR-AUC",), True),
        ("average precision", ("PR-AUC", "average precision"), True),
        ("Recall!", ("recall",), True),
        ("café", ("cafe",), True),
        ("naive bayes", ("Naïve Bayes",), True),
        ("a b test", ("A/B test",), True),
        ("b test", ("A/B test",), False),
        ("ln(2)", LOG_LOSS, True),  # brackets are spacing
        ("log(2)", LOG_LOSS, True),
        ("AUC", ("PR-AUC",), False),
        ("", ("anything",), False),
        ("the", ("anything",), False),
        ("recall", ("precision",), False),
        ("PR-AUC", ("ROC-AUC", "AUC", "ROC AUC", "AUROC"), False),
        # A slip in a long word, never in a short one or a number.
        ("calibartion", ("calibration",), True),  # swapped letters in a long word
        ("calbration", ("calibration",), True),  # one letter missing
        ("calibrations", ("calibration",), True),  # one letter extra
        ("shadwo mode", ROLLOUT, True),
        ("callibratoin", ("calibration",), False),  # two slips
        ("lag", ("log",), False),  # short words must be exact
        ("ndgc", ("NDCG",), False),
        ("contextual", ("context",), False),
        ("expensive", ("sparse", "rare", "scarce"), False),
        ("shadow deployment", ROLLOUT, False),
        ("version", ("model version", "model id"), False),
        # Leading articles.
        ("the shadow mode", ROLLOUT, True),
        ("a dark launch", ROLLOUT, True),
        ("shadow mode", ("the shadow mode",), True),
        # Numbers by value, never approximately.
        ("0.1", ("0.1",), True),
        ("0.10", ("0.1",), True),
        (".1", ("0.1",), True),
        ("0.100", ("0.1",), True),
        ("1/10", ("0.1",), True),
        (".25", ("0.25",), True),
        ("1/4", ("0.25",), True),
        ("0.75", ("3/4", "0.75", ".75"), True),
        ("3/4", ("3/4", "0.75", ".75"), True),
        ("75", ("3/4", "0.75", ".75"), False),  # .75 is not 75
        ("75", (".75",), False),
        ("0.2", ("0.25",), False),
        ("0.26", ("0.25",), False),
        ("0.6931", LOG_LOSS, False),
        ("0.693", LOG_LOSS, True),
        ("43", ("43.2", "43"), True),
        ("-1", ("1",), False),
        ("1,000", ("1000",), True),
        ("p99", ("p95",), False),
        # Times: 4x, 4×, 4 times, four times.
        ("4x", ("4", "four"), True),
        ("4×", ("4", "four"), True),
        ("4 times", ("4", "four"), True),
        ("four times", ("4", "four"), True),
        ("four", ("4",), True),
        ("4", ("4", "four", "4x"), True),
        ("5x", ("4", "four"), False),
        ("4", ("4x",), False),  # a card that writes the x asks for it
        ("4 times", ("4x",), True),
        ("4×", ("4x",), True),
        ("10m users", ("10 million users",), True),
        # Units written out or abbreviated.
        ("43 min", ERROR_BUDGET, True),
        ("43 mins", ERROR_BUDGET, True),
        ("43m", ERROR_BUDGET, True),
        ("43.2 min", ERROR_BUDGET, True),
        ("43 minutes", ERROR_BUDGET, True),
        ("43 hours", ERROR_BUDGET, False),
        ("44 min", ERROR_BUDGET, False),
        ("100 us", LATENCY, True),
        ("100 microseconds", LATENCY, True),
        ("500 microseconds", LATENCY, True),
        ("0.5 milliseconds", LATENCY, True),
        ("0.50 msec", LATENCY, True),
        ("150ms", ("150 ms",), True),
        ("1 ms", LATENCY, False),  # another figure, not another spelling
        ("200 ms", LATENCY, False),
        ("2 GB", ("2 gigabytes",), True),
        ("2 gigabytes", ("2GB",), True),
        ("2 MB", ("2 GB",), False),
        ("30 s", ("30 seconds",), True),
        ("30 sec", ("30 s",), True),
        ("2 hours", ("2 h",), True),
        ("2 h", ("2 min",), False),
        # A percentage equals its fraction where the card writes the percentage.
        ("0.5", ("50%",), True),
        ("50 percent", ("50%",), True),
        ("50%", ("50%",), True),
        ("50", ("50%",), False),
        ("50%", ("0.5",), False),  # the card asks for a fraction
        ("50%", ("0.5", "50%"), True),
        ("0.05", ("50%",), False),
        # Slips that make another word, found by the second edition's reviews.
        ("-ln w", ("ln w",), False),  # a sign error
        ("ln w", ("ln w",), True),
        ("−ln w", ("-ln w",), True),
        ("looked", ("booked",), False),  # the first letter: another word
        ("boked", ("booked",), True),
        ("top-k", ("top-p",), False),  # a one-letter word
        ("top-p", ("top p",), True),
        ("log 2", ("log d",), False),  # a number typed is never a slip
        ("calibraton", ("calibration",), True),
    ],
)
def test_typed_answer_grading(typed, accepted, ok):
    assert answer_matches(typed, accepted) is ok


@pytest.mark.parametrize(
    ("typed", "accepted", "forgiven"),
    [
        ("shadwo mode", ROLLOUT, "shadow mode"),
        ("calibartion", ("calibration",), "calibration"),
        ("shadow mode", ROLLOUT, None),
        ("shadows", ("shadow", "shadows"), None),  # an exact match elsewhere wins
        ("recall", ("precision",), None),
    ],
)
def test_a_forgiven_slip_names_the_expected_spelling(typed, accepted, forgiven):
    assert grade_answer(typed, accepted).forgiven == forgiven


def test_choice_is_all_or_nothing_and_cloze_groups_share_credit(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    session = session_for(workspace, ExamSpec(count=10, seed=3))
    by_kind = {q.kind + str(len(q.card.answers)): i for i, q in enumerate(session.questions)}
    choice = by_kind["choice0"]
    right = {i for i, o in enumerate(session.questions[choice].options) if o.correct}
    assert session.answer_choice(choice, set(list(right)[:1])) == 0.0
    assert session.answer_choice(choice, right) == 1.0
    assert session.answer_choice(choice, right | {next(iter(set(range(4)) - right))}) == 0.0
    grouped = by_kind["cloze2"]
    assert session.answer_cloze(grouped, ["precision", "wrong"]) == 0.5
    assert session.answer_cloze(grouped, ["Precision", "Recall"]) == 1.0
    basic = by_kind["basic0"]
    assert session.answer_basic(basic, 0.5, "notes") == 0.5


# Timer and results --------------------------------------------------------------------------


def test_time_limit_ends_the_exam_and_unanswered_count_wrong(make_workspace, clock):
    workspace = make_workspace({"t.md": TOPICS})
    session = session_for(workspace, ExamSpec(count=4, seed=1, minutes=2))
    assert session.seconds_left() == 120
    session.answer_basic(0, 1.0)
    clock.advance(seconds=119)
    assert not session.expired
    clock.advance(seconds=2)
    assert session.expired
    with pytest.raises(TimeoutError):
        session.answer_basic(1, 1.0)
    result = session.finish()
    assert (result.count, result.correct, result.score) == (4, 1.0, 0.25)
    assert result.seconds == 120 and not result.passed
    assert len(result.missed) == 3


def test_results_are_stored_and_scored_by_deck_and_topic(make_workspace):
    workspace = make_workspace({"t.md": TOPICS})
    session = session_for(workspace, ExamSpec(count=8, seed=2))
    for index, question in enumerate(session.questions):
        session.answer_basic(index, 1.0 if question.card.topic != "Topic 3" else 0.0)
    result = session.finish()
    assert result.score == 0.75 and result.passed  # threshold 0.70
    assert result.by_topic[0].name == "t › Topic 3" and result.by_topic[0].score == 0.0
    assert [g.score for g in result.by_topic[1:]] == [1.0, 1.0, 1.0]
    with workspace.collection.read() as conn:
        assert conn.execute(select(ExamRow.__table__.c.score)).scalar() == 0.75
        assert len(conn.execute(select(ExamAnswerRow.__table__)).all()) == 8
    history = [exam.to_json() for exam in exam_history(workspace.collection)]
    assert history == [
        {
            "started_at": NOW.isoformat(),
            "decks": ["Mixed"],
            "count": 8,
            "correct": 6.0,
            "score": 0.75,
            "passed": True,
        }
    ]


def test_an_exam_never_changes_fsrs_state_or_review_logs(make_workspace):
    workspace = make_workspace({"t.md": TOPICS, "m.md": MIXED})
    before = state_of(workspace)
    session = session_for(workspace, ExamSpec(count=20, seed=5))
    for index in range(len(session.questions)):
        session.answer_basic(index, 0.0)
    session.finish()
    assert state_of(workspace) == before


def test_missed_cards_can_be_sent_to_todays_review(make_workspace):
    workspace = make_workspace({"t.md": TOPICS}, new_per_day=1)
    table = CardRow.__table__
    with workspace.collection.write() as conn:
        conn.execute(
            table.update().values(
                state=2,
                stability=50.0,
                difficulty=5.0,
                due=NOW + timedelta(days=30),
                last_review=NOW - timedelta(days=20),
                reps=3,
            )
        )
    assert workspace.overview().due == 0
    session = session_for(workspace, ExamSpec(count=4, seed=1))
    session.answer_basic(0, 1.0)
    session.finish()
    assert session.send_missed_to_review() == 3
    assert workspace.overview().due == 3


# Overruling and resuming ----------------------------------------------------------------------


def answers_stored(workspace) -> list:
    with workspace.collection.read() as conn:
        table = ExamAnswerRow.__table__
        return conn.execute(select(table).order_by(table.c.position)).all()


def test_overruling_a_typed_verdict_is_stored_beside_the_graders_and_scores(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    session = session_for(workspace, ExamSpec(count=10, seed=3))
    single = next(
        i for i, q in enumerate(session.questions) if q.kind == "cloze" and len(q.card.answers) == 1
    )
    assert session.answer_cloze(single, ["ROC-AUC"]) == 0.0
    assert session.overrule(single) == 1.0  # "I was right"
    [row] = answers_stored(workspace)
    assert (row.given, row.machine_credit, row.credit, row.overruled) == ("ROC-AUC", 0.0, 1.0, True)
    assert session.overrule(single) == 0.0  # asked again: the grader's verdict stands
    [row] = answers_stored(workspace)
    assert (row.credit, row.overruled) == (0.0, False)
    session.overrule(single)
    basic = next(i for i, q in enumerate(session.questions) if q.kind == "basic")
    session.answer_basic(basic, 1.0)
    with pytest.raises(ValueError):
        session.overrule(basic)  # a self-grade is the person's own already
    result = session.finish()
    assert result.overruled == 1 and result.correct == 2.0
    assert not any(o.question is session.questions[single] for o in result.missed)


def test_a_right_typed_answer_can_be_overruled_as_wrong(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    session = session_for(workspace, ExamSpec(count=10, seed=3))
    grouped = next(i for i, q in enumerate(session.questions) if len(q.card.answers) == 2)
    assert session.answer_cloze(grouped, ["precision", "recall"]) == 1.0
    assert session.overrule(grouped) == 0.0  # "I was wrong"
    result = session.finish()
    [missed] = [o for o in result.missed if o.question is session.questions[grouped]]
    assert missed.overruled and missed.given == "precision | recall"


def test_results_name_the_options_picked_the_slips_forgiven_and_the_unanswered(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    session = session_for(workspace, ExamSpec(count=10, seed=3))
    kinds = {q.kind + str(len(q.card.answers)): i for i, q in enumerate(session.questions)}
    choice = session.questions[kinds["choice0"]]
    wrong = [i for i, o in enumerate(choice.options) if not o.correct]
    session.answer_choice(kinds["choice0"], {wrong[0], wrong[1]})
    session.answer_cloze(kinds["cloze1"], ["avrage precision"])
    session.keep_notes(kinds["basic0"], "latency, I think")
    result = session.finish()
    by_kind = {o.question.kind: o for o in result.missed}
    assert by_kind["choice"].given.split("; ") == [choice.options[i].text for i in wrong[:2]]
    assert (by_kind["basic"].answered, by_kind["basic"].given) == (False, "latency, I think")
    [forgiven] = result.forgiven
    assert forgiven.forgiven == ("average precision",) and forgiven.given == "avrage precision"
    stored = {row.position: row.given for row in answers_stored(workspace)}
    assert stored[kinds["basic0"]] == "latency, I think"


def test_a_left_exam_resumes_with_its_questions_options_answers_and_time(make_workspace, clock):
    workspace = make_workspace({"m.md": MIXED})
    session = session_for(workspace, ExamSpec(count=4, seed=4, minutes=10))
    choice = next(i for i, q in enumerate(session.questions) if q.kind == "choice")
    basic = next(i for i, q in enumerate(session.questions) if q.kind == "basic")
    assert unfinished_exam(workspace.collection) is None  # nothing answered, nothing stored
    clock.advance(seconds=60)
    session.answer_choice(choice, {0, 2})
    clock.advance(seconds=60)
    session.answer_basic(basic, 0.5, "some notes")
    clock.advance(hours=3)  # left, then come back later

    left = unfinished_exam(workspace.collection)
    assert (left.exam_id, left.answered, left.count) == (session.exam_id, 2, 4)
    again = resume_exam(workspace.collection, workspace.config, workspace.clock, left.exam_id)
    assert [(q.card.id, q.options) for q in again.questions] == [
        (q.card.id, q.options) for q in session.questions
    ]
    assert {i: (a.given, a.credit) for i, a in again.answers.items()} == {
        i: (a.given, a.credit) for i, a in session.answers.items()
    }
    assert again.seconds_left() == 8 * 60  # two minutes were spent before leaving
    result = again.finish()
    assert result.exam_id == session.exam_id and result.count == 4
    assert unfinished_exam(workspace.collection) is None
    assert len(answers_stored(workspace)) == 4
    assert [h.count for h in exam_history(workspace.collection)] == [4]


def test_an_unfinished_exam_can_be_finished_as_scored_or_discarded(make_workspace):
    workspace = make_workspace({"t.md": TOPICS})
    first = session_for(workspace, ExamSpec(count=4, seed=1))
    first.answer_basic(0, 1.0)
    left = unfinished_exam(workspace.collection)
    scored = resume_exam(workspace.collection, workspace.config, workspace.clock, left.exam_id)
    result = scored.finish()
    assert (result.correct, result.count, len(result.missed)) == (1.0, 4, 3)
    assert all(not o.answered for o in result.missed)
    second = session_for(workspace, ExamSpec(count=4, seed=2))
    second.answer_basic(0, 1.0)
    discard_exam(workspace.collection, unfinished_exam(workspace.collection).exam_id)
    assert unfinished_exam(workspace.collection) is None
    assert len(exam_history(workspace.collection)) == 1
