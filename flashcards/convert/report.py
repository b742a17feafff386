"""What `flashcards import` says about a conversion: where each deck went, how many cards it
holds, what was skipped and why, and what did not come along."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .plan import ConvertedFile, ImportPlan
from .writer import WrittenFiles, write_files

__all__ = ["ConvertedInputs"]


@dataclass(slots=True)
class ConvertedInputs:
    plan: ImportPlan
    written: WrittenFiles | None = None
    # Once imported: schedules carried into FSRS state, cards that kept their own schedule
    # (already studied here), and schedules out of SM-2's range.
    carried: int = 0
    kept: int = 0
    refused: int = 0
    suspended: int = 0  # new cards suspended because the source had them suspended
    history_cards: int = 0  # new cards whose answers came along from the source's log
    history_answers: int = 0
    returned_cards: int = 0  # our exported cards that gained answers given in Anki
    returned_answers: int = 0
    returned_unknown: int = 0  # cards of the package no longer in the collection

    def write(self) -> None:
        """Write the converted decks (raises OSError, having put back what it wrote)."""
        self.written = write_files(self.plan.files)

    def undo(self) -> None:
        """Put back what `write` changed: the import that followed was refused."""
        if self.written is not None:
            self.written.undo()

    @property
    def markdown(self) -> list[str]:
        return self.plan.markdown

    @property
    def files(self) -> list[Path]:
        """The deck files to import (media files are written beside them, not imported)."""
        return [path for path, content in self.plan.files.items() if isinstance(content, str)]

    @property
    def converted(self) -> list[ConvertedFile]:
        return self.plan.converted

    @property
    def schedules(self) -> int:
        return sum(item.schedules for item in self.plan.converted)

    @property
    def schedules_by_id(self):
        return self.plan.schedules

    @property
    def suspended_ids(self) -> set[str]:
        return self.plan.suspended

    @property
    def histories_by_id(self):
        return self.plan.histories

    def summary(self) -> list[str]:
        lines: list[str] = []
        for item in self.plan.converted:
            cards = item.basic + item.cloze
            lines.append(
                f"converted {item.source} -> {item.path}: {cards} card{'s' * (cards != 1)} "
                f"({item.basic} basic, {item.cloze} cloze)"
            )
        for warning in self.plan.warnings:
            lines.append(f"note: {warning}")
        for skip in self.plan.skipped:
            lines.append(f"skipped: {skip}")
        if self.history_answers:
            lines.append(
                f"{self.history_answers} review{'s' * (self.history_answers != 1)} of "
                f"{self.history_cards} card{'s' * (self.history_cards != 1)} came along from "
                "the review log, and their FSRS state was replayed from them"
            )
        if self.plan.returned and not self.returned_answers:
            lines.append("no reviews done in Anki are new: those in the package are already here")
        elif self.plan.returned:
            lines.append(
                f"{self.returned_answers} review{'s' * (self.returned_answers != 1)} done in "
                f"Anki came back for {self.returned_cards} card"
                f"{'s' * (self.returned_cards != 1)} (reviews already here were recognised), "
                "and their FSRS state was replayed"
            )
        if self.returned_unknown:
            lines.append(
                f"{self.returned_unknown} exported card{'s' * (self.returned_unknown != 1)} "
                "of the package are no longer in the collection: their reviews were left out"
            )
        if self.suspended:
            lines.append(
                f"{self.suspended} card{'s' * (self.suspended != 1)} suspended, as in the source"
            )
        if self.carried:
            lines.append(
                f"{self.carried} review schedule{'s' * (self.carried != 1)} carried over "
                "(due date, interval and ease made into the cards' FSRS state)"
            )
        if self.kept:
            lines.append(
                f"{self.kept} card{'s' * (self.kept != 1)} already scheduled here (carried "
                f"before, or studied) kept {'their' if self.kept != 1 else 'its'} schedule"
            )
        if self.refused:
            lines.append(
                f"{self.refused} schedule{'s' * (self.refused != 1)} not carried over (an "
                "interval under a day or an ease out of range): those cards start as new"
            )
        return lines

    def as_json(self) -> dict:
        return {
            "decks": [
                {
                    "source": item.source,
                    "file": str(item.path),
                    "title": item.title,
                    "basic": item.basic,
                    "cloze": item.cloze,
                }
                for item in self.plan.converted
            ],
            "skipped": [
                {"path": s.path, "line": s.line, "reason": s.reason} for s in self.plan.skipped
            ],
            "warnings": [
                {"path": w.path, "line": w.line, "reason": w.reason} for w in self.plan.warnings
            ],
            "schedules": {
                "found": self.schedules,
                "carried": self.carried,
                "kept": self.kept,
                "refused": self.refused,
            },
            "history": {"cards": self.history_cards, "reviews": self.history_answers},
            "returned": {
                "cards": self.returned_cards,
                "reviews": self.returned_answers,
                "unknown": self.returned_unknown,
            },
            "suspended": self.suspended,
        }
