"""`flashcards copy`: a whole collection copied into an empty one, a file onto a server and
back, with every id and every review, and studied from afterwards."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from flashcards.config import Config
from flashcards.storage import Collection
from flashcards.storage.transfer import TransferError, copy_collection
from flashcards.workspace import Workspace

from ..conftest import basic_deck, import_paths, write_deck

pytestmark = pytest.mark.engines


def everything(collection: Collection) -> dict[str, list[tuple]]:
    with collection.read() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
                if table.name != "meta" or row.key != "schema_version"
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def studied(location: str, tmp_path, clock) -> Workspace:
    """A collection at `location` with a deck, three answers and one exam-free day."""
    collection = Collection(location)
    deck = write_deck(tmp_path / "decks", "d.md", basic_deck(5))
    import_paths(collection, deck, now=clock.now())
    workspace = Workspace(
        collection, Config(fuzz=False, timezone="Europe/Berlin"), clock, ZoneInfo("Europe/Berlin")
    )
    session = workspace.review_session()
    for rating in (3, 1, 4):
        session.next_card()
        clock.advance(seconds=15)
        session.answer(rating)
    return workspace


def test_a_collection_copied_elsewhere_is_the_same_collection(db_location, tmp_path, clock):
    """From the engine under test into a new file, and from a file into the engine."""
    source = studied(str(tmp_path / "laptop.sqlite3"), tmp_path, clock)
    target = Collection(db_location)
    copied = copy_collection(source.collection, target)
    assert (copied.cards, copied.reviews) == (5, 3)
    assert everything(target) == everything(source.collection)

    back = Collection(str(tmp_path / "back.sqlite3"))
    copy_collection(target, back)
    assert everything(back) == everything(source.collection)
    for collection in (target, back):
        collection.close()
    source.close()


def test_the_copy_is_studied_from_with_new_ids_after_the_copied_ones(db_location, tmp_path, clock):
    source = studied(str(tmp_path / "laptop.sqlite3"), tmp_path, clock)
    target = Collection(db_location)
    copy_collection(source.collection, target)
    source.close()
    workspace = Workspace(
        target, Config(fuzz=False, timezone="Europe/Berlin"), clock, ZoneInfo("Europe/Berlin")
    )
    session = workspace.review_session()
    session.next_card()
    session.answer(3)
    reviews = everything(target)["review"]
    assert [row[0] for row in reviews] == [1, 2, 3, 4]  # the server numbers on from the copy
    workspace.close()


def test_a_collection_is_never_copied_over_another(db_location, tmp_path, clock):
    source = studied(str(tmp_path / "laptop.sqlite3"), tmp_path, clock)
    target = studied(db_location, tmp_path / "other", clock)
    before = everything(target.collection)
    with pytest.raises(TransferError, match="already holds a collection"):
        copy_collection(source.collection, target.collection)
    assert everything(target.collection) == before
    source.close()
    target.close()


@pytest.mark.sqlite_only
def test_a_copy_that_fails_half_way_leaves_no_new_file(tmp_path, clock, monkeypatch):
    from click.testing import CliRunner

    from flashcards.cli.main import cli
    from flashcards.storage import transfer

    source = studied(str(tmp_path / "laptop.sqlite3"), tmp_path, clock)
    source.close()

    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(transfer, "copy_collection", full_disk)
    target = tmp_path / "copy.sqlite3"
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "laptop.sqlite3"), "copy", str(target)]
    )
    assert isinstance(result.exception, OSError)
    assert not target.exists()
    assert not (tmp_path / "copy.sqlite3-wal").exists()
