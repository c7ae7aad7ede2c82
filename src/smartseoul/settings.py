"""Every setting of the course in one place, so the course id, paths and grading limits agree.

A setting comes, in this order of priority, from its environment variable, from the course's
`grading/nbgrader_config.py` (the file nbgrader reads too: `c.CourseDirectory.course_id` and
`c.SmartSeoul.<setting>`), or from its default. `smartseoul settings` prints where each value
came from, and `book/settings.md` is generated from this module, so the page cannot drift.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets import Float, Int, Unicode
from traitlets.config import Config, Configurable, PyFileConfigLoader
from traitlets.config.loader import ConfigFileNotFound

from .grading.sandbox import Limits

_LIMITS = Limits()


class SmartSeoul(Configurable):
    """The course settings. In nbgrader_config.py write, for example, c.SmartSeoul.cell_timeout = 60."""

    home = Unicode(
        "",
        help="The course checkout. Empty: the nearest parent folder of the working directory that "
        "holds datasets/, else the checkout the package was installed from.",
    ).tag(config=True, env="SMARTSEOUL_HOME")
    course_id = Unicode(
        "smart-seoul-data-lab",
        help="nbgrader's course id. Give each cohort on a shared JupyterHub its own. "
        "nbgrader_config.py sets it as c.CourseDirectory.course_id.",
    ).tag(config=True, env="SMARTSEOUL_COURSE_ID")
    exchange_root = Unicode(
        "/srv/nbgrader/exchange",
        help="nbgrader's exchange folder on a shared server, where releases and submissions meet.",
    ).tag(config=True, env="SMARTSEOUL_EXCHANGE_ROOT")
    isolation = Unicode(
        "",
        help="Grading sandbox level: basic, userns or full. Empty: the strongest this machine allows. "
        "Set a weaker one only to test; `smartseoul grade autograde --require-isolation` refuses it.",
    ).tag(config=True, env="SMARTSEOUL_ISOLATION")
    jupyterhub_url = Unicode(
        "",
        help="The JupyterHub the book's launch buttons open. Empty: the one in _config.yml.",
    ).tag(config=True, env="SMARTSEOUL_JUPYTERHUB_URL")
    hub_dir = Unicode(
        "/srv/smartseoul-hub",
        help="`smartseoul hub`: where the course's JupyterHub keeps its database, cookie secret, log "
        "and backups (root only).",
    ).tag(config=True, env="SMARTSEOUL_HUB_DIR")
    hub_port = Int(8000, help="`smartseoul hub`: the port the hub listens on (loopback only).").tag(
        config=True, env="SMARTSEOUL_HUB_PORT"
    )
    hub_home_base = Unicode(
        "/home", help="`smartseoul hub`: the folder the trainees' home folders are created in."
    ).tag(config=True, env="SMARTSEOUL_HUB_HOMES")
    hub_unix_prefix = Unicode(
        "jupyter-",
        help="`smartseoul hub`: hub login `minji` runs as Unix account `<prefix>minji` (The Littlest "
        "JupyterHub's naming), so no login can name a system account. nbgrader records that account name.",
    ).tag(config=True, env="SMARTSEOUL_HUB_UNIX_PREFIX")
    hub_instructors = Unicode(
        "instructor",
        help="`smartseoul hub`: hub logins (comma-separated) that approve sign-ups (hub admins) and "
        "get the formgrader and a copy of the course in their own server.",
    ).tag(config=True, env="SMARTSEOUL_HUB_INSTRUCTORS")
    hub_idle_timeout = Int(
        3600, help="`smartseoul hub` and the shipped hub files: seconds before an idle server is stopped."
    ).tag(config=True)
    hub_mem_limit = Unicode(
        "1G",
        help="Memory per trainee's server (the sizing rule of the instructor guide); enforced by "
        "Zero to JupyterHub and systemd, not by `smartseoul hub` on one machine.",
    ).tag(config=True)
    hub_mem_guarantee = Unicode(
        "512M", help="Memory reserved per trainee's server on Kubernetes (the sizing rule)."
    ).tag(config=True)
    hub_cpu_limit = Float(
        1.0, help="CPUs per trainee's server; enforced where the spawner can (Kubernetes, systemd)."
    ).tag(config=True)
    hub_cpu_guarantee = Float(
        0.1, help="CPUs reserved per trainee's server on Kubernetes (the sizing rule)."
    ).tag(config=True)
    lang = Unicode(
        "",
        help="The language of the course's own messages (self-checks, the capstone validator, the doctor): "
        "ru, es, pt_BR, ar, id or th (see locales/languages.yaml). Empty: the locale (LANGUAGE, LC_ALL, "
        "LC_MESSAGES, LANG), else English. A language the course has no translation for gives English, "
        "with a note; a message not translated yet stays in English.",
    ).tag(config=True, env="SMARTSEOUL_LANG")
    cell_timeout = Float(
        _LIMITS.cell_timeout, help="Seconds one cell of a submission may run when grading."
    ).tag(config=True)
    notebook_timeout = Float(
        _LIMITS.notebook_timeout, help="Seconds one submitted notebook may run when grading."
    ).tag(config=True)
    memory_mb = Int(
        _LIMITS.memory_bytes // 1024**2, help="Memory (address space, MiB) one grading kernel may use."
    ).tag(config=True)


#: Environment variables that are not course settings: read by tests, setup scripts or one notebook.
OTHER_VARIABLES = {
    "SMARTSEOUL_FULL": "Module 2c: `1` runs the notebook on the full-scale data (set `FULL = True` in it instead).",
    "SMARTSEOUL_COURSE_ROOT": "JupyterHub configuration: the course checkout on the hub's file system, "
    "for the instructor's formgrader (grading/jupyterhub/).",
    "SMARTSEOUL_SBIN": "setup-course.sh (TLJH): where the `smartseoul-grade` wrapper is installed "
    "(default /usr/local/sbin; tests point it elsewhere).",
    "SMARTSEOUL_SUDOERS_D": "setup-course.sh (TLJH): where the sudoers rule for grading is written "
    "(default /etc/sudoers.d; tests point it elsewhere).",
    "SMARTSEOUL_GRADING_JOB": "Internal: marks the processes of one grading job, so the pipeline can find "
    "and stop all of them. Never set it yourself.",
    "SMARTSEOUL_CHROMIUM": "Tests: the Chromium to drive (default: Debian's chromium on PATH).",
    "SMARTSEOUL_LAB_TMP": "Tests: a folder every account can enter, for trainee accounts' files "
    "(default /srv, else /var/tmp).",
    "SMARTSEOUL_LAB_NO_EXPOSE": "Tests: `1` turns off the private-checkout workaround, to show the "
    "failure it prevents.",
    "SMARTSEOUL_KEEP_LAB_TMP": "Tests: `1` keeps the exchange test's temporary course for inspection.",
    "SMARTSEOUL_BOOK_TEST_OUTPUT": "Tests: where the book test builds the book (default _build/pytest-book).",
    "SMARTSEOUL_BOOK_TEST_LANGUAGES": "Tests: the translated books the book tests build and check "
    "(default ru,ar; 'all' for every course language, for the on-demand axe run).",
    "SMARTSEOUL_AXE": "Tests: the axe-core script to inject into pages (default: the one `make axe` installs).",
}


@dataclass(frozen=True)
class Value:
    name: str
    value: Any
    source: str  # "environment", "nbgrader_config.py" or "default"


def _file_config(grading_dir: Path) -> Config:
    try:
        return PyFileConfigLoader("nbgrader_config.py", path=str(grading_dir)).load_config()
    except ConfigFileNotFound:
        return Config()


def load(grading_dir: Path | None = None, environ: dict[str, str] | None = None) -> SmartSeoul:
    """The settings of the course whose nbgrader folder is `grading_dir` (default: this checkout's)."""
    settings, _ = _load(grading_dir, environ)
    return settings


def explain(grading_dir: Path | None = None, environ: dict[str, str] | None = None) -> list[Value]:
    """Each setting with its value and where the value came from."""
    settings, sources = _load(grading_dir, environ)
    return [Value(name, getattr(settings, name), sources[name]) for name in settings.trait_names(config=True)]


def _load(grading_dir: Path | None, environ: dict[str, str] | None) -> tuple[SmartSeoul, dict[str, str]]:
    from . import paths

    env = os.environ if environ is None else environ
    folder = grading_dir or paths.grading_dir()
    file_config = _file_config(folder)
    config = Config()
    sources = dict.fromkeys(SmartSeoul.class_trait_names(config=True), "default")
    if "course_id" in file_config.get("CourseDirectory", {}):
        config.SmartSeoul.course_id = file_config.CourseDirectory.course_id
        sources["course_id"] = "nbgrader_config.py"
    for name, value in file_config.get("SmartSeoul", {}).items():
        config.SmartSeoul[name] = value
        sources[name] = "nbgrader_config.py"
    for name, trait in SmartSeoul.class_traits(config=True).items():
        var = trait.metadata.get("env")
        if var and env.get(var):
            config.SmartSeoul[name] = trait.from_string(env[var])
            sources[name] = "environment"
    return SmartSeoul(config=config), sources


def variables() -> dict[str, str]:
    """Every SMARTSEOUL_* environment variable and what it does."""
    out = {}
    for name, trait in SmartSeoul.class_traits(config=True).items():
        if trait.metadata.get("env"):
            out[trait.metadata["env"]] = f"Sets `{name}`: {trait.help}"
    return {**out, **OTHER_VARIABLES}


def reference_page() -> str:
    """book/settings.md: every setting and every environment variable."""
    lines = [
        "# Settings and environment variables",
        "",
        "<!-- Generated by `smartseoul settings --page book/settings.md` from src/smartseoul/settings.py."
        " Do not edit by hand. -->",
        "",
        "The course reads its settings from, in order of priority: an environment variable, the",
        "course's `grading/nbgrader_config.py` (the file nbgrader reads too), or the default.",
        "`smartseoul settings` prints the value of each one on your machine and where it came from.",
        "",
        "## Course settings",
        "",
        "| setting | in nbgrader_config.py | environment variable | default | what it does |",
        "|---|---|---|---|---|",
    ]
    for name, trait in SmartSeoul.class_traits(config=True).items():
        in_file = "`c.CourseDirectory.course_id`" if name == "course_id" else f"`c.SmartSeoul.{name}`"
        var = f"`{trait.metadata['env']}`" if trait.metadata.get("env") else ""
        default = f"`{trait.default_value}`" if trait.default_value != "" else "(empty)"
        lines.append(f"| {name} | {in_file} | {var} | {default} | {trait.help} |")
    lines += [
        "",
        "## Other environment variables",
        "",
        "These are not course settings. Tests, the hub setup script or one notebook read them.",
        "",
        "| variable | what it does |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {text} |" for name, text in OTHER_VARIABLES.items()]
    return "\n".join(lines) + "\n"
