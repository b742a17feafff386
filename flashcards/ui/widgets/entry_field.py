"""A text field whose Enter is acted on before the next key is read.

An Input answers Enter by posting a Submitted message, which its screen handles some time
later: even with keys read one at a time (`flashcards.ui.key_order`), the key typed after Enter
could be read before that, and go to the field: "Enter, 1" in an exam typed the 1 into the notes
instead of grading the answer just shown, and a letter typed after Enter on a cloze joined the
answer being marked. An EntryField's Enter runs `on_enter` (the screen's own handling) as part
of handling the key, so the key after it is read once the screen has acted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.widgets import Input

__all__ = ["EntryField"]


class EntryField(Input):
    def __init__(
        self,
        on_enter: Callable[[], Awaitable[None] | None],
        value: str = "",
        placeholder: str = "",
        id: str | None = None,  # noqa: A002 (Textual's name)
    ) -> None:
        super().__init__(value, placeholder=placeholder, id=id)
        self.on_enter = on_enter

    async def action_submit(self) -> None:
        result = self.on_enter()
        if result is not None:
            await result
