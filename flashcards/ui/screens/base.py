"""What every screen shares: a failed background job becomes a message, never a crash."""

from __future__ import annotations

from textual.screen import Screen
from textual.worker import Worker, WorkerState


class BaseScreen(Screen):
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker state messages do not bubble, so each screen reports its own workers' errors.
        if event.state == WorkerState.ERROR:
            from ...study.failures import explain_failure

            error = event.worker.error
            message = explain_failure(error)
            self.notify(message, title="Something went wrong", severity="error", timeout=10)
            self.on_worker_failed()

    def on_worker_failed(self) -> None:
        """Put the screen back into a usable state after a failed job."""
