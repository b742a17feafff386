"""Fitting on a real review log: an Anki export of 12,580 reviews of 1,205 cards (see
shared/data/revlogs/README.md). Its reviews fall between 15:00 and 06:00 UTC, a Pacific-time
day, so its study days are taken in America/Los_Angeles."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import fsrs
import fsrs_rs_python
import pytest
from click.testing import CliRunner

from flashcards.cli.main import cli
from flashcards.optimizer.fit import DEFAULT_PARAMETERS
from flashcards.optimizer.optimization import optimize_history
from flashcards.optimizer.revlog import card_histories, read_revlog_csv

REVLOG = Path(__file__).resolve().parents[3] / "shared" / "data" / "revlogs"
REVLOG = REVLOG / "anki-revlog-12580.csv"
ZONE = "America/Los_Angeles"

pytestmark = pytest.mark.skipif(not REVLOG.exists(), reason=f"{REVLOG} is not here")


@pytest.fixture(autouse=True)
def optimizer_isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHCARDS_DB", str(tmp_path / "collection.sqlite3"))
    (tmp_path / "defaults.toml").write_text("# defaults\n", encoding="utf-8")
    monkeypatch.setenv("FLASHCARDS_CONFIG", str(tmp_path / "defaults.toml"))
    monkeypatch.setenv("FLASHCARDS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FLASHCARDS_NO_BUILTIN", "1")


@pytest.fixture(scope="module")
def optimization():
    histories = card_histories(read_revlog_csv(REVLOG), ZoneInfo(ZONE), 4)
    return optimize_history(histories, relearning_steps=1)


def test_fitted_parameters_beat_the_defaults_on_later_reviews(optimization) -> None:
    assert optimization.reviews == 12_580
    fit = optimization.fit
    assert fit is not None
    assert fit.test_reviews == round(0.2 * optimization.predictable)
    assert fit.fitted.log_loss < fit.default.log_loss
    assert fit.fitted.rmse_bins < fit.default.rmse_bins
    assert fit.improves


def test_revlog_json_shape_and_figures(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["optimize", "--revlog", str(REVLOG), "--timezone", ZONE, "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {
        "reviews",
        "train_reviews",
        "test_reviews",
        "default",
        "fitted",
        "parameters",
        "seconds",
    }
    assert payload["reviews"] == 12_580
    assert payload["train_reviews"] > payload["test_reviews"] > 1000
    for figures in (payload["default"], payload["fitted"]):
        assert set(figures) == {"log_loss", "rmse_bins"}
    assert payload["fitted"]["log_loss"] < payload["default"]["log_loss"]
    assert payload["fitted"]["rmse_bins"] < payload["default"]["rmse_bins"]
    assert len(payload["parameters"]) == 21
    assert all(isinstance(w, float) for w in payload["parameters"])
    assert 0 < payload["seconds"] < 60
    assert not (tmp_path / "collection.sqlite3").exists()  # the collection is not touched


def test_revlog_text_output_shows_the_comparison() -> None:
    result = CliRunner().invoke(cli, ["optimize", "--revlog", str(REVLOG), "--timezone", ZONE])
    assert result.exit_code == 0, result.output
    assert "12,580 reviews" in result.output
    assert "default parameters" in result.output and "fitted parameters" in result.output
    assert "Nothing was changed" in result.output
    assert "Add --yes to keep these parameters for your collection." in result.output


def test_revlog_yes_keeps_the_fitted_parameters_for_the_collection(tmp_path: Path) -> None:
    from flashcards.optimizer.store import active_parameters
    from flashcards.storage import Collection

    assert CliRunner().invoke(cli, ["--create", "stats", "--json"]).exit_code == 0
    result = CliRunner().invoke(
        cli, ["optimize", "--revlog", str(REVLOG), "--timezone", ZONE, "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert "these parameters schedule every deck in it from the next answer" in result.output
    fitted = json.loads(
        CliRunner()
        .invoke(cli, ["optimize", "--revlog", str(REVLOG), "--timezone", ZONE, "--json"])
        .stdout
    )["parameters"]
    collection = Collection(str(tmp_path / "collection.sqlite3"))
    try:
        assert active_parameters(collection) == pytest.approx(fitted)
    finally:
        collection.close()


def test_fitted_set_is_accepted_by_fsrs_and_changes_intervals(optimization) -> None:
    assert optimization.fit is not None
    fitted = optimization.fit.parameters
    assert len(fitted) == 21 and fitted != DEFAULT_PARAMETERS
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    days = (0, 3, 10, 30)  # a card answered Good on these days

    def good_reviews(parameters) -> fsrs.Card:
        scheduler = fsrs.Scheduler(
            parameters=parameters, learning_steps=(), relearning_steps=(), enable_fuzzing=False
        )
        card = fsrs.Card(card_id=1, due=start)
        for day in days:
            card, _log = scheduler.review_card(card, fsrs.Rating.Good, start + timedelta(days=day))
        return card

    # A new card answered Good is due after its initial stability, which at 0.9 retention is
    # w2 days: 2 days by default, 3 with these parameters.
    first = {}
    for name, parameters in (("default", DEFAULT_PARAMETERS), ("fitted", fitted)):
        scheduler = fsrs.Scheduler(parameters=parameters, learning_steps=(), enable_fuzzing=False)
        card, _log = scheduler.review_card(fsrs.Card(card_id=1, due=start), fsrs.Rating.Good, start)
        first[name] = (card.due - start).days
        assert first[name] == round(parameters[2])
    assert first == {"default": 2, "fitted": 3}

    # After more reviews, the `fsrs` scheduler holds the stability the fitted model predicts
    # (computed independently by fsrs-rs), and the interval follows from it.
    card = good_reviews(fitted)
    elapsed = [0] + [later - earlier for earlier, later in zip(days, days[1:], strict=False)]
    item = fsrs_rs_python.FSRSItem([fsrs_rs_python.FSRSReview(3, t) for t in elapsed])
    expected = fsrs_rs_python.FSRS(list(fitted)).memory_state(item)
    assert card.stability == pytest.approx(expected.stability, rel=1e-4)
    assert card.difficulty == pytest.approx(expected.difficulty, rel=1e-4)
    interval = (card.due - card.last_review).days
    assert interval == round(expected.stability)
    assert interval != (good_reviews(DEFAULT_PARAMETERS).due - card.last_review).days
