"""Fitted parameter sets in the collection: the newest accepted one schedules; earlier ones are
kept as a record."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from ..storage.collection import Collection
from ..storage.inserted import inserted_id
from ..storage.tables import parameter_sets as parameter_table

__all__ = [
    "PARAMETER_COUNT",
    "ParameterSet",
    "active_parameter_set",
    "active_parameters",
    "parameter_sets",
    "save_parameter_set",
]

PARAMETER_COUNT = 21  # FSRS-6


@dataclass(frozen=True, slots=True)
class ParameterSet:
    id: int
    created_at: datetime
    parameters: tuple[float, ...]
    reviews: int
    log_loss_before: float | None
    log_loss_after: float | None
    rmse_before: float | None
    rmse_after: float | None
    active: bool


def _parameters(text: str) -> tuple[float, ...] | None:
    """The stored JSON list, or None if it is not 21 numbers (then the defaults schedule)."""
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != PARAMETER_COUNT:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return None
    return tuple(float(v) for v in values)


def _from_row(row) -> ParameterSet | None:
    parameters = _parameters(row.parameters)
    if parameters is None:
        return None
    return ParameterSet(
        id=row.id,
        created_at=row.created_at,
        parameters=parameters,
        reviews=row.reviews,
        log_loss_before=row.log_loss_before,
        log_loss_after=row.log_loss_after,
        rmse_before=row.rmse_before,
        rmse_after=row.rmse_after,
        active=row.active,
    )


def parameter_sets(collection: Collection) -> list[ParameterSet]:
    """Every stored set, newest first."""
    statement = select(parameter_table).order_by(
        parameter_table.c.created_at.desc(), parameter_table.c.id.desc()
    )
    with collection.read() as conn:
        found = (_from_row(row) for row in conn.execute(statement))
        return [parameter_set for parameter_set in found if parameter_set is not None]


def active_parameter_set(collection: Collection) -> ParameterSet | None:
    """The newest accepted set that is still active, if any."""
    statement = (
        select(parameter_table)
        .where(parameter_table.c.active.is_(True))
        .order_by(parameter_table.c.created_at.desc(), parameter_table.c.id.desc())
    )
    with collection.read() as conn:
        for row in conn.execute(statement):
            parameter_set = _from_row(row)
            if parameter_set is not None:
                return parameter_set
    return None


def active_parameters(collection: Collection) -> tuple[float, ...] | None:
    """The parameters to schedule with, or None for the `fsrs` package's defaults."""
    parameter_set = active_parameter_set(collection)
    return None if parameter_set is None else parameter_set.parameters


def save_parameter_set(
    collection: Collection,
    parameters: Sequence[float],
    *,
    now: datetime,
    reviews: int,
    log_loss_before: float | None = None,
    log_loss_after: float | None = None,
    rmse_before: float | None = None,
    rmse_after: float | None = None,
) -> int:
    """Store an accepted set and make it the active one; earlier sets stay, inactive."""
    if len(parameters) != PARAMETER_COUNT:
        raise ValueError(f"expected {PARAMETER_COUNT} parameters, got {len(parameters)}")
    with collection.write() as conn:
        conn.execute(
            update(parameter_table).where(parameter_table.c.active.is_(True)).values(active=False)
        )
        inserted = conn.execute(
            insert(parameter_table).values(
                created_at=now,
                parameters=json.dumps([float(w) for w in parameters]),
                reviews=reviews,
                log_loss_before=log_loss_before,
                log_loss_after=log_loss_after,
                rmse_before=rmse_before,
                rmse_after=rmse_after,
                active=True,
            )
        )
        return inserted_id(inserted)
