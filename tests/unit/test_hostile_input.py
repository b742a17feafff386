"""Decks are untrusted input: every broken or hostile file gets a clear, located message (or
its cards), the parser never raises, and nothing from a deck reaches the terminal or SQL as
anything but inert text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.deck import load_paths, parse_deck
from flashcards.deck.loader import MAX_DECK_BYTES

CORPUS = Path(__file__).parents[1] / "corpus"


def load_one(name: str):
    return load_paths([str(CORPUS / name)])


@pytest.mark.parametrize(
    ("name", "expected_cards", "expected_error"),
    [
        ("latin1.md", 0, "latin1.md:1: not UTF-8 text (byte 0xe9)"),
        ("bom.md", 1, None),
        ("crlf.md", 1, None),
        ("cr.md", 1, None),
        ("empty.md", 0, None),
        ("image.md", 0, "image.md: binary file, not a Markdown deck"),
        ("unterminated-fence.md", 1, None),
        ("front-matter-list.md", 1, "front-matter-list.md:2: front matter must be a mapping"),
        ("front-matter-unclosed.md", 0, "front-matter-unclosed.md:1: front matter is not closed"),
        ("escapes.md", 1, None),
    ],
)
def test_corpus_file(name, expected_cards, expected_error):
    result = load_one(name)
    assert result.card_count == expected_cards
    messages = [str(e) for e in result.errors]
    if expected_error is None:
        assert messages == []
    else:
        assert any(expected_error in m for m in messages), messages


def test_unterminated_fence_swallows_markers_as_code():
    (card,) = load_one("unterminated-fence.md").decks[0].cards
    assert "Q: inside the fence" in card.back and card.kind.value == "basic"


def test_duplicate_ids_across_files():
    result = load_paths([str(CORPUS / "dup-id-a.md"), str(CORPUS / "dup-id-b.md")])
    assert any("dup-id-b.md:2: duplicate id 'shared' (first at" in str(e) for e in result.errors)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.md"
    with big.open("wb") as handle:
        handle.write(b"x" * (MAX_DECK_BYTES + 1))
    result = load_paths([str(big)])
    assert [str(e) for e in result.errors] == [
        f"{big}: file is 10.0 MB; decks are limited to 10 MB"
    ]


def test_a_ten_thousand_line_card(tmp_path):
    path = tmp_path / "long.md"
    path.write_text(
        "Q: The longest answer?\nA: line 0\n" + "".join(f"line {i}\n" for i in range(1, 10_000))
    )
    (card,) = load_paths([str(path)]).decks[0].cards
    assert card.back.count("\n") == 9_999


@pytest.mark.parametrize("prefix", ["> ", "- ", "1. ", "  - "])
def test_deeply_nested_blocks(tmp_path, prefix):
    path = tmp_path / "deep.md"
    nested = "\n".join(prefix * depth + "deep" for depth in range(1, 2000, 97))
    path.write_text(
        f"Q: How deep?\nA: Very.\n\n{prefix * 5000}bottom\n\n{nested}\n\nQ: after?\nA: yes\n"
    )
    result = load_paths([str(path)])
    assert result.errors == []
    assert [c.front for c in result.decks[0].cards] == ["How deep?", "after?"]


def test_symbolic_link_loops_and_unreadable_files_in_a_folder(tmp_path, monkeypatch):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "good.md").write_text("Q: a?\nA: b\n")
    (folder / "loop-a.md").symlink_to(folder / "loop-b.md")
    (folder / "loop-b.md").symlink_to(folder / "loop-a.md")
    (folder / "dangling.md").symlink_to(folder / "nowhere.md")
    (folder / "cycle").symlink_to(folder, target_is_directory=True)  # a folder loop
    (folder / "locked.md").write_text("Q: locked?\nA: yes\n")
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:  # as for a file without read permission
        if path.name == "locked.md":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = load_paths([str(folder)])
    messages = sorted(str(e) for e in result.errors)
    assert result.card_count == 1
    assert any("loop-a.md: cannot read" in m for m in messages), messages
    assert any("loop-b.md: cannot read" in m for m in messages), messages
    assert any("dangling.md: cannot read" in m for m in messages), messages
    assert any("locked.md: cannot read: Permission denied" in m for m in messages), messages


@pytest.mark.slow
def test_check_prints_the_corpus_errors_inertly_and_fails(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "flashcards", "check", str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for control in ("\x1b", "\x07", "\u202e"):
        assert control not in result.stdout + result.stderr


async def test_escape_sequences_in_cards_are_shown_inert(make_workspace):
    from textual.widgets import Markdown

    from flashcards.ui.app import FlashcardsApp

    text = (CORPUS / "escapes.md").read_text()
    workspace = make_workspace({"e.md": text})
    app = FlashcardsApp(workspace, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = (
            app.screen.query_one("#front", Markdown).source
            + app.screen.query_one("#back", Markdown).source
        )
        for control in ("\x1b", "\x07", "\u202e"):
            assert control not in shown
        assert "␛" in shown and "<U+202E>" in shown


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["review", "--deck", "x' OR '1'='1"],
        ["exam", "--deck", "'; DROP TABLE card; --"],
        ["exam", "--tag", "' OR 1=1 --"],
    ],
)
def test_names_never_reach_sql_as_text(tmp_path, args):
    deck = tmp_path / "d.md"
    deck.write_text("---\ntitle: Real\ntags: [real]\n---\nQ: a?\nA: b\n")

    def run(*arguments):
        return subprocess.run(
            [sys.executable, "-m", "flashcards", *arguments],
            capture_output=True,
            text=True,
            timeout=60,
            env=os.environ.copy(),
        )

    assert run("import", str(deck)).returncode == 0
    result = run(*args)
    assert result.returncode == 1
    assert ("no deck named" in result.stderr) or ("no tag named" in result.stderr)
    assert '"cards": 1' in run("stats", "--json").stdout


# The parser on arbitrary text ----------------------------------------------------------------

MARKDOWN_PIECES = st.sampled_from(
    [
        "Q: ",
        "A: ",
        "C: ",
        "{{",
        "}}",
        "{{c1::",
        "::",
        "|",
        "---",
        "# ",
        "## ",
        "- [ ] ",
        "- [x] ",
        "```",
        "~~~",
        "    ",
        "> ",
        "<!-- id: x -->",
        "<!-- tags: a -->",
        "<!--",
        "-->",
        "`",
        "\n",
        "\n\n",
        "\r\n",
        "\r",
        "text",
        "é",
        "\t",
        "\x1b",
        "\ufeff",
        "title: x",
        "*",
        "_",
        "\\",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKDOWN_PIECES, max_size=60).map("".join))
def test_any_markdown_like_text_gives_cards_or_located_errors(text):
    first = parse_deck(text, "fuzz.md")
    second = parse_deck(text, "fuzz.md")
    assert first.cards == second.cards and first.errors == second.errors  # deterministic
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for error in first.errors:
        assert error.path == "fuzz.md" and 0 <= error.line <= lines


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_at_all_never_raises(text):
    deck = parse_deck(text, "any.md")
    assert deck.cards == parse_deck(text, "any.md").cards
