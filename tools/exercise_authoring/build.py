"""Write exercises/<assignment>/<assignment>.ipynb from the specs in this folder.

python tools/exercise_authoring/build.py            # all assignments
python tools/exercise_authoring/build.py m0-orientation
python tools/exercise_authoring/build.py --check    # exit 1 if a notebook differs from its spec
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
EXERCISES = HERE.parents[1] / "exercises"
sys.path.insert(0, str(HERE))

from nbspec import notebook  # noqa: E402


def specs() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in ("nbspec", "build"))


def render(assignment: str) -> str:
    cells = runpy.run_path(str(HERE / f"{assignment}.py"))["CELLS"]
    return nbformat.writes(notebook(cells), version=4) + "\n"


def target(assignment: str) -> Path:
    return EXERCISES / assignment / f"{assignment}.ipynb"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")] or specs()
    stale = []
    for name in names:
        text = render(name)
        out = target(name)
        if check:
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out.relative_to(EXERCISES.parent)}")
    if stale:
        print("out of date (run python tools/exercise_authoring/build.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
