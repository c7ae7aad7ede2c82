"""A pre-imported interpreter that forks a fresh kernel for each submission, and the judge.

Why: starting a kernel and importing pandas, GeoPandas and IPython costs about a second of CPU
per submission, most of the grading overhead. The fork server pays it once per worker: it
imports those modules (it never runs trainee code), then for each submission forks a child that
drops to the kernel's user and limits and becomes a brand-new IPython kernel. Every child starts
from the same clean state, so nothing passes from one submission to the next; the worker kills
each child's whole process group when its submission is done. Its objects are frozen before each
fork (`gc.freeze`), so a child's garbage collector does not touch, and copy, the parent's pages.

The worker's judge (judge.py) needs the same science stack, so where the server is not nested in
a further namespace the worker asks it for the judge too: a child that drops to the judge's own
user, limits and environment and serves the worker on a socket the worker passed in. One import
of the stack per worker, not two. The judge is never a kernel's parent or child, and at level
`full` it runs as a uid no kernel has (see grading/README.md).

Protocol (`python -m smartseoul.grading.forkserver MODULE...`): JSON lines on a Unix socket that
is the server's stdin and stdout; a judge request carries two file descriptors (its socket, its
log).
  {"connection_file", "cwd", "env", "uid", "gid", "rlimits"}  ->  {"pid": N} | {"error": "..."}
  {"judge": {"cwd", "env", "uid", "gid", "rlimits", "preload"}} + [socket, log]  ->  {"pid": N} | ...
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
import resource
import select
import signal
import socket
import sys

# The science stack the notebooks use, and the course's own modules their setup cells import;
# the judge (judge.py) needs both too.
SCIENCE = ("numpy", "pandas", "pyarrow", "shapely", "pyproj", "geopandas")
COURSE = (
    "smartseoul.checks",
    "smartseoul.data",
    "smartseoul.geo",
    "encodings.cp949",
    # what smartseoul.data.load imports at its first map or Parquet file: every assignment loads
    # one in its setup, so each kernel imported them again (pyogrio alone is 0.03 s of CPU)
    "pyogrio",
    "pyarrow.parquet",
    "pyarrow.dataset",
)
# matplotlib and its inline backend are a third of the imports, and only an assignment that draws
# needs them in every kernel (see preload). Where none is preloaded, a trainee's first plot
# imports them inside the kernel.
PLOTTING = ("matplotlib", "matplotlib_inline.backend_inline")
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "IPython",
    "zmq",
    *SCIENCE,
    *COURSE,
    # what a kernel's start imports (ipykernel's debugger module too, without debugpy: see serve),
    # imported here once, not per kernel
    "ipykernel.debugger",
    "ipykernel.zmqshell",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "sqlite3",
    "tornado.platform.asyncio",
    "tornado.queues",
    "psutil",
)


def preload(draws: bool, imports: list[str] | tuple[str, ...] = ()) -> list[str]:
    """What the fork server imports for an assignment: PLOTTING too if its notebooks draw, and
    the modules its notebooks import (rebuild.imports), such as duckdb or scipy.spatial."""
    return adding([*PRELOAD, *(PLOTTING if draws else ())], imports)


def adding(modules: list[str], imports: list[str] | tuple[str, ...]) -> list[str]:
    """`modules`, then each of `imports` that is not among them yet."""
    return modules + [name for name in imports if name not in modules]


PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 36, 38


def prctl(option: int, arg: int) -> None:
    """Linux process controls the sandbox relies on; a no-op elsewhere."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, arg, 0, 0, 0)
    except Exception:
        pass


def _drop_to(req: dict) -> None:
    """In a child: a session of its own, then the environment, limits and user it asked for."""
    os.setsid()
    os.environ.clear()
    os.environ.update(req["env"])
    for name, (soft, hard) in req.get("rlimits", {}).items():
        try:
            resource.setrlimit(getattr(resource, name), (soft, hard))
        except (ValueError, OSError, AttributeError):
            pass
    if req.get("uid") is not None:
        os.setgroups([])
        os.setgid(req["gid"])
        os.setuid(req["uid"])
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the child dies with the fork server
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    os.umask(0o077)
    os.chdir(req["cwd"])
    gc.enable()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)


def _become_kernel(req: dict) -> None:
    """In the child: the kernel's session, environment, limits and user, then IPython."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    _drop_to(req)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["ipykernel_launcher", "-f", req["connection_file"], "--HistoryManager.hist_file=:memory:"]
    # The inline backend hooks itself into IPython when it is imported, and the server imported
    # it before there was an IPython: forget the module (its heavy imports stay), so the trainee's
    # first plot imports it again inside the kernel, and figures show at the end of a cell.
    sys.modules.pop("matplotlib_inline.backend_inline", None)
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance()


def _become_judge(req: dict, conn: int, log: int) -> None:
    """In the child: the judge's user, limits and environment, serving the worker on `conn`."""
    os.dup2(conn, 0)
    os.dup2(conn, 1)
    os.dup2(log, 2)
    os.close(conn)
    os.close(log)
    _drop_to(req)
    if "matplotlib" in sys.modules:  # imported under the kernel's inline backend; the judge draws off-screen
        import matplotlib

        matplotlib.use("Agg")
    from smartseoul.grading import judge  # this file runs as __main__: no relative import

    judge.main(list(req.get("preload") or judge.PRELOAD))


def _read_request(ctl: socket.socket, buffer: bytearray) -> tuple[bytes, list[int]] | None:
    """One JSON line from the worker, with the file descriptors sent along with it; None at EOF."""
    fds: list[int] = []
    while b"\n" not in buffer:
        data, got, _flags, _addr = socket.recv_fds(ctl, 1 << 16, 2)
        fds.extend(got)
        if not data:
            for fd in fds:
                os.close(fd)
            return None
        buffer.extend(data)
    end = buffer.index(b"\n")
    line = bytes(buffer[:end])
    del buffer[: end + 1]
    return line, fds


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(modules: list[str]) -> int:
    prctl(PR_SET_DUMPABLE, 0)  # no kernel may read or trace the server every kernel comes from
    prctl(PR_SET_CHILD_SUBREAPER, 1)  # what a kernel leaves running stays below the server, to be found
    gc.disable()  # no collections while importing: fewer freed holes in the pages children share
    # No graded kernel takes a debugger, and importing debugpy for one costs each server 0.1 s of
    # CPU: ipykernel turns its debugger off when the import fails, as it does without debugpy.
    sys.modules["debugpy"] = None  # type: ignore[assignment]
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    ctl = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    buffer = bytearray()
    while True:
        ready, _, _ = select.select([ctl], [], [], 0.1)  # reap killed kernels promptly
        _reap()
        if not ready:
            continue
        got = _read_request(ctl, buffer)
        if got is None:
            return 0
        line, fds = got
        try:
            req = json.loads(line)
            if "judge" in req and len(fds) != 2:
                raise ValueError("a judge request needs its socket and its log")
            gc.freeze()  # a child's collector leaves the server's objects (and their pages) alone
            pid = os.fork()
        except Exception as exc:
            for fd in fds:
                os.close(fd)
            ctl.sendall((json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n").encode())
            continue
        if pid == 0:
            try:
                ctl.close()
                if "judge" in req:
                    _become_judge(req["judge"], fds[0], fds[1])
                else:
                    _become_kernel(req)
            finally:
                os._exit(1)
        for fd in fds:
            os.close(fd)
        ctl.sendall((json.dumps({"pid": pid}) + "\n").encode())


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:] or list(PRELOAD)))
