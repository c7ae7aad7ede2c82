"""The judge is forked from the kernels' fork server (forkserver.py), so a worker imports the
science stack once, not twice. These tests check what that must not change: the judge still
runs the assignment's setup and the tests, draws off-screen, keeps its own environment, and is
never taken for a process the submission left running (the worker kills those)."""

from __future__ import annotations

import os
import sys

import psutil
import pytest

from smartseoul.grading import channel, forkserver
from smartseoul.grading.judge import JudgeClient
from smartseoul.grading.kernel import ForkServer

pytestmark = pytest.mark.xdist_group("grading")

KERNEL_BACKEND = "module://matplotlib_inline.backend_inline"


def _no_calls(name, manifest, blobs):
    raise AssertionError("no call expected")


@pytest.fixture()
def server(tmp_path):
    env = {
        "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
        "MPLBACKEND": KERNEL_BACKEND,  # the kernels' backend, as server_env chooses it
        "SERVER_ONLY": "1",
    }
    # what the server imports for an assignment that draws: matplotlib under the kernels' backend,
    # which the judge must switch to Agg
    server = ForkServer(env, str(tmp_path), nested=False, modules=forkserver.preload(draws=True))
    server.start()
    yield server
    server.stop()


def test_the_judge_forked_by_the_fork_server_runs_setup_and_tests_in_its_own_environment(server, tmp_path):
    judge_dir = tmp_path / "judge"
    judge_dir.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(judge_dir), "MPLBACKEND": "Agg", "JUDGE_ONLY": "1"}
    cfg = {"rlimits": {}, "uid": None, "gid": None, "cwd": str(judge_dir), "env": env}
    judge = JudgeClient(["false"], env, str(judge_dir), None, fork=lambda: server.judge(cfg, 60))
    try:
        judge.begin([("x = 41", "setup cell 0")])
        judge.ready(60)
        assert judge.proc is not None
        assert psutil.Process(judge.proc.pid).ppid() == server.proc.pid, (
            "the judge is the fork server's child"
        )

        manifest, blobs = channel.pack({"y": 1})
        probe = (
            "import os, gc, matplotlib\n"
            "assert x + y == 42\n"
            "assert os.getcwd() == os.environ['HOME'], os.getcwd()\n"
            "assert os.environ.get('JUDGE_ONLY') == '1' and 'SERVER_ONLY' not in os.environ, dict(os.environ)\n"
            "assert matplotlib.get_backend().lower() == 'agg', matplotlib.get_backend()\n"
            "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()\n"
        )
        verdict = judge.test(probe, "test", ["y"], manifest, blobs, {}, _no_calls, 30)
        assert verdict["status"] == "ok", verdict

        # the worker kills what a submission left below the server: never the judge or its copy
        below = {p.pid for p in server.descendants()}
        assert judge.proc.pid not in below and judge.child not in below, below

        judge.end()  # the next submission gets a fresh copy of the same judge
        judge.begin([("x = 41", "setup cell 0")])
        judge.ready(60)
        again = judge.test("assert x + y == 42", "test", ["y"], manifest, blobs, {}, _no_calls, 30)
        assert again["status"] == "ok", again
    finally:
        judge.end()
        judge.stop()
    assert judge.proc is None


def test_a_killed_judge_is_forked_again_with_the_setup_replayed(server, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MPLBACKEND": "Agg"}
    cfg = {"rlimits": {}, "uid": None, "gid": None, "cwd": str(tmp_path), "env": env}
    judge = JudgeClient(["false"], env, str(tmp_path), None, fork=lambda: server.judge(cfg, 60))
    try:
        judge.begin([("x = 41", "setup cell 0")])
        judge.ready(60)
        first = judge.proc.pid
        os.kill(first, 9)
        judge.proc.wait(10)
        assert not judge.alive()
        manifest, blobs = channel.pack({"y": 1})
        verdict = judge.test("assert x + y == 42", "test", ["y"], manifest, blobs, {}, _no_calls, 60)
        assert verdict["status"] == "ok", verdict
        assert judge.proc.pid != first
    finally:
        judge.end()
        judge.stop()


def test_the_worker_connects_to_a_new_kernel_without_zeromqs_reconnect_wait(server, tmp_path):
    """The worker's client connects before the forked kernel has bound its sockets. With
    ZeroMQ's default reconnect interval (100 ms) the worker and the kernel both sat idle for that
    long at each kernel start (a stall seen at the start of every batch); the client tries again
    after a few milliseconds instead."""
    import zmq

    from smartseoul.grading.kernel import Kernel
    from smartseoul.grading.sandbox import Limits

    sandbox = tmp_path / "sandbox"
    (sandbox / ".rt").mkdir(parents=True)
    (sandbox / "tmp").mkdir()
    kernel = Kernel({"level": "basic", "uid": None, "gid": None, "job_id": "t"}, sandbox, Limits(), server)
    try:
        kernel.start(60)
        assert kernel.run("x = 6 * 7", 30).status == "ok"
        for channel_ in (kernel.client.shell_channel, kernel.client.iopub_channel):
            assert channel_.socket.getsockopt(zmq.RECONNECT_IVL) <= 10
    finally:
        kernel.stop()
