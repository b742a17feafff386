"""The headless core must run without Textual: parsing, storage, scheduling, study, stats."""

import subprocess
import sys

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


def test_converters_import_no_database_and_no_textual():
    code = (
        "import sys\nimport flashcards.convert.plan, flashcards.convert.report\n"
        "assert 'sqlalchemy' not in sys.modules and 'sqlmodel' not in sys.modules\n"
        "assert 'textual' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
