"""The optional YAML front matter at the top of a deck file."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FrontMatter", "split_front_matter"]

# Per-deck settings a deck may carry, with their type and allowed range.
_SETTINGS: dict[str, tuple[type, float, float]] = {
    "desired_retention": (float, 0.5, 0.99),
    "new_per_day": (int, 0, 10_000),
    "reviews_per_day": (int, 0, 100_000),
}


@dataclass(slots=True)
class FrontMatter:
    title: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    settings: dict[str, float | int] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # keys other than the above
    key_lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based line
    body_start: int = 0  # 0-based index of the first line after the front matter
    errors: list[tuple[int, str]] = field(default_factory=list)  # (1-based line, message)


def split_front_matter(lines: list[str]) -> FrontMatter:
    """Read front matter delimited by `---` lines at the very top; other keys are ignored."""
    result = FrontMatter()
    if not lines or lines[0].rstrip() != "---":
        return result
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        result.errors.append((1, "front matter is not closed: add a line '---' after it"))
        result.body_start = len(lines)
        return result
    result.body_start = end + 1
    source = "\n".join(lines[1:end])
    if not source.strip():
        return result

    import yaml  # only decks with front matter pay for the import

    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        result.errors.append((line, f"front matter: {problem}"))
        return result
    if not isinstance(data, dict):
        result.errors.append((2, "front matter must be a mapping of 'key: value' lines"))
        return result
    result.key_lines = _key_lines(lines[1:end])
    _read_fields(data, result, result.key_lines)
    known = {"title", "description", "tags", *_SETTINGS}
    result.extra = {str(k): v for k, v in data.items() if k not in known}
    return result


def _key_lines(lines: list[str]) -> dict[str, int]:
    """Map each top-level key to its 1-based line in the file, for error messages."""
    found: dict[str, int] = {}
    for offset, line in enumerate(lines):
        if line and not line[0].isspace() and ":" in line:
            found.setdefault(line.split(":", 1)[0].strip(), offset + 2)
    return found


def _read_fields(data: dict, result: FrontMatter, key_lines: dict[str, int]) -> None:
    def error(key: str, message: str) -> None:
        result.errors.append((key_lines.get(key, 2), f"front matter '{key}': {message}"))

    title = data.get("title")
    if title is not None:
        if isinstance(title, str | int | float) and str(title).strip():
            result.title = str(title).strip()
        else:
            error("title", "must be a non-empty text")
    description = data.get("description")
    if description is not None:
        if isinstance(description, str):
            result.description = description.strip()
        else:
            error("description", "must be a text")
    tags = data.get("tags")
    if tags is not None:
        if isinstance(tags, str):
            tags = [t for t in tags.replace(",", " ").split() if t]
        if isinstance(tags, list) and all(isinstance(t, str | int) for t in tags):
            result.tags = tuple(dict.fromkeys(str(t).strip() for t in tags if str(t).strip()))
        else:
            error("tags", "must be a list of words, like [imbalance, metrics]")
    for key, (kind, low, high) in _SETTINGS.items():
        if key not in data:
            continue
        value = data[key]
        valid_type = isinstance(value, int | float) and not isinstance(value, bool)
        if kind is int and valid_type and float(value).is_integer():
            value = int(value)
        elif kind is int:
            valid_type = False
        if not valid_type or not low <= value <= high:
            error(key, f"must be a number from {low:g} to {high:g}")
            continue
        result.settings[key] = kind(value)
