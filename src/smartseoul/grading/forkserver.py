"""A pre-imported interpreter that forks a fresh kernel for each submission.

Why: starting a kernel and importing pandas, GeoPandas and IPython costs about a second of CPU
per submission, most of the grading overhead. The fork server pays it once per worker: it
imports those modules (it never runs trainee code), then for each submission forks a child that
drops to the kernel's user and limits and becomes a brand-new IPython kernel. Every child starts
from the same clean state, so nothing passes from one submission to the next; the worker kills
each child's whole process group when its submission is done.

Protocol (`python -m smartseoul.grading.forkserver MODULE...`, JSON lines on stdin/stdout):
  {"connection_file", "cwd", "env", "uid", "gid", "rlimits"}  ->  {"pid": N} | {"error": "..."}
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import resource
import select
import signal
import sys

# The science stack the notebooks use; the judge (judge.py) imports it too.
SCIENCE = ("numpy", "pandas", "pyarrow", "matplotlib", "shapely", "pyproj", "geopandas")
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "IPython",
    "zmq",
    *SCIENCE,
    "matplotlib_inline.backend_inline",
    # what a kernel's start imports (the debugger among them): imported here once, not per kernel
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


PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 36, 38


def prctl(option: int, arg: int) -> None:
    """Linux process controls the sandbox relies on; a no-op elsewhere."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, arg, 0, 0, 0)
    except Exception:
        pass


def _become_kernel(req: dict) -> None:
    """In the child: a session of its own, the kernel's environment, limits and user, then IPython."""
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
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
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the kernel dies with the fork server
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    os.umask(0o077)
    os.chdir(req["cwd"])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    sys.argv = ["ipykernel_launcher", "-f", req["connection_file"], "--HistoryManager.hist_file=:memory:"]
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance()


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
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    out = os.fdopen(os.dup(1), "w")
    inp = os.fdopen(os.dup(0), "r")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    while True:
        ready, _, _ = select.select([inp], [], [], 0.1)  # reap killed kernels promptly
        _reap()
        if not ready:
            continue
        line = inp.readline()
        if not line:
            return 0
        try:
            req = json.loads(line)
            pid = os.fork()
        except Exception as exc:
            out.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
            out.flush()
            continue
        if pid == 0:
            try:
                inp.close()
                out.close()
                _become_kernel(req)
            finally:
                os._exit(1)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:] or list(PRELOAD)))
