"""Synthetic submissions for any assignment: honest ones (correct, partly wrong, blank) and ones
that misbehave in every way the grading pipeline must withstand. Used by the tests and by
benchmarks/bench_grading.py; never by real grading.
"""

from __future__ import annotations

import copy
import random
import re

import nbformat

from ..grading.course import Course
from ..grading.rebuild import bound_names, grade_id, is_answer, is_test

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

# Attacks on the grade itself: each comes with blank answers, so an honest grader gives it 0 points.
FORGERIES = {
    # hooks that make every later cell (test cells included) swallow errors and display a non-number
    "forge-hooks": (
        "import ast\nfrom IPython import get_ipython\n_ip = get_ipython()\n"
        "class _Forge(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        handler = ast.ExceptHandler(type=ast.Name('BaseException', ast.Load()), name=None, body=[ast.Pass()])\n"
        "        node.body = [ast.Try(body=node.body or [ast.Pass()], handlers=[handler], orelse=[], finalbody=[]),\n"
        "                     ast.Expr(ast.Constant('full marks'))]\n"
        "        return ast.fix_missing_locations(node)\n"
        "_ip.ast_transformers.append(_Forge())\n"
        "_ip.events.register('post_run_cell', lambda r: _ip.display_pub.publish({'text/plain': \"'full marks'\"}))\n"
    ),
    # the kernel's messaging layer rewrites every error into a passing result
    "forge-messaging": (
        "_k = get_ipython().kernel\n_send = _k.session.send\n"
        "def _forged(stream, msg_or_type, content=None, parent=None, *a, **kw):\n"
        "    if msg_or_type == 'error':\n"
        "        msg_or_type, content = 'execute_result', {'data': {'text/plain': \"'ok'\"}, 'metadata': {}, 'execution_count': 1}\n"
        "    elif msg_or_type == 'execute_reply' and isinstance(content, dict) and content.get('status') == 'error':\n"
        "        content = {'status': 'ok', 'execution_count': 1, 'user_expressions': content.get('user_expressions', {}), 'payload': []}\n"
        "    elif msg_or_type == 'stream' and isinstance(content, dict) and content.get('name') == 'stderr':\n"
        "        return None\n"
        "    return _send(stream, msg_or_type, content, parent, *a, **kw)\n"
        "_k.session.send = _forged\n"
    ),
    # builtins a grader might call are shadowed (in the notebook) or replaced (in builtins) with always-passing versions
    "forge-builtins": (
        "import builtins\n"
        "class _Quiet(Exception):\n    pass\n"
        "builtins.AssertionError = _Quiet\nbuiltins.abs = lambda *a: 0\nbuiltins.sum = lambda *a, **k: 15\n"
        "builtins.round = lambda *a, **k: 25\n"
        "isinstance = lambda *a: True\nlen = lambda *a: 25\nfloat = lambda *a: 0.0\ntype = lambda *a: float\n"
    ),
    # objects that compare differently from what they are: a float and a function result that equal anything
    "lookalike": (
        "class _Flt(float):\n    def __eq__(self, other):\n        return True\n    __hash__ = float.__hash__\n"
        "def double(x):\n    return _Flt(0)\n"
        "def mean_speed(speeds):\n    return _Flt(0)\n"
        "district_count = _Flt(0)\n"
    ),
    # a value above the test cell's points, as the last expression of cells around the test
    "points-overflow": "99\n",
    # prints, base64-encoded, whatever test source its process can see
    "leak-tests": (
        "import base64, glob, os, sys, zlib\n_seen = []\n"
        "_seen += [str(x) for x in globals().get('In', [])] + [str(x) for x in globals().get('_ih', [])]\n"
        "try:\n    _seen += [str(r) for r in get_ipython().history_manager.get_range(raw=True)]\nexcept Exception:\n    pass\n"
        "_late = []\n"
        "def _spy(event, args):\n"
        "    if event in ('compile', 'exec'):\n        _late.append(repr(args)[:2000])\n"
        "sys.addaudithook(_spy)\n"
        "def _tell(result):\n"
        "    if _late:\n        print('LEAK:' + base64.b64encode(zlib.compress('\\n'.join(_late[-50:]).encode(), 9)).decode())\n"
        "        _late.clear()\n"
        "get_ipython().events.register('post_run_cell', _tell)\n"
        "for _p in glob.glob('/proc/[0-9]*/cmdline') + glob.glob('/proc/[0-9]*/environ') + glob.glob('/proc/[0-9]*/fd/*')"
        " + glob.glob('/proc/[0-9]*/mem') + glob.glob('/tmp/*') + glob.glob('/tmp/*/*') + glob.glob('/tmp/*/*/*'):\n"
        "    try:\n        _fd = os.open(_p, os.O_RDONLY | os.O_NONBLOCK)\n"
        "        _seen.append(os.read(_fd, 8000).decode('utf-8', 'replace'))\n        os.close(_fd)\n"
        "    except Exception:\n        pass\n"
        "print('LEAK:' + base64.b64encode(zlib.compress('\\n'.join(_seen).encode()[:400000], 9)).decode())\n"
    ),
    # leaves SysV shared memory and files in world-writable host folders behind
    "litter": (
        "import ctypes, os\n_libc = ctypes.CDLL(None, use_errno=True)\n"
        "_shm = _libc.shmget(0x5EED, 1 << 20, 0o1666)\nprint('LITTER-SHM', _shm)\n"
        "for _d in ('/run/lock', '/dev/shm', '/var/tmp', '/tmp'):\n"
        "    try:\n        with open(os.path.join(_d, 'smartseoul-litter'), 'w') as _f:\n            _f.write('x')\n"
        "        print('LITTER-FILE', _d)\n"
        "    except OSError as _e:\n        print('LITTER-FAILED', _d, type(_e).__name__)\n"
    ),
    # scripts in what an instructor opens: HTML and JavaScript outputs, and a written answer (see XSS_ANSWER)
    "xss": (
        "from IPython.display import HTML, Javascript, display\n"
        'display(HTML(\'<b>hi</b><script>alert("xss-html")</script><img src=x onerror="alert(1)">\'))\n'
        "display(Javascript('alert(\"xss-js\")'))\n"
    ),
    # errors that flood the output, cell after cell
    "error-flood": "raise ValueError('E' * 20_000_000)\n",
}
XSS_ANSWER = (
    'My answer. <script>alert("xss-md")</script><a href="javascript:alert(3)">link</a> '
    '<img src=x onerror="alert(2)"> [a markdown link](javascript:alert(4)) <javascript:alert(5)>'
)
LITTER_KEY = 0x5EED
LITTER_NAME = "smartseoul-litter"

MISBEHAVING = (
    tuple(_PREFIX)
    + tuple(FORGERIES)
    + (
        "sleepy",
        "always-equal",
        "tamper-edit",
        "tamper-delete",
        "tamper-retag",
        "tamper-reorder",
        "rebind",
    )
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
            code = (
                _PREFIX[kind].format(paths=list(paths), writes=list(writes))
                if kind == "snoop"
                else _PREFIX[kind]
            )
            if kind.startswith("hook"):  # disable the checks, and answer nothing
                nb = copy.deepcopy(self.release)
                answers = self._answers(nb)
                first = answers[0]
                first.source = code + "\n" + first.source.replace("raise NotImplementedError()", "pass")
                for c in answers[1:]:
                    c.source = c.source.replace("raise NotImplementedError()", "pass")
                return nb
            assert first is not None, "every assignment has an answer cell"
            first.source = code + "\n" + first.source
            return nb
        if kind in FORGERIES:
            return self._forgery(kind)
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

    def _forgery(self, kind: str):
        """A blank submission carrying one attack on the grade."""
        nb = copy.deepcopy(self.release)
        answers = self._answers(nb)
        for c in answers:
            c.source = c.source.replace("raise NotImplementedError()", "pass")
        code = FORGERIES[kind]
        if kind == "error-flood":  # every answer cell raises a huge error
            for c in answers:
                c.source = code + c.source
            return nb
        if (
            kind == "points-overflow"
        ):  # the stored test outputs claim 99 points, and cells around tests show 99
            cells = []
            for c in nb.cells:
                if is_test(c):
                    c.source = "99"
                    c.outputs = [
                        nbformat.v4.new_output("execute_result", data={"text/plain": "99"}, execution_count=1)
                    ]
                    cells += [nbformat.v4.new_code_cell("99"), c, nbformat.v4.new_code_cell("99")]
                    continue
                if is_answer(c) and c.cell_type == "code":
                    c.source += "\n99"
                cells.append(c)
            nb.cells = cells
            return nb
        answers[0].source = code + "\n" + answers[0].source
        if kind == "xss":
            for c in nb.cells:
                if is_answer(c) and c.cell_type == "markdown":
                    c.source = XSS_ANSWER
        return nb

    def _blank_answers(self, nb):
        rel = {grade_id(c): c.source for c in self.release.cells}
        for c in nb.cells:
            if is_answer(c) and c.cell_type == "code":
                c.source = rel[grade_id(c)]
        return nb


def write_batch(
    maker: Maker, kinds: list[str], folder, cell_timeout: float = 30, **kw
) -> list[tuple[str, str]]:
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
        for student, _kind, fname in rows:
            fh.write(f"{fname},{student}\n")
    return [(s, k) for s, k, _ in rows]
