"""Keys typed ahead, on the screens where text is typed (the browser and the exam).

Textual sends a key to the widget that has the focus when it reads the key, but runs an
ordinary binding only once the key has come back up from that widget to the app. Keys typed in
one burst (by a fast typist, or by any typist while the app was busy drawing) were sent on
before the keys ahead of them had acted: "/suspended" typed from the browser's results
suspended the card under the cursor instead of searching. A priority binding runs as its key is
read, and the next key is read only once its action has returned. So, on a screen with text
fields, every key that moves the focus, opens a screen or acts on what was typed is a priority
binding whose action:

- first waits for what the keys before it are still doing: `caught_up(field)` until the field
  has taken the characters typed into it (the browser also waits for its search);
- moves the focus with `Screen.set_focus`, which acts at once (`Widget.focus()` waits for the
  keys already read);
- gives way (`SkipAction`) when its key is text for the field that has the focus.

A `TextField` runs its own editing keys (Backspace, the arrows, Home, ...) the same way, so they
act in order with the characters typed before and after them. Screens without text fields need
none of this: each of their keys goes the same way, through the screen, in the order typed.
"""

from __future__ import annotations

import asyncio

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

__all__ = ["TextField", "caught_up"]

# How often to look whether a widget waited for is still there (one removed meanwhile never
# gets to the wait's end, and its keys no longer matter).
STILL_THERE_SECONDS = 0.1


async def caught_up(widget: Widget) -> None:
    """Wait until `widget` has handled every message sent to it so far: the keys typed into it
    before the key being handled."""
    handled = asyncio.Event()
    if not widget.call_later(handled.set):
        return  # closed: nothing more reaches it
    while widget.is_attached:
        try:
            await asyncio.wait_for(handled.wait(), STILL_THERE_SECONDS)
            return
        except TimeoutError:
            pass


class TextField(Input):
    """An Input whose editing keys act in the order typed. An Input types a character as it
    reads the key, but its bindings (Backspace, the arrows, ...) run only once the key has come
    back up to the app: "abc", Backspace, "d" typed in one burst gave "abc" (the Backspace
    deleted the "d" typed after it). Here they are priority bindings that first let the field
    type what came before them."""

    BINDINGS = [
        Binding(
            binding.key,
            f"in_order({binding.action!r})",
            binding.description,
            show=False,
            priority=True,
        )
        for binding in Input.BINDINGS
        if isinstance(binding, Binding) and binding.action != "submit"
    ]

    async def action_in_order(self, action: str) -> None:
        await caught_up(self)
        await self.run_action(action)
