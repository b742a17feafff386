"""`flashcards optimize` on collections with generated review histories.

The histories come from a simulated learner whose memory follows FSRS-6 with parameters far
from the defaults, so a fit has something to find. Rows are written straight into the tables.
"""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import fsrs_rs_python
import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, select

from flashcards.cli.main import cli
from flashcards.clock import FixedClock
from flashcards.config import load_config
from flashcards.optimizer.fit import DEFAULT_PARAMETERS
from flashcards.optimizer.memory import retrievability
from flashcards.optimizer.store import (
    active_parameters,
    parameter_sets,
    save_parameter_set,
)
from flashcards.storage import Collection
from flashcards.storage.tables import CardRow, DeckRow, ParameterSetRow, ReviewRow
from flashcards.workspace import Workspace

pytestmark = pytest.mark.engines

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=150)
CONFIG_TEXT = """\
# my settings
[scheduling]
desired_retention = 0.90        # keep this comment
fuzz = false

[day]
timezone = "UTC"
"""

# The simulated learner: initial stabilities and forgetting far from the population defaults.
LEARNER = list(DEFAULT_PARAMETERS)
LEARNER[0:4] = [1.5, 4.0, 12.0, 30.0]
LEARNER[8] = 2.4
LEARNER[20] = 0.35


@pytest.fixture(autouse=True)
def optimizer_isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_location: str) -> Path:
    monkeypatch.setenv("FLASHCARDS_DB", db_location)
    monkeypatch.setenv("FLASHCARDS_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("FLASHCARDS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FLASHCARDS_NO_BUILTIN", "1")
    monkeypatch.setenv("FLASHCARDS_NOW", NOW.isoformat())
    (tmp_path / "config.toml").write_text(CONFIG_TEXT, encoding="utf-8")
    return tmp_path


def _learner_history(rng: random.Random, first_day: int) -> list[tuple[datetime, int]]:
    """One card's answers: a first day with its learning steps, then reviews at intervals
    spread around the learner's stability, each recalled with the learner's probability."""
    model = fsrs_rs_python.FSRS(LEARNER)
    answers: list[tuple[datetime, int]] = []
    steps: list[tuple[int, int]] = []

    def answer(day: int, minute: int, rating: int, elapsed: int) -> None:
        at = START + timedelta(days=day, hours=9, minutes=minute + rng.randint(0, 30))
        answers.append((at, rating))
        steps.append((rating, elapsed))

    first = rng.choices((1, 2, 3, 4), (0.2, 0.1, 0.6, 0.1))[0]
    answer(first_day, 0, first, 0)
    if first < 3:
        answer(first_day, 40, 3, 0)
    day = first_day
    while True:
        state = model.memory_state(
            fsrs_rs_python.FSRSItem([fsrs_rs_python.FSRSReview(r, t) for r, t in steps])
        )
        elapsed = max(1, round(state.stability * rng.uniform(0.3, 2.5)))
        if day + elapsed >= 150:
            return answers
        day += elapsed
        if rng.random() < retrievability(elapsed, state.stability, LEARNER):
            answer(day, 0, rng.choices((2, 3, 4), (0.1, 0.8, 0.1))[0], elapsed)
        else:
            answer(day, 0, 1, elapsed)
            answer(day, 40, 3, 0)


def make_collection(path: str, cards: int, new_cards: int = 0, seed: int = 7) -> None:
    """A collection with `cards` studied cards (their reviews replayed through the default
    scheduler, as the program would have stored them) and `new_cards` never studied."""
    rng = random.Random(seed)
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    collection = Collection(path)
    with collection.write() as conn:
        deck_id = conn.execute(
            insert(DeckRow.__table__).values(key="generated.md", name="Generated")
        ).inserted_primary_key[0]
        for number in range(cards + new_cards):
            values = dict(
                uid=f"card-{number}",
                fingerprint=f"f{number}",
                deck_id=deck_id,
                kind="basic",
                front=f"Question {number}",
                back=f"Answer {number}",
                position=number,
                due=START,
                created_at=START,
                modified_at=START,
            )
            card_id = conn.execute(insert(CardRow.__table__).values(**values)).inserted_primary_key[
                0
            ]
            if number >= cards:
                continue
            card = fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=START)
            state_before = 0
            history = _learner_history(rng, first_day=number // 12)
            for at, rating in history:
                card, _log = scheduler.review_card(card, fsrs.Rating(rating), at)
                conn.execute(
                    insert(ReviewRow.__table__).values(
                        card_id=card_id,
                        rating=rating,
                        reviewed_at=at,
                        duration_ms=rng.randint(4000, 20000),
                        state_before=state_before,
                    )
                )
                state_before = int(card.state)
            conn.execute(
                CardRow.__table__.update()
                .where(CardRow.__table__.c.id == card_id)
                .values(
                    state=int(card.state),
                    step=card.step,
                    stability=card.stability,
                    difficulty=card.difficulty,
                    due=card.due,
                    last_review=card.last_review,
                    reps=len(history),
                )
            )
    collection.close()


def run(*arguments: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, ["optimize", *arguments], input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def db_path(tmp_path: Path) -> str:
    """The test's collection (`db_location`: a file in `tmp_path`, or a server database)."""
    return os.environ["FLASHCARDS_DB"]


def card_snapshot(path: str) -> list[tuple]:
    collection = Collection(path)
    with collection.read() as conn:
        rows = conn.execute(select(CardRow.__table__).order_by(CardRow.__table__.c.id)).all()
    collection.close()
    return [tuple(row) for row in rows]


def parameter_rows(path: str) -> int:
    collection = Collection(path)
    with collection.read() as conn:
        count = conn.execute(select(func.count()).select_from(ParameterSetRow.__table__)).scalar()
    collection.close()
    return count


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One generated collection, copied into each test that changes it."""
    folder = tmp_path_factory.mktemp("generated")
    make_collection(str(folder / "collection.sqlite3"), cards=240, new_cards=60)
    return folder / "collection.sqlite3"


@pytest.fixture
def collection_file(engine: str, db_location: str, request: pytest.FixtureRequest) -> str:
    if engine != "sqlite":  # a server database: generated for the test
        make_collection(db_location, cards=240, new_cards=60)
        return db_location
    generated: Path = request.getfixturevalue("generated")
    Path(db_location).write_bytes(generated.read_bytes())
    return db_location


def test_too_little_history_explains_and_keeps_the_defaults(tmp_path: Path) -> None:
    make_collection(db_path(tmp_path), cards=15)
    result = run("--yes")
    assert result.exit_code == 0, result.output
    assert "Not enough history" in result.output
    assert "needs 400" in result.output
    assert parameter_rows(db_path(tmp_path)) == 0

    payload = json.loads(run("--json").stdout)
    assert payload["parameters"] is None
    assert payload["fitted"] is None
    assert "Not enough history" in payload["message"]


@pytest.mark.sqlite_only  # no collection file yet
def test_no_collection_yet_is_too_little_history(tmp_path: Path) -> None:
    result = run()
    assert result.exit_code == 0
    assert "no reviews yet" in result.output
    assert not Path(db_path(tmp_path)).exists()


def test_json_on_the_collection_changes_nothing(collection_file: str) -> None:
    before = card_snapshot(collection_file)
    result = run("--json", "--reschedule")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["fitted"]["log_loss"] < payload["default"]["log_loss"]
    assert payload["train_reviews"] > payload["test_reviews"] > 0
    assert parameter_rows(collection_file) == 0
    assert card_snapshot(collection_file) == before


def test_declining_changes_nothing(collection_file: str) -> None:
    result = run(stdin="n\n")
    assert result.exit_code == 0, result.output
    assert "Use the new parameters?" in result.output
    assert "Kept the current parameters" in result.output
    assert parameter_rows(collection_file) == 0


def test_accepting_stores_the_set_and_the_next_answer_uses_it(collection_file: str) -> None:
    result = run("--yes")
    assert result.exit_code == 0, result.output
    assert "log loss" in result.output and "RMSE(bins)" in result.output
    assert "Saved" in result.output

    collection = Collection(collection_file)
    [stored] = parameter_sets(collection)
    assert stored.active and stored.reviews > 0
    assert stored.log_loss_after < stored.log_loss_before
    assert stored.rmse_after is not None and stored.rmse_before is not None
    fitted = active_parameters(collection)
    assert fitted == stored.parameters and fitted != DEFAULT_PARAMETERS
    collection.close()

    config_file = Path(os.environ["FLASHCARDS_CONFIG"])
    workspace = Workspace.open(collection_file, config_file, FixedClock(NOW), seed=False)
    try:
        assert workspace.parameters == fitted
        session = workspace.review_session()
        card = session.next_card()
        assert card is not None
        expected = {}
        for name, parameters in (("fitted", fitted), ("default", DEFAULT_PARAMETERS)):
            scheduler = fsrs.Scheduler(
                parameters=parameters,
                learning_steps=workspace.config.learning_steps,
                relearning_steps=workspace.config.relearning_steps,
                enable_fuzzing=False,
            )
            expected[name], _log = scheduler.review_card(card.to_fsrs(), fsrs.Rating.Good, NOW)
        assert expected["fitted"].stability != pytest.approx(expected["default"].stability)
        assert session.current_outcomes[3].card.stability == pytest.approx(
            expected["fitted"].stability
        )
        assert session.answer(3).saved
        with workspace.collection.read() as conn:
            stored_card = conn.execute(
                select(CardRow.__table__).where(CardRow.__table__.c.id == card.id)
            ).one()
        assert stored_card.stability == pytest.approx(expected["fitted"].stability)
        assert stored_card.due == expected["fitted"].due
    finally:
        workspace.close()


def test_earlier_sets_are_kept_and_the_newest_schedules(tmp_path: Path) -> None:
    collection = Collection(db_path(tmp_path))
    first = tuple(w * 1.01 for w in DEFAULT_PARAMETERS)
    second = tuple(w * 0.99 for w in DEFAULT_PARAMETERS)
    save_parameter_set(collection, first, now=NOW - timedelta(days=30), reviews=500)
    save_parameter_set(collection, second, now=NOW, reviews=900)
    sets = parameter_sets(collection)
    assert [s.parameters for s in sets] == [second, first]
    assert [s.active for s in sets] == [True, False]
    assert active_parameters(collection) == second
    collection.close()


def test_reschedule_moves_due_dates_and_says_so(collection_file: str) -> None:
    before = {row[0]: row for row in card_snapshot(collection_file)}
    result = run("--yes", "--reschedule")
    assert result.exit_code == 0, result.output
    assert "cards move:" in result.output
    assert "earlier" in result.output and "later" in result.output
    assert "Rescheduled" in result.output

    collection = Collection(collection_file)
    fitted = active_parameters(collection)
    table = CardRow.__table__
    with collection.read() as conn:
        cards = {row.id: row for row in conn.execute(select(table))}
        answers = conn.execute(
            select(ReviewRow.__table__).order_by(ReviewRow.__table__.c.reviewed_at)
        ).all()
    collection.close()
    due_index = list(table.c.keys()).index("due")
    moved = [card_id for card_id, row in cards.items() if row.due != before[card_id][due_index]]
    assert len(moved) > 10

    # A moved card is where the `fsrs` scheduler with the fitted parameters puts it.
    card_id = moved[0]
    config = load_config(Path(os.environ["FLASHCARDS_CONFIG"]))
    scheduler = fsrs.Scheduler(
        parameters=fitted,
        learning_steps=config.learning_steps,
        relearning_steps=config.relearning_steps,
        enable_fuzzing=False,
    )
    card = fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=START)
    for review in (r for r in answers if r.card_id == card_id):
        card, _log = scheduler.review_card(card, fsrs.Rating(review.rating), review.reviewed_at)
    assert cards[card_id].due == card.due
    assert cards[card_id].stability == pytest.approx(card.stability)


def test_reschedule_asks_first(collection_file: str) -> None:
    before = card_snapshot(collection_file)
    result = run("--reschedule", stdin="y\nn\n")
    assert result.exit_code == 0, result.output
    assert "Reschedule them?" in result.output
    assert "Due dates unchanged" in result.output
    assert parameter_rows(collection_file) == 1
    assert card_snapshot(collection_file) == before


def test_retention_simulation_is_monotone_and_changes_nothing(collection_file: str) -> None:
    config_file = Path(os.environ["FLASHCARDS_CONFIG"])
    result = run("--retention", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["studied_cards"] == 240 and payload["new_cards"] == 60
    rows = payload["rows"]
    retentions = [row["desired_retention"] for row in rows]
    assert retentions[0] == 0.70 and retentions[-1] == 0.97
    assert retentions == sorted(retentions)
    reviews = [row["reviews_per_day"] for row in rows]
    assert all(a <= b for a, b in zip(reviews, reviews[1:], strict=False)), reviews
    assert reviews[-1] > 2 * reviews[0]
    known = [row["cards_known"] for row in rows]
    assert known[-1] > known[0]
    assert all(row["new_per_day"] == pytest.approx(60 / 365, abs=0.01) for row in rows)
    assert config_file.read_text(encoding="utf-8") == CONFIG_TEXT


def test_retention_choice_is_written_to_the_config(collection_file: str) -> None:
    config_file = Path(os.environ["FLASHCARDS_CONFIG"])
    result = run("--retention", stdin="0.85\n")
    assert result.exit_code == 0, result.output
    assert "reviews" in result.output and "minutes" in result.output
    assert "cards known" in result.output
    assert "← current" in result.output
    assert "Desired retention set to 0.85" in result.output
    text = config_file.read_text(encoding="utf-8")
    assert "desired_retention = 0.85        # keep this comment" in text
    assert text.replace("0.85", "0.90") == CONFIG_TEXT
    assert load_config(config_file).desired_retention == 0.85

    result = run("--retention", "--desired", "0.8")
    assert result.exit_code == 0, result.output
    assert load_config(config_file).desired_retention == 0.80


def test_retention_with_yes_keeps_the_config(collection_file: str) -> None:
    config_file = Path(os.environ["FLASHCARDS_CONFIG"])
    result = run("--retention", "--yes")
    assert result.exit_code == 0, result.output
    assert "stays 0.90" in result.output
    assert config_file.read_text(encoding="utf-8") == CONFIG_TEXT
