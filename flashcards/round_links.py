"""Which card ids the rounds of a set link to and no card has: checked against the files of the
set, the built-in decks and, only if it already exists, the collection. `flashcards check` runs
this without loading the database layer unless a link is found nowhere else."""

from __future__ import annotations

from pathlib import Path

from .deck import DeckError, LoadResult, load_paths

__all__ = ["settle_links"]


def settle_links(loaded: LoadResult, database: str | None) -> list[DeckError]:
    """Errors for the card ids that rounds link to and that no card has: not in the files
    checked, the built-in decks, or the collection (read only if it already exists)."""
    if not loaded.links:
        return []
    from .locations import builtin_decks_dir

    known = load_paths([str(builtin_decks_dir())]).card_ids()
    if database and any(card_id not in known for _p, _l, card_id in loaded.links):
        from .storage import Collection
        from .storage.database import database_url
        from .storage.rounds import known_card_names

        url = database_url(database)
        exists = "://" in database or Path(url.removeprefix("sqlite:///")).is_file()
        if exists:
            collection = Collection(database)
            try:
                with collection.read() as conn:
                    known |= known_card_names(conn)
            finally:
                collection.close()
    return loaded.unknown_links(known)
