"""The mock design rounds shipped with the curriculum: complete, timed, and answering the usual
clarifying questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from flashcards.deck import load_paths
from flashcards.rounds.results import suggest_marks
from flashcards.rounds.run import StepProgress, answer_question
from flashcards.rounds.steps import FRAMEWORK_STEPS

DECKS = Path(__file__).parents[2] / "decks"

# The ten classic case studies of deck 10, one round each.
CASE_ROUNDS = (
    "visual-search",
    "street-view-blurring",
    "video-search",
    "harmful-content",
    "video-recommendation",
    "event-recommendation",
    "ad-click-prediction",
    "similar-listings",
    "news-feed",
    "people-you-may-know",
)

# What a candidate asks in the first minutes of any of them; each must get an answer, not the
# neutral "state an assumption" reply.
USUAL_QUESTIONS = (
    "What is the scale, how many daily active users?",
    "What's the latency budget?",
    "What is the business objective?",
    "What labels or feedback do we have?",
    "What's the positive rate, is the data imbalanced?",
    "Any privacy or compliance constraints?",
    "Which regions and languages?",
    "What does the current system do today?",
    "What hardware and compute budget do we have?",
)


@pytest.fixture(scope="module")
def loaded():
    result = load_paths([str(DECKS)])
    assert result.errors == []
    return result


@pytest.fixture(scope="module")
def rounds(loaded):
    by_key = {parsed.key: parsed for parsed in loaded.rounds}
    assert set(CASE_ROUNDS) <= set(by_key)
    return [by_key[key] for key in CASE_ROUNDS]


def test_every_case_round_runs_the_seven_steps_in_45_minutes(rounds):
    framework = [name for name, _, _ in FRAMEWORK_STEPS]
    for parsed in rounds:
        assert [step.name for step in parsed.steps] == framework, parsed.path
        assert parsed.budget_seconds == 45 * 60, parsed.path
        assert 2 <= parsed.prompt.count(".") + parsed.prompt.count("?") <= 4, parsed.path
        assert len(parsed.facts) >= 8, parsed.path
        for step in parsed.steps:
            assert len(step.items) >= 5, (parsed.path, step.name)
            assert max(item.weight for item in step.items) >= 2, (parsed.path, step.name)


def test_every_rubric_item_keeps_its_history_by_an_id_of_its_round(rounds):
    for parsed in rounds:
        for _, item in parsed.items:
            assert item.explicit_id and item.explicit_id.startswith(parsed.key + "-"), item.text


def test_rubric_items_lead_back_to_cards_that_exist(loaded, rounds):
    card_ids = loaded.card_ids()  # a cloze paragraph's id names all of its cards
    for parsed in rounds:
        linked = [card for _, item in parsed.items for card in item.cards]
        assert len(linked) >= 40, parsed.path
        assert set(linked) <= card_ids, set(linked) - card_ids


@pytest.mark.parametrize("question", USUAL_QUESTIONS)
def test_the_usual_clarifying_questions_reveal_a_fact(rounds, question):
    unanswered = [parsed.key for parsed in rounds if not answer_question(parsed, question)]
    assert unanswered == []


def test_notes_that_say_nothing_specific_cover_almost_nothing(rounds):
    vague = "Build a model, train it on the data, deploy it and check that it works."
    for parsed in rounds:
        steps = [StepProgress(step.name, step.budget_seconds, notes=vague) for step in parsed.steps]
        covered = [mark for mark in suggest_marks(parsed, steps) if mark.suggested]
        assert len(covered) <= 2, (parsed.path, [mark.item.text for mark in covered])
