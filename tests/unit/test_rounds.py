"""Mock design rounds without the interface: the file format and its errors, key terms,
scores, budgets, the clock, storage of attempts, and that a round leaves FSRS alone."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from flashcards.deck import load_paths
from flashcards.deck_import import import_paths
from flashcards.rounds.parser import parse_round
from flashcards.rounds.results import (
    facts_asked,
    missed_cards,
    round_score,
    step_scores,
    suggest_marks,
)
from flashcards.rounds.run import RoundRun, answer_question
from flashcards.rounds.steps import default_budget, parse_duration, scaled
from flashcards.rounds.terms import mentions
from flashcards.storage.rounds import (
    attempts_of,
    round_summaries,
    unfinished_attempts,
)
from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.study.rounds import (
    find_round,
    finish_round,
    missed_card_ids,
    record_marks,
    send_missed_to_review,
    start_round,
)

from ..conftest import write_deck

pytestmark = pytest.mark.engines

# Rubric lines are long by nature: one item, one line.
ROUND = """\
---
title: Video recommendation
id: vrec
description: The home feed.
---
# Video recommendation

## Prompt

Design the video recommendations of a video platform's home page.

## Facts

- **scale, users, DAU, QPS, how many**: 500M daily users, 20k requests per second at peak.
- **latency, how fast**: 100 ms for recommendations. <!-- id: vrec-latency -->

## Clarify requirements

- [ ] Names **watch time** as the objective, not clicks <!-- id: vrec-objective; terms: retention, long-term engagement; weight: 2; cards: metric-ndcg -->
- [ ] Asks for the **scale** <!-- terms: QPS, DAU -->

## Frame as an ML task (4 min)

- [ ] Frames it as **ranking** <!-- terms: learning to rank -->
- Chooses a **two-tower** retrieval model <!-- cards: cloze-mrr -->
"""

DECK = """\
---
title: Metrics
---
# Ranking

<!-- id: metric-ndcg -->
Q: What does NDCG discount by?
A: log2(rank + 1).

<!-- id: cloze-mrr -->
C: MRR averages the {{reciprocal rank}} of the {{first relevant}} result.
"""


def parse(text: str):
    return parse_round(textwrap.dedent(text), "r.round.md", "r")


def errors_of(text: str) -> list[str]:
    return [f"{e.line}: {e.message}" for e in parse(text).errors]


# The format


def test_a_round_file_gives_its_prompt_facts_steps_and_items():
    parsed = parse(ROUND)
    assert parsed.errors == []
    assert parsed.title == "Video recommendation" and parsed.key == "vrec"
    assert parsed.prompt.startswith("Design the video recommendations")
    assert [f.keywords[0] for f in parsed.facts] == ["scale", "latency"]
    assert parsed.facts[1].explicit_id == "vrec-latency"
    assert [(s.name, s.budget_seconds) for s in parsed.steps] == [
        ("Clarify requirements", 300),
        ("Frame as an ML task", 240),
    ]
    objective = parsed.steps[0].items[0]
    assert objective.explicit_id == "vrec-objective" and objective.weight == 2
    assert objective.terms == ("watch time", "retention", "long-term engagement")
    assert objective.cards == ("metric-ndcg",)
    assert objective.plain == "Names watch time as the objective, not clicks"
    assert parsed.steps[1].items[1].terms == ("two-tower",)  # a plain '- ' item works too


def test_the_seven_framework_steps_add_up_to_45_minutes_by_default():
    names = [
        "Clarify requirements",
        "Frame as an ML task",
        "Data preparation",
        "Model development",
        "Evaluation",
        "Deployment and serving",
        "Monitoring",
    ]
    assert sum(default_budget(n) for n in names) == 45 * 60
    assert default_budget("serving") == default_budget("Deployment and serving")
    assert default_budget("Deep dive on retrieval") is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5 min", 300), ("5m", 300), ("90 s", 90), ("1.5 h", 5400), ("2 minutes", 120)],
)
def test_budgets_are_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["five min", "5 mins please", "5", "min", ""])
def test_other_text_is_not_a_duration(text):
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("## Frame as an ML task (4 min)", "## Frame as an ML task (four min)"),
            "22: 'four min' is not a duration: write it as '5 min', '90 s' or '1 h'",
        ),
        (
            ("## Frame as an ML task (4 min)", "## Deep dive"),
            "22: step 'Deep dive' has no time budget: write it as '## Deep dive (10 min)'",
        ),
        (
            ("- [ ] Frames it as **ranking** <!-- terms: learning to rank -->", ""),
            None,  # one item left: still valid
        ),
        (
            ("- [ ] Asks for the **scale** <!-- terms: QPS, DAU -->", "- [ ] Asks for the scale"),
            "20: rubric item has no key terms: put one in **bold** or add 'terms:'",
        ),
        (
            ("weight: 2", "weight: two"),
            "19: weight must be a positive number, not 'two'",
        ),
        (
            ("weight: 2", "wieght: 2"),
            "19: unknown option 'wieght: 2' (expected id, terms, weight, cards)",
        ),
        (
            ("<!-- terms: QPS, DAU -->", "<!-- id: vrec-objective -->"),
            "20: duplicate id 'vrec-objective' (first at r.round.md:19)",
        ),
        (
            ("## Frame as an ML task (4 min)", "## Clarify requirements (4 min)"),
            "22: duplicate step 'Clarify requirements' (first at line 17)",
        ),
        (
            ("- **latency, how fast**: 100 ms", "- latency: 100 ms"),
            "15: fact needs its key words in bold, then a colon: "
            "'- **scale, QPS**: 20k requests per second'",
        ),
        (
            (
                "## Prompt\n\nDesign the video recommendations of a video platform's home page.\n",
                "",
            ),
            "1: round has no '## Prompt' section: say what the interviewer asks",
        ),
    ],
)
def test_each_mistake_is_reported_on_its_line(change, expected):
    old, new = change
    assert old in ROUND
    found = errors_of(ROUND.replace(old, new))
    if expected is None:
        assert found == []
    else:
        assert expected in found, found


def test_a_step_without_items_and_a_multi_line_item_are_refused():
    text = ROUND.replace(
        "- Chooses a **two-tower** retrieval model <!-- cards: cloze-mrr -->",
        "- Chooses a **two-tower** model\n  that retrieves candidates\n\n## Monitoring\n",
    )
    found = errors_of(text)
    assert "26: a rubric item is one line: indent nothing under it" in found
    assert "28: step 'Monitoring' has no rubric items" in found


def test_prose_under_a_step_is_refused_but_an_empty_prompt_too():
    text = ROUND.replace("## Clarify requirements\n", "## Clarify requirements\n\nThink first.\n")
    assert "19: only rubric items ('- [ ] …') may stand here" in errors_of(text)
    empty = ROUND.replace("Design the video recommendations of a video platform's home page.", "")
    assert "8: the prompt is empty: write what the interviewer says first" in errors_of(empty)


@pytest.mark.slow
def test_check_validates_rounds_with_decks_and_their_card_links(tmp_path):
    write_deck(tmp_path, "metrics.md", DECK)
    write_deck(tmp_path, "vrec.round.md", ROUND)
    loaded = load_paths([str(tmp_path)])
    assert loaded.errors == [] and len(loaded.rounds) == 1 and loaded.links == []
    write_deck(tmp_path, "vrec.round.md", ROUND.replace("cards: cloze-mrr", "cards: cloze-mrx"))
    result = subprocess.run(
        [sys.executable, "-m", "flashcards", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{tmp_path / 'vrec.round.md'}:25: no card has the id 'cloze-mrx'" in result.stderr
    assert "1 round" in result.stdout and "Traceback" not in result.stderr


def test_two_rounds_cannot_share_an_id(tmp_path):
    write_deck(tmp_path, "metrics.md", DECK)
    write_deck(tmp_path, "a.round.md", ROUND)
    write_deck(tmp_path, "b.round.md", ROUND.replace("vrec-objective", "other-objective"))
    messages = [str(e) for e in load_paths([str(tmp_path)]).errors]
    assert any("duplicate round id 'vrec'" in m for m in messages), messages


# Key terms


@pytest.mark.parametrize(
    ("notes", "term", "found"),
    [
        ("we re-rank with a cross encoder", "re-rank", True),
        ("a reranking stage", "re-ranking", True),
        ("re ranking", "reranking", True),
        ("Embeddings of videos", "embedding", True),
        ("WATCH TIME is the goal", "watch time", True),
        ("calibraton of the scores", "calibration", True),  # a slip in a long word
        ("p99 under 100ms", "100 ms", True),
        ("p99 under 1000 ms", "100 ms", False),  # numbers are exact
        ("queries per second", "QPS", False),  # an abbreviation is a term of its own
        ("two tower retrieval", "two-tower", True),
        ("we would watch the time", "watch time", False),  # words in order, side by side
        ("café", "cafe", True),
        ("rank", "ranking", False),
        # Found by the independent read of the rounds: another word is not a slip.
        ("the content of a post", "context", False),
        ("user consent", "content", False),
        ("privacy review", "primacy", False),
        ("recall is what counts", "recall@k", False),
        ("recall@k on a holdout", "recall@k", True),
        ("predict whether they click", "P(click)", False),
        ("model P(click) and P(watch)", "P(click)", True),
        ("we recieve events", "receive", True),  # two letters swapped
    ],
)
def test_key_terms_are_found_tolerantly(notes, term, found):
    assert mentions(notes, (term,)) is found


def test_a_question_reveals_the_facts_whose_key_words_it_uses():
    parsed = parse(ROUND)
    assert [f.keywords[0] for f in answer_question(parsed, "How many users?")] == ["scale"]
    assert [f.keywords[0] for f in answer_question(parsed, "what QPS and how fast")] == [
        "scale",
        "latency",
    ]
    assert answer_question(parsed, "Which country?") == []


# Scores, budgets and the clock


def test_marks_are_suggested_from_each_steps_own_notes_and_weighted(clock):
    parsed = parse(ROUND)
    run = RoundRun.start(parsed, clock.now)
    run.set_notes("Goal: watch time. Ranking later.")  # 'ranking' belongs to the next step
    run.next_step()
    run.set_notes("A two tower model for retrieval")
    marks = suggest_marks(parsed, run.steps)
    assert [m.suggested for m in marks] == [True, False, False, True]
    assert step_scores(parsed, marks) == [pytest.approx(2 / 3), 0.5]
    assert round_score(marks) == pytest.approx(3 / 5)
    marks[1].covered = True  # the person overrules a hint
    assert round_score(marks) == pytest.approx(4 / 5)
    assert missed_cards(marks) == []
    marks[0].covered = False
    assert missed_cards(marks) == ["metric-ndcg"]


def test_minutes_scale_every_budget_in_proportion():
    assert scaled([300, 600, 900], 60) == [600, 1200, 1800]
    assert scaled([300, 600], None) == [300, 600]
    assert sum(scaled([300, 300, 480, 480, 420, 420, 300], 30)) == 30 * 60


def test_the_clock_counts_time_per_step_and_runs_out(clock):
    parsed = parse(ROUND)
    run = RoundRun.start(parsed, clock.now, minutes=10)
    assert [s.budget_seconds for s in run.steps] == [333, 267]
    clock.advance(seconds=200)
    assert run.step_seconds() == 200 and not run.over_budget()
    clock.advance(seconds=200)
    assert run.over_budget() and run.remaining() == 200
    run.next_step()
    clock.advance(seconds=30)
    assert run.step_seconds(0) == 400 and run.step_seconds(1) == 30
    run.previous_step()
    clock.advance(seconds=10)
    assert run.step_seconds(0) == 410 and run.elapsed() == 440
    assert not run.timed_out
    clock.advance(seconds=200)
    assert run.timed_out
    run.stop()
    clock.advance(seconds=100)
    assert run.elapsed() == 640  # a stopped round's clock stands still


def test_questions_are_logged_and_facts_never_asked_are_listed(clock):
    parsed = parse(ROUND)
    run = RoundRun.start(parsed, clock.now)
    run.ask("How many daily users?")
    run.ask("Any budget?")
    asked, never = facts_asked(parsed, run.questions)
    assert [f.key for f in asked] == ["scale, users, dau, qps, how many"]
    assert [f.key for f in never] == ["vrec-latency"]
    assert run.questions[1].facts == ()


# Storage


@pytest.fixture
def round_workspace(make_workspace, tmp_path):
    workspace = make_workspace({"metrics.md": DECK})
    write_deck(tmp_path / "rounds", "vrec.round.md", ROUND)
    outcome = import_paths(workspace.collection, [str(tmp_path / "rounds")], workspace.clock.now())
    assert outcome.errors == [] and outcome.rounds.added == 1
    return workspace


def test_a_finished_round_is_kept_with_its_notes_marks_and_transcript(round_workspace, tmp_path):
    workspace = round_workspace
    collection, clock = workspace.collection, workspace.clock
    summary = find_round(collection, "video")
    run = start_round(collection, summary, clock.now)
    run.set_notes("watch time and QPS")
    clock.advance(seconds=90)
    run.ask("how many users")
    outcome = finish_round(collection, run, summary.id, tmp_path / "out", workspace.zone)
    assert outcome.score == pytest.approx(3 / 5)
    text = outcome.transcript.read_text(encoding="utf-8")
    assert "watch time and QPS" in text and "- [x] Names **watch time**" in text
    assert "how many users → 500M daily users" in text and "Never asked for:" in text
    outcome.marks[3].covered = True
    record_marks(collection, outcome, workspace.zone)
    with collection.read() as conn:
        (attempt,) = attempts_of(conn, summary.id, clock.now)
        assert unfinished_attempts(conn, clock.now) == []
        (listed,) = round_summaries(conn)
    assert attempt.score == pytest.approx(4 / 5)
    assert attempt.run.steps[0].notes == "watch time and QPS"
    assert attempt.run.steps[0].seconds == 90
    assert attempt.run.questions[0].facts == ("scale, users, dau, qps, how many",)
    assert sorted(attempt.marks.values()).count((False, True)) == 1  # changed by hand
    assert (listed.attempts, listed.best, listed.last_score) == (1, attempt.score, attempt.score)


def test_an_interrupted_round_is_resumed_where_it_stood(round_workspace):
    workspace = round_workspace
    collection, clock = workspace.collection, workspace.clock
    summary = find_round(collection, "vrec")
    run = start_round(collection, summary, clock.now, minutes=30)
    run.next_step()
    run.set_notes("ranking")
    clock.advance(seconds=40)
    from flashcards.study.rounds import save_round

    save_round(collection, run, summary.id)
    clock.advance(hours=3)  # the program was killed; the time away does not count
    with collection.read() as conn:
        (attempt,) = unfinished_attempts(conn, clock.now)
    resumed = attempt.run
    resumed.resume()
    assert resumed.current == 1 and resumed.steps[1].notes == "ranking"
    assert resumed.elapsed() == 40 and resumed.budget_seconds == 30 * 60


def test_a_round_leaves_fsrs_state_and_the_review_log_alone_until_asked(round_workspace, tmp_path):
    workspace = round_workspace
    collection, clock = workspace.collection, workspace.clock

    def cards():
        with collection.read() as conn:
            rows = conn.execute(select(CardRow.__table__).order_by(CardRow.__table__.c.id))
            return [tuple(r) for r in rows]

    def reviews():
        with collection.read() as conn:
            return conn.execute(select(ReviewRow.__table__)).all()

    before = cards()
    summary = find_round(collection, "vrec")
    run = start_round(collection, summary, clock.now)
    outcome = finish_round(collection, run, summary.id, tmp_path / "out", workspace.zone)
    assert cards() == before and reviews() == []
    # Nothing was covered: both linked cards (a cloze paragraph's id names both its cards)
    assert len(missed_card_ids(collection, outcome.marks)) == 3
    moved = send_missed_to_review(collection, outcome.marks, clock.now())
    assert moved == 3 and reviews() == []
    with collection.read() as conn:
        positions = conn.execute(select(CardRow.__table__.c.position)).scalars().all()
    assert positions == [-1, -1, -1]


def test_an_item_keeps_its_history_across_a_small_rewording(round_workspace, tmp_path):
    workspace = round_workspace
    collection = workspace.collection
    with collection.read() as conn:
        (before,) = round_summaries(conn)
    uids = [item.uid for _step, item in before.round.items]
    edited = ROUND.replace("Frames it as **ranking**", "Frames it as a **ranking** problem")
    edited = edited.replace("Asks for the **scale**", "Asks about the **scale**")
    write_deck(tmp_path / "rounds", "vrec.round.md", edited)
    outcome = import_paths(collection, [str(tmp_path / "rounds")], workspace.clock.now())
    assert outcome.rounds.updated == 1
    with collection.read() as conn:
        (after,) = round_summaries(conn)
    assert [item.uid for _step, item in after.round.items] == uids
    rewritten = edited.replace(
        "Frames it as a **ranking** problem", "Says which **loss** fits pairwise preferences"
    )
    write_deck(tmp_path / "rounds", "vrec.round.md", rewritten)
    import_paths(collection, [str(tmp_path / "rounds")], workspace.clock.now())
    with collection.read() as conn:
        (again,) = round_summaries(conn)
    assert [item.uid for _s, item in again.round.items][2] != uids[2]


def test_a_bad_round_file_is_refused_whole_with_nothing_written(make_workspace, tmp_path):
    workspace = make_workspace({})
    write_deck(tmp_path / "in", "metrics.md", DECK.replace("Metrics", "Metrics two"))
    write_deck(tmp_path / "in", "vrec.round.md", ROUND.replace("cards: cloze-mrr", "cards: nope"))
    outcome = import_paths(workspace.collection, [str(tmp_path / "in")], workspace.clock.now())
    assert [e.message for e in outcome.errors] == ["no card has the id 'nope'"]
    assert workspace.decks() == []
    with workspace.collection.read() as conn:
        assert round_summaries(conn) == []


@pytest.mark.slow
def test_round_list_json_and_stats_json(tmp_path, isolated):
    write_deck(tmp_path, "metrics.md", DECK)
    write_deck(tmp_path, "vrec.round.md", ROUND)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "flashcards", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    imported = run("import", str(tmp_path))
    assert imported.returncode == 0 and "1 round: 1 added" in imported.stdout
    listed = json.loads(run("round", "--list", "--json").stdout)
    assert listed == [
        {
            "title": "Video recommendation",
            "steps": [
                {"name": "Clarify requirements", "minutes": 5.0, "items": 2},
                {"name": "Frame as an ML task", "minutes": 4.0, "items": 2},
            ],
            "attempts": 0,
            "best": None,
        }
    ]
    assert json.loads(run("stats", "--json").stdout)["rounds"] == []
    unknown = run("round", "nothing like it")
    assert unknown.returncode == 1
    assert "no round named 'nothing like it'. Known rounds: Video recommendation" in unknown.stderr


def test_stats_json_lists_each_attempt_with_step_scores(round_workspace, tmp_path):
    from flashcards.stats.figures import collect

    workspace = round_workspace
    collection, clock = workspace.collection, workspace.clock
    summary = find_round(collection, "vrec")
    for notes in ("watch time", "watch time, QPS"):
        run = start_round(collection, summary, clock.now)
        run.set_notes(notes)
        clock.advance(seconds=100)
        finish_round(collection, run, summary.id, tmp_path / "out", workspace.zone)
        clock.advance(days=1)
    figures = collect(workspace).to_json()
    first, second = figures["rounds"]
    assert first["title"] == "Video recommendation" and first["minutes"] == 9.0
    assert [s["score"] for s in first["steps"]] == [pytest.approx(2 / 3, abs=1e-4), 0.0]
    assert second["score"] == pytest.approx(3 / 5)
    assert first["steps"][0]["seconds"] == 100 and first["steps"][0]["budget_seconds"] == 300
    assert first["started_at"] < second["started_at"]
    weakest = figures["round_steps"][0]
    assert weakest == {
        "name": "Frame as an ML task",
        "attempts": 2,
        "coverage": 0.0,
        "reached": 0.0,
    }


def test_the_documented_example_is_a_valid_round():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "round-format.md").read_text(encoding="utf-8")
    example = doc.split("```markdown\n", 1)[1].split("\n```\n", 1)[0]
    parsed = parse_round(example, "example.round.md", "example")
    assert parsed.errors == []
    assert len(parsed.steps) == 7 and parsed.budget_seconds == 45 * 60
    builtin = load_paths([str(Path(__file__).parents[2] / "decks")])
    links = {card for _step, item in parsed.items for card in item.cards}
    assert links and links <= builtin.card_ids()


def test_a_round_cannot_take_the_id_of_a_round_from_another_file(round_workspace, tmp_path):
    workspace = round_workspace
    write_deck(tmp_path / "mine", "copy.round.md", ROUND.replace("vrec-", "mine-"))
    outcome = import_paths(workspace.collection, [str(tmp_path / "mine")], workspace.clock.now())
    first = tmp_path / "rounds" / "vrec.round.md"
    assert [e.message for e in outcome.errors] == [f"duplicate round id 'vrec' (first at {first})"]
    first.unlink()  # the first file is gone: its round may move to the new one
    outcome = import_paths(workspace.collection, [str(tmp_path / "mine")], workspace.clock.now())
    assert outcome.errors == [] and outcome.rounds.updated == 1
