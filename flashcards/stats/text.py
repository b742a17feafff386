"""`flashcards stats` as text: the same figures as the statistics screen, for a terminal or a
pipe."""

from __future__ import annotations

from .figures import AreaFigures
from .summary import Summary

__all__ = ["render"]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _bar(value: int, peak: int, width: int = 30) -> str:
    return "█" * (round(width * value / peak) if peak else 0)


def render(summary: Summary) -> str:
    figures, today, states = summary.figures, summary.today, summary.figures.states
    lines: list[str] = []
    add = lines.append
    add(
        f"Cards: {states.in_use}  (new {states.new}, "
        f"learning {states.learning + states.relearning}, "
        f"review {states.review}, suspended {states.suspended})"
    )
    add(f"Today: {today.learning + today.due} due, {today.new} new, {today.reviews_today} answered")
    streak = figures.streak
    plural = "s" * (streak.current != 1)
    add(f"Streak: {streak.current} day{plural} (longest {streak.longest})")
    add("States: " + ", ".join(f"{name} {count}" for name, count in states.to_json().items()))

    add("")
    days = figures.days
    add(f"Reviews per day, last {len(days)} days (learning / review / relearning, time):")
    peak = max((d.total for d in days), default=0)
    for day in days:
        if day.total:
            minutes = day.seconds / 60
            add(
                f"  {day.date.isoformat()}  {day.learning:>4} {day.review:>4} "
                f"{day.relearning:>4}  {minutes:5.1f}m  {_bar(day.total, peak)}"
            )
    if not peak:
        add("  no answers yet")

    add("")
    add(f"True retention (desired {figures.desired_retention:.0%}):")
    add(f"  {'period':<7}{'young':>14}{'mature':>14}{'all':>14}")
    for period, groups in figures.retention.items():
        cells = [
            f"{_percent(g.rate)} of {g.total}".rjust(14)
            for g in (groups.young, groups.mature, groups.all)
        ]
        add(f"  {period:<7}" + "".join(cells))

    add("")
    add(f"Due in the next {len(figures.forecast)} days:")
    peak = max((f.due for f in figures.forecast), default=0)
    for due in figures.forecast:
        add(f"  {due.date.isoformat()}  {due.due:>5}  {_bar(due.due, peak)}")

    add("")
    add("Weakest decks (recall now, true retention, exam score):")
    for area in figures.areas.decks:
        add(_area_line(area))
    add("")
    add("Weakest topics:")
    for area in figures.areas.topics[:15]:
        add(_area_line(area))

    if figures.exams:
        add("")
        add("Exams:")
        for exam in figures.exams:
            verdict = "passed" if exam.passed else "not passed"
            when = exam.started_at.isoformat()[:16].replace("T", " ")
            add(
                f"  {when}  {exam.score:.0%}  {verdict}  "
                f"({exam.correct:g}/{exam.count}) {', '.join(exam.decks)}"
            )
    if figures.rounds:
        add("")
        add("Mock rounds:")
        for attempt in figures.rounds[-10:]:
            when = attempt.started_at.isoformat()[:16].replace("T", " ")
            add(f"  {when}  {attempt.score:.0%}  {attempt.title}")
        add("Steps over recent rounds, weakest first (average score, rounds that reached it):")
        for step in figures.round_steps:
            add(f"  {step.coverage:>4.0%}  {step.reached:>4.0%}  {step.name}")
    return "\n".join(lines)


def _area_line(area: AreaFigures) -> str:
    return (
        f"  {_percent(area.retrievability):>5} {_percent(area.retention):>5} "
        f"{_percent(area.exam_score):>5}  {area.cards:>5} cards  {area.lapses:>4} lapses  "
        f"{area.name}"
    )
