"""Listing, hiding and removing decks, and the built-in decks as a setting that sticks."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest

from flashcards import builtin
from flashcards.builtin import sync_builtin_decks
from flashcards.maintenance.doctor import examine
from flashcards.storage import Collection
from flashcards.storage.backup import make_backup
from flashcards.study.decks import (
    UnknownDeck,
    builtin_enabled,
    find_deck,
    list_decks,
    remove_deck,
    set_builtin,
    set_hidden,
)
from flashcards.study.exam import ExamSpec

from ..conftest import basic_deck, write_deck
from .test_scheduling import study

pytestmark = pytest.mark.engines

DECKS = {
    "a.md": basic_deck(3, title="Alpha", prefix="a"),
    "b.md": basic_deck(3, title="Beta", prefix="b"),
}


def test_a_hidden_deck_leaves_home_study_all_and_exams(make_workspace):
    workspace = make_workspace(DECKS)
    beta = find_deck(workspace.collection, "beta")
    assert set_hidden(workspace.collection, beta, True)
    assert [d.deck.name for d in workspace.overview().decks] == ["Alpha"]
    assert workspace.overview().new == 3
    assert all(front.startswith("a ") for front in study(workspace.review_session()))
    session, _ = workspace.new_exam(ExamSpec(count=10, seed=3))
    assert {q.card.deck_name for q in session.questions} == {"Alpha"}
    # ... still listed as hidden, and still reachable by name
    assert [(d.name, d.hidden) for d in list_decks(workspace.collection)] == [
        ("Alpha", False),
        ("Beta", True),
    ]
    assert workspace.deck_ids(["Beta"]) == [beta.id]
    assert set_hidden(workspace.collection, beta, False)
    assert [d.deck.name for d in workspace.overview().decks] == ["Alpha", "Beta"]


@pytest.mark.sqlite_only  # the backup made first is a file (a server removes without one)
def test_a_removed_deck_is_gone_and_its_history_is_in_the_backup(make_workspace, clock):
    workspace = make_workspace(DECKS)
    answered = study(workspace.review_session(), limit=6)
    assert len(answered) == 6
    beta = find_deck(workspace.collection, "Beta")
    assert beta.reviews >= 3
    path = workspace.collection.sqlite_path
    made = remove_deck(
        workspace.collection, beta, lambda: make_backup(path, clock.now(), 7, before="remove")
    )
    assert "-before-remove-" in made.path.name
    assert [d.name for d in list_decks(workspace.collection)] == ["Alpha"]
    with pytest.raises(UnknownDeck):
        find_deck(workspace.collection, "Beta")
    assert examine(workspace.collection, workspace.config).healthy  # totals recounted
    kept = sqlite3.connect(made.path)
    try:
        reviews = kept.execute(
            "SELECT count(*) FROM review JOIN card ON card.id = review.card_id "
            "JOIN deck ON deck.id = card.deck_id WHERE deck.name = 'Beta'"
        ).fetchone()[0]
    finally:
        kept.close()
    assert reviews == beta.reviews


def test_a_failed_backup_removes_nothing(make_workspace):
    workspace = make_workspace(DECKS)
    beta = find_deck(workspace.collection, "Beta")

    def no_backup():
        raise OSError("disk full")

    with pytest.raises(OSError):
        remove_deck(workspace.collection, beta, no_backup)
    assert len(list_decks(workspace.collection)) == 2


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    folder = tmp_path / "shipped"
    write_deck(folder, "01-one.md", basic_deck(2, title="One", prefix="one"))
    write_deck(folder, "02-two.md", basic_deck(2, title="Two", prefix="two"))
    monkeypatch.setattr(builtin, "builtin_decks_dir", lambda: folder)
    monkeypatch.delenv("FLASHCARDS_NO_BUILTIN")
    return folder


def test_built_in_decks_off_sticks_to_the_collection(db_location, tmp_path, shipped, clock):
    collection = Collection(db_location)
    try:
        set_builtin(collection, False)
        assert sync_builtin_decks(collection, clock.now()) is None
        assert list_decks(collection) == []
        set_builtin(collection, True)
        assert sync_builtin_decks(collection, clock.now()).report.added == 4
    finally:
        collection.close()


def test_a_collection_created_without_built_in_decks_keeps_them_off(
    db_location, tmp_path, shipped, clock, monkeypatch
):
    collection = Collection(db_location)
    try:
        monkeypatch.setenv("FLASHCARDS_NO_BUILTIN", "1")
        assert sync_builtin_decks(collection, clock.now()) is None
        monkeypatch.delenv("FLASHCARDS_NO_BUILTIN")
        assert not builtin_enabled(collection)
        assert sync_builtin_decks(collection, clock.now()) is None
        assert list_decks(collection) == []
    finally:
        collection.close()


def test_a_removed_built_in_deck_is_not_added_again(db_location, tmp_path, shipped, clock):
    collection = Collection(db_location)
    try:
        sync_builtin_decks(collection, clock.now())
        one = find_deck(collection, "one")
        remove_deck(collection, one, lambda: None)
        sync_builtin_decks(collection, clock.now() + timedelta(days=1))
        assert [d.name for d in list_decks(collection)] == ["Two"]
    finally:
        collection.close()


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flashcards", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=dict(os.environ),
        timeout=60,
    )


@pytest.mark.sqlite_only  # the backup made first is a file (a server removes without one)
@pytest.mark.slow
def test_the_decks_command(tmp_path):
    write_deck(tmp_path / "decks", "a.md", DECKS["a.md"])
    write_deck(tmp_path / "decks", "b.md", DECKS["b.md"])
    assert run("import", str(tmp_path / "decks")).returncode == 0
    assert run("decks", "hide", "alpha").returncode == 0
    listed = json.loads(run("decks", "--json").stdout)
    assert [(d["name"], d["hidden"], d["cards"]) for d in listed["decks"]] == [
        ("Alpha", True, 3),
        ("Beta", False, 3),
    ]
    refused = run("decks", "remove", "Beta", stdin="n\n")
    assert refused.returncode == 1
    assert "Remove the deck 'Beta' (3 cards, 0 reviews)?" in refused.stdout
    assert "Nothing was changed." in refused.stderr
    removed = run("decks", "remove", "Beta", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "Its history is kept in the backup" in removed.stdout
    assert [d["name"] for d in json.loads(run("decks", "--json").stdout)["decks"]] == ["Alpha"]
    unknown = run("decks", "hide", "Gamma")
    assert unknown.returncode == 1
    assert "no deck named 'Gamma'. Known decks: Alpha" in unknown.stderr
    assert "Built-in decks: off" in run("decks", "builtin", "off").stdout
    assert json.loads(run("decks", "--json").stdout)["builtin_decks"] is False


async def test_the_home_screen_hides_and_removes_the_selected_deck(make_workspace, notified):
    from textual.widgets import DataTable

    from flashcards.ui.app import FlashcardsApp
    from flashcards.ui.screens.deck_actions import DeckActionsScreen
    from flashcards.ui.screens.home import HomeScreen

    from ..conftest import settle

    workspace = make_workspace(
        {**DECKS, "c.md": basic_deck(2, title="Gamma", prefix="c")}, new_per_day=20
    )
    app = FlashcardsApp(workspace)

    def names() -> list[str]:
        table = app.screen.query_one(DataTable)
        return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert names() == ["Alpha", "Beta", "Gamma"]
        await pilot.press("down", "d")  # Beta
        await settle(pilot)
        assert isinstance(app.screen, DeckActionsScreen)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert names() == ["Alpha", "Gamma"]
        assert find_deck(workspace.collection, "Beta").hidden
        await pilot.press("down", "d", "d")  # Gamma: remove asks first
        await settle(pilot)
        question = app.screen.question
        server = workspace.collection.sqlite_path is None
        assert ("No backup is made on a PostgreSQL server" in question) == server
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, DeckActionsScreen)
        await pilot.press("d", "y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert names() == ["Alpha"]
    assert [d.name for d in list_decks(workspace.collection)] == ["Alpha", "Beta"]
    said = notified.sent[-1]
    if server:  # a server's backups are its own: nothing to name
        assert said == "Removed: Gamma."
        return
    assert said.startswith("Removed: Gamma. Its history is kept in ")
    backups = list((workspace.collection.sqlite_path.parent / "backups").glob("*-before-remove-*"))
    assert len(backups) == 1
