"""`flashcards export`: Anki packages of our cards (every kind, GUIDs that stay, schedules and
the review log), the round trip through Anki (reviews done there come back once, the FSRS
state replayed), Markdown deck files that import as the same cards, and the review log as the
FSRS tools' CSV. Anki's side is driven with the official library (the optional `anki` extra);
those tests are skipped without it."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from flashcards.cli.main import cli
from flashcards.config import Config
from flashcards.convert.anki_export import EXTRA_MISSING, anki_cloze
from flashcards.deck import load_paths
from flashcards.maintenance.doctor import examine
from flashcards.optimizer.revlog import collection_reviews, read_revlog_csv
from flashcards.storage import Collection
from flashcards.storage.tables import CardRow, ReviewRow

from ..conftest import NOW, import_paths

DECK = """
---
title: Ranking
tags: [ml]
---

# Metrics

<!-- id: ndcg; tags: core -->
Q: What is **nDCG**?
A: Normalised *discounted* cumulative gain.

C: {{c1::Precision|exactness}} is TP / (TP + FP); {{c2::recall::the share found}} is
TP / (TP + FN); {{F1}} combines them.

Their harmonic mean is F1.

## Losses

Q: Which loss optimises a ranking metric directly?
- [ ] MSE
- [x] LambdaRank
- [ ] Hinge
A: LambdaRank weights pairs by their nDCG change.
"""
NO_ANKI = "the optional 'anki' extra is absent"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def anki_lib():
    return pytest.importorskip("anki.collection", reason=NO_ANKI)


@pytest.fixture
def studied(tmp_path, make_workspace):
    """A collection with the deck above, two of its cards answered here (at NOW)."""
    workspace = make_workspace({"ranking.md": DECK})
    session = workspace.review_session()
    for rating in (3, 4):
        assert session.next_card() is not None
        assert session.answer(rating).saved
    return workspace


def db(tmp_path: Path) -> str:
    return str(tmp_path / "collection.sqlite3")


def cards_by_uid(workspace) -> dict[str, tuple]:
    with workspace.collection.read() as conn:
        rows = conn.execute(
            select(CardRow.uid, CardRow.id, CardRow.kind, CardRow.cloze_group, CardRow.reps)
        ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def review_count(collection) -> int:
    with collection.read() as conn:
        return conn.execute(select(func.count()).select_from(ReviewRow)).scalar()


def open_in_anki(folder: Path, *packages: Path):
    """A fresh Anki collection (the phone's) with the packages imported into it."""
    anki = anki_lib()
    col = anki.Collection(str(folder / "phone.anki2"))
    for package in packages:
        col.import_anki_package(
            anki.ImportAnkiPackageRequest(
                package_path=str(package),
                options=anki.ImportAnkiPackageOptions(with_scheduling=True, merge_notetypes=True),
            )
        )
    return col


def notes_of(col) -> dict[str, object]:
    return {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}


def test_each_kind_of_card_becomes_an_anki_note(tmp_path, studied):
    anki_lib()
    package = tmp_path / "ranking.apkg"
    result = run("--db", db(tmp_path), "export", "--to", str(package))
    assert result.exit_code == 0, result.output
    assert "3 notes, 5 cards" in result.output
    (tmp_path / "ordinary").write_text("")  # the package is as readable as any new file
    assert package.stat().st_mode & 0o777 == (tmp_path / "ordinary").stat().st_mode & 0o777
    col = open_in_anki(tmp_path, package)
    try:
        notes = notes_of(col)
        uids = cards_by_uid(studied)
        assert set(notes) <= set(uids)  # every GUID is a card's lasting identity
        by_kind = {uids[guid][1]: note for guid, note in notes.items()}
        basic, cloze, choice = by_kind["basic"], by_kind["cloze"], by_kind["choice"]
        assert basic.note_type()["name"] == "flashcards basic"
        assert basic["Front"] == "<p>What is <strong>nDCG</strong>?</p>"
        assert basic["Back"] == "<p>Normalised <em>discounted</em> cumulative gain.</p>"
        assert sorted(basic.tags) == ["core", "ml"]
        assert col.decks.name(basic.cards()[0].did) == "Ranking::Metrics"
        assert choice["Front"].startswith("<p>Which loss optimises a ranking metric directly?</p>")
        assert '<ol type="A"><li>MSE</li><li>LambdaRank</li><li>Hinge</li></ol>' in choice["Front"]
        assert choice["Back"].startswith("<p><b>Answer:</b> B. LambdaRank</p>")
        assert "weights pairs" in choice["Back"]
        assert col.decks.name(choice.cards()[0].did) == "Ranking::Metrics::Losses"
        assert cloze.note_type()["name"] == "flashcards cloze"
        assert cloze["Text"] == (
            "<p>{{c1::Precision}} is TP / (TP + FP); {{c2::recall::the share found}} is\n"
            "TP / (TP + FN); {{c3::F1}} combines them.</p>"
        )
        assert "Their harmonic mean is F1." in cloze["Back Extra"]
        assert "c1 Precision (also accepted: exactness)" in cloze["Back Extra"]
        assert sorted(card.ord for card in cloze.cards()) == [0, 1, 2]
        # Anki renders the deletion asked as a blank with its hint, the others as text.
        question = next(c for c in cloze.cards() if c.ord == 1).question()
        assert "[the share found]" in question and "Precision" in question
        groups = {uid: uids[uid][2] for uid in uids if uids[uid][1] == "cloze"}
        named = dict(part.split(":") for part in cloze["Flashcards id"].split())
        assert {label: groups[uid] for label, uid in named.items()} == {
            "c1": "c1",
            "c2": "c2",
            "c3": "=f1",
        }
        assert all(c.type == 0 for c in col.find_cards("") for c in [col.get_card(c)])
    finally:
        col.close()


def test_images_beside_the_deck_go_into_the_package(tmp_path, make_workspace):
    anki_lib()
    (tmp_path / "decks" / "img").mkdir(parents=True)
    (tmp_path / "decks" / "img" / "pr curve.png").write_bytes(b"\x89PNG not really")
    make_workspace(
        {
            "curves.md": "Q: What does this curve show?\n![](img/pr%20curve.png)\n"
            "A: Precision against recall ![web](https://example.org/x.png)\n"
        }
    )
    package = tmp_path / "curves.apkg"
    assert run("--db", db(tmp_path), "export", "--to", str(package)).exit_code == 0
    col = open_in_anki(tmp_path, package)
    try:
        [note] = notes_of(col).values()
        assert '<img src="pr curve.png"' in note["Front"]
        assert (Path(col.media.dir()) / "pr curve.png").read_bytes() == b"\x89PNG not really"
        assert '<img src="https://example.org/x.png"' in note["Back"]  # the web stays the web
    finally:
        col.close()


def test_cloze_numbers_keep_ours_and_follow_them():
    html, numbers, others = anki_cloze("{{c2::a|b}} then {{x::y}} and {{c1::`z`}}")
    assert numbers == {"c2": 2, "=x": 3, "c1": 1}
    assert html == "<p>{{c2::a}} then {{c3::x::y}} and {{c1::<code>z</code>}}</p>"
    assert others == ["c2 a (also accepted: b)"]


def test_exporting_again_keeps_the_guids_and_anki_updates_its_notes(tmp_path, studied):
    anki_lib()
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    assert run("--db", db(tmp_path), "export", "--to", str(first)).exit_code == 0
    # The answer of a card is edited and the deck imported again: the card stays itself.
    deck_file = tmp_path / "decks" / "ranking.md"
    deck_file.write_text(
        deck_file.read_text().replace("cumulative gain.", "cumulative gain, in [0, 1]."),
    )
    import_paths(studied.collection, deck_file, now=NOW + timedelta(hours=1))
    time.sleep(1.1)  # Anki updates a note from a package whose note is newer, to the second
    result = run("--db", db(tmp_path), "export", "--to", str(second))
    assert result.exit_code == 0, result.output
    col = open_in_anki(tmp_path, first)
    try:
        before = set(notes_of(col))
        assert col.note_count() == 3 and col.card_count() == 5
        col.import_anki_package(
            anki_lib().ImportAnkiPackageRequest(
                package_path=str(second),
                # Anki's own default: note types are not merged, so ours must stay the same.
                options=anki_lib().ImportAnkiPackageOptions(
                    with_scheduling=True, merge_notetypes=False
                ),
            )
        )
        assert set(notes_of(col)) == before
        assert col.note_count() == 3 and col.card_count() == 5  # updated, not duplicated
        backs = [note["Back"] for note in notes_of(col).values() if "Back" in note]
        assert any("in [0, 1]" in back for back in backs)
    finally:
        col.close()


def test_with_history_the_package_holds_schedules_memory_and_the_log(
    tmp_path, studied, monkeypatch
):
    anki_lib()
    monkeypatch.setenv("FLASHCARDS_NOW", NOW.isoformat())
    with studied.collection.write() as conn:
        conn.execute(
            update(CardRow.__table__).where(CardRow.explicit_id == "ndcg").values(suspended=True)
        )
    package = tmp_path / "studied.apkg"
    result = run("--db", db(tmp_path), "export", "--to", str(package), "--with-history")
    assert result.exit_code == 0, result.output
    assert "with their schedules and 2 reviews" in result.output
    with studied.collection.read() as conn:
        answered = conn.execute(
            select(
                CardRow.uid,
                CardRow.stability,
                CardRow.difficulty,
                CardRow.reps,
                CardRow.state,
                CardRow.due,
            ).where(CardRow.reps > 0)
        ).all()
        suspended = conn.execute(select(CardRow.uid).where(CardRow.suspended)).scalar_one()
    assert len(answered) == 2
    assert any(state == 2 for *_rest, state, _due in answered)  # one review card at least
    col = open_in_anki(tmp_path, package)
    try:
        by_uid = anki_cards_by_uid(col)
        assert by_uid[suspended].queue == -1
        for uid, stability, difficulty, reps, state, due in answered:
            card = by_uid[uid]
            assert card.reps == reps and card.type == state  # Anki's types are FSRS's states
            if state == 2:  # due on the same date, in the phone's calendar
                days = due.astimezone(studied.zone).date() - NOW.astimezone(studied.zone).date()
                assert card.due - col.sched.today == days.days > 0
            assert card.memory_state.stability == pytest.approx(stability, rel=1e-4)
            assert card.memory_state.difficulty == pytest.approx(difficulty, rel=1e-4)
            logged = col.db.all("select id, ease from revlog where cid = ?", card.id)
            assert len(logged) == 1
            assert logged[0][0] == int(NOW.timestamp() * 1000) or logged[0][0] - 1 == int(
                NOW.timestamp() * 1000
            )
        untouched = [c for c in map(col.get_card, col.find_cards("")) if c.reps == 0]
        assert len(untouched) == 3 and all(c.type == 0 for c in untouched)
    finally:
        col.close()


def anki_cards_by_uid(col) -> dict[str, object]:
    """Each Anki card by the lasting identity of our card it is (its note's identity field)."""
    found = {}
    for note in notes_of(col).values():
        by_ord = {card.ord: card for card in note.cards()}
        for part in note["Flashcards id"].split():
            label, _, uid = part.rpartition(":")
            found[uid] = by_ord[int(label[1:]) - 1 if label else 0]
    return found


def phone_study(col, answers: int) -> list[tuple[int, int]]:
    """Study on the phone: Anki's own scheduler answers `answers` cards, Good."""
    col.decks.select(col.decks.id("Ranking"))
    done = []
    for _ in range(answers):
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, 3)
        done.append((card.id, 3))
    return done


@pytest.mark.parametrize("kind", ["apkg", "colpkg"])
def test_the_round_trip_brings_the_phones_reviews_back_once(tmp_path, studied, kind):
    anki = anki_lib()
    package = tmp_path / "ranking.apkg"
    assert (
        run("--db", db(tmp_path), "export", "--to", str(package), "--with-history").exit_code == 0
    )
    here_before = review_count(studied.collection)
    col = open_in_anki(tmp_path, package)
    phone = tmp_path / f"phone.{kind}"
    try:
        studied_on_phone = phone_study(col, 3)
        in_anki = col.db.scalar("select count() from revlog")
        assert in_anki == here_before + len(studied_on_phone)
        if kind == "colpkg":
            col.export_collection_package(str(phone), include_media=False, legacy=False)
        else:
            col.export_anki_package(
                out_path=str(phone),
                options=anki.ExportAnkiPackageOptions(with_scheduling=True),
                limit=None,
            )
    finally:
        col.close()

    out = tmp_path / "converted"
    result = run("--db", db(tmp_path), "import", str(phone), "--to", str(out))
    assert result.exit_code == 0, result.output
    assert "3 reviews done in Anki came back for 3 cards" in result.output
    assert not out.exists()  # our own notes are not converted into a deck of copies
    assert review_count(studied.collection) == here_before + 3
    with studied.collection.read() as conn:
        cards = conn.execute(select(CardRow.reps, CardRow.state)).all()
    assert sum(reps for reps, _state in cards) == here_before + 3
    assert len(cards) == 5  # no card added
    assert examine(studied.collection, Config(fuzz=False)).healthy  # state replayed from the log

    again = run("--db", db(tmp_path), "import", str(phone), "--to", str(out))
    assert again.exit_code == 0, again.output
    assert "no reviews done in Anki are new: those in the package are already here" in again.output
    assert "0 decks" not in again.output  # only reviews came back: no deck was imported
    assert review_count(studied.collection) == here_before + 3


def test_reviews_given_in_anki_after_a_cards_first_import_come_later(tmp_path, isolated):
    """A card that came from Anki: the answers given there since its import come along
    with the next import of the package, and only those."""
    anki = anki_lib()
    col = anki.Collection(str(tmp_path / "mine.anki2"))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "What is a feature store?", "shared, versioned features"
    col.add_note(note, col.decks.id("Serving"))
    card_id = note.cards()[0].id
    now_ms = int(time.time() * 1000)
    day = 86_400_000

    def answer(at_ms: int, ease: int, kind: int) -> None:
        col.db.execute(
            "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "values (?, ?, -1, ?, 1, 0, 2500, 5000, ?)",
            at_ms,
            card_id,
            ease,
            kind,
        )

    def package(folder: str) -> Path:
        """The package, exported again under its name (as the phone's Anki does)."""
        out = tmp_path / folder / "mine.apkg"
        out.parent.mkdir()
        col.export_anki_package(
            out_path=str(out),
            options=anki.ExportAnkiPackageOptions(with_scheduling=True),
            limit=None,
        )
        return out

    answer(now_ms - 10 * day, 3, 0)
    first = package("monday")
    answer(now_ms - 3 * day, 3, 1)
    answer(now_ms - 1 * day, 1, 1)
    second = package("friday")
    col.close()

    out = tmp_path / "out"
    assert run("import", str(first), "--to", str(out)).exit_code == 0
    ours = Collection(str(isolated / "collection.sqlite3"))
    try:
        assert review_count(ours) == 1
        later = run("import", str(second), "--to", str(out))
        assert later.exit_code == 0, later.output
        assert "2 reviews of 1 card came along" in later.output
        assert review_count(ours) == 3
        with ours.read() as conn:
            reps, lapses, state = conn.execute(
                select(CardRow.reps, CardRow.lapses, CardRow.state)
            ).one()
        assert (reps, lapses, state) == (3, 1, 3)  # Again on a review card: relearning
        assert examine(ours, Config(fuzz=False)).healthy
        again = run("import", str(second), "--to", str(out))
        assert again.exit_code == 0 and "came along" not in again.output
        assert review_count(ours) == 3
    finally:
        ours.close()


def test_markdown_export_imports_as_the_same_cards(tmp_path, studied):
    before = cards_by_uid(studied)
    original = load_paths([str(tmp_path / "decks" / "ranking.md")]).decks[0]
    out = tmp_path / "exported"
    result = run("--db", db(tmp_path), "export", "--to", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 1 deck file (5 cards)" in result.output
    loaded = load_paths([str(out)])
    assert not loaded.errors, [str(e) for e in loaded.errors]
    [deck] = loaded.decks
    assert deck.title == original.title and deck.tags == original.tags
    assert [(c.fingerprint, c.explicit_id, c.topic, c.tags) for c in deck.cards] == [
        (c.fingerprint, c.explicit_id, c.topic, c.tags) for c in original.cards
    ]
    # The exported file replaces the original: every card keeps its identity and history.
    (tmp_path / "decks" / "ranking.md").unlink()
    report = import_paths(studied.collection, out / "ranking.md", now=NOW + timedelta(hours=1))
    assert report.added == 0 and report.retired == 0
    assert cards_by_uid(studied) == before
    # Exporting again writes the same bytes, and an existing file needs --force.
    text = (out / "ranking.md").read_text()
    refused = run("--db", db(tmp_path), "export", "--to", str(out))
    assert refused.exit_code == 1 and "exists already" in refused.output
    assert run("--db", db(tmp_path), "export", "--to", str(out), "--force").exit_code == 0
    assert (out / "ranking.md").read_text() == text


def test_the_review_log_csv_reads_back_as_the_same_reviews(tmp_path, studied):
    log = tmp_path / "revlog.csv"
    result = run("--db", db(tmp_path), "export", "--revlog", str(log))
    assert result.exit_code == 0, result.output
    assert "2 reviews" in result.output
    header = log.read_text().splitlines()[0]
    assert header == "card_id,review_time,review_rating,review_state,review_duration"
    written = read_revlog_csv(log)
    ours = collection_reviews(studied.collection)
    assert len(written) == 2
    assert [(int(r.card_id), r.reviewed_at, r.rating, r.state_before) for r in written] == [
        (r.card_id, r.reviewed_at, r.rating, r.state_before) for r in ours
    ]
    assert all(r.reviewed_at == NOW.astimezone(UTC) for r in written)


def test_bad_requests_are_refused_and_write_nothing(tmp_path, studied, monkeypatch):
    target = tmp_path / "out.apkg"
    unknown = run("--db", db(tmp_path), "export", "--deck", "Nope", "--to", str(tmp_path / "d"))
    assert unknown.exit_code == 1
    assert "no deck named 'Nope'. Known decks: Ranking" in unknown.output
    by_file = run("--db", db(tmp_path), "export", "--deck", "RANKING", "--revlog", str(target))
    assert by_file.exit_code == 0 and "2 reviews" in by_file.output  # any case, or the file
    target.unlink()
    assert not (tmp_path / "d").exists()
    missing = tmp_path / "no" / "such" / "folder" / "out.csv"
    nowhere = run("--db", db(tmp_path), "export", "--revlog", str(missing))
    assert nowhere.exit_code == 1 and f"{missing}: no such folder" in nowhere.output
    target.write_bytes(b"the phone's earlier copy")
    kept = run("--db", db(tmp_path), "export", "--to", str(target))
    assert kept.exit_code == 1 and f"{target}: exists already; --force replaces it" in kept.output
    assert target.read_bytes() == b"the phone's earlier copy"
    usage = run("--db", db(tmp_path), "export", "--to", str(tmp_path / "dir"), "--with-history")
    assert usage.exit_code == 2 and "--with-history goes with --to FILE.apkg" in usage.output
    empty = tmp_path / "empty.sqlite3"
    nothing = run("--db", str(empty), "--create", "export", "--to", str(tmp_path / "none"))
    assert nothing.exit_code == 1 and "nothing to export" in nothing.output
    assert not (tmp_path / "none").exists()
    monkeypatch.setitem(sys.modules, "anki.collection", None)  # as if it were not installed
    extra = run("--db", db(tmp_path), "export", "--to", str(tmp_path / "new.apkg"))
    assert extra.exit_code == 1 and EXTRA_MISSING in extra.output
    assert not (tmp_path / "new.apkg").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_the_whole_collection_goes_out_built_in_decks_included(tmp_path, monkeypatch):
    anki_lib()
    monkeypatch.delenv("FLASHCARDS_NO_BUILTIN")
    monkeypatch.setenv("FLASHCARDS_NOW", datetime(2026, 3, 2, 9, tzinfo=UTC).isoformat())
    package = tmp_path / "all.apkg"
    result = run("--create", "export", "--to", str(package))
    assert result.exit_code == 0, result.output
    col = open_in_anki(tmp_path, package)
    try:
        assert col.card_count() > 50  # the built-in decks' cards
    finally:
        col.close()


def test_answers_from_both_sides_are_merged_in_the_order_given(tmp_path, make_workspace, clock):
    """Studied here after the export and on the phone in between: the answer that went to
    Anki and came back a millisecond later is the same answer; the phone's is added between
    the two given here, and the state is that of all three in order."""
    import fsrs

    from flashcards.convert.model import PastReview
    from flashcards.scheduling.scheduler import make_scheduler
    from flashcards.study.returned import merge_histories

    workspace = make_workspace({"one.md": "Q: What is recall?\nA: TP / (TP + FN)\n"})
    session = workspace.review_session()
    assert session.next_card() is not None and session.answer(3).saved  # here, at NOW
    phone_at = NOW + timedelta(days=2)
    clock.advance(days=5)
    session = workspace.review_session(ahead=True)
    card = session.next_card()
    assert card is not None and session.answer(4).saved  # here again, after the phone
    scheduler = make_scheduler(workspace.config)
    past = [
        PastReview(NOW + timedelta(milliseconds=2), 3, 4000),  # ours, back from Anki
        PastReview(phone_at, 2, 9000),  # Hard, on the phone
    ]
    now = NOW + timedelta(days=6)
    merged = merge_histories(
        workspace.collection, {card.id: past}, now, scheduler, workspace.zone, 4
    )
    assert merged == (1, 1)
    assert merge_histories(
        workspace.collection, {card.id: past}, now, scheduler, workspace.zone, 4
    ) == (0, 0)
    expected = fsrs.Card(card_id=card.id, due=NOW)
    for at, rating in ((NOW, 3), (phone_at, 2), (NOW + timedelta(days=5), 4)):
        expected, _ = scheduler.review_card(expected, fsrs.Rating(rating), review_datetime=at)
    with workspace.collection.read() as conn:
        stored = conn.execute(
            select(CardRow.stability, CardRow.difficulty, CardRow.reps, CardRow.due)
        ).one()
        ratings = conn.execute(select(ReviewRow.rating).order_by(ReviewRow.reviewed_at)).all()
    assert [r for (r,) in ratings] == [3, 2, 4]
    assert stored.reps == 3 and stored.due == expected.due
    assert stored.stability == pytest.approx(expected.stability)
    assert stored.difficulty == pytest.approx(expected.difficulty)
    assert examine(workspace.collection, Config(fuzz=False)).healthy
