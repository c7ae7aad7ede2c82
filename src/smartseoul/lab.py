"""JupyterLab for the course: `smartseoul lab` (what `make lab` runs).

JupyterLab opens at the course checkout and nbgrader reads `grading/nbgrader_config.py`, so the
Formgrader and Assignments views work. What only tests need (a throw-away server, trainee
accounts, a course copy) is in `smartseoul.testing.lab`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import paths
from .nbgrader_runner import course_environ


class LabError(RuntimeError):
    """JupyterLab or the exchange could not be set up; the message says what to do."""


def lab_settings_overrides() -> dict[str, dict]:
    """JupyterLab settings for unattended and classroom use: no news or update pop-ups (there is
    no internet on many training laptops), the notebook's own kernel started without asking,
    and no autosave while a test runs a notebook."""
    return {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    }


def lab_command(root_dir: Path, *, port: int, token: str) -> list[str]:
    """The `jupyter lab` command line: bound to 127.0.0.1, no browser, no port hopping
    (and ``--allow-root`` where it must run as root, as in CI containers)."""
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=",
        *as_root,
    ]


# --------------------------------------------------------------------------- `make lab`


def make_lab_command(extra_args: Sequence[str] = ()) -> tuple[list[str], Path, dict[str, str]]:
    """What `make lab` runs: JupyterLab with the course checkout as its root, started from
    grading/ so nbgrader (formgrader, Assignments panel) reads grading/nbgrader_config.py.

    Returns (command, working directory, environment). Figures show inline even when the caller
    exported MPLBACKEND=Agg (the Makefile does, for tests); root (a container) gets --allow-root."""
    root = paths.course_root()
    grading = paths.grading_dir()
    if not (grading / "nbgrader_config.py").exists():
        raise LabError(
            f"{grading / 'nbgrader_config.py'} is missing: run this from the course checkout "
            "(or set SMARTSEOUL_HOME to it)"
        )
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    command += list(extra_args)
    env = course_environ({"MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    return command, grading, env


# --------------------------------------------------------------------------- its language

#: JupyterLab's setting of the display language (Settings > Language writes the same)
TRANSLATION_SETTINGS = Path("@jupyterlab") / "translation-extension" / "plugin.jupyterlab-settings"


def jupyterlab_locale(language: str) -> str | None:
    """The installed JupyterLab language pack for a course language ('ru' -> 'ru_RU', 'ar' ->
    'ar_SA'), or None (English, or no pack: there is none for Thai)."""
    from jupyterlab_server.translation_utils import get_language_packs

    packs = [locale for locale in get_language_packs("en")[0] if locale != "en"]
    if language in packs:
        return language
    same = [p for p in packs if p.split("_")[0] == language.split("_")[0]]
    return same[0] if same else None


def user_settings_dir(environ: dict[str, str] | None = None) -> Path:
    """Where JupyterLab keeps a user's settings ($JUPYTERLAB_SETTINGS_DIR, else ~/.jupyter/lab/user-settings)."""
    env = os.environ if environ is None else environ
    if env.get("JUPYTERLAB_SETTINGS_DIR"):
        return Path(env["JUPYTERLAB_SETTINGS_DIR"])
    from jupyter_core.paths import jupyter_config_dir

    return Path(jupyter_config_dir()) / "lab" / "user-settings"


def default_display_language(
    settings_dir: Path | None = None, environ: dict[str, str] | None = None
) -> str | None:
    """Make the course language (SMARTSEOUL_LANG) JupyterLab's display language, unless the user
    has already chosen one in Settings > Language (their choice is never overwritten). Returns the
    JupyterLab locale written, or None. `smartseoul lab` calls this; a JupyterHub can too, for
    each trainee (grading/jupyterhub/README.md, "Each trainee's language")."""
    from .i18n.messages import SOURCE_LANGUAGE, choose

    env = dict(os.environ if environ is None else environ)
    choice = choose(env)
    if choice.source != "setting" or choice.language == SOURCE_LANGUAGE:
        return None
    locale = jupyterlab_locale(choice.language)
    target = (settings_dir or user_settings_dir(env)) / TRANSLATION_SETTINGS
    if locale is None or target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"locale": locale}, indent=2) + "\n", encoding="utf-8")
    return locale


def start(extra_args: Sequence[str] = ()) -> None:
    """Replace this process with JupyterLab for the course (`smartseoul lab [options]`)."""
    try:
        command, cwd, env = make_lab_command(extra_args)
    except LabError as err:
        print(f"smartseoul lab: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    locale = default_display_language(environ=env)
    if locale:
        print(f">> JupyterLab in {locale} (SMARTSEOUL_LANG; change it in Settings > Language)", flush=True)
    print(f">> JupyterLab at {command[3].split('=', 1)[1]} (nbgrader course folder: {cwd})", flush=True)
    os.chdir(cwd)
    os.execve(command[0], command, env)
