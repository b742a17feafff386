"""The commands on a collection kept on a PostgreSQL server, run as a person runs them: what
applies there instead of SQLite's backups and integrity check is said, and the URL's password
is never printed, whatever the command."""

from __future__ import annotations

import json

import pytest

from ..conftest import basic_deck, write_deck
from .test_cli_collection import run

pytestmark = pytest.mark.slow

PASSWORD = "pw-never-shown"


@pytest.fixture
def server_url(postgres_server):
    """A fresh collection on the test server, named by a URL that carries a password (the
    server trusts its socket, so any password is accepted: what matters is where it shows)."""
    name = postgres_server.create()
    url = postgres_server.url(name).replace("flashcards@", f"flashcards:{PASSWORD}@")
    yield url
    postgres_server.drop(name)


def flashcards(url: str, *args: str):
    result = run("--db", url, *args)
    assert PASSWORD not in result.stdout + result.stderr
    return result


def test_import_stats_and_doctor_on_a_server(server_url, tmp_path):
    deck = write_deck(tmp_path, "d.md", basic_deck(3))
    imported = flashcards(server_url, "import", str(deck))
    assert imported.returncode == 0, imported.stderr
    stats = flashcards(server_url, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["cards"] == 3
    doctor = flashcards(server_url, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "integrity: not checked by flashcards: the server checks its own pages" in doctor.stdout
    assert "pg_dump" in doctor.stdout
    assert "No problems: 3 cards checked." in doctor.stdout


def test_backup_and_restore_say_what_applies_on_a_server(server_url, tmp_path):
    deck = write_deck(tmp_path, "d.md", basic_deck(1))
    assert flashcards(server_url, "import", str(deck)).returncode == 0
    for command in ("backup", "restore"):
        result = flashcards(server_url, command)
        assert result.returncode == 1
        assert "backed up by the server's own means" in result.stderr
        assert "pg_dump --format=custom" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_deck_is_removed_without_a_backup_and_the_person_is_told(server_url, tmp_path):
    deck = write_deck(tmp_path, "d.md", basic_deck(2))
    assert flashcards(server_url, "import", str(deck)).returncode == 0
    name = json.loads(flashcards(server_url, "decks", "--json").stdout)["decks"][0]["name"]
    removed = flashcards(server_url, "decks", "remove", name, "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "and its 2 cards" in removed.stdout
    assert "backup" not in removed.stdout
    assert json.loads(flashcards(server_url, "stats", "--json").stdout)["cards"] == 0


def test_an_unreachable_server_is_named_without_its_password(tmp_path):
    result = flashcards(f"postgresql://fc:{PASSWORD}@127.0.0.1:1/cards", "stats")
    assert result.returncode == 1
    assert "postgresql://fc:***@127.0.0.1:1/cards" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_history_moves_onto_a_server_and_back_into_a_file(server_url, tmp_path):
    laptop = tmp_path / "laptop.sqlite3"
    deck = write_deck(tmp_path, "d.md", basic_deck(4))
    assert run("--db", str(laptop), "import", str(deck)).returncode == 0
    moved = run("--db", str(laptop), "copy", server_url)
    assert moved.returncode == 0, moved.stderr
    assert PASSWORD not in moved.stdout + moved.stderr
    assert "Copied 4 cards and 0 reviews into postgresql+psycopg://flashcards:***@" in moved.stdout
    assert json.loads(flashcards(server_url, "stats", "--json").stdout)["cards"] == 4

    again = run("--db", str(laptop), "copy", server_url)
    assert again.returncode == 1
    assert "already holds a collection" in again.stderr and "nothing was copied" in again.stderr
    assert PASSWORD not in again.stderr

    home = tmp_path / "home.sqlite3"
    assert flashcards(server_url, "copy", str(home)).returncode == 0
    assert json.loads(run("--db", str(home), "stats", "--json").stdout)["cards"] == 4
    taken = flashcards(server_url, "copy", str(home))
    assert taken.returncode == 1 and "already exists" in taken.stderr
