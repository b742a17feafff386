"""What every screen shares: a failed background job becomes a message, never a crash."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual import getters

    from ..app import FlashcardsApp


class BaseScreen(Screen[None]):
    if TYPE_CHECKING:
        # Textual's typed `app` (its own declaration, narrowed), so that the screens see the
        # app's members (`workspace`, `pop_to_home`...). For the type checker only: at run time
        # `getters.app` checks the app's class at every access.
        app = getters.app(FlashcardsApp)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker state messages do not bubble, so each screen reports its own workers' errors.
        if event.state == WorkerState.ERROR:
            from ...study.failures import explain_failure

            error = event.worker.error
            assert error is not None  # a worker in the ERROR state holds its error
            message = explain_failure(error)
            self.notify(message, title="Something went wrong", severity="error", timeout=10)
            self.on_worker_failed()

    def on_worker_failed(self) -> None:
        """Put the screen back into a usable state after a failed job."""
