"""The JupyterHub configuration a city installs (grading/jupyterhub/): its files load, agree with
each other and with the course's own nbgrader configuration, and really give trainees and
instructors different tools when a Jupyter server reads them."""

from __future__ import annotations

import glob
import json
import re
import subprocess
import sys
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


# --------------------------------------------------------------------------- one set of values


def test_committed_tljh_and_z2jh_files_are_the_rendered_ones():
    """`smartseoul hub render` writes them from the course settings; editing one by hand, or a
    setting without re-rendering, fails here."""
    from smartseoul.hub.config import rendered_files

    stale = [str(path) for path, text in rendered_files().items() if path.read_text(encoding="utf-8") != text]
    assert not stale, f"out of date, run `smartseoul hub render`: {stale}"


def _local_config(monkeypatch, tmp_path):
    from traitlets.config import Config

    from smartseoul.hub import config as hubconfig

    for key in lab_hub_variables():
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SMARTSEOUL_HUB_DIR", str(tmp_path / "hub"))
    c = Config()
    p = hubconfig.configure_local(c)
    return c, p


def lab_hub_variables() -> tuple[str, ...]:
    from smartseoul.testing.hub import HUB_VARIABLES

    return (*HUB_VARIABLES, "SMARTSEOUL_COURSE_ID")


def test_the_local_hub_tljh_and_z2jh_share_the_same_values(monkeypatch, tmp_path):
    from smartseoul.hub import config as hubconfig

    c, _p = _local_config(monkeypatch, tmp_path)
    shared = hubconfig.core(hubconfig.shipped_plan())

    # the hub `make hub` starts
    assert c.JupyterHub.ip == "127.0.0.1" and c.JupyterHub.hub_ip == "127.0.0.1"
    assert c.JupyterHub.authenticator_class == "nativeauthenticator.NativeAuthenticator"
    assert c.NativeAuthenticator.open_signup is False, "sign-ups must wait for an instructor"
    assert c.JupyterHub.spawner_class == "smartseoul.hub.spawner.CourseSpawner"
    assert c.Spawner.cmd[:1] == [sys.executable], "servers must run in the course environment"
    assert "--LabApp.news_url=" in c.Spawner.args, "JupyterLab must not fetch news at run time"
    assert c.ConfigurableHTTPProxy.command == [str(hubconfig.proxy_command())]
    assert str(hubconfig.proxy_command()).startswith(sys.prefix)
    env = c.Spawner.environment
    for key, value in shared["environment"].items():
        assert env[key] == value
    assert c.Spawner.default_url == shared["default_url"]
    assert c.Spawner.mem_limit == shared["mem_limit"] and c.Spawner.cpu_limit == shared["cpu_limit"]
    assert set(c.Authenticator.admin_users) == set(shared["admin_users"])
    assert {k: v["users"] for k, v in c.JupyterHub.load_groups.items()} == shared["groups"]
    culler = next(s for s in c.JupyterHub.services if s["name"] == "idle-culler")
    assert f"--timeout={shared['idle_timeout']}" in culler["command"]

    # The Littlest JupyterHub, as its hub reads the file
    for key in lab_hub_variables():
        monkeypatch.delenv(key, raising=False)
    tljh = PyFileConfigLoader("jupyterhub_config.d-smartseoul.py", path=str(HUB / "tljh")).load_config()
    assert tljh.Spawner.environment.get_value({}) == shared["environment"]
    assert tljh.Spawner.default_url == shared["default_url"]
    assert tljh.SystemdSpawner.mem_limit == shared["mem_limit"]
    assert tljh.SystemdSpawner.cpu_limit == shared["cpu_limit"]
    assert {k: v["users"] for k, v in tljh.JupyterHub.load_groups.items()} == shared["groups"]
    text = (HUB / "tljh" / "jupyterhub_config.d-smartseoul.py").read_text()
    assert f"IDLE_TIMEOUT = {shared['idle_timeout']}" in text

    # Zero to JupyterHub, as Helm reads the values
    values = yaml.safe_load((HUB / "z2jh" / "config.yaml").read_text())
    single = values["singleuser"]
    assert single["extraEnv"] == shared["environment"]
    assert single["defaultUrl"] == shared["default_url"]
    assert single["memory"] == {"guarantee": shared["mem_guarantee"], "limit": shared["mem_limit"]}
    assert single["cpu"] == {"guarantee": shared["cpu_guarantee"], "limit": shared["cpu_limit"]}
    assert values["cull"] == {"enabled": True, "timeout": shared["idle_timeout"]}
    assert values["hub"]["config"]["Authenticator"]["admin_users"] == shared["admin_users"]
    assert values["hub"]["config"]["NativeAuthenticator"]["open_signup"] is False
    group = next(iter(shared["groups"]))
    assert group in values["hub"]["extraConfig"]["smartseoul-groups"]
    assert group in values["hub"]["extraConfig"]["smartseoul-roles"]
    assert all(f["mode"] == 0o444 for f in single["extraFiles"].values())


def test_a_changed_setting_shows_in_every_deployment(monkeypatch, tmp_path):
    """One setting, three deployments: the memory per trainee reaches the local hub, TLJH and Z2JH."""
    from smartseoul.hub import config as hubconfig

    monkeypatch.setattr(hubconfig, "plan", _patched_plan(hubconfig.plan, mem_limit="3G"))
    p = hubconfig.shipped_plan()
    assert p.mem_limit == "3G"
    assert 'c.SystemdSpawner.mem_limit = "3G"' in hubconfig.render_tljh(p)
    assert yaml.safe_load(hubconfig.render_z2jh(p))["singleuser"]["memory"]["limit"] == "3G"
    # and the committed files, rendered from the real settings, are now stale
    stale = [path for path, text in hubconfig.rendered_files().items() if path.read_text() != text]
    assert len(stale) == 2


def _patched_plan(original, **changes):
    import dataclasses

    def patched(environ=None):
        return dataclasses.replace(original(environ=environ), **changes)

    return patched


@pytest.mark.parametrize(
    ("login", "ok"),
    [
        ("minji", True),
        ("joon.park", True),
        ("root", True),
        ("../etc", False),
        ("a" * 40, False),
        ("Kim", False),
    ],
)
def test_a_hub_login_maps_to_a_safe_unix_account(login, ok):
    from smartseoul.hub.config import HubConfigError, unix_account

    if ok:
        assert unix_account(login, "jupyter-") == f"jupyter-{login}"
    else:
        with pytest.raises(HubConfigError):
            unix_account(login, "jupyter-")


def test_the_z2jh_schema_gap_is_stated():
    """The chart's values schema cannot be pinned in this repository (it ships with the Helm chart,
    not with a package registry), so the values are checked against the local hub's instead, and
    the README says so."""
    readme = (HUB / "README.md").read_text()
    assert "values schema" in readme and "not validated" in readme
