"""A worker warms up before its first submission: its fork server (the kernels' pre-imported
interpreter) and its judge import the science stack as soon as the worker starts, while the
parent still imports nbgrader and prepares the first jobs. Before, both started only when the
first job arrived, and a batch of 12 waited about a second longer for its first result."""

from __future__ import annotations

import time

import psutil
import pytest
from grading_helpers import ASSIGNMENT

from smartseoul.grading.autograde import Pipeline, _mpl_font_cache

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


def _programs(pid: int) -> set[str]:
    found = set()
    for proc in psutil.Process(pid).children(recursive=True):
        try:
            cmd = " ".join(proc.cmdline())
        except psutil.Error:
            continue
        for program in ("smartseoul.grading.forkserver", "smartseoul.grading.judge"):
            if program in cmd:
                found.add(program.rsplit(".", 1)[1])
    return found


def test_a_worker_starts_its_fork_server_and_judge_before_any_job(course):
    pipeline = Pipeline(course, ASSIGNMENT, workers=1)
    worker = pipeline._start_worker(0)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _programs(worker.proc.pid) != {"forkserver", "judge"}:
            time.sleep(0.2)
        assert _programs(worker.proc.pid) == {"forkserver", "judge"}, (
            "the worker has no job yet, and should already run its fork server and judge"
        )
        shared = pipeline.pdir / "jobs" / "mpl"
        assert sorted(p.name for p in shared.iterdir()) == sorted(p.name for p in _mpl_font_cache()), (
            "the font cache every home gets is in the jobs folder once"
        )
    finally:
        worker.close()
    assert not worker.alive()
