"""Grade submissions inside a sandbox: `python -m smartseoul.grading.worker --serve JOBS CONFIG`.

The parent starts one worker per slot (inside `unshare` namespaces when the machine allows) and
hands it job folders one at a time. For each, the worker runs the trainee's cells (setup,
answers, added cells) in a fresh kernel, forked from a pre-imported fork server
(forkserver.py), with per-cell and per-notebook time limits and output capped in bytes. Test
cells never run in that kernel: the judge (judge.py), a separate trusted process, runs them on
the answers the kernel hands over as data (channel.py). The worker checkpoints the executed
notebook and a result record into the job folder after every cell, so a hard kill from outside
keeps the work of the cells that ran. The kernel sees only a private directory with the data it
needs, never the job folders (which hold the hidden tests) and never the judge. Between two
submissions nothing of the first is left: its processes, files and IPC objects are removed.

What the processes see of the file system is in filesystem.py; the kernel and its fork server
are in kernel.py; this module runs the cells of one job after another (Runner) and serves jobs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

from . import channel, forkserver, guard
from .filesystem import (
    BOUND,
    KEEP,
    JobFiles,
    chown_tree,
    fresh_sandbox,
    listdir,
    prepare_filesystem,
    same_device,
    set_subreaper,
    warm_homes,
    world_writable_dirs,
)
from .judge import JudgeClient, JudgeTimeout
from .judge import preload as judge_preload
from .kernel import Execution, ForkServer, Kernel
from .sandbox import JOB_MARKER, SHARED_MPL, Limits, judge_command, judge_env, kernel_rlimits, server_env


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


class Runner:
    """Runs the cells in order and keeps a record of what happened to each."""

    def __init__(self, job: dict, files: JobFiles, sandbox: Path, server: ForkServer, judge: JudgeClient):
        self.job, self.files, self.sandbox, self.judge = job, files, sandbox, judge
        self.limits = Limits(**job["limits"])
        self.nb = json.loads(files.read(job["notebook"]).decode("utf-8"))
        self.roles = {c["index"]: c for c in job["cells"]}
        self.records: list[dict] = [
            {"index": i, "status": "not-run", "reason": "", "elapsed": 0.0}
            for i in range(len(self.nb["cells"]))
        ]
        self.flags: list[dict] = []
        self.kernel = Kernel(job, sandbox, self.limits, server)
        self.channel_dir = sandbox.parent / "channel"
        self.judge_files: list[Path] = []  # trainee files copied for the judge, removed at the end
        self.handovers = 0
        self.started = time.monotonic()
        self.restarts = 0
        self.exec_count = 0

    # --- bookkeeping ---------------------------------------------------------------------
    def flag(self, code: str, message: str, index: int | None = None) -> None:
        role = self.roles.get(index, {}) if index is not None else {}
        self.flags.append({"code": code, "message": message, "cell": index, "grade_id": role.get("grade_id")})

    def remaining(self) -> float:
        return self.limits.notebook_timeout - (time.monotonic() - self.started)

    def checkpoint(self, done: bool = False) -> None:
        result = {
            "records": self.records,
            "flags": self.flags,
            "restarts": self.restarts,
            "elapsed": time.monotonic() - self.started,
            "done": done,
            "level": self.job["level"],
        }
        self.files.write("executed.ipynb", json.dumps(self.nb, ensure_ascii=False).encode("utf-8"))
        self.files.write("result.json", json.dumps(result, indent=1).encode("utf-8"))

    # --- kernel life ----------------------------------------------------------------------
    def _ask_guard(self, stage: str, timeout: int = 10, *args):
        """One silent round trip to the in-kernel guard; its report, or None if it did not answer."""
        code, nonce = guard.expression(stage, *args)
        ex = self.kernel.run(
            "", timeout, silent=True, store_history=False, user_expressions={"g": code}, collect=False
        )
        return guard.parse((ex.reply or {}).get("user_expressions", {}).get("g"), nonce)

    def start_kernel(self) -> bool:
        try:
            self.kernel.start(timeout=min(60.0, max(5.0, self.remaining())))
        except Exception as exc:
            self.flag("kernel-start", f"the kernel could not start: {exc}")
            return False
        if self._ask_guard("setup", 15, self.job.get("hide", [])) is None:
            self.flag("guard", "the grading guard could not take its baseline in the kernel")
        return True

    def restart_and_replay(self, upto: int, bad: set[int]) -> bool:
        """After a kernel had to be killed: start a fresh one and silently re-run the earlier
        cells that finished (not tests, not the culprits), so later questions still get graded."""
        self.kernel.stop()
        self.restarts += 1
        if self.restarts > 3 or self.remaining() <= 1 or not self.start_kernel():
            return False
        for i in range(upto):
            rec, role = self.records[i], self.roles.get(i, {})
            if i in bad or role.get("kind") == "test" or rec["status"] not in ("ok", "error"):
                continue
            if self.nb["cells"][i]["cell_type"] != "code":
                continue
            ex = self.kernel.run(
                _source(self.nb["cells"][i]),
                min(self.limits.cell_timeout, self.remaining()),
                silent=True,
                store_history=False,
                collect=False,
            )
            if ex.status in ("timeout", "died"):
                self.flag("replay", f"re-running cell {i} after a kernel restart failed ({ex.status})", i)
                return False
        return True

    # --- one cell -------------------------------------------------------------------------
    def run_cell(self, i: int) -> None:
        cell, rec = self.nb["cells"][i], self.records[i]
        budget = min(self.limits.cell_timeout, self.remaining())
        self.exec_count += 1
        ex = self.kernel.run(_source(cell), budget)
        if ex.status == "timeout":
            self.kernel.interrupt()
            ex = self.kernel.run(
                "", 3, msg_id=ex.msg_id, ex=ex
            )  # keep waiting briefly for the interrupted reply
            rec["elapsed"] = round(ex.elapsed, 3)
            if ex.status in ("timeout", "died"):
                reason = "exceeded the time limit and ignored the interrupt; the kernel was killed"
                self.flag("timeout", f"cell {i} {reason} ({budget:.0f}s)", i)
                rec.update(status="timeout", reason=reason)
                self._store(cell, ex)
                self.restart_and_replay(i, {i})
                return
            reason = f"exceeded the per-cell time limit ({budget:.0f}s) and was interrupted"
            self.flag("timeout", f"cell {i} {reason}", i)
            rec.update(status="timeout", reason=reason)
            self._store(cell, ex)
            return
        if ex.status == "died":
            reason = "the kernel died while running this cell (os._exit, a crash or memory exhaustion)"
            self.flag("kernel-died", f"cell {i}: {reason}; it was restarted", i)
            rec.update(status="died", reason=reason)
            self._store(cell, ex)
            self.restart_and_replay(i, {i})
            return
        if ex.truncated:
            self.flag(
                "output-flood",
                f"cell {i} printed {ex.truncated} bytes over the output limit; the excess was dropped",
                i,
            )
            ex.outputs.append(
                {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": f"\n[grader: {ex.truncated} bytes of output dropped (limit)]\n",
                }
            )
        if ex.ename == "MemoryError":
            self.flag(
                "memory",
                f"cell {i} ran out of memory (limit {self.limits.memory_bytes / 1024**3:.1f} GiB)",
                i,
            )
        if ex.ename == "SystemExit":
            self.flag("sys-exit", f"cell {i} called sys.exit()", i)
        rec.update(status=ex.status, elapsed=round(ex.elapsed, 3), ename=ex.ename, evalue=ex.evalue[:500])
        self._store(cell, ex)

    # --- one test, in the judge ----------------------------------------------------------
    def _kernel_expression(self, expr: str, budget: float, i: int, what: str) -> tuple[dict | None, str]:
        """Evaluate one channel expression in the kernel with a time limit: (its user-expression
        reply, "") or (None, why). A kernel that has to be killed is restarted and replayed."""
        ex = self.kernel.run(
            "", budget, silent=True, store_history=False, user_expressions={"x": expr}, collect=False
        )
        if ex.status == "timeout":
            self.kernel.interrupt()
            ex = self.kernel.run("", 3, msg_id=ex.msg_id, ex=ex)
            self.flag("timeout", f"{what} did not finish within the time limit ({budget:.0f}s)", i)
            if ex.status in ("timeout", "died"):
                self.restart_and_replay(i, set())
                return None, f"{what} did not finish within {budget:.0f} s"
        if ex.status == "died":
            self.flag("kernel-died", f"the kernel died during {what}; it was restarted", i)
            self.restart_and_replay(i, set())
            return None, f"the kernel stopped during {what}"
        reply = (ex.reply or {}).get("user_expressions", {}).get("x")
        if not isinstance(reply, dict):
            return None, f"the kernel did not answer {what}"
        return reply, ""

    def _handover_dir(self, prefix: str) -> str:
        self.handovers += 1
        return str(self.channel_dir / f"{prefix}{self.handovers}")

    def export_answers(
        self, i: int, names: list[str], budget: float
    ) -> tuple[dict, dict[str, bytes], dict[str, str]]:
        """The kernel writes the named answers as data; the worker reads them, trusting nothing."""
        if not names:
            return {"names": {}}, {}, {}
        folder = self._handover_dir("x")
        expr = f"__import__('smartseoul.grading.channel', fromlist=['export']).export(globals(), {names!r}, {folder!r})"
        try:
            reply, why = self._kernel_expression(expr, budget, i, "handing over the answers")
            if reply is None:
                return {}, {}, {"*": why}
            if reply.get("status") != "ok":
                return {}, {}, {"*": f"handing over the answers failed ({reply.get('ename', 'error')})"}
            manifest, blobs = channel.read_dir(folder)
            return manifest, blobs, {}
        except channel.Unreadable as exc:
            return {}, {}, {"*": str(exc)}
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def serve_call(
        self, i: int, name: str, manifest: dict, blobs: dict[str, bytes]
    ) -> tuple[dict, dict[str, bytes]]:
        """The judge calls a trainee's function: run it in the kernel, hand the result back."""
        din, dout = self._handover_dir("i"), self._handover_dir("o")
        budget = max(1.0, min(self.limits.cell_timeout, self.remaining()))
        try:
            channel.write_dir(din, manifest, blobs)
            chown_tree(Path(din), self.job.get("uid"), self.job.get("gid"))
            expr = (
                f"__import__('smartseoul.grading.channel', fromlist=['call'])"
                f".call(globals(), {name!r}, {din!r}, {dout!r})"
            )
            reply, why = self._kernel_expression(expr, budget, i, f"a call of `{name}`")
            if reply is None:
                return {"raised": "TimeoutError" if "within" in why else "RuntimeError", "message": why}, {}
            if reply.get("status") != "ok":
                return {
                    "raised": str(reply.get("ename") or "RuntimeError")[:100],
                    "message": str(reply.get("evalue") or "")[:2000],
                }, {}
            out, rblobs = channel.read_dir(dout)
            if "raised" in out:
                return {"raised": str(out["raised"])[:100], "message": str(out.get("message", ""))[:2000]}, {}
            return {"manifest": out}, rblobs
        except channel.Unreadable as exc:
            return {"raised": "RuntimeError", "message": str(exc)}, {}
        finally:
            shutil.rmtree(din, ignore_errors=True)
            shutil.rmtree(dout, ignore_errors=True)

    def hand_file_to_judge(self, name: str) -> str:
        """Copy one declared file from the kernel's folder to the judge's, trusting nothing (a
        regular file, no link, within the byte budget); "" or why it could not be read."""
        try:
            dfd = os.open(self.sandbox, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return "the notebook's folder could not be read"
        try:
            data = channel.read_regular(dfd, name, channel.MAX_BYTES)
        except channel.Unreadable:
            return f"the file {name} is missing or not a plain file"
        finally:
            os.close(dfd)
        target = self.sandbox.parent / "judge" / name
        target.write_bytes(data)
        self.judge_files.append(target)
        if self.job.get("judge_uid") is not None:
            os.chown(target, self.job["judge_uid"], self.job["judge_uid"])
        return ""

    def run_test(self, i: int) -> None:
        """A test cell runs in the judge, on answers the kernel hands over as data. Its outputs
        are the judge's alone: nothing the kernel displays can reach nbgrader's scoring."""
        cell, role, rec = self.nb["cells"][i], self.roles.get(i, {}), self.records[i]
        gid = role.get("grade_id")
        budget = max(1.0, min(self.limits.cell_timeout, self.remaining()))
        began = time.monotonic()
        self.exec_count += 1
        cell["outputs"], cell["execution_count"] = [], self.exec_count
        if role.get("judge") == "manual":  # declared: its answer cannot be checked as data
            reason = "this question is graded by hand: its answer (a figure, a file, a judgement) is not checked automatically"
            cell["outputs"] = [
                {
                    "output_type": "error",
                    "ename": "GradingError",
                    "evalue": reason,
                    "traceback": [f"GradingError: {reason}"],
                }
            ]
            rec.update(status="error", judged=True, ename="GradingError", evalue=reason)
            self.flag(
                "manual-question", f"question '{gid}' is graded by hand (declared in the assignment)", i
            )
            return
        names = list(role.get("needs", []))
        manifest, blobs, unreadable = self.export_answers(i, names, budget)
        for name in role.get("files", []):  # declared files of the trainee's folder, read as data
            why = self.hand_file_to_judge(name)
            if why:
                unreadable[name] = why
        try:
            verdict = self.judge.test(
                _source(cell),
                f"test {gid}",
                names,
                manifest,
                blobs,
                unreadable,
                lambda name, m, b: self.serve_call(i, name, m, b),
                budget,
            )
        except (JudgeTimeout, EOFError, OSError, ValueError) as exc:
            self.judge.stop()
            timed_out = isinstance(exc, JudgeTimeout)
            reason = (
                f"the check did not finish within the time limit ({budget:.0f}s)"
                if timed_out
                else f"the grader's judge stopped ({type(exc).__name__})"
            )
            self.flag("timeout" if timed_out else "judge", f"test '{gid}': {reason}", i)
            rec.update(
                status="timeout" if timed_out else "died",
                reason=reason,
                elapsed=round(time.monotonic() - began, 3),
            )
            return
        cell["outputs"] = list(verdict.get("outputs", []))
        rec.update(
            status="ok" if verdict.get("status") == "ok" else "error",
            judged=True,
            ename=str(verdict.get("ename", "")),
            evalue=str(verdict.get("evalue", ""))[:500],
            elapsed=round(time.monotonic() - began, 3),
        )
        if verdict.get("unreadable"):
            why = "; ".join(
                w if n == "*" else f"`{n}`: {w}" for n, w in sorted(verdict["unreadable"].items())
            )
            self.flag(
                "unreadable-answer",
                f"question '{gid}': the answer could not be read as data ({why}); the test counts as failed",
                i,
            )

    def final_checks(self) -> None:
        """Attempts the sandbox stopped (audit log) and processes still running besides the kernel."""
        if not self.kernel.alive() or self.remaining() < -5:
            return
        report = self._ask_guard("final")
        if report is None:
            self.flag(
                "tamper",
                "the kernel did not answer the grader's final check (its messaging was tampered "
                "with); this does not change the score: tests run outside the kernel",
            )
        else:
            if report.get("issues"):
                self.flag(
                    "tamper",
                    "the submission changed how its kernel runs code ("
                    + "; ".join(report["issues"][:6])
                    + "); this does not change the score: tests run outside the kernel",
                )
            if report.get("audit"):
                self.flag("attempt", "the submission tried to: " + "; ".join(report["audit"][:8]))
        if self.job["level"] in ("full", "userns"):
            self._disk_check()
            self._litter_check()
        try:
            procs = [
                p for p in job_processes(self.job["job_id"], self.kernel.server) if p.pid != self.kernel.pid
            ]
            names = sorted({p.name() for p in procs})
            if names:
                self.flag(
                    "processes",
                    f"{len(procs)} process(es) started by the submission were still running "
                    f"at the end ({', '.join(names[:5])}); they were killed",
                )
        except Exception:
            pass

    def _disk_check(self) -> None:
        """The private tmpfs and the per-file limit stop a disk fill; flag a submission that hit them."""
        biggest, total = 0, 0
        for base in (str(self.sandbox.parent), "/var/tmp", "/dev/shm"):
            try:
                dev = os.stat(base).st_dev
            except OSError:
                continue
            for dirpath, dirs, files in os.walk(base):
                # stay on the private tmpfs: course folders bound back in (a course under /tmp) are not the submission's
                dirs[:] = [d for d in dirs if same_device(os.path.join(dirpath, d), dev)]
                for n in files:
                    try:
                        size = os.lstat(os.path.join(dirpath, n)).st_size
                    except OSError:
                        continue
                    biggest, total = max(biggest, size), total + size
        if biggest >= self.limits.file_bytes or total >= 0.9 * self.limits.disk_bytes:
            self.flag(
                "disk",
                f"the submission wrote {total / 1024**2:.0f} MiB (largest file {biggest / 1024**2:.0f} MiB) "
                f"and hit the disk limits ({self.limits.file_bytes / 1024**2:.0f} MiB per file, "
                f"{self.limits.disk_bytes / 1024**2:.0f} MiB in all)",
            )

    def _litter_check(self) -> None:
        """What a submission left where anyone may write, or in SysV IPC: private to this grading
        run (its own tmpfs and IPC namespace, gone when the worker ends), but worth a flag."""
        left = []
        ours = {"sandbox", *KEEP} if self.sandbox.parent == Path("/tmp") else set()
        for top in world_writable_dirs():
            entries = [
                e
                for e in listdir(top)
                if e not in BOUND.get(top, set()) and not (top == "/tmp" and e in ours)
            ]
            if entries:
                left.append(f"{top} ({', '.join(sorted(entries)[:3])})")
        ipc = []
        for kind in ("shm", "sem", "msg"):
            try:
                with open(f"/proc/sysvipc/{kind}", encoding="utf-8") as fh:
                    n = max(0, len(fh.read().strip().splitlines()) - 1)
            except OSError:
                n = 0
            if n:
                ipc.append(f"{n} SysV {kind} object(s)")
        if left or ipc:
            self.flag(
                "litter",
                "the submission left "
                + "; ".join(ipc + [f"files in {x}" for x in left])
                + " (private to grading and removed with it)",
            )

    def _store(self, cell, ex: Execution) -> None:
        if cell["cell_type"] == "code":
            cell["outputs"] = ex.outputs
            cell["execution_count"] = self.exec_count

    # --- the notebook ---------------------------------------------------------------------
    def run(self) -> None:
        self.checkpoint()
        cells = self.nb["cells"]
        first_test = next(
            (i for i, c in enumerate(cells) if self.roles.get(i, {}).get("kind") == "test"), len(cells)
        )
        prefix = [
            i
            for i in range(first_test)
            if cells[i]["cell_type"] == "code" and self.roles.get(i, {}).get("kind") == "other"
        ]
        try:  # the judge's setup before the first test is run once per worker and forked for each submission
            self.judge.begin([(_source(cells[i]), f"setup cell {i}") for i in prefix])
        except (JudgeTimeout, EOFError, OSError, ValueError) as exc:
            self._judge_failed(exc)
        if not self.start_kernel():
            self.checkpoint(done=True)
            return
        for i, cell in enumerate(self.nb["cells"]):
            if cell["cell_type"] != "code":
                self.records[i]["status"] = "skipped"
                continue
            if self.remaining() <= 0.5:
                self.records[i].update(status="not-run", reason="the notebook time limit was reached")
                if not any(f["code"] == "notebook-timeout" for f in self.flags):
                    self.flag(
                        "notebook-timeout",
                        f"the notebook time limit ({self.limits.notebook_timeout:.0f}s) was reached at cell {i}",
                        i,
                    )
                continue
            if not self.kernel.alive() and not self.restart_and_replay(i, set()):
                self.records[i].update(status="not-run", reason="no working kernel")
                continue
            kind = self.roles.get(i, {}).get("kind")
            if kind == "test":
                self._await_judge()
                self.run_test(i)
            else:
                if (
                    kind == "other" and i not in prefix
                ):  # the assignment's own setup: the judge runs its trusted copy too
                    self.judge.setup(_source(cell), f"setup cell {i}")
                self.run_cell(i)
            self.checkpoint()
        self.final_checks()
        self._judge_setup_errors()
        self.kernel.stop()
        self.judge.end()
        for f in self.judge_files:
            f.unlink(missing_ok=True)
        self.checkpoint(done=True)

    def _await_judge(self) -> None:
        """Before a test: the judge `begin` asked for (its setup ran while the kernel started and
        ran the answers). A no-op once it is there."""
        try:
            self.judge.ready(max(5.0, self.remaining()))
        except (JudgeTimeout, EOFError, OSError, ValueError) as exc:
            self._judge_failed(exc)

    def _judge_failed(self, exc: Exception) -> None:
        self.judge.stop()
        self.flag("judge", f"the grader's judge could not start ({type(exc).__name__}): tell the course team")

    def _judge_setup_errors(self) -> None:
        try:
            if self.judge.alive():
                self.judge.settle(max(5.0, self.remaining()))
        except (JudgeTimeout, EOFError, OSError, ValueError):
            self.judge.stop()  # replies still on their way would reach the next submission
        for err in self.judge.setup_errors[:3]:
            self.flag(
                "judge", f"the assignment's setup failed in the grader's judge ({err}): tell the course team"
            )


def job_processes(job_id: str, server: ForkServer | None = None) -> list:
    """Every process of this submission: below the fork server (one kernel at a time per
    worker), or carrying the submission's marker (programs it started)."""
    import psutil

    found = list(server.descendants()) if server is not None else []
    for proc in psutil.process_iter(["pid"]):
        try:
            if (
                proc.environ().get(JOB_MARKER) == job_id
                and proc.pid not in {p.pid for p in found}
                and proc.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def _kill_children() -> None:
    import psutil

    me = psutil.Process()
    for child in me.children(recursive=True):
        try:
            child.kill()
        except psutil.Error:
            pass


def serve(root: str, config: str) -> int:
    """`python -m smartseoul.grading.worker --serve JOBS CONFIG`: one worker for many submissions, in
    order. Reads a job folder name (relative to JOBS) per line on stdin, grades it, answers
    {"done": name} on stdout. Namespaces, the fork server and the judge are set up once."""
    set_subreaper()
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever prints goes to the log, not into the protocol
    root_files = JobFiles(root)
    cfg = json.loads(root_files.read(config))

    def _stop(*_: object) -> None:
        _kill_children()
        os._exit(3)

    signal.signal(signal.SIGTERM, _stop)
    top = prepare_filesystem(cfg)
    mpl = {name: root_files.read(f"{SHARED_MPL}/{name}") for name in root_files.listdir(SHARED_MPL)}
    # Warm start: the fork server (forked from the batch's zygote at level full) and the judge
    # import their modules now, while the parent still prepares the first submission.
    draws = bool(cfg.get("draws"))  # the assignment draws: matplotlib is preloaded too
    imports = [str(name) for name in cfg.get("imports", [])]  # and what its notebooks import
    server = ForkServer(
        server_env(cfg, warm_homes(top, mpl, cfg)),
        str(top / "sandbox"),
        nested=cfg["level"] == "userns",
        modules=forkserver.preload(draws, imports),
        zygote=socket.socket(fileno=cfg["zygote_fd"]) if cfg.get("zygote_fd") is not None else None,
    )
    server.start()
    judge_dir = top / "judge"
    judge_cfg = {
        "rlimits": kernel_rlimits(Limits(**cfg["limits"]), cfg["level"]),
        "uid": cfg.get("judge_uid"),
        "gid": cfg.get("judge_uid"),
        "cwd": str(judge_dir),
        "preload": judge_preload(draws, imports),
    }
    env = judge_env(cfg, judge_dir)
    # The judge comes from the fork server's imports, except where the server is nested in a
    # further namespace (`userns`): there the judge must stay outside it, and starts anew.
    fork = None if server.nested else (lambda: server.judge({**judge_cfg, "env": env}, 120))
    judge = JudgeClient(judge_command(judge_cfg), env, str(judge_dir), None, fork=fork)
    judge.spawn()
    try:
        for line in sys.stdin:
            name = line.strip()
            if not name:
                continue
            files = JobFiles(name, parent_fd=root_files.fd)
            job = {**cfg, **json.loads(files.read("job.json"))}
            try:
                sandbox = fresh_sandbox(top, files, job, mpl)
                runner = Runner(job, files, sandbox, server, judge)
                try:
                    runner.run()
                finally:
                    runner.kernel.stop()
                    for proc in job_processes(job["job_id"], server):
                        try:
                            proc.kill()
                        except Exception:
                            pass
            except Exception as exc:
                print(f"worker: {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            finally:
                files.close()
            out.write(json.dumps({"done": name}) + "\n")
            out.flush()
    finally:
        server.stop()
        judge.stop()
        _kill_children()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "--serve":
        sys.exit("usage: python -m smartseoul.grading.worker --serve JOBS_FOLDER CONFIG.json")
    sys.exit(serve(sys.argv[2], sys.argv[3]))
