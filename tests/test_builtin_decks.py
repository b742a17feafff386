"""The shipped curriculum: well-formed, big enough, and seeded into a new collection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flashcards.deck import CardKind, load_paths

DECKS = Path(__file__).parent.parent / "decks"


def test_flashcards_check_passes_on_the_builtin_decks():
    result = subprocess.run(
        [sys.executable, "-m", "flashcards", "check", "--json", str(DECKS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == [] and result.returncode == 0
    assert report["decks"] >= 10
    assert report["cards"] >= 450
    assert report["by_kind"]["choice"] >= 80
    assert report["by_kind"]["cloze"] >= 60


def test_every_deck_has_topics_and_every_card_an_id():
    loaded = load_paths([str(DECKS)])
    for deck in loaded.decks:
        assert len({card.topic for card in deck.cards}) >= 4, deck.path
        assert all(card.topic for card in deck.cards), deck.path
        assert all(card.explicit_id for card in deck.cards), deck.path
        kinds = {card.kind for card in deck.cards}
        assert kinds == set(CardKind), (deck.path, kinds)


def test_no_two_cards_ask_the_same_question():
    loaded = load_paths([str(DECKS)])
    seen: dict[str, str] = {}
    for deck in loaded.decks:
        for card in deck.cards:
            if card.kind is CardKind.CLOZE:
                continue
            question = " ".join(card.front.lower().split())
            assert question not in seen, f"{deck.path}:{card.line} repeats {seen[question]}"
            seen[question] = f"{deck.path}:{card.line}"


def test_a_new_collection_is_seeded_with_the_builtin_decks(isolated):
    env = {k: v for k, v in os.environ.items() if k != "FLASHCARDS_NO_BUILTIN"}
    result = subprocess.run(
        [sys.executable, "-m", "flashcards", "stats", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    cards = json.loads(result.stdout)["cards"]
    assert cards == load_paths([str(DECKS)]).card_count
