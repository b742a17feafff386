"""`flashcards check` and `flashcards import` as a user runs them."""

import json
import os
import subprocess
import sys

import pytest

from ..conftest import basic_deck, write_deck


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flashcards", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


@pytest.mark.slow
def test_check_counts_by_kind_as_json(tmp_path):
    write_deck(tmp_path, "a.md", "Q: a?\nA: b\n\nC: {{x}} and {{y}}\n")
    write_deck(tmp_path, "sub/b.md", "Q: pick?\n- [x] a\n- [ ] b\n")
    result = run("check", "--json", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "decks": 2,
        "cards": 4,
        "rounds": 0,
        "by_kind": {"basic": 1, "cloze": 2, "choice": 1},
        "errors": [],
        "warnings": [],
    }


@pytest.mark.slow
def test_check_reports_every_problem_at_once_with_its_place(tmp_path):
    bad = write_deck(
        tmp_path, "bad.md", "Q: no answer?\n\nC: no deletion\n\nQ: pick\n- [ ] a\n- [ ] b\n"
    )
    (tmp_path / "latin1.md").write_bytes("Q: caf\xe9?\nA: b\n".encode("latin-1"))
    result = run("check", str(tmp_path))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert f"{bad}:1: 'Q:' without an 'A:' answer" in lines
    assert f"{bad}:3: 'C:' card without a {{{{deletion}}}}" in lines
    assert (
        f"{bad}:5: multiple-choice question has no correct option: mark one with '- [x]'" in lines
    )
    assert f"{tmp_path / 'latin1.md'}:1: not UTF-8 text (byte 0xe9)" in lines
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_check_never_writes(tmp_path, isolated):
    write_deck(tmp_path, "a.md", "Q: a?\nA: b\n")
    assert run("check", str(tmp_path)).returncode == 0
    assert not (isolated / "collection.sqlite3").exists()


@pytest.mark.slow
def test_missing_path_is_an_error(tmp_path):
    result = run("check", str(tmp_path / "nope.md"))
    assert result.returncode == 1
    assert f"{tmp_path / 'nope.md'}: no such file or folder" in result.stderr


@pytest.mark.slow
def test_import_twice_then_edit(tmp_path):
    deck = write_deck(tmp_path, "d.md", basic_deck(5))
    first = run("import", "--json", str(deck))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "imported": True,
        "added": 5,
        "updated": 0,
        "relinked": 0,
        "retired": 0,
        "unchanged": 0,
        "rounds": {"added": 0, "updated": 0, "unchanged": 0},
        "relinked_cards": [],
        "renamed_decks": {},
        "warnings": [],
    }
    second = run("import", "--json", str(deck))
    assert json.loads(second.stdout)["unchanged"] == 5
    deck.write_text(basic_deck(4).replace("q answer 0.", "q answer zero."))
    third = run("import", str(deck))
    lines = third.stdout.strip().splitlines()
    assert lines[0] == "1 deck: 0 added, 0 updated, 1 relinked, 1 retired, 3 unchanged"
    assert "kept their review history" in lines[1]  # what "relinked" means
    assert lines[2].startswith(f"  relinked {deck}:")  # which card, where
    assert lines[2].endswith(": edited: q question 0?")


@pytest.mark.slow
def test_import_with_errors_writes_nothing(tmp_path, isolated):
    write_deck(tmp_path, "good.md", basic_deck(3))
    write_deck(tmp_path, "bad.md", "Q: broken\n")
    result = run("import", str(tmp_path))
    assert result.returncode == 1
    assert "bad.md:1: 'Q:' without an 'A:' answer" in result.stderr
    assert "1 error: nothing was imported" in result.stderr
    assert not (isolated / "collection.sqlite3").exists()  # not even an empty collection
    as_json = run("import", "--json", str(tmp_path))
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout) == {
        "imported": False,
        "errors": [
            {
                "path": str(tmp_path / "bad.md"),
                "line": 1,
                "message": "'Q:' without an 'A:' answer",
                "text": f"{tmp_path / 'bad.md'}:1: 'Q:' without an 'A:' answer",
            }
        ],
    }


@pytest.mark.slow
def test_db_option_and_url(tmp_path):
    deck = write_deck(tmp_path, "d.md", basic_deck(2))
    target = tmp_path / "elsewhere.sqlite3"
    assert run("--db", str(target), "import", str(deck)).returncode == 0
    assert target.exists()
    url = f"sqlite:///{tmp_path / 'by-url.sqlite3'}"
    assert run("--db", url, "import", str(deck)).returncode == 0
    assert (tmp_path / "by-url.sqlite3").exists()


@pytest.mark.slow
def test_terminal_escapes_in_decks_are_printed_inert(tmp_path):
    write_deck(tmp_path, "evil.md", "<!-- id: \x1b]52;c;ZXZpbA==\x07 -->\nQ: a?\nA: b\n")
    result = run("check", str(tmp_path))
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "␛" in result.stderr


def test_reimporting_unchanged_files_does_not_parse_them(tmp_path, monkeypatch, capsys):
    from flashcards.cli.main import main

    deck = write_deck(tmp_path, "d.md", basic_deck(4))
    monkeypatch.setenv("FLASHCARDS_NOW", "2026-01-05T08:00:00+00:00")

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["flashcards", *args])
        try:
            main()
        except SystemExit as exit_info:
            return exit_info.code
        return 0

    assert run("import", str(deck)) == 0
    capsys.readouterr()

    def refuse_to_parse(*args, **kwargs):
        raise AssertionError("an unchanged deck was parsed again")

    monkeypatch.setattr("flashcards.deck.loader.parse_deck", refuse_to_parse)
    assert run("import", "--json", str(deck)) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == 4
    deck.write_text(basic_deck(5))  # changed: parsed again (and the stand-in refuses)
    with pytest.raises(AssertionError, match="parsed again"):
        run("import", str(deck))
