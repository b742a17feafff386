"""The study app driven with Textual's pilot: home, review, undo, help, the end of the queue."""

from __future__ import annotations

from sqlalchemy import func, select
from textual.geometry import Region
from textual.widgets import DataTable, Markdown, Static

from flashcards.storage.tables import CardRow, ReviewRow
from flashcards.ui.app import FlashcardsApp
from flashcards.ui.screens.help import HelpScreen
from flashcards.ui.screens.home import HomeScreen
from flashcards.ui.screens.review import ReviewScreen

from ..conftest import basic_deck, settle

DECKS = {
    "01-metrics.md": """
---
title: Metrics
---
# Ranking

Q: What does NDCG discount by?
A: The **log of the rank**.

```text
DCG = Σ gain_i / log2(i + 1)
```

C: MRR averages the {{reciprocal rank}} of the first relevant item.

Q: Which metric suits rare positives?
- [ ] Accuracy
- [x] PR-AUC
A: PR-AUC ignores the flood of true negatives.
""",
    "02-serving.md": basic_deck(3, "Serving", "serve"),
}


def review_count(workspace) -> int:
    with workspace.collection.read() as conn:
        return conn.execute(select(func.count()).select_from(ReviewRow.__table__)).scalar()


def header(screen) -> str:
    """The review screen's top line: the deck and topic, then the counts."""
    return " ".join(str(screen.query_one(part, Static).render()) for part in ("#path", "#counts"))


def keys_shown(app) -> str:
    from flashcards.ui.widgets.keybar import KeyBar

    return app.screen.query_one(KeyBar).render().plain


def markdown_text(app, selector: str) -> str:
    widget = app.screen.query_one(selector, Markdown)
    return widget.source


async def test_home_lists_decks_with_counts(make_workspace):
    workspace = make_workspace(DECKS, new_per_day=20)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [["Metrics", "3", "0", "0", "3"], ["Serving", "3", "0", "0", "3"]]
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "6 new" in summary and "Streak: 0 days" in summary


async def test_review_flow_reveal_rate_undo_and_back_home(make_workspace):
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # study the selected deck: Metrics
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert markdown_text(app, "#front") == "What does NDCG discount by?"
        status = header(screen)
        assert "Metrics › Ranking" in status and "3 new · 0 learn · 0 due · 0 done" in status
        await pilot.press("3")  # rating before the answer is shown does nothing
        await settle(pilot)
        assert review_count(workspace) == 0
        await pilot.press("space")
        await settle(pilot)
        assert "log of the rank" in markdown_text(app, "#back")
        answers = str(screen.query_one("#answers", Static).render())
        assert "1 Again 1m" in answers and "3 Good 10m" in answers
        await pilot.press("3")
        await settle(pilot)
        assert review_count(workspace) == 1
        assert markdown_text(app, "#front").startswith("MRR averages the **[…]**")
        await pilot.press("u")
        await settle(pilot)
        assert review_count(workspace) == 0
        assert markdown_text(app, "#front") == "What does NDCG discount by?"
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_choice_card_shows_options_and_marks_the_right_one(make_workspace):
    workspace = make_workspace({"m.md": DECKS["01-metrics.md"]})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(2):
            await pilot.press("space", "4")
            await settle(pilot)
        front = markdown_text(app, "#front")
        assert "- a) Accuracy" in front and "- b) PR-AUC" in front
        await pilot.press("space")
        await settle(pilot)
        assert "- b) **PR-AUC** ✓" in markdown_text(app, "#front")


async def test_finishing_the_queue_says_when_the_next_card_is_due(make_workspace):
    workspace = make_workspace({"s.md": basic_deck(1)})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "4")
        await settle(pilot)
        done = str(app.screen.query_one("#done", Static).render())
        assert "Nothing more is due now." in done
        assert "Next card due: " in done and "study ahead" in done
        await pilot.press("a")  # study ahead
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.ahead


async def test_bury_and_suspend_keys(make_workspace):
    workspace = make_workspace({"s.md": basic_deck(3)})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        with workspace.collection.read() as conn:
            table = CardRow.__table__
            buried = conn.execute(
                select(func.count()).where(table.c.buried_until.is_not(None))
            ).scalar()
            suspended = conn.execute(
                select(func.count()).where(table.c.suspended.is_(True))
            ).scalar()
        assert (buried, suspended) == (1, 1)
        assert markdown_text(app, "#front") == "q question 2?"


async def test_help_lists_every_key(make_workspace):
    workspace = make_workspace({"s.md": basic_deck(1)})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        described = {table.get_row_at(i)[1] for i in range(table.row_count)}
        assert {
            "Show answer",
            "Again",
            "Hard",
            "Good",
            "Easy",
            "Undo",
            "Suspend",
            "Home",
        } <= described
        assert "Bury until tomorrow" in described and "Edit the card's file in $EDITOR" in described
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_edit_opens_the_editor_at_the_line_and_reimports(
    make_workspace, tmp_path, monkeypatch
):
    workspace = make_workspace({"s.md": basic_deck(2)})
    editor = tmp_path / "editor.sh"
    # A stand-in editor: records its arguments and fixes the answer of the card.
    editor.write_text(
        '#!/bin/sh\necho "$@" > "$(dirname "$0")/editor-args"\n'
        "sed -i 's/q answer 0./q answer zero./' \"$2\"\n"
    )
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert markdown_text(app, "#back") == "q answer zero."
    args = (tmp_path / "editor-args").read_text().split()
    assert args == ["+6", str(tmp_path / "decks" / "s.md")]


async def test_keys_are_ignored_while_nothing_is_shown(make_workspace):
    workspace = make_workspace({})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "3", "b", "s", "u")
        await settle(pilot)
        assert review_count(workspace) == 0
        assert "Nothing more is due now." in str(app.screen.query_one("#done", Static).render())


async def test_slash_on_home_opens_the_browser(make_workspace):
    from flashcards.ui.screens.browser import BrowserScreen

    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_started_on_review_q_builds_the_home_screen_then(make_workspace):
    workspace = make_workspace(DECKS)
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not any(isinstance(screen, HomeScreen) for screen in app.screen_stack)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 2  # the default screen and home: nothing left behind
        await pilot.press("a")  # and studying from there works as from a normal start
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("q")
        assert isinstance(app.screen, HomeScreen)


async def test_the_key_bar_lists_the_keys_that_apply_now(make_workspace):
    workspace = make_workspace({"s.md": basic_deck(1)})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = keys_shown(app)
        for key in ("Show answer", "Bury", "Suspend", "Edit", "Help", "Home"):
            assert key in before
        assert "Undo" not in before and "Study ahead" not in before  # nothing to undo yet
        await pilot.press("space")
        await settle(pilot)
        after = keys_shown(app)
        assert "Show answer" not in after and "Bury" in after
        assert "1 Again" in str(app.screen.query_one("#answers", Static).render())
        await pilot.press("3")
        await settle(pilot)  # learn-ahead brings the card back
        await pilot.press("space", "4")
        await settle(pilot)
        done = keys_shown(app)
        assert "Nothing more is due now." in str(app.screen.query_one("#done", Static).render())
        assert "Show answer" not in done and "Bury" not in done
        for key in ("Study ahead", "Exam", "Undo", "Help", "Home"):
            assert key in done


async def test_messages_name_what_was_done_and_do_not_stack(make_workspace, notified):
    workspace = make_workspace({"s.md": basic_deck(3)})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert notified.shown == ["Buried until tomorrow: 'q question 0?'"]
        await pilot.press("s")
        await settle(pilot)
        assert notified.shown == ["Suspended: 'q question 1?'"]  # replaces the one before
        await pilot.press("space", "3")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert notified.shown == ["Undid Good on 'q question 2?'"]
        await pilot.press("u")
        await settle(pilot)
        assert notified.shown == ["Undid suspending 'q question 1?'"]
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and notified.shown == []  # none over the help


async def test_the_header_counts_new_learning_and_due_left(make_workspace):
    workspace = make_workspace({"s.md": basic_deck(3)})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "3 new · 0 learn · 0 due · 0 done" in header(app.screen)
        await pilot.press("space", "1")  # Again: a learning card, back in a minute
        await settle(pilot)
        assert "2 new · 1 learn · 0 due · 1 done" in header(app.screen)


async def test_at_60_columns_the_header_keeps_its_counts(make_workspace):
    long = basic_deck(2, "A deck with a rather long title about serving systems").replace(
        "# Topic", "# A topic whose name goes on for quite a while"
    )
    workspace = make_workspace({"s.md": long})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        drawn = []
        for part in ("#path", "#counts"):
            widget = app.screen.query_one(part)
            lines = widget.render_lines(Region(0, 0, widget.size.width, 1))
            drawn.append("".join(segment.text for segment in lines[0]).strip())
        path, counts = drawn
        assert counts == "2 new · 0 learn · 0 due · 0 done"  # whole, at the right
        assert path.startswith("A deck with a rather") and path.endswith("…")


async def test_on_a_wide_terminal_the_card_keeps_a_readable_width(make_workspace):
    workspace = make_workspace({"s.md": basic_deck(1)})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        for part in ("#front", "#back"):
            region = app.screen.query_one(part).region
            assert region.width == 100
            assert abs(region.x - (200 - region.right)) <= 2  # centred
