"""The README's layering table and the import-linter contracts CI checks say the same thing: every
package and top-level module of `flashcards/` on the same layer in both."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def contract_layers() -> dict[str, int]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c.get("containers") == ["flashcards"]
    ]
    layers = contract["layers"]
    return {
        name.strip(): len(layers) - index
        for index, layer in enumerate(layers)
        for name in re.split(r"[|:]", layer)
    }


def readme_layers() -> dict[str, int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Development") :]
    found = {}
    for layer, names in re.findall(r"^\| (\d+) \| ([^|]+) \|", section, flags=re.MULTILINE):
        for name in re.findall(r"`([\w.]+?)(?:/|\.py)`", names):
            found[name] = int(layer)
    return found


def test_readme_table_matches_the_contracts():
    assert readme_layers() == contract_layers()


def test_every_package_and_module_has_a_layer():
    here = {
        path.stem if path.suffix == ".py" else path.name
        for path in (ROOT / "flashcards").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert here == set(contract_layers())
