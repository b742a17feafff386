"""A finished round written out as Markdown, for the person to reread."""

from __future__ import annotations

from datetime import datetime, tzinfo

from .model import ParsedRound
from .results import Mark, facts_asked, round_score, step_scores
from .run import RoundRun
from .steps import format_duration

__all__ = ["transcript_name", "write_transcript"]


def transcript_name(parsed: ParsedRound, started_at: datetime, zone: tzinfo) -> str:
    """A file name that sorts by date: '2026-12-04-1502-video-recommendation.md'."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in parsed.key.casefold())
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "round"
    return f"{started_at.astimezone(zone):%Y-%m-%d-%H%M}-{slug}.md"


def write_transcript(run: RoundRun, marks: list[Mark], zone: tzinfo) -> str:
    """The transcript: prompt, each step's notes beside its marked rubric, time, questions."""
    parsed = run.round
    scores = step_scores(parsed, marks)
    started = (run.started_at or run.now()).astimezone(zone)
    lines = [
        f"# {parsed.title}: mock round of {started:%Y-%m-%d %H:%M}",
        "",
        f"Score: **{round_score(marks):.0%}** · time {format_duration(run.elapsed())} "
        f"of {format_duration(run.budget_seconds)}",
        "",
        "## Prompt",
        "",
        parsed.prompt,
        "",
    ]
    for index, step in enumerate(run.steps):
        lines += [
            f"## {step.name}: {scores[index]:.0%}",
            "",
            f"Time: {format_duration(step.seconds)} of {format_duration(step.budget_seconds)}"
            + (" (over budget)" if step.seconds > step.budget_seconds else ""),
            "",
            "### Notes",
            "",
            step.notes.strip() or "_(none)_",
            "",
            "### Rubric",
            "",
        ]
        for mark in (m for m in marks if m.step == index):
            box = "x" if mark.covered else " "
            changed = " _(marked by hand)_" if mark.covered != mark.suggested else ""
            lines.append(f"- [{box}] {mark.item.text}{changed}")
        lines.append("")
    _asked, never = facts_asked(parsed, run.questions)
    lines += ["## Questions to the interviewer", ""]
    if run.questions:
        for question in run.questions:
            answer = "; ".join(f.text for f in parsed.facts if f.key in question.facts)
            lines.append(f"- {question.text} → {answer or '(no fact: an assumption was needed)'}")
    else:
        lines.append("_(none asked)_")
    if never:
        lines += ["", "Never asked for:", ""]
        lines += [f"- **{', '.join(f.keywords)}**: {f.text}" for f in never]
    return "\n".join(lines).rstrip() + "\n"
