"""One Unix account per hub login: the spawner of `smartseoul hub` (a LocalProcessSpawner).

Hub login `minji` runs as Unix account `jupyter-minji` (TLJH's naming), created on first start
with a private home folder (0700) in the configured home base, so no trainee can read another's
notebooks or sign up as a system account. Members of nbgrader's `formgrade-<course>` group (the
instructors) also get the instructor's Jupyter configuration (formgrader on) and, on first start,
a copy of the course in ~/smart-seoul-data-lab, as setup-course.sh gives them on TLJH."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

from .config import COURSE_FOLDER, unix_account

#: Folders of the checkout an instructor's course copy never gets (environments, build output,
#: course state of the checkout itself).
_NOT_COPIED = {".venv", ".git", "_build", "test-artifacts", "node_modules", ".pytest_cache", ".mypy_cache"}
_GRADING_STATE = {
    "submitted",
    "autograded",
    "feedback",
    "release",
    "exports",
    "reports",
    ".pipeline",
    "gradebook.db",
}


def ensure_account(name: str, home_base: str) -> pwd.struct_passwd:
    """The Unix account `name`, created (with a private home under `home_base`) if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    home = Path(home_base) / name
    Path(home_base).mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            shutil.which("useradd", path="/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin") or "useradd",
            "--home-dir",
            str(home),
            "--create-home",
            "--shell",
            "/bin/bash",
            "--user-group",
            name,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 and "already exists" not in result.stderr:
        raise RuntimeError(f"useradd {name} failed: {result.stderr.strip()}")
    os.chmod(home, 0o700)
    return pwd.getpwnam(name)


def copy_course_for(entry: pwd.struct_passwd, checkout: Path) -> Path:
    """The instructor's own course folder (~/smart-seoul-data-lab): source notebooks, nbgrader
    configuration and the package, without the checkout's environment, history or grading state.
    Never replaced once there: it holds the gradebook."""
    target = Path(entry.pw_dir) / COURSE_FOLDER
    if target.exists():
        return target

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n in _NOT_COPIED}
        if Path(folder).resolve() == (checkout / "grading").resolve():
            skip |= {n for n in names if n in _GRADING_STATE}
        return skip

    staging = target.with_name(f".{COURSE_FOLDER}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(checkout, staging, symlinks=True, ignore=ignore)
    for dirpath, dirnames, filenames in os.walk(staging):
        for item in [*dirnames, *filenames]:
            os.lchown(os.path.join(dirpath, item), entry.pw_uid, entry.pw_gid)
    os.lchown(staging, entry.pw_uid, entry.pw_gid)
    os.chmod(staging, 0o700)
    staging.rename(target)
    return target


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with a Unix account per hub login (created on demand)."""

    unix_prefix = Unicode("jupyter-", config=True, help="Unix account = prefix + hub login.")
    home_base = Unicode("/home", config=True, help="Where the accounts' home folders are created.")
    formgrade_group = Unicode("", config=True, help="nbgrader's group of the course's graders.")
    instructor_config_dir = Unicode("", config=True, help="Jupyter configuration of an instructor.")
    shared_config_dir = Unicode("", config=True, help="Jupyter configuration of every user.")
    checkout = Unicode("", config=True, help="The course checkout an instructor's copy is made from.")

    @property
    def unix_name(self) -> str:
        return unix_account(self.user.name, self.unix_prefix)

    @property
    def is_instructor(self) -> bool:
        return any(group.name == self.formgrade_group for group in self.user.groups)

    def make_preexec_fn(self, name):
        return super().make_preexec_fn(self.unix_name)

    def user_env(self, env):
        entry = pwd.getpwnam(self.unix_name)
        env["USER"] = self.unix_name
        env["LOGNAME"] = self.unix_name
        env["HOME"] = entry.pw_dir
        env["SHELL"] = entry.pw_shell or "/bin/bash"
        return env

    def get_env(self):
        env = super().get_env()
        if self.is_instructor:
            entry = pwd.getpwnam(self.unix_name)
            env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([self.instructor_config_dir, self.shared_config_dir])
            env["SMARTSEOUL_COURSE_ROOT"] = str(Path(entry.pw_dir) / COURSE_FOLDER / "grading")
        return env

    async def start(self):
        entry = ensure_account(self.unix_name, self.home_base)
        if self.is_instructor and self.checkout:
            copy_course_for(entry, Path(self.checkout))
        return await super().start()
