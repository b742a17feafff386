"""The rule that names a deck the same way on every machine (flashcards.deck.identity)."""

from __future__ import annotations

import pytest

from flashcards.deck.identity import deck_key, is_legacy, key_place, place_of, trailing_match


def test_the_id_wins_and_built_in_decks_are_set_apart():
    assert deck_key("ml/ranking.md", None, builtin=False) == "ml/ranking.md"
    assert deck_key("ml/ranking.md", "ranking", builtin=False) == "id:ranking"
    assert deck_key("02-offline-metrics.md", None, builtin=True) == "builtin/02-offline-metrics.md"


@pytest.mark.parametrize(
    ("key", "legacy"),
    [
        ("/home/ana/decks/ranking.md", True),
        ("C:\\Users\\ana\\decks\\ranking.md", True),
        ("ml/ranking.md", False),
        ("id:ranking", False),
        ("builtin/01-interview-framework.md", False),
    ],
)
def test_a_key_from_before_schema_9_is_an_absolute_path(key, legacy):
    assert is_legacy(key) is legacy


def test_a_place_is_matched_part_for_part_from_the_end():
    assert trailing_match("/home/ana/decks/ml/ranking.md", "ml/ranking.md")
    assert not trailing_match("/home/ana/decks/xml/ranking.md", "ml/ranking.md")
    assert not trailing_match("ranking.md", "ml/ranking.md")
    assert key_place("builtin/02-offline-metrics.md") == "02-offline-metrics.md"
    assert key_place("id:ranking") is None and key_place("/decks/ranking.md") is None


def test_a_file_named_alone_takes_the_longest_place_that_ends_its_path():
    known = {"ranking.md", "ml/ranking.md", "builtin/ml/ranking.md", "id:ml", "/ml/ranking.md"}
    assert place_of("/home/ana/decks/ml/ranking.md", known) == ("ml/ranking.md", "ml/ranking.md")
    assert place_of("/home/ana/other/ranking.md", known) == ("ranking.md", "ranking.md")
    assert place_of("/home/ana/new.md", known) == ("new.md", None)
