"""The user's settings, read from a TOML file; every value has a sensible default."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

__all__ = [
    "Config",
    "ConfigError",
    "load_config",
    "parse_duration",
    "set_desired_retention",
    "DEFAULT_CONFIG_TEXT",
]


class ConfigError(Exception):
    pass


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h|d)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """'1m', '10m', '1h', '1d' (a learning step)."""
    match = _DURATION.match(str(text).strip())
    if not match:
        raise ValueError(f"'{text}' is not a duration like '10m', '1h' or '1d'")
    return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})


@dataclass(slots=True)
class Config:
    desired_retention: float = 0.90
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    fuzz: bool = True
    new_per_day: int = 20
    reviews_per_day: int = 200
    new_card_order: str = "interleaved"  # new cards from the decks in turn, or "deck" by deck
    rollover_hour: int = 4
    timezone: str | None = None
    learn_ahead_minutes: int = 20
    leech_lapses: int = 8
    exam_pass_threshold: float = 0.70
    exam_feedback: str = "each"  # "each" question, or only at the "end"
    backups_kept: int = 7
    path: Path | None = field(default=None, compare=False)


# TOML section -> {key: (Config attribute, validator)}
def _number(low: float, high: float, kind: type = float) -> Callable[[object], float]:
    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number from {low:g} to {high:g}")
        if kind is int and not float(value).is_integer():
            raise ValueError("must be a whole number")
        if not low <= value <= high:
            raise ValueError(f"must be from {low:g} to {high:g}")
        return kind(value)

    return check


def _steps(value: object) -> tuple[timedelta, ...]:
    if not isinstance(value, list):
        raise ValueError('must be a list like ["1m", "10m"]')
    return tuple(parse_duration(v) for v in value)


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _choice(*options: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in options:
            raise ValueError("must be one of " + ", ".join(f"'{o}'" for o in options))
        return value

    return check


def _zone(value: object) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"'{value}' is unknown (use a name like 'Europe/Berlin')") from exc
    return str(value)


_desired_retention = _number(0.5, 0.99)  # also what `set_desired_retention` accepts
Validator = Callable[[object], object]  # a TOML value in, the setting out (ValueError: refused)

_SCHEMA: dict[str, dict[str, tuple[str, Validator]]] = {
    "scheduling": {
        "desired_retention": ("desired_retention", _desired_retention),
        "learning_steps": ("learning_steps", _steps),
        "relearning_steps": ("relearning_steps", _steps),
        "maximum_interval": ("maximum_interval", _number(1, 36500, int)),
        "fuzz": ("fuzz", _boolean),
        "learn_ahead_minutes": ("learn_ahead_minutes", _number(0, 1440, int)),
        "leech_lapses": ("leech_lapses", _number(1, 1000, int)),
    },
    "limits": {
        "new_per_day": ("new_per_day", _number(0, 10_000, int)),
        "reviews_per_day": ("reviews_per_day", _number(0, 100_000, int)),
    },
    "study": {
        "new_card_order": ("new_card_order", _choice("interleaved", "deck")),
    },
    "day": {
        "rollover_hour": ("rollover_hour", _number(0, 23, int)),
        "timezone": ("timezone", _zone),
    },
    "exam": {
        "pass_threshold": ("exam_pass_threshold", _number(0.0, 1.0)),
        "feedback": ("exam_feedback", _choice("each", "end")),
    },
    "backup": {
        "keep": ("backups_kept", _number(0, 1000, int)),
    },
}

DEFAULT_CONFIG_TEXT = """\
# flashcards settings. Delete a line to go back to its default.

[scheduling]
desired_retention = 0.90        # probability of recall FSRS aims for when a card is due
learning_steps = ["1m", "10m"]  # steps of a new card before it graduates
relearning_steps = ["10m"]      # steps after a lapse
maximum_interval = 36500        # days
fuzz = true                     # spread due dates a little so cards do not bunch up
learn_ahead_minutes = 20        # when nothing else is left, show learning cards due this soon
leech_lapses = 8                # lapses that make a card a leech (it is then suspended)

[limits]
new_per_day = 20
reviews_per_day = 200

[study]
new_card_order = "interleaved"  # new cards from the decks in turn; "deck": deck by deck

[day]
rollover_hour = 4               # a new study day starts at this local hour
# timezone = "Europe/Berlin"    # default: the system's timezone

[exam]
pass_threshold = 0.70
feedback = "each"               # "each" question, or only at the "end"

[backup]
keep = 7                        # daily backups kept
"""


def _line_of(text: str, section: str, key: str) -> int:
    in_section = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped.split("#", 1)[0].strip().strip("[] ") == section
            if in_section and not key:
                return number
        elif in_section and stripped.split("=", 1)[0].strip() == key:
            return number
    return 1


def load_config(path: Path, *, required: bool = False) -> Config:
    """Read the config file. A missing file means defaults, unless it was named explicitly
    (`required`: --config or FLASHCARDS_CONFIG). Raises ConfigError with every problem found,
    one `path:line: message` a line."""
    config = Config(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        if required:
            raise ConfigError(
                f"{path}: no such config file. Check the path, or leave --config and "
                "FLASHCARDS_CONFIG out to use the default one."
            ) from exc
        return config
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        line = match.group(1) if match else "1"
        raise ConfigError(f"{path}:{line}: {str(exc).split(' (at line')[0]}") from exc
    problems: list[tuple[int, str]] = []
    for section, values in data.items():
        schema = _SCHEMA.get(section)
        if schema is None:
            problems.append((_line_of(text, section, ""), f"unknown section [{section}]"))
            continue
        if not isinstance(values, dict):
            problems.append((1, f"[{section}] must be a table"))
            continue
        for key, value in values.items():
            line = _line_of(text, section, key)
            if key not in schema:
                known = ", ".join(schema)
                problems.append((line, f"unknown setting '{key}' in [{section}] ({known})"))
                continue
            attribute, check = schema[key]
            try:
                setattr(config, attribute, check(value))
            except ValueError as exc:
                problems.append((line, f"{key} {exc}"))
    if problems:
        raise ConfigError("\n".join(f"{path}:{line}: {message}" for line, message in problems))
    return config


_RETENTION_LINE = re.compile(r"^(\s*desired_retention\s*=\s*)([^\s#]+)(.*)$")


def set_desired_retention(path: Path, value: float) -> None:
    """Write `[scheduling] desired_retention` into the config file, leaving every other line as
    it is; a missing file is created from DEFAULT_CONFIG_TEXT first."""
    value = _desired_retention(value)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = DEFAULT_CONFIG_TEXT
    new_value = f"{value:.2f}" if round(value, 2) == value else repr(value)
    lines = text.splitlines(keepends=True)
    section: str | None = None
    header: int | None = None
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.split("#", 1)[0].strip().strip("[] ")
            if section == "scheduling":
                header = number
            continue
        match = _RETENTION_LINE.match(line.rstrip("\r\n"))
        if section == "scheduling" and match:
            ending = line[len(line.rstrip("\r\n")) :]
            lines[number] = match.group(1) + new_value + match.group(3) + ending
            break
    else:
        entry = f"desired_retention = {new_value}\n"
        if header is None:
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            lines.append(("\n" if lines else "") + "[scheduling]\n" + entry)
        else:
            lines.insert(header + 1, entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("".join(lines), encoding="utf-8")
    temporary.replace(path)
