"""DEPENDENCIES.md lists every declared package, and each listed use is real."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!\[; ]", requirement, maxsplit=1)[0].lower()


def declared(pyproject: dict) -> set[str]:
    project = pyproject["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra}
    return names


def audit_rows(text: str) -> dict[str, tuple[str, str]]:
    """package -> (file, text that must occur in it), from the tables of DEPENDENCIES.md."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("package", "---") and not set(cells[0]) <= {"-"}:
            rows[cells[0].lower()] = (cells[2].strip("`"), cells[3][1:-1])
    return rows


def problems(pyproject: dict, audit: str, root: Path) -> list[str]:
    rows = audit_rows(audit)
    found = [
        f"{n} is declared in pyproject.toml but not in DEPENDENCIES.md"
        for n in declared(pyproject) - set(rows)
    ]
    found += [f"{n} is in DEPENDENCIES.md but not declared" for n in set(rows) - declared(pyproject)]
    for name, (file, needle) in rows.items():
        path = root / file
        if not path.is_file():
            found.append(f"{name}: {file} does not exist")
        elif needle not in path.read_text(encoding="utf-8"):
            found.append(f"{name}: {file} does not contain {needle!r}")
    return sorted(found)


def test_the_audit_matches_pyproject_and_the_code():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert problems(pyproject, (ROOT / "DEPENDENCIES.md").read_text(encoding="utf-8"), ROOT) == []


def test_the_audit_fails_on_a_missing_row_and_a_false_use():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    audit = (ROOT / "DEPENDENCIES.md").read_text(encoding="utf-8")
    pyproject["project"]["dependencies"].append("leftpad>=1")
    broken = audit.replace(
        "| `src/smartseoul/bigdata.py` | `duckdb` |", "| `src/smartseoul/bigdata.py` | `import oracle` |"
    )
    assert problems(pyproject, broken, ROOT) == [
        "duckdb: src/smartseoul/bigdata.py does not contain 'import oracle'",
        "leftpad is declared in pyproject.toml but not in DEPENDENCIES.md",
    ]


def test_no_second_progress_library():
    declared_names = declared(tomllib.loads((ROOT / "pyproject.toml").read_text()))
    assert "tqdm" not in declared_names and "rich" in declared_names
    users = [
        p for p in (ROOT / "src").rglob("*.py") if re.search(r"^\s*(from|import) tqdm", p.read_text(), re.M)
    ]
    assert users == []
