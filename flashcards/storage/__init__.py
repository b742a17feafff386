"""Storage: the collection in SQLite (or another SQL database) through SQLModel."""

from .collection import Collection, CollectionUnavailable
from .database import SCHEMA_VERSION, CollectionError
from .importer import ImportConflict, ImportReport, import_decks
from .records import CardRecord

__all__ = [
    "SCHEMA_VERSION",
    "CardRecord",
    "Collection",
    "CollectionError",
    "CollectionUnavailable",
    "ImportConflict",
    "ImportReport",
    "import_decks",
]
