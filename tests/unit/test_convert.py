"""`flashcards import` of other tools' files: each is converted into Markdown decks, which are
checked by our own parser and then imported; problems come back as `path:line: message`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from flashcards.cli.main import cli
from flashcards.deck import load_paths

OBSIDIAN_NOTE = """\
---
tags: [flashcards/ml/ranking, reading]
---
# Ranking

An introduction that is prose, not a card.

What does NDCG divide each gain by?::log2(rank + 1) <!--SR:!2026-12-20,21,250-->
MRR:::the mean of 1 / rank of the first relevant result
<!--SR:!2026-12-20,21,250!2026-12-22,3,230-->

## Calibration

Why must a click model be calibrated?
?
Auctions multiply the predicted click rate
by the bid, so its scale matters.
<!--SR:!2026-12-10,5,270-->

Platt scaling
??
A logistic regression fitted on the model's scores.

Focal loss down-weights ==easy examples== by ==(1 - p)^γ==.

Label smoothing replaces **one-hot targets** with a {{mixture}}.

```python
weights = model::fit()  # code: never a card
Q::A
```

<!--
Hidden::inside a comment, never a card
-->

A line with `std::vector` in inline code is prose.
"""

HASHCARDS_DECK = """\
---
name = "Retrieval"
---

Q: What does a two-tower model embed separately?
A: The query and the candidate,
so candidates can be embedded ahead of time.

C: [HNSW] is a graph index; [IVF-PQ] clusters and compresses vectors.

C: See [the FAISS paper](https://example.org/faiss) on [product quantization].

Q: Which index needs the most memory?
A: A flat (brute-force) index: it keeps every vector as is.
"""

ANKI_TEXT = (
    "#separator:tab\n"
    "#html:true\n"
    "#guid column:1\n"
    "#notetype column:2\n"
    "#deck column:3\n"
    "#tags column:6\n"
    "aB3!x\tBasic\tML::Metrics\tWhat is <b>recall</b>?\t"
    "TP / (TP + FN)<br>the share found\tmetrics\n"
    "cD4#y\tBasic (and reversed card)\tML::Metrics\tPrecision\tTP / (TP + FP)\tmetrics core\n"
    "eF5$z\tCloze\tML::Losses\t{{c1::Cross-entropy}} is the {{c2::log loss::name}}\tsee notes\t\n"
    "gH6%w\tBasic (optional reversed card)\tML\tAUC\tarea under the ROC curve\t\n"
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cards_of(path: Path):
    loaded = load_paths([str(path)])
    assert not loaded.errors, [str(e) for e in loaded.errors]
    return loaded.decks[0], loaded.decks[0].cards


def test_obsidian_note_every_syntax(tmp_path):
    note = write(tmp_path, "vault/Ranking notes.md", OBSIDIAN_NOTE)
    out = tmp_path / "out"
    result = run("import", str(note), "--from", "obsidian", "--to", str(out))
    assert result.exit_code == 0, result.output
    deck, cards = cards_of(out / "Ranking notes.md")
    assert deck.title == "Ranking notes"
    assert deck.tags == ("ml/ranking",)
    pairs = [(c.kind.value, c.front, c.back) for c in cards if c.kind.value == "basic"]
    assert pairs == [
        ("basic", "What does NDCG divide each gain by?", "log2(rank + 1)"),
        ("basic", "MRR", "the mean of 1 / rank of the first relevant result"),
        ("basic", "the mean of 1 / rank of the first relevant result", "MRR"),
        (
            "basic",
            "Why must a click model be calibrated?",
            "Auctions multiply the predicted click rate\nby the bid, so its scale matters.",
        ),
        ("basic", "Platt scaling", "A logistic regression fitted on the model's scores."),
        ("basic", "A logistic regression fitted on the model's scores.", "Platt scaling"),
    ]
    clozes = [c for c in cards if c.kind.value == "cloze"]
    # Highlights only: bold and curly clozes are not read unless asked.
    assert [c.answers for c in clozes] == [(("easy examples",),), (("(1 - p)^γ",),)]
    assert {c.topic for c in cards} == {("Ranking",), ("Ranking", "Calibration")}
    texts = " ".join(c.front + c.back for c in cards)
    assert "model::fit" not in texts and "Hidden" not in texts and "std" not in texts
    assert "4 review schedules carried over" in result.output
    assert "1 deck: 8 added" in result.output


def test_obsidian_bold_and_curly_clozes_when_asked(tmp_path):
    note = write(tmp_path, "n.md", "Label smoothing replaces **one-hot targets** with a {{mix}}.\n")
    out = tmp_path / "out"
    plain = run("import", str(note), "--from", "obsidian", "--to", str(out))
    assert plain.exit_code == 0, plain.output
    assert "skipped: " in plain.output and "no cards found" in plain.output
    asked = run(
        "import", str(note), "--from", "obsidian", "--to", str(out),
        "--cloze-syntax", "bold", "--cloze-syntax", "curly",
    )  # fmt: skip
    assert asked.exit_code == 0, asked.output
    _deck, cards = cards_of(out / "n.md")
    assert sorted(c.answers[0][0] for c in cards) == ["mix", "one-hot targets"]


def test_obsidian_folder_takes_only_flashcards_notes(tmp_path):
    vault = tmp_path / "vault"
    write(vault, "cards.md", "#flashcards\n\nQ1::A1\n")
    write(vault, "journal.md", "mood:: fine\n")  # a Dataview field, not a card
    write(vault, ".obsidian/plugins.md", "x::y\n")
    out = tmp_path / "out"
    result = run("import", str(vault), "--from", "obsidian", "--to", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["cards.md"]
    assert "journal.md: no #flashcards tag" in result.output


def test_hashcards_deck(tmp_path):
    source = write(tmp_path, "retrieval.md", HASHCARDS_DECK)
    out = tmp_path / "out"
    result = run("import", str(source), "--from", "hashcards", "--to", str(out))
    assert result.exit_code == 0, result.output
    deck, cards = cards_of(out / "retrieval.md")
    assert deck.title == "Retrieval"
    basic = [(c.front, c.back) for c in cards if c.kind.value == "basic"]
    assert basic[0] == (
        "What does a two-tower model embed separately?",
        "The query and the candidate,\nso candidates can be embedded ahead of time.",
    )
    clozes = [c for c in cards if c.kind.value == "cloze"]
    assert [c.answers for c in clozes] == [
        (("HNSW",),),
        (("IVF-PQ",),),
        (("product quantization",),),
    ]
    assert "[the FAISS paper](https://example.org/faiss)" in clozes[2].front


def test_csv_with_header_and_tsv_with_columns(tmp_path):
    with_header = write(
        tmp_path,
        "metrics.csv",
        'Front,Back,Tags\nWhat is recall?,"TP / (TP + FN),\nthe share found",metrics core\n'
        "What is precision?,TP / (TP + FP),metrics\n",
    )
    no_header = write(tmp_path, "losses.tsv", "hinge\tmax(0, 1 - y f(x))\tloss\n")
    out = tmp_path / "out"
    result = run("import", str(with_header), "--to", str(out))
    assert result.exit_code == 0, result.output
    _deck, cards = cards_of(out / "metrics.md")
    assert [(c.front, c.back, c.tags) for c in cards] == [
        ("What is recall?", "TP / (TP + FN),\nthe share found", ("metrics", "core")),
        ("What is precision?", "TP / (TP + FP)", ("metrics",)),
    ]
    refused = run("import", str(no_header), "--to", str(out))
    assert refused.exit_code == 1
    assert f"{no_header}:1: the first row must name the columns" in refused.output
    result = run("import", str(no_header), "--to", str(out), "--columns", "front,back,tags")
    assert result.exit_code == 0, result.output
    _deck, cards = cards_of(out / "losses.md")
    assert [(c.front, c.back, c.tags) for c in cards] == [
        ("hinge", "max(0, 1 - y f(x))", ("loss",))
    ]


def test_anki_plain_text_export_with_each_header(tmp_path):
    export = write(tmp_path, "ml.txt", ANKI_TEXT)
    out = tmp_path / "out"
    result = run("import", str(export), "--to", str(out), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # stderr says the collection was created
    assert payload["added"] == 6
    assert payload["converted"]["decks"][0]["title"] == "ML"
    deck, cards = cards_of(out / "ml.md")
    assert deck.title == "ML"
    basic = [(c.front, c.back, c.topic, c.tags) for c in cards if c.kind.value == "basic"]
    assert basic == [
        ("AUC", "area under the ROC curve", (), ()),
        ("What is **recall**?", "TP / (TP + FN)\nthe share found", ("Metrics",), ("metrics",)),
        ("Precision", "TP / (TP + FP)", ("Metrics",), ("metrics", "core")),
        ("TP / (TP + FP)", "Precision", ("Metrics",), ("metrics", "core")),
    ]
    clozes = [c for c in cards if c.kind.value == "cloze"]
    assert [c.cloze_group for c in clozes] == ["c1", "c2"]
    assert clozes[1].front == "Cross-entropy is the **[name]**"
    assert clozes[0].back.endswith("see notes")
    # The guid is the card's lasting identity (hashed: Anki's guids use punctuation).
    assert all(c.explicit_id.startswith("anki-") for c in cards)


def test_converting_twice_gives_the_same_files_and_adds_nothing(tmp_path):
    note = write(tmp_path, "note.md", OBSIDIAN_NOTE)
    out = tmp_path / "out"
    first = run("import", str(note), "--from", "obsidian", "--to", str(out))
    assert first.exit_code == 0, first.output
    written = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.md")}
    second = run("import", str(note), "--from", "obsidian", "--to", str(out))
    assert second.exit_code == 0, second.output
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.md")} == written
    assert "1 deck: 0 added, 0 updated, 0 relinked, 0 retired, 8 unchanged" in second.output
    assert "4 cards already scheduled here (carried before, or studied) kept their" in (
        second.output
    )


def test_default_folder_is_under_the_data_directory(tmp_path, isolated):
    source = write(tmp_path, "deck.csv", "front,back\na?,b\n")
    result = run("import", str(source))
    assert result.exit_code == 0, result.output
    target = isolated / "data" / "imported" / "deck" / "deck.md"
    assert f"-> {target}" in result.output
    assert target.is_file()


def test_lines_that_look_like_our_syntax_stay_text(tmp_path):
    source = write(
        tmp_path,
        "tricky.csv",
        'front,back\nWhich line ends a card?,"None of these:\n'
        "# not a heading\nQ: not a question\n---\n"
        '<!-- id: not-an-id -->\n```\nQ: in code\n```"\n',
    )
    out = tmp_path / "out"
    result = run("import", str(source), "--to", str(out))
    assert result.exit_code == 0, result.output
    _deck, cards = cards_of(out / "tricky.md")
    assert len(cards) == 1
    back = cards[0].back
    assert back.startswith("None of these:\n\\# not a heading\nQ\\: not a question\n\\---\n")
    assert "\\<!-- id: not-an-id -->" in back
    assert "```\nQ: in code\n```" in back


@pytest.mark.parametrize(
    ("name", "text", "fmt", "line", "message"),
    [
        ("a.md", "Q::\n", "obsidian", 1, "'::' needs text on both sides"),
        ("b.md", "Question\n?\n", "obsidian", 2, "a '?' card needs text above and below"),
        ("c.md", "x::y <!--SR:!2026-13-40,1,250-->\n", "obsidian", 1, "schedule comment"),
        # YAML refuses a control character before parsing, with an error that has no mark
        ("c2.md", "---\ntags: \x07\n---\nx::y\n", "obsidian", 1, "front matter: invalid"),
        ("d.md", "Q: no answer\n", "hashcards", 1, "'Q:' without an 'A:'"),
        ("e.md", "C: no deletion\n", "hashcards", 1, "'C:' card without a [deletion]"),
        ("f.md", '---\nname = "x\n---\n', "hashcards", 2, "front matter (TOML)"),
        ("g.csv", "front,back\nonly one field\n", "csv", 2, "1 fields, expected 2"),
        ("h.csv", "front,back\n,empty front\n", "csv", 2, "empty front or back"),
        ("i.txt", "#separator:tab\n#bogus:1\na\tb\n", "anki-text", 2, "unknown header"),
        ("j.txt", "#html:maybe\na\tb\n", "anki-text", 1, "'#html' takes true or false"),
        ("k.txt", "#notetype column:1\nCloze\tno deletion\n", "anki-text", 2, "a Cloze note"),
    ],
)
def test_refused_inputs_say_where_and_write_nothing(
    tmp_path, isolated, name, text, fmt, line, message
):  # noqa: E501
    source = write(tmp_path, name, text)
    out = tmp_path / "out"
    result = run("import", str(source), "--from", fmt, "--to", str(out))
    assert result.exit_code == 1
    assert f"{source}:{line}: {message}" in result.output
    assert "nothing was converted or imported" in result.output
    assert not out.exists()
    assert not (isolated / "collection.sqlite3").exists()


def test_refused_import_takes_the_converted_files_back(tmp_path):
    own = write(tmp_path, "own.md", "Q: a?\nA: b\n")
    copy = write(tmp_path, "copy.csv", "front,back\na?,b\n")
    out = tmp_path / "out"
    result = run("import", str(own), str(copy), "--to", str(out))
    assert result.exit_code == 1
    assert "duplicate card" in result.output
    assert not out.exists()


def test_never_overwrites_a_file_it_did_not_write(tmp_path):
    source = write(tmp_path, "deck.csv", "front,back\na?,b\n")
    out = tmp_path / "out"
    mine = write(out, "deck.md", "Q: my own deck\nA: keep me\n")
    result = run("import", str(source), "--to", str(out))
    assert result.exit_code == 1
    assert "exists and was not written by `flashcards import`" in result.output
    assert mine.read_text() == "Q: my own deck\nA: keep me\n"


def test_markdown_import_is_unchanged(tmp_path):
    deck = write(tmp_path, "d.md", textwrap.dedent("Q: a?\nA: b\n"))
    result = run("import", str(deck))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 deck: 1 added, 0 updated, 0 relinked, 0 retired, 0 unchanged"


def test_anki_text_file_wide_headers_and_other_note_types(tmp_path):
    export = write(
        tmp_path,
        "plain.txt",
        "#separator:Comma\n#html:false\n#deck:Interview\n#notetype:Basic\n"
        "#tags:imported\n#notetype column:1\n"
        'Basic (type in the answer),"What does <b> do?","makes text bold, in HTML"\n'
        "Vocabulary,drift,a change in the input distribution\n",
    )
    out = tmp_path / "out"
    result = run("import", str(export), "--to", str(out))
    assert result.exit_code == 0, result.output
    assert f"note: {export}:8: note type 'Vocabulary' converted by its first two fields" in (
        result.output
    )
    deck, cards = cards_of(out / "plain.md")
    assert deck.title == "Interview"
    assert [(c.front, c.back, c.tags) for c in cards] == [
        ("What does <b> do?", "makes text bold, in HTML", ("imported",)),
        ("drift", "a change in the input distribution", ("imported",)),
    ]


def test_hashcards_cloze_over_several_paragraphs_stays_one_card_group(tmp_path):
    source = write(
        tmp_path, "q.md", "C:\nBetter the sight of the eyes.\n\n— [Ecclesiastes] [6]:[9]\n"
    )
    out = tmp_path / "out"
    result = run("import", str(source), "--from", "hashcards", "--to", str(out))
    assert result.exit_code == 0, result.output
    _deck, cards = cards_of(out / "q.md")
    assert [c.answers for c in cards] == [(("Ecclesiastes",),), (("6",),), (("9",),)]
    assert cards[0].front.startswith("Better the sight of the eyes.\\\n— **[…]** 6:9")


def test_obsidian_indented_code_is_never_a_card(tmp_path):
    note = write(tmp_path, "o.md", "Intro:\n\n    indented::code\n\nreal::card\n")
    out = tmp_path / "out"
    result = run("import", str(note), "--from", "obsidian", "--to", str(out))
    assert result.exit_code == 0, result.output
    _deck, cards = cards_of(out / "o.md")
    assert [(c.front, c.back) for c in cards] == [("real", "card")]
