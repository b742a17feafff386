"""Snapshots of the screens at 80×24 (and some at 60×20 and 100×30) with a fixed clock and
collection. Review the SVGs under tests/functional/__snapshots__/ when accepting a change (pytest
--snapshot-update)."""

from __future__ import annotations

from flashcards.ui.app import FlashcardsApp

from ..conftest import basic_deck, settled
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
    # New cards come from the two decks in turn: the choice card is the fifth.
    keys = settled(*["space", "4"] * 4, "space")
    assert snap_compare(app, run_before=keys, terminal_size=(80, 24))


def test_help_screen(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS), start="review")
    assert snap_compare(app, run_before=settled("question_mark"), terminal_size=(80, 24))


# A narrow terminal (60×20) and a mid-sized one (100×30): the header keeps its counts, the key
# bar wraps rather than losing Help and Quit.


def test_home_screen_60x20(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS))
    assert snap_compare(app, run_before=settled(), terminal_size=(60, 20))


def test_home_screen_100x30(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS))
    assert snap_compare(app, run_before=settled(), terminal_size=(100, 30))


def test_review_front_60x20(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS), start="review")
    assert snap_compare(app, run_before=settled(), terminal_size=(60, 20))


def test_review_answer_shown_60x20(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS), start="review")
    assert snap_compare(app, run_before=settled("space"), terminal_size=(60, 20))


def test_review_answer_shown_100x30(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace(DECKS), start="review")
    assert snap_compare(app, run_before=settled("space"), terminal_size=(100, 30))


def test_review_done_60x20(make_workspace, snap_compare):
    app = FlashcardsApp(make_workspace({"s.md": basic_deck(1)}), start="review")
    keys = settled("space", "4")
    assert snap_compare(app, run_before=keys, terminal_size=(60, 20))
