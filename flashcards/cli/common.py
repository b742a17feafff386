"""What every command shares: the global options, failing with a message, opening the workspace.
`main` and `optimize` both import it, so neither imports the other's helpers."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["Options", "fail", "open_workspace", "require_collection"]


@dataclass
class Options:
    database: str
    config_file: Path
    database_source: str = ""  # "--db", "FLASHCARDS_DB", or "" for the default location
    config_required: bool = False  # named by --config or FLASHCARDS_CONFIG: it must exist
    create: bool = False  # --create: a new collection may be made at an explicit path


def fail(message: str, code: int = 1) -> NoReturn:
    from ..terminal_text import inert

    click.echo(inert(message), err=True)
    sys.exit(code)


def require_collection(options: Options, *, writes: bool = False) -> bool:
    """Stop, naming the path, when the collection does not exist and may not be created here
    (see `missing_collection`); returns whether a new one will be created."""
    from ..locations import DatabaseChoice, missing_collection

    choice = DatabaseChoice(options.database, options.database_source)
    problem = missing_collection(choice, writes=writes, create=options.create)
    if problem:
        fail(f"flashcards: {problem}")
    return choice.file is not None and not choice.file.exists()


def open_workspace(options: Options, *, seed: bool = True, writes: bool = False) -> Workspace:
    from ..clock import clock_from_env
    from ..config import ConfigError
    from ..storage import CollectionError
    from ..workspace import Workspace

    created = require_collection(options, writes=writes)
    try:
        workspace = Workspace.open(
            options.database,
            options.config_file,
            clock_from_env(),
            seed=seed,
            config_required=options.config_required,
        )
    except (CollectionError, ConfigError, ValueError) as exc:
        fail(f"flashcards: {exc}")
    workspace.created = created
    if created and options.database_source:
        click.echo(f"flashcards: created a new collection at {options.database}", err=True)
    for warning in workspace.warnings:
        click.echo(f"flashcards: {warning}", err=True)
    return workspace
