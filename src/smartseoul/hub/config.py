"""The hub's settings, once: the hub `smartseoul hub` starts, and the TLJH and Z2JH files.

`plan()` reads the course settings (`smartseoul.settings`: environment, grading/nbgrader_config.py,
defaults) into a `HubPlan`. `core()` is what every deployment shares: the environment of every
user server, the page it opens, the memory and CPU per trainee, the idle time-out, the instructors
(hub admins, who approve sign-ups) and nbgrader's `formgrade-<course>` group. `configure_local`
applies it to the hub started here; `render_tljh` and `render_z2jh` write it into the files a
city installs, so the three cannot drift apart (tests/lab/test_hub_config.py compares them)."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import paths

#: Where the shipped hub files live in the checkout.
HUB_FILES = Path(__file__).resolve().parents[3] / "grading" / "jupyterhub"
SHARED_JUPYTER_DIR = HUB_FILES / "etc" / "jupyter"
INSTRUCTOR_JUPYTER_DIR = HUB_FILES / "instructor" / "jupyter"
#: The course folder in an instructor's home (as on TLJH and Z2JH).
COURSE_FOLDER = "smart-seoul-data-lab"
#: Inline figures in notebooks, whatever the system's default backend.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: A Unix account name: what useradd accepts (and at most 32 characters).
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,30}[a-z0-9_.-]?$")


class HubConfigError(RuntimeError):
    """The hub cannot be configured as asked; the message says what to change."""


@dataclass(frozen=True)
class HubPlan:
    """Everything the course's hub is made of, derived from the course settings."""

    course_id: str
    exchange_root: str
    hub_dir: Path
    port: int
    home_base: str
    unix_prefix: str
    instructors: tuple[str, ...]
    idle_timeout: int
    mem_limit: str
    mem_guarantee: str
    cpu_limit: float
    cpu_guarantee: float
    checkout: Path
    python: str = field(default_factory=lambda: sys.executable)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def formgrade_group(self) -> str:
        return formgrade_group(self.course_id)

    @property
    def content_repo(self) -> Path:
        """The bare git repository trainees pull the course notebooks from (nbgitpuller)."""
        return self.hub_dir / "content.git"

    @property
    def proxy_command(self) -> Path:
        return proxy_command()

    def unix_name(self, login: str) -> str:
        return unix_account(login, self.unix_prefix)

    def home(self, login: str) -> Path:
        return Path(self.home_base) / self.unix_name(login)

    def course_link(self, notebook: str = "modules/00-orientation/00a-jupyter-and-python.ipynb") -> str:
        """The nbgitpuller link that copies the course notebooks into a trainee's home (never
        overwriting their changes) and opens `notebook` there (the book's launch buttons use it)."""
        from urllib.parse import urlencode

        query = urlencode(
            {
                "repo": f"file://{self.content_repo}",
                "branch": "main",
                "targetpath": COURSE_FOLDER,
                "urlpath": f"lab/tree/{COURSE_FOLDER}/{notebook}",
            }
        )
        return f"{self.url}/hub/user-redirect/git-pull?{query}"


def formgrade_group(course_id: str) -> str:
    """nbgrader's name for the group of a course's graders."""
    return f"formgrade-{course_id}"


def unix_account(login: str, prefix: str) -> str:
    """The Unix account of a hub login (`jupyter-minji`, TLJH's naming): never a system account,
    whatever name a trainee signs up with."""
    name = f"{prefix}{login}"
    if not UNIX_NAME.match(name):
        raise HubConfigError(
            f"hub login {login!r} gives Unix account {name!r}, which is not a valid account name "
            "(lower-case letters, digits, '.', '_', '-', at most 32 characters)"
        )
    return name


def proxy_command() -> Path:
    """configurable-http-proxy as `make hub-proxy` installs it (npm, into the course environment)."""
    return (
        Path(sys.prefix)
        / "share"
        / "smartseoul-hub-proxy"
        / "node_modules"
        / ".bin"
        / "configurable-http-proxy"
    )


def plan(environ: dict[str, str] | None = None) -> HubPlan:
    """The hub of this checkout, from the course settings."""
    from ..settings import load

    s = load(environ=environ)
    instructors = tuple(n.strip().lower() for n in s.hub_instructors.split(",") if n.strip())
    if not instructors:
        raise HubConfigError("hub_instructors is empty: name at least one instructor login")
    result = HubPlan(
        course_id=s.course_id,
        exchange_root=s.exchange_root,
        hub_dir=Path(s.hub_dir),
        port=s.hub_port,
        home_base=s.hub_home_base,
        unix_prefix=s.hub_unix_prefix,
        instructors=instructors,
        idle_timeout=s.hub_idle_timeout,
        mem_limit=s.hub_mem_limit,
        mem_guarantee=s.hub_mem_guarantee,
        cpu_limit=s.hub_cpu_limit,
        cpu_guarantee=s.hub_cpu_guarantee,
        checkout=paths.course_root(),
    )
    for login in instructors:
        result.unix_name(login)  # refuse an instructor login that makes no account name
    return result


def server_environment(p: HubPlan) -> dict[str, str]:
    """The environment of every user server: the course and exchange nbgrader reads (through
    grading/jupyterhub/etc/jupyter/nbgrader_config.py) and inline figures."""
    return {
        "SMARTSEOUL_COURSE_ID": p.course_id,
        "SMARTSEOUL_EXCHANGE_ROOT": p.exchange_root,
        "MPLBACKEND": INLINE_BACKEND,
    }


def core(p: HubPlan) -> dict[str, Any]:
    """What every deployment of the course's hub shares (local, TLJH, Z2JH)."""
    return {
        "environment": server_environment(p),
        "default_url": "/lab",
        "mem_limit": p.mem_limit,
        "mem_guarantee": p.mem_guarantee,
        "cpu_limit": p.cpu_limit,
        "cpu_guarantee": p.cpu_guarantee,
        "idle_timeout": p.idle_timeout,
        "admin_users": sorted(p.instructors),
        "groups": {p.formgrade_group: sorted(p.instructors)},
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def culler_service(p: HubPlan) -> tuple[dict, dict]:
    """jupyterhub-idle-culler as a hub-managed service, and the role it needs (its README's)."""
    service = {
        "name": "idle-culler",
        "command": [p.python, "-m", "jupyterhub_idle_culler", f"--timeout={p.idle_timeout}"],
    }
    role = {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
    return service, role


#: The service whose token `smartseoul hub ...` and the benchmark use for the REST API.
CLI_SERVICE = "smartseoul-cli"
CLI_SCOPES = [
    "admin:users",
    "admin:servers",
    "admin:groups",
    "access:servers",
    "list:users",
    "read:users",
    "tokens",
    "list:services",
    "read:services",
]


def configure_local(c: Any, p: HubPlan | None = None) -> HubPlan:
    """Configure the hub `smartseoul hub start` runs (called by the shipped jupyterhub_config.py).

    NativeAuthenticator with sign-up approved by an instructor, one Unix account per trainee
    (CourseSpawner, a LocalProcessSpawner), every server in this course environment, the idle
    culler, the proxy installed by `make hub-proxy`; everything bound to 127.0.0.1."""
    import nativeauthenticator

    p = p or plan()
    shared = core(p)
    state = p.hub_dir / "state"

    c.JupyterHub.ip = "127.0.0.1"
    c.JupyterHub.port = p.port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = _free_port()
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_free_port()}"
    c.ConfigurableHTTPProxy.command = [str(p.proxy_command)]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True  # a stopped hub stops the servers; files stay on disk

    c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
    c.JupyterHub.template_paths = [os.path.join(os.path.dirname(nativeauthenticator.__file__), "templates")]
    c.NativeAuthenticator.open_signup = False  # an instructor approves each sign-up at /hub/authorize
    c.NativeAuthenticator.minimum_password_length = 8
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 60
    c.Authenticator.admin_users = set(shared["admin_users"])
    c.Authenticator.allow_all = True  # NativeAuthenticator lets in only the approved accounts

    c.JupyterHub.spawner_class = "smartseoul.hub.spawner.CourseSpawner"
    c.Spawner.cmd = [p.python, "-m", "jupyterhub.singleuser"]
    c.Spawner.default_url = shared["default_url"]
    # No news or update checks: nothing reaches the internet when a trainee opens JupyterLab.
    c.Spawner.args = ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    c.Spawner.environment = {
        **shared["environment"],
        "JUPYTER_CONFIG_PATH": str(SHARED_JUPYTER_DIR),
        "SMARTSEOUL_HOME": str(p.checkout),
        # git accepts root's content repository (nbgitpuller): see manage.prepare
        "GIT_CONFIG_SYSTEM": str(p.hub_dir / "gitconfig"),
    }
    c.Spawner.mem_limit = shared["mem_limit"]  # stated, not enforced (the start-up message says so)
    c.Spawner.cpu_limit = shared["cpu_limit"]
    c.Spawner.start_timeout = 300
    c.Spawner.http_timeout = 300
    c.CourseSpawner.unix_prefix = p.unix_prefix
    c.CourseSpawner.home_base = p.home_base
    c.CourseSpawner.formgrade_group = p.formgrade_group
    c.CourseSpawner.instructor_config_dir = str(INSTRUCTOR_JUPYTER_DIR)
    c.CourseSpawner.shared_config_dir = str(SHARED_JUPYTER_DIR)
    c.CourseSpawner.checkout = str(p.checkout)

    c.JupyterHub.load_groups = {name: {"users": users} for name, users in shared["groups"].items()}
    culler, culler_role = culler_service(p)
    token_file = state / "cli-token"
    c.JupyterHub.services = [
        culler,
        {"name": CLI_SERVICE, "api_token": token_file.read_text().strip() if token_file.exists() else None},
    ]
    if c.JupyterHub.services[1]["api_token"] is None:
        del c.JupyterHub.services[1]["api_token"]
    c.JupyterHub.load_roles = [
        culler_role,
        {"name": CLI_SERVICE, "scopes": CLI_SCOPES, "services": [CLI_SERVICE]},
    ]
    c.JupyterHub.shutdown_on_logout = False
    return p


# --------------------------------------------------------------------------- shipped files

_GENERATED = "Generated by `smartseoul hub render` from the course settings (smartseoul.settings): do not edit by hand."


def render_tljh(p: HubPlan) -> str:
    """grading/jupyterhub/tljh/jupyterhub_config.d-smartseoul.py, from the same values as the
    local hub. TLJH's hub has no smartseoul package, so the values are written in."""
    shared = core(p)
    env = shared["environment"]

    def q(value: object) -> str:
        return json.dumps(value)

    return f'''"""The Littlest JupyterHub: hub settings for a Smart Seoul Data Lab cohort.

{_GENERATED}
Installed by setup-course.sh as /opt/tljh/config/jupyterhub_config.d/smartseoul.py (with the
course id and instructor it is given), then `sudo tljh-config reload hub`. TLJH gives every user a
real Unix account (jupyter-<login>), so nbgrader's exchange folder permissions keep each trainee's
submission private, and its SystemdSpawner enforces the memory and CPU limits below (the sizing
rule of the instructor guide). Hub admins are TLJH's own setting (setup-course.sh adds the
instructor with tljh-config).
"""

import os

c = get_config()  # noqa: F821  (provided by JupyterHub when it reads this file)

COURSE_ID = os.environ.get("SMARTSEOUL_COURSE_ID", {q(p.course_id)})
INSTRUCTORS = os.environ.get("SMARTSEOUL_HUB_INSTRUCTORS", {q(",".join(sorted(p.instructors)))}).split(",")
IDLE_TIMEOUT = {p.idle_timeout}  # seconds; setup-course.sh passes it to tljh-config (services.cull.timeout)

# Every user server knows the course and where the exchange is (read by nbgrader_config.py).
c.Spawner.environment.update(
    {{
        "SMARTSEOUL_COURSE_ID": COURSE_ID,
        "SMARTSEOUL_EXCHANGE_ROOT": os.environ.get("SMARTSEOUL_EXCHANGE_ROOT", {q(env["SMARTSEOUL_EXCHANGE_ROOT"])}),
        # Inline figures in notebooks (never inherit a non-interactive backend from the system).
        "MPLBACKEND": {q(env["MPLBACKEND"])},
    }}
)
# Trainees land in JupyterLab, where the Assignments panel (nbgrader) lives.
c.Spawner.default_url = {q(shared["default_url"])}
# Per trainee (the sizing rule of the instructor guide): SystemdSpawner enforces both.
c.SystemdSpawner.mem_limit = {q(shared["mem_limit"])}
c.SystemdSpawner.cpu_limit = {shared["cpu_limit"]!r}
# nbgrader's group of the course's graders (the instructors).
c.JupyterHub.load_groups = {{f"formgrade-{{COURSE_ID}}": {{"users": INSTRUCTORS}}}}
'''


class _Literal(str):
    """A string written as a YAML literal block (|)."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal)

_Z2JH_HEADER = f"""\
# Zero to JupyterHub (Helm chart jupyterhub/jupyterhub, 3.x-4.x) values for a Smart Seoul Data Lab
# cohort on Kubernetes. {_GENERATED}
# See grading/jupyterhub/README.md ("Zero to JupyterHub") before using it: every Kubernetes user
# pod runs as the same Unix user (jovyan), so the shared exchange volume does not keep one
# trainee's submission private from another the way real accounts do on The Littlest JupyterHub
# or `smartseoul hub`. Use it for practice cohorts, or replace the exchange with an exchange
# service (e.g. ngshare) for graded work.
#
#   helm upgrade --install smartseoul jupyterhub/jupyterhub --namespace smartseoul \\
#        --values grading/jupyterhub/z2jh/config.yaml
#
# singleuser.memory and singleuser.cpu are the sizing rule of the instructor guide (measured by
# benchmarks/bench_hub.py): 0.5 GiB and 1/12 core per concurrent trainee, plus 2 GiB and one core
# for the system and the hub; at most 1 GiB and one core each. A cohort of 36: 4 cores, 20 GiB.
# The extraFiles are the files in grading/jupyterhub/etc/jupyter and grading/jupyterhub/instructor/jupyter.
# NativeAuthenticator (in the chart's hub image): trainees sign up, an instructor approves them at
# /hub/authorize. A city's real deployment replaces it with its OAuth or LTI authenticator.
"""

_NATIVE_TEMPLATES = (
    "import os, nativeauthenticator\n"
    'c.JupyterHub.template_paths = [os.path.join(os.path.dirname(nativeauthenticator.__file__), "templates")]\n'
)


def _z2jh_roles_hook(p: HubPlan) -> str:
    return (
        "# Instructors (nbgrader's formgrade-<course> group) get the formgrader and their course folder.\n"
        f"GRADERS = {p.formgrade_group!r}\n"
        "\n"
        "def smartseoul_roles(spawner):\n"
        "    if any(group.name == GRADERS for group in spawner.user.groups):\n"
        '        spawner.environment["JUPYTER_CONFIG_PATH"] = "/etc/smartseoul/instructor"\n'
        f'        spawner.environment["SMARTSEOUL_COURSE_ROOT"] = "/home/jovyan/{COURSE_FOLDER}/grading"\n'
        "\n"
        "c.KubeSpawner.pre_spawn_hook = smartseoul_roles\n"
    )


def _z2jh_files() -> dict[str, dict]:
    files = {
        "nbgrader-shared": ("/etc/jupyter/nbgrader_config.py", SHARED_JUPYTER_DIR / "nbgrader_config.py"),
        "server-trainee": (
            "/etc/jupyter/jupyter_server_config.json",
            SHARED_JUPYTER_DIR / "jupyter_server_config.json",
        ),
        "lab-trainee": (
            "/etc/jupyter/labconfig/page_config.json",
            SHARED_JUPYTER_DIR / "labconfig" / "page_config.json",
        ),
        "nbgrader-instructor": (
            "/etc/smartseoul/instructor/nbgrader_config.py",
            INSTRUCTOR_JUPYTER_DIR / "nbgrader_config.py",
        ),
        "server-instructor": (
            "/etc/smartseoul/instructor/jupyter_server_config.json",
            INSTRUCTOR_JUPYTER_DIR / "jupyter_server_config.json",
        ),
        "lab-instructor": (
            "/etc/smartseoul/instructor/labconfig/page_config.json",
            INSTRUCTOR_JUPYTER_DIR / "labconfig" / "page_config.json",
        ),
    }
    return {
        name: {"mountPath": mount, "mode": 0o444, "stringData": _Literal(source.read_text(encoding="utf-8"))}
        for name, (mount, source) in files.items()
    }


def _k8s_quantity(size: str) -> str:
    """'1G' -> '1G' (Kubernetes and JupyterHub read the same suffixes)."""
    return size


def z2jh_values(p: HubPlan) -> dict[str, Any]:
    """The Helm values, as data (render_z2jh writes them with the header)."""
    shared = core(p)
    return {
        "hub": {
            "config": {
                "JupyterHub": {"authenticator_class": "nativeauthenticator.NativeAuthenticator"},
                "NativeAuthenticator": {"open_signup": False, "minimum_password_length": 8},
                "Authenticator": {"admin_users": shared["admin_users"], "allow_all": True},
            },
            "loadRoles": {},
            "extraConfig": {
                "smartseoul-native-templates": _Literal(_NATIVE_TEMPLATES),
                "smartseoul-groups": _Literal(
                    f"c.JupyterHub.load_groups = {json.dumps({k: {'users': v} for k, v in shared['groups'].items()})}\n"
                ),
                "smartseoul-roles": _Literal(_z2jh_roles_hook(p)),
            },
        },
        "singleuser": {
            "image": {
                # Build from this repository with repo2docker (it reads binder/), push to your registry.
                "name": "registry.example.org/smartseoul-lab",
                "tag": "0.1.0",
            },
            "defaultUrl": shared["default_url"],
            "cpu": {"guarantee": shared["cpu_guarantee"], "limit": shared["cpu_limit"]},
            "memory": {
                "guarantee": _k8s_quantity(shared["mem_guarantee"]),
                "limit": _k8s_quantity(shared["mem_limit"]),
            },
            "extraEnv": shared["environment"],
            "storage": {
                "extraVolumes": [
                    # A ReadWriteMany claim (NFS, CephFS, a cloud file share) created beforehand.
                    {"name": "nbgrader-exchange", "persistentVolumeClaim": {"claimName": "nbgrader-exchange"}}
                ],
                "extraVolumeMounts": [{"name": "nbgrader-exchange", "mountPath": p.exchange_root}],
            },
            "extraFiles": _z2jh_files(),
        },
        # Stop idle servers (a cohort's laptops often just close the lid).
        "cull": {"enabled": True, "timeout": shared["idle_timeout"]},
    }


def render_z2jh(p: HubPlan) -> str:
    values = z2jh_values(p)
    values["hub"].pop("loadRoles")
    body = yaml.dump(values, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    body = body.replace("mode: 292\n", "mode: 0444\n")  # YAML 1.1 octal, as Helm reads it
    return _Z2JH_HEADER + "\n" + body


def shipped_plan() -> HubPlan:
    """The plan the committed TLJH and Z2JH files are rendered from: the course's own settings with
    no SMARTSEOUL_* variable of this machine (so a developer's environment cannot leak in)."""
    return plan(environ={})


def rendered_files() -> dict[Path, str]:
    p = shipped_plan()
    return {
        HUB_FILES / "tljh" / "jupyterhub_config.d-smartseoul.py": render_tljh(p),
        HUB_FILES / "z2jh" / "config.yaml": render_z2jh(p),
    }
