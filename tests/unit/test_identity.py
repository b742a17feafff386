"""A card's history survives editing, reordering, moving and renaming; imports are atomic."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from flashcards.deck import load_paths
from flashcards.storage import Collection, ImportConflict, import_decks
from flashcards.storage.tables import CardRow, DeckRow, ReviewRow

from ..conftest import NOW, import_paths, write_deck

pytestmark = pytest.mark.engines

DECK = """
---
title: Metrics
---
# Ranking

Q: What does NDCG discount by?
A: The logarithm of the rank: gain / log2(rank + 1).

Q: Why prefer PR-AUC over ROC-AUC with rare positives?
A: ROC-AUC's false-positive rate is diluted by the many true negatives.

C: MRR averages the {{reciprocal rank}} of the first relevant item.
"""


@pytest.fixture
def collection(db_location):
    collection = Collection(db_location)
    yield collection
    collection.close()


def cards(collection: Collection) -> dict[str, int]:
    """Front text of each active card -> its id."""
    with collection.read() as conn:
        rows = conn.execute(
            select(CardRow.__table__.c.front, CardRow.__table__.c.id).where(
                CardRow.__table__.c.retired.is_(False)
            )
        )
        return {front: card_id for front, card_id in rows}


def add_history(collection: Collection, card_id: int) -> None:
    with collection.write() as conn:
        conn.execute(
            ReviewRow.__table__.insert().values(
                card_id=card_id, rating=3, reviewed_at=NOW, state_before=0
            )
        )


def history(collection: Collection, card_id: int) -> int:
    with collection.read() as conn:
        table = ReviewRow.__table__
        return conn.execute(
            select(func.count()).select_from(table).where(table.c.card_id == card_id)
        ).scalar()


def test_first_import_adds_and_second_changes_nothing(tmp_path, collection):
    path = write_deck(tmp_path, "metrics.md", DECK)
    first = import_paths(collection, path)
    assert first.as_dict() == {
        "added": 3,
        "updated": 0,
        "relinked": 0,
        "retired": 0,
        "unchanged": 0,
    }
    second = import_paths(collection, path)
    assert second.as_dict() == {
        "added": 0,
        "updated": 0,
        "relinked": 0,
        "retired": 0,
        "unchanged": 3,
    }


def test_fixing_the_answer_keeps_the_card(tmp_path, collection):
    path = write_deck(tmp_path, "metrics.md", DECK)
    import_paths(collection, path)
    before = cards(collection)["What does NDCG discount by?"]
    add_history(collection, before)
    write_deck(tmp_path, "metrics.md", DECK.replace("gain / log2(rank + 1)", "gain / log2(1 + i)"))
    report = import_paths(collection, path)
    assert report.relinked == 1 and report.added == 0 and report.retired == 0
    assert cards(collection)["What does NDCG discount by?"] == before
    assert history(collection, before) == 1


def test_fixing_a_typo_in_the_question_keeps_the_card(tmp_path, collection):
    path = write_deck(tmp_path, "metrics.md", DECK)
    import_paths(collection, path)
    before = cards(collection)["Why prefer PR-AUC over ROC-AUC with rare positives?"]
    write_deck(tmp_path, "metrics.md", DECK.replace("Why prefer", "Why preffer"))
    report = import_paths(collection, path)
    assert (report.relinked, report.added, report.retired) == (1, 0, 0)
    assert cards(collection)["Why preffer PR-AUC over ROC-AUC with rare positives?"] == before


def test_fixing_a_typo_in_a_cloze_keeps_the_card(tmp_path, collection):
    path = write_deck(tmp_path, "metrics.md", DECK)
    import_paths(collection, path)
    (before,) = [i for f, i in cards(collection).items() if f.startswith("MRR")]
    write_deck(tmp_path, "metrics.md", DECK.replace("averages the", "averages  the mean"))
    report = import_paths(collection, path)
    assert (report.relinked, report.added) == (1, 0)
    assert [i for f, i in cards(collection).items() if f.startswith("MRR")] == [before]


def test_reordering_keeps_cards_and_reports_unchanged(tmp_path, collection):
    path = write_deck(tmp_path, "metrics.md", DECK)
    import_paths(collection, path)
    before = cards(collection)
    head, ndcg, prauc, cloze = DECK.split("\n\n", 3)[0], *DECK.split("\n\n")[1:4]
    write_deck(tmp_path, "metrics.md", "\n\n".join([head, cloze, prauc, ndcg]))
    report = import_paths(collection, path)
    assert report.unchanged == 3 and report.added == report.retired == 0
    assert cards(collection) == before


def test_moving_a_card_to_another_file_keeps_it(tmp_path, collection):
    first = write_deck(tmp_path, "a.md", DECK)
    import_paths(collection, first)
    card_id = cards(collection)["What does NDCG discount by?"]
    moved = "Q: What does NDCG discount by?\nA: The logarithm of the rank: gain / log2(rank + 1).\n"
    write_deck(tmp_path, "a.md", DECK.replace(moved, ""))
    second = write_deck(tmp_path, "b.md", "# Other\n\n" + moved)
    report = import_paths(collection, first, second)
    assert (report.relinked, report.added, report.retired) == (1, 0, 0)
    assert cards(collection)["What does NDCG discount by?"] == card_id


def test_importing_only_the_destination_of_a_move_keeps_the_card(tmp_path, collection):
    first = write_deck(tmp_path, "a.md", DECK)
    import_paths(collection, first)
    card_id = cards(collection)["What does NDCG discount by?"]
    moved = "Q: What does NDCG discount by?\nA: The logarithm of the rank: gain / log2(rank + 1).\n"
    write_deck(tmp_path, "a.md", DECK.replace(moved, ""))
    second = write_deck(tmp_path, "b.md", moved)
    report = import_paths(collection, second)
    assert report.relinked == 1
    assert cards(collection)["What does NDCG discount by?"] == card_id


def test_renaming_the_file_keeps_history(tmp_path, collection):
    path = write_deck(tmp_path, "metrics.md", DECK)
    import_paths(collection, path)
    before = cards(collection)
    renamed = tmp_path / "ranking-metrics.md"
    path.rename(renamed)
    report = import_paths(collection, renamed)
    assert report.relinked == 3 and report.added == 0
    assert cards(collection) == before
    with collection.read() as conn:
        files = conn.execute(select(DeckRow.__table__.c.file)).scalars().all()
    assert files == [str(renamed)]


def test_rewritten_beyond_recognition_is_a_new_card(tmp_path, collection):
    path = write_deck(tmp_path, "metrics.md", DECK)
    import_paths(collection, path)
    old = cards(collection)["What does NDCG discount by?"]
    write_deck(
        tmp_path,
        "metrics.md",
        DECK.replace(
            "Q: What does NDCG discount by?\nA: The logarithm of the rank: gain / log2(rank + 1).",
            "Q: Which loss suits a two-tower retrieval model?\nA: Sampled softmax over negatives.",
        ),
    )
    report = import_paths(collection, path)
    assert (report.added, report.retired) == (1, 1)
    assert old not in cards(collection).values()


def test_deleted_card_is_retired_and_comes_back_with_history(tmp_path, collection):
    path = write_deck(tmp_path, "metrics.md", DECK)
    import_paths(collection, path)
    card_id = cards(collection)["Why prefer PR-AUC over ROC-AUC with rare positives?"]
    add_history(collection, card_id)
    removed = (
        "Q: Why prefer PR-AUC over ROC-AUC with rare positives?\n"
        "A: ROC-AUC's false-positive rate is diluted by the many true negatives.\n"
    )
    write_deck(tmp_path, "metrics.md", DECK.replace(removed, ""))
    assert import_paths(collection, path).retired == 1
    assert card_id not in cards(collection).values()
    write_deck(tmp_path, "metrics.md", DECK)
    assert import_paths(collection, path).relinked == 1
    assert cards(collection)["Why prefer PR-AUC over ROC-AUC with rare positives?"] == card_id
    assert history(collection, card_id) == 1


def test_explicit_id_keeps_a_card_through_a_complete_rewrite(tmp_path, collection):
    path = write_deck(tmp_path, "d.md", "<!-- id: stable -->\nQ: Old question?\nA: Old answer.\n")
    import_paths(collection, path)
    (card_id,) = cards(collection).values()
    write_deck(tmp_path, "d.md", "<!-- id: stable -->\nQ: Entirely new words!\nA: Different.\n")
    report = import_paths(collection, path)
    assert report.updated == 1 and report.added == 0
    assert cards(collection) == {"Entirely new words!": card_id}


def test_duplicate_card_or_id_is_an_error(tmp_path):
    write_deck(tmp_path, "a.md", "Q: same?\nA: same.\n\nQ: same?\nA: same.\n")
    write_deck(tmp_path, "b.md", "<!-- id: x -->\nQ: one?\nA: 1\n")
    write_deck(tmp_path, "c.md", "<!-- id: x -->\nQ: two?\nA: 2\n")
    messages = [str(e) for e in load_paths([str(tmp_path)]).errors]
    assert any(
        m.endswith("a.md:4: duplicate card (first at " + str(tmp_path / "a.md") + ":1)")
        for m in messages
    ), messages
    assert any(
        m.endswith("c.md:2: duplicate id 'x' (first at " + str(tmp_path / "b.md") + ":2)")
        for m in messages
    ), messages


def test_a_copy_of_a_card_still_in_its_own_file_is_refused(tmp_path, collection):
    original = write_deck(tmp_path, "a.md", DECK)
    import_paths(collection, original)
    copy = write_deck(tmp_path, "copy.md", DECK)
    loaded = load_paths([str(copy)])
    with pytest.raises(ImportConflict) as caught:
        import_decks(collection, loaded.decks, NOW)
    assert any("duplicate card (also at" in str(e) for e in caught.value.errors)
    assert len(cards(collection)) == 3  # nothing moved


def test_a_failed_import_leaves_the_collection_exactly_as_it_was(tmp_path, collection, monkeypatch):
    path = write_deck(tmp_path, "metrics.md", DECK)
    import_paths(collection, path)
    with collection.read() as conn:
        before = conn.execute(select(CardRow.__table__)).all()
    write_deck(tmp_path, "metrics.md", DECK + "\nQ: new card?\nA: yes\n")
    write_deck(tmp_path, "other.md", "Q: another?\nA: yes\n")

    from flashcards.storage import importer

    def explode(*args, **kwargs):
        raise OSError("disk failed half-way")

    monkeypatch.setattr(importer, "_drop_empty_decks", explode)  # after all the writes
    loaded = load_paths([str(tmp_path)])
    with pytest.raises(OSError):
        import_decks(collection, loaded.decks, NOW)
    with collection.read() as conn:
        assert conn.execute(select(CardRow.__table__)).all() == before
        assert conn.execute(select(func.count()).select_from(DeckRow.__table__)).scalar() == 1
