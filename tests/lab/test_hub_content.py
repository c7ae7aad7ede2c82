"""The hub's content repository (what trainees pull with nbgitpuller) carries the module notebooks
in every course language, made from the PO files, with their data folders linked inside it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

from smartseoul.hub import manage
from smartseoul.i18n.languages import load

ROOT = Path(__file__).resolve().parents[2]


def test_the_published_content_has_the_translated_notebooks(tmp_path):
    plan = SimpleNamespace(content_repo=tmp_path / "content.git", checkout=ROOT)
    assert manage.publish_content(plan, message="first")  # type: ignore[arg-type]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(plan.content_repo), str(clone)], check=True)
    codes = load(ROOT).codes
    assert sorted(p.name for p in (clone / "translations").iterdir()) == sorted(codes)
    nb = clone / "translations" / "ru" / "modules" / "00-orientation" / "00a-jupyter-and-python.ipynb"
    english = ROOT / "modules" / "00-orientation" / "00a-jupyter-and-python.ipynb"
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    original = json.loads(english.read_text(encoding="utf-8"))["cells"]
    markdown = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert sum(ch in markdown for ch in "абвгдежзийклмнопрстуфхцчшщыэюя") > 20, "the markdown is in Russian"
    assert [c["source"] for c in cells if c["cell_type"] == "code"] == [
        c["source"] for c in original if c["cell_type"] == "code"
    ], "the code is the English notebook's"
    toy_city = clone / "translations" / "es" / "modules" / "06-capstone-your-city" / "toy_city"
    assert toy_city.is_symlink() and toy_city.resolve().is_relative_to(clone.resolve()), (
        "a translated notebook's data folder is the content's own, not a path on the instructor's machine"
    )
    assert not os.path.lexists(clone / "locales"), "the catalogues are read, not published"
    assert "translations/<language>" in (clone / "README.md").read_text(encoding="utf-8")
