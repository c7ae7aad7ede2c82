"""The judge is forked from the kernels' fork server (forkserver.py), so a worker imports the
science stack once, not twice. These tests check what that must not change: the judge still
runs the assignment's setup and the tests, draws off-screen, keeps its own environment, and is
never taken for a process the submission left running (the worker kills those)."""

from __future__ import annotations

import json
import os
import queue
import sys

import psutil
import pytest
import zmq

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


class _StartingKernel:
    """A kernel client whose kernel answers every kernel_info on its shell at once, but whose
    first iopub status messages are lost, as they are while the iopub subscription connects.
    Both channels are real ZeroMQ sockets (in-process), so the readiness wait polls them."""

    LOST = 5  # iopub statuses lost before the subscription is there

    class Channel:
        def __init__(self, context, name):
            self.socket = context.socket(zmq.PAIR)
            self.socket.bind(f"inproc://{name}")
            self.peer = context.socket(zmq.PAIR)
            self.peer.connect(f"inproc://{name}")

        def msg_ready(self):
            return bool(self.socket.poll(0))

        def get_msg(self, timeout=None):
            if not self.socket.poll(0 if timeout is None else int(timeout * 1000)):
                raise queue.Empty
            return json.loads(self.socket.recv())

    def __init__(self, context, name):
        self.shell_channel = self.Channel(context, f"{name}-shell")
        self.iopub_channel = self.Channel(context, f"{name}-iopub")
        self.requests = 0

    def kernel_info(self):
        self.requests += 1
        msg_id = f"info-{self.requests}"
        reply = json.dumps({"parent_header": {"msg_id": msg_id}}).encode()
        self.shell_channel.peer.send(reply)
        if self.requests > self.LOST:
            self.iopub_channel.peer.send(reply)
        return msg_id


def test_a_new_kernel_is_ready_soon_after_its_iopub_connects(tmp_path):
    """Once the kernel's shell has answered, the worker asks again every few milliseconds until
    an iopub status arrives, and polls both channels together. Before, each try waited 50 ms on
    the shell channel (which had already answered) before it looked at iopub again: 0.04 to
    0.05 s of every kernel start at two workers, with the worker and the kernel idle."""
    import time

    from smartseoul.grading.kernel import Kernel
    from smartseoul.grading.sandbox import Limits

    context = zmq.Context()
    fake = _StartingKernel(context, "ready")
    kernel = Kernel({"level": "basic", "uid": None, "gid": None, "job_id": "t"}, tmp_path, Limits(), None)
    kernel.pid, kernel.kc = os.getpid(), fake  # alive: this process
    try:
        started = time.monotonic()
        kernel._wait_ready(30)
        took = time.monotonic() - started
    finally:
        context.destroy(linger=0)
    assert fake.requests == _StartingKernel.LOST + 1, "ready only once an iopub status has arrived"
    # 6 requests 5 ms apart; asking every 50 ms took at least 0.25 s
    assert took < 0.15, f"the kernel was ready {took:.3f} s after it first answered"
