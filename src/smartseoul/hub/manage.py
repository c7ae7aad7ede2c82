"""Start, stop and look after the course's JupyterHub on this machine (`smartseoul hub ...`).

The hub runs as root on 127.0.0.1 from grading/jupyterhub/local/jupyterhub_config.py, with its
state in the hub folder (settings: hub_dir): state/ (database, cookie secret, tokens, log; 0700),
content.git (the course notebooks trainees pull with nbgitpuller) and backups/. Nothing here
downloads anything: the proxy comes from `make hub-proxy` (npm, at install time)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import pwd
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..nbgrader_runner import course_environ, nbgrader_command
from .config import COURSE_FOLDER, HUB_FILES, HubConfigError, HubPlan, unix_account
from .spawner import ensure_account

LOCAL_CONFIG = HUB_FILES / "local" / "jupyterhub_config.py"


class HubError(RuntimeError):
    """The hub could not do what was asked; the message says what to do."""


# --------------------------------------------------------------------------- folders


def state_dir(p: HubPlan) -> Path:
    return p.hub_dir / "state"


def log_path(p: HubPlan) -> Path:
    return state_dir(p) / "jupyterhub.log"


def token(p: HubPlan) -> str:
    """The API token of the `smartseoul-cli` service (created on first start)."""
    path = state_dir(p) / "cli-token"
    if not path.exists():
        raise HubError(f"no hub at {p.hub_dir}: start it first (smartseoul hub start)")
    return path.read_text().strip()


def limitations(p: HubPlan) -> list[str]:
    """What this one-machine hub cannot do, said at start-up."""
    found = [
        f"memory ({p.mem_limit}) and CPU ({p.cpu_limit:g}) limits per trainee are NOT enforced: "
        "LocalProcessSpawner cannot, and systemd (SystemdSpawner) is not running here. One trainee's "
        "runaway notebook can slow everyone; the Z2JH and TLJH files enforce the same limits.",
        "plain HTTP on 127.0.0.1 only: put a TLS reverse proxy in front before trainees connect from "
        "other machines.",
        "sign-up: trainees sign up at /hub/signup and an instructor approves them at /hub/authorize "
        "(or add a roster with `smartseoul hub add-users`). A city's real deployment uses its own "
        "OAuth or LTI login instead (see the instructor guide).",
    ]
    from ..grading.filesystem import closed_ancestor

    closed = sorted({c for c in (closed_ancestor(x) for x in _exposed_paths(p)) if c})
    if closed:
        found.append(
            f"the course environment lives under {', '.join(closed)}, which trainees cannot enter: the hub "
            "runs in a private mount namespace that shows them only the environment and the checkout "
            "(read-only). On a real server install the environment under /opt instead."
        )
    return found


def _exposed_paths(p: HubPlan) -> list[str]:
    import smartseoul

    found = [sys.prefix, sys.base_prefix, str(p.checkout), str(Path(smartseoul.__file__).parents[1])]
    found += [x for x in os.environ.get("PYTHONPATH", "").split(os.pathsep) if x]
    return [x for x in found if os.path.exists(x)]


def reachable(p: HubPlan, command: Sequence[str]) -> list[str]:
    """`command` (run as root) in a private mount namespace where other accounts can reach the
    course environment and checkout, if a folder above them is closed (pyenv in /root)."""
    from ..grading.filesystem import exposed_command

    return exposed_command(_exposed_paths(p), command)


def _check_machine(p: HubPlan) -> None:
    if os.geteuid() != 0:
        raise HubError("the hub creates a Unix account per trainee: run it as root (sudo make hub)")
    for tool in ("useradd", "userdel", "runuser", "git"):
        if shutil.which(tool) is None:
            raise HubError(f"`{tool}` is missing (apt-get install passwd util-linux git)")
    if not p.proxy_command.exists():
        raise HubError(f"configurable-http-proxy is not installed ({p.proxy_command}): run `make hub-proxy`")
    from ..grading.filesystem import closed_ancestor

    for what, folder in (
        ("hub_dir", p.hub_dir),
        ("hub_home_base", p.home_base),
        ("exchange_root", p.exchange_root),
    ):
        parent = Path(folder)
        while not parent.exists():
            parent = parent.parent
        if closed_ancestor(str(parent / "x")):
            raise HubError(
                f"{what} ({folder}) is inside a folder other accounts cannot enter: choose another"
            )


def prepare(p: HubPlan) -> None:
    """The hub folder, the exchange, the git config trainees pull with, the API token."""
    p.hub_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(p.hub_dir, 0o711)  # trainees reach content.git; nothing can be listed
    state = state_dir(p)
    state.mkdir(exist_ok=True)
    os.chmod(state, 0o700)
    (p.hub_dir / "backups").mkdir(exist_ok=True)
    os.chmod(p.hub_dir / "backups", 0o700)
    Path(p.home_base).mkdir(parents=True, exist_ok=True)
    exchange = Path(p.exchange_root)
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o777)  # nbgrader's requirement; it makes each inbound write-only itself
    token_file = state / "cli-token"
    if not token_file.exists():
        token_file.write_text(secrets.token_hex(32) + "\n")
        os.chmod(token_file, 0o600)
    gitconfig = p.hub_dir / "gitconfig"
    gitconfig.write_text(
        "# Read by every user server (GIT_CONFIG_SYSTEM): the course content repository is root's,\n"
        "# and git refuses another account's repository unless the system config says it is safe.\n"
        "[include]\n\tpath = /etc/gitconfig\n"
        f"[safe]\n\tdirectory = {p.content_repo}\n"
    )
    os.chmod(gitconfig, 0o644)


# --------------------------------------------------------------------------- course content


def _git(repo: Path, *args: str, work_tree: Path | None = None) -> subprocess.CompletedProcess:
    command = ["git", f"--git-dir={repo}"]
    if work_tree is not None:
        command.append(f"--work-tree={work_tree}")
    result = subprocess.run(
        [*command, "-c", "user.name=Smart Seoul Data Lab", "-c", "user.email=course@localhost", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise HubError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def publish_content(p: HubPlan, source: Path | None = None, message: str = "") -> str | None:
    """Commit the course notebooks (modules/ of the checkout, or `source`) to content.git, the
    repository trainees pull with nbgitpuller. Returns the new commit, or None if nothing changed.

    nbgitpuller then updates each trainee's copy without overwriting what they changed: a file the
    trainee edited keeps their version, files they did not touch are updated, new files appear."""
    source = Path(source or p.checkout / "modules")
    repo = p.content_repo
    old_umask = os.umask(0o022)
    try:
        if not (repo / "HEAD").exists():
            repo.mkdir(parents=True, exist_ok=True)
            _git(repo, "init", "--bare", "--quiet", "--initial-branch=main")
        with tempfile.TemporaryDirectory(prefix="smartseoul-content-") as tmp:
            stage = Path(tmp) / "stage"
            shutil.copytree(
                source,
                stage / "modules",
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build", "*.pyc"),
            )
            languages = _translations(stage, p.checkout / "locales")
            (stage / "README.md").write_text(
                "# Smart Seoul Data Lab\n\nThe course notebooks. Open modules/00-orientation/ to begin.\n"
                + (
                    f"The notebooks in your language are in translations/<language>/modules/ ({', '.join(languages)}).\n"
                    if languages
                    else ""
                )
                + "Your changes are yours: when the course is updated, files you edited keep your version.\n"
            )
            _git(repo, "add", "--all", work_tree=stage)
            status = _git(repo, "status", "--porcelain", work_tree=stage).stdout.strip()
            has_head = (
                subprocess.run(
                    ["git", f"--git-dir={repo}", "rev-parse", "--verify", "-q", "HEAD"],
                    capture_output=True,
                    check=False,
                ).returncode
                == 0
            )
            if has_head and not status:
                return None
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            _git(repo, "commit", "--quiet", "-m", message or f"Course content of {stamp}", work_tree=stage)
        return _git(repo, "rev-parse", "HEAD").stdout.strip()
    finally:
        os.umask(old_umask)


def _translations(stage: Path, locales: Path) -> list[str]:
    """The module notebooks in every course language, made from the PO files next to the English
    ones (translations/<lang>/modules/..., linking each module's data folders inside the content),
    so a trainee finds them on the hub. Returns the language codes written."""
    if not locales.is_dir():
        return []
    from ..i18n.languages import load
    from ..i18n.notebooks import write_all

    link = stage / "locales"
    link.symlink_to(locales, target_is_directory=True)  # the catalogues, read in place
    try:
        codes = load(locales.parent).codes
        for code in codes:
            write_all(stage, code, stage / "translations" / code)
    finally:
        link.unlink()
    return codes


# --------------------------------------------------------------------------- accounts


def _db_url(p: HubPlan) -> str:
    return f"sqlite:///{state_dir(p) / 'jupyterhub.sqlite'}"


@contextmanager
def _native_db(p: HubPlan) -> Iterator[Any]:
    """A session on the hub's database with NativeAuthenticator's table (created if need be)."""
    import logging

    import nativeauthenticator.orm  # noqa: F401  (registers users_info with JupyterHub's tables)
    from jupyterhub import orm

    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are noise on the console

    state_dir(p).mkdir(parents=True, exist_ok=True)
    session = orm.new_session_factory(_db_url(p))()
    try:
        yield session
    finally:
        session.close()


def new_password() -> str:
    """A password a trainee can type from a printed sheet (12 characters, no look-alikes)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def set_password(p: HubPlan, login: str, password: str, *, create: bool, email: str = "") -> bool:
    """Store `login`'s password (approved account). Returns False if the login already existed
    and `create` was asked (the roster does not change a password)."""
    import bcrypt
    from nativeauthenticator.orm import UserInfo

    unix_account(login, p.unix_prefix)  # refuse logins that make no Unix account name
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    with _native_db(p) as db:
        info = UserInfo.find(db, login)
        if info is not None and create:
            return False
        if info is None:
            if not create:
                raise HubError(
                    f"{login!r} has no account on this hub (add it with `smartseoul hub add-users`)"
                )
            info = UserInfo(username=login, password=hashed, is_authorized=True, email=email or None)
            db.add(info)
        else:
            info.password = hashed
            info.is_authorized = True
        db.commit()
    return True


@dataclass
class Added:
    login: str
    unix: str
    password: str | None  # None: the account was already there (password unchanged)


def read_roster(path: Path) -> list[dict[str, str]]:
    """Rows of a roster CSV with a `username` (or `login`) column and an optional `email`."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for n, row in enumerate(rows, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        login = (row.get("username") or row.get("login") or "").lower()
        if not login:
            raise HubError(f"{path}, line {n}: no username (the roster needs a `username` column)")
        out.append({"login": login, "email": row.get("email", "")})
    return out


def add_users(p: HubPlan, roster: Path, passwords_out: Path) -> list[Added]:
    """Every trainee of the roster gets an approved hub account with a new password and their
    Unix account; the passwords go to `passwords_out` (0600), never to the screen."""
    rows = read_roster(roster)
    for row in rows:
        unix_account(row["login"], p.unix_prefix)  # check them all before changing anything
    added = []
    for row in rows:
        password = new_password()
        created = set_password(p, row["login"], password, create=True, email=row["email"])
        unix = p.unix_name(row["login"])
        ensure_account(unix, p.home_base)
        added.append(Added(row["login"], unix, password if created else None))
    fresh = [a for a in added if a.password]
    if hub_pid(p):  # the admin panel and `status` list them from now on, not only after a first login
        try:
            api(p, "POST", "users", {"usernames": [a.login for a in added]})
        except urllib.error.HTTPError as err:
            if err.code != 409:  # 409: every one of them is there already
                raise
    if fresh:
        passwords_out.parent.mkdir(parents=True, exist_ok=True)
        new_file = not passwords_out.exists()
        with open(passwords_out, "a", newline="", encoding="utf-8") as handle:
            os.chmod(passwords_out, 0o600)
            writer = csv.writer(handle)
            if new_file:
                writer.writerow(["username", "password", "url"])
            for a in fresh:
                writer.writerow([a.login, a.password, f"{p.url}/hub/login"])
    return added


def ensure_instructors(p: HubPlan) -> dict[str, str]:
    """Instructors without a hub account get one now; returns their first passwords."""
    from nativeauthenticator.orm import UserInfo

    with _native_db(p) as db:
        missing = [login for login in p.instructors if UserInfo.find(db, login) is None]
    first = {}
    for login in missing:
        first[login] = new_password()
        set_password(p, login, first[login], create=True)
    return first


# --------------------------------------------------------------------------- the process


def api(p: HubPlan, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
    """Call the hub's REST API with the smartseoul-cli service token."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{p.url}/hub/api/{path.lstrip('/')}",
        data=data,
        method=method,
        headers={"Authorization": f"token {token(p)}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def hub_pid(p: HubPlan) -> int | None:
    """The running hub's process id, or None."""
    pid_file = state_dir(p) / "jupyterhub.pid"
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def hub_environment(p: HubPlan) -> dict[str, str]:
    """The hub process's environment: the same settings as this command (so the hub's
    configuration computes the same plan), this checkout, and the course environment first on PATH."""
    env = course_environ(
        {
            "SMARTSEOUL_HOME": str(p.checkout),
            "SMARTSEOUL_COURSE_ID": p.course_id,
            "SMARTSEOUL_EXCHANGE_ROOT": p.exchange_root,
            "SMARTSEOUL_HUB_DIR": str(p.hub_dir),
            "SMARTSEOUL_HUB_PORT": str(p.port),
            "SMARTSEOUL_HUB_HOMES": p.home_base,
            "SMARTSEOUL_HUB_UNIX_PREFIX": p.unix_prefix,
            "SMARTSEOUL_HUB_INSTRUCTORS": ",".join(p.instructors),
            "GIT_CONFIG_SYSTEM": str(p.hub_dir / "gitconfig"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env["PATH"] = os.pathsep.join(
        [
            str(Path(sys.executable).parent),
            "/usr/local/sbin",
            "/usr/local/bin",
            "/usr/sbin",
            "/usr/bin",
            "/sbin",
            "/bin",
        ]
    )
    for name in (
        "CONFIGPROXY_AUTH_TOKEN",
        "JUPYTERHUB_API_TOKEN",
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_CONFIG_PATH",
    ):
        env.pop(name, None)
    return env


def start(p: HubPlan, *, timeout: float = 120, echo=print) -> dict[str, str]:
    """Start the hub (no-op if it runs); returns the first passwords of new instructor accounts."""
    _check_machine(p)
    prepare(p)
    if not p.content_repo.exists():
        publish_content(p)
    for line in limitations(p):
        echo(f"!! {line}")
    first = ensure_instructors(p)
    if hub_pid(p):
        echo(f">> the hub already runs: {p.url}")
        return first
    with open(log_path(p), "ab") as log:
        process = subprocess.Popen(
            reachable(p, [sys.executable, "-m", "jupyterhub", "-f", str(LOCAL_CONFIG)]),
            cwd=state_dir(p),
            env=hub_environment(p),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HubError(f"JupyterHub exited ({process.returncode}); its log ({log_path(p)}):\n{_tail(p)}")
        try:
            with urllib.request.urlopen(f"{p.url}/hub/api/", timeout=5) as response:
                if response.status == 200 and hub_pid(p):
                    return first
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise HubError(f"JupyterHub did not answer on {p.url} within {timeout:.0f} s; its log:\n{_tail(p)}")


def _tail(p: HubPlan, n: int = 4000) -> str:
    path = log_path(p)
    return path.read_text(errors="replace")[-n:] if path.exists() else "(no log)"


def hub_accounts(p: HubPlan) -> list[str]:
    """The Unix accounts of this hub's users (those in its database)."""
    db = state_dir(p) / "jupyterhub.sqlite"
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        names = {row[0] for row in con.execute("SELECT name FROM users")}
        try:
            names |= {row[0] for row in con.execute("SELECT username FROM users_info")}
        except sqlite3.OperationalError:
            pass
    out = []
    for name in sorted(names):
        try:
            out.append(unix_account(name, p.unix_prefix))
        except HubConfigError:
            continue
    return out


def stray_processes(p: HubPlan) -> list[int]:
    """Processes of this hub's accounts, or its proxy, still running."""
    import psutil

    uids = set()
    for name in hub_accounts(p):
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            continue
    proxy = str(p.proxy_command)
    found = []
    for proc in psutil.process_iter(["pid", "uids", "cmdline", "environ"]):
        try:
            if proc.info["uids"] and proc.info["uids"].real in uids:
                found.append(proc.pid)
            elif proc.info["cmdline"] and any(proxy in part for part in proc.info["cmdline"]):
                env = proc.info.get("environ") or {}
                if env.get("SMARTSEOUL_HUB_DIR", str(p.hub_dir)) == str(p.hub_dir):
                    found.append(proc.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def stop(p: HubPlan, *, timeout: float = 60, echo=print) -> bool:
    """Stop the hub: it stops every trainee's server and the proxy first (files stay on disk).
    Anything of its accounts still running afterwards is ended. Returns False if it was not running."""
    import psutil

    pid = hub_pid(p)
    if pid is None:
        echo(">> the hub is not running")
    else:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.3)
        if _alive(pid):
            echo(f"!! the hub did not stop within {timeout:.0f} s: killing it")
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    strays = stray_processes(p)
    if strays:
        echo(f">> ending {len(strays)} process(es) the hub left")
        procs = []
        for spid in strays:
            try:
                proc = psutil.Process(spid)
                proc.terminate()
                procs.append(proc)
            except psutil.NoSuchProcess:
                continue
        _, alive = psutil.wait_procs(procs, timeout=10)
        for proc in alive:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
    return pid is not None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie of ours counts as gone
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def status(p: HubPlan) -> dict[str, Any]:
    """Whether the hub runs, its version and every user with their server's state."""
    pid = hub_pid(p)
    out: dict[str, Any] = {"url": p.url, "running": pid is not None, "pid": pid, "hub_dir": str(p.hub_dir)}
    if pid is None:
        return out
    out["version"] = api(p, "GET", "/")["version"]
    users = api(p, "GET", "users?include_stopped_servers=1")
    out["users"] = [
        {
            "name": u["name"],
            "admin": u.get("admin", False),
            "server": "running" if u.get("servers", {}).get("", {}).get("ready") else "stopped",
            "last_activity": u.get("last_activity") or "",
        }
        for u in users
    ]
    return out


def reset_password(p: HubPlan, login: str) -> str:
    """A new password for `login` (printed once, for the instructor to pass on)."""
    password = new_password()
    set_password(p, login, password, create=False)
    return password


# --------------------------------------------------------------------------- grading


def instructor_course(p: HubPlan, instructor: str | None = None) -> Path:
    """The course folder in the (first) instructor's home, where the formgrader works."""
    login = instructor or p.instructors[0]
    home = Path(pwd.getpwnam(p.unix_name(login)).pw_dir)
    course = home / COURSE_FOLDER
    if not (course / "grading").is_dir():
        raise HubError(
            f"{login} has no course folder yet ({course}): log in once as {login} and start the server"
        )
    return course


def run_as(p: HubPlan, account: str, command: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None):
    """Run `command` as Unix `account`, with the hub's view of the course environment."""
    entry = pwd.getpwnam(account)
    clean = {
        "HOME": entry.pw_dir,
        "USER": account,
        "LOGNAME": account,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "LANG": "C.UTF-8",
        "SMARTSEOUL_HOME": str(p.checkout),
        **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
        **(env or {}),
    }
    command = reachable(
        p, ["runuser", "-u", account, "--", "env", "-i", *[f"{k}={v}" for k, v in clean.items()], *command]
    )
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def instructor_env(p: HubPlan, course: Path) -> dict[str, str]:
    from .config import INSTRUCTOR_JUPYTER_DIR, SHARED_JUPYTER_DIR, server_environment

    return {
        **server_environment(p),
        "JUPYTER_CONFIG_PATH": os.pathsep.join([str(INSTRUCTOR_JUPYTER_DIR), str(SHARED_JUPYTER_DIR)]),
        "SMARTSEOUL_COURSE_ROOT": str(course / "grading"),
    }


def nbgrader_as_instructor(p: HubPlan, args: Sequence[str], instructor: str | None = None) -> str:
    """`nbgrader ARGS` as the instructor's account in their course folder (release, collect ...):
    what the formgrader's buttons run."""
    login = instructor or p.instructors[0]
    course = instructor_course(p, login)
    result = run_as(
        p,
        p.unix_name(login),
        nbgrader_command(args),
        cwd=course / "grading",
        env=instructor_env(p, course),
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise HubError(f"nbgrader {' '.join(args)} failed:\n{output[-3000:]}")
    return output


def grade(p: HubPlan, args: Sequence[str], instructor: str | None = None) -> int:
    """`smartseoul grade ARGS` on the instructor's course folder, as root (isolation level full),
    then every file it wrote handed back to the instructor: TLJH's `sudo smartseoul-grade`."""
    login = instructor or p.instructors[0]
    course = instructor_course(p, login)
    account = p.unix_name(login)
    env = course_environ({"SMARTSEOUL_COURSE_ID": p.course_id, "SMARTSEOUL_EXCHANGE_ROOT": p.exchange_root})
    code = subprocess.run(
        [sys.executable, "-m", "smartseoul.cli", "grade", "--course", str(course), *args],
        env=env,
        check=False,
    ).returncode
    subprocess.run(
        ["chown", "-R", "--no-dereference", f"{account}:{account}", str(course / "grading")], check=True
    )
    return code


# --------------------------------------------------------------------------- backup and restore


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database that may be in use (the backup API)."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    st = source.stat()
    os.chown(target, st.st_uid, st.st_gid)
    os.chmod(target, st.st_mode & 0o777)


def backup_parts(p: HubPlan) -> dict[str, Path]:
    """What a backup holds: each instructor's grading folder (gradebook, submissions, feedback),
    the exchange, and the hub's database (accounts and password hashes)."""
    parts: dict[str, Path] = {"exchange": Path(p.exchange_root), "hub-db": state_dir(p) / "jupyterhub.sqlite"}
    for login in p.instructors:
        try:
            parts[f"grading-{login}"] = instructor_course(p, login) / "grading"
        except (HubError, KeyError):
            continue
    return {k: v for k, v in parts.items() if v.exists()}


def backup(p: HubPlan, target_dir: Path | None = None) -> Path:
    """One .tar.gz with owners and modes kept; databases copied with SQLite's backup API, so a
    backup taken while trainees submit and the formgrader writes is consistent."""
    target_dir = Path(target_dir or p.hub_dir / "backups")
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = target_dir / f"smartseoul-hub-{stamp}.tar.gz"
    parts = backup_parts(p)
    manifest = {"created": stamp, "course_id": p.course_id, "parts": {k: str(v) for k, v in parts.items()}}
    with (
        tempfile.TemporaryDirectory(prefix="smartseoul-backup-") as tmp,
        tarfile.open(archive, "w:gz") as tar,
    ):
        info_path = Path(tmp) / "manifest.json"
        info_path.write_text(json.dumps(manifest, indent=2))
        tar.add(info_path, arcname="manifest.json")
        for name, path in parts.items():
            if path.is_file():
                copy = Path(tmp) / f"{name}.sqlite"
                _sqlite_copy(path, copy)
                tar.add(copy, arcname=name)
                continue
            dbs = sorted(path.rglob("*.db"))

            def skip_dbs(info: tarfile.TarInfo, dbs=dbs, name=name, path=path) -> tarfile.TarInfo | None:
                rel = Path(info.name).relative_to(name)
                return None if (path / rel) in dbs else info

            tar.add(path, arcname=name, filter=skip_dbs)
            for db in dbs:
                copy = Path(tmp) / "db.sqlite"
                _sqlite_copy(db, copy)
                tar.add(copy, arcname=f"{name}/{db.relative_to(path)}")
    os.chmod(archive, 0o600)
    return archive


def restore(p: HubPlan, archive: Path, echo=print) -> dict[str, Path]:
    """Put a backup back where it was taken from (the hub must be stopped). What is there now is
    kept beside it as <folder>.before-restore-<time>."""
    if hub_pid(p):
        raise HubError(
            "stop the hub first (smartseoul hub stop): the formgrader and the hub hold the databases"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        restored = {}
        with tempfile.TemporaryDirectory(prefix="smartseoul-restore-", dir=p.hub_dir) as tmp:
            tar.extractall(tmp, numeric_owner=True, filter="tar")
            for name, where in manifest["parts"].items():
                target = Path(where)
                if target.exists() or target.is_symlink():
                    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
                    target.rename(aside)
                    echo(f">> kept the current {name} as {aside}")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(Path(tmp) / name), target)
                restored[name] = target
    return restored
