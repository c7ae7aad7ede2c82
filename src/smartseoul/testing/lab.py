"""For tests and benchmarks only, never imported by the course at run time.

A throw-away JupyterLab on 127.0.0.1 with a token, a temporary copy of the course, nbgrader's
shared exchange folder with the permissions nbgrader expects, and commands run as another Unix
account (a trainee). The runtime names of `smartseoul.lab` are re-exported, so a test needs one
import."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import paths
from ..browser import CHROMIUM_ARGS, find_chromium
from ..lab import (
    LabError,
    course_environ,
    lab_command,
    lab_settings_overrides,
    make_lab_command,
)
from ..nbgrader_runner import NbgraderFailed, run_nbgrader
from ..settings import SmartSeoul

__all__ = [
    "CHROMIUM_ARGS",
    "LabError",
    "NbgraderFailed",
    "course_environ",
    "find_chromium",
    "lab_command",
    "lab_settings_overrides",
    "make_lab_command",
    "run_nbgrader",
]

#: Where the shipped JupyterHub configuration lives in the checkout.
HUB_CONFIG_DIR = Path(__file__).resolve().parents[3] / "grading" / "jupyterhub"
#: The folder a hub copies into ``$PREFIX/etc/jupyter`` for every user (trainees and instructors).
HUB_SHARED_JUPYTER_DIR = HUB_CONFIG_DIR / "etc" / "jupyter"
#: The folder an instructor's ``~/.jupyter`` gets: turns the instructor tools back on.
HUB_INSTRUCTOR_JUPYTER_DIR = HUB_CONFIG_DIR / "instructor" / "jupyter"

#: The settings the shipped nbgrader_config.py files read from the environment (smartseoul.settings).
ENV_EXCHANGE = SmartSeoul.exchange_root.metadata["env"]
ENV_COURSE_ID = SmartSeoul.course_id.metadata["env"]
DEFAULT_EXCHANGE = SmartSeoul.exchange_root.default_value
DEFAULT_COURSE_ID = SmartSeoul.course_id.default_value


# --------------------------------------------------------------------------- JupyterLab server


@dataclass
class LabServer:
    """A running JupyterLab: its address, token, process and log file."""

    url: str
    token: str
    process: subprocess.Popen
    log_path: Path
    root_dir: Path
    cwd: Path
    extra: dict = field(default_factory=dict)

    def link(self, path: str = "lab") -> str:
        """A URL inside this server that carries the token (so a browser is logged in)."""
        sep = "&" if "?" in path else "?"
        return f"{self.url}/{path.lstrip('/')}{sep}token={self.token}"

    def get_json(self, path: str, timeout: float = 10) -> object:
        """GET a JSON API path of this server (token-authenticated)."""
        request = urllib.request.Request(
            f"{self.url}/{path.lstrip('/')}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_lab(
    root_dir: Path,
    *,
    cwd: Path | None = None,
    state_dir: Path,
    env: dict[str, str] | None = None,
    startup_timeout: float = 90.0,
) -> Iterator[LabServer]:
    """Start JupyterLab like `make lab` does (working directory = the nbgrader course folder,
    root = the course checkout), wait until it answers, and stop it (whole process group) after.

    Jupyter's own per-user folders (config, runtime, lab settings, workspaces) are pointed into
    ``state_dir`` so a test never reads or changes the machine's ~/.jupyter."""
    root_dir = Path(root_dir).resolve()
    cwd = Path(cwd or root_dir).resolve()
    state_dir = Path(state_dir)
    for sub in ("config", "runtime", "settings", "workspaces"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    for rel, values in lab_settings_overrides().items():
        target = state_dir / "settings" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")

    port = free_port()
    token = secrets.token_hex(16)
    run_env = course_environ()
    run_env.update(
        {
            "JUPYTER_CONFIG_DIR": str(state_dir / "config"),
            "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(state_dir / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(state_dir / "workspaces"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYTHONUNBUFFERED": "1",
        }
    )
    run_env.update(env or {})
    log_path = state_dir / "jupyterlab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            lab_command(root_dir, port=port, token=token),
            cwd=cwd,
            env=run_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group: kernels go down with the server
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, process, log_path, root_dir, cwd)
    try:
        _wait_until_up(server, startup_timeout)
        yield server
    finally:
        stop_process_group(process)


def _wait_until_up(server: LabServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise LabError(
                f"JupyterLab exited with code {server.process.returncode} before it answered.\n"
                f"Its log ({server.log_path}):\n{server.log()[-4000:]}"
            )
        try:
            server.get_json("api/status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            time.sleep(0.3)
    raise LabError(
        f"JupyterLab did not answer on {server.url} within {timeout:.0f} s.\n"
        f"Its log ({server.log_path}):\n{server.log()[-4000:]}"
    )


def stop_process_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it started."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------- browser

#: The rendered part of every markdown cell, whichever renderer drew it (JupyterLab's own, or
#: jupyterlab-myst's ``.myst`` widget): the input area without its editor (hidden once the cell
#: is rendered, but still holding the source), its prompt and the active cell's toolbar.
RENDERED_MARKDOWN = (
    ".jp-MarkdownCell .jp-Cell-inputArea > "
    ":not(.jp-InputArea-editor):not(.jp-InputPrompt):not(.jp-cell-toolbar)"
)


def korean_font_families() -> set[str]:
    """Font families that fontconfig says cover Korean (``fc-list :lang=ko``), the fonts a
    browser on this machine can draw Hangul with. Empty when there is none (or no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    result = subprocess.run(
        [fc_list, ":lang=ko", "family"], capture_output=True, text=True, timeout=60, check=False
    )
    return {name.strip() for line in result.stdout.splitlines() for name in line.split(",") if name.strip()}


def missing_korean_font() -> str | None:
    """None when a Korean font is installed, otherwise why not and how to fix it (a skip reason)."""
    if shutil.which("fc-list") is None:
        return "fontconfig's fc-list is missing, so no Korean font can be found: apt-get install fontconfig fonts-noto-cjk (.ci/run does)"
    if not korean_font_families():
        return "no Korean font (fc-list :lang=ko is empty), so a browser draws Hangul as empty boxes: apt-get install fonts-noto-cjk (.ci/run does)"
    return None


def fonts_drawing(page: Any, selector: str) -> list[dict[str, Any]]:
    """The fonts Chromium really drew the text directly inside the element ``selector`` with
    (DevTools' ``CSS.getPlatformFontsForNode``): ``familyName`` and ``glyphCount`` for each.
    ``page`` is a Playwright page on Chromium."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            raise LabError(f"no element matches {selector!r}")
        return list(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"])
    finally:
        cdp.detach()


# --------------------------------------------------------------------------- a course copy


def nbgrader_paths(
    grading_dir: Path, assignments: Sequence[str], *, env: dict[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """Where nbgrader, configured as in ``grading_dir``, looks for each assignment: the course
    root, its source and release folders, the gradebook URL and the course id.

    Asked of nbgrader itself (one subprocess, so the caller's working directory is untouched),
    so the answer follows whatever ``grading/nbgrader_config.py`` says."""
    code = (
        "import json, sys\n"
        "from nbgrader.apps.baseapp import NbGrader\n"
        "from nbgrader.coursedir import CourseDirectory\n"
        "app = NbGrader(); app.load_config_file()\n"
        "cd = CourseDirectory(config=app.config)\n"
        "print(json.dumps({a: {'root': cd.root, 'source': cd.format_path(cd.source_directory, '.', a),\n"
        "  'release': cd.format_path(cd.release_directory, '.', a), 'db_url': cd.db_url,\n"
        "  'course_id': cd.course_id} for a in sys.argv[1:]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *assignments],
        cwd=grading_dir,
        env=course_environ(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LabError(f"could not read nbgrader's configuration in {grading_dir}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def minimal_nbgrader_config(course_id: str = DEFAULT_COURSE_ID) -> str:
    """An nbgrader_config.py for a course folder whose source notebooks are in ../exercises.
    Used only when the checkout has no grading/nbgrader_config.py yet."""
    return (
        '"""Stand-in course configuration written by smartseoul.testing.lab for a temporary course."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        'c.CourseDirectory.source_directory = "../exercises"\n'
        "c.ExecutePreprocessor.timeout = 300\n"
    )


def copy_course(
    target: Path,
    assignments: Sequence[Path],
    *,
    module_notebooks: Sequence[Path] = (),
    checkout: Path | None = None,
) -> Path:
    """Lay out a throw-away course at ``target`` shaped like the checkout, so `make lab`'s
    arrangement (JupyterLab root = course, nbgrader course folder = grading/) can be tested
    without touching the real grading state.

    Copies the course's nbgrader configuration files from ``grading/`` (only *.py and the
    source link, never state), each assignment folder to where that configuration expects
    source notebooks, the given module notebooks under ``modules/<their folder>/``, and links
    ``datasets/`` to the checkout's. Returns the copy's grading folder."""
    checkout = Path(checkout or paths.course_root())
    target = Path(target)
    grading = target / "grading"
    grading.mkdir(parents=True, exist_ok=True)
    (target / "exercises").mkdir(exist_ok=True)
    real_grading = checkout / "grading"
    copied_config = False
    if real_grading.is_dir():
        for item in real_grading.iterdir():
            if item.suffix == ".py" and item.is_file():
                shutil.copy2(item, grading / item.name)
                copied_config = copied_config or item.name == "nbgrader_config.py"
            elif item.name == "source" and item.is_symlink():
                os.symlink(os.readlink(item), grading / "source")
    if not copied_config:
        (grading / "nbgrader_config.py").write_text(minimal_nbgrader_config(), encoding="utf-8")
    if (checkout / "datasets").is_dir() and not (target / "datasets").exists():
        (target / "datasets").symlink_to(checkout / "datasets", target_is_directory=True)
    where_all = nbgrader_paths(grading, [Path(f).name for f in assignments]) if assignments else {}
    for folder in assignments:
        folder = Path(folder)
        where = Path(where_all[folder.name]["source"])
        where.parent.mkdir(parents=True, exist_ok=True)
        if where.exists():
            shutil.rmtree(where)
        shutil.copytree(folder, where, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for notebook in module_notebooks:
        notebook = Path(notebook)
        dest = target / "modules" / notebook.parent.name
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(notebook, dest / notebook.name)
    return grading


# --------------------------------------------------------------------------- the exchange


def create_exchange(root: Path) -> Path:
    """nbgrader's exchange folder, world-writable as nbgrader's docs require (0777): every trainee
    writes submissions into it; nbgrader itself makes each course's inbound folder write-only
    for trainees, so nobody can read another's work."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o777)
    return root


def hub_environment(exchange_root: Path, course_id: str, *, instructor: bool = False) -> dict[str, str]:
    """Environment that makes a process see the shipped hub configuration, as if it were
    installed in the server's ``$PREFIX/etc/jupyter`` (and the instructor's ~/.jupyter)."""
    config_path = [str(HUB_SHARED_JUPYTER_DIR)]
    if instructor:
        config_path.insert(0, str(HUB_INSTRUCTOR_JUPYTER_DIR))
    return {
        "JUPYTER_CONFIG_PATH": os.pathsep.join(config_path),
        ENV_EXCHANGE: str(exchange_root),
        ENV_COURSE_ID: course_id,
    }


@dataclass
class Trainee:
    """A local Unix account standing for one trainee on a shared server."""

    name: str
    home: Path


def can_manage_accounts() -> str | None:
    """None when this process can create Unix accounts and run commands as them, otherwise
    the reason why not (said in a skip message)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to create trainee accounts (CI runs as root; locally: sudo)"
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian package: passwd / util-linux)"
    return None


def create_trainee(name: str, home: Path) -> Trainee:
    """Create a Unix account whose home is ``home`` (inside a temporary folder)."""
    home = Path(home)
    home.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["useradd", "--home-dir", str(home), "--create-home", "--shell", "/bin/sh", "--user-group", name],
        check=True,
        capture_output=True,
        text=True,
    )
    return Trainee(name, home)


def remove_trainee(name: str) -> None:
    """Delete the account and its home; never fails the caller (used in clean-up)."""
    subprocess.run(["userdel", "--remove", "--force", name], capture_output=True, check=False)
    subprocess.run(["groupdel", name], capture_output=True, check=False)


def reachable(command: Sequence[str]) -> list[str]:
    """`command` (run as root) wrapped so that other accounts can reach this checkout and its
    Python, even where a folder above them is private (a 0700 home or `mktemp -d`): a private
    mount namespace covers that folder and binds only the checkout and the interpreter back.
    SMARTSEOUL_LAB_NO_EXPOSE=1 turns this off (to show the failure it prevents)."""
    from ..grading.filesystem import exposed_command

    needed = [str(paths.course_root()), sys.prefix, sys.base_prefix]
    if os.environ.get("SMARTSEOUL_LAB_NO_EXPOSE") == "1":
        return list(command)
    return exposed_command(needed, command)


def _runs_as(user: str, command: Sequence[str]) -> bool:
    result = subprocess.run(
        reachable(["runuser", "-u", user, "--", *command]), capture_output=True, check=False
    )
    return result.returncode == 0


def trainee_python(user: str, launcher_dir: Path) -> list[str]:
    """A command prefix that runs this course's Python environment as ``user``.

    On a hub the environment lives somewhere every account can read (TLJH: /opt/tljh/user).
    A developer's .venv may point at an interpreter inside /root (pyenv) that other accounts
    cannot execute; then use the system Python of the same version with the venv's
    site-packages added (read-only), through a small launcher written to ``launcher_dir``."""
    if _runs_as(user, [sys.executable, "-c", "import nbgrader"]):
        return [sys.executable]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    site_dirs = [
        p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir() and p.startswith(sys.prefix)
    ]
    for candidate in (
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
        shutil.which(f"python{version}"),
    ):
        if not candidate or not Path(candidate).exists():
            continue
        launcher = Path(launcher_dir) / "run_with_course_env.py"
        launcher.write_text(
            "# Runs `python -m MODULE ARGS` with the course's site-packages (see smartseoul.testing.lab).\n"
            "import runpy, site, sys\n"
            f"for d in {site_dirs!r}:\n"
            "    site.addsitedir(d)\n"
            "if sys.argv[1:2] == ['-m']:\n"
            "    del sys.argv[1]\n"
            "sys.argv = sys.argv[1:]\n"
            "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n",
            encoding="utf-8",
        )
        os.chmod(launcher, 0o755)
        os.chmod(launcher_dir, 0o755)
        prefix = [candidate, "-S", str(launcher)]
        if _runs_as(user, [*prefix, "-m", "nbgrader._version"]):  # cheap: imports from site-packages
            return prefix
    raise LabError(
        f"account {user!r} cannot run this course's Python ({sys.executable}).\n"
        "Install the course environment where every account can read it (on a hub: the user "
        f"environment), or install python{version} system-wide (apt-get install python3)."
    )


def run_as(
    user: str, command: Sequence[str], *, cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run ``command`` as ``user`` with a clean environment (HOME, USER, PATH and ``env``)."""
    import pwd

    entry = pwd.getpwnam(user)
    clean = {
        "HOME": entry.pw_dir,
        "USER": user,
        "LOGNAME": user,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        **env,
    }
    return subprocess.run(
        reachable(
            ["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in clean.items()], *command]
        ),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def shared_tempdir(prefix: str) -> Path:
    """A temporary folder other accounts may enter (0755) for a course copy and an exchange.

    Not in /tmp or /var/tmp: pytest's tmp_path is a 0700 folder trainee accounts cannot reach,
    and the grading pipeline's sandbox gives each kernel private /tmp and /var/tmp, so a course
    kept there would lose its datasets/. /srv (where nbgrader's exchange lives on a real server)
    is used when writable; $SMARTSEOUL_LAB_TMP overrides."""
    candidates = [os.environ.get("SMARTSEOUL_LAB_TMP") or "", "/srv", "/var/tmp"]
    base = next((c for c in candidates if c and os.path.isdir(c) and os.access(c, os.W_OK)), None)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    os.chmod(path, 0o755)
    return path
