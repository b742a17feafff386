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
        return list(self.plan.files)

    @property
    def converted(self) -> list[ConvertedFile]:
        return self.plan.converted

    @property
    def schedules(self) -> int:
        return sum(item.schedules for item in self.plan.converted)

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
        if self.schedules:
            lines.append(
                f"{self.schedules} review schedule{'s' * (self.schedules != 1)} (<!--SR:...--> "
                "comments) not carried over: those cards start as new cards"
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
            "schedules_not_carried_over": self.schedules,
        }
