"""A worker warms up before its first submission: its fork server (the kernels' pre-imported
interpreter; at level full, forked from the batch's zygote) and its judge import the science
stack as soon as the worker starts, while the parent still prepares the first jobs. Before, both started only when the
first job arrived, and a batch of 12 waited about a second longer for its first result."""

from __future__ import annotations

import time

import psutil
import pytest
from grading_helpers import ASSIGNMENT, write_batch

from smartseoul.grading.autograde import Pipeline, _mpl_font_cache

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


def _programs(pid: int, zygote: int | None = None) -> set[str]:
    """What runs for the worker: its fork server, and its judge, started as a program of its own
    ("judge") or forked by the fork server ("forked judge": with no job there is no kernel, so
    the server's only child is the judge). At level `full` the server is the zygote's child."""
    found = set()
    below = psutil.Process(pid).children(recursive=True)
    if zygote is not None:
        below += psutil.Process(zygote).children(recursive=True)
    for proc in below:
        try:
            cmd, parent = " ".join(proc.cmdline()), proc.parent()
            parent_cmd = " ".join(parent.cmdline())
        except (psutil.Error, AttributeError):
            continue
        if "smartseoul.grading.judge" in cmd:
            found.add("judge")
        elif "smartseoul.grading.forkserver" in cmd:
            server_below = "smartseoul.grading.forkserver" in parent_cmd and parent.pid != zygote
            found.add("forked judge" if server_below else "forkserver")
    return found


def test_a_worker_starts_its_fork_server_and_judge_before_any_job(course):
    pipeline = Pipeline(course, ASSIGNMENT, workers=1)
    worker = pipeline._start_worker(0)
    zygote = pipeline.zygote.proc.pid if pipeline.zygote is not None else None
    try:
        deadline = time.monotonic() + 60
        # one import of the science stack per worker (at level full, one per batch: the zygote's):
        # the fork server forks the judge, except where the server is nested in a further
        # namespace (userns)
        judge = "judge" if pipeline.level == "userns" else "forked judge"
        assert (zygote is not None) == (pipeline.level == "full"), "a zygote at level full only"
        while time.monotonic() < deadline and _programs(worker.proc.pid, zygote) != {"forkserver", judge}:
            time.sleep(0.2)
        assert _programs(worker.proc.pid, zygote) == {"forkserver", judge}, (
            "the worker has no job yet, and should already run its fork server and judge"
        )
        shared = pipeline.pdir / "jobs" / "mpl"
        assert sorted(p.name for p in shared.iterdir()) == sorted(p.name for p in _mpl_font_cache()), (
            "the font cache every home gets is in the jobs folder once"
        )
    finally:
        worker.close()
        pipeline._close_zygote()
    assert not worker.alive()


def _graded_first_answer(course, tmp_path, before: str, after: str = "", assignment_cell: str = ""):
    """Grade one correct submission whose first answer cell starts with `before` and ends with
    `after`, with `assignment_cell` appended to the released notebook (after the answers) when
    given; the executed first answer cell."""
    import nbformat

    from smartseoul.grading import autograde, intake

    if assignment_cell:
        release = course.release_dir(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
        assignment = nbformat.read(release, 4)
        assignment.cells.append(nbformat.v4.new_code_cell(assignment_cell))
        nbformat.write(assignment, release)
    _kinds, roster = write_batch(course, ["correct"], tmp_path / "subs")
    (path,) = (tmp_path / "subs").rglob("*.ipynb")
    nb = nbformat.read(path, 4)
    nb.cells[1].source = before + nb.cells[1].source + after
    nbformat.write(nb, path)
    rep = intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    assert len(rep.accepted) == 1 and not rep.rejected
    autograde.autograde(course, ASSIGNMENT, workers=1)
    executed = nbformat.read(next((course.pipeline_dir(ASSIGNMENT) / "executed").rglob("*.ipynb")), 4)
    return executed.cells[1]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


def test_kernels_start_from_the_fork_servers_frozen_objects(course, tmp_path):
    """The fork server freezes its objects before it forks (gc.freeze): a kernel's garbage
    collector then leaves the imported modules alone, instead of touching, and so copying, the
    pages every kernel shares with the server."""
    cell = _graded_first_answer(
        course,
        tmp_path,
        "import gc, sys\nprint('FROZEN', gc.get_freeze_count(), 'DEBUGGER', sys.modules.get('debugpy') is not None)\n",
    )
    text = _text(cell)
    frozen = int(text.split("FROZEN", 1)[1].split()[0])
    assert frozen > 10_000, f"the kernel shares {frozen} frozen objects with its fork server"
    assert "DEBUGGER False" in text, "the fork server imported debugpy, which no graded kernel uses"


def test_a_kernel_starts_with_the_answer_channel_and_writes_no_bytecode(course, tmp_path):
    """The module the worker asks a kernel to run to hand answers to the judge is imported
    before the kernel starts; each kernel compiled it at its first test before. And a kernel
    never writes bytecode: one that ran as root with umask 077 made private bytecode folders,
    which kernels of another uid could not read."""
    cell = _graded_first_answer(
        course,
        tmp_path,
        "import sys\nprint('CHANNEL', 'smartseoul.grading.channel' in sys.modules, "
        "'BYTECODE', not sys.dont_write_bytecode)\n",
    )
    text = _text(cell)
    assert "CHANNEL True" in text, f"the kernel imports the answer channel itself: {text!r}"
    assert "BYTECODE False" in text, f"the kernel may write bytecode: {text!r}"


@pytest.mark.parametrize("draws", [False, True], ids=["assignment-draws-nothing", "assignment-draws"])
def test_a_figure_shows_at_the_end_of_its_cell_in_a_forked_kernel(course, tmp_path, draws):
    """A chart the trainee draws without `plt.show()` reaches the graded notebook, where the
    instructor grades it by hand. For an assignment that draws, the fork server imported the
    inline figure backend before any IPython existed, and a kernel must still hook it in as a
    fresh kernel does. For one that does not, matplotlib is not preloaded at all (it is a third
    of the server's imports), and the kernel imports it at the trainee's first plot."""
    cell = _graded_first_answer(
        course,
        tmp_path,
        "import sys\nprint('PRELOADED', 'matplotlib' in sys.modules)\n",
        "\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.title('chart')\n",
        # a cell of the assignment itself draws (after the answers: the check comes first)
        "import matplotlib.pyplot as plt" if draws else "",
    )
    kinds = [mime for o in cell.outputs for mime in o.get("data", {})]
    assert "image/png" in kinds, f"the chart did not reach the graded notebook: {kinds}"
    assert f"PRELOADED {draws}" in _text(cell), f"matplotlib preloaded should be {draws}: {_text(cell)!r}"


def test_a_kernel_starts_with_the_modules_its_assignment_imports(course, tmp_path):
    """The fork server imports what the assignment's notebooks import (here duckdb, in a cell
    after the answers) and what the course's data loaders need for a map or a Parquet file
    (pyogrio, pyarrow.parquet): a kernel finds them imported before its first cell. Each kernel
    imported them itself before, in every submission (scipy.spatial took 0.3 s of CPU)."""
    cell = _graded_first_answer(
        course,
        tmp_path,
        "import sys\nprint('PRELOADED', sorted(m for m in ('duckdb', 'pyogrio', 'pyarrow.parquet') "
        "if m in sys.modules))\n",
        assignment_cell="import duckdb",
    )
    text = _text(cell)
    assert "PRELOADED ['duckdb', 'pyarrow.parquet', 'pyogrio']" in text, f"not preloaded: {text!r}"
