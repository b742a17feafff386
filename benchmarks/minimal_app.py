"""The floor for a cold start: a minimal Textual app that imports the libraries the program
uses, opens the same SQLite collection and renders one card's front as Markdown.

Run as `python -m benchmarks.minimal_app DATABASE CARD_ID`; quit with Ctrl+C.
"""

from __future__ import annotations

import sys

import click  # noqa: F401  (the same libraries as the program, for the same import cost)
import fsrs  # noqa: F401
import markdown_it  # noqa: F401
import platformdirs  # noqa: F401
import sqlmodel  # noqa: F401
from sqlalchemy import create_engine, text
from textual.app import App, ComposeResult
from textual.widgets import Markdown


class OneCard(App[None]):
    def __init__(self, database: str, card_id: int) -> None:
        super().__init__()
        self.database = database
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        engine = create_engine(f"sqlite:///{self.database}")
        with engine.connect() as conn:
            front = conn.execute(
                text("SELECT front FROM card WHERE id = :id"), {"id": self.card_id}
            ).scalar_one()
        engine.dispose()
        yield Markdown(front)


def main() -> None:
    database, card_id = sys.argv[1], int(sys.argv[2])
    OneCard(database, card_id).run()


if __name__ == "__main__":
    main()
