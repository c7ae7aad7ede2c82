"""The judge: the trusted process that runs an assignment's test cells, outside the trainee's kernel.

Why: a check that runs in the trainee's process can be steered by the trainee's code (IPython
hooks, a patched ``Session.send``, shadowed builtins ...). So the worker runs only the trainee's
cells (answers, added cells, and the assignment's setup cells) in the trainee's kernel, and
sends every test cell here instead. The judge

- runs the assignment's own setup cells itself, so it has a trusted copy of the data;
- gets the names a test needs from the kernel as data (channel.py), never as objects;
- calls a trainee's function through a proxy: the worker runs it in the kernel, with a time
  limit per call, and hands back the result as data;
- writes the only outputs a test cell ever has: what the test printed, or the error that made it
  fail. nbgrader scores those, and nothing the kernel displayed.

The judge runs as its own user (isolation level ``full``), with the kernel's resource limits,
and is not dumpable, so the kernel cannot read its memory (where the hidden tests are).

One judge serves a worker for many submissions: it runs the setup cells that come before the
first test once, then forks a child for each submission, so no answer of one submission can
reach the next and the data are not loaded again. The judge itself is usually forked by the
kernels' fork server (forkserver.py), which has already imported the science stack; where that
server is nested in a further namespace, it is started as ``python -m smartseoul.grading.judge``.

Protocol (frames of channel.send_frame on stdin/stdout, a pipe or a socket pair):
  worker -> judge  {"op": "setup", "code", "label"}          -> {"op": "done", "status", ...}
  worker -> judge  {"op": "fork"}     -> (the child) {"op": "forked", "pid"}; the child serves
                                         until {"op": "end"}, then the parent serves again
  worker -> judge  {"op": "test", "code", "label", "names", "manifest", "unreadable"} + blobs
       judge -> worker {"op": "call", "name", "manifest"} + blobs   (zero or more times)
       worker -> judge {"op": "result", "manifest" | "raised", "message"} + blobs
                                                              -> {"op": "done", "status", "outputs"}
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import importlib
import io
import os
import select
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import channel
from .forkserver import COURSE, PR_SET_DUMPABLE, PR_SET_PDEATHSIG, SCIENCE, adding, prctl

if TYPE_CHECKING:
    from .kernel import ForkedJudge

OUTPUT_CAP = 64 * 1024  # what one test may print (trusted code, but it may echo trainee data)
# What assignments' setup cells and tests import, imported once per worker before any setup runs
# (pyplot only for an assignment that draws: see preload).
PRELOAD = (*SCIENCE, *COURSE)


def preload(draws: bool, imports: list[str] | tuple[str, ...] = ()) -> list[str]:
    return adding([*PRELOAD, *(("matplotlib.pyplot",) if draws else ())], imports)


# --- the judge process ------------------------------------------------------------------------
class _Exit(Exception):
    pass


def _exception_class(name: str) -> type[BaseException]:
    """The exception a trainee's function raised, as the judge raises it for the check: a real
    builtin class when the name is one (so a test may catch ValueError), else a look-alike."""
    real = getattr(builtins, name, None) if name.isidentifier() else None
    if isinstance(real, type) and issubclass(real, Exception):
        return real
    return type(name if name.isidentifier() else "Error", (Exception,), {})


class JudgeProcess:
    def __init__(self, inp: Any, out: Any):
        self.inp, self.out = inp, out
        self.ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}

    def proxy(self, name: str) -> Callable:
        def call(*args: Any, **kwargs: Any) -> Any:
            manifest, blobs = channel.pack(
                {"args": tuple(args), "kwargs": dict(kwargs)}, functions_by_name=False
            )
            if (
                manifest["names"]["args"].get("t") == "unreadable"
                or manifest["names"]["kwargs"].get("t") == "unreadable"
            ):
                raise RuntimeError(f"the grader could not pass these arguments to `{name}`")
            channel.send_frame(self.out, {"op": "call", "name": name, "manifest": manifest}, blobs)
            header, rblobs = channel.recv_frame(self.inp)
            if header.get("op") == "quit":
                raise _Exit()
            if header.get("raised"):
                raise _exception_class(str(header["raised"]))(str(header.get("message", ""))[:2000])
            values, why = channel.unpack(header.get("manifest") or {}, rblobs)
            if why:
                raise TypeError(
                    f"`{name}` returned a value the grader cannot read: {next(iter(why.values()))}"
                )
            return values.get("result")

        call.__name__ = call.__qualname__ = name
        return call

    def run(self, code: str, label: str) -> dict:
        buf = io.StringIO()
        status, ename, evalue = "ok", "", ""
        with (
            contextlib.redirect_stdout(buf),
            contextlib.redirect_stderr(io.StringIO()),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            try:
                exec(compile(code, f"<{label}>", "exec"), self.ns)
            except _Exit:
                raise
            except BaseException as exc:
                status, ename, evalue = "error", type(exc).__name__, str(exc)
        text = buf.getvalue()
        outputs: list[dict] = []
        if text:
            if len(text) > OUTPUT_CAP:
                text = text[:OUTPUT_CAP] + "\n[grader: output cut]\n"
            outputs.append({"output_type": "stream", "name": "stdout", "text": text})
        if status == "error":
            evalue = evalue[:4000]
            outputs.append(
                {
                    "output_type": "error",
                    "ename": ename,
                    "evalue": evalue,
                    "traceback": [f"{ename}: {evalue}"],
                }
            )
        return {"op": "done", "status": status, "ename": ename, "evalue": evalue, "outputs": outputs}

    def test(self, header: dict, blobs: dict[str, bytes]) -> dict:
        names = [n for n in header.get("names", []) if isinstance(n, str) and n.isidentifier()]
        unreadable = dict(header.get("unreadable") or {})
        values, why = channel.unpack(header.get("manifest") or {}, blobs, proxy=self.proxy)
        unreadable.update(why)
        for n in names:
            self.ns.pop(n, None)  # an answer that is missing now must not keep an older value
        if unreadable:
            if "*" in unreadable:
                message = f"your answers could not be read from your notebook ({unreadable['*']})."
            else:
                message = "; ".join(f"`{n}`: {w}" for n, w in sorted(unreadable.items())) + "."
            evalue = f"The grader could not check this answer. {message}"
            return {
                "op": "done",
                "status": "error",
                "ename": "GradingError",
                "evalue": evalue,
                "unreadable": unreadable,
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "GradingError",
                        "evalue": evalue,
                        "traceback": [f"GradingError: {evalue}"],
                    }
                ],
            }
        self.ns.update(values)
        return self.run(str(header.get("code", "")), str(header.get("label", "test")))

    def serve(self) -> int:
        while True:
            try:
                header, blobs = channel.recv_frame(self.inp)
            except EOFError:
                return 0
            op = header.get("op")
            try:
                if op == "setup":
                    reply = self.run(str(header.get("code", "")), str(header.get("label", "setup")))
                elif op == "test":
                    reply = self.test(header, blobs)
                elif op == "fork":
                    gc.freeze()
                    pid = os.fork()
                    if pid:  # the parent waits for this submission's child, then serves the next
                        os.waitpid(pid, 0)
                        continue
                    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                    reply = {"op": "forked", "pid": os.getpid()}
                elif op in ("quit", "end"):
                    return 0
                else:
                    reply = {
                        "op": "done",
                        "status": "error",
                        "ename": "ProtocolError",
                        "evalue": f"unknown op {op!r}",
                        "outputs": [],
                    }
            except _Exit:
                return 0
            channel.send_frame(self.out, reply)


def main(modules: list[str]) -> int:
    prctl(PR_SET_DUMPABLE, 0)  # no core dumps, no ptrace, no /proc/<pid>/mem: the hidden tests stay here
    for name in modules:  # before the first frame: a worker spawns the judge early (JudgeClient.spawn)
        try:
            importlib.import_module(name)
        except Exception:
            pass
    try:  # the language of the checks' messages: read once here, not in every submission's copy
        from smartseoul.i18n import messages

        messages.choose()
    except Exception:
        pass
    out = os.fdopen(os.dup(1), "wb")
    # Unbuffered: a submission's forked judge reads from the same pipe as this process. A buffer
    # would read ahead, so the child could swallow the next submission's "fork" with its own
    # "end" (the worker then waited out the notebook's time limit), and this process could keep
    # a copy of frames meant for the child.
    inp = os.fdopen(os.dup(0), "rb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)  # whatever prints bypassing sys.stdout must not corrupt the protocol
    code = JudgeProcess(inp, out).serve()
    out.flush()
    os._exit(code)  # a forked child must not run the parent's clean-up


# --- the worker's side --------------------------------------------------------------------------
class JudgeTimeout(Exception):
    pass


class _DeadlineReader:
    """Reads a pipe with a deadline, so a stuck judge cannot stall the worker."""

    def __init__(self, fd: int):
        self.fd = fd
        self.deadline = float("inf")

    def read(self, n: int) -> bytes:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise JudgeTimeout()
        ready, _, _ = select.select([self.fd], [], [], min(left, 3600))
        if not ready:
            raise JudgeTimeout()
        return os.read(self.fd, n)


class JudgeClient:
    """One judge for one worker. Per submission: `begin` (ask for a child forked from a judge that
    already ran the setup prefix), `ready` (wait for it, before the first test), tests, `end`.
    Restarted (setup replayed) if it dies or overruns."""

    def __init__(
        self,
        command: list[str],
        env: dict,
        cwd: str,
        log_path: str | None,
        fork: Callable[[], ForkedJudge] | None = None,
    ):
        self.command, self.env, self.cwd, self.log_path = command, env, cwd, log_path
        self.fork = fork  # where given: the judge is forked from the kernels' fork server, not started anew
        self.proc: subprocess.Popen | ForkedJudge | None = None
        self.reader: _DeadlineReader | None = None
        self.prefix: list[tuple[str, str]] = []  # setup run once in the judge, before each fork
        self.prefix_errors: list[str] = []
        self.setups: list[tuple[str, str]] = []  # this submission's later setup cells, for a restart
        self.pending = 0
        self.child: int | None = None
        self.setup_errors: list[str] = []
        self.primed = False  # the prefix was sent to this judge process
        self.awaiting: int | None = None  # after `begin`: prefix replies to read before "forked"

    def spawn(self) -> None:
        """Start the judge process. It imports its modules (PRELOAD) before it reads anything, so
        a worker spawns it before the first submission arrives."""
        if self.fork is not None:
            self.proc = self.fork()
        else:
            log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 (closed in the finally below)
            try:
                self.proc = subprocess.Popen(
                    self.command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    env=self.env,
                    cwd=self.cwd,
                    close_fds=True,
                )
            finally:
                if log is not None:
                    log.close()
        assert self.proc.stdout is not None
        self.reader = _DeadlineReader(self.proc.stdout.fileno())
        self.pending, self.child, self.primed, self.awaiting = 0, None, False, None

    def start(self) -> None:
        """A new judge, ready for this submission: prefix run, child forked, setups replayed."""
        self.spawn()
        self._ask()
        self.setup_errors = []
        self.ready(120)
        for code, label in self.setups:
            self._send({"op": "setup", "code": code, "label": label})
            self.pending += 1

    def _ask(self) -> None:
        """Send the prefix (once per judge process) and the fork request, without waiting."""
        sent = 0
        if not self.primed:
            self.primed, self.prefix_errors = True, []
            for code, label in self.prefix:
                self._send({"op": "setup", "code": code, "label": label})
                sent += 1
        self._send({"op": "fork"})
        self.awaiting = sent

    def begin(self, prefix: list[tuple[str, str]]) -> None:
        """Ask for this submission's judge, forked from one that already ran `prefix`. It does not
        wait: the kernel starts and runs the answers meanwhile, and `ready` waits before the first
        test. (On a worker's first submission that hides the judge's imports and setup.)"""
        self.setups, self.setup_errors = [], []
        if self.alive() and (not self.primed or prefix == self.prefix):
            self.prefix = prefix
        else:  # dead, or another assignment's setup: a new judge
            self.stop()
            self.prefix = prefix
            self.spawn()
        self._ask()

    def ready(self, timeout: float) -> None:
        """Wait for the child `begin` asked for, and on a judge's first submission for the
        prefix's results. A no-op once the child is there."""
        if self.awaiting is None:
            return
        deadline = time.monotonic() + timeout
        while self.awaiting:
            header, _ = self._recv(deadline)
            self.awaiting -= 1
            if header.get("status") != "ok":
                self.prefix_errors.append(f"{header.get('ename')}: {str(header.get('evalue'))[:300]}")
        header, _ = self._recv(deadline)
        if header.get("op") != "forked":
            raise JudgeTimeout()
        self.child = int(header["pid"])
        self.awaiting = None
        self.setup_errors = list(self.prefix_errors) + self.setup_errors

    def end(self) -> None:
        """This submission's judge exits; the parent waits for the next `begin`."""
        if self.alive() and self.awaiting is not None:  # asked for, never used: let it come first
            try:
                self.ready(10)
            except (JudgeTimeout, EOFError, OSError, ValueError):
                self.stop()
        if self.alive() and self.child is not None:
            try:
                self._send({"op": "end"})
            except OSError:
                self.stop()
        self.child = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _send(self, header: dict, blobs: dict[str, bytes] | None = None) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        channel.send_frame(self.proc.stdin, header, blobs)

    def _recv(self, deadline: float) -> tuple[dict, dict[str, bytes]]:
        assert self.reader is not None
        self.reader.deadline = deadline
        return channel.recv_frame(self.reader)

    def setup(self, code: str, label: str) -> None:
        """Run a setup cell in the judge without waiting for it (the kernel runs its own copy meanwhile)."""
        self.setups.append((code, label))
        if not self.alive():
            self.start()  # replays this submission's setups, this one included
            return
        self._send({"op": "setup", "code": code, "label": label})
        self.pending += 1

    def settle(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self.ready(timeout)
        while self.pending:
            header, _ = self._recv(deadline)
            self.pending -= 1
            if header.get("status") != "ok":
                self.setup_errors.append(f"{header.get('ename')}: {str(header.get('evalue'))[:300]}")

    def test(
        self,
        code: str,
        label: str,
        names: list[str],
        manifest: dict,
        blobs: dict[str, bytes],
        unreadable: dict[str, str],
        serve: Callable[[str, dict, dict[str, bytes]], tuple[dict, dict[str, bytes]]],
        timeout: float,
    ) -> dict:
        """Run one test cell; `serve` answers the judge's calls of a trainee's function. The
        judge's own time counts against `timeout`; time spent in the kernel does not."""
        if not self.alive():
            self.start()
        self.settle(timeout)
        self._send(
            {
                "op": "test",
                "code": code,
                "label": label,
                "names": names,
                "manifest": manifest,
                "unreadable": unreadable,
            },
            blobs,
        )
        deadline = time.monotonic() + timeout
        while True:
            header, rblobs = self._recv(deadline)
            if header.get("op") == "done":
                return header
            if header.get("op") == "call":
                began = time.monotonic()
                reply, reply_blobs = serve(str(header.get("name", "")), header.get("manifest") or {}, rblobs)
                deadline += time.monotonic() - began
                self._send({"op": "result", **reply}, reply_blobs)
                continue
            raise JudgeTimeout()

    def stop(self) -> None:
        self.awaiting = None
        if self.child is not None:
            try:
                os.kill(self.child, 9)
            except OSError:
                pass
            self.child = None
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for fh in (self.proc.stdin, self.proc.stdout):
            try:
                if fh is not None:
                    fh.close()
            except OSError:
                pass
        self.proc = None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or list(PRELOAD)))
