"""Keys handled one at a time, in the order they were typed.

Textual hands each key to the widget that has the focus when the app reads the key, but the
bindings that move the focus only run once a key has come back up from that widget to the
app. Keys typed in one burst (by a fast typist, or while the app was busy) were read
before the keys ahead of them had moved the focus, and went to the wrong widget: "/suspended"
typed quickly from the browser's results suspended the card under the cursor instead of
searching, and Down then Enter in the query searched again instead of opening the card. An
app with `KeysInOrder` reads the next key only once the last one has been handled all the way:
by the widget it went to, by each widget above it, and by the app's bindings."""

from __future__ import annotations

import time
from collections import deque

from textual import events
from textual.app import App
from textual.dom import DOMNode

__all__ = ["KeysInOrder"]

# A key not seen through in this long is taken as handled: a widget that closes while a key
# is on its way through it never runs what was queued on it, and the keyboard must not stop.
STUCK_SECONDS = 1.0


class KeysInOrder(App):
    def __init__(self) -> None:
        super().__init__()
        self._key_busy = False  # a key is on its way through the widgets
        self._key_read_at = 0.0
        self._keys_waiting: deque[events.Key] = deque()

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
        elif self._key_busy:
            self._keys_waiting.append(event)
            if time.monotonic() - self._key_read_at > STUCK_SECONDS:
                await self._next_key()
        else:
            self._key_busy = True
            self._key_read_at = time.monotonic()
            target = self.focused or self.screen  # where Textual sends it, if no binding takes it
            try:
                await super().on_event(event)
            finally:
                self._after(target)

    @property
    def keys_pending(self) -> bool:
        """Whether a key typed is still being handled, or waiting to be."""
        return self._key_busy or bool(self._keys_waiting)

    def _after(self, node: DOMNode | None) -> None:
        """Read the next key once `node`, then each node above it, then the app, have handled
        everything queued for them so far (the key among it)."""
        while node is not None and node is not self:
            if node.call_later(self._after, node.parent):
                return
            node = node.parent  # gone (its screen closed): nothing more will reach it
        self.call_later(self._next_key)

    async def _next_key(self) -> None:
        self._key_busy = False
        if self._keys_waiting:
            await self.on_event(self._keys_waiting.popleft())
