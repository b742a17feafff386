"""Keys typed ahead, on the screens where text is typed (the browser, the exam, a round).

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
- gives way when its key is text for the field that has the focus (`skip_if_typing`).

A `TextField` (an Input) and a `NotesField` (a TextArea) run their own editing keys (Backspace,
the arrows, Home, ...) the same way, so they act in order with the characters typed before and
after them. Screens without text fields need none of this: each of their keys goes the same way,
through the screen, in the order typed.
"""

from __future__ import annotations

import asyncio

from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

__all__ = ["NotesField", "TextField", "caught_up", "skip_if_typing"]

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


def skip_if_typing(screen: Screen) -> None:
    """In the action of a priority binding for a letter, a digit or Space: while a text field
    has the focus, give the key to it (the binding is skipped, and the key typed)."""
    if isinstance(screen.focused, (Input, TextArea)):
        raise SkipAction()


def in_order(bindings: list[BindingType], leave: tuple[str, ...] = ()) -> list[BindingType]:
    """A text widget's bindings as priority bindings that run `act_in_order`, but for the keys
    in `leave` (the screen's own bindings for them act instead) and an Input's Enter."""
    return [
        Binding(
            binding.key,
            f"in_order({binding.action!r})",
            binding.description,
            show=False,
            priority=True,
        )
        for binding in bindings
        if isinstance(binding, Binding) and binding.action != "submit" and binding.key not in leave
    ]


async def act_in_order(widget: Widget, action: str) -> None:
    """Run one of a text widget's own bindings once the widget has typed what came before it.
    A text widget types a character as it reads the key, but runs its bindings (Backspace,
    the arrows, ...) only once the key has come back up to the app: "abc", Backspace, "d" typed
    in one burst gave "abc" (the Backspace deleted the "d" typed after it)."""
    await caught_up(widget)
    await widget.run_action(action)


class TextField(Input):
    """An Input whose editing keys act in the order typed."""

    BINDINGS = in_order(Input.BINDINGS)

    async def action_in_order(self, action: str) -> None:
        await act_in_order(self, action)


class NotesField(TextArea):
    """A TextArea whose editing keys act in the order typed (PageUp and PageDown aside: a round
    moves between its steps with them)."""

    BINDINGS = in_order(TextArea.BINDINGS, leave=("pageup", "pagedown"))

    async def action_in_order(self, action: str) -> None:
        await act_in_order(self, action)
