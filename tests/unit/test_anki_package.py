"""Anki packages through the official `anki` library (the optional `anki` extra): every stock
note type, HTML, media, subdecks, tags and suspended cards; the packages are built here with
the library itself, in the current, legacy and whole-collection formats."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from flashcards.cli.main import cli
from flashcards.convert.anki_package import EXTRA_MISSING
from flashcards.deck import load_paths
from flashcards.storage import Collection as Ours
from flashcards.storage.tables import CardRow

IMAGE = b"\x89PNG\r\n\x1a\n not really an image, but bytes to copy"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def build_package(folder: Path, kind: str) -> Path:
    """A collection with one note of each kind, exported as `kind` (apkg, legacy, colpkg)."""
    anki = pytest.importorskip("anki.collection", reason="the optional 'anki' extra is absent")
    col = anki.Collection(str(folder / "source.anki2"))
    metrics = col.decks.id("ML::Metrics")
    losses = col.decks.id("ML::Losses")

    def add(type_name: str, deck: int, tags: list[str], **fields: str):
        note = col.new_note(col.models.by_name(type_name))
        for key, value in fields.items():
            note[key.replace("_", " ")] = value
        note.tags = tags
        col.add_note(note, deck)
        return note

    (folder / "curve.png").write_bytes(IMAGE)
    image = col.media.add_file(str(folder / "curve.png"))
    recall = add(
        "Basic",
        metrics,
        ["metrics"],
        Front="What is <b>recall</b> &amp; why?",
        Back=f"TP / (TP + FN)<br><i>the share found</i><ul><li>one</li><li>two</li></ul>"
        f'<img src="{image}">',
    )
    add("Basic (and reversed card)", metrics, ["metrics", "core"], Front="MRR", Back="mean 1/rank")
    add(
        "Basic (optional reversed card)",
        metrics,
        [],
        Front="AUC",
        Back="area under the ROC curve",
        Add_Reverse="y",
    )
    add("Basic (optional reversed card)", metrics, [], Front="nDCG", Back="normalised DCG")
    add(
        "Basic (type in the answer)",
        losses,
        [],
        Front="Loss of logistic regression?",
        Back="log loss",
    )
    add(
        "Cloze",
        losses,
        ["losses"],
        Text="{{c1::Cross-entropy}} is the {{c2::log loss::name}}; H<sub>2</sub>O",
        Back_Extra="see <code>torch.nn</code>",
    )
    vocabulary = col.models.new("Vocabulary")
    for field_name in ("Word", "Meaning"):
        col.models.add_field(vocabulary, col.models.new_field(field_name))
    template = col.models.new_template("Card 1")
    template["qfmt"], template["afmt"] = "{{Word}}", "{{Meaning}}"
    col.models.add_template(vocabulary, template)
    col.models.add(vocabulary)
    add("Vocabulary", losses, [], Word="drift", Meaning="a change in the input distribution")
    col.sched.suspend_cards([recall.card_ids()[0]])
    options = anki.ExportAnkiPackageOptions(
        with_scheduling=True, with_media=True, legacy=kind == "legacy"
    )
    if kind == "colpkg":
        out = folder / "all.colpkg"
        col.export_collection_package(str(out), include_media=True, legacy=False)
    else:
        out = folder / f"ml-{kind}.apkg"
        col.export_anki_package(out_path=str(out), options=options, limit=None)
        col.close()
    return out


@pytest.mark.parametrize("kind", ["apkg", "legacy", "colpkg"])
def test_every_note_type_html_media_subdecks_tags_and_suspension(tmp_path, isolated, kind):
    package = build_package(tmp_path, kind)
    out = tmp_path / "out"
    result = run("import", str(package), "--to", str(out))
    assert result.exit_code == 0, result.output
    deck_file = out / (package.stem + ".md")
    assert (out / "curve.png").read_bytes() == IMAGE
    loaded = load_paths([str(deck_file)])
    assert not loaded.errors, [str(e) for e in loaded.errors]
    deck = loaded.decks[0]
    assert deck.title == "ML"
    basic = {(c.front, c.back): (c.topic, c.tags) for c in deck.cards if c.kind.value == "basic"}
    recall = next(front for front, _back in basic if "recall" in front)
    assert recall == "What is **recall** & why?"
    recall_back = next(back for front, back in basic if front == recall)
    assert "*the share found*" in recall_back and "- one\n- two" in recall_back
    assert "![](curve.png)" in recall_back
    assert basic[("MRR", "mean 1/rank")] == (("Metrics",), ("core", "metrics"))  # Anki sorts
    assert ("mean 1/rank", "MRR") in basic  # reversed: two cards
    assert ("area under the ROC curve", "AUC") in basic  # optional reverse, asked for
    assert ("normalised DCG", "nDCG") not in basic  # optional reverse, not asked for
    assert basic[("Loss of logistic regression?", "log loss")][0] == ("Losses",)
    assert ("drift", "a change in the input distribution") in basic
    clozes = [c for c in deck.cards if c.kind.value == "cloze"]
    assert [c.cloze_group for c in clozes] == ["c1", "c2"]
    assert clozes[1].front.startswith("Cross-entropy is the **[name]**; H<sub>2</sub>O")
    assert clozes[0].back.endswith("see `torch.nn`")
    assert "note type 'Vocabulary' converted as 'basic'" in result.output
    assert "1 card suspended, as in the source" in result.output
    collection = Ours(str(isolated / "collection.sqlite3"))
    try:
        with collection.read() as conn:
            rows = conn.execute(select(CardRow.front, CardRow.suspended)).all()
    finally:
        collection.close()
    assert {front for front, suspended in rows if suspended} == {recall}
    assert len(rows) == 10


def test_a_second_import_of_the_package_changes_nothing(tmp_path):
    package = build_package(tmp_path, "apkg")
    out = tmp_path / "out"
    assert run("import", str(package), "--to", str(out)).exit_code == 0
    files = {p: p.read_bytes() for p in out.iterdir()}
    again = run("import", str(package), "--to", str(out))
    assert again.exit_code == 0, again.output
    assert {p: p.read_bytes() for p in out.iterdir()} == files
    assert "0 added, 0 updated, 0 relinked, 0 retired, 10 unchanged" in again.output
    assert "suspended" not in again.output


def test_a_broken_package_is_refused(tmp_path):
    pytest.importorskip("anki.collection", reason="the optional 'anki' extra is absent")
    broken = tmp_path / "broken.apkg"
    broken.write_bytes(b"PK\x03\x04 not a zip archive at all")
    result = run("import", str(broken), "--to", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"{broken}: not a readable Anki package" in result.output
    assert not (tmp_path / "out").exists()


def test_without_the_extra_the_message_names_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "anki.collection", None)  # as if it were not installed
    package = tmp_path / "deck.apkg"
    package.write_bytes(b"PK")
    result = run("import", str(package), "--to", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"{package}: {EXTRA_MISSING}" in result.output
    assert "flashcards[anki]" in EXTRA_MISSING


def test_review_history_comes_along_once_and_the_state_is_replayed(tmp_path, isolated):
    anki = pytest.importorskip("anki.collection", reason="the optional 'anki' extra is absent")
    from flashcards.config import Config
    from flashcards.maintenance.doctor import examine
    from flashcards.storage.tables import ReviewRow

    col = anki.Collection(str(tmp_path / "studied.anki2"))
    deck = col.decks.id("Serving")
    for front in ("What is tail latency?", "What does batching trade?"):
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = front, "an answer"
        col.add_note(note, deck)
    col.decks.select(deck)
    ratings = []
    for ease in (1, 3, 3, 4):  # Again, Good, Good, Easy on whatever Anki shows next
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, ease)
        ratings.append((col.get_note(card.nid)["Front"], ease))
    studied = [cid for cid in col.find_cards("") if col.get_card(cid).reps]
    col.sched.set_due_date(studied[:1], "0")  # a manual reschedule: not an answer
    package = tmp_path / "studied.apkg"
    col.export_anki_package(
        out_path=str(package),
        options=anki.ExportAnkiPackageOptions(with_scheduling=True, with_media=False),
        limit=None,
    )
    col.close()

    out = tmp_path / "out"
    first = run("import", str(package), "--to", str(out))
    assert first.exit_code == 0, first.output
    answered = len(ratings)
    assert f"{answered} reviews of" in first.output
    collection = Ours(str(isolated / "collection.sqlite3"))
    try:
        with collection.read() as conn:
            logged = conn.execute(
                select(CardRow.front, ReviewRow.rating)
                .join(CardRow, CardRow.id == ReviewRow.card_id)
                .order_by(ReviewRow.reviewed_at, ReviewRow.id)
            ).all()
            states = conn.execute(select(CardRow.front, CardRow.reps, CardRow.state)).all()
        assert [tuple(row) for row in logged] == ratings
        reps = {front: count for front, count, _state in states}
        for front in reps:
            assert reps[front] == sum(1 for f, _ in ratings if f == front)
        assert all(state != 0 for front, count, state in states if count)
        assert examine(collection, Config(fuzz=False)).healthy  # state and totals agree
    finally:
        collection.close()

    again = run("import", str(package), "--to", str(out))
    assert again.exit_code == 0, again.output
    assert "came along" not in again.output
    collection = Ours(str(isolated / "collection.sqlite3"))
    try:
        with collection.read() as conn:
            assert len(conn.execute(select(ReviewRow.id)).all()) == answered
    finally:
        collection.close()
