"""The JupyterHub configuration a city installs (grading/jupyterhub/): its files load, agree with
each other and with the course's own nbgrader configuration, and really give trainees and
instructors different tools when a Jupyter server reads them."""

from __future__ import annotations

import glob
import json
import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from traitlets.config.loader import PyFileConfigLoader

from smartseoul import paths
from smartseoul.testing import lab

HUB = lab.HUB_CONFIG_DIR
SHARED = lab.HUB_SHARED_JUPYTER_DIR
INSTRUCTOR = lab.HUB_INSTRUCTOR_JUPYTER_DIR
FORMGRADER = "nbgrader.server_extensions.formgrader"
LAB_TOOLS = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
]


def load_py_config(path: Path, monkeypatch, **env):
    for key in (lab.ENV_COURSE_ID, lab.ENV_EXCHANGE, "SMARTSEOUL_COURSE_ROOT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def test_shared_nbgrader_config_follows_the_environment(monkeypatch, tmp_path):
    default = load_py_config(SHARED / "nbgrader_config.py", monkeypatch)
    assert default.CourseDirectory.course_id == lab.DEFAULT_COURSE_ID
    assert default.Exchange.root == lab.DEFAULT_EXCHANGE
    custom = load_py_config(
        SHARED / "nbgrader_config.py",
        monkeypatch,
        SMARTSEOUL_COURSE_ID="smart-seoul-2026-spring",
        SMARTSEOUL_EXCHANGE_ROOT=str(tmp_path),
    )
    assert custom.CourseDirectory.course_id == "smart-seoul-2026-spring"
    assert custom.Exchange.root == str(tmp_path)


def test_hub_course_id_matches_the_course_folder(monkeypatch):
    """Trainees submit under the hub's course id; the instructor collects under the course
    folder's. If they differ, collect finds nothing."""
    course_config = paths.grading_dir() / "nbgrader_config.py"
    if not course_config.exists():
        pytest.skip("grading/nbgrader_config.py is not there yet")
    course = load_py_config(course_config, monkeypatch)
    if "course_id" not in course.CourseDirectory:
        pytest.skip("the course folder leaves the course id to the hub")
    assert course.CourseDirectory.course_id == lab.DEFAULT_COURSE_ID


def test_instructor_config_points_the_formgrader_at_the_course(monkeypatch, tmp_path):
    config = load_py_config(
        INSTRUCTOR / "nbgrader_config.py", monkeypatch, SMARTSEOUL_COURSE_ROOT=str(tmp_path)
    )
    assert config.CourseDirectory.root == str(tmp_path)
    fallback = load_py_config(INSTRUCTOR / "nbgrader_config.py", monkeypatch)
    assert fallback.CourseDirectory.root.endswith("smart-seoul-data-lab/grading")


def test_trainees_lose_the_instructor_tools_and_instructors_get_them_back():
    trainee_server = json.loads((SHARED / "jupyter_server_config.json").read_text())
    trainee_lab = json.loads((SHARED / "labconfig" / "page_config.json").read_text())
    teacher_server = json.loads((INSTRUCTOR / "jupyter_server_config.json").read_text())
    teacher_lab = json.loads((INSTRUCTOR / "labconfig" / "page_config.json").read_text())
    assert trainee_server["ServerApp"]["jpserver_extensions"][FORMGRADER] is False
    assert (
        trainee_server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.assignment_list"]
        is True
    )
    assert teacher_server["ServerApp"]["jpserver_extensions"][FORMGRADER] is True
    for plugin in LAB_TOOLS:
        assert trainee_lab["disabledExtensions"][plugin] is True
        assert teacher_lab["disabledExtensions"][plugin] is False


def test_zero_to_jupyterhub_values_embed_the_same_files():
    values = yaml.safe_load((HUB / "z2jh" / "config.yaml").read_text())
    files = values["singleuser"]["extraFiles"]
    expected = {
        "/etc/jupyter/nbgrader_config.py": SHARED / "nbgrader_config.py",
        "/etc/jupyter/jupyter_server_config.json": SHARED / "jupyter_server_config.json",
        "/etc/jupyter/labconfig/page_config.json": SHARED / "labconfig" / "page_config.json",
        "/etc/smartseoul/instructor/nbgrader_config.py": INSTRUCTOR / "nbgrader_config.py",
        "/etc/smartseoul/instructor/jupyter_server_config.json": INSTRUCTOR / "jupyter_server_config.json",
        "/etc/smartseoul/instructor/labconfig/page_config.json": INSTRUCTOR
        / "labconfig"
        / "page_config.json",
    }
    mounted = {f["mountPath"]: f["stringData"] for f in files.values()}
    for mount, source in expected.items():
        assert mounted.get(mount) == source.read_text(), f"{mount} in z2jh/config.yaml differs from {source}"
    env = values["singleuser"]["extraEnv"]
    mounts = {m["mountPath"] for m in values["singleuser"]["storage"]["extraVolumeMounts"]}
    assert env[lab.ENV_EXCHANGE] in mounts, "the exchange must be the shared volume"
    assert env[lab.ENV_COURSE_ID] == lab.DEFAULT_COURSE_ID
    assert "/etc/smartseoul/instructor" in values["hub"]["extraConfig"]["smartseoul-roles"]


def test_tljh_files_are_valid_and_complete(monkeypatch):
    script = HUB / "tljh" / "setup-course.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text()
    for rel in re.findall(r'"\$HUBCONF/([^"]+)"', text):
        assert (HUB / rel).exists(), f"setup-course.sh installs {rel}, which is missing"
    hub = load_py_config(HUB / "tljh" / "jupyterhub_config.d-smartseoul.py", monkeypatch)
    env = hub.Spawner.environment.get_value({})
    assert env[lab.ENV_COURSE_ID] == lab.DEFAULT_COURSE_ID
    assert env[lab.ENV_EXCHANGE] == lab.DEFAULT_EXCHANGE
    assert "inline" in env["MPLBACKEND"]


def test_readme_explains_every_shipped_file():
    readme = (HUB / "README.md").read_text()
    for path in sorted(p for p in HUB.rglob("*") if p.is_file() and p.name != "README.md"):
        rel = path.relative_to(HUB).as_posix()
        assert rel in readme, f"grading/jupyterhub/README.md does not mention {rel}"


@pytest.mark.slow
@pytest.mark.xdist_group("lab-roles")
@pytest.mark.parametrize("role", ["trainee", "instructor"])
def test_a_server_reading_the_hub_config_gives_each_role_its_tools(role, tmp_path):
    """Start JupyterLab as a hub would for each role: the formgrader answers only for instructors,
    and JupyterLab's page config hides the instructor plugins from trainees."""
    grading = lab.copy_course(tmp_path / "course", [])
    env = {
        **lab.hub_environment(
            tmp_path / "exchange", lab.DEFAULT_COURSE_ID, instructor=(role == "instructor")
        ),
        "SMARTSEOUL_COURSE_ROOT": str(grading),
    }
    with lab.running_lab(
        tmp_path / "course", cwd=tmp_path / "course", state_dir=tmp_path / "state", env=env
    ) as server:
        try:
            server.get_json("formgrader/api/assignments", timeout=120)
            formgrader = True
        except urllib.error.HTTPError as err:
            assert err.code == 404, err
            formgrader = False
        with urllib.request.urlopen(server.link("lab"), timeout=20) as response:
            html = response.read().decode("utf-8")
    page_config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    disabled = set(page_config.get("disabledExtensions", []))
    if role == "trainee":
        assert not formgrader, "trainees must not reach the formgrader"
        assert set(LAB_TOOLS) <= disabled, f"JupyterLab still offers {set(LAB_TOOLS) - disabled} to trainees"
    else:
        assert formgrader, "the instructor's formgrader does not answer"
        assert not set(LAB_TOOLS) & disabled, (
            f"JupyterLab hides {set(LAB_TOOLS) & disabled} from the instructor"
        )


@pytest.mark.slow
def test_the_formgrader_lists_only_real_assignments():
    """nbgrader treats every folder in the source directory as an assignment, so the formgrader
    (and the trainees' Assignments panel once released) would show any helper folder there."""
    grading = paths.grading_dir()
    if not (grading / "nbgrader_config.py").exists():
        pytest.skip("grading/nbgrader_config.py is not there yet")
    pattern = lab.nbgrader_paths(grading, ["*"])["*"]["source"]
    folders = [Path(p) for p in sorted(glob.glob(pattern)) if Path(p).is_dir()]
    assert folders, f"no assignment folders match {pattern}"
    strays = [f.name for f in folders if not (f / f"{f.name}.ipynb").exists()]
    assert not strays, (
        f"the formgrader would list {strays} as assignments: they have no <name>/<name>.ipynb. "
        "Move helper folders out of the source directory (nbgrader lists every folder in it)."
    )
