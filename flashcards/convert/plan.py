"""Turn the inputs of `flashcards import` into deck files to write: detect each input's
format, convert it, render the decks and check them, all in memory. Nothing is written here:
the caller writes the files only when every input converted cleanly."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..deck.loader import MAX_DECK_BYTES
from ..deck.model import DeckError
from . import detect_format, source_suffixes
from .anki_text import convert_anki_text
from .delimited import convert_delimited
from .hashcards import convert_hashcards
from .model import Conversion, ConvertedDeck, PastReview, Schedule, Skip
from .obsidian import convert_obsidian
from .writer import MARK, render_deck

__all__ = ["ConvertedFile", "ImportPlan", "plan_import"]


@dataclass(slots=True)
class ConvertedFile:
    source: str
    path: Path
    title: str
    basic: int
    cloze: int
    schedules: int


@dataclass(slots=True)
class ImportPlan:
    markdown: list[str] = field(default_factory=list)  # our own decks: imported as they are
    files: dict[Path, str | bytes] = field(default_factory=dict)  # decks (text), media (bytes)
    converted: list[ConvertedFile] = field(default_factory=list)
    errors: list[DeckError] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    warnings: list[Skip] = field(default_factory=list)
    schedules: dict[str, Schedule] = field(default_factory=dict)  # by card id, once imported
    suspended: set[str] = field(default_factory=set)  # ids of cards the source had suspended
    histories: dict[str, tuple[PastReview, ...]] = field(default_factory=dict)  # by card id
    # Answers given in Anki to our own exported cards, by the card's uid (see anki_export).
    returned: dict[str, tuple[PastReview, ...]] = field(default_factory=dict)


def _read(path: Path, shown: str, errors: list[DeckError]) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.append(DeckError(shown, 0, f"cannot read: {exc.strerror}"))
        return None
    if len(data) > MAX_DECK_BYTES:
        errors.append(DeckError(shown, 0, "file is over 10 MB"))
        return None
    if b"\x00" in data:
        errors.append(DeckError(shown, 0, "binary file, not text"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.append(DeckError(shown, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x})"))
        return None


def _files_of(folder: Path, fmt: str) -> Iterable[Path]:
    suffixes = source_suffixes(fmt)
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.lower().endswith(suffixes) and not name.startswith("."):
                yield Path(root, name)


def _convert_one(
    fmt: str,
    text: str,
    shown: str,
    name: str,
    suffix: str,
    *,
    columns: list[str] | None,
    cloze_syntaxes: frozenset[str],
    in_folder: bool,
) -> Conversion:
    if fmt == "obsidian":
        return convert_obsidian(
            text, shown, name, cloze_syntaxes=cloze_syntaxes, require_tag=in_folder
        )
    if fmt == "hashcards":
        return convert_hashcards(text, shown, name)
    if fmt == "csv":
        return convert_delimited(text, shown, name, suffix, columns)
    return convert_anki_text(text, shown, name)


def plan_import(
    paths: list[str],
    *,
    fmt: str | None,
    out_dir: Path | None,
    default_root: Path,
    columns: list[str] | None = None,
    cloze_syntaxes: frozenset[str] = frozenset({"highlight"}),
) -> ImportPlan:
    """Convert every input that is not already our Markdown. Each input's decks go to
    `out_dir`, or to `default_root/<input's name>/`."""
    plan = ImportPlan()
    conversion = Conversion()
    targets: dict[Path, str] = {}  # output -> the input converted into it
    pairs: list[tuple[ConvertedDeck, Path]] = []
    sources: set[Path] = set()
    for given in paths:
        path = Path(given)
        chosen = fmt or detect_format(path)
        if chosen == "markdown":
            plan.markdown.append(given)  # read, and any problem reported, by the import
            continue
        if not path.exists():
            plan.errors.append(DeckError(given, 0, "no such file or folder"))
            continue
        base = out_dir if out_dir is not None else default_root / path.stem
        members = list(_files_of(path, chosen)) if path.is_dir() else [path]
        for member in members:
            shown = str(member)
            sources.add(member.resolve())
            relative = member.relative_to(path) if path.is_dir() else Path(member.name)
            name = relative.with_suffix("").as_posix()
            if chosen == "anki":
                from .anki_package import convert_anki_package

                part = convert_anki_package(member, shown, name)
            else:
                text = _read(member, shown, plan.errors)
                if text is None:
                    continue
                part = _convert_one(
                    chosen,
                    text,
                    shown,
                    name,
                    member.suffix.lower(),
                    columns=columns,
                    cloze_syntaxes=cloze_syntaxes,
                    in_folder=path.is_dir(),
                )
            conversion.extend(part)
            for deck in part.decks:
                output = (base / (deck.name + ".md")).resolve()
                if output in targets:
                    plan.errors.append(
                        DeckError(shown, 0, f"converts to {output}, as does {targets[output]}")
                    )
                targets[output] = shown
                pairs.append((deck, output))
    _drop_repeats(conversion)
    plan.errors.extend(conversion.errors)
    plan.skipped = conversion.skipped
    plan.warnings = conversion.warnings
    plan.returned = conversion.returned
    for deck, output in pairs:
        if not deck.cards:
            plan.skipped.append(Skip(deck.source, 0, "no cards found"))
            continue
        if output in sources:
            plan.errors.append(
                DeckError(deck.source, 0, f"would overwrite an input ({output}): choose --to")
            )
            continue
        if output.exists() and not _ours(output):
            plan.errors.append(
                DeckError(
                    deck.source,
                    0,
                    f"{output} exists and was not written by `flashcards import`: "
                    "choose another --to",
                )
            )
            continue
        rendered = render_deck(deck)
        plan.errors.extend(rendered.errors)
        plan.files[output] = rendered.text
        plan.schedules.update(rendered.schedules)
        plan.suspended |= rendered.suspended
        plan.histories.update(rendered.histories)
        _add_media(plan, deck, output)
        plan.converted.append(
            ConvertedFile(
                source=deck.source,
                path=output,
                title=deck.title,
                basic=rendered.basic,
                cloze=rendered.cloze,
                schedules=sum(len(card.schedules) for card in deck.cards),
            )
        )
    plan.errors.sort(key=lambda e: (e.path, e.line))
    return plan


def _add_media(plan: ImportPlan, deck: ConvertedDeck, output: Path) -> None:
    """Media files go beside the deck; one already there is replaced only by the same bytes."""
    for file_name, data in sorted(deck.media.items()):
        target = output.parent / file_name
        earlier = plan.files.get(target)
        if (earlier is not None and earlier != data) or (
            earlier is None and target.exists() and target.read_bytes() != data
        ):
            plan.errors.append(
                DeckError(deck.source, 0, f"media file {target} exists with other content")
            )
            continue
        plan.files[target] = data


def _ours(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return MARK.encode() in handle.read(2048)
    except OSError:
        return False


def _drop_repeats(conversion: Conversion) -> None:
    """A card that appears twice (the same id, so the same text or the same Anki note) is
    kept once: two cards cannot share one history."""
    first: dict[str, tuple[str, int]] = {}
    for deck in conversion.decks:
        kept = []
        for card in deck.cards:
            seen = first.get(card.card_id)
            if seen is not None:
                conversion.skipped.append(
                    Skip(deck.source, card.line, f"the same card as {seen[0]}:{seen[1]}")
                )
                continue
            first[card.card_id] = (deck.source, card.line)
            kept.append(card)
        deck.cards = kept
