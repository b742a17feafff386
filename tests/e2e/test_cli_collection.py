"""Which collection a command opens, and what a person is told when it is missing or damaged."""

import json
import os
import subprocess
import sys

import pytest

from ..conftest import basic_deck, write_deck


def run(
    *args: str, env: dict | None = None, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    for name in drop:
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "flashcards", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


@pytest.mark.slow
def test_a_mistyped_db_path_never_creates_a_collection(tmp_path):
    typo = tmp_path / "no" / "such" / "c.sqlite3"
    result = run("--db", str(typo), "stats", "--json")
    assert result.returncode == 1
    assert f"no collection at {typo}" in result.stderr
    assert "--create" in result.stderr
    assert not (tmp_path / "no").exists()  # not even the folders


@pytest.mark.slow
def test_a_missing_file_named_by_the_environment_is_not_created_by_a_reading_command(tmp_path):
    typo = tmp_path / "colection.sqlite3"
    result = run("stats", env={"FLASHCARDS_DB": str(typo)})
    assert result.returncode == 1
    assert f"no collection at {typo} (the path comes from FLASHCARDS_DB)" in result.stderr
    assert not typo.exists()


@pytest.mark.slow
def test_create_and_import_make_a_collection_at_an_explicit_path(tmp_path):
    made = tmp_path / "made.sqlite3"
    result = run("--db", str(made), "--create", "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cards"] == 0
    assert f"created a new collection at {made}" in result.stderr
    deck = write_deck(tmp_path, "d.md", basic_deck(2))
    imported = tmp_path / "imported.sqlite3"
    assert run("--db", str(imported), "import", str(deck)).returncode == 0
    assert run("--db", str(imported), "stats", "--json").returncode == 0
    # ... but an import never creates the folders of a mistyped path
    deep = tmp_path / "missing" / "c.sqlite3"
    assert run("--db", str(deep), "import", str(deck)).returncode == 1
    assert not deep.parent.exists()


@pytest.mark.slow
def test_the_default_collection_is_created_when_needed(tmp_path):
    data = tmp_path / "data"
    result = run("stats", "--json", env={"FLASHCARDS_DATA_DIR": str(data)}, drop=("FLASHCARDS_DB",))
    assert result.returncode == 0, result.stderr
    assert (data / "collection.sqlite3").exists()


@pytest.mark.slow
def test_a_named_config_file_must_exist(tmp_path):
    missing = tmp_path / "nope.toml"
    for args, env in (
        (("--config", str(missing), "stats"), {}),
        (("stats",), {"FLASHCARDS_CONFIG": str(missing)}),
        (("doctor",), {"FLASHCARDS_CONFIG": str(missing)}),
    ):
        result = run("--create", *args, env=env)
        assert result.returncode == 1, args
        assert f"{missing}: no such config file" in result.stderr


@pytest.mark.slow
def test_every_config_problem_is_reported_at_once(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text(
        "[scheduling]\ndesired_retentoin = 0.9\nfuzz = 3\n\n[madeup]\nx = 1\n\n"
        '[day]\ntimezone = "Mars/Olympus"\n',
        encoding="utf-8",
    )
    result = run("--config", str(config), "--create", "stats")
    assert result.returncode == 1
    lines = result.stderr.removeprefix("flashcards: ").splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{config}:2",
        f"{config}:3",
        f"{config}:5",
        f"{config}:9",
    ]
    assert "timezone 'Mars/Olympus' is unknown" in lines[3]


@pytest.mark.slow
def test_a_truncated_collection_names_its_newest_backup(tmp_path, isolated):
    db = isolated / "collection.sqlite3"
    deck = write_deck(tmp_path, "d.md", basic_deck(30))
    assert run("import", str(deck)).returncode == 0
    backup = run("backup")
    assert backup.returncode == 0, backup.stderr
    name = backup.stdout.split("backed up to ", 1)[1].split(" (")[0].rsplit("/", 1)[1]
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.truncate(size // 2)
    for command in (("stats",), ("review",), ("import", str(deck)), ()):
        result = run(*command)
        assert result.returncode == 1, command
        assert f"`flashcards restore {name}`" in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr
    doctor = run("doctor")
    assert doctor.returncode == 1
    assert "cannot be opened" in doctor.stdout
    assert "integrity:" in doctor.stdout
    assert f"`flashcards restore {name}`" in doctor.stderr
    restored = run("restore", name, "--yes")  # the bare name, as listed
    assert restored.returncode == 0, restored.stderr
    assert run("doctor").stdout.strip() == "No problems: 30 cards checked."


@pytest.mark.slow
def test_a_restore_of_an_unknown_name_says_how_to_list_them(tmp_path):
    result = run("--create", "restore", "c-20990101-000000.sqlite3", "--yes")
    assert result.returncode == 1
    assert "no such backup (`flashcards restore` lists them)" in result.stderr


@pytest.mark.slow
def test_an_empty_file_or_a_folder_without_decks_is_a_warning_and_fails(tmp_path, isolated):
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    (folder / "notes.txt").write_text("Q: not a deck\nA: x\n", encoding="utf-8")
    for command in ("check", "import"):
        result = run(command, str(empty))
        assert result.returncode == 1, command
        assert f"{empty}: no cards in this file" in result.stderr
        result = run(command, str(folder))
        assert result.returncode == 1, command
        assert f"{folder}: no .md deck files in this folder" in result.stderr
    one = run("check", str(write_deck(tmp_path, "one.md", basic_deck(1))))
    assert one.stdout.startswith("1 deck, 1 card (")  # not "1 cards"


@pytest.mark.slow
def test_decks_whose_titles_differ_only_in_case_are_warned_about(tmp_path):
    first = write_deck(tmp_path, "a.md", basic_deck(2, title="Offline metrics"))
    assert run("import", str(first)).returncode == 0
    second = write_deck(tmp_path, "b.md", basic_deck(2, title="offline Metrics", prefix="b"))
    result = run("import", str(second))
    assert result.returncode == 0  # imported: a warning, not an error
    assert "decks with the same title: 'Offline metrics'" in result.stderr
    assert "'offline Metrics'" in result.stderr


def test_help_shows_each_command_summary_in_full():
    from click.testing import CliRunner

    from flashcards.cli.main import cli

    for group, args in ((cli, ["--help"]), (cli.commands["decks"], ["decks", "--help"])):
        shown = CliRunner().invoke(cli, args, terminal_width=80).output
        assert "..." not in shown.split("Commands:")[1]
        flowing = " ".join(shown.split())
        for name, command in group.commands.items():
            first = " ".join(command.help.split()).split(". ")[0].rstrip(".")
            assert f"{name} {first}" in flowing, name
