"""The style toolchain: `make lint` runs ruff and mypy with the project's settings, the pre-commit
hooks run the same commands, and each tool really fails on a planted fault."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*cmd: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


def _lint_recipe() -> list[str]:
    """The commands under the Makefile's `lint:` target, without the venv prefix."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("lint:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip().replace("$(VENV)/bin/", ""))
    return recipe


def test_make_test_runs_lint_first():
    test_line = next(
        line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("test:")
    )
    assert re.search(r"\blint\b", test_line.split("##")[0]), test_line
    assert _lint_recipe() == ["ruff check .", "ruff format --check .", "mypy"]


def test_pre_commit_hooks_run_the_same_commands_as_make_lint():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    entries = [h["entry"].replace(".venv/bin/", "") for repo in config["repos"] for h in repo["hooks"]]
    as_make = [e.replace(" --force-exclude", "") for e in entries]
    # pre-commit passes file names; make passes "." (mypy reads its files from pyproject either way)
    assert as_make == [c.replace(" .", "") for c in _lint_recipe()]
    result = _run(str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_tool_fails_on_a_planted_fault(tmp_path):
    """Copy the settings next to planted faults: each tool must reject its own."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    pkg = tmp_path / "src" / "smartseoul"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "lint_fault.py").write_text("import os\n")  # unused import
    (pkg / "format_fault.py").write_text("x = {  'a':1 }\n")  # not formatted
    (pkg / "type_fault.py").write_text('def f() -> int:\n    return "text"\n')  # wrong return type
    checked = _run(str(BIN / "ruff"), "check", ".", cwd=tmp_path)
    assert checked.returncode == 1 and "F401" in checked.stdout, checked.stdout
    formatted = _run(str(BIN / "ruff"), "format", "--check", ".", cwd=tmp_path)
    assert formatted.returncode == 1 and "format_fault.py" in formatted.stdout, formatted.stdout
    typed = _run(str(BIN / "mypy"), cwd=tmp_path)
    assert typed.returncode == 1 and "type_fault.py" in typed.stdout, typed.stdout


def test_the_makefile_calls_only_the_cli():
    """Every course step in the Makefile goes through `smartseoul ...` (pip and pytest aside)."""
    recipes = [line.strip() for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("\t")]
    direct = [r for r in recipes if re.search(r"-m smartseoul|python\S* \S*src/", r)]
    assert direct == [], direct
    assert any(r.endswith("/smartseoul lab") for r in recipes)


def test_loadgroup_keeps_a_group_on_one_worker(tmp_path):
    """`make test` relies on `--dist loadgroup` to build the book once, on one worker. A pytest or
    pytest-xdist that stops honouring `xdist_group` (as pytest 9.2 did) would build it twice."""
    out = tmp_path / "workers"
    out.mkdir()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_grouped.py").write_text(
        "import os, pathlib, pytest\n"
        "pytestmark = pytest.mark.xdist_group('together')\n"
        "@pytest.mark.parametrize('i', range(6))\n"
        "def test_one(i):\n"
        "    out = pathlib.Path(os.environ['GROUP_OUT'])\n"
        "    (out / f'test-{i}').write_text(os.environ['PYTEST_XDIST_WORKER'])\n"
    )
    (tmp_path / "test_free.py").write_text(
        "import pytest\n@pytest.mark.parametrize('i', range(6))\ndef test_two(i):\n    pass\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-p",
            "no:cacheprovider",
            "-c",
            str(tmp_path / "pytest.ini"),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "GROUP_OUT": str(out)},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    workers = {p.read_text() for p in out.iterdir()}
    assert len(list(out.iterdir())) == 6, run.stdout
    assert len(workers) == 1, f"one xdist_group ran on {sorted(workers)}: loadgroup is not honoured"
