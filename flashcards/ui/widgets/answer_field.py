"""A field an answer is typed into, which hands it over on Enter before any key typed after.

An Input only asks for its Enter to be acted on once the keys already queued behind it have
been handled, and it types them into itself meanwhile: "Enter, 1" typed in one burst, to show
a basic question's answer and grade it correct, put the 1 in the notes and graded nothing, and
a letter typed just after Enter on a cloze joined the answer being marked. In an AnswerField,
keys that come after Enter go on to the screen's own keys instead, and Enter waits for the
screen to take the answer (`on_enter`) before they are handled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import events
from textual.widgets import Input

__all__ = ["AnswerField"]


class AnswerField(Input):
    def __init__(self, on_enter: Callable[[], Awaitable[None]], placeholder: str = "") -> None:
        super().__init__(placeholder=placeholder)
        self.on_enter = on_enter
        self.entered = False  # Enter seen, its answer not yet taken

    def _on_key(self, event: events.Key) -> None:
        # Textual calls Input's own handler after this one unless told not to.
        if event.key == "enter":
            self.entered = True  # before the keys queued behind it reach this field
        elif self.entered:
            event.prevent_default()  # not typed here: it goes on up to the screen's keys

    async def action_submit(self) -> None:
        try:
            await self.on_enter()
        finally:
            self.entered = False  # the answer was not taken (it could not be stored): type on
