"""Recall now is one figure: with the collection's fitted parameters, the statistics, an exam
that favours weak cards, a search on `r<` and the scheduler that reviews all give a card the
same probability of recall."""

from datetime import timedelta

import pytest

from flashcards.optimizer.store import save_parameter_set
from flashcards.scheduling.recall import retrievability
from flashcards.scheduling.scheduler import make_scheduler
from flashcards.search import search
from flashcards.stats.figures import collect
from flashcards.storage.cards import fetch_cards
from flashcards.study import exam as exam_module
from flashcards.study.exam import ExamSpec

from .test_scheduling import ids_by_front, make_review_card

# Fitted parameters far from the defaults in the curve's shape (w20) and elsewhere.
FITTED = (
    0.5, 1.4, 3.2, 16.0, 7.0, 0.5, 1.6, 0.01, 1.5, 0.15, 1.0,
    1.9, 0.1, 0.3, 2.3, 0.2, 3.0, 0.5, 0.6, 0.1, 0.6,
)  # fmt: skip

DECK = "# Topic\n\n" + "\n".join(f"Q: q{i}?\nA: a{i}\n" for i in range(6))


@pytest.fixture
def studied(make_workspace, clock):
    """Six review cards, last seen 1 to 60 days ago with stabilities of 2 to 30 days, and the
    fitted parameters accepted."""
    workspace = make_workspace({"d.md": DECK})
    now = clock.now()
    ids = ids_by_front(workspace)
    for i, (days_ago, stability) in enumerate(
        [(1, 2), (10, 4), (30, 10), (60, 20), (90, 10), (120, 5)]
    ):
        due = now - timedelta(days=days_ago) + timedelta(days=stability)
        make_review_card(workspace, ids[f"q{i}?"], due, stability)
    save_parameter_set(workspace.collection, FITTED, now=now, reviews=1000)
    return workspace


def recalls(workspace, parameters) -> dict[int, float]:
    with workspace.collection.read() as conn:
        cards = fetch_cards(conn, list(ids_by_front(workspace).values()))
    now = workspace.clock.now()
    return {
        card_id: retrievability(card.stability, card.last_review, now, parameters)
        for card_id, card in cards.items()
    }


def test_the_fitted_parameters_change_recall_so_the_test_can_tell(studied):
    fitted, default = recalls(studied, FITTED), recalls(studied, None)
    differ = [i for i in fitted if abs(fitted[i] - default[i]) > 0.04]
    assert len(differ) >= 4
    # the search thresholds below split the cards differently under the two sets
    for threshold in (0.6, 0.7):
        assert {i for i in fitted if fitted[i] < threshold} != {
            i for i in default if default[i] < threshold
        }


def test_review_scheduler_and_the_one_curve_agree(studied):
    scheduler = make_scheduler(studied.config, parameters=FITTED)
    with studied.collection.read() as conn:
        cards = fetch_cards(conn, list(ids_by_front(studied).values()))
    now = studied.clock.now()
    ours = recalls(studied, FITTED)
    for card_id, card in cards.items():
        assert scheduler.get_card_retrievability(card.to_fsrs(), now) == pytest.approx(
            ours[card_id], rel=1e-12
        )


def test_statistics_use_the_fitted_parameters(studied):
    figures = collect(studied).to_json()
    (deck,) = figures["decks"]
    expected = recalls(studied, FITTED)
    assert deck["retrievability"] == pytest.approx(sum(expected.values()) / len(expected), abs=1e-3)


def test_search_on_recall_uses_the_fitted_parameters(studied):
    expected = recalls(studied, FITTED)
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        found = set(
            search(
                studied.collection,
                f"r<{threshold}",
                studied.today(),
                studied.clock.now(),
                parameters=FITTED,
            )
        )
        assert found == {i for i, r in expected.items() if r < threshold}, threshold
    # ... and the workspace hands the search the accepted set, as the browser does
    studied.review_session()
    assert studied.parameters == FITTED


def test_an_exam_of_weak_cards_weighs_them_by_the_fitted_recall(studied, monkeypatch):
    seen: dict[int, float] = {}
    real = exam_module._weakness

    def spy(card, recall, missed_before):
        seen[card.id] = recall
        return real(card, recall, missed_before)

    monkeypatch.setattr(exam_module, "_weakness", spy)
    studied.new_exam(ExamSpec(count=3, seed=1, weak=True))
    expected = recalls(studied, FITTED)
    assert seen == pytest.approx(expected, rel=1e-12)
