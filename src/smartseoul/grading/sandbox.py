"""Isolation for one submission: what the machine allows, and the commands that enforce it.

Levels, strongest first (the status output names the one in force):
- ``full``: running as root on Linux with `unshare`: each worker gets private mount, network
  and PID namespaces, instructor folders are covered by empty read-only tmpfs mounts, /tmp is a
  small private tmpfs, and the kernel runs as its own unprivileged user (one uid per worker slot);
- ``userns``: not root, but unprivileged user namespaces work: the same namespaces and mounts,
  the kernel keeps the instructor's uid inside its own user namespace;
- ``basic``: a process session, resource limits, a private temp dir and a scrubbed environment
  only (no network or filesystem isolation).
Every level applies resource limits (address space, file size, processes, CPU time) to the
kernel and kills everything the submission started when grading ends.
"""

from __future__ import annotations

import functools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass

SANDBOX_UID_BASE = 200000  # kernels run as uids above this (no passwd entry needed)


def kernel_uid(slot: int) -> int:
    """A uid of its own for each worker slot of this grading process, so per-user limits
    (processes) of one kernel never touch another kernel, even across concurrent batches."""
    return SANDBOX_UID_BASE + (os.getpid() % 40000) * 64 + slot % 32


def judge_uid(slot: int) -> int:
    """The judge of a worker slot runs as yet another uid: the kernel can neither signal it nor
    read its files or memory."""
    return kernel_uid(slot) + 32


JOB_MARKER = "SMARTSEOUL_GRADING_JOB"
SHARED_MPL = "mpl"  # in the jobs folder: matplotlib's font cache, for every home a worker makes

LEVEL_TEXT = {
    "full": "full: private mount/network/PID namespaces, instructor folders hidden, private tmpfs, "
    "kernel as a separate unprivileged user, resource limits",
    "userns": "userns: private user/mount/network/PID namespaces, instructor folders hidden, private tmpfs, "
    "resource limits (kernel keeps your uid: run as root for a separate user)",
    "basic": "basic: process session, resource limits, private temp dir, scrubbed environment; NO network "
    "or filesystem isolation (run as root on Linux with util-linux `unshare` for full isolation)",
}


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds, sizes in bytes."""

    cell_timeout: float = 30.0
    notebook_timeout: float = 120.0
    memory_bytes: int = 4 * 1024**3  # address space of the kernel
    file_bytes: int = 64 * 1024**2  # largest file the kernel may write
    disk_bytes: int = 128 * 1024**2  # private tmpfs for the sandbox and /tmp (namespaced levels)
    processes: int = 256  # threads count too
    output_bytes_per_cell: int = 256 * 1024
    output_bytes_total: int = 1024 * 1024
    hard_kill_grace: float = 20.0  # after notebook_timeout, the parent kills the whole worker

    def to_dict(self) -> dict:
        return asdict(self)


def _probe(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# private mount, network, PID, SysV IPC (shared memory dies with the namespace) and host-name namespaces
UNSHARE_ARGS = [
    "--mount",
    "--net",
    "--pid",
    "--ipc",
    "--uts",
    "--fork",
    "--kill-child",
    "--mount-proc",
    "--propagation",
    "private",
]
# at `userns` the kernel goes one user namespace deeper, as an unprivileged uid: it cannot undo the
# mounts that hide instructor files (they belong to the worker's namespace), nor see the worker
NESTED_KERNEL_ARGS = ["--user", "--map-user=1000", "--map-group=1000", "--pid", "--fork", "--kill-child"]


LEVELS = ("basic", "userns", "full")  # weakest first


def detect_level() -> str:
    """The isolation grading will use here: the `isolation` setting if set (to test a weaker
    level), else the strongest this machine allows."""
    from ..settings import load

    forced = load().isolation
    if forced in LEVEL_TEXT:
        return forced
    return possible_level()


class IsolationRefused(Exception):
    pass


def require(level: str, required: str) -> None:
    """Refuse to grade below the level asked for, saying how to get it."""
    if LEVELS.index(level) >= LEVELS.index(required):
        return
    how = {
        "full": "run the grading command as root on Linux with util-linux `unshare` (on a hub: the grading "
        "sudo rule or service in grading/jupyterhub/README.md)",
        "userns": "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run as root",
    }[required]
    raise IsolationRefused(
        f"Refusing to grade: isolation here is '{level}' ({LEVEL_TEXT[level]}), below the required '{required}'. "
        f"To get '{required}': {how}. To grade at '{level}' knowingly, pass --require-isolation {level}."
    )


@functools.cache
def possible_level() -> str:
    """The strongest isolation this machine allows (cached per process)."""
    if not sys.platform.startswith("linux"):
        return "basic"
    unshare = shutil.which("unshare")
    if not unshare:
        return "basic"
    if os.geteuid() == 0 and _probe([unshare, *UNSHARE_ARGS, "true"]):
        return "full"
    if _probe([unshare, "--map-root-user", *UNSHARE_ARGS, "true"]):
        return "userns"
    return "basic"


def worker_command(level: str, jobs: str, config: str) -> list[str]:
    """The command that runs one long-lived worker (for the jobs in `jobs`) at this isolation level."""
    cmd = [sys.executable, "-m", "smartseoul.grading.worker", "--serve", jobs, config]
    if level == "full":
        return [shutil.which("unshare") or "unshare", *UNSHARE_ARGS, "--", *cmd]
    if level == "userns":
        return [shutil.which("unshare") or "unshare", "--map-root-user", *UNSHARE_ARGS, "--", *cmd]
    return cmd


def _die_with_parent() -> None:
    """preexec_fn: new session, and SIGKILL when the grading parent dies (no orphan workers)."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Worker:
    """The parent's handle on one long-lived worker: job names in, `{"done": name}` lines out."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.buf = b""
        self.finished: set[str] = set()

    def send(self, name: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((name + "\n").encode())
        self.proc.stdin.flush()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self.buf += chunk
        *lines, self.buf = self.buf.split(b"\n")
        for line in lines:
            try:
                self.finished.add(str(json.loads(line)["done"]))
            except (ValueError, KeyError, TypeError):
                continue

    def done(self, name: str) -> bool:
        self._read()
        if name in self.finished:
            self.finished.discard(name)
            return True
        return False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Hard kill: the worker's whole session (and with namespaces, everything in its PID namespace)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def finish(self) -> None:
        """No more jobs: the worker cleans up and ends on its own, while the parent goes on."""
        try:
            if self.proc.stdin is not None and not self.proc.stdin.closed:
                self.proc.stdin.close()
        except OSError:
            pass

    def close(self) -> None:
        """No more jobs: let the worker clean up and end, or end it."""
        self.finish()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    @staticmethod
    def wait_any(workers: list[Worker], timeout: float) -> None:
        fds = [w.proc.stdout.fileno() for w in workers if w.proc.stdout is not None and w.alive()]
        if fds:
            select.select(fds, [], [], timeout)
        else:
            time.sleep(timeout)


class Zygote:
    """The parent's handle on the batch's zygote (forkserver.zygote): at level `full`, one import
    of the kernels' modules for every worker, where each worker's own fork server imported them
    again (0.7 s of CPU each). Each worker gets a socket of its own to it (`connect`). Its home
    is an empty folder of root's own: its imports find nothing there to read."""

    def __init__(self) -> None:
        from .forkserver import PRELOAD

        self.home = tempfile.mkdtemp(prefix="ssg-zygote-")
        to_zygote, mine = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # a message per request
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-m",
                    "smartseoul.grading.forkserver",
                    "--zygote",
                    *PRELOAD,
                ],
                stdin=to_zygote.fileno(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=server_env({}, self.home),
                cwd=self.home,
                preexec_fn=_die_with_parent,
                close_fds=True,
            )
        finally:
            to_zygote.close()
        self.sock = mine

    def connect(self) -> socket.socket | None:
        """A new socket to the zygote, for one worker; None if the zygote has gone."""
        if self.proc.poll() is not None:
            return None
        zygote_end, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            socket.send_fds(self.sock, [b"worker"], [zygote_end.fileno()])
        except OSError:
            worker_end.close()
            return None
        finally:
            zygote_end.close()
        return worker_end

    def close(self) -> None:
        """Killed, not asked to end: it holds nothing to save, and the interpreter's own exit
        (with the science stack loaded) kept a batch waiting 0.06 s. The fork servers it made end
        with their workers. Safe to call twice."""
        self.sock.close()
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def start_worker(level: str, jobs: str, config: str, log_path: str, keep_fds: tuple[int, ...] = ()) -> Worker:
    env = {
        k: v
        for k, v in os.environ.items()
        if k in ("PATH", "LANG", "LC_ALL", "SMARTSEOUL_HOME", "PYTHONHASHSEED")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    log = open(log_path, "ab")  # noqa: SIM115 (the Worker handle owns and closes it)
    try:
        return Worker(
            subprocess.Popen(
                worker_command(level, jobs, config),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                preexec_fn=_die_with_parent,
                close_fds=True,
                pass_fds=keep_fds,
            )
        )
    finally:
        log.close()


def sweep(job_id: str) -> int:
    """Kill any process still carrying this job's marker (e.g. a daemon a submission started)."""
    import psutil

    killed = 0
    needle = f"{JOB_MARKER}={job_id}"
    for proc in psutil.process_iter(["pid"]):
        try:
            env = proc.environ()
        except (psutil.Error, OSError):
            continue
        if f"{JOB_MARKER}={env.get(JOB_MARKER)}" == needle:
            try:
                proc.kill()
                killed += 1
            except psutil.Error:
                pass
    return killed


# --- the environments of the fork server, the judge and the kernel ---------------------------
def server_env(job: dict, sandbox: str | os.PathLike) -> dict:
    """The fork server's environment: the kernel's, without a job marker, with the inline figure
    backend chosen before matplotlib is imported (a kernel started from scratch chooses it so)."""
    env = kernel_env(job, sandbox)
    env.pop(JOB_MARKER, None)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def judge_env(job: dict, judge_dir: str | os.PathLike) -> dict:
    env = kernel_env(job, judge_dir)
    env["MPLBACKEND"] = "Agg"
    env.pop("NBGRADER_EXECUTION", None)
    env.pop(JOB_MARKER, None)  # the judge outlives one submission
    return env


def kernel_env(job: dict, sandbox: str | os.PathLike) -> dict:
    venv_bin = os.path.dirname(sys.executable)
    s = str(sandbox)
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": s,
        "TMPDIR": s + "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLCONFIGDIR": s + "/.config/matplotlib",
        "IPYTHONDIR": s + "/.ipython",
        "JUPYTER_CONFIG_DIR": s + "/.jupyter",
        "JUPYTER_DATA_DIR": s + "/.jupyter",
        "JUPYTER_RUNTIME_DIR": s + "/.rt",
        "XDG_CACHE_HOME": s + "/.cache",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_MAX_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        "NBGRADER_EXECUTION": "autograde",
        JOB_MARKER: job.get("job_id", ""),
    }
    if job.get("course_root"):
        env["SMARTSEOUL_HOME"] = job["course_root"]
    return env


# Runs (with -I -S) between the worker and ipykernel: limits, privilege drop, then exec.
KERNEL_LAUNCHER = r"""
import ctypes, json, os, resource, signal, sys
cfg = json.loads(sys.argv[1]); cmd = sys.argv[2:]
for name, (soft, hard) in cfg["rlimits"].items():
    try:
        resource.setrlimit(getattr(resource, name), (soft, hard))
    except (ValueError, OSError):
        pass
if cfg.get("uid") is not None:
    os.setgroups([]); os.setgid(cfg["gid"]); os.setuid(cfg["uid"])
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS: no setuid program can raise privileges
except Exception:
    pass
os.umask(0o077)
os.chdir(cfg["cwd"])
os.execv(cmd[0], cmd)
"""


# A Python program started through the launcher: isolated from the environment (-I), and writing
# no bytecode (-B). The launcher's umask is 077, so bytecode folders it made as root would be
# private, and no kernel of another uid could read the bytecode in them (see forkserver._drop_to).
LAUNCHED_PYTHON = (sys.executable, "-I", "-B")


def launch_command(cfg: dict, cmd: list[str], nested: bool = False) -> list[str]:
    """`cmd` started through the launcher: resource limits, then the privilege drop, then exec
    (with ``nested``, inside a further user namespace as an unprivileged uid)."""
    launch = [sys.executable, "-I", "-S", "-c", KERNEL_LAUNCHER, json.dumps(cfg), *cmd]
    return [shutil.which("unshare") or "unshare", *NESTED_KERNEL_ARGS, "--", *launch] if nested else launch


def judge_command(cfg: dict) -> list[str]:
    """The judge as a program of its own, importing cfg["preload"] first (default judge.PRELOAD)."""
    return launch_command(cfg, [*LAUNCHED_PYTHON, "-m", "smartseoul.grading.judge", *cfg.get("preload", [])])


def kernel_rlimits(limits: Limits, level: str) -> dict[str, tuple[int, int]]:
    cpu = int(limits.notebook_timeout) + 15
    out = {
        "RLIMIT_AS": (limits.memory_bytes, limits.memory_bytes),
        "RLIMIT_FSIZE": (limits.file_bytes, limits.file_bytes),
        "RLIMIT_CPU": (cpu, cpu + 5),
        "RLIMIT_CORE": (0, 0),
        "RLIMIT_NOFILE": (1024, 1024),
    }
    if level == "full":  # per-uid count: only meaningful when the kernel has its own uid
        out["RLIMIT_NPROC"] = (limits.processes, limits.processes)
    return out
