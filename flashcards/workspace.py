"""Everything a command or a screen needs: the collection, the settings, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from .builtin import sync_builtin_decks
from .clock import Clock, SystemClock, local_zone
from .config import Config, load_config
from .optimizer.store import active_parameters
from .scheduling.days import StudyDay, study_day
from .scheduling.queue import DeckInfo, Overview, deck_infos, overview
from .storage import Collection
from .study.session import ReviewSession

__all__ = ["UnknownDeck", "Workspace"]


class UnknownDeck(Exception):
    """A deck name that matches no deck; the message lists the known ones."""


@dataclass
class Workspace:
    collection: Collection
    config: Config
    clock: Clock
    zone: tzinfo
    parameters: tuple[float, ...] | None = None  # fitted FSRS parameters; None: the defaults

    @classmethod
    def open(
        cls,
        database: str,
        config_file: Path,
        clock: Clock | None = None,
        *,
        seed: bool = True,
    ) -> Workspace:
        """Open (creating if needed) the collection; seed or update the built-in decks."""
        config = load_config(config_file)
        clock = clock or SystemClock()
        collection = Collection(database)
        if seed:
            sync_builtin_decks(collection, clock.now())
        zone = local_zone(config.timezone)
        return cls(collection, config, clock, zone, active_parameters(collection))

    def today(self) -> StudyDay:
        return study_day(self.clock.now(), self.zone, self.config.rollover_hour)

    def decks(self) -> list[DeckInfo]:
        with self.collection.read() as conn:
            return deck_infos(conn, self.config)

    def deck_ids(self, names: list[str] | tuple[str, ...]) -> list[int] | None:
        """Deck ids for names (case-insensitive, or a file stem); None when no names are given."""
        if not names:
            return None
        infos = self.decks()
        ids: list[int] = []
        for name in names:
            wanted = name.casefold()
            found = [
                d.id
                for d in infos
                if d.name.casefold() == wanted or Path(d.file).stem.casefold() == wanted
            ]
            if not found:
                known = ", ".join(d.name for d in infos) or "none"
                raise UnknownDeck(f"no deck named '{name}'. Known decks: {known}")
            ids.extend(found)
        return ids

    def overview(self, deck_ids: list[int] | None = None) -> Overview:
        with self.collection.read() as conn:
            return overview(conn, self.config, self.today(), self.clock.now(), deck_ids)

    def review_session(
        self, deck_ids: list[int] | None = None, *, ahead: bool = False
    ) -> ReviewSession:
        # Read again: parameters accepted (by `flashcards optimize`) since opening apply now.
        self.parameters = active_parameters(self.collection)
        return ReviewSession(
            self.collection,
            self.config,
            self.clock,
            self.zone,
            deck_ids,
            ahead=ahead,
            parameters=self.parameters,
        )

    def new_exam(self, spec) -> tuple[object, str | None]:
        """Draw an exam (`ExamSpec`); returns the session and a note when fewer cards exist
        than were asked for. Raises ExamError for unknown tags or nothing to ask."""
        from .study.exam import ExamError, ExamSession, draw_exam, known_tags

        if spec.tags:
            known = known_tags(self.collection)
            folded = {tag.casefold() for tag in known}
            unknown = [tag for tag in spec.tags if tag.casefold() not in folded]
            if unknown:
                raise ExamError(
                    f"no tag named '{unknown[0]}'. Known tags: {', '.join(known) or 'none'}"
                )
        questions, eligible, seed = draw_exam(self.collection, self.config, spec, self.clock.now())
        note = None
        if eligible < spec.count:
            plural = "s" * (eligible != 1)
            note = f"Only {eligible} card{plural} match: the exam has {eligible} question{plural}."
        names = sorted({q.card.deck_name for q in questions})
        session = ExamSession(
            self.collection, self.config, self.clock, questions, spec, seed, names
        )
        return session, note

    def reimport(self, file: str) -> list[str]:
        """Import one deck file again (after it was edited); return its problems, if any."""
        from .deck import load_paths
        from .storage import ImportConflict, import_decks

        loaded = load_paths([file])
        if loaded.errors:
            return [str(error) for error in loaded.errors]
        try:
            import_decks(self.collection, loaded.decks, self.clock.now())
        except ImportConflict as conflict:
            return [str(error) for error in conflict.errors]
        return []

    def close(self) -> None:
        self.collection.close()
