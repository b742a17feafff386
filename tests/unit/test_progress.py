"""Long imports show progress; short ones stay quiet."""

import io

from flashcards.cli.progress import Progress


def test_progress_is_shown_only_after_the_delay():
    quiet = io.StringIO()
    Progress("import", delay=60, stream=quiet)("reading decks")
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    progress = Progress("import", delay=0, stream=shown)
    progress("reading decks")
    progress("writing")
    lines = shown.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == ["import: reading decks", "import: writing"]
