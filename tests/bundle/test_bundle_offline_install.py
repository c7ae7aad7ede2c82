"""A trainee's path through the bundle, with the network switched off: unpack the zip, run
install.sh (it checks the SHA-256 of every file, creates a fresh venv and runs
`pip install --no-index --find-links wheels`), then run module 0a in that venv.

The bundle here holds this machine's wheels only (a few seconds from the wheel cache that
`make bundle` shares; the first run fetches them from the registry). `make bundle` makes the
full one for Linux, Windows and macOS on Python 3.11 and 3.12."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from bundle_offline import REACH_REGISTRY, run_offline

from smartseoul.bundle import build, targets

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "bundle"
NOTEBOOK = "modules/00-orientation/00a-jupyter-and-python.ipynb"

LAB_PROBE = Path(__file__).with_name("lab_answers.py")
#: start.sh as a trainee runs it (plus what a root user in a namespace needs), then ask it for /lab
START_AND_ASK = (
    "sh start.sh --no-browser --allow-root --ServerApp.port=8888 --ServerApp.port_retries=0 "
    "--IdentityProvider.token=bundle-test > lab.log 2>&1 & lab=$!; "
    '"$1" "$2" http://127.0.0.1:8888/lab?token=bundle-test; answer=$?; '
    "kill $lab; wait $lab; [ $answer -eq 0 ] || cat lab.log; exit $answer"
)

pytestmark = pytest.mark.slow


def trainee_environment(home: Path) -> dict[str, str]:
    """A clean environment, as on a trainee's laptop: no PYTHONPATH to the checkout, no pip or
    Jupyter settings of this machine."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PIP_CONFIG_FILE": os.devnull,
        # no .pyc files written at install time: they are an optimisation, and skipping them
        # keeps the test within CI's time on 2 cores (a trainee's install writes them)
        "PIP_NO_COMPILE": "1",
        "PYTHON": getattr(sys, "_base_executable", sys.executable),
    }


@pytest.fixture()
def usb_stick(tmp_path):
    """Where the bundle is unpacked and installed: memory (/dev/shm) when there is room, since
    the venv holds 1.4 GB of small files and a slow disk triples the install time."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > 6 * 1024**3:
        with tempfile.TemporaryDirectory(dir=shm, prefix="smartseoul-bundle-") as folder:
            yield Path(folder)
    else:
        yield tmp_path / "usb"


def test_the_bundle_installs_and_runs_module_0a_without_a_network(tmp_path, usb_stick):
    timings: dict[str, float] = {}
    started = time.perf_counter()
    bundle = build.build(
        ROOT,
        targets.parse_targets("current", "current"),
        out=tmp_path / "out",
        cache=ROOT / "_build" / "bundle" / "wheel-cache",
        book=None,
    )
    timings["make the bundle"] = time.perf_counter() - started
    assert not bundle.fetched[0].missing, f"no wheel for this machine: {bundle.fetched[0].missing}"
    size_mb = bundle.written.size / 1e6

    started = time.perf_counter()
    with zipfile.ZipFile(bundle.written.archive) as zf:
        zf.extractall(usb_stick)
    folder = usb_stick / bundle.written.archive.stem
    timings["unpack"] = time.perf_counter() - started
    env = trainee_environment(tmp_path / "home")

    network = run_offline([env["PYTHON"], "-c", REACH_REGISTRY], env=env)
    assert network.returncode != 0 and "ONLINE" not in network.stdout, "the network is not switched off"

    started = time.perf_counter()
    install = run_offline(["sh", "install.sh"], cwd=folder, env=env, timeout=600)
    timings["install.sh"] = time.perf_counter() - started
    assert install.returncode == 0, install.stdout + install.stderr
    assert "All " in install.stdout and "files are complete (SHA-256 checked)" in install.stdout

    venv_python = folder / ".venv" / "bin" / "python"
    started = time.perf_counter()
    run = run_offline(
        [str(venv_python), str(Path(__file__).with_name("offline_notebook.py")), str(folder / NOTEBOOK)],
        cwd=folder / "modules" / "00-orientation",
        env=env,
        timeout=600,
    )
    timings["run module 0a"] = time.perf_counter() - started
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["figures"] >= 3, report
    assert Path(report["kernel_prefix"]) == folder / ".venv", "the kernel did not run in the bundle's venv"
    assert Path(report["smartseoul_file"]).is_relative_to(folder / ".venv"), report["smartseoul_file"]

    started = time.perf_counter()
    lab = run_offline(
        ["sh", "-c", START_AND_ASK, "start", str(venv_python), str(LAB_PROBE)],
        cwd=folder,
        env=env,
        timeout=300,
    )
    timings["start.sh, JupyterLab answers"] = time.perf_counter() - started
    assert lab.returncode == 0 and "JupyterLab answers" in lab.stdout, lab.stdout + lab.stderr

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lines = [
        f"bundle: {bundle.written.archive.name}, {size_mb:.1f} MB, {bundle.written.files} files, "
        f"{bundle.wheels} wheels ({bundle.fetched[0].target.name})",
        f"module 0a: {report['code_cells']} code cells, {report['figures']} figures, no errors, network off",
        *(f"{step}: {seconds:.0f} s" for step, seconds in timings.items()),
    ]
    (ARTIFACTS / "offline-install.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
