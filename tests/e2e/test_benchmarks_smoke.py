"""The benchmark suite still runs: its smallest configuration, end to end, in a subprocess.

No timing is asserted (CI machines vary too much); only that every row is measured, printed
and written as JSON with the agreed keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Every test here starts a process of its own.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
KEYS = {"name", "ours_s", "baseline", "baseline_s", "ratio", "target", "met"}
ROWS = ("1.", "2.", "3.", "4.", "5a.", "5b.", "6.", "7.", "8.", "9.", "10.", "11.", "12.", "13.")


def test_smoke_run_prints_the_table_and_writes_json(tmp_path):
    output = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--json", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = result.stdout
    assert "Row" in table and "Baseline" in table and "Ratio" in table
    for prefix in ROWS:
        assert any(line.startswith(prefix) for line in table.splitlines()), prefix

    rows = json.loads(output.read_text(encoding="utf-8"))
    assert [row["name"].split(" ", 1)[0] for row in rows] == list(ROWS)
    for row in rows:
        assert row.keys() >= KEYS, row
        assert isinstance(row["ours_s"], int | float) and row["ours_s"] > 0
        if row["baseline_s"] is None:  # a peer row without the bench extra installed
            assert row["ratio"] is None and row["met"] is None
        else:
            assert row["ratio"] == round(row["ours_s"] / row["baseline_s"], 4)
            assert row["met"] in (True, False) or row["target"] is None


def test_smoke_run_adds_the_collection_rows_on_a_postgresql_server(tmp_path, postgres_server):
    output = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--json", str(output),
         "--db-url", postgres_server.url("postgres")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    rows = {row["name"].split(" ", 1)[0]: row for row in json.loads(output.read_text("utf-8"))}
    for prefix in ("4", "5a", "9", "10"):
        server = rows[f"{prefix}p."]
        assert server["baseline"] == f"row {prefix} on SQLite"
        assert server["baseline_s"] == rows[f"{prefix}."]["ours_s"]
        assert server["ours_s"] > 0
    assert "flashcards_bench_" not in postgres_server.databases()  # every copy dropped
