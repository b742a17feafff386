"""Review: one card at a time; reveal, rate 1–4 with the next interval shown on each choice."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from ...review_rules import Rating, topic_label
from ...study import CardRecord
from ...study.session import Left, ReviewSession
from ...terminal_text import inert
from ..formatting import card_markdown, local_when
from ..widgets.card_view import CardView
from ..widgets.keybar import KeyBar
from .base import BaseScreen

SNIPPET_CHARACTERS = 40  # of a card's front, to name it in a message
# What a step of the review gives back: the card to show next (None: done), and a note.
Step = tuple[CardRecord | None, str | None]


class ReviewScreen(BaseScreen):
    DEFAULT_CSS = """
    ReviewScreen #status { height: 1; padding: 0 1; background: $primary; color: $text; }
    ReviewScreen #path { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    ReviewScreen #counts { width: auto; margin: 0 0 0 2; }
    ReviewScreen #answers { height: auto; min-height: 1; padding: 0 1; background: $panel; }
    ReviewScreen #done { height: 1fr; padding: 1 2; display: none; }
    ReviewScreen.finished #done { display: block; }
    ReviewScreen.finished CardView, ReviewScreen.finished #answers { display: none; }
    """
    # The key bar shows the keys that apply now (`check_action`): Show answer before the
    # answer, none of it after; the ratings are listed with their intervals above the bar.
    # A `tooltip` is the longer description the help screen gives.
    BINDINGS = [
        Binding(
            "space,enter", "reveal", "Show answer", key_display="Space/Enter", id="review.reveal"
        ),
        Binding("1", "rate(1)", "Again", id="review.again", show=False),
        Binding("2", "rate(2)", "Hard", id="review.hard", show=False),
        Binding("3", "rate(3)", "Good", id="review.good", show=False),
        Binding("4", "rate(4)", "Easy", id="review.easy", show=False),
        Binding("b", "bury", "Bury", tooltip="Bury until tomorrow", id="review.bury"),
        Binding("s", "suspend", "Suspend", id="review.suspend"),
        Binding("e", "edit", "Edit", tooltip="Edit the card's file in $EDITOR", id="review.edit"),
        Binding("u", "undo", "Undo", id="review.undo"),
        Binding(
            "a",
            "study_ahead",
            "Study ahead",
            tooltip="When done: study cards due this week",
            id="review.ahead",
        ),
        Binding("x", "exam", "Exam", tooltip="When done: start an exam", id="review.exam"),
        Binding("question_mark", "help", "Help", key_display="?", id="review.help"),
        Binding("q,escape", "home", "Home", id="review.home"),
    ]

    @dataclass
    class Shown(Message):
        """The worker has moved the session to a new card (or to the end of today's queue)."""

        card: CardRecord | None
        left: Left  # cards still to study today
        note: str | None = None
        next_due: datetime | None = None  # when there is no card: when the next one is due

    def __init__(self, deck_ids: list[int] | None, *, ahead: bool = False) -> None:
        super().__init__()
        self.deck_ids = deck_ids
        self.ahead = ahead
        self.session: ReviewSession | None = None
        self.revealed = False
        self.busy = True
        self.next_due: datetime | None = None
        self.left = Left(0, 0, 0)

    @property
    def started(self) -> ReviewSession:
        """The session once `start` has made it: every step and key that uses it comes after."""
        if self.session is None:
            raise RuntimeError("the review has not started")
        return self.session

    def compose(self) -> ComposeResult:
        with Horizontal(id="status"):
            yield Static("", id="path")
            yield Static("", id="counts")
        yield CardView()
        yield Static("", id="answers")
        yield Static("", id="done")
        yield KeyBar()

    def on_mount(self) -> None:
        self.start()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review")
    def start(self) -> None:
        self.session = self.app.workspace.review_session(self.deck_ids, ahead=self.ahead)
        self.post(self.session.next_card())

    @work(thread=True, exclusive=True, exit_on_error=False, group="review")
    def run_step(self, step: Callable[[ReviewSession], Step]) -> None:
        """Do one database step off the interface thread, then show what comes next."""
        card, note = step(self.started)
        self.post(card, note)

    # The steps, each run in the worker: the card to show next, and a note to tell, if any.

    def answer(self, rating: int, session: ReviewSession) -> Step:
        result = session.answer(rating)
        note = None
        if not result.saved:
            note = "Another window had already answered this card: skipped."
        elif result.became_leech:
            note = "That card is a leech (lapsed too often): it is now suspended. Rewrite it?"
        return session.next_card(), note

    def undo(self, session: ReviewSession) -> Step:
        what = session.undo_what
        card = session.undo()
        if card is None:
            return session.current, "Nothing to undo."
        if what in ("bury", "suspend"):
            verb = "burying" if what == "bury" else "suspending"
            return card, f"Undid {verb} {snippet(card)}"
        return card, f"Undid {what} on {snippet(card)}"

    def bury(self, session: ReviewSession) -> Step:
        shown = session.bury()
        note = f"Buried until tomorrow: {snippet(shown)}" if shown is not None else None
        return session.next_card(), note

    def suspend(self, session: ReviewSession) -> Step:
        shown = session.suspend()
        note = f"Suspended: {snippet(shown)}" if shown is not None else None
        return session.next_card(), note

    def reimport(self, source_file: str, session: ReviewSession) -> Step:
        """Import the card's deck file again after it was changed in the editor."""
        problems = self.app.workspace.reimport(source_file)
        note = None
        if problems:
            note = "The deck has errors, so it was not re-imported:\n" + "\n".join(problems[:5])
        return session.reload_current(), note

    def post(self, card: CardRecord | None, note: str | None = None) -> None:
        """From a worker: show this card, or (with the database still at hand) the end."""
        next_due = None if card is not None else self.app.workspace.overview(self.deck_ids).next_due
        self.post_message(self.Shown(card, self.started.left, note, next_due))

    def on_worker_failed(self) -> None:
        self.busy = False

    @on(Shown)
    async def show(self, message: Shown) -> None:
        self.revealed = False
        if message.note:
            self.tell(message.note)
        self.next_due = message.next_due
        self.left = message.left
        await self.render_card(message.card)
        self.busy = False

    def tell(self, note: str) -> None:
        """One message at a time: the last one replaces any still showing. None while the
        help (or another screen) is on top: it would be drawn over it."""
        if not self.is_current:
            return
        self.app.clear_notifications()
        self.notify(note, markup=False)

    async def render_card(self, card: CardRecord | None) -> None:
        session = self.started
        path = self.query_one("#path", Static)
        counts = self.query_one("#counts", Static)
        if card is None:
            self.add_class("finished")
            path.update(f"Done: {session.done} answered")
            counts.update("")
            await self.show_finished()
            self.refresh_bindings()
            return
        self.remove_class("finished")
        # The counts keep their room; the deck and topic are shortened when the line is narrow.
        path.update(Text(inert(topic_label(card.deck_name, card.topic))))
        left = self.left
        counts.update(
            f"[b]{left.new}[/b] new · [b]{left.learning}[/b] learn · [b]{left.review}[/b] due"
            f" · {session.done} done"
        )
        front, back = card_markdown(card, self.revealed)
        await self.query_one(CardView).show(_card_label(card), front, back)
        self.query_one("#answers", Static).update(self._answer_bar())
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Which keys apply now; the key bar lists only those."""
        finished = self.has_class("finished")
        showing = not finished and self.session is not None and self.session.current is not None
        if action == "reveal":
            return showing and not self.revealed
        if action == "rate":
            return showing and self.revealed
        if action in ("bury", "suspend", "edit"):
            return showing
        if action == "undo":
            return self.session is not None and self.session.can_undo
        if action in ("study_ahead", "exam"):
            return finished
        return True

    def _answer_bar(self) -> str:
        if not self.revealed:
            return "Recall the answer, then press [b]Space[/b] to see it."
        intervals = self.started.intervals()
        return "   ".join(
            f"[b]{int(rating)}[/b] {rating.name} [dim]{intervals.get(rating, '')}[/dim]"
            for rating in Rating
        )

    async def show_finished(self) -> None:
        workspace = self.app.workspace
        when = local_when(self.next_due, workspace.zone, workspace.clock.now())
        done = self.started.done
        self.query_one("#done", Static).update(
            "[b]Nothing more is due now.[/b]\n\n"
            f"You answered {done} card{'s' * (done != 1)} "
            f"in this session. Next card due: {when}.\n\n"
            "[b]a[/b] study ahead (cards due in the next week)    "
            "[b]x[/b] start an exam    [b]q[/b] home"
        )

    # Actions -----------------------------------------------------------------------------

    def _ready(self) -> bool:
        return self._card_at_hand() is not None

    def _card_at_hand(self) -> CardRecord | None:
        """The card the keys act on: none while a step runs, before the start or when done."""
        if self.busy or self.session is None:
            return None
        return self.session.current

    async def action_reveal(self) -> None:
        card = self._card_at_hand()
        if card is None or self.revealed:
            return
        self.revealed = True
        await self.render_card(card)

    def action_rate(self, rating: int) -> None:
        if not self._ready() or not self.revealed:
            return
        self.busy = True
        self.run_step(functools.partial(self.answer, rating))

    def action_undo(self) -> None:
        if self.busy or self.session is None:
            return
        if not self.session.can_undo:
            self.tell("Nothing to undo.")
            return
        self.busy = True
        self.remove_class("finished")
        self.run_step(self.undo)

    def action_bury(self) -> None:
        if self._ready():
            self.busy = True
            self.run_step(self.bury)

    def action_suspend(self) -> None:
        if self._ready():
            self.busy = True
            self.run_step(self.suspend)

    def action_study_ahead(self) -> None:
        if self.has_class("finished") and not self.busy:
            self.app.switch_screen(ReviewScreen(self.deck_ids, ahead=True))

    def action_exam(self) -> None:
        if self.has_class("finished") and not self.busy:
            self.app.pop_to_home()
            self.app.start_exam(self.deck_ids)

    def action_edit(self) -> None:
        card = self._card_at_hand()
        if card is None or not self.app.open_in_editor(card.source_file, card.source_line):
            return
        self.busy = True
        self.run_step(functools.partial(self.reimport, card.source_file))

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self, "Review: keys"))

    def action_home(self) -> None:
        self.app.pop_to_home()


def snippet(card: CardRecord) -> str:
    """The start of a card's front in quotes, to say which card a message is about."""
    text = " ".join(inert(card.front).split())
    if len(text) > SNIPPET_CHARACTERS:
        text = text[: SNIPPET_CHARACTERS - 1].rstrip() + "…"
    return f"'{text}'"


def _card_label(card: CardRecord) -> str:
    kind = {"basic": "Question", "cloze": "Fill in the blank", "choice": "Multiple choice"}
    return kind.get(card.kind, card.kind)
