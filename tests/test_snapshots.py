"""Snapshots of the screens at 80×24 with a fixed clock and collection. Review the SVGs under
tests/__snapshots__/ when accepting a change (pytest --snapshot-update)."""

from __future__ import annotations

from flashcards.ui.app import FlashcardsApp

from .conftest import settled
from .test_review_app import DECKS


def test_home_screen(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS))
    assert snap_compare(app, run_before=settled(), terminal_size=(80, 24))


def test_review_front(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS), start="review")
    assert snap_compare(app, run_before=settled(), terminal_size=(80, 24))


def test_review_answer_shown_with_intervals(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS), start="review")
    assert snap_compare(app, run_before=settled("space"), terminal_size=(80, 24))


def test_review_choice_card_revealed(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS), start="review")
    keys = settled("space", "4", "space", "4", "space")
    assert snap_compare(app, run_before=keys, terminal_size=(80, 24))


def test_help_screen(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS), start="review")
    assert snap_compare(app, run_before=settled("question_mark"), terminal_size=(80, 24))
