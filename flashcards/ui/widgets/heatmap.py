"""A calendar of study days: one cell per day, weeks as columns, shaded by answers that day.
No charting widget draws calendars, so this one is a few lines of Rich text."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text

SHADES = ("grey23", "dark_green", "green4", "green3", "bright_green")
WEEKDAYS = ("Mon", "   ", "Wed", "   ", "Fri", "   ", "Sun")


def calendar(counts: dict[str, int], today: date, weeks: int, title: str = "") -> Text:
    """`counts` maps ISO dates to answers; the last `weeks` weeks up to today, under `title`
    (in bold) if there is one."""
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    peak = max(counts.values(), default=0)
    text = Text()
    if title:
        text.append(f"{title}\n", style="bold")
    months = [" "] * (2 * weeks + 3)
    last_month = None
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        if monday.month != last_month and all(c == " " for c in months[2 * week : 2 * week + 4]):
            months[2 * week : 2 * week + 3] = monday.strftime("%b")
        last_month = monday.month
    text.append("    " + "".join(months).rstrip() + "\n", style="dim")
    for weekday in range(7):
        text.append(WEEKDAYS[weekday] + " ", style="dim")
        for week in range(weeks):
            day = start + timedelta(weeks=week, days=weekday)
            if day > today:
                text.append("  ")
                continue
            count = counts.get(day.isoformat(), 0)
            level = 0 if not count else min(4, 1 + int(3 * count / max(peak, 1)))
            text.append("■ ", style=SHADES[level])
        text.append("\n")
    text.append("less ", style="dim")
    for shade in SHADES:
        text.append("■ ", style=shade)
    text.append("more", style="dim")
    return text
