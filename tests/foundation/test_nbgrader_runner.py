"""One nbgrader runner: its failures carry nbgrader's own words, and no other module of the
package starts nbgrader itself."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from smartseoul.nbgrader_runner import NbgraderFailed, course_environ, run_nbgrader

ROOT = Path(__file__).resolve().parents[2]
SPAWNS_NBGRADER = re.compile(r"""["']-m["'],\s*["']nbgrader["']""")


def test_a_failure_names_the_command_and_ends_with_nbgraders_output(tmp_path):
    with pytest.raises(NbgraderFailed) as caught:
        run_nbgrader(["generate_assignment", "no-such-assignment"], cwd=tmp_path, timeout=120)
    text = str(caught.value)
    assert text.startswith("`nbgrader generate_assignment no-such-assignment` failed (exit 1)")
    assert len(text.splitlines()) > 1, "the end of nbgrader's output is missing"


def test_the_course_environment_puts_its_own_bin_first():
    env = course_environ({"EXTRA": "1"})
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)
    assert env["EXTRA"] == "1" and env["PYTHONHASHSEED"]


def spawners(package: Path) -> list[str]:
    return sorted(
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if p.name != "nbgrader_runner.py" and SPAWNS_NBGRADER.search(p.read_text(encoding="utf-8"))
    )


def test_no_other_module_starts_nbgrader(tmp_path):
    assert spawners(ROOT / "src" / "smartseoul") == []
    (tmp_path / "nbgrader_runner.py").write_text('cmd = [sys.executable, "-m", "nbgrader"]\n')
    (tmp_path / "student.py").write_text('subprocess.run([sys.executable, "-m", "nbgrader", "x"])\n')
    assert spawners(tmp_path) == ["student.py"]
