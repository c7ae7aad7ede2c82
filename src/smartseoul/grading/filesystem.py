"""What a submission's processes see of the file system, and a clean slate between submissions.

The worker runs in its own mount namespace. It hides the course checkout and the job folders
(which hold the hidden tests), gives the kernel a private tmpfs for every folder anyone may
write to, binds back only the interpreter, the data and the public files a job declares, and
reads job files through a directory descriptor opened before the hiding. Between two
submissions it removes the first one's files and IPC objects, so nothing carries over.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import channel

if TYPE_CHECKING:
    pass

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


def set_subreaper() -> None:
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


_EXPOSE = (
    "import json, os, sys\n"
    "from smartseoul.grading.filesystem import expose\n"
    "expose(json.loads(sys.argv[1]))\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def exposed_command(needed: list[str], command: Sequence[str]) -> list[str]:
    """`command` (run as root) in a private mount namespace where other accounts can reach the
    `needed` folders (:func:`expose`); the command as it is when nothing above them is closed."""
    if not any(closed_ancestor(x) for x in needed):
        return list(command)
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--",
        sys.executable,
        "-c",
        _EXPOSE,
        json.dumps(needed),
        *command,
    ]


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


def same_device(path: str, dev: int) -> bool:
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
    chown_tree(top / "channel", cfg.get("uid"), cfg.get("gid"))
    chown_tree(top / "judge", cfg.get("judge_uid"), cfg.get("judge_uid"))
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


JUDGE_DATA_READY = ".data-ready"  # in the judge's home: the assignment's data are there (once per worker)


def make_home(home: Path, mpl: dict[str, bytes]) -> None:
    """A home for a kernel or the judge: matplotlib's font cache (so it is not rebuilt at every
    start) and the folders IPython and Jupyter write to."""
    conf = home / ".config" / "matplotlib"
    conf.mkdir(parents=True, exist_ok=True)
    for name, data in mpl.items():
        (conf / name).write_bytes(data)
    for sub in (".ipython", ".jupyter", ".rt", "tmp", ".cache"):
        (home / sub).mkdir(exist_ok=True)


def warm_homes(top: Path, mpl: dict[str, bytes], cfg: dict) -> Path:
    """Before the first submission: homes for the fork server and the judge, so both can import
    their modules while the parent still prepares the first job. The kernel's home is replaced
    by a fresh one (fresh_sandbox) before any trainee code runs."""
    sandbox = top / "sandbox"
    sandbox.mkdir(mode=0o700, exist_ok=True)
    for home in (sandbox, top / "judge"):
        make_home(home, mpl)
    chown_tree(sandbox, cfg.get("uid"), cfg.get("gid"))
    chown_tree(top / "judge", cfg.get("judge_uid"), cfg.get("judge_uid"))
    return sandbox


def fresh_sandbox(top: Path, files: JobFiles, job: dict, mpl: dict[str, bytes]) -> Path:
    """Before each submission: nothing of the one before is left (files anywhere it could write,
    IPC objects), and a new sandbox holds only the data this notebook needs."""
    if job["level"] in ("full", "userns"):
        for folder in world_writable_dirs():
            keep = BOUND.get(folder, set()) | (set(KEEP) if folder == str(top) else set())
            for name in listdir(folder):
                if name not in keep:
                    _rmtree(Path(folder) / name)
        _remove_ipc()
    else:
        for name in listdir(str(top)):
            if name not in KEEP:
                _rmtree(top / name)
    for name in listdir(str(top / "channel")):
        _rmtree(top / "channel" / name)
    sandbox = top / "sandbox"
    sandbox.mkdir(mode=0o700)
    judge_dir = top / "judge"
    homes = [sandbox] if (judge_dir / JUDGE_DATA_READY).exists() else [sandbox, judge_dir]
    for name in files.listdir("data"):
        data = files.read(f"data/{name}")
        for home in homes:
            (home / name).write_bytes(data)
    make_home(sandbox, mpl)  # the judge's home stays, made once by warm_homes
    (judge_dir / JUDGE_DATA_READY).touch()
    chown_tree(sandbox, job.get("uid"), job.get("gid"))
    chown_tree(judge_dir, job.get("judge_uid"), job.get("judge_uid"))
    return sandbox


def chown_tree(top: Path, uid: int | None, gid: int | None) -> None:
    if uid is None:
        return
    gid = uid if gid is None else gid
    for dirpath, _dirnames, filenames in os.walk(top):
        os.chown(dirpath, uid, gid)
        for n in filenames:
            os.chown(os.path.join(dirpath, n), uid, gid)


def listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
