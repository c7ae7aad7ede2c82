"""Interrupted autograde (Ctrl-C, then a killed process) resumes without regrading finished work
and without losing any result; a result executed but not yet recorded is only recorded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import psutil
import pytest
from grading_helpers import ASSIGNMENT, autograde_command, totals, write_batch

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


def _start(course, workers=1, env=None):
    cmd = autograde_command(course, ASSIGNMENT, "--workers", str(workers))
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env or dict(os.environ)
    )


def _recorded(course) -> dict[str, dict]:
    d = course.pipeline_dir(ASSIGNMENT) / "results"
    out = {}
    for p in d.glob("*.json") if d.is_dir() else []:
        r = json.loads(p.read_text())
        if r.get("recorded"):
            out[p.stem] = r
    return out


def _wait_for(course, n, proc, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(_recorded(course)) >= n:
            return
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.2)
    raise AssertionError(f"fewer than {n} results after {timeout}s")


def _workers_of(course):
    found = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if "smartseoul.grading.worker" in cmd and str(course.grading) in cmd:
            found.append(p.pid)
    return found


def test_interrupted_autograde_resumes_without_loss_or_regrading(course, tmp_path):
    from smartseoul.grading import autograde, intake
    from smartseoul.grading.status import status

    kinds, roster = write_batch(course, ["correct", "wrong", "blank", "correct", "wrong"], tmp_path / "subs")
    intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)

    proc = _start(course)
    _wait_for(course, 2, proc)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "resume" in out
    time.sleep(1)
    assert not _workers_of(course)
    first = {s: r["time"] for s, r in _recorded(course).items()}
    assert len(first) >= 2

    proc = _start(course)
    _wait_for(course, len(first) + 1, proc)
    proc.kill()  # no chance to clean up: workers must die with it, results must survive
    proc.wait(timeout=30)
    time.sleep(2)
    assert not _workers_of(course)
    second = {s: r["time"] for s, r in _recorded(course).items()}
    assert all(second[s] == t for s, t in first.items()), "finished work was regraded"

    summary = autograde.autograde(course, ASSIGNMENT, workers=2)
    assert set(summary.skipped) >= set(second)
    assert sorted(summary.skipped + summary.graded) == sorted(kinds)
    final = _recorded(course)
    assert all(final[s]["time"] == t for s, t in second.items())
    scores = totals(course)
    assert set(scores) == set(kinds)
    for s, k in kinds.items():
        assert (scores[s] == 5.0) == (k == "correct")
    st = status(course, ASSIGNMENT)
    assert st.balanced and st.counts["graded"] == len(kinds)


def test_executed_but_unrecorded_result_is_recorded_not_rerun(course, tmp_path):
    from nbgrader.api import Gradebook

    from smartseoul.grading import autograde, intake, journal

    kinds, roster = write_batch(course, ["correct", "blank"], tmp_path / "subs")
    intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    autograde.autograde(course, ASSIGNMENT, workers=2)
    student = next(s for s, k in kinds.items() if k == "correct")
    res = journal.load_result(course, ASSIGNMENT, student)
    res["recorded"] = False
    journal.save_result(course, ASSIGNMENT, student, res)
    with Gradebook(
        course.db_url, course_id="smart-seoul-data-lab"
    ) as gb:  # as if the crash came before the write
        gb.remove_submission(ASSIGNMENT, student)
    job_log = course.pipeline_dir(ASSIGNMENT) / "jobs" / student / "result.json"  # written by the worker
    mtime = job_log.stat().st_mtime
    summary = autograde.autograde(course, ASSIGNMENT, workers=2)
    assert summary.graded == [student]
    assert job_log.stat().st_mtime == mtime  # not executed again
    assert totals(course)[student] == 5.0


def test_a_submission_nbgrader_cannot_score_is_an_error_and_the_batch_goes_on(course, tmp_path, monkeypatch):
    """Whatever makes nbgrader's scoring fail for one student (a malformed result, a bug) is
    recorded as `error` with the reason; the others are graded; a resumed run does not fall
    over the same student again; status --json says so."""
    from typer.testing import CliRunner

    from smartseoul.cli import app
    from smartseoul.grading import autograde, gradebook, intake

    kinds, roster = write_batch(course, ["correct", "correct", "blank"], tmp_path / "subs")
    intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    victim = sorted(kinds)[1]
    real = gradebook.record

    def flaky(c, a, student, rel):
        if student == victim:
            raise ValueError("partial credit (99.0) is more than the maximum (2.0)")
        return real(c, a, student, rel)

    monkeypatch.setattr(gradebook, "record", flaky)
    summary = autograde.autograde(course, ASSIGNMENT, workers=2)
    assert summary.errors == [victim]
    assert sorted(summary.graded) == sorted(s for s in kinds if s != victim)
    again = autograde.autograde(course, ASSIGNMENT, workers=2)  # resumed: nothing falls over again
    assert not again.errors and not again.graded and victim in again.skipped
    res = CliRunner().invoke(app, ["grade", "--course", str(course.root), "status", ASSIGNMENT, "--json"])
    data = json.loads(res.output)
    row = next(r for r in data["submissions"] if r["student"] == victim)
    assert row["state"] == "error" and "partial credit" in row["detail"] and data["balanced"]
