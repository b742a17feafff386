"""Everything a command or a screen needs: the collection, the settings, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from .builtin import sync_builtin_decks, sync_problem
from .clock import Clock, SystemClock, local_zone
from .config import Config, load_config
from .optimizer.store import active_parameters
from .scheduling.days import StudyDay, study_day
from .scheduling.queue import DeckInfo, Overview, deck_infos, overview
from .storage import Collection, CollectionError
from .study.decks import UnknownDeck, names_deck
from .study.session import ReviewSession

if TYPE_CHECKING:  # imported where used: not every command needs exams or backups
    from .storage.backup import Backup
    from .study.exam import ExamSession, ExamSpec

__all__ = ["UnknownDeck", "Workspace"]


def _existing_file(database: str) -> bool:
    from .storage.database import database_url

    url = database_url(database)
    return url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).is_file()


def _daily_backup(
    collection: Collection, config: Config, clock: Clock, zone: tzinfo, warnings: list[str]
) -> None:
    """Back the collection up once a study day. A damaged collection stops here, with the way
    to restore it; a backup that cannot be written is only a warning."""
    from .storage.backup import BackupError, backup_if_due, check_integrity

    path = collection.sqlite_path
    if path is None:
        return

    def same_day(a: datetime, b: datetime) -> bool:
        rollover = config.rollover_hour
        return study_day(a, zone, rollover).date == study_day(b, zone, rollover).date

    try:
        backup_if_due(path, clock.now(), same_day, config.backups_kept)
    except BackupError as exc:
        if check_integrity(path, quick=True):
            raise CollectionError(str(exc)) from exc
        warnings.append(f"No backup today: {exc}")


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
        config_required: bool = False,
    ) -> Workspace:
        """Open (creating if needed) the collection; seed or update the built-in decks. With
        `config_required`, a config file that does not exist is an error."""
        config = load_config(config_file, required=config_required)
        clock = clock or SystemClock()
        existed = _existing_file(database)
        collection = Collection(database)
        warnings: list[str] = []
        try:
            if existed:  # a collection created just now has nothing to back up
                _daily_backup(collection, config, clock, local_zone(config.timezone), warnings)
        except BaseException:
            collection.close()
            raise
        if seed:
            problem = sync_problem(sync_builtin_decks(collection, clock.now()))
            if problem is not None:
                warnings.append(problem)
        zone = local_zone(config.timezone)
        workspace = cls(collection, config, clock, zone, active_parameters(collection))
        workspace.warnings = warnings
        return workspace

    warnings: list[str] = field(default_factory=list)  # for the person, shown once
    created: bool = False  # the collection file did not exist before this open

    def today(self) -> StudyDay:
        return study_day(self.clock.now(), self.zone, self.config.rollover_hour)

    def decks(self, *, hidden: bool = False) -> list[DeckInfo]:
        """The decks with cards in use; hidden ones only when asked for."""
        from .study.decks import hidden_deck_keys

        with self.collection.read() as conn:
            infos = deck_infos(conn, self.config)
            left_out = set() if hidden else hidden_deck_keys(conn)
        return [d for d in infos if d.key not in left_out]

    def visible(self, deck_ids: list[int] | None) -> list[int] | None:
        """`deck_ids` as given; for "all decks" (None), the decks not hidden (still None when
        none is hidden)."""
        from .study.decks import hidden_deck_keys

        if deck_ids is not None:
            return deck_ids
        with self.collection.read() as conn:
            if not hidden_deck_keys(conn):
                return None
        return [d.id for d in self.decks()]

    def deck_ids(self, names: list[str] | tuple[str, ...]) -> list[int] | None:
        """Deck ids for names (case-insensitive, or a file stem); None when no names are given."""
        if not names:
            return None
        infos = self.decks(hidden=True)  # a hidden deck can still be named
        ids: list[int] = []
        for name in names:
            found = [d.id for d in infos if names_deck(name, d.name, d.file)]
            if not found:
                known = ", ".join(d.name for d in infos) or "none"
                raise UnknownDeck(f"no deck named '{name}'. Known decks: {known}")
            ids.extend(found)
        return ids

    def overview(self, deck_ids: list[int] | None = None) -> Overview:
        deck_ids = self.visible(deck_ids)
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
            self.visible(deck_ids),
            ahead=ahead,
            parameters=self.parameters,
        )

    def new_exam(self, spec: ExamSpec) -> tuple[ExamSession, str | None]:
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
        if spec.deck_ids is None:
            spec = replace(spec, deck_ids=self.visible(None))
        self.parameters = active_parameters(self.collection)
        questions, eligible, seed = draw_exam(
            self.collection, self.config, spec, self.clock.now(), self.parameters
        )
        note = None
        if eligible < spec.count:
            plural = "s" * (eligible != 1)
            note = f"Only {eligible} card{plural} match: the exam has {eligible} question{plural}."
        names = sorted({q.card.deck_name for q in questions})
        session = ExamSession(
            self.collection, self.config, self.clock, questions, spec, seed, names
        )
        return session, note

    def transcripts_dir(self) -> Path:
        from .locations import transcripts_dir

        return transcripts_dir()

    def hide_deck(self, deck_id: int, hidden: bool = True) -> str:
        """Hide a deck (or show it again); returns what was done, for the person."""
        from .study.decks import deck_by_id, set_hidden

        deck = deck_by_id(self.collection, deck_id)
        set_hidden(self.collection, deck, hidden)
        return f"{'Hidden' if hidden else 'Shown again'}: {deck.name}."

    @property
    def makes_backups(self) -> bool:
        """Whether flashcards backs this collection up (a SQLite file); a PostgreSQL server's
        are its administrator's (storage.backup.SERVER_BACKUPS)."""
        return self.collection.sqlite_path is not None

    def remove_deck(self, deck_id: int) -> Backup | None:
        """Remove a deck after a backup that keeps its history (`-before-remove-`); returns
        the backup (None on a PostgreSQL server, whose backups are the server's). Raises
        BackupError when the backup cannot be made: then nothing is removed."""
        from .storage.backup import make_backup
        from .study.decks import deck_by_id, remove_deck

        path = self.collection.sqlite_path
        deck = deck_by_id(self.collection, deck_id)
        now, keep = self.clock.now(), self.config.backups_kept
        if path is None:
            return remove_deck(self.collection, deck, lambda: None)
        return remove_deck(
            self.collection, deck, lambda: make_backup(path, now, keep, before="remove")
        )

    def reimport(self, file: str) -> list[str]:
        """Import one deck file again (after it was edited); return its problems, if any."""
        from .deck_import import import_paths

        outcome = import_paths(self.collection, [file], self.clock.now())
        return [str(error) for error in outcome.errors]

    def close(self) -> None:
        self.collection.close()
