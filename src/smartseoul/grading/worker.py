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
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import channel, guard
from .judge import JudgeClient, JudgeTimeout
from .sandbox import JOB_MARKER, Limits, judge_command, kernel_rlimits, launch_command

if TYPE_CHECKING:
    from jupyter_client import BlockingKernelClient

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 8, 32, 4096, 16384


# --- files in JOBDIR, through a directory fd (JOBDIR itself is hidden once the mounts are in place)
class JobFiles:
    def __init__(self, jobdir: str, parent_fd: int | None = None):
        self.fd = os.open(jobdir, os.O_RDONLY | os.O_DIRECTORY, dir_fd=parent_fd)

    def close(self) -> None:
        os.close(self.fd)

    def read(self, name: str) -> bytes:
        fd = os.open(name, os.O_RDONLY, dir_fd=self.fd)
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    def write(self, name: str, data: bytes) -> None:
        tmp = f".{name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600, dir_fd=self.fd)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)  # no fsync: a killed worker loses nothing the kernel page cache holds
        os.rename(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def listdir(self, name: str) -> list[str]:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=self.fd)
        except FileNotFoundError:
            return []
        try:
            return os.listdir(fd)
        finally:
            os.close(fd)


def _mount(source: str, target: str, fstype: str, flags: int, data: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(source.encode(), target.encode(), fstype.encode(), flags, data.encode()) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {fstype} on {target}: {os.strerror(err)}")


def _set_subreaper() -> None:
    """Orphans of the kernel (daemons a submission starts) become our children, so we can kill them."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    except Exception:
        pass


def closed_ancestor(path: str) -> str | None:
    """The top-most folder above `path` that other users cannot enter, if any."""
    parts = os.path.realpath(path).strip("/").split("/")
    for n in range(1, len(parts)):
        folder = "/" + "/".join(parts[:n])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def expose(paths: list[str]) -> None:
    """Make `paths` reachable for other users in this mount namespace, read-only, where a folder
    above them is closed (pyenv in /root, a checkout in a 0700 home): cover that folder with an
    empty tmpfs and bind only these paths back, so nothing else in it becomes visible."""
    groups: dict[str, list[str]] = {}
    for p in paths:
        real = os.path.realpath(p)
        top = closed_ancestor(real) if os.path.exists(real) else None
        if top is not None:
            groups.setdefault(top, []).append(real)
    for top, inside in groups.items():
        inside = [p for p in inside if not any(p != q and (p + "/").startswith(q + "/") for q in inside)]
        _cover(top, "size=64k,mode=755", inside)


def _cover(folder: str, options: str, keep: list[str]) -> None:
    """Mount an empty tmpfs on `folder`, then bind the `keep` paths below it back, read-only."""
    fds = {p: os.open(p, os.O_PATH) for p in keep}  # before the cover hides them
    try:
        _mount("none", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)
        for p, fd in fds.items():
            os.makedirs(p, mode=0o755, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", p, "", MS_BIND | MS_REC, "")
            _mount("none", p, "", MS_REMOUNT | MS_BIND | MS_RDONLY, "")
    finally:
        for fd in fds.values():
            os.close(fd)


def expose_interpreter(cfg: dict) -> None:
    """The kernel's and the judge's user must run this Python and read the course's public
    folders (its environment, src/, datasets/), wherever the instructor keeps them."""
    import smartseoul

    from .course import PUBLIC_DIRS

    paths = [
        sys.base_prefix,
        sys.prefix,
        os.path.dirname(os.path.dirname(smartseoul.__file__)),
    ]  # + an editable src/
    root = cfg.get("course_root")
    if root:
        paths += [os.path.join(root, d) for d in PUBLIC_DIRS if os.path.isdir(os.path.join(root, d))]
    expose(paths)


def _same_device(path: str, dev: int) -> bool:
    try:
        return os.lstat(path).st_dev == dev
    except OSError:
        return False


def _public_paths_under(job: dict, top: str) -> list[str]:
    """The folders a kernel needs (this Python, the smartseoul package, the course's .venv, src and
    datasets) that live under ``top``, which is about to be covered by a private tmpfs."""
    import smartseoul

    from .course import PUBLIC_DIRS

    candidates = [
        sys.prefix,
        os.path.dirname(os.path.dirname(smartseoul.__file__)),
    ]  # this Python and its package
    root = job.get("course_root")
    if root:
        candidates += [os.path.join(root, name) for name in PUBLIC_DIRS]
    out: list[str] = []
    for c in candidates:
        p = os.path.realpath(c)
        if os.path.isdir(p) and (p + "/").startswith(top.rstrip("/") + "/") and p not in out:
            out.append(p)
    # a folder inside another one we keep is already reachable
    return [p for p in out if not any(p != q and (p + "/").startswith(q + "/") for q in out)]


def world_writable_dirs() -> list[str]:
    """Host folders anyone may write (/tmp, /var/tmp, /dev/shm, /run/lock ...): each gets a private
    tmpfs, so a submission can leave nothing behind on the host."""
    found = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock"]
    for top in ("/run", "/var", "/dev"):
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False) and e.stat(follow_symlinks=False).st_mode & 0o002:
                    found.append(e.path)
            except OSError:
                continue
    out = []
    for p in found:
        if os.path.isdir(p) and not os.path.islink(p) and p not in out:
            out.append(p)
    return out


KEEP = ("judge", "worker", "channel")  # the worker's own folders in its private /tmp
BOUND: dict[
    str, set[str]
] = {}  # per private folder: the entries that hold public paths bound back (a course under /tmp)


def prepare_filesystem(cfg: dict) -> Path:
    """Once per worker. With namespaces: hide instructor folders, give every folder anyone may
    write a small private tmpfs, give answer hand-overs a tmpfs of their own (a submission that
    fills its disk keeps its points), and return the private /tmp. Without: the basic folder."""
    limits = cfg["limits"]
    if cfg["level"] in ("full", "userns"):
        for path in cfg["hide"]:
            if os.path.isdir(path):
                try:
                    _mount(
                        "none",
                        path,
                        "tmpfs",
                        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "size=4k,mode=000",
                    )
                except OSError as exc:
                    print(f"could not hide {path}: {exc}", file=sys.stderr)
        if cfg["level"] == "full":
            expose_interpreter(cfg)
        size = int(limits["disk_bytes"])
        for path in world_writable_dirs():  # a course checked out under /tmp keeps its data and Python
            keep = _public_paths_under(cfg, path)
            _cover(path, f"size={size},mode=1777", keep)
            BOUND[path] = {os.path.relpath(p, path).split(os.sep)[0] for p in keep}
        top = Path("/tmp")
        (top / "channel").mkdir(mode=0o700)
        _mount(
            "none",
            str(top / "channel"),
            "tmpfs",
            MS_NOSUID | MS_NODEV | MS_NOEXEC,
            f"size={channel.MAX_BYTES + 4 * channel.MAX_MANIFEST},mode=700",
        )
    else:
        top = Path(cfg["sandbox_root"])
        (top / "channel").mkdir(mode=0o700, exist_ok=True)
    (top / "judge").mkdir(mode=0o700, exist_ok=True)
    (top / "worker").mkdir(mode=0o700, exist_ok=True)
    os.environ["TMPDIR"] = str(
        top / "worker"
    )  # the worker's own temporary files stay out of the litter check
    _chown_tree(top / "channel", cfg.get("uid"), cfg.get("gid"))
    _chown_tree(top / "judge", cfg.get("judge_uid"), cfg.get("judge_uid"))
    return top


def _rmtree(path: Path) -> None:
    """Remove what a submission left, whatever modes it set inside `path` (never above it)."""
    if path.is_dir() and not path.is_symlink():
        stack = [str(path)]
        while stack:  # open every folder below `path` (a submission may have made one 000)
            folder = stack.pop()
            try:
                os.chmod(folder, 0o700)
                stack += [e.path for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
            except OSError:
                continue
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


def _remove_ipc() -> None:
    """Remove every SysV IPC object (the worker's IPC namespace is private to grading)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for kind, call in (("shm", libc.shmctl), ("sem", libc.semctl), ("msg", libc.msgctl)):
        try:
            with open(f"/proc/sysvipc/{kind}", encoding="utf-8") as fh:
                rows = fh.read().strip().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 1:
                ident = int(fields[1])
                if kind == "sem":
                    call(ident, 0, 0, None)  # IPC_RMID = 0
                else:
                    call(ident, 0, None)


def fresh_sandbox(top: Path, files: JobFiles, job: dict) -> Path:
    """Before each submission: nothing of the one before is left (files anywhere it could write,
    IPC objects), and a new sandbox holds only the data this notebook needs."""
    if job["level"] in ("full", "userns"):
        for folder in world_writable_dirs():
            keep = BOUND.get(folder, set()) | (set(KEEP) if folder == str(top) else set())
            for name in _listdir(folder):
                if name not in keep:
                    _rmtree(Path(folder) / name)
        _remove_ipc()
    else:
        for name in _listdir(str(top)):
            if name not in KEEP:
                _rmtree(top / name)
    for name in _listdir(str(top / "channel")):
        _rmtree(top / "channel" / name)
    sandbox = top / "sandbox"
    sandbox.mkdir(mode=0o700)
    judge_dir = top / "judge"
    for home, fresh in ((sandbox, True), (judge_dir, not (judge_dir / ".config").exists())):
        if not fresh:
            continue
        for name in files.listdir("data"):
            (home / name).write_bytes(files.read(f"data/{name}"))
        mpl = home / ".config" / "matplotlib"
        mpl.mkdir(parents=True, exist_ok=True)
        for name in files.listdir("mpl"):
            (mpl / name).write_bytes(files.read(f"mpl/{name}"))
        for sub in (".ipython", ".jupyter", ".rt", "tmp", ".cache"):
            (home / sub).mkdir(exist_ok=True)
    _chown_tree(sandbox, job.get("uid"), job.get("gid"))
    _chown_tree(judge_dir, job.get("judge_uid"), job.get("judge_uid"))
    return sandbox


def _chown_tree(top: Path, uid: int | None, gid: int | None) -> None:
    if uid is None:
        return
    gid = uid if gid is None else gid
    for dirpath, _dirnames, filenames in os.walk(top):
        os.chown(dirpath, uid, gid)
        for n in filenames:
            os.chown(os.path.join(dirpath, n), uid, gid)


def server_env(job: dict, sandbox: Path) -> dict:
    """The fork server's environment: the kernel's, without a job marker, with the inline figure
    backend chosen before matplotlib is imported (a kernel started from scratch chooses it so)."""
    env = kernel_env(job, sandbox)
    env.pop(JOB_MARKER, None)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def judge_env(job: dict, judge_dir: Path) -> dict:
    env = kernel_env(job, judge_dir)
    env["MPLBACKEND"] = "Agg"
    env.pop("NBGRADER_EXECUTION", None)
    env.pop(JOB_MARKER, None)  # the judge outlives one submission
    return env


def kernel_env(job: dict, sandbox: Path) -> dict:
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


class ForkServer:
    """The worker's pre-imported interpreter (forkserver.py): one per worker, asked for a fresh
    kernel for each submission, restarted if it dies (e.g. killed by a submission)."""

    def __init__(self, env: dict, cwd: str, nested: bool):
        self.env, self.cwd, self.nested = env, cwd, nested
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cfg: dict[str, Any] = {"rlimits": {}, "uid": None, "gid": None, "cwd": self.cwd}
        cmd = launch_command(
            cfg, [sys.executable, "-I", "-m", "smartseoul.grading.forkserver"], nested=self.nested
        )
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self.env,
            cwd=self.cwd,
            close_fds=True,
            text=True,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def descendants(self) -> list:
        """Everything below the server but the server itself: kernels and what they left running
        (the server is their subreaper). A forked kernel keeps the server's /proc environment,
        so a job marker cannot find it; this can."""
        import psutil

        if not self.alive() or self.proc is None:
            return []
        try:
            top = psutil.Process(self.proc.pid)
            own = {top.pid} | ({c.pid for c in top.children()} if self.nested else set())  # unshare -> server
            return [p for p in top.children(recursive=True) if p.pid not in own]
        except psutil.Error:
            return []

    def fork(self, request: dict, timeout: float) -> int:
        """A new kernel process for `request`; its pid (the leader of its own process group)."""
        for _attempt in (1, 2):
            if not self.alive():
                self.stop()
                self.start()
            assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
            try:
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
                ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
                line = self.proc.stdout.readline() if ready else ""
            except OSError:
                line = ""
            reply = json.loads(line) if line.startswith("{") else {}
            if "pid" in reply:
                return int(reply["pid"])
            self.stop()
        raise RuntimeError(
            f"the kernel fork server did not start a kernel ({reply.get('error', 'no answer')})"
        )

    def stop(self) -> None:
        if self.proc is not None:
            try:
                self.proc.kill()  # its kernels die with it (PR_SET_PDEATHSIG)
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.proc = None


@dataclass
class Execution:
    status: str  # ok | error | timeout | died
    outputs: list = field(default_factory=list)
    reply: dict | None = None
    ename: str = ""
    evalue: str = ""
    elapsed: float = 0.0
    truncated: int = 0
    msg_id: str = ""
    nbytes: int = 0


class Kernel:
    """A fresh IPython kernel for one submission, forked by the worker's fork server."""

    def __init__(self, job: dict, sandbox: Path, limits: Limits, server: ForkServer):
        self.job, self.sandbox, self.limits, self.server = job, sandbox, limits, server
        self.total_output = 0
        self.pid: int | None = None
        self.kc: BlockingKernelClient | None = None
        self.starts = 0

    def start(self, timeout: float = 60) -> None:
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        self.starts += 1
        rt = self.sandbox / ".rt"
        cf = str(rt / f"kernel-{self.starts}.json")
        write_connection_file(cf, transport="ipc", ip=str(rt / f"k{self.starts}"))
        _chown_tree(rt, self.job.get("uid"), self.job.get("gid"))
        self.pid = self.server.fork(
            {
                "connection_file": cf,
                "cwd": str(self.sandbox),
                "env": kernel_env(self.job, self.sandbox),
                "uid": self.job.get("uid"),
                "gid": self.job.get("gid"),
                "rlimits": kernel_rlimits(self.limits, self.job["level"]),
            },
            timeout=min(timeout, 30),
        )
        kc = BlockingKernelClient(connection_file=cf)
        kc.load_connection_file()
        kc.start_channels()
        self.kc = kc
        self._wait_ready(timeout)

    @property
    def client(self) -> BlockingKernelClient:
        """The kernel client; only called while the kernel runs."""
        if self.kc is None:
            raise RuntimeError("the kernel is not running")
        return self.kc

    def _wait_ready(self, timeout: float) -> None:
        """Ready when a kernel_info request gets its shell reply *and* its iopub status (so no
        output of the first cell can be lost). Asks again every 0.05 s until iopub answers (the
        first status messages are lost while the subscription connects): faster than wait_for_ready."""
        from queue import Empty

        kc = self.client
        deadline = time.monotonic() + timeout
        sent: set[str] = set()
        shell_ok = iopub_ok = False
        last_sent = 0.0
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError("the kernel exited during start-up")
            if not shell_ok or (not iopub_ok and time.monotonic() - last_sent > 0.05):
                sent.add(kc.kernel_info())
                last_sent = time.monotonic()
            try:
                reply = kc.shell_channel.get_msg(timeout=0.05)
                if reply.get("parent_header", {}).get("msg_id") in sent:
                    shell_ok = True
            except Empty:
                pass
            while True:
                try:
                    msg = kc.iopub_channel.get_msg(timeout=0.02)
                except Empty:
                    break
                if msg.get("parent_header", {}).get("msg_id") in sent:
                    iopub_ok = True
            if shell_ok and iopub_ok:
                return
        raise RuntimeError(f"the kernel was not ready within {timeout:.0f}s")

    def alive(self) -> bool:
        if self.pid is None:
            return False
        try:
            import psutil

            return psutil.Process(self.pid).status() != psutil.STATUS_ZOMBIE
        except Exception:
            return False

    def stop(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)  # the kernel and whatever it started in its session
            except (ProcessLookupError, PermissionError):
                pass
        self.pid = self.kc = None

    def interrupt(self) -> None:
        try:
            if self.pid is not None:
                os.kill(self.pid, signal.SIGINT)
        except (ProcessLookupError, PermissionError):
            pass

    def _add_output(self, ex: Execution, msg: dict, cap_cell: int) -> None:
        mtype = msg["header"]["msg_type"]
        content = msg["content"]
        if mtype == "clear_output":
            ex.outputs.clear()
            return
        if mtype not in ("stream", "display_data", "execute_result", "error"):
            return
        if mtype == "error":  # a flood of errors is capped like any other output
            raw = len(json.dumps(content, default=str))
            content = {
                "ename": str(content.get("ename", ""))[:256],
                "evalue": str(content.get("evalue", ""))[:8192],
                "traceback": [str(t)[:8192] for t in list(content.get("traceback", []))[-20:]],
            }
            msg = {**msg, "content": content}
            ex.truncated += max(0, raw - len(json.dumps(content)) - 64 * 1024)  # flag errors far over the cap
        size = len(json.dumps(content, default=str))
        if mtype == "error" and (self.total_output + size > self.limits.output_bytes_total):
            ex.truncated += size
            ex.ename, ex.evalue = content["ename"], content["evalue"][:500]
            return
        if mtype != "error" and (
            ex.nbytes + size > cap_cell or self.total_output + size > self.limits.output_bytes_total
        ):
            ex.truncated += size
            return
        ex.nbytes += size
        self.total_output += size
        if (
            mtype == "stream"
            and ex.outputs
            and ex.outputs[-1].get("output_type") == "stream"
            and ex.outputs[-1].get("name") == content.get("name")
        ):
            ex.outputs[-1]["text"] += content.get("text", "")
            return
        out = output_from_msg(msg)
        if mtype == "error":
            ex.ename, ex.evalue = content.get("ename", ""), content.get("evalue", "")
        ex.outputs.append(out)

    def run(
        self,
        code: str,
        timeout: float,
        *,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict | None = None,
        collect: bool = True,
        msg_id: str | None = None,
        ex: Execution | None = None,
    ) -> Execution:
        """Send `code` (or keep waiting for `msg_id`) and collect its outputs until the reply and idle."""
        import zmq

        kc = self.client
        start = time.monotonic()
        if msg_id is None:
            msg_id = kc.execute(
                code,
                silent=silent,
                store_history=store_history,
                user_expressions=user_expressions or {},
                allow_stdin=False,
                stop_on_error=False,
            )
        ex = ex or Execution(status="timeout", msg_id=msg_id)
        deadline = start + timeout
        got_reply = got_idle = False
        reply_time = 0.0
        poller = zmq.Poller()
        poller.register(kc.iopub_channel.socket, zmq.POLLIN)
        poller.register(kc.shell_channel.socket, zmq.POLLIN)
        cap = self.limits.output_bytes_per_cell
        last_alive_check = start
        while not (got_reply and got_idle):
            now = time.monotonic()
            if got_reply and not got_idle and now > reply_time + 2.0:
                break  # the idle status was dropped (e.g. under an output flood): the reply is what counts
            if now >= deadline:
                ex.status = "timeout"
                ex.elapsed += now - start
                return ex
            ready = dict(poller.poll(timeout=min(200, max(1, int((deadline - now) * 1000)))))
            if not ready or now - last_alive_check > 1.0:
                last_alive_check = now
                if not self.alive():
                    ex.status = "died"
                    ex.elapsed += time.monotonic() - start
                    return ex
            if kc.iopub_channel.socket in ready:
                while kc.iopub_channel.msg_ready():
                    msg = kc.iopub_channel.get_msg(timeout=0)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    if (
                        msg["header"]["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"
                    ):
                        got_idle = True
                    elif collect:
                        self._add_output(ex, msg, cap)
            if kc.shell_channel.socket in ready:
                while kc.shell_channel.msg_ready():
                    msg = kc.shell_channel.get_msg(timeout=0)
                    if msg.get("parent_header", {}).get("msg_id") == msg_id:
                        got_reply = True
                        reply_time = time.monotonic()
                        ex.reply = msg["content"]
        ex.elapsed += time.monotonic() - start
        ex.status = "ok" if (ex.reply or {}).get("status") == "ok" else "error"
        if ex.reply and ex.reply.get("status") == "error" and not ex.ename:
            ex.ename, ex.evalue = ex.reply.get("ename", ""), ex.reply.get("evalue", "")
        return ex


def output_from_msg(msg: dict) -> dict:
    """An nbformat output from a kernel message (plain dicts: importing nbformat costs seconds here)."""
    kind, c = msg["header"]["msg_type"], msg["content"]
    if kind == "stream":
        return {"output_type": "stream", "name": c.get("name", "stdout"), "text": c.get("text", "")}
    if kind == "error":
        return {
            "output_type": "error",
            "ename": c.get("ename", ""),
            "evalue": c.get("evalue", ""),
            "traceback": list(c.get("traceback", [])),
        }
    out = {"output_type": kind, "data": c.get("data", {}), "metadata": c.get("metadata", {})}
    if kind == "execute_result":
        out["execution_count"] = c.get("execution_count")
    return out


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
            _chown_tree(Path(din), self.job.get("uid"), self.job.get("gid"))
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
                dirs[:] = [d for d in dirs if _same_device(os.path.join(dirpath, d), dev)]
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
                for e in _listdir(top)
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
            self.judge.begin(
                [(_source(cells[i]), f"setup cell {i}") for i in prefix], timeout=max(5.0, self.remaining())
            )
        except (JudgeTimeout, EOFError, OSError, ValueError) as exc:
            self.judge.stop()
            self.flag(
                "judge", f"the grader's judge could not start ({type(exc).__name__}): tell the course team"
            )
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

    def _judge_setup_errors(self) -> None:
        try:
            if self.judge.alive():
                self.judge.settle(5)
        except (JudgeTimeout, EOFError, OSError, ValueError):
            pass
        for err in self.judge.setup_errors[:3]:
            self.flag(
                "judge", f"the assignment's setup failed in the grader's judge ({err}): tell the course team"
            )


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def job_processes(job_id: str, server: ForkServer | None = None) -> list:
    """Every process of this submission: below the fork server (one kernel at a time per
    worker), or carrying the submission's marker (programs it started)."""
    import psutil

    found = list(server.descendants()) if server is not None else []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get(JOB_MARKER) == job_id and proc.pid not in {p.pid for p in found}:
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
    _set_subreaper()
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever prints goes to the log, not into the protocol
    root_files = JobFiles(root)
    cfg = json.loads(root_files.read(config))

    def _stop(*_: object) -> None:
        _kill_children()
        os._exit(3)

    signal.signal(signal.SIGTERM, _stop)
    top = prepare_filesystem(cfg)
    server: ForkServer | None = None
    judge_dir = top / "judge"
    judge_cfg = {
        "rlimits": kernel_rlimits(Limits(**cfg["limits"]), cfg["level"]),
        "uid": cfg.get("judge_uid"),
        "gid": cfg.get("judge_uid"),
        "cwd": str(judge_dir),
    }
    judge = JudgeClient(judge_command(judge_cfg), judge_env(cfg, judge_dir), str(judge_dir), None)
    try:
        for line in sys.stdin:
            name = line.strip()
            if not name:
                continue
            files = JobFiles(name, parent_fd=root_files.fd)
            job = {**cfg, **json.loads(files.read("job.json"))}
            try:
                sandbox = fresh_sandbox(top, files, job)
                if server is None:
                    server = ForkServer(
                        server_env(job, sandbox), str(sandbox), nested=job["level"] == "userns"
                    )
                    server.start()
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
        if server is not None:
            server.stop()
        judge.stop()
        _kill_children()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "--serve":
        sys.exit("usage: python -m smartseoul.grading.worker --serve JOBS_FOLDER CONFIG.json")
    sys.exit(serve(sys.argv[2], sys.argv[3]))
