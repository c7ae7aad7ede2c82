"""How the parent hands submissions to its workers. Each worker holds the job it runs and, while
the queue still has a job for every worker, the next one, so it starts the next submission the
moment it ends the last. Near the end of a batch a job waiting behind another would keep one
worker busy while the other has nothing to do, so the last jobs wait in the parent for
whichever worker is free first."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from smartseoul.grading.autograde import Pipeline, _Job

pytestmark = pytest.mark.xdist_group("grading")


def _parent(slots: int):
    """A Pipeline with the parts `_fill` uses: preparing a job, and starting it on a worker."""
    parent = SimpleNamespace(started=[])
    parent.prepare = lambda student, sha, slot: _Job(student, sha, ["nb.ipynb"], Path(student), slot)
    parent.start = parent.started.append
    parent._send = lambda job, jobs: Pipeline._send(parent, job, jobs)
    sent = {slot: [] for slot in range(slots)}
    return parent, sent


def _fill(parent, queue, sent):
    Pipeline._fill(parent, queue, sent, summary=None)
    return {slot: [j.student for j in jobs] for slot, jobs in sent.items()}


def test_each_worker_gets_a_job_and_the_next_while_the_queue_lasts():
    parent, sent = _parent(2)
    queue = [(f"s{i}", "sha") for i in range(6)]
    assert _fill(parent, queue, sent) == {0: ["s0", "s2"], 1: ["s1", "s3"]}
    assert [s for s, _ in queue] == ["s4", "s5"]


def test_the_last_jobs_wait_for_a_free_worker_instead_of_queueing_behind_a_busy_one():
    parent, sent = _parent(2)
    queue = [(f"s{i}", "sha") for i in range(5)]
    assert _fill(parent, queue, sent) == {0: ["s0", "s2"], 1: ["s1", "s3"]}
    sent[0].pop(0)  # worker 0 ends s0 and starts s2; one job is left for two workers
    assert _fill(parent, queue, sent) == {0: ["s2"], 1: ["s1", "s3"]}, "s4 must not wait behind s2"
    sent[1].pop(0)
    sent[1].pop(0)  # worker 1 ends s1 and s3 first: it takes s4 at once
    assert _fill(parent, queue, sent) == {0: ["s2"], 1: ["s4"]}
    assert not queue


def test_one_worker_always_gets_its_next_job_ahead():
    parent, sent = _parent(1)
    queue = [("s0", "sha"), ("s1", "sha")]
    assert _fill(parent, queue, sent) == {0: ["s0", "s1"]}


def test_the_font_cache_is_found_without_importing_matplotlib(tmp_path):
    """The workers need matplotlib's font cache when they start; importing matplotlib in the
    parent to find it delayed them by 0.1 s."""
    import subprocess

    probe = (
        "import sys\n"
        "from smartseoul.grading.autograde import _mpl_font_cache\n"
        "found = _mpl_font_cache()\n"
        "assert found and all(p.name.startswith('fontlist-') for p in found), found\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported to find its cache'\n"
    )
    built = subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], capture_output=True)
    assert built.returncode == 0, "matplotlib builds its font cache on first use"
    warm = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr[-2000:]
