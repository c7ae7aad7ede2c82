"""A cohort on one shared server: nbgrader's exchange with two real trainee accounts.

The instructor (this process, root) releases an assignment; two local Unix accounts fetch it,
answer it (one correctly, one leaving the code blank) and submit; the instructor collects,
autogrades and exports. Every account reads the shipped hub configuration
(grading/jupyterhub/etc/jupyter, as installed on a JupyterHub) and the exchange is a temporary
folder with the permissions nbgrader's docs require. Accounts and folders are removed after."""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from smartseoul.testing import lab

from .conftest import autograded_points, course_assignment, fill_submission, read_nb

REASON = lab.can_manage_accounts()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("lab-exchange"),
    pytest.mark.skipif(REASON is not None, reason=f"exchange round trip skipped: {REASON}"),
]


def _ok(result: subprocess.CompletedProcess, what: str) -> str:
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"{what} failed ({result.returncode}):\n{output[-4000:]}"
    return output


def _pipeline_has(command: str) -> bool:
    """True when `smartseoul grade <command>` exists (the grading pipeline may land later)."""
    result = subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "grade", command, "--help"],
        capture_output=True,
        text=True,
        env=lab.course_environ(),
        check=False,
    )
    return result.returncode == 0


def test_two_trainees_release_fetch_submit_collect_grade_export():
    work = lab.shared_tempdir("smartseoul-exchange-")
    tag = secrets.token_hex(3)
    trainees = [f"ssdl-a-{tag}", f"ssdl-b-{tag}"]
    created: list[str] = []
    try:
        exchange = lab.create_exchange(work / "exchange")
        assignment = course_assignment()
        name = assignment.name
        course_root = work / "course"
        grading = lab.copy_course(course_root, [assignment])
        # The instructor's files stay private, as in a home folder on a hub: the course folder can
        # be passed through (the grading sandbox's kernel user reads datasets/ there) but not
        # listed, and the source notebooks and gradebook are the instructor's alone.
        os.chmod(course_root, 0o711)
        for private in (grading, course_root / "exercises"):
            os.chmod(private, 0o700)

        instructor_env = {
            **lab.hub_environment(exchange, lab.DEFAULT_COURSE_ID, instructor=True),
            "SMARTSEOUL_COURSE_ROOT": str(grading),
        }
        info = lab.nbgrader_paths(grading, [name], env=instructor_env)[name]
        course_id = info["course_id"]
        trainee_env = lab.hub_environment(exchange, course_id)

        # -- instructor releases
        lab.run_nbgrader(["generate_assignment", name, "--force"], cwd=grading, env=instructor_env)
        lab.run_nbgrader(["release_assignment", name, "--force"], cwd=grading, env=instructor_env)
        assert (exchange / course_id / "outbound" / name / f"{name}.ipynb").exists()
        source_nb = read_nb(Path(info["source"]) / f"{name}.ipynb")

        # -- each trainee fetches, answers and submits
        for user in trainees:
            trainee = lab.create_trainee(user, work / "home" / user)
            created.append(user)
            python = lab.trainee_python(user, work)
            if user == trainees[0]:
                listed = _ok(
                    lab.run_as(user, [*python, "-m", "nbgrader", "list"], cwd=trainee.home, env=trainee_env),
                    "nbgrader list",
                )
                assert name in listed, f"{user} does not see {name} in the exchange:\n{listed}"
            _ok(
                lab.run_as(
                    user,
                    [*python, "-m", "nbgrader", "fetch_assignment", name],
                    cwd=trainee.home,
                    env=trainee_env,
                ),
                "fetch",
            )
            fetched = trainee.home / name / f"{name}.ipynb"
            assert fetched.exists(), f"fetch did not create {fetched}"
            answered = fill_submission(
                read_nb(fetched),
                source_nb,
                correct=(user == trainees[0]),
                written=f"Written answer by {user}: open data lets residents and firms check the city's work.",
            )
            nbformat.write(answered, str(fetched))
            shutil.chown(fetched, user, user)
            _ok(
                lab.run_as(
                    user, [*python, "-m", "nbgrader", "submit", name], cwd=trainee.home, env=trainee_env
                ),
                "submit",
            )

        # -- privacy: a trainee can read neither the inbox of submissions nor the instructor's files
        inbound = exchange / course_id / "inbound"
        assert len(list(inbound.iterdir())) == 2
        peek = lab.run_as(trainees[1], ["ls", str(inbound)], cwd=work, env={})
        assert peek.returncode != 0, f"{trainees[1]} could list other trainees' submissions:\n{peek.stdout}"
        sneak = lab.run_as(
            trainees[1], ["cat", str(Path(info["source"]) / f"{name}.ipynb")], cwd=work, env={}
        )
        assert sneak.returncode != 0, "a trainee could read the source notebook with the hidden tests"

        # -- instructor collects, grades and exports
        lab.run_nbgrader(["collect", name], cwd=grading, env=instructor_env)
        for user in trainees:
            assert (grading / "submitted" / user / name / f"{name}.ipynb").exists(), (
                f"{user}'s work was not collected"
            )
        if _pipeline_has("autograde"):
            result = subprocess.run(
                [sys.executable, "-m", "smartseoul.cli", "grade", "autograde", name, "--workers", "2"],
                cwd=grading,
                capture_output=True,
                text=True,
                timeout=900,
                env=lab.course_environ({**instructor_env, "SMARTSEOUL_HOME": str(course_root)}),
            )
            _ok(result, "smartseoul grade autograde")
        else:
            lab.run_nbgrader(["autograde", name, "--force"], cwd=grading, env=instructor_env, timeout=900)
        export_csv = work / "grades.csv"
        lab.run_nbgrader(["export", "--to", str(export_csv)], cwd=grading, env=instructor_env)

        from nbgrader.api import Gradebook

        full = autograded_points(source_nb)
        assert full > 0, f"{name} has no autograded points"
        with Gradebook(info["db_url"]) as gb:
            right = gb.find_submission(name, trainees[0])
            blank = gb.find_submission(name, trainees[1])
            assert right.code_score == pytest.approx(full), (
                f"correct answers earned {right.code_score} of {full}"
            )
            assert blank.code_score == 0, f"blank answers earned {blank.code_score}"
            assert right.needs_manual_grade and blank.needs_manual_grade, (
                "written answers must wait for a grader"
            )

        with open(export_csv, newline="", encoding="utf-8") as handle:
            rows = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == name}
        assert set(rows) == set(trainees), f"export holds {sorted(rows)}"
        assert float(rows[trainees[0]]["score"]) == pytest.approx(full)
        assert float(rows[trainees[1]]["score"]) == 0
    finally:
        for user in created:
            lab.remove_trainee(user)
        if os.environ.get("SMARTSEOUL_KEEP_LAB_TMP"):
            print(f"kept {work} (SMARTSEOUL_KEEP_LAB_TMP is set)")
        else:
            shutil.rmtree(work, ignore_errors=True)
