"""`flashcards stats` as text: the same figures as the statistics screen, for a terminal or a
pipe."""

from __future__ import annotations

__all__ = ["render"]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _bar(value: int, peak: int, width: int = 30) -> str:
    return "█" * (round(width * value / peak) if peak else 0)


def render(figures: dict) -> str:
    lines: list[str] = []
    add = lines.append
    add(
        f"Cards: {figures['cards']}  (new {figures['new']}, learning {figures['learning']}, "
        f"review {figures['review']}, suspended {figures['suspended']})"
    )
    add(
        f"Today: {figures['due_today']} due, {figures['new_today']} new, "
        f"{figures['reviews_today']} answered"
    )
    streak = figures["streak"]
    plural = "s" * (streak["current"] != 1)
    add(f"Streak: {streak['current']} day{plural} (longest {streak['longest']})")
    states = figures["card_states"]
    add("States: " + ", ".join(f"{name} {count}" for name, count in states.items()))

    add("")
    days = figures["reviews_per_day"]
    add(f"Reviews per day, last {len(days)} days (learning / review / relearning, time):")
    peak = max((d["total"] for d in days), default=0)
    for day in days:
        if day["total"]:
            minutes = day["seconds"] / 60
            add(
                f"  {day['date']}  {day['learning']:>4} {day['review']:>4} {day['relearning']:>4}"
                f"  {minutes:5.1f}m  {_bar(day['total'], peak)}"
            )
    if not peak:
        add("  no answers yet")

    add("")
    add(f"True retention (desired {figures['desired_retention']:.0%}):")
    add(f"  {'period':<7}{'young':>14}{'mature':>14}{'all':>14}")
    for period, groups in figures["true_retention"].items():
        cells = [
            f"{_percent(g['rate'])} of {g['total']}".rjust(14)
            for g in (groups["young"], groups["mature"], groups["all"])
        ]
        add(f"  {period:<7}" + "".join(cells))

    add("")
    add("Due in the next 30 days:")
    forecast = figures["forecast"]
    peak = max((f["due"] for f in forecast), default=0)
    for day in forecast:
        add(f"  {day['date']}  {day['due']:>5}  {_bar(day['due'], peak)}")

    add("")
    add("Weakest decks (recall now, true retention, exam score):")
    for area in figures["decks"]:
        add(_area_line(area))
    add("")
    add("Weakest topics:")
    for area in figures["topics"][:15]:
        add(_area_line(area))

    exams = figures["exams"]
    if exams:
        add("")
        add("Exams:")
        for exam in exams:
            verdict = "passed" if exam["passed"] else "not passed"
            add(
                f"  {exam['started_at'][:16].replace('T', ' ')}  {exam['score']:.0%}  {verdict}  "
                f"({exam['correct']:g}/{exam['count']}) {', '.join(exam['decks'])}"
            )
    rounds = figures.get("rounds", [])
    if rounds:
        add("")
        add("Mock rounds:")
        for attempt in rounds[-10:]:
            add(
                f"  {attempt['started_at'][:16].replace('T', ' ')}  {attempt['score']:.0%}  "
                f"{attempt['title']}"
            )
        add("Steps over recent rounds, weakest first (average score, rounds that reached it):")
        for step in figures["round_steps"]:
            add(f"  {step['coverage']:>4.0%}  {step['reached']:>4.0%}  {step['name']}")
    return "\n".join(lines)


def _area_line(area: dict) -> str:
    return (
        f"  {_percent(area['retrievability']):>5} {_percent(area['retention']):>5} "
        f"{_percent(area['exam_score']):>5}  {area['cards']:>5} cards  {area['lapses']:>4} lapses  "
        f"{area['name']}"
    )
