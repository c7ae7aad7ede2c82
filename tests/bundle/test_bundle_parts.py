"""The parts of the offline bundle, without the registry: which packages each target gets, the
checksums, the scripts, and what happens when a wheel is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from smartseoul.bundle import archive, build, closure, targets, wheelhouse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def packages_for():
    pins = closure.read_pins(ROOT / "constraints.txt")
    requirements = closure.course_requirements(ROOT / "pyproject.toml")

    def resolve(platform: str, python: str = "3.12") -> closure.Closure:
        return closure.closure(targets.parse_targets(platform, python)[0], requirements, pins)

    return resolve


def test_each_platform_gets_the_packages_its_markers_ask_for(packages_for):
    windows, linux, mac = (
        packages_for("windows-amd64"),
        packages_for("linux-x86_64"),
        packages_for("macos-arm64"),
    )
    assert {"colorama", "pywinpty"} <= windows.unpinned  # Windows-only, so not pinned on Linux
    assert "pexpect" not in windows.pinned and "pexpect" in linux.pinned  # `sys_platform != "win32"`
    assert "appnope" in mac.unpinned and "appnope" not in linux.unpinned | set(linux.pinned)
    assert linux.pinned["numpy"] == closure.read_pins(ROOT / "constraints.txt")["numpy"]


def test_the_bundle_carries_the_course_not_the_developer_tools(packages_for):
    linux = packages_for("linux-x86_64", "3.11")
    assert {"jupyterlab", "pandas", "geopandas", "nbclient", "ipykernel"} <= set(linux.pinned)
    assert not {"pytest", "ruff", "mypy", "playwright", "pre-commit"} & set(linux.pinned)


def test_a_pin_that_differs_from_the_environment_names_the_fix(packages_for):
    pins = closure.read_pins(ROOT / "constraints.txt") | {"numpy": "0.0.1"}
    with pytest.raises(closure.ClosureError, match=r"numpy .* pins 0\.0\.1: run `make venv`"):
        closure.closure(targets.parse_targets("linux-x86_64", "3.11")[0], ["numpy"], pins)


def test_unknown_platforms_and_pythons_name_the_choices():
    with pytest.raises(targets.UnknownPlatform, match="linux-x86_64, linux-aarch64, windows-amd64"):
        targets.parse_targets("beos", "3.12")
    with pytest.raises(targets.UnknownPlatform, match=r"Python 3\.9 .* use 3\.11 or 3\.12"):
        targets.parse_targets("default", "3.9")
    assert len(targets.parse_targets("default", "3.11,3.12")) == 8
    assert [t.name for t in targets.parse_targets("current", "current")] == [
        f"{targets.current_platform().name}-py{targets.current_python()}"
    ]


def _tiny_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal pure-Python wheel, enough for `pip download`."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        zf.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        zf.writestr(f"{info}/RECORD", "")
    return path


def test_a_package_without_a_wheel_is_listed_and_the_rest_is_fetched(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    _tiny_wheel(index, "alpha", "1.0")
    _tiny_wheel(index, "gamma", "2.0")
    target = targets.parse_targets("windows-amd64", "3.12")[0]
    dest = tmp_path / "cache" / target.name
    dest.mkdir(parents=True)
    base = wheelhouse.pip_download_command(target, dest, offline=False) + [
        "--no-index",
        "--find-links",
        str(index),
    ]
    missing: list[str] = []
    wheels = wheelhouse.download_dropping_missing(
        base, ["alpha==1.0", "beta==1.0", "gamma==2.0"], ["--no-deps"], missing, offline=False
    )
    assert sorted(w.name for w in wheels) == ["alpha-1.0-py3-none-any.whl", "gamma-2.0-py3-none-any.whl"]
    assert missing == ["beta"]
    assert all(w.is_file() for w in wheels)


def test_no_registry_stops_with_the_fix_instead_of_listing_everything_as_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    target = targets.parse_targets("windows-amd64", "3.12")[0]
    base = wheelhouse.pip_download_command(target, tmp_path, offline=False)
    base += ["--index-url", "http://127.0.0.1:9/simple", "--retries", "1"]  # nothing listens there
    missing: list[str] = []
    with pytest.raises(wheelhouse.WheelhouseError, match=r"cannot reach the package registry.*connect"):
        wheelhouse.download_dropping_missing(
            base, ["alpha==1.0", "beta==1.0"], ["--no-deps"], missing, offline=False
        )
    assert missing == []


def _unpack(zip_path: Path, into: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(into)
        return into / zf.namelist()[0].split("/")[0]


def test_every_file_has_a_checksum_and_damage_is_found(tmp_path):
    notebook = tmp_path / "00a.ipynb"
    notebook.write_text('{"cells": []}', encoding="utf-8")
    texts = build.render_texts(_context())
    entries = [archive.Entry(n, data=d, executable=n.endswith(".sh")) for n, d in texts.items()]
    entries.append(archive.Entry("modules/00a.ipynb", source=notebook))
    written = archive.write_zip(tmp_path / "out" / "bundle.zip", "bundle", entries)
    assert written.files == len(entries)
    assert written.checksum_file.read_text().split()[0] == archive.file_sha256(written.archive)
    folder = _unpack(written.archive, tmp_path / "unpacked")
    listed = {line.split("  ", 1)[1] for line in (folder / archive.CHECKSUMS).read_text().splitlines()}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert listed == on_disk - {archive.CHECKSUMS}
    assert archive.verify_tree(folder) == []
    good = subprocess.run([sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True)
    assert good.returncode == 0 and f"All {len(entries)} files are complete" in good.stdout

    (folder / "modules" / "00a.ipynb").write_text('{"cells": [1]}', encoding="utf-8")
    (folder / "start.sh").unlink()
    assert sorted(archive.verify_tree(folder)) == ["damaged: modules/00a.ipynb", "missing: start.sh"]
    bad = subprocess.run([sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "damaged: modules/00a.ipynb" in bad.stdout and "missing: start.sh" in bad.stdout
    assert "Unpack the zip file again" in bad.stdout


def _context(**changes) -> dict:
    chosen = targets.parse_targets("linux-x86_64,windows-amd64", "3.11,3.12")
    context = {
        "version": "0.1.0",
        "created": "2026-01-01 00:00 UTC",
        "book_included": True,
        "targets": [
            {
                "name": t.name,
                "label": t.platform.label,
                "python": t.python_version,
                "wheels": 190,
                "missing": [],
            }
            for t in chosen
        ],
        "not_fetched": ["macOS 14 or newer, Apple silicon"],
        "python_versions": ["3.11", "3.12"],
        "python_check": build.python_check(chosen),
        "python_names": build.python_names(chosen),
        "platform_labels": "Linux; Windows",
        "requirement": "smartseoul==0.1.0",
    }
    return context | changes


def test_the_scripts_install_offline_with_the_right_line_ends():
    texts = build.render_texts(_context())
    assert set(texts) == {
        "README.txt",
        "install.sh",
        "install.ps1",
        "install.bat",
        "start.sh",
        "start.bat",
        "verify.py",
    }
    for name in ("install.sh", "install.ps1"):
        assert "--no-index --find-links wheels" in texts[name].decode()
        assert "verify.py" in texts[name].decode()
    for name in ("install.ps1", "install.bat", "start.bat"):
        assert texts[name].count(b"\r\n") == texts[name].count(b"\n"), f"{name} needs CRLF line ends"
    for name in ("install.sh", "start.sh", "verify.py", "README.txt"):
        assert b"\r\n" not in texts[name]
    check = build.python_check(targets.parse_targets("linux-x86_64", "3.11,3.12"))
    accepted = [
        v for v in [(3, 10, 9), (3, 11, 4), (3, 11, 5), (3, 12, 0), (3, 13, 1)] if eval(check, {"v": v})
    ]
    assert accepted == [(3, 11, 5), (3, 12, 0)]
    sh = subprocess.run(["sh", "-n"], input=texts["install.sh"], capture_output=True)
    assert sh.returncode == 0, sh.stderr


def test_the_readme_says_when_the_book_is_missing_and_what_is_incomplete():
    row = {
        "name": "macos-x86_64-py3.12",
        "label": "macOS 13 or newer, Intel",
        "python": "3.12",
        "wheels": 190,
    }
    readme = build.render_texts(_context(book_included=False, targets=[row | {"missing": ["cryptography"]}]))[
        "README.txt"
    ].decode()
    assert "NOT INCLUDED: the book was not built" in readme
    assert (
        "macOS 13 or newer, Intel, Python 3.12: 190 packages, NOT COMPLETE: no package file for cryptography"
        in readme
    )
    assert "On a computer marked NOT COMPLETE the installer stops" in readme
    title, underline = readme.splitlines()[:2]
    assert len(underline) == len(title) and set(underline) == {"="}
    complete = build.render_texts(_context())["README.txt"].decode()
    assert "NOT INCLUDED" not in complete and "NOT COMPLETE" not in complete and ", complete" in complete


def test_the_course_files_come_with_the_book_when_it_is_built(tmp_path):
    book = tmp_path / "html"
    (book / "modules").mkdir(parents=True)
    (book / "index.html").write_text("<html></html>")
    (book / "modules" / "00a.html").write_text("<html></html>")
    names = [e.name for e in build.course_entries(ROOT, book)]
    assert "book/index.html" in names and "book/modules/00a.html" in names
    assert "modules/00-orientation/00a-jupyter-and-python.ipynb" in names
    assert "datasets/datapackage.json" in names and "LICENSE" in names
    assert not [n for n in names if ".ipynb_checkpoints" in n or n.startswith("datasets/full/")]
    assert not [e for e in build.course_entries(ROOT, None) if e.name.startswith("book/")]


def test_the_command_names_the_fix_for_bad_input(tmp_path):
    from typer.testing import CliRunner

    from smartseoul.cli import app

    result = CliRunner().invoke(app, ["bundle", "--platforms", "beos", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown platform 'beos': use 'current', 'default', 'all'" in " ".join(result.output.split())
    with pytest.raises(build.BundleError, match="run `smartseoul data ensure` first"):
        build.build(
            tmp_path, targets.parse_targets("current", "current"), out=tmp_path, cache=tmp_path, book=None
        )
