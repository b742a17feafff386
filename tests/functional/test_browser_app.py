"""The card browser and the card detail, driven with Textual's pilot, and their snapshots."""

from __future__ import annotations

from sqlalchemy import select, update
from textual.widgets import DataTable, Input, Markdown, Static

from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.study.manage import reschedule_today
from flashcards.ui.app import FlashcardsApp
from flashcards.ui.screens.browser import BrowserScreen
from flashcards.ui.screens.card_detail import CardDetailScreen
from flashcards.ui.screens.confirm import ConfirmScreen
from flashcards.ui.screens.help import HelpScreen

from ..conftest import basic_deck, burst, settle, wait_for

cards = CardRow.__table__
reviews = ReviewRow.__table__

DECKS = {
    "01-metrics.md": """
---
title: Offline metrics
tags: [metrics]
---
# Ranking

Q: What does NDCG discount by?
A: The **log of the rank**.

Q: Which metric suits rare positives?
A: PR-AUC: it ignores the flood of true negatives.

C: MRR averages the {{reciprocal rank}} of the first relevant item.
""",
    "02-serving.md": basic_deck(3, "Serving", "serve"),
}


async def open_browser(pilot, query: str = "") -> BrowserScreen:
    await settle(pilot)
    screen = BrowserScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    if query:
        await pilot.press(*query)
        await searched(pilot, screen)
    return screen


async def searched(pilot, screen: BrowserScreen) -> None:
    """Wait for the results of the query as typed (the search waits for a pause in typing)."""
    await settle(pilot)  # the keys handled first, so that it is their search that is waited for
    await wait_for(pilot, lambda: screen.results_current, what="the results of the query")
    await settle(pilot)


def table_rows(screen) -> list[list]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def status(screen) -> str:
    return str(screen.query_one("#status", Static).render())


def card_row(workspace, front_start: str):
    with workspace.collection.read() as conn:
        return conn.execute(select(cards).where(cards.c.front.startswith(front_start))).one()


def study(workspace, clock, answers: list[int], days_between: float = 0) -> None:
    """Answer today's first card with each rating in turn, moving the clock between answers."""
    for rating in answers:
        session = workspace.review_session(ahead=True)
        assert session.next_card() is not None
        session.answer(rating)
        clock.advance(days=days_between)


async def test_typing_a_query_shows_the_matching_cards(make_workspace):
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        assert len(table_rows(screen)) == 6 and status(screen) == "6 cards"
        await pilot.press(*"deck:serving")
        await searched(pilot, screen)
        rows = table_rows(screen)
        assert [row[1] for row in rows] == [
            "serve question 0?",
            "serve question 1?",
            "serve question 2?",
        ]
        assert rows[0][2:] == ["Serving", "new", "–", "–", "0"]
        assert status(screen) == "3 cards"


async def test_enter_searches_at_once_and_moves_to_the_results(make_workspace):
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        screen.query_one(Input).value = "rank"
        await pilot.press("enter")
        await settle(pilot)
        assert [row[1] for row in table_rows(screen)] == [
            "What does NDCG discount by?",
            "MRR averages the […] of the…",  # one line, cut to the column's width
        ]
        assert screen.query_one(DataTable).has_focus


async def test_a_bad_query_says_what_and_where(make_workspace):
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot, "deck:serving colour:red")
        assert status(screen).startswith("unknown field 'colour:' at 14")
        assert screen.query_one("#status").has_class("error")
        assert len(table_rows(screen)) == 6  # the last good results stay
        screen.query_one(Input).value = "deck:serving"
        await searched(pilot, screen)
        assert status(screen) == "3 cards"


async def test_select_two_rows_and_suspend_them(make_workspace):
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot, "deck:serving")
        await pilot.press("down")  # from the query to the results
        assert screen.query_one(DataTable).has_focus
        await pilot.press("space", "space")
        assert status(screen) == "3 cards · 2 selected"
        assert [row[0] for row in table_rows(screen)] == ["● ", "● ", "  "]
        await pilot.press("s")
        await settle(pilot)
        suspended = [card_row(workspace, f"serve question {i}").suspended for i in range(3)]
        assert suspended == [True, True, False]
        assert [row[0] for row in table_rows(screen)] == ["●S", "●S", "  "]
        await pilot.press("s")  # all of the selection is suspended: unsuspend
        await settle(pilot)
        assert not any(card_row(workspace, f"serve question {i}").suspended for i in range(3))


async def test_select_all_selects_every_match_loaded_or_not(make_workspace):
    workspace = make_workspace({"big.md": basic_deck(450, "Big")})
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("down", "a")
        assert status(screen) == "450 cards · 450 selected · 200 loaded"
        await pilot.press("t")
        await settle(pilot)
        with workspace.collection.read() as conn:
            moved = conn.execute(select(cards.c.id).where(cards.c.position == -1)).all()
        assert len(moved) == 450
        await pilot.press("a")
        assert status(screen) == "450 cards · 200 loaded"


async def test_rows_load_as_the_cursor_nears_the_end(make_workspace):
    workspace = make_workspace({"big.md": basic_deck(450, "Big")})
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 200
        await pilot.press("down")
        table.move_cursor(row=170)
        await settle(pilot)
        assert table.row_count == 400
        assert table.get_row_at(399)[1].plain == "q question 399?"
        table.move_cursor(row=390)
        await settle(pilot)
        assert table.row_count == 450 and status(screen) == "450 cards"


async def test_reset_asks_first_then_resets(make_workspace, clock):
    workspace = make_workspace({"s.md": basic_deck(2)})
    study(workspace, clock, [4])
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot, "-is:new")
        await pilot.press("down", "r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert card_row(workspace, "q question 0").state == 2
        await pilot.press("r", "y")
        await settle(pilot)
        assert app.screen is screen
        assert card_row(workspace, "q question 0").state == 0
        assert table_rows(screen) == []  # no longer matches -is:new
        assert status(screen) == "0 cards"


async def test_detail_shows_the_card_its_state_and_history(make_workspace, clock):
    workspace = make_workspace(DECKS)
    study(workspace, clock, [3, 3], days_between=0.01)  # NDCG: learning step, then review
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_browser(pilot, "ndcg")
        await pilot.press("down", "enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, CardDetailScreen)
        assert detail.query_one("#front", Markdown).source == "What does NDCG discount by?"
        assert detail.query_one("#back", Markdown).source == "The **log of the rank**."
        memory = str(detail.query_one("#memory", Static).render())
        assert "State      Review · 2 reps · 0 lapses" in memory
        assert "stability" in memory and "difficulty" in memory and "recall now 100%" in memory
        assert "Deck       Offline metrics › Ranking" in memory
        table = detail.query_one(DataTable)
        history = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [row[1:3] for row in history] == [["Good", "New"], ["Good", "Learning"]]
        assert history[0][0] == "2026-01-05 09:00" and history[0][4] == "10m"
        await pilot.press("escape")
        assert isinstance(app.screen, BrowserScreen)


async def test_manual_changes_show_in_the_history(make_workspace, clock):
    workspace = make_workspace({"s.md": basic_deck(1)})
    study(workspace, clock, [4])
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_browser(pilot)
        await pilot.press("down", "t")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == ["Easy", "Manual"]
        with workspace.collection.read() as conn:
            states = conn.execute(select(reviews.c.rating, reviews.c.state_before)).all()
        assert states == [(4, 0), (0, 4)]


async def test_card_text_is_shown_as_written(make_workspace):
    workspace = make_workspace({"s.md": "Q: [b]not bold[/b] \x1b[31m red?\nA: yes\n"})
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        assert table_rows(screen)[0][1] == "[b]not bold[/b] ␛[31m red?"


async def test_edit_opens_the_editor_and_reimports(make_workspace, tmp_path, monkeypatch):
    workspace = make_workspace({"s.md": basic_deck(2)})
    editor = tmp_path / "editor.sh"
    editor.write_text(
        '#!/bin/sh\necho "$@" > "$(dirname "$0")/editor-args"\n'
        "sed -i 's/q question 1?/q question one?/' \"$2\"\n"
    )
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("down", "down", "e")
        await settle(pilot)
        assert [row[1] for row in table_rows(screen)] == ["q question 0?", "q question one?"]
    args = (tmp_path / "editor-args").read_text().split()
    assert args == ["+9", str(tmp_path / "decks" / "s.md")]


async def test_keys_and_help(make_workspace):
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot, "q")  # typed into the query: not "back"
        assert app.screen is screen and screen.query_one(Input).value == "q"
        await pilot.press("down", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_table = app.screen.query_one(DataTable)
        described = {help_table.get_row_at(i)[1] for i in range(help_table.row_count)}
        assert {
            "Card detail",
            "Select",
            "Suspend / unsuspend",
            "Reset to new (asks first)",
            "Reschedule to today",
            "Edit the card's file in $EDITOR",
            "Back",
        } <= described
        await pilot.press("escape")
        await pilot.press("slash")
        assert screen.query_one(Input).has_focus
        await pilot.press("escape")
        assert app.screen is not screen


# Snapshots ---------------------------------------------------------------------------------


def test_browser_snapshot(make_workspace, clock, snap_compare):
    workspace = make_workspace(DECKS)
    study(workspace, clock, [3, 3, 1], days_between=1)
    with workspace.collection.write() as conn:
        conn.execute(
            update(cards).where(cards.c.front.startswith("serve question 2")).values(suspended=True)
        )
    app = FlashcardsApp(workspace)

    async def search_and_select(pilot):
        await open_browser(pilot, "-deck:nothing*")
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.press("down", "down", "space")
        await settle(pilot)

    assert snap_compare(app, run_before=search_and_select, terminal_size=(80, 24))


def test_card_detail_snapshot(make_workspace, clock, snap_compare):
    workspace = make_workspace({"m.md": DECKS["01-metrics.md"].split("\nQ: Which")[0]})
    study(workspace, clock, [3, 3], days_between=0.01)  # learning step, then a review
    clock.advance(days=3)
    study(workspace, clock, [1], days_between=0.01)  # a lapse, then relearning
    study(workspace, clock, [3], days_between=1)
    reschedule_today(workspace.collection, [card_row(workspace, "What").id], clock.now())
    app = FlashcardsApp(workspace)

    async def open_detail(pilot):
        await open_browser(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(app, run_before=open_detail, terminal_size=(80, 24))


async def test_keys_typed_ahead_go_where_the_earlier_keys_sent_the_focus(make_workspace):
    # Keys in one burst, as a fast typist or a paste delivers them: all are queued before the
    # first is handled, and each must still act where the keys before it moved the focus.
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot, "ndcg")
        burst(app, "down", "enter")  # to the results, and open the card
        await settle(pilot)
        assert isinstance(app.screen, CardDetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        burst(app, "slash", "enter")  # back to the query, and Enter runs it: no detail
        await settle(pilot)
        assert app.screen is screen and screen.focused is screen.query_one(DataTable)
        burst(app, "slash", "down", "a", "space")  # select all, then unselect the first
        await settle(pilot)
        assert screen.query_one(Input).value == "ndcg"
        assert status(screen) == "1 card"  # all selected, then the only one unselected
        burst(app, "slash", *"rank", "down", "space")  # "/" selects the query: typing replaces it
        await searched(pilot, screen)
        assert screen.query_one(Input).value == "rank"
        assert status(screen) == "2 cards · 1 selected"
        burst(app, "slash", *"is:suspended")  # no s, u or s reaches the results' keys
        await searched(pilot, screen)
        assert screen.query_one(Input).value == "is:suspended" and status(screen) == "0 cards"
        # Row keys typed ahead of the search act on its results, not on the query's before.
        burst(app, "down", "slash", *"serve question 2", "down", "s")
        await searched(pilot, screen)
        assert card_row(workspace, "serve question 2").suspended
        assert not card_row(workspace, "What").suspended
        burst(app, "slash", *"deck:serving", "down", "enter")  # from the results
        await settle(pilot)
        assert isinstance(app.screen, CardDetailScreen)
        assert "serve question 0?" in app.screen.query_one("#front", Markdown).source


async def test_keys_typed_after_a_key_that_waits_for_the_search_come_after_it(make_workspace):
    # Typed in one burst: a query, Down, Enter (it waits for the results), then ? for help.
    # The card of the new results opens, and the help is the card's, over it; once closed,
    # the next search (the browser's, under the card) opens nothing more.
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        burst(app, *"ndcg", "down", "enter", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.source is app.screen_stack[-2]
        detail = app.screen_stack[-2]
        assert isinstance(detail, CardDetailScreen)
        assert "NDCG" in detail.query_one("#front", Markdown).source
        await pilot.press("escape")
        await settle(pilot)
        screen.run_search()
        await searched(pilot, screen)
        assert app.screen is detail
