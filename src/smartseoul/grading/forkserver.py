"""A pre-imported interpreter that forks a fresh kernel for each submission, and the judge.

Why: starting a kernel and importing pandas, GeoPandas and IPython costs about a second of CPU
per submission, most of the grading overhead. The fork server pays it once per worker (at level
`full`, the batch's zygote pays it once for all workers, see `zygote`): it imports those
modules (it never runs trainee code), then for each submission forks a child that
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
    # what the worker asks a kernel to run to hand the answers to the judge, so no kernel imports
    # it at its first test (0.5 ms of CPU; 5 ms where it has no bytecode it can read)
    "smartseoul.grading.channel",
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


def left_after_zygote(modules: list[str]) -> list[str]:
    """What a server forked from the zygote (which imported PRELOAD) still imports itself."""
    return [name for name in modules if name not in PRELOAD]


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
    # No bytecode from a kernel or a judge: where one ran as root (level basic), the folders it
    # made for it were private (umask 077), and no kernel of another uid could read the bytecode
    # in them again, so each compiled the course's modules anew.
    sys.dont_write_bytecode = True
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


def _read_request(ctl: socket.socket, buffer: bytearray, max_fds: int = 2) -> tuple[bytes, list[int]] | None:
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


def _import(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass


def serve(modules: list[str]) -> int:
    """The fork server started as a program of its own: stdin and stdout are its socket."""
    _become_server()
    _import(modules)
    ctl = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    return _serve(ctl)


def _become_server() -> None:
    prctl(PR_SET_DUMPABLE, 0)  # no kernel may read or trace the server every kernel comes from
    prctl(PR_SET_CHILD_SUBREAPER, 1)  # what a kernel leaves running stays below the server, to be found
    gc.disable()  # no collections while importing: fewer freed holes in the pages children share
    # No graded kernel takes a debugger, and importing debugpy for one costs each server 0.1 s of
    # CPU: ipykernel turns its debugger off when the import fails, as it does without debugpy.
    sys.modules["debugpy"] = None  # type: ignore[assignment]


def _serve(ctl: socket.socket) -> int:
    """Answer the worker's requests on `ctl` until it closes it."""
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


# --- the zygote: one import of the stack for every worker of a batch ---------------------------
# The namespaces a fork server enters, in this order: the PID namespace first (it applies to the
# children forked after it), the mount namespace last (it moves the root and the working folder).
NAMESPACES = ("pid", "ipc", "uts", "net", "mnt")
_CLONE_NEW = {"pid": 0x20000000, "ipc": 0x08000000, "uts": 0x04000000, "net": 0x40000000, "mnt": 0x00020000}


def _setns(fd: int, name: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEW[name]) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns({name}): {os.strerror(err)}")


def zygote(modules: list[str]) -> int:
    """`python -m smartseoul.grading.forkserver --zygote MODULE...`, at level `full`: the batch's
    one import of the modules every kernel needs (forkserver.PRELOAD; nothing that reads the
    environment when imported, see tests/grading/test_grading_zygote.py), in the host's
    namespaces, as root. It never runs a kernel or trainee code. Its stdin is a socket to the
    grading parent, which sends one socket per worker (a message carrying the descriptor). On a
    worker's socket, a message {"env", "cwd", "modules"} with the descriptors [control,
    *NAMESPACES of the worker] gets a child that enters the worker's namespaces and becomes that worker's fork
    server on `control`: it takes the worker's environment, imports what only this assignment
    needs, and first says {"pid": its pid as the worker sees it}."""
    _become_server()
    _import(modules)
    # The working folder is the empty home the parent made for these imports: gone now, a batch
    # that is killed leaves nothing behind in /tmp (rmdir removes only an empty folder).
    home = os.getcwd()
    os.chdir("/")
    try:
        os.rmdir(home)
    except OSError:
        pass
    parent = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    workers: list[socket.socket] = []
    while True:
        ready, _, _ = select.select([parent, *workers], [], [], 0.1)
        _reap()  # fork servers that ended come back to the zygote (it is their subreaper)
        for sock in ready:
            # Every socket here is a SOCK_SEQPACKET pair: one message is one request, with its
            # own descriptors, whatever came before it.
            data, fds, flags, _addr = socket.recv_fds(sock, 1 << 16, 1 + len(NAMESPACES))
            if not data and not fds:  # the other end closed
                if sock is parent:
                    return 0
                workers.remove(sock)
                sock.close()
                continue
            if sock is parent:
                workers.extend(socket.socket(fileno=fd) for fd in fds)  # a new worker's socket
                continue
            try:
                request = None if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC) else json.loads(data)
            except ValueError:
                request = None
            if not isinstance(request, dict):  # not a request: drop it, and its descriptors
                for fd in fds:
                    os.close(fd)
                continue
            _spawn_server(request, fds, [parent, *workers])


def take_environment(env: dict) -> None:
    """A server forked from the zygote takes its worker's environment. What the interpreter
    derived from the zygote's own at start (the user site folder) is derived again; the zygote's
    modules derive nothing from it when imported (tests/grading/test_grading_zygote.py)."""
    import site

    os.environ.clear()
    os.environ.update(env)
    site.USER_BASE = site.USER_SITE = None
    site.getusersitepackages()  # sets both again, from the new HOME


def _spawn_server(req: dict, fds: list[int], mine: list[socket.socket]) -> None:
    """Fork the worker's fork server: into its namespaces, then once more, since a PID namespace
    holds only the children forked after entering it."""
    if len(fds) != 1 + len(NAMESPACES):
        for fd in fds:
            os.close(fd)
        return
    gc.freeze()
    if os.fork() != 0:
        for fd in fds:
            os.close(fd)
        return
    ctl = socket.socket(fileno=fds[0])
    try:
        for sock in mine:  # nothing below a worker may talk to the zygote or another worker
            sock.close()
        for fd, name in zip(fds[1:], NAMESPACES):
            _setns(fd, name)
            os.close(fd)
        if os.fork() != 0:
            os._exit(0)  # the server is reparented to the zygote, which reaps it
        prctl(PR_SET_DUMPABLE, 0)
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        take_environment(req["env"])
        os.chdir(req["cwd"])
        _import([str(name) for name in req.get("modules", [])])
        ctl.sendall((json.dumps({"pid": os.getpid()}) + "\n").encode())
        os._exit(_serve(ctl))
    except BaseException as exc:
        try:
            ctl.sendall((json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n").encode())
        finally:
            os._exit(1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--zygote"]:
        sys.exit(zygote(sys.argv[2:]))
    sys.exit(serve(sys.argv[1:] or list(PRELOAD)))
