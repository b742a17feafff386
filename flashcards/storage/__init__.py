"""Storage: the collection in SQLite (or another SQL database) through SQLModel."""

from .collection import Collection
from .database import SCHEMA_VERSION, CollectionError
from .importer import TOPIC_SEPARATOR, ImportConflict, ImportReport, import_decks
from .records import CardRecord

__all__ = [
    "SCHEMA_VERSION",
    "TOPIC_SEPARATOR",
    "CardRecord",
    "Collection",
    "CollectionError",
    "ImportConflict",
    "ImportReport",
    "import_decks",
]
