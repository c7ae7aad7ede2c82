"""At level `full` one zygote (forkserver.zygote) imports the kernels' modules for the whole
batch, and forks each worker's fork server into that worker's namespaces: one import of the
science stack per batch, not one per worker. These tests check what that must not change: a
fork server lives in its worker's namespaces and environment, keeps no way back to the zygote
or to another worker, carries nothing of the zygote's own environment into a kernel, and a batch
grades on, with fork servers of their own, when the zygote is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import psutil
import pytest
from grading_helpers import ASSIGNMENT, autograde_command, totals, write_batch

from smartseoul.grading import autograde, forkserver, intake, sandbox
from smartseoul.grading.autograde import Pipeline

pytestmark = pytest.mark.xdist_group("grading")

full_only = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and os.geteuid() == 0 and sandbox.possible_level() == "full"),
    reason="the zygote serves level full only (root, with util-linux unshare)",
)

# Imports `modules` with HOME (and every folder of server_env) under a marker folder, takes a
# new environment as a server forked from the zygote does, then lists every string the
# interpreter still holds that names the marker folder. Nothing it reads holds the marker
# itself, so a hit is something the imports (or the interpreter) derived from the environment.
SCAN = r"""
import gc, json, os, sys, types
from smartseoul.grading import forkserver


def scan():  # in a function: the marker is a local, and frames are skipped
    request = json.loads(sys.stdin.readline())
    marker = os.environ["HOME"]
    forkserver._import(request["modules"])
    forkserver.take_environment(request["env"])
    names = {id(vars(m)): n for n, m in list(sys.modules.items()) if getattr(m, "__dict__", None) is not None}
    found = set()
    for obj in gc.get_objects():
        if isinstance(obj, types.FrameType):
            continue
        if isinstance(obj, dict):
            values = [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            values = list(obj)
        else:  # closures' cells, functools caches, objects' slots ...
            values = gc.get_referents(obj)
        for value in values:
            if isinstance(value, str) and marker in value:
                found.add(f"{names.get(id(obj), type(obj).__name__)}: {value}")
    return sorted(found)


print(json.dumps(scan()))
"""


def _left_from_the_zygotes_home(modules: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="zygote-home-") as home, tempfile.TemporaryDirectory() as worker:
        env = sandbox.server_env({}, home)  # as sandbox.Zygote builds it
        request = {"modules": modules, "env": sandbox.server_env({"course_root": "/nowhere"}, worker)}
        run = subprocess.run(
            [sys.executable, "-I", "-c", SCAN],
            input=json.dumps(request) + "\n",
            env=env,
            cwd=home,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def test_the_zygotes_modules_keep_nothing_of_its_environment():
    """The zygote imports with an environment of its own (its home is an empty folder of root's),
    and each fork server then takes its worker's. So nothing the zygote imports may keep a value
    it read from the environment: a kernel would carry it."""
    left = _left_from_the_zygotes_home(list(forkserver.PRELOAD))
    assert left == [], f"the zygote's environment lives on in a fork server: {left}"


def test_the_check_finds_a_module_that_keeps_the_home_it_was_imported_with():
    """The scan above can fail: matplotlib keeps its configuration folder, derived from HOME, so
    it stays out of the zygote (the fork server imports it, where the assignment draws)."""
    left = _left_from_the_zygotes_home([*forkserver.PRELOAD, *forkserver.PLOTTING])
    assert any("matplotlib" in hit for hit in left), left
    assert not set(forkserver.PLOTTING) & set(forkserver.PRELOAD)


def _fork_server_of(zygote_pid: int, deadline: float) -> psutil.Process:
    """The zygote's child that runs in another PID namespace with the judge below it: the fork
    server a worker asked for (not the short-lived child that forks it)."""
    host = os.readlink(f"/proc/{zygote_pid}/ns/pid")
    while time.monotonic() < deadline:
        for child in psutil.Process(zygote_pid).children():
            try:
                if os.readlink(f"/proc/{child.pid}/ns/pid") != host and child.children():
                    return child
            except (psutil.Error, OSError):
                continue
        time.sleep(0.1)
    raise AssertionError("no fork server with a judge below the zygote")


@full_only
def test_a_fork_server_from_the_zygote_lives_in_its_workers_namespaces_and_keeps_no_other_socket(course):
    pipeline = Pipeline(course, ASSIGNMENT, workers=2)
    worker = pipeline._start_worker(0)
    try:
        assert pipeline.zygote is not None, "at level full the first worker starts the zygote"
        server = _fork_server_of(pipeline.zygote.proc.pid, time.monotonic() + 90)
        worker_ns = next(
            p for p in psutil.Process(worker.proc.pid).children(recursive=True) if "--serve" in p.cmdline()
        )
        for name in forkserver.NAMESPACES:
            mine = os.readlink(f"/proc/{server.pid}/ns/{name}")
            assert mine == os.readlink(f"/proc/{worker_ns.pid}/ns/{name}"), (
                f"{name}: not the worker's namespace"
            )
            assert mine != os.readlink(f"/proc/{pipeline.zygote.proc.pid}/ns/{name}"), (
                f"{name}: still the host's"
            )
        sockets = [fd for fd in os.listdir(f"/proc/{server.pid}/fd") if "socket:" in _link(server.pid, fd)]
        assert len(sockets) == 1, (
            f"the fork server holds {len(sockets)} sockets: only its worker's, none to the zygote or another worker"
        )
    finally:
        worker.close()
        pipeline._close_zygote()
    assert pipeline.zygote is None


def _link(pid: int, fd: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return ""


@full_only
def test_a_batch_grades_on_when_the_zygote_is_gone(course, tmp_path, monkeypatch):
    """The zygote dies after it gave the workers their sockets: each worker's fork server then
    starts as a program of its own, and every submission gets the same points."""
    kinds, roster = write_batch(course, ["correct", "blank", "correct", "blank"], tmp_path / "subs")
    intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    connect = sandbox.Zygote.connect

    def connect_then_die(self):
        sock = connect(self)
        self.proc.kill()
        self.proc.wait()
        return sock

    monkeypatch.setattr(sandbox.Zygote, "connect", connect_then_die)
    summary = autograde.autograde(course, ASSIGNMENT, workers=2)
    assert sorted(summary.graded) == sorted(kinds) and not summary.errors
    expected = {"correct": 5.0, "blank": 0.0}  # the fixture's points, as in test_grading_batch
    assert totals(course) == {s: expected[k] for s, k in kinds.items()}
    logs = "".join(p.read_text() for p in (course.pipeline_dir(ASSIGNMENT) / "jobs").glob("worker-*.log"))
    assert "Traceback" not in logs, logs[-2000:]


@full_only
def test_the_command_starts_one_zygote_before_its_workers(course, tmp_path):
    """`smartseoul grade autograde` starts the zygote as soon as it knows the level, before it
    imports the rest of the grading code, and hands that one to the batch: never a second."""
    kinds, roster = write_batch(course, ["correct", "blank"], tmp_path / "subs")
    intake.intake(course, ASSIGNMENT, tmp_path / "subs", roster)
    run = subprocess.Popen(
        autograde_command(course, ASSIGNMENT, "--workers", "2"), stdout=subprocess.PIPE, text=True
    )
    started: dict[int, tuple[str, float]] = {}
    while run.poll() is None:
        try:
            for child in psutil.Process(run.pid).children():
                cmd = " ".join(child.cmdline())
                if child.pid not in started and ("--zygote" in cmd or "smartseoul.grading.worker" in cmd):
                    # (not the isolation probe, `unshare ... true`, which runs before both)
                    started[child.pid] = ("zygote" if "--zygote" in cmd else "worker", child.create_time())
        except psutil.Error:
            pass
        time.sleep(0.01)
    out = run.stdout.read() if run.stdout else ""
    assert run.returncode == 0 and "2 graded" in out, out
    zygotes = [t for kind, t in started.values() if kind == "zygote"]
    workers = [t for kind, t in started.values() if kind == "worker"]
    assert len(zygotes) == 1, f"{len(zygotes)} zygotes in one batch"
    assert workers and zygotes[0] <= min(workers), "the zygote starts before the workers"
    assert totals(course) == {s: {"correct": 5.0, "blank": 0.0}[k] for s, k in kinds.items()}


@full_only
def test_the_zygote_drops_a_line_that_is_not_a_request_and_serves_the_next(tmp_path):
    """Also: once it has imported, the zygote has removed the home the parent made for it, so a
    batch that is killed (no clean-up) leaves nothing behind in /tmp."""
    from smartseoul.grading.kernel import ForeignProcess, ForkServer

    zygote = sandbox.Zygote()
    try:
        sock = zygote.connect()
        assert sock is not None
        sock.sendall(b"not a request\n")
        sock.sendall(b'["neither"]\n')
        env = sandbox.server_env({}, tmp_path)
        server = ForkServer(env, str(tmp_path), nested=False, modules=[], zygote=sock)
        server.start()
        assert server._started(120), "the zygote stopped serving after a line that was not a request"
        assert isinstance(server.proc, ForeignProcess)
        below = {p.pid for p in psutil.Process(zygote.proc.pid).children(recursive=True)}
        assert server.proc.pid in below, "the fork server comes from the zygote"
        assert not os.path.exists(zygote.home), "the zygote's empty home is gone once it has imported"
        server.stop()
    finally:
        zygote.close()
    assert zygote.proc.poll() is not None
