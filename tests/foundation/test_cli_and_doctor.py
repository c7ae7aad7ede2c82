"""The command line: --help everywhere, and a doctor that names the fix for each problem."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from smartseoul.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _command_paths(cmd, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    if hasattr(cmd, "commands"):  # a group (typer may bring its own click)
        for name, sub in cmd.commands.items():
            out += _command_paths(sub, prefix + (name,))
    return out


COMMANDS = _command_paths(typer.main.get_command(app))


def test_there_are_commands_to_check():
    names = {" ".join(p) for p in COMMANDS}
    assert {"doctor", "data generate", "data list", "data describe", "grade", "book"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "smartseoul")
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    doc = typer.main.get_command(app)
    for part in path:
        doc = doc.commands[part]
    assert (doc.help or "").strip(), f"'smartseoul {' '.join(path)}' has no help text"


def _doctor(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "doctor", "--root", str(root)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


@pytest.fixture()
def course_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "datasets", tmp_path / "datasets")
    shutil.copy(ROOT / "constraints.txt", tmp_path / "constraints.txt")
    return tmp_path


@pytest.mark.slow
def test_doctor_passes_on_a_healthy_checkout(course_copy):
    res = _doctor(course_copy)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "All checks passed" in res.stdout


@pytest.mark.slow
def test_doctor_names_the_fix_for_a_missing_dataset(course_copy):
    (course_copy / "datasets" / "weather" / "weather_daily.csv").unlink()
    res = _doctor(course_copy)
    assert res.returncode != 0
    assert "missing" in res.stdout and "smartseoul data generate --only weather" in res.stdout


@pytest.mark.slow
def test_doctor_names_the_fix_for_an_altered_dataset(course_copy):
    f = course_copy / "datasets" / "geography" / "dong_population.csv"
    f.write_bytes(f.read_bytes().replace(b"business", b"busyness", 1))
    res = _doctor(course_copy)
    assert res.returncode != 0
    assert "altered" in res.stdout and "--only geography --force" in res.stdout


def test_unknown_dataset_on_the_command_line():
    result = runner.invoke(app, ["data", "describe", "wether_daily"])
    assert result.exit_code == 2
    assert "weather_daily" in result.output


def test_doctor_checks_the_fonts_for_cyrillic_arabic_and_thai_names(monkeypatch):
    from smartseoul import doctor, plots

    assert doctor.script_fonts_status().ok
    # planted: a font that is not installed joins the chain, and the doctor names the fix
    monkeypatch.setattr(plots, "FALLBACK_FONTS", [*plots.FALLBACK_FONTS, "No Such Font Sans"])
    status = doctor.script_fonts_status()
    assert not status.ok and "No Such Font Sans" in status.detail and "make venv" in status.fix


@pytest.mark.parametrize(
    "argv, mounted",
    [
        (["smartseoul", "grade", "autograde", "m0"], ["grade"]),
        (["/venv/bin/smartseoul", "book", "build"], ["book"]),
        (["/src/smartseoul/cli.py", "hub", "--help"], ["hub"]),
        (["smartseoul", "--help"], "all"),
        (["smartseoul", "data", "list"], "all"),
        (["pytest", "-k", "grade"], "all"),  # imported by another program: everything
    ],
)
def test_the_command_imports_only_the_sub_command_it_runs(argv, mounted):
    from smartseoul.cli import SUB_APPS, sub_apps_to_mount

    assert sub_apps_to_mount(argv) == (list(SUB_APPS) if mounted == "all" else mounted)


def test_grading_starts_without_the_book_and_capstone_modules():
    """`smartseoul grade ...` starts in a fraction of a second: it does not import the book's PDF
    and audit modules or the capstone validator (0.7 s), and still has every grade command."""
    probe = (
        "import sys; sys.argv = ['smartseoul', 'grade', 'autograde', '--help']; import smartseoul.cli as c, typer; "
        "print(sorted(m for m in ('smartseoul.book', 'smartseoul.capstone', 'smartseoul.hub.cli') if m in sys.modules)); "
        "print(sorted(typer.main.get_command(c.app).commands['grade'].commands))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    loaded, grade_commands = out.splitlines()
    assert loaded == "[]", f"grading imported {loaded}"
    assert "autograde" in grade_commands and "status" in grade_commands
