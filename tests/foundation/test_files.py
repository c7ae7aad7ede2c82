"""One helper writes every file that another process may read while it is written."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from smartseoul import files

ROOT = Path(__file__).resolve().parents[2]


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "result.json"
    files.atomic_write(target, '{"a": 1}')
    files.atomic_write(target, b'{"a": 2}')
    assert target.read_text() == '{"a": 2}'
    assert [p.name for p in target.parent.iterdir()] == ["result.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "page.md"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.replacing(target) as tmp:
        tmp.write_text("half a pa")
        raise RuntimeError("the writer crashed")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_permissions_follow_the_umask_unless_private(tmp_path):
    old = os.umask(0o022)
    try:
        files.atomic_write(tmp_path / "public.md", "x")
        files.atomic_write(tmp_path / "grade.json", "x", private=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "public.md").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "grade.json").stat().st_mode) == 0o600


def test_write_if_changed_keeps_the_mtime_of_an_unchanged_file(tmp_path):
    target = tmp_path / "toc.yml"
    assert files.write_if_changed(target, "a")
    os.utime(target, (1, 1))
    assert not files.write_if_changed(target, "a") and target.stat().st_mtime == 1
    assert files.write_if_changed(target, "b") and target.read_text() == "b"


def test_no_other_module_renames_a_temporary_file_itself(tmp_path):
    """os.replace belongs to smartseoul.files alone (a planted copy elsewhere is found)."""
    pattern = re.compile(r"\bos\.replace\(|\.replace\(\s*tmp")

    def writers(root: Path) -> list[str]:
        return sorted(
            str(p.relative_to(root))
            for p in root.rglob("*.py")
            if p.name != "files.py" and pattern.search(p.read_text(encoding="utf-8"))
        )

    assert writers(ROOT / "src" / "smartseoul") == []
    (tmp_path / "files.py").write_text("os.replace(tmp, path)\n")
    (tmp_path / "manifest.py").write_text("    os.replace(tmp, p)\n")
    assert writers(tmp_path) == ["manifest.py"]
