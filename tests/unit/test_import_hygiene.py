"""The headless core must run without Textual: parsing, storage, scheduling, study, stats."""

import subprocess
import sys

import pytest

# Every test here starts a process of its own.
pytestmark = pytest.mark.slow

HEADLESS = [
    "flashcards.deck",
    "flashcards.storage",
    "flashcards.scheduling",
    "flashcards.scheduling.queue",
    "flashcards.study",
    "flashcards.stats.summary",
    "flashcards.workspace",
    "flashcards.config",
    "flashcards.clock",
    "flashcards.search",
    "flashcards.study.manage",
    "flashcards.study.exam",
    "flashcards.maintenance.doctor",
    "flashcards.optimizer",
    "flashcards.optimizer.simulate",
    "flashcards.storage.backup",
    "flashcards.study.carried",
]


def test_core_modules_do_not_import_textual():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in HEADLESS)
        + "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if 'textual' in m)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_deck_parser_imports_no_database():
    code = (
        "import sys\nimport flashcards.deck\n"
        "assert 'sqlalchemy' not in sys.modules and 'sqlmodel' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_commands_without_a_collection_import_no_database_layer(tmp_path):
    """`--help`, `--version` and `check` answer without importing SQLAlchemy or SQLModel
    (most of a command's start-up time), nor Textual."""
    deck = tmp_path / "d.md"
    deck.write_text("Q: a?\nA: b\n", encoding="utf-8")
    for arguments in (["--help"], ["--version"], ["check", str(deck)], ["check", "--help"]):
        code = (
            "import sys\n"
            f"sys.argv = ['flashcards', *{arguments!r}]\n"
            "from flashcards.cli.main import main\n"
            "try:\n"
            "    main()\n"
            "except SystemExit as done:\n"
            "    assert done.code in (0, None), done.code\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'sqlmodel', 'textual', 'fsrs'))\n"
            "assert not heavy, heavy\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode == 0, (arguments, result.stderr[-2000:])


def test_opening_a_collection_does_not_load_the_markdown_parser():
    """The deck parser's markdown-it is loaded when a deck is parsed, not when the collection
    is opened (statistics, and the home screen when the built-in decks are unchanged)."""
    code = (
        "import sys\nimport flashcards.workspace, flashcards.stats.summary\n"
        "assert 'markdown_it' not in sys.modules\n"
        "from flashcards.deck import parse_deck\n"
        "assert parse_deck('Q: a?\\nA: b\\n', 'd.md').cards\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_converters_import_no_database_and_no_textual():
    code = (
        "import sys\nimport flashcards.convert.plan, flashcards.convert.report\n"
        "assert 'sqlalchemy' not in sys.modules and 'sqlmodel' not in sys.modules\n"
        "assert 'textual' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
