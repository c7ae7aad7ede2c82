"""The judge serves one worker for many submissions: a child forked per submission reads the same
pipe as the judge itself. Frames written back to back (a submission's "end" and the next one's
"fork", as a worker that starts the next submission at once writes them) must each reach the
process they are meant for."""

from __future__ import annotations

import io
import sys
import time

import pytest

from smartseoul.grading import channel
from smartseoul.grading.judge import JudgeClient

pytestmark = pytest.mark.xdist_group("grading")


def _frames(*headers: dict) -> bytes:
    buf = io.BytesIO()
    for header in headers:
        channel.send_frame(buf, header)
    return buf.getvalue()


def test_end_and_next_fork_written_together_reach_child_and_judge(tmp_path):
    judge = JudgeClient([sys.executable, "-I", "-m", "smartseoul.grading.judge"], {}, str(tmp_path), None)
    judge.begin([("x = 41", "setup cell 0")])  # asks for the child without waiting
    try:
        assert judge.child is None
        judge.ready(30)
        first = judge.child
        assert judge.proc is not None and judge.proc.stdin is not None
        for _ in range(5):  # one write: the child must stop at its "end", the judge gets the "fork"
            judge.proc.stdin.write(_frames({"op": "end"}, {"op": "fork"}))
            judge.proc.stdin.flush()
            began = time.monotonic()
            header, _ = judge._recv(time.monotonic() + 10)
            assert header.get("op") == "forked", header
            assert time.monotonic() - began < 10
            assert int(header["pid"]) != first
            first = int(header["pid"])
        judge.child = first

        # the last child still has the setup's state, and tests run in it as usual
        def no_calls(name, manifest, blobs):
            raise AssertionError("no call expected")

        manifest, blobs = channel.pack({"y": 1})  # an answer, as the kernel hands it over
        passed = judge.test("assert x + y == 42", "test", ["y"], manifest, blobs, {}, no_calls, 10)
        failed = judge.test("assert x == 42, 'x is not 42'", "test", ["y"], manifest, blobs, {}, no_calls, 10)
        # the judge froze its objects before it forked this child (gc.freeze): no copied pages
        code = "import gc; assert gc.get_freeze_count() > 10_000"
        frozen = judge.test(code, "test", ["y"], manifest, blobs, {}, no_calls, 10)
        assert frozen["status"] == "ok", frozen
        assert passed["status"] == "ok", passed
        assert failed["status"] == "error" and "x is not 42" in failed["evalue"], failed
    finally:
        judge.end()
        judge.stop()
