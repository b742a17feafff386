"""A deck is the same deck on every machine: two copies of one folder in different places (two
checkouts, two installs of the program) share one history, through imports, the built-in
decks' sync and the upgrade of a collection from before deck keys (schema 9). On SQLite and on
PostgreSQL, where several machines most likely share one collection."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from flashcards import builtin
from flashcards.builtin import sync_builtin_decks
from flashcards.config import Config
from flashcards.deck_import import import_paths
from flashcards.storage import Collection
from flashcards.storage.tables import CardRow, DeckRow, MetaRow, ReviewRow
from flashcards.study.decks import find_deck, list_decks, remove_deck, set_hidden
from flashcards.workspace import Workspace

from ..conftest import NOW, basic_deck, write_deck

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHIPPED = Path(__file__).parents[2] / "decks"

RANKING = """
---
title: Ranking
---
# Metrics

<!-- id: ndcg -->
Q: What does NDCG discount by?
A: The logarithm of the rank: gain / log2(rank + 1).

Q: Why prefer PR-AUC over ROC-AUC with rare positives?
A: ROC-AUC's false-positive rate is diluted by the many true negatives.

C: MRR averages the {{reciprocal rank}} of the first relevant item.
"""

cards_t = CardRow.__table__
decks_t = DeckRow.__table__
reviews_t = ReviewRow.__table__


pytestmark = pytest.mark.engines


@pytest.fixture
def collection(db_location):
    collection = Collection(db_location)
    yield collection
    collection.close()


def two_machines(tmp_path: Path) -> tuple[Path, Path]:
    """One folder of decks, checked out in two places."""
    a = tmp_path / "machine-a" / "decks"
    write_deck(a, "ml/ranking.md", RANKING)
    write_deck(a, "basics.md", basic_deck(3, title="Basics", prefix="basic"))
    b = tmp_path / "elsewhere" / "machine-b" / "checkout"
    shutil.copytree(a, b)
    return a, b


def imported(collection: Collection, folder: Path):
    outcome = import_paths(collection, [str(folder)], NOW)
    assert outcome.errors == [], [str(e) for e in outcome.errors]
    return outcome.report


def card_ids(collection: Collection) -> dict[str, tuple[int, int]]:
    """Front of each card in use -> (its id, its deck's id)."""
    with collection.read() as conn:
        rows = conn.execute(
            select(cards_t.c.front, cards_t.c.id, cards_t.c.deck_id).where(
                cards_t.c.retired.is_(False)
            )
        )
        return {front: (card_id, deck_id) for front, card_id, deck_id in rows}


def deck_rows(collection: Collection) -> dict[str, str]:
    """Key -> file of each deck."""
    with collection.read() as conn:
        return dict(conn.execute(select(decks_t.c.key, decks_t.c.file)).all())


def review_count(collection: Collection) -> int:
    with collection.read() as conn:
        return conn.execute(select(func.count()).select_from(reviews_t)).scalar_one()


def workspace_on(collection: Collection, clock) -> Workspace:
    return Workspace(collection, Config(fuzz=False), clock, ZoneInfo("Europe/Berlin"))


def answer(collection: Collection, count: int) -> None:
    """An answer to each of the first `count` cards, in the review log."""
    with collection.write() as conn:
        ids = conn.execute(select(cards_t.c.id).order_by(cards_t.c.id).limit(count)).scalars().all()
        conn.execute(
            reviews_t.insert(),
            [
                {"card_id": card_id, "rating": 3, "reviewed_at": NOW, "state_before": 0}
                for card_id in ids
            ],
        )


def test_two_checkouts_of_one_folder_share_one_history(tmp_path, collection):
    a, b = two_machines(tmp_path)
    first = imported(collection, a)
    assert (first.added, first.decks) == (6, 2)
    before = card_ids(collection)
    assert deck_rows(collection) == {
        "basics.md": str((a / "basics.md").resolve()),
        "ml/ranking.md": str((a / "ml" / "ranking.md").resolve()),
    }
    answer(collection, 4)

    # Machine B imports its copy: the same decks and cards, nothing relinked, the history seen.
    report = imported(collection, b)
    assert (report.added, report.updated, report.relinked, report.retired) == (0, 0, 0, 0)
    assert report.unchanged == 6
    assert card_ids(collection) == before
    assert deck_rows(collection) == {
        "basics.md": str((b / "basics.md").resolve()),
        "ml/ranking.md": str((b / "ml" / "ranking.md").resolve()),
    }
    assert review_count(collection) == 4
    assert sum(d.reviews for d in list_decks(collection)) == 4

    # ... and back and forth: every import says "unchanged", each writes only where its files are.
    for folder in (a, b, a):
        again = imported(collection, folder)
        assert (again.added, again.relinked, again.unchanged) == (0, 0, 6)
        assert card_ids(collection) == before
        assert set(deck_rows(collection).values()) == {
            str((folder / name).resolve()) for name in ("basics.md", "ml/ranking.md")
        }
    assert review_count(collection) == 4


def test_an_edit_made_on_one_machine_updates_the_same_card_on_the_other(
    tmp_path, collection, clock
):
    a, b = two_machines(tmp_path)
    imported(collection, a)
    before = card_ids(collection)
    answer(collection, 6)
    ranking = b / "ml" / "ranking.md"
    ranking.write_text(ranking.read_text().replace("log2(rank + 1)", "log2(1 + rank)"))
    report = imported(collection, b)  # parsed, since a file changed: matched card by card
    assert (report.added, report.updated, report.relinked, report.retired) == (0, 1, 0, 0)
    after = card_ids(collection)
    assert sorted(after.values()) == sorted(before.values())
    # The editor's re-import of that one file (the `e` key) finds its deck by its place.
    workspace = workspace_on(collection, clock)
    assert workspace.reimport(str(ranking)) == []
    assert card_ids(collection) == after
    assert set(deck_rows(collection)) == {"basics.md", "ml/ranking.md"}
    assert review_count(collection) == 6


def test_a_hidden_deck_stays_hidden_whichever_machine_imported_last(tmp_path, collection):
    a, b = two_machines(tmp_path)
    imported(collection, a)
    set_hidden(collection, find_deck(collection, "Basics"), True)
    imported(collection, b)
    assert [(d.name, d.hidden) for d in list_decks(collection)] == [
        ("Basics", True),
        ("Ranking", False),
    ]


def test_moving_a_file_within_the_folder_keeps_its_history(tmp_path, collection):
    a, _ = two_machines(tmp_path)
    imported(collection, a)
    before = card_ids(collection)
    answer(collection, 6)
    (a / "metrics").mkdir()
    (a / "ml" / "ranking.md").rename(a / "metrics" / "ranking-metrics.md")
    report = imported(collection, a)
    assert (report.added, report.retired, report.relinked) == (0, 0, 3)
    assert {r.reason for r in report.relinked_cards} == {"moved"}
    assert {card_id for card_id, _ in card_ids(collection).values()} == {
        card_id for card_id, _ in before.values()
    }
    assert set(deck_rows(collection)) == {"basics.md", "metrics/ranking-metrics.md"}
    assert review_count(collection) == 6


def test_an_id_in_the_front_matter_names_the_deck_wherever_it_lies(tmp_path, collection):
    a = tmp_path / "a"
    write_deck(a, "ranking.md", "---\nid: ranking\n" + RANKING.lstrip().removeprefix("---\n"))
    imported(collection, a)
    before = card_ids(collection)
    assert set(deck_rows(collection)) == {"id:ranking"}
    b = tmp_path / "b"
    write_deck(b, "deep/down/renamed.md", (a / "ranking.md").read_text())
    report = imported(collection, b)
    assert (report.added, report.relinked, report.unchanged) == (0, 0, 3)
    assert card_ids(collection) == before


def test_adding_an_id_renames_the_deck_in_place(tmp_path, collection):
    a, _ = two_machines(tmp_path)
    imported(collection, a)
    set_hidden(collection, find_deck(collection, "Ranking"), True)
    before = card_ids(collection)
    ranking = a / "ml" / "ranking.md"
    ranking.write_text(ranking.read_text().replace("---\n", "---\nid: ranking\n", 1))
    report = imported(collection, a)
    assert report.renamed == {"ml/ranking.md": "id:ranking"}
    assert (report.added, report.relinked, report.unchanged) == (0, 0, 6)
    assert card_ids(collection) == before
    assert [(d.key, d.hidden) for d in list_decks(collection)] == [
        ("basics.md", False),
        ("id:ranking", True),
    ]


def test_an_invalid_deck_id_is_refused_where_it_is_written(tmp_path, collection):
    folder = tmp_path / "decks"
    write_deck(folder, "x.md", "---\ntitle: X\nid: two words\n---\nQ: q\nA: a\n")
    outcome = import_paths(collection, [str(folder)], NOW)
    assert [str(e) for e in outcome.errors] == [
        f"{folder / 'x.md'}:3: front matter 'id': use letters, digits, '.', '_' and '-'"
    ]


def test_two_decks_with_one_id_are_refused(tmp_path, collection):
    folder = tmp_path / "decks"
    write_deck(folder, "a.md", "---\nid: shared\n---\nQ: first?\nA: one\n")
    write_deck(folder, "b.md", "---\nid: shared\n---\nQ: second?\nA: two\n")
    outcome = import_paths(collection, [str(folder)], NOW)
    assert [str(e) for e in outcome.errors] == [
        f"{folder / 'b.md'}: duplicate deck id 'shared' (first at {folder / 'a.md'})"
    ]
    assert deck_rows(collection) == {}


def test_two_different_decks_at_the_same_place_are_not_merged(tmp_path, collection):
    ml = tmp_path / "ml-notes"
    write_deck(ml, "basics.md", basic_deck(2, title="ML basics", prefix="ml"))
    systems = tmp_path / "systems-notes"
    write_deck(systems, "basics.md", basic_deck(2, title="Systems basics", prefix="sys"))
    imported(collection, ml)
    before = card_ids(collection)
    outcome = import_paths(collection, [str(systems)], NOW)
    assert outcome.report is None
    assert [str(e) for e in outcome.errors] == [
        f"{systems / 'basics.md'}: the deck 'basics.md' was imported from "
        f"{(ml / 'basics.md').resolve()}, a different file that is still there: to keep both, "
        "give one an `id:` in its front matter (or import the folder that holds both); if that "
        "file is an older copy of this one, update or remove it"
    ]
    assert card_ids(collection) == before
    # Named one by one, two files that would be one deck are refused too.
    outcome = import_paths(collection, [str(ml / "basics.md"), str(systems / "basics.md")], NOW)
    assert [e.message.split(":")[0] for e in outcome.errors] == [
        f"same deck place 'basics.md' as {ml / 'basics.md'}"
    ]
    assert card_ids(collection) == before


@pytest.fixture
def two_installs(tmp_path, monkeypatch):
    """The built-in decks of one release, installed in two folders; `use(n)` picks one."""
    installs = [tmp_path / "install-a" / "decks", tmp_path / "site" / "install-b" / "builtin"]
    for folder in installs:
        shutil.copytree(SHIPPED, folder)
    monkeypatch.delenv("FLASHCARDS_NO_BUILTIN")

    def use(index: int) -> Path:
        monkeypatch.setattr(builtin, "builtin_decks_dir", lambda: installs[index])
        return installs[index]

    return use


def test_built_in_decks_installed_in_two_folders_share_one_history(
    collection, clock, two_installs, monkeypatch
):
    two_installs(0)
    first = sync_builtin_decks(collection, clock.now())
    assert first.errors == [] and first.report.added >= 450
    before = card_ids(collection)
    keys = set(deck_rows(collection))
    assert all(key.startswith("builtin/") for key in keys)
    answer(collection, 5)

    def refuse_to_parse(*args, **kwargs):
        raise AssertionError("an unchanged built-in file was parsed again")

    # Each start on the other install only hashes the files, as on the same one.
    monkeypatch.setattr("flashcards.deck.loader.parse_deck", refuse_to_parse)
    monkeypatch.setattr("flashcards.deck.loader.parse_round", refuse_to_parse)
    for install in (1, 0, 1):
        folder = two_installs(install)
        outcome = sync_builtin_decks(collection, clock.now())
        assert outcome.errors == [], [str(e) for e in outcome.errors]
        assert (outcome.report.added, outcome.report.relinked) == (0, 0)
        assert outcome.report.unchanged == len(before)
        assert card_ids(collection) == before
        assert deck_rows(collection) == {
            key: str((folder / key.removeprefix("builtin/")).resolve()) for key in keys
        }
    assert review_count(collection) == 5


@pytest.mark.sqlite_only  # a collection file of its own (or a version-8 one)
def test_a_built_in_sync_that_fails_is_told_to_the_person(tmp_path, monkeypatch, clock):
    shipped = tmp_path / "shipped"
    write_deck(shipped, "01-one.md", basic_deck(2, title="One", prefix="one"))
    write_deck(shipped, "02-two.md", "# Broken\n\nQ: A question without its answer\n")
    monkeypatch.setattr(builtin, "builtin_decks_dir", lambda: shipped)
    monkeypatch.delenv("FLASHCARDS_NO_BUILTIN")
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    workspace = Workspace.open(str(tmp_path / "c.sqlite3"), config, clock)
    try:
        assert len(workspace.warnings) == 1
        warning = workspace.warnings[0]
        assert warning.startswith(f"The built-in decks were not updated: {shipped / '02-two.md'}:3")
        assert list_decks(workspace.collection) == []  # nothing half-imported
    finally:
        workspace.close()


def upgraded_v8(tmp_path: Path, meta: dict[str, list[str]]) -> Path:
    """The version-8 collection of the upgrade tests, with lists of decks in its meta table."""
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "schema-v8.sqlite3", path)
    connection = sqlite3.connect(path)
    connection.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [(key, json.dumps(value)) for key, value in meta.items()],
    )
    connection.commit()
    connection.close()
    return path


@pytest.mark.sqlite_only  # a collection file of its own (or a version-8 one)
def test_the_upgrade_from_version_8_keeps_every_deck_and_its_history(tmp_path):
    path = upgraded_v8(tmp_path, {"hidden_decks": ["/decks/metrics.md"]})
    collection = Collection(str(path))
    try:
        assert deck_rows(collection) == {"/decks/metrics.md": "/decks/metrics.md"}
        with collection.read() as conn:
            history = dict(
                conn.execute(
                    select(reviews_t.c.card_id, func.count()).group_by(reviews_t.c.card_id)
                ).all()
            )
        assert history == {1: 3}
        # This machine's checkout of the deck, at another place than the old absolute path:
        # its first import takes the legacy key over, the deck (still hidden) and card 1 stay.
        folder = tmp_path / "checkout" / "decks"
        write_deck(folder, "metrics.md", RANKING)
        report = imported(collection, folder)
        assert report.renamed == {"/decks/metrics.md": "metrics.md"}
        assert deck_rows(collection) == {"metrics.md": str((folder / "metrics.md").resolve())}
        with collection.read() as conn:
            deck_id, ndcg = conn.execute(
                select(cards_t.c.deck_id, cards_t.c.id).where(cards_t.c.explicit_id == "ndcg")
            ).one()
            hidden = conn.execute(
                select(MetaRow.__table__.c.value).where(MetaRow.__table__.c.key == "hidden_decks")
            ).scalar_one()
        assert (deck_id, ndcg) == (1, 1)
        assert review_count(collection) == 3
        assert json.loads(hidden) == ["metrics.md"]
        assert [(d.name, d.hidden, d.reviews) for d in list_decks(collection)] == [
            ("Ranking", True, 3)
        ]
    finally:
        collection.close()


@pytest.mark.sqlite_only  # a collection file of its own (or a version-8 one)
def test_a_built_in_deck_removed_before_the_upgrade_stays_removed(tmp_path, clock, two_installs):
    folder = two_installs(0)
    path = upgraded_v8(
        tmp_path,
        {"removed_builtin_decks": ["/usr/lib/flashcards/builtin_decks/03-online-evaluation.md"]},
    )
    collection = Collection(str(path))
    try:
        outcome = sync_builtin_decks(collection, clock.now())
        assert outcome.errors == []
        keys = set(deck_rows(collection))
        assert "builtin/03-online-evaluation.md" not in keys
        assert "builtin/02-offline-metrics.md" in keys
        # Removed now, it is named by its key, and stays away on the other install too.
        remove_deck(collection, find_deck(collection, "02-offline-metrics"), lambda: None)
        two_installs(1)
        sync_builtin_decks(collection, clock.now())
        keys = set(deck_rows(collection))
        assert not keys & {"builtin/02-offline-metrics.md", "builtin/03-online-evaluation.md"}
        assert len(keys) == len(list(folder.glob("*.md"))) - 2 + 1  # and the old /decks deck
    finally:
        collection.close()


def run_cli(monkeypatch, *args: str) -> int:
    from flashcards.cli.main import main

    monkeypatch.setattr("sys.argv", ["flashcards", *args])
    try:
        main()
    except SystemExit as exit_info:
        return int(exit_info.code or 0)
    return 0


def test_importing_the_other_checkout_parses_nothing_and_says_unchanged(
    tmp_path, monkeypatch, capsys
):
    a, b = two_machines(tmp_path)
    monkeypatch.setenv("FLASHCARDS_NOW", "2026-01-05T08:00:00+00:00")
    assert run_cli(monkeypatch, "import", str(a)) == 0
    capsys.readouterr()

    def refuse_to_parse(*args, **kwargs):
        raise AssertionError("an unchanged deck was parsed again")

    monkeypatch.setattr("flashcards.deck.loader.parse_deck", refuse_to_parse)
    assert run_cli(monkeypatch, "import", str(b)) == 0
    assert capsys.readouterr().out == (
        "2 decks: 0 added, 0 updated, 0 relinked, 0 retired, 6 unchanged\n"
    )
    assert run_cli(monkeypatch, "decks", "--json") == 0
    listed = json.loads(capsys.readouterr().out)["decks"]
    assert [(d["key"], d["file"]) for d in listed] == [
        ("basics.md", str((b / "basics.md").resolve())),
        ("ml/ranking.md", str((b / "ml" / "ranking.md").resolve())),
    ]


@pytest.mark.sqlite_only  # a collection file of its own (or a version-8 one)
def test_the_import_says_which_decks_took_a_new_key(tmp_path, monkeypatch, capsys, isolated):
    shutil.copy(FIXTURES / "schema-v8.sqlite3", isolated / "collection.sqlite3")
    folder = tmp_path / "decks"
    write_deck(folder, "metrics.md", RANKING)
    monkeypatch.setenv("FLASHCARDS_NOW", "2026-01-05T08:00:00+00:00")
    assert run_cli(monkeypatch, "import", str(folder)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2].startswith("Decks now known by another key")
    assert out[-1] == "  /decks/metrics.md -> metrics.md"


def test_two_converted_inputs_with_a_deck_of_one_name_stay_two_decks(
    tmp_path, monkeypatch, capsys, isolated
):
    # Two CSV exports, each converted into the data folder's imported/NAME/ folder, each
    # making a deck `Default.md`: placed in that folder, they are two decks.
    for name in ("phone", "laptop"):
        folder = tmp_path / name
        write_deck(folder, "Default.csv", f"front,back\n{name} question?,{name} answer\n")
        assert run_cli(monkeypatch, "import", str(folder), "--from", "csv") == 0, (
            capsys.readouterr()
        )
    capsys.readouterr()
    assert run_cli(monkeypatch, "decks", "--json") == 0
    listed = json.loads(capsys.readouterr().out)["decks"]
    assert [(d["key"], d["cards"]) for d in listed] == [
        ("laptop/Default.md", 1),
        ("phone/Default.md", 1),
    ]
