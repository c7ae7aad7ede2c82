"""Grade every submission of an assignment: rebuild, execute in isolated workers in parallel,
then record in the one gradebook from this (single) process.

Per submission and notebook: read `submitted/<student>/<assignment>/<nb>.ipynb`, rebuild it from
the trusted template (rebuild.py), hand the rebuilt notebook to the long-lived worker of a slot
(sandbox.py, worker.py) with a hard deadline (an overrun kills that worker; the next submission
gets a new one), turn every test that did not produce a trustworthy result into a failed test,
sanitise what people will open (sanitize.py), and let nbgrader score it into the gradebook
(gradebook.py). The journal (journal.py) makes every step resumable and idempotent.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import gradebook, journal, sandbox, sanitize
from .course import Course, GradingError
from .rebuild import Template, draws, imports, load_template, read_notebook, rebuild
from .release import ensure_released
from .sandbox import Limits

EXECUTED = "executed"  # .pipeline/<assignment>/executed/<student>/<assignment>/ (nbgrader layout)


@dataclass
class Summary:
    assignment: str
    level: str
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False


#: jobs a worker holds at once: the one it runs, and the next one, ready
LOOKAHEAD = 2


@dataclass
class _Job:
    """One student's submission: its notebooks are graded one after another in the same slot."""

    student: str
    sha: str
    notebooks: list[str]
    jobdir: Path
    slot: int
    index: int = 0
    rebuild_flags: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    parts: list[dict] = field(default_factory=list)  # per notebook graded so far
    started: float = 0.0
    killed: bool = False
    job_id: str = ""

    @property
    def notebook(self) -> str:
        return self.notebooks[self.index]


def _mpl_font_cache() -> list[Path]:
    """The parent's matplotlib font cache, copied into each sandbox so kernels skip rebuilding it.
    Looked up where matplotlib keeps it first: importing matplotlib here (0.1 s) would delay the
    workers' start, and they need the cache when they start."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    found = sorted(
        Path(os.environ.get("MPLCONFIGDIR") or os.path.join(home, "matplotlib")).glob("fontlist-*.json")
    )
    if found:
        return found
    try:
        import matplotlib
        from matplotlib import font_manager  # noqa: F401 (builds the cache once if missing)

        return sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    except Exception:
        return []


class Pipeline:
    def __init__(
        self,
        course: Course,
        assignment: str,
        *,
        workers: int | None = None,
        limits: Limits | None = None,
        level: str | None = None,
        progress: Callable[[str, dict], None] | None = None,
        zygote: sandbox.Zygote | None = None,
    ):
        """`zygote`: one the command started early (at level full); the pipeline closes it."""
        self.course, self.assignment = course, course.check_assignment(assignment)
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits or Limits()
        self.level = level or sandbox.detect_level()
        self.progress = progress or (lambda student, result: None)
        self.pdir = course.pipeline_dir(assignment)
        self.templates: dict[str, Template] = {}
        self.checked: set[str] = set()  # notebooks whose template passed nbgrader's metadata check
        self.pool: dict[int, sandbox.Worker] = {}  # slot -> its worker, kept across submissions
        self.basic_dirs: list[str] = []
        self.shared_written = False
        self.zygote = zygote  # at level full: the workers' one import of the stack

    @functools.cached_property
    def draws(self) -> bool:
        """The assignment draws charts: its workers preload matplotlib (rebuild.draws)."""
        return draws(self.course, self.assignment)

    @functools.cached_property
    def imports(self) -> list[str]:
        """The modules the assignment's notebooks import: its workers preload them (rebuild.imports)."""
        return imports(self.course, self.assignment)

    # --- what needs doing -----------------------------------------------------------------
    def plan(self, force: bool = False) -> tuple[list[tuple[str, str]], list[str], list[str]]:
        """(to execute [(student, sha)], to record only, already done)."""
        run: list[tuple[str, str]] = []
        record: list[str] = []
        done: list[str] = []
        for student in self.course.submitted_students(self.assignment):
            nbs = sorted(self.course.submitted_dir(student, self.assignment).glob("*.ipynb"))
            sha = "+".join(journal.file_sha(p) for p in nbs) if nbs else "none"
            res = journal.load_result(self.course, self.assignment, student)
            if not force and res and res.get("sha256") == sha:
                (done if res.get("recorded") else record).append(student)
                continue
            run.append((student, sha))
        return run, record, done

    # --- preparing one job ----------------------------------------------------------------
    def template(self, notebook: str) -> Template:
        if notebook not in self.templates:
            self.templates[notebook] = load_template(self.course, self.assignment, notebook)
        return self.templates[notebook]

    def prepare(self, student: str, sha: str, slot: int) -> _Job | dict:
        """A job for every notebook of the assignment that the student handed in."""
        sub_dir = self.course.submitted_dir(student, self.assignment)
        names = self.course.notebook_names(self.assignment)
        found = [n for n in names if (sub_dir / f"{n}.ipynb").exists()]
        if not found:
            return {
                "state": "rejected",
                "reason": f"no notebook named {' or '.join(n + '.ipynb' for n in names)} in {sub_dir}",
            }
        out_dir = self.pdir / EXECUTED / student / self.assignment
        shutil.rmtree(out_dir, ignore_errors=True)
        j = _Job(student, sha, found, self.pdir / "jobs" / student, slot, index=-1)
        if self.advance(j):
            return j
        return {"state": "rejected", "reason": "; ".join(f["message"] for p in j.parts for f in p["flags"])}

    def prepare_notebook(self, j: _Job) -> bool:
        """Rebuild the job's current notebook and write its job folder; False (and a part that
        says why) when that notebook cannot be read."""
        sub = self.course.submitted_dir(j.student, self.assignment) / f"{j.notebook}.ipynb"
        try:
            nb = read_notebook(sub)
        except GradingError as exc:
            j.parts.append(
                {
                    "notebook": j.notebook,
                    "executed": False,
                    "tests": {},
                    "flags": [
                        {
                            "code": "unreadable",
                            "message": f"{j.notebook}.ipynb: {exc}",
                            "grade_id": None,
                            "cell": None,
                        }
                    ],
                }
            )
            return False
        built = rebuild(self.template(j.notebook), nb)
        jobdir = j.jobdir
        shutil.rmtree(jobdir, ignore_errors=True)
        (jobdir / "data").mkdir(parents=True)
        os.chmod(jobdir, 0o700)
        nbformat.write(built.notebook, jobdir / "rebuilt.ipynb")
        rel = self.course.release_dir(self.assignment)
        for f in sorted(rel.iterdir()):
            if f.is_file() and f.suffix != ".ipynb":
                shutil.copy2(f, jobdir / "data" / f.name)
        # what is the same for every job of the slot is in its worker's serve-<slot>.json
        job = {
            "job_id": f"{self.assignment}-{j.student}-{os.getpid()}-{time.time_ns()}",
            "notebook": "rebuilt.ipynb",
            "cells": built.roles,
        }
        j.rebuild_flags, j.roles, j.killed = built.flags, built.roles, False
        journal.write_json(jobdir / "job.json", job)
        j.job_id = str(job["job_id"])
        return True

    def start(self, j: _Job) -> None:
        """Hand the job to its slot's worker (started on first use, and again after a hard kill)."""
        worker = self.pool.get(j.slot)
        if worker is None or not worker.alive():
            if worker is not None:
                worker.kill()
            worker = self.pool[j.slot] = self._start_worker(j.slot)
        worker.send(j.jobdir.name)
        j.started = time.monotonic()

    def _send(self, job: _Job, jobs: list[_Job]) -> None:
        """Queue a prepared job on its slot's worker; its clock starts when it reaches the head."""
        self.start(job)
        jobs.append(job)

    def _fill(self, queue: list[tuple[str, str]], sent: dict[int, list[_Job]], summary: Summary) -> None:
        """Give every slot its running job, then one more while the queue still holds a job for
        every slot. Near the end a waiting job would keep one worker busy while another idles,
        so the last jobs go to whichever worker is free first."""
        for depth in range(1, LOOKAHEAD + 1):
            for slot, jobs in sent.items():
                while queue and len(jobs) < depth and (depth == 1 or len(queue) >= len(sent)):
                    student, sha = queue.pop(0)
                    job = self.prepare(student, sha, slot)
                    if isinstance(job, dict):
                        res = {"student": student, "sha256": sha, "flags": [], "time": journal.now(), **job}
                        self._count(summary, student, self.record(student, res))
                        continue
                    self._send(job, jobs)

    def _start_worker(self, slot: int) -> sandbox.Worker:
        """A worker that grades this slot's submissions one after another, in its own namespaces."""
        jobs = self.pdir / "jobs"
        jobs.mkdir(parents=True, exist_ok=True)
        os.chmod(jobs, 0o700)
        cfg = {
            "level": self.level,
            "limits": self.limits.to_dict(),
            "uid": sandbox.kernel_uid(slot) if self.level == "full" else None,
            "gid": sandbox.kernel_uid(slot) if self.level == "full" else None,
            "judge_uid": sandbox.judge_uid(slot) if self.level == "full" else None,
            "hide": [str(p) for p in self.course.hidden_paths()],
            "course_root": str(self._public_root()),
            "draws": self.draws,
            "imports": self.imports,
        }
        if self.level == "basic":
            sandbox_root = tempfile.mkdtemp(prefix="ssg-")
            cfg["sandbox_root"] = sandbox_root
            self.basic_dirs.append(sandbox_root)
        if not self.shared_written:  # once per run: every worker copies it into the homes it makes
            shared = jobs / sandbox.SHARED_MPL
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            for f in _mpl_font_cache():
                shutil.copy2(f, shared / f.name)
            self.shared_written = True
        connection = self._zygote_connection()
        if connection is not None:
            cfg["zygote_fd"] = connection.fileno()
        journal.write_json(jobs / f"serve-{slot}.json", cfg)
        try:
            return sandbox.start_worker(
                self.level,
                str(jobs),
                f"serve-{slot}.json",
                str(jobs / f"worker-{slot}.log"),
                keep_fds=(connection.fileno(),) if connection is not None else (),
            )
        finally:
            if connection is not None:
                connection.close()  # the worker has its own copy

    def _zygote_connection(self) -> socket.socket | None:
        """At level `full`, a socket to the batch's zygote for a new worker (started with the
        first worker, unless the command started it earlier). Elsewhere, or if the zygote has
        gone, None: the worker's fork server then imports the stack itself."""
        if self.level != "full":
            return None
        if self.zygote is None:
            self.zygote = sandbox.Zygote()
        return self.zygote.connect()

    def _close_zygote(self) -> None:
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None

    def advance(self, j: _Job) -> bool:
        """Move the job to its next readable notebook; False when none is left."""
        j.index += 1
        while j.index < len(j.notebooks):
            if self.prepare_notebook(j):
                return True
            j.index += 1
        j.index = len(j.notebooks) - 1
        return False

    def _public_root(self) -> Path:
        from .. import paths

        return paths.course_root()

    # --- after a worker ends --------------------------------------------------------------
    def finalize_notebook(self, job: _Job, elapsed: float) -> dict:
        """Score-ready executed copy of the job's current notebook, and what happened to it."""
        result = journal.read_json(job.jobdir / "result.json", None)
        flags = list(job.rebuild_flags)
        try:
            executed = nbformat.read(job.jobdir / "executed.ipynb", as_version=4)
        except Exception:
            executed = nbformat.read(job.jobdir / "rebuilt.ipynb", as_version=4)
        if result is None:
            tail = ""
            log = self.pdir / "jobs" / f"worker-{job.slot}.log"
            if log.exists():
                tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
            result = {
                "records": [
                    {"index": i, "status": "not-run", "reason": "the worker failed"}
                    for i in range(len(executed.cells))
                ],
                "flags": [
                    {
                        "code": "worker-failed",
                        "message": f"the grading worker failed before running any cell: {tail[:300]}",
                    }
                ],
                "elapsed": elapsed,
                "restarts": 0,
            }
        flags += result.get("flags", [])
        if job.killed:
            flags.append(
                {
                    "code": "hard-killed",
                    "message": f"the submission was still running after the notebook time limit "
                    f"({self.limits.notebook_timeout:.0f}s + {self.limits.hard_kill_grace:.0f}s grace) and was killed; "
                    "results of the cells that ran were kept",
                    "grade_id": None,
                    "cell": None,
                }
            )
        records = {r["index"]: r for r in result.get("records", [])}
        tests = {}
        for role in job.roles:
            if role["kind"] != "test":
                continue
            i = role["index"]
            cell = executed.cells[i]
            rec = records.get(i, {"status": "not-run", "reason": "no record"})
            if not rec.get("judged"):  # only the judge writes a test cell's outputs
                cell.outputs = []
            has_error = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            reason = None
            if rec.get("status") not in ("ok", "error"):
                reason = f"this test produced no result ({rec.get('status')}: {rec.get('reason') or 'did not run'})"
            elif not rec.get("judged"):
                reason = "this test was not checked by the grader's judge"
            elif rec.get("status") == "error" and not has_error:
                reason = f"this test failed ({rec.get('ename') or 'error'}) but its traceback was suppressed"
            if reason:
                cell.outputs = list(cell.get("outputs", [])) + [
                    nbformat.v4.new_output(
                        "error", ename="GradingError", evalue=reason, traceback=[f"GradingError: {reason}"]
                    )
                ]
            tests[role["grade_id"]] = {"status": rec.get("status"), "failed_because": reason}
        trainee_md = {r["index"] for r in job.roles if r["kind"] in ("answer", "added")}
        removed = sanitize.sanitize_notebook(executed, trainee_md)
        if removed:
            flags.append(
                {
                    "code": "unsafe-content",
                    "message": "removed before anyone opens this notebook: " + "; ".join(removed[:6]),
                    "grade_id": None,
                    "cell": None,
                }
            )
        out_dir = self.pdir / EXECUTED / job.student / self.assignment
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, out_dir / f"{job.notebook}.ipynb")
        ts = self.course.submitted_dir(job.student, self.assignment) / "timestamp.txt"
        if ts.exists():
            shutil.copy2(ts, out_dir / "timestamp.txt")
        exec_time = sum(float(r.get("elapsed") or 0) for r in result.get("records", []))
        return {
            "notebook": job.notebook,
            "executed": True,
            "flags": flags,
            "tests": tests,
            "seconds": round(elapsed, 3),
            "cell_seconds": round(exec_time, 3),
            "kernel_restarts": result.get("restarts", 0),
        }

    def combine(self, job: _Job) -> dict:
        """One journal entry for the student, from the parts of every notebook."""
        many = len(job.notebooks) > 1
        flags, tests = [], {}
        for part in job.parts:
            for f in part["flags"]:
                flags.append({**f, "notebook": part["notebook"]} if many else f)
            for gid, t in part["tests"].items():
                tests[f"{part['notebook']}/{gid}" if many else gid] = t
        return {
            "student": job.student,
            "sha256": job.sha,
            "notebook": job.notebooks[0],
            "notebooks": [p["notebook"] for p in job.parts if p.get("executed")],
            "state": "graded-with-flags" if flags else "graded",
            "flags": flags,
            "tests": tests,
            "isolation": self.level,
            "seconds": round(sum(p.get("seconds", 0) for p in job.parts), 3),
            "cell_seconds": round(sum(p.get("cell_seconds", 0) for p in job.parts), 3),
            "kernel_restarts": sum(p.get("kernel_restarts", 0) for p in job.parts),
            "recorded": False,
            "time": journal.now(),
        }

    def record(self, student: str, result: dict) -> dict:
        """Single writer: score with nbgrader into the gradebook, then mark the journal."""
        if result.get("state") == "rejected":
            result["recorded"] = True
            journal.save_result(self.course, self.assignment, student, result)
            return result
        try:
            notebooks = result.get("notebooks") or [result["notebook"]]
            for notebook in notebooks:
                if notebook not in self.checked:  # nbgrader's metadata check, once per batch
                    gradebook.check_template(self.template(notebook).grading)
                    self.checked.add(notebook)
            gradebook.record(self.course, self.assignment, student, f".pipeline/{self.assignment}/{EXECUTED}")
            for notebook in notebooks:
                review = {
                    f.get("grade_id")
                    for f in result.get("flags", [])
                    if f.get("grade_id") and f.get("notebook", notebook) == notebook
                }
                gradebook.mark_for_review(self.course, self.assignment, student, notebook, review)
        except Exception as exc:
            # recorded as an error for this student (a resumed run does not retry it until the file changes)
            result["state"] = "error"
            result["reason"] = (
                f"nbgrader could not score this submission ({type(exc).__name__}: {str(exc)[:300]}); look at it by hand"
            )
            result["flags"] = list(result.get("flags", [])) + [
                {"code": "error", "message": result["reason"], "grade_id": None, "cell": None}
            ]
        result["recorded"] = True
        journal.save_result(self.course, self.assignment, student, result)
        return result

    # --- the batch ------------------------------------------------------------------------
    def run(self, force: bool = False) -> Summary:
        with gradebook.batch():  # the batch's records share nbgrader's database engines
            return self._run(force)

    def _run(self, force: bool) -> Summary:
        ensure_released(self.course, self.assignment)
        t0 = time.monotonic()
        summary = Summary(self.assignment, self.level)
        todo, to_record, done = self.plan(force)
        summary.skipped = done
        for student in to_record:  # executed before an interruption, not yet in the gradebook
            res = self.record(student, journal.load_result(self.course, self.assignment, student) or {})
            self._count(summary, student, res)
        queue = list(todo)
        # Each slot's worker holds up to LOOKAHEAD jobs: the one it runs and the next, already
        # prepared and sent, so it starts the next submission the moment it ends the last one,
        # while this process scores the finished one. The head of a slot's list is the one running.
        sent: dict[int, list[_Job]] = {slot: [] for slot in range(self.workers)}
        stop: list[int] = []
        previous = self._trap_signals(stop)
        try:
            # Workers start first: the zygote (or their fork servers) import the science stack
            # while this process prepares the first jobs, then imports nbgrader: a core is still
            # free then, where at the first record both grade.
            for slot in range(min(self.workers, len(queue))):
                self.pool[slot] = self._start_worker(slot)
            if queue:
                self._fill(queue, sent, summary)
                gradebook.warm()
            while queue or any(sent.values()):
                if stop:  # Ctrl-C / SIGTERM: stop at a safe point (never in the middle of a gradebook write)
                    raise KeyboardInterrupt(f"signal {stop[0]}")
                self._fill(queue, sent, summary)
                finished = []
                for slot, jobs in sent.items():
                    if not jobs:
                        continue
                    job, worker = jobs[0], self.pool[slot]
                    deadline = job.started + self.limits.notebook_timeout + self.limits.hard_kill_grace
                    if worker.done(job.jobdir.name) or not worker.alive():
                        finished.append(slot)
                    elif time.monotonic() > deadline:
                        worker.kill()  # the whole worker: the next submission gets a new one
                        job.killed = True
                        finished.append(slot)
                for slot in finished:
                    job = sent[slot].pop(0)
                    if not self.pool[slot].alive():  # killed or crashed: its queued job goes to a new worker
                        for waiting in sent[slot]:
                            self.start(waiting)
                    if sent[slot]:
                        sent[slot][0].started = time.monotonic()
                    self._fill(queue, sent, summary)  # keep the worker busy before scoring this one
                    self._cleanup(job)
                    job.parts.append(self.finalize_notebook(job, time.monotonic() - job.started))
                    if self.advance(job):  # the next notebook of this submission, in the same slot
                        self._send(job, sent[slot])
                        continue
                    if not queue:  # workers with nothing left end now, while this one is scored
                        for idle, jobs in sent.items():
                            if not jobs and idle in self.pool:
                                self.pool[idle].finish()
                    res = self.combine(job)
                    journal.save_result(
                        self.course, self.assignment, job.student, res
                    )  # executed: survives a crash
                    self._count(summary, job.student, self.record(job.student, res))
                if any(sent.values()) and not finished:
                    sandbox.Worker.wait_any([self.pool[k] for k, jobs in sent.items() if jobs], 0.05)
        except BaseException:
            summary.interrupted = True
            for worker in self.pool.values():
                worker.kill()
            for jobs in sent.values():
                for job in jobs:
                    self._cleanup(job)
            raise
        finally:
            for worker in self.pool.values():
                worker.finish()  # all of them first: they clean up side by side
            for worker in self.pool.values():
                worker.close()
            self.pool.clear()
            self._close_zygote()
            for d in self.basic_dirs:
                shutil.rmtree(d, ignore_errors=True)
            summary.seconds = time.monotonic() - t0
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return summary

    @staticmethod
    def _trap_signals(stop: list[int]) -> dict:
        """Turn SIGINT/SIGTERM into a flag the loop checks, so an interrupt is never swallowed by a
        library (or lands inside a write) and always ends the run cleanly."""
        previous = {}
        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, lambda signum, frame: stop.append(signum))
        except ValueError:  # not the main thread: keep the default behaviour
            pass
        return previous

    def _cleanup(self, job: _Job) -> None:
        sandbox.sweep(job.job_id)

    def _count(self, summary: Summary, student: str, res: dict) -> None:
        if res.get("state") == "rejected":
            summary.rejected.append(student)
        elif res.get("state") == "error":
            summary.errors.append(student)
        else:
            summary.graded.append(student)
            if res.get("flags"):
                summary.flagged.append(student)
        self.progress(student, res)


def autograde(
    course: Course,
    assignment: str,
    workers: int | None = None,
    limits: Limits | None = None,
    force: bool = False,
    level: str | None = None,
    progress=None,
    zygote: sandbox.Zygote | None = None,
) -> Summary:
    pipeline = Pipeline(
        course, assignment, workers=workers, limits=limits, level=level, progress=progress, zygote=zygote
    )
    return pipeline.run(force=force)
