"""The deck format, rule by rule (docs/deck-format.md)."""

import textwrap

import pytest

from flashcards.deck import CardKind, parse_deck


def parse(text: str, path: str = "deck.md"):
    return parse_deck(textwrap.dedent(text).lstrip("\n"), path, default_title="deck")


def only_card(text: str):
    deck = parse(text)
    assert not deck.errors, [str(e) for e in deck.errors]
    assert len(deck.cards) == 1
    return deck.cards[0]


def errors(text: str) -> list[str]:
    return [str(e) for e in parse(text).errors]


# Front matter and topics ---------------------------------------------------------------


def test_front_matter_gives_title_tags_description_and_settings():
    deck = parse(
        """
        ---
        title: Class imbalance
        description: Resampling and friends
        tags: [imbalance, metrics]
        desired_retention: 0.85
        new_per_day: 5
        ---
        Q: a?
        A: b
        """
    )
    assert deck.title == "Class imbalance"
    assert deck.description == "Resampling and friends"
    assert deck.tags == ("imbalance", "metrics")
    assert deck.settings == {"desired_retention": 0.85, "new_per_day": 5}
    assert deck.cards[0].line == 8


def test_title_defaults_to_file_name():
    assert parse_deck("Q: a?\nA: b\n", "x/serving.md", default_title="serving").title == "serving"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: x\nQ: a?\nA: b\n", "deck.md:1: front matter is not closed"),
        ("---\n- a\n- b\n---\nQ: a?\nA: b\n", "deck.md:2: front matter must be a mapping"),
        ("---\ntitle: [unclosed\n---\n", "deck.md:"),
        ("---\nnew_per_day: lots\n---\n", "deck.md:2: front matter 'new_per_day': must be"),
        ("---\ndesired_retention: 1.5\n---\n", "deck.md:2: front matter 'desired_retention'"),
    ],
)
def test_bad_front_matter_is_located(text, message):
    found = [str(e) for e in parse_deck(text, "deck.md").errors]
    assert any(e.startswith(message) for e in found), found


def test_headings_give_a_topic_path():
    deck = parse(
        """
        # Resampling
        Q: one?
        A: 1
        ## Undersampling
        Q: two?
        A: 2
        # Weights
        Q: three?
        A: 3
        """
    )
    assert [c.topic for c in deck.cards] == [
        ("Resampling",),
        ("Resampling", "Undersampling"),
        ("Weights",),
    ]


# Basic cards ----------------------------------------------------------------------------


def test_basic_card_question_and_answer_in_one_paragraph():
    card = only_card(
        """
        Q: Why correct probabilities after negative downsampling?
        A: Downsampling inflates the positive rate; map p back with
        q = p / (p + (1 - p) / w).
        """
    )
    assert card.kind is CardKind.BASIC
    assert card.front == "Why correct probabilities after negative downsampling?"
    assert card.back.endswith("q = p / (p + (1 - p) / w).")


def test_both_sides_may_span_paragraphs_and_hold_any_markdown():
    card = only_card(
        """
        Q: Compare the two.

        | a | b |
        |---|---|
        | 1 | 2 |

        A: First paragraph with `inline code` and *emphasis*.

        - a list item

        ```python
        print("hi")
        ```
        """
    )
    assert "| 1 | 2 |" in card.front
    assert "`inline code`" in card.back
    assert "- a list item" in card.back
    assert '```python\nprint("hi")\n```' in card.back


def test_card_ends_at_next_marker_heading_break_or_end():
    deck = parse(
        """
        Q: one?
        A: 1
        Q: two?
        A: 2

        # Next
        prose under a heading is not part of card two
        Q: three?
        A: 3

        ---

        Prose after a break belongs to no card.
        Q: four?
        A: 4
        """
    )
    assert not deck.errors
    assert [c.back for c in deck.cards] == ["1", "2", "3", "4"]


def test_answer_directly_above_a_break_is_not_a_heading():
    # CommonMark reads "A: 1" over "---" as a setext heading; here it is an answer and a break.
    deck = parse("Q: one?\nA: 1\n---\nignored prose\n")
    assert not deck.errors
    assert [(c.front, c.back) for c in deck.cards] == [("one?", "1")]


def test_text_before_the_first_card_is_ignored():
    deck = parse("An introduction.\n\nMore intro.\n\nQ: a?\nA: b\n")
    assert [c.front for c in deck.cards] == ["a?"]


def test_markers_inside_code_are_text():
    card = only_card(
        """
        Q: What does this print?
        A: Nothing special:

        ```
        Q: not a card
        A: not an answer
        C: not a {{cloze}}
        ```

            Q: indented code is code too
        """
    )
    assert "Q: not a card" in card.back
    assert "Q: indented code is code too" in card.back


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Q: lonely question?\n", "deck.md:1: 'Q:' without an 'A:' answer"),
        ("A: answer without question\n", "deck.md:1: 'A:' without a 'Q:' before it"),
        ("Q: a?\nA:\n", "deck.md:2: empty answer after 'A:'"),
        ("Q:\nA: b\n", "deck.md:1: empty question after 'Q:'"),
        ("Q: a?\nA: b\nA: c\n", "deck.md:3: a second 'A:'"),
    ],
)
def test_malformed_basic_cards_are_located(text, message):
    assert any(e.startswith(message) for e in errors(text)), errors(text)


# Cloze ----------------------------------------------------------------------------------


def test_each_deletion_is_a_card_and_the_others_stay_visible():
    deck = parse(
        "C: Focal loss multiplies cross-entropy by {{(1 - p_t)^γ}}, "
        "which down-weights {{easy examples}}.\n"
    )
    first, second = deck.cards
    assert first.kind is second.kind is CardKind.CLOZE
    assert first.front == (
        "Focal loss multiplies cross-entropy by **[…]**, which down-weights easy examples."
    )
    assert second.front.endswith("down-weights **[…]**.")
    assert first.back.startswith("Focal loss multiplies cross-entropy by **(1 - p_t)^γ**")
    assert first.answers == (("(1 - p_t)^γ",),)


def test_numbered_deletions_are_asked_together():
    deck = parse("C: {{c1::Precision}} and {{c1::recall}} trade off; {{F1}} combines them.\n")
    assert len(deck.cards) == 2
    grouped = deck.cards[0]
    assert grouped.cloze_group == "c1"
    assert grouped.front.startswith("**[…]** and **[…]** trade off; F1")
    assert grouped.answers == (("Precision",), ("recall",))


def test_hint_and_alternatives():
    card = only_card("C: Rare positives call for {{PR-AUC|average precision::a metric}}.\n")
    assert card.front == "Rare positives call for **[a metric]**."
    assert card.back == "Rare positives call for **PR-AUC**."
    assert card.answers == (("PR-AUC", "average precision"),)


def test_numbered_deletion_with_hint():
    card = only_card("C: {{c2::NDCG::ranking metric}} discounts by position.\n")
    assert card.cloze_group == "c2"
    assert card.front == "**[ranking metric]** discounts by position."


def test_braces_in_inline_code_are_not_deletions():
    card = only_card("C: Jinja writes `{{ name }}` but here {{this}} is a deletion.\n")
    assert card.answers == (("this",),)
    assert "`{{ name }}`" in card.front


def test_paragraphs_after_a_cloze_are_shown_with_the_answer():
    card = only_card("C: The answer is {{42}}.\n\nBecause of reasons.\n")
    assert card.back == "The answer is **42**.\n\nBecause of reasons."
    assert "reasons" not in card.front


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("C: no deletions here\n", "deck.md:1: 'C:' card without a {{deletion}}"),
        ("C: first line\nsecond {{unclosed\n", "deck.md:2: unclosed cloze deletion"),
        ("C: empty {{}} deletion\n", "deck.md:1: empty cloze deletion"),
        ("C: a {{x}}\nA: no answers on clozes\n", "deck.md:2: 'A:' after a 'C:' card"),
    ],
)
def test_malformed_cloze_cards_are_located(text, message):
    assert any(e.startswith(message) for e in errors(text)), errors(text)


# Multiple choice --------------------------------------------------------------------------


def test_task_list_makes_a_choice_question():
    card = only_card(
        """
        Q: Which metric best summarises a detector when 0.1% of examples are positive?
        - [ ] Accuracy
        - [x] PR-AUC
        - [ ] ROC-AUC
        A: PR-AUC: ROC-AUC's false-positive rate is diluted by the true negatives.
        """
    )
    assert card.kind is CardKind.CHOICE
    assert (
        card.front == "Which metric best summarises a detector when 0.1% of examples are positive?"
    )
    assert [(c.text, c.correct) for c in card.choices] == [
        ("Accuracy", False),
        ("PR-AUC", True),
        ("ROC-AUC", False),
    ]
    assert card.back.startswith("PR-AUC: ROC-AUC")


def test_choice_with_several_correct_options_and_no_explanation():
    card = only_card("Q: Which are ranking metrics?\n- [x] NDCG\n- [X] MRR\n- [ ] RMSE\n")
    assert [c.correct for c in card.choices] == [True, True, False]
    assert card.back == ""


def test_choice_option_continuation_lines():
    card = only_card("Q: Pick?\n- [x] a long option\n  that wraps\n- [ ] other\nA: why\n")
    assert card.choices[0].text == "a long option that wraps"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Q: Pick?\n- [ ] a\n- [ ] b\nA: none right\n",
            "deck.md:1: multiple-choice question has no correct option",
        ),
        (
            "Q: Pick?\n- [x] only one\nA: x\n",
            "deck.md:2: a multiple-choice question needs at least two options",
        ),
    ],
)
def test_malformed_choice_cards_are_located(text, message):
    assert any(e.startswith(message) for e in errors(text)), errors(text)


# Identity comments and tags ---------------------------------------------------------------


def test_id_and_tags_comment_before_a_card():
    card = only_card("<!-- id: rare-positives; tags: metrics, imbalance -->\nQ: a?\nA: b\n")
    assert card.explicit_id == "rare-positives"
    assert card.tags == ("metrics", "imbalance")


def test_id_on_a_cloze_paragraph_names_each_deletion():
    deck = parse("<!-- id: focal -->\nC: {{gamma}} and {{c1::alpha}}.\n")
    assert [c.explicit_id for c in deck.cards] == ["focal#gamma", "focal#c1"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- id: has spaces -->\nQ: a?\nA: b\n", "deck.md:1: invalid card id 'has spaces'"),
        ("<!-- id: x -->\nSome prose.\n\nQ: a?\nA: b\n", "deck.md:1: an id/tags comment must come"),
        ("<!-- id: x; colour: red -->\nQ: a?\nA: b\n", "deck.md:1: unknown key 'colour'"),
    ],
)
def test_bad_id_comments_are_located(text, message):
    assert any(e.startswith(message) for e in errors(text)), errors(text)


def test_other_html_comments_are_ignored():
    card = only_card("<!-- TODO: more cards -->\nQ: a?\nA: b\n")
    assert card.explicit_id is None


# Text encodings and line ends -------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends(ending):
    text = ending.join(["---", "title: T", "---", "# H", "Q: a?", "A: b", ""])
    deck = parse_deck(text, "deck.md")
    assert not deck.errors
    assert [(c.front, c.back, c.line) for c in deck.cards] == [("a?", "b", 5)]


def test_byte_order_mark_is_dropped():
    deck = parse_deck("\ufeff---\ntitle: T\n---\nQ: a?\nA: b\n", "deck.md")
    assert deck.title == "T" and len(deck.cards) == 1


def test_parsing_is_deterministic_and_fingerprints_ignore_rewrapping():
    one = parse("Q: a long\nquestion?\nA: b\n").cards[0]
    two = parse("Q: a long question?\nA:   b\n").cards[0]
    assert one.fingerprint == two.fingerprint
