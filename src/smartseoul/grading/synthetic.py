"""Synthetic submissions for any assignment: honest ones (correct, partly wrong, blank) and ones
that misbehave in every way the grading pipeline must withstand. Used by the tests and by
benchmarks/bench_grading.py; never by real grading.
"""

from __future__ import annotations

import copy
import random
import re

import nbformat

from .course import Course
from .rebuild import bound_names, grade_id, is_answer, is_test

HONEST = ("correct", "wrong", "blank")

# Code a misbehaving trainee puts in (or right after) their first answer cell.
_PREFIX = {
    "infinite-loop": "while True:\n    pass\n",
    "ignore-interrupt": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n",
    "memory": "_hog = []\nwhile True:\n    _hog.append(bytes(256 * 1024 * 1024))\n",
    "processes": (
        "import os, subprocess\n"
        "subprocess.Popen(['sleep', '600'], start_new_session=True)\n"
        "if os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(600)\n    os._exit(0)\n"
    ),
    "disk": (
        "_block = b'0' * (1024 * 1024)\n"
        "try:\n    with open('big.bin', 'wb') as _f:\n        while True:\n            _f.write(_block)\n"
        "except OSError as _e:\n    print('big file stopped:', type(_e).__name__)\n"
        "try:\n    for _i in range(100000):\n        with open(f'f{_i}.bin', 'wb') as _f:\n            _f.write(_block * 8)\n"
        "except OSError as _e:\n    print('many files stopped:', type(_e).__name__)\n"
    ),
    "flood": "import sys\nfor _ in range(1000):\n    sys.stdout.write('x' * 10000 + '\\n')\n",
    "os-exit": "import os\nos._exit(0)\n",
    "sys-exit": "import sys\nsys.exit(0)\n",
    "hook-transformer": (
        "get_ipython().input_transformers_post.append(\n"
        "    lambda lines: [l.replace('assert ', 'pass  # ') for l in lines])\n"
    ),
    "hook-custom-exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n",
    "hook-showtraceback": (
        "_ip = get_ipython()\n_ip.showtraceback = lambda *a, **k: None\n_ip._showtraceback = lambda *a, **k: None\n"
    ),
    "hook-builtins": "import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.sum = lambda *a, **k: 15\n",
    "snoop": (
        "import os, socket, glob\n_found = []\n"
        "for _pat in {paths!r}:\n"
        "    for _p in glob.glob(_pat, recursive=True):\n"
        "        try:\n            with open(_p, 'rb') as _f:\n                _found.append((_p, len(_f.read())))\n"
        "        except OSError as _e:\n            pass\n"
        "print('SNOOP-READ', _found)\n"
        "for _p in {writes!r}:\n"
        "    try:\n        with open(_p, 'ab') as _f:\n            _f.write(b'x')\n        print('SNOOP-WROTE', _p)\n"
        "    except OSError as _e:\n        print('SNOOP-WRITE-FAILED', type(_e).__name__)\n"
        "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2).close()\n    print('SNOOP-NET-OK')\n"
        "except OSError as _e:\n    print('SNOOP-NET-FAILED', type(_e).__name__)\n"
    ),
}
MISBEHAVING = tuple(_PREFIX) + (
    "sleepy", "always-equal", "tamper-edit", "tamper-delete", "tamper-retag", "tamper-reorder", "rebind",
)

ALWAYS_EQUAL = (
    "class _Anything:\n"
    "    def __eq__(self, other):\n        return True\n"
    "    def __ne__(self, other):\n        return False\n"
    "    def __call__(self, *a, **k):\n        return self\n"
    "    def __getattr__(self, name):\n        return self\n"
    "    def __hash__(self):\n        return 0\n"
)


def solution_text(source: str) -> str:
    """A source cell's solution with nbgrader's delimiters removed (what a correct trainee writes)."""
    lines = [ln for ln in source.splitlines() if not re.match(r"\s*#{3} (BEGIN|END) SOLUTION", ln)]
    return "\n".join(lines)


class Maker:
    """Builds submissions for one notebook of an assignment from its source and release versions."""

    def __init__(self, course: Course, assignment: str, notebook: str | None = None, seed: int = 0):
        self.course, self.assignment = course, assignment
        self.notebook = notebook or course.notebook_names(assignment)[0]
        self.release = nbformat.read(course.release_dir(assignment) / f"{self.notebook}.ipynb", as_version=4)
        self.source = nbformat.read(course.source_dir(assignment) / f"{self.notebook}.ipynb", as_version=4)
        self.solutions = {grade_id(c): solution_text(c.source) for c in self.source.cells if is_answer(c)}
        self.rng = random.Random(seed)
        self.limits_hint = 30

    def _answers(self, nb):
        return [c for c in nb.cells if is_answer(c) and c.cell_type == "code"]

    def correct(self):
        nb = copy.deepcopy(self.release)
        for c in nb.cells:
            if is_answer(c) and grade_id(c) in self.solutions:
                c.source = self.solutions[grade_id(c)]
        return nb

    def make(self, kind: str, cell_timeout: float = 30, paths: tuple = (), writes: tuple = ()):
        if kind == "correct":
            return self.correct()
        if kind == "blank":
            return copy.deepcopy(self.release)
        if kind == "wrong":  # a random half of the code answers left as the stub (at least one)
            nb = self.correct()
            answers = self._answers(nb)
            wrong = self.rng.sample(answers, max(1, len(answers) // 2)) if answers else []
            rel = {grade_id(c): c.source for c in self.release.cells}
            for c in wrong:
                c.source = rel[grade_id(c)]
            return nb
        nb = self.correct()
        answers = self._answers(nb)
        first = answers[0] if answers else None
        if kind in _PREFIX:
            code = _PREFIX[kind].format(paths=list(paths), writes=list(writes)) if kind == "snoop" else _PREFIX[kind]
            if kind.startswith("hook"):  # disable the checks, and answer nothing
                nb = copy.deepcopy(self.release)
                answers = self._answers(nb)
                first = answers[0]
                first.source = code + "\n" + first.source.replace("raise NotImplementedError()", "pass")
                for c in answers[1:]:
                    c.source = c.source.replace("raise NotImplementedError()", "pass")
                return nb
            first.source = code + "\n" + first.source
            return nb
        if kind == "sleepy":  # sleeps just under the per-cell limit, cell after cell
            nap = f"import time\ntime.sleep({cell_timeout * 0.8:.2f})\n"
            cells = []
            for c in nb.cells:
                if is_answer(c) and c.cell_type == "code":
                    c.source = nap + c.source
                cells.append(c)
                if c.cell_type == "code":
                    cells.append(nbformat.v4.new_code_cell(nap + "pass"))
            nb.cells = cells
            return nb
        if kind == "always-equal":  # every answer replaced by an object that equals anything
            nb = copy.deepcopy(self.release)
            for c in self._answers(nb):
                names = sorted(bound_names(self.solutions.get(grade_id(c), ""))) or ["answer"]
                c.source = ALWAYS_EQUAL + "".join(f"{n} = _Anything()\n" for n in names)
            return nb
        if kind == "tamper-edit":
            for c in nb.cells:
                if is_test(c):
                    c.source = "pass"
            nb = self._blank_answers(nb)
            return nb
        if kind == "tamper-delete":
            nb = self._blank_answers(nb)
            nb.cells = [c for c in nb.cells if not is_test(c)]
            return nb
        if kind == "tamper-retag":
            nb = self._blank_answers(nb)
            for c in nb.cells:
                if is_test(c):
                    c.metadata["nbgrader"]["grade"] = False
                    c.metadata["nbgrader"]["points"] = 0
                    c.metadata.setdefault("tags", []).extend(["skip-execution", "raises-exception"])
            return nb
        if kind == "tamper-reorder":
            tests = [c for c in nb.cells if is_test(c)]
            rest = [c for c in nb.cells if not is_test(c)]
            nb.cells = tests + rest
            return nb
        if kind == "rebind":  # a helper cell between each answer and its test that rebinds the answer
            cells = []
            for c in nb.cells:
                cells.append(c)
                if is_answer(c) and c.cell_type == "code":
                    names = sorted(bound_names(self.solutions.get(grade_id(c), "")))
                    if names:
                        cells.append(nbformat.v4.new_code_cell("".join(f"{n} = None\n" for n in names)))
            nb.cells = cells
            return nb
        raise ValueError(f"unknown submission kind {kind!r}; known: {', '.join(HONEST + MISBEHAVING)}")

    def _blank_answers(self, nb):
        rel = {grade_id(c): c.source for c in self.release.cells}
        for c in nb.cells:
            if is_answer(c) and c.cell_type == "code":
                c.source = rel[grade_id(c)]
        return nb


def write_batch(maker: Maker, kinds: list[str], folder, cell_timeout: float = 30, **kw) -> list[tuple[str, str]]:
    """Write one notebook per kind into `folder` plus a roster; returns [(student, kind)]."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for n, kind in enumerate(kinds):
        student = f"s{n:03d}-{kind}"
        fname = f"{student}_{maker.assignment}.ipynb"
        nbformat.write(maker.make(kind, cell_timeout=cell_timeout, **kw), folder / fname)
        rows.append((student, kind, fname))
    with open(folder.parent / f"{folder.name}-roster.csv", "w", encoding="utf-8") as fh:
        fh.write("file,student_id\n")
        for student, kind, fname in rows:
            fh.write(f"{fname},{student}\n")
    return [(s, k) for s, k, _ in rows]
