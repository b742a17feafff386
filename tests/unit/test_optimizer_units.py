"""The optimizer's parts on their own: review logs, study days, metrics, the config writer."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import fsrs_rs_python
import pytest

from flashcards.config import DEFAULT_CONFIG_TEXT, load_config, set_desired_retention
from flashcards.optimizer.dataset import Item, items_from, time_split, to_fsrs_items
from flashcards.optimizer.evaluate import evaluate_parameters, rmse_bin
from flashcards.optimizer.fit import DEFAULT_PARAMETERS, schedulable
from flashcards.optimizer.memory import retrievability
from flashcards.optimizer.revlog import Review, RevlogError, card_histories, read_revlog_csv
from flashcards.optimizer.simulate import Behaviour, Limits, simulate_year

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def optimizer_isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHCARDS_DB", str(tmp_path / "collection.sqlite3"))
    (tmp_path / "defaults.toml").write_text("# defaults\n", encoding="utf-8")
    monkeypatch.setenv("FLASHCARDS_CONFIG", str(tmp_path / "defaults.toml"))
    monkeypatch.setenv("FLASHCARDS_NO_BUILTIN", "1")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- review logs ---------------------------------------------------------------------------


def test_csv_times_as_epoch_milliseconds_or_iso(tmp_path: Path) -> None:
    log = write(
        tmp_path / "log.csv",
        "card_id,review_time,review_rating,review_duration\n"
        "a,1711744352250,3,25060\n"
        "a,2024-04-01T20:32:39.497000+00:00,1,\n"
        "b,2024-04-01T22:32:39+02:00,4,1000.4\n"
        "b,2024-04-02 10:00:00,2,5\n",
    )
    reviews = read_revlog_csv(log)
    assert [r.reviewed_at for r in reviews] == [
        datetime(2024, 3, 29, 20, 32, 32, 250000, tzinfo=UTC),
        datetime(2024, 4, 1, 20, 32, 39, 497000, tzinfo=UTC),
        datetime(2024, 4, 1, 20, 32, 39, tzinfo=UTC),
        datetime(2024, 4, 2, 10, 0, tzinfo=UTC),  # no offset: UTC
    ]
    assert [r.rating for r in reviews] == [3, 1, 4, 2]
    assert [r.duration_ms for r in reviews] == [25060, None, 1000, 5]
    assert all(r.state_before is None for r in reviews)


def test_csv_review_state_and_manual_entries(tmp_path: Path) -> None:
    log = write(
        tmp_path / "log.csv",
        "card_id,review_time,review_rating,review_duration,review_state\n"
        "1,1000,3,1,0\n"
        "1,2000,0,0,4\n"  # a manual reschedule: not a review
        "1,3000,3,1,2\n",
    )
    reviews = read_revlog_csv(log)
    assert [(r.rating, r.state_before) for r in reviews] == [(3, 0), (3, 2)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("card_id,review_rating\n1,3\n", ":1: missing column review_time"),
        ("card_id,review_time,review_rating\n1,1000,3\n1,1001,7\n", ":3: review_rating must"),
        ("card_id,review_time,review_rating\n1,yesterday,3\n", ":2: review_time must"),
        ("card_id,review_time,review_rating\n,1000,3\n", ":2: card_id is empty"),
    ],
)
def test_csv_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RevlogError, match=message):
        read_revlog_csv(write(tmp_path / "log.csv", text))


def test_missing_file_is_a_revlog_error(tmp_path: Path) -> None:
    with pytest.raises(RevlogError, match="cannot read"):
        read_revlog_csv(tmp_path / "nope.csv")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_study_days_follow_the_local_rollover() -> None:
    reviews = [
        Review("c", at("2026-01-05T22:00:00+01:00"), 3),
        Review("c", at("2026-01-06T03:30:00+01:00"), 3),  # before 04:00: still the 5th
        Review("c", at("2026-01-06T04:30:00+01:00"), 3),  # the 6th
        Review("c", at("2026-01-09T12:00:00+01:00"), 1),
    ]
    [history] = card_histories(reversed(reviews), BERLIN, 4)
    assert [r.reviewed_at for r in history.reviews] == [r.reviewed_at for r in reviews]
    assert [r.day - history.reviews[0].day for r in history.reviews] == [0, 0, 1, 4]
    items = items_from([history])
    assert [item.reviews for item in items] == [
        ((3, 0), (3, 0), (3, 1)),
        ((3, 0), (3, 0), (3, 1), (1, 3)),
    ]


def test_states_start_histories_and_drop_partial_ones() -> None:
    def review(card: str, hour: int, state: int) -> Review:
        return Review(card, datetime(2026, 1, 1 + hour, 12, tzinfo=UTC), 3, None, state)

    reviews = [
        review("partial", 0, 2),  # first seen in review: its start is missing
        review("partial", 1, 2),
        review("reset", 0, 0),
        review("reset", 1, 2),
        review("reset", 2, 0),  # reset to new: a second history
        review("reset", 3, 2),
    ]
    histories = card_histories(reviews, UTC, 4)
    assert [(h.card_id, len(h.reviews)) for h in histories] == [("reset", 2), ("reset", 2)]


def test_time_split_holds_out_the_latest_reviews() -> None:
    items = [Item(datetime(2026, 1, day, tzinfo=UTC), ((3, 0), (3, day))) for day in range(1, 11)]
    split = time_split(items, held_out=0.2)
    assert split.train == items[:8] and split.test == items[8:]
    assert split.held_out_from == datetime(2026, 1, 9, tzinfo=UTC)


# -- metrics -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reviews",
    [
        ((3, 0), (3, 3)),
        ((1, 0), (3, 0), (3, 1), (1, 4)),
        ((3, 0), (3, 2), (3, 6), (3, 15), (1, 40), (3, 0), (3, 2)),
    ],
)
def test_a_single_review_scores_as_in_fsrs_rs(reviews) -> None:
    """With one review the library's recency weights do not matter, so its `evaluate` and
    ours must agree: the same prediction, the same log loss and squared bin error."""
    items = [Item(datetime(2026, 1, 1, tzinfo=UTC), reviews)]
    ours = evaluate_parameters(DEFAULT_PARAMETERS, items)
    theirs = fsrs_rs_python.FSRS(list(DEFAULT_PARAMETERS)).evaluate(to_fsrs_items(items))
    assert ours.log_loss == pytest.approx(theirs.log_loss, rel=1e-5)
    assert ours.rmse_bins == pytest.approx(theirs.rmse_bins, rel=1e-5)


def test_rmse_bins_are_count_weighted_means_per_bin() -> None:
    # Two reviews in one bin: one recalled, one not; the bin's error is |mean p - 0.5|.
    items = [
        Item(datetime(2026, 1, 1, tzinfo=UTC), ((3, 0), (3, 3))),
        Item(datetime(2026, 1, 2, tzinfo=UTC), ((3, 0), (1, 3))),
    ]
    assert rmse_bin(items[0].reviews) == rmse_bin(items[1].reviews) == (248, 4, 0)
    predicted = retrievability(3, DEFAULT_PARAMETERS[2], DEFAULT_PARAMETERS)
    figures = evaluate_parameters(DEFAULT_PARAMETERS, items)
    assert figures.rmse_bins == pytest.approx(abs(predicted - 0.5))


def test_forgetting_curve_is_0_9_at_one_stability() -> None:
    for stability in (0.5, 3.0, 40.0):
        assert retrievability(stability, stability, DEFAULT_PARAMETERS) == pytest.approx(0.9)


def test_schedulable_rounds_and_clamps_into_the_fsrs_bounds() -> None:
    raw = list(DEFAULT_PARAMETERS)
    raw[20] = 0.800000011920929  # 0.8 as a 32-bit float is above the bound
    raw[0] = 0.00001
    result = schedulable(raw)
    assert result[20] == 0.8 and result[0] == 0.001
    with pytest.raises(ValueError):
        schedulable(raw[:19])


# -- simulation ----------------------------------------------------------------------------


def test_simulation_of_new_cards_matches_the_library_on_cards_known() -> None:
    limits = Limits(20, 10_000, 36500, 2, 1)
    ours = simulate_year(DEFAULT_PARAMETERS, 0.9, [], 600, Behaviour.defaults(limits), limits)
    config = fsrs_rs_python.default_simulator_config()
    config.deck_size, config.learn_limit = 600, 20
    theirs = fsrs_rs_python.simulate(list(DEFAULT_PARAMETERS), 0.9, config, 1)
    assert ours.new_per_day == pytest.approx(600 / 365)
    assert ours.cards_known == pytest.approx(theirs.memorized_cnt_per_day[-1], rel=0.05)


# -- config --------------------------------------------------------------------------------


def test_set_desired_retention_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    text = (
        "# mine\n[limits]\nnew_per_day = 5\n\n[scheduling]\n"
        "# desired_retention = 0.5\ndesired_retention = 0.90   # why\nfuzz = false\n"
    )
    path = write(tmp_path / "config.toml", text)
    set_desired_retention(path, 0.87)
    assert path.read_text(encoding="utf-8") == text.replace("0.90   # why", "0.87   # why")
    assert load_config(path).desired_retention == 0.87


def test_set_desired_retention_adds_what_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path / "a.toml", "[scheduling]\nfuzz = false\n")
    set_desired_retention(path, 0.8)
    assert (
        path.read_text(encoding="utf-8") == "[scheduling]\ndesired_retention = 0.80\nfuzz = false\n"
    )

    path = write(tmp_path / "b.toml", "[limits]\nnew_per_day = 5")
    set_desired_retention(path, 0.95)
    assert load_config(path).desired_retention == 0.95
    assert load_config(path).new_per_day == 5


def test_set_desired_retention_creates_the_file_from_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    set_desired_retention(path, 0.85)
    text = path.read_text(encoding="utf-8")
    assert text == DEFAULT_CONFIG_TEXT.replace(
        "desired_retention = 0.90", "desired_retention = 0.85"
    )


def test_set_desired_retention_refuses_nonsense(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        set_desired_retention(tmp_path / "config.toml", 1.5)
    assert not (tmp_path / "config.toml").exists()


# -- headless ------------------------------------------------------------------------------


@pytest.mark.slow
def test_optimizer_never_loads_textual() -> None:
    code = (
        "import sys\n"
        "import flashcards.optimizer as o\n"
        "for name in o.__all__: getattr(o, name)\n"
        "import flashcards.cli.optimize\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_progress_bar_appears_only_after_its_delay() -> None:
    import io

    from flashcards.cli.optimize import _ProgressBar

    quiet = io.StringIO()
    bar = _ProgressBar("optimize", 4, delay=60, stream=quiet)
    bar.update(2, "fitting")
    bar.finish()
    assert quiet.getvalue() == ""

    shown = io.StringIO()
    bar = _ProgressBar("optimize", 4, delay=0, stream=shown)
    bar.update(2, "fitting")
    bar.finish()
    assert shown.getvalue() == "optimize [############------------] 2/4 fitting\n"


def test_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flashcards.cli.main import cli

    log = write(tmp_path / "log.csv", "card_id,review_time\n1,2\n")
    result = CliRunner().invoke(cli, ["optimize", "--revlog", str(log)])
    assert result.exit_code == 1
    assert "log.csv:1: missing column review_rating" in result.output
    result = CliRunner().invoke(
        cli, ["optimize", "--revlog", str(log), "--timezone", "Mars/Olympus"]
    )
    assert result.exit_code == 1
    assert "unknown timezone 'Mars/Olympus'" in result.output
    result = CliRunner().invoke(cli, ["optimize", "--reschedule", "--revlog", str(log)])
    assert result.exit_code == 2
