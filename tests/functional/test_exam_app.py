"""The exam and results screens driven with the pilot, and their snapshots."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, Markdown, Static

from flashcards.storage.tables import ExamAnswerRow, ExamRow, ReviewRow
from flashcards.study.exam import ExamSpec
from flashcards.ui.app import FlashcardsApp
from flashcards.ui.screens.exam import ExamScreen
from flashcards.ui.screens.exam_results import ExamResultsScreen
from flashcards.ui.screens.exam_resume import ResumeExamScreen
from flashcards.ui.screens.home import HomeScreen
from flashcards.ui.widgets.keybar import KeyBar

from ..conftest import burst, settle, settled
from ..unit.test_exam import MIXED


def exam_app(workspace, **spec) -> FlashcardsApp:
    session, note = workspace.new_exam(ExamSpec(seed=3, **spec))
    return FlashcardsApp(workspace, start="exam", exam=session, note=note)


async def go_to(screen: ExamScreen, kind: str) -> None:
    """Skip the exam's questions up to the first of `kind` (basic, cloze or choice)."""
    while screen.question.kind != kind:
        screen.index += 1
        await screen.show_question()


async def answer_all_correctly(pilot) -> None:
    screen = pilot.app.screen
    while isinstance(pilot.app.screen, ExamScreen):
        question = screen.question
        if question.kind == "choice":
            for index, option in enumerate(question.options):
                if option.correct:
                    await pilot.press(str(index + 1))
            await pilot.press("enter")
        elif question.kind == "cloze":
            for field, alternatives in zip(screen.query(Input), question.card.answers, strict=True):
                field.value = alternatives[-1]
            await pilot.press("enter")
        else:
            await pilot.press("enter", "1")
        await pilot.press("enter")  # next question after the feedback
        await settle(pilot)


async def test_an_exam_from_first_question_to_results(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace, count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ExamScreen)
        assert "question 1 of 4" in str(app.screen.query_one("#status", Static).render())
        await answer_all_correctly(pilot)
        assert isinstance(app.screen, ExamResultsScreen)
        headline = str(app.screen.query_one("#headline", Static).render())
        assert "100%" in headline and "PASSED" in headline and "4 of 4 right" in headline
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
    with workspace.collection.read() as conn:
        assert conn.execute(select(func.count()).select_from(ExamRow.__table__)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(ReviewRow.__table__)).scalar() == 0


async def test_wrong_cloze_answer_shows_the_expected_one(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace, tags=("mixed",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        while screen.question.kind != "cloze" or len(screen.question.card.answers) != 1:
            screen.index += 1
            await screen.show_question()
        screen.query_one(Input).value = "ROC-AUC"
        await pilot.press("enter")
        feedback = str(screen.query_one("#feedback", Static).render())
        assert "✗ Wrong" in feedback and "answer: PR-AUC" in feedback


async def test_fewer_cards_than_asked_is_said(make_workspace, notified):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace, count=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert any("Only 4 cards match" in m for m in notified.sent)


async def test_time_running_out_ends_the_exam(make_workspace, clock):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace, minutes=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "1:00 left" in str(app.screen.query_one("#status", Static).render())
        clock.advance(seconds=61)
        app.screen.tick()
        await settle(pilot)
        assert isinstance(app.screen, ExamResultsScreen)
        assert "0 of 4 right" in str(app.screen.query_one("#headline", Static).render())


async def test_quitting_asks_first_and_saves_nothing(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await pilot.press("n")
        assert isinstance(app.screen, ExamScreen)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    with workspace.collection.read() as conn:
        assert conn.execute(select(func.count()).select_from(ExamRow.__table__)).scalar() == 0


async def test_results_list_missed_questions_and_send_them_to_review(make_workspace, notified):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", "y")
        await settle(pilot)
        missed = app.screen.query_one("#missed", Markdown).source
        assert "Why cache embeddings?" in missed and "To save latency." in missed
        await pilot.press("r")
        await settle(pilot)
        assert any("4 cards added to today's review" in m for m in notified.sent)


async def test_x_on_home_starts_an_exam(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExamScreen)


def test_exam_question_snapshot(make_workspace, snap_compare):
    app = exam_app(make_workspace({"m.md": MIXED}), count=4, minutes=10)
    assert snap_compare(app, run_before=settled(), terminal_size=(80, 24))


def test_exam_choice_feedback_snapshot(make_workspace, snap_compare):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace, count=4)

    async def to_choice(pilot):
        await settle(pilot)
        await go_to(app.screen, "choice")
        await settled("1", "2", "enter")(pilot)

    assert snap_compare(app, run_before=to_choice, terminal_size=(80, 24))


def test_exam_results_snapshot(make_workspace, snap_compare):
    app = exam_app(make_workspace({"m.md": MIXED}), count=4)
    keys = settled("1", "4", "enter", "enter", "ctrl+f", "y")
    assert snap_compare(app, run_before=keys, terminal_size=(80, 24))


async def test_an_answer_that_cannot_be_stored_is_said_and_can_be_given_again(
    make_workspace,
    monkeypatch,
    notified,
):
    import sqlite3
    from contextlib import contextmanager

    import sqlalchemy.exc

    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace, count=4)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await go_to(screen, "choice")
        collection = screen.session.collection
        real_write = collection.write

        @contextmanager
        def locked():
            raise sqlalchemy.exc.OperationalError(
                "BEGIN", {}, sqlite3.OperationalError("database is locked")
            )
            yield  # pragma: no cover

        monkeypatch.setattr(collection, "write", locked)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert any("busy too long" in m for m in notified.sent)
        assert screen.phase == "ask" and screen.session.answers == {}
        monkeypatch.setattr(collection, "write", real_write)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.phase == "feedback" and list(screen.session.answers) == [screen.index]


async def exam_at(pilot, kind: str) -> ExamScreen:
    await settle(pilot)
    screen = pilot.app.screen
    await go_to(screen, kind)
    if kind == "cloze":
        while len(screen.question.card.answers) != 1:
            screen.index += 1
            await go_to(screen, kind)
    await settle(pilot)
    return screen


@pytest.mark.parametrize(
    ("kind", "keys", "credit"),
    [
        ("basic", ("enter", "1"), 1.0),  # show the answer, then grade it correct
        ("cloze", (*"PR-AUC", "enter", "x"), 1.0),  # the x comes after the answer was taken
        ("choice", ("right", "enter"), 1.0),  # the right options picked, then confirmed
    ],
)
async def test_keys_typed_ahead_are_handled_in_order(make_workspace, kind, keys, credit):
    app = exam_app(make_workspace({"m.md": MIXED}), count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await exam_at(pilot, kind)
        if kind == "choice":
            right = [str(n) for n, o in enumerate(screen.question.options, 1) if o.correct]
            keys = (*right, *keys[1:])
        burst(app, *keys)
        await settle(pilot)
        assert screen.phase == "feedback"
        assert screen.session.answers[screen.index].credit == credit
        for field in screen.query(Input):
            assert field.value == ("PR-AUC" if kind == "cloze" else "")


async def test_blanks_typed_ahead_with_tab_between_them_each_get_their_answer(make_workspace):
    app = exam_app(make_workspace({"m.md": MIXED}), count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        while screen.question.kind != "cloze" or len(screen.question.card.answers) != 2:
            screen.index += 1
        await screen.show_question()
        await settle(pilot)
        burst(app, *"Precision", "tab", *"recall", "enter")
        await settle(pilot)
        assert [field.value for field in screen.query(Input)] == ["Precision", "recall"]
        assert screen.phase == "feedback"
        assert screen.session.answers[screen.index].credit == 1.0


async def test_a_cloze_answer_that_cannot_be_stored_can_be_typed_on(
    make_workspace, monkeypatch, notified
):
    import sqlite3

    import sqlalchemy.exc

    app = exam_app(make_workspace({"m.md": MIXED}), count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await exam_at(pilot, "cloze")

        def busy(*args, **kwargs):
            raise sqlalchemy.exc.OperationalError(
                "BEGIN", {}, sqlite3.OperationalError("database is locked")
            )

        monkeypatch.setattr(screen.session, "answer_cloze", busy)
        burst(app, *"PR-", "enter")
        await settle(pilot)
        assert screen.phase == "ask" and any("busy" in m for m in notified.sent)
        monkeypatch.undo()
        burst(app, *"AUC", "enter")
        await settle(pilot)
        assert screen.query_one(Input).value == "PR-AUC"
        assert screen.phase == "feedback" and screen.session.answers[screen.index].credit == 1.0


async def cloze_with_alternatives(pilot) -> ExamScreen:
    """The exam screen at the one-blank cloze ({{PR-AUC|average precision}})."""
    return await exam_at(pilot, "cloze")


async def test_a_forgiven_slip_is_said_with_the_expected_spelling(make_workspace):
    app = exam_app(make_workspace({"m.md": MIXED}), count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await cloze_with_alternatives(pilot)
        screen.query_one(Input).value = "average precison"
        await pilot.press("enter")
        await settle(pilot)
        feedback = str(screen.query_one("#feedback", Static).render())
        assert "✓ Correct" in feedback
        assert "A slip was forgiven: it is spelled average precision." in feedback
        await pilot.press("ctrl+f", "y")
        await settle(pilot)
        assert isinstance(app.screen, ExamResultsScreen)
        forgiven = app.screen.query_one("#forgiven", Markdown).source
        assert "You typed average precison; it is spelled average precision." in forgiven


async def test_o_overrules_a_typed_verdict_and_the_score_follows(make_workspace):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace, count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await cloze_with_alternatives(pilot)
        assert "o" not in {b.binding.key for b in screen.active_bindings.values()}
        screen.query_one(Input).value = "ROC-AUC"
        await pilot.press("enter")
        await settle(pilot)
        assert "[b]o[/b] I was right" in str(screen.query_one("#keys", Static).content)
        assert "o Overrule" in app.screen.query_one(KeyBar).render().plain
        await pilot.press("o")
        await settle(pilot)
        feedback = str(screen.query_one("#feedback", Static).render())
        assert "✓ Correct" in feedback and "overruled the grader, which had it wrong" in feedback
        assert "the grader was right" in str(screen.query_one("#keys", Static).content)
        await pilot.press("enter")  # the next question: no verdict to overrule
        await settle(pilot)
        assert "o Overrule" not in app.screen.query_one(KeyBar).render().plain
        await pilot.press("ctrl+f", "y")
        await settle(pilot)
        headline = str(app.screen.query_one("#headline", Static).render())
        assert "1 of 4 right" in headline and "1 verdict overruled by you" in headline
    with workspace.collection.read() as conn:
        table = ExamAnswerRow.__table__
        rows = conn.execute(select(table).where(table.c.overruled.is_(True))).all()
    assert [(r.given, r.machine_credit, r.credit) for r in rows] == [("ROC-AUC", 0.0, 1.0)]


async def test_a_wrong_pick_is_marked_and_named_in_the_results(make_workspace):
    app = exam_app(make_workspace({"m.md": MIXED}), count=20)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await exam_at(pilot, "choice")
        options = screen.question.options
        right = next(n for n, o in enumerate(options, 1) if o.correct)
        wrong = next(n for n, o in enumerate(options, 1) if not o.correct)
        await pilot.press(str(right), str(wrong), "enter")
        await settle(pilot)
        front = screen.query_one("#front", Markdown).source
        assert f"{wrong}. \\[x\\] {options[wrong - 1].text} ✗" in front
        assert f"{right}. \\[x\\] {options[right - 1].text} ✓" in front
        await pilot.press("ctrl+f", "y")
        await settle(pilot)
        missed = app.screen.query_one("#missed", Markdown).source
        picked = f"You answered: {options[right - 1].text}; {options[wrong - 1].text}"
        assert picked in missed and "You answered: 1" not in missed


async def test_q_on_the_results_of_a_command_line_exam_ends_the_program(make_workspace):
    app = exam_app(make_workspace({"m.md": MIXED}), count=4)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled("ctrl+f", "y")(pilot)
        assert isinstance(app.screen, ExamResultsScreen)
        await pilot.press("q")
        await settle(pilot)
        assert app.return_code == 0 and not app.is_running


async def test_q_on_the_results_of_an_exam_from_home_goes_home(make_workspace):
    app = FlashcardsApp(make_workspace({"m.md": MIXED}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled("x", "ctrl+f", "y")(pilot)
        assert isinstance(app.screen, ExamResultsScreen)
        assert "q Home" in app.screen.query_one(KeyBar).render().plain
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def answer_first_then_quit(pilot) -> tuple[int, str]:
    """Answer the exam's first question (choice: the right options), quit; (card id, given)."""
    await settle(pilot)
    screen = pilot.app.screen
    question = screen.question
    if question.kind == "choice":
        for number, option in enumerate(question.options, 1):
            if option.correct:
                await pilot.press(str(number))
        await pilot.press("enter")
    elif question.kind == "cloze":
        for field, alternatives in zip(screen.query(Input), question.card.answers, strict=True):
            field.value = alternatives[0]
        await pilot.press("enter")
    else:
        await pilot.press("enter", "1")
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)
    assert "Your answers are kept" in str(pilot.app.screen.query_one(Static).render())
    await pilot.press("y")
    await settle(pilot)
    return question.card.id, screen.session.answers[0].given


@pytest.mark.parametrize("choice", ["r", "f", "n"])
async def test_x_after_quitting_offers_to_resume_or_finish_the_exam(make_workspace, choice):
    workspace = make_workspace({"m.md": MIXED})
    app = FlashcardsApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled("x")(pilot)
        first_card, _ = await answer_first_then_quit(pilot)
        assert isinstance(app.screen, HomeScreen)
        await settled("x")(pilot)
        assert isinstance(app.screen, ResumeExamScreen)
        question = str(app.screen.query_one(Static).render())
        assert "Resume the exam started today 09:00 (1/4 answered)?" in question
        await settled(choice)(pilot)
        if choice == "r":
            screen = app.screen
            assert isinstance(screen, ExamScreen) and screen.index == 1
            assert screen.session.questions[0].card.id == first_card
            assert "question 2 of 4" in str(screen.query_one("#status", Static).render())
            await answer_all_correctly(pilot)
            headline = str(app.screen.query_one("#headline", Static).render())
            assert "4 of 4 right" in headline
        elif choice == "f":
            assert isinstance(app.screen, ExamResultsScreen)
            assert "1 of 4 right" in str(app.screen.query_one("#headline", Static).render())
            assert "Not answered." in app.screen.query_one("#missed", Markdown).source
        else:
            assert isinstance(app.screen, ExamScreen) and not app.screen.session.answers
    with workspace.collection.read() as conn:
        exams = conn.execute(select(ExamRow.__table__)).all()
    if choice == "n":  # the left exam removed; the new one is stored with its first answer
        assert exams == []
    else:  # resumed or finished as scored: one exam, finished, never a second one
        assert [exam.finished_at is not None for exam in exams] == [True]


def test_exam_forgiven_slip_snapshot(make_workspace, snap_compare):
    app = exam_app(make_workspace({"m.md": MIXED}), count=4)

    async def slip(pilot):
        screen = await cloze_with_alternatives(pilot)
        screen.query_one(Input).value = "average precison"
        await settled("enter")(pilot)

    assert snap_compare(app, run_before=slip, terminal_size=(80, 24))


async def test_notes_typed_when_the_time_runs_out_are_kept_in_the_results(make_workspace, clock):
    workspace = make_workspace({"m.md": MIXED})
    app = exam_app(workspace, minutes=1)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await exam_at(pilot, "basic")
        screen.query_one(Input).value = "avoid recomputing them"
        clock.advance(seconds=61)
        screen.tick()
        await settle(pilot)
        assert isinstance(app.screen, ExamResultsScreen)
        missed = app.screen.query_one("#missed", Markdown).source
        assert "*Not answered. Your notes: avoid recomputing them*" in missed
