"""The trainee's kernel: forked from a pre-imported server, driven over ZeroMQ, with limits.

The fork server (forkserver.py) imports the heavy libraries once; each submission gets a fresh
child of it as its kernel, with its own environment and resource limits. `Kernel.execute` sends
one cell and collects its outputs until the reply, within the cell's time and output limits.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import zmq

from .filesystem import chown_tree
from .sandbox import LAUNCHED_PYTHON, Limits, kernel_env, kernel_rlimits, launch_command

# How often a starting kernel is asked again for its kernel_info (Kernel._wait_ready): every
# STARTING_RESEND_S until its shell answers (it is still starting, and the requests wait in its
# queue), then every READY_RESEND_S until its iopub answers too.
STARTING_RESEND_S = 0.05
READY_RESEND_S = 0.005

if TYPE_CHECKING:
    from jupyter_client import BlockingKernelClient


class ForkServer:
    """The worker's pre-imported interpreter (forkserver.py): one per worker, asked for a fresh
    kernel for each submission (and, unless nested, for the judge), restarted if it dies (e.g.
    killed by a submission). Where the batch has a zygote (level `full`), the server is forked
    from it into the worker's namespaces, and imports only what the zygote has not; else it is
    started as a program of its own."""

    def __init__(
        self,
        env: dict,
        cwd: str,
        nested: bool,
        modules: list[str] | None = None,
        zygote: socket.socket | None = None,
    ):
        """`modules`: what the server imports before it forks (default forkserver.PRELOAD)."""
        self.env, self.cwd, self.nested, self.modules = env, cwd, nested, list(modules or [])
        self.zygote = zygote
        self.proc: subprocess.Popen | ForeignProcess | None = None
        self.sock: socket.socket | None = None
        self.judge_pid: int | None = None  # the judge it forked last: not a submission's process
        self.pending = False  # forked by the zygote, its first line ({"pid"}) not read yet

    def start(self) -> None:
        """Returns at once: the server imports its modules while the worker goes on."""
        if self.zygote is not None and self._ask_zygote():
            return
        cfg: dict[str, Any] = {"rlimits": {}, "uid": None, "gid": None, "cwd": self.cwd}
        cmd = launch_command(
            cfg,
            [*LAUNCHED_PYTHON, "-m", "smartseoul.grading.forkserver", *self.modules],
            nested=self.nested,
        )
        mine, theirs = socket.socketpair()  # a Unix socket: it can carry the judge's descriptors
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=theirs.fileno(),
                stdout=theirs.fileno(),
                stderr=subprocess.DEVNULL,
                env=self.env,
                cwd=self.cwd,
                close_fds=True,
            )
        finally:
            theirs.close()
        self.sock, self.judge_pid = mine, None

    def _ask_zygote(self) -> bool:
        """Ask the batch's zygote for a server in this worker's namespaces; False (and no zygote
        from now on) if it cannot be asked."""
        from .forkserver import NAMESPACES, left_after_zygote

        assert self.zygote is not None
        mine, theirs = socket.socketpair()
        fds = [theirs.fileno()]
        try:
            for name in NAMESPACES:
                fds.append(os.open(f"/proc/self/ns/{name}", os.O_RDONLY | os.O_CLOEXEC))
            request = {"env": self.env, "cwd": self.cwd, "modules": left_after_zygote(self.modules)}
            socket.send_fds(self.zygote, [json.dumps(request).encode()], fds)  # one message
        except OSError:
            mine.close()
            self.zygote = None
            return False
        finally:
            theirs.close()
            for fd in fds[1:]:
                os.close(fd)
        self.sock, self.judge_pid, self.pending, self.proc = mine, None, True, None
        return True

    def _started(self, timeout: float) -> bool:
        """A server the zygote forked says its pid first (once it has imported its modules)."""
        if not self.pending:
            return True
        self.pending = False
        reply = self._reply(timeout)
        if "pid" not in reply:
            print(
                f"worker: the zygote gave no fork server ({reply.get('error', 'no answer')})", file=sys.stderr
            )
            self.zygote = None  # the next start runs a server of its own
            return False
        self.proc = ForeignProcess(int(reply["pid"]))
        return True

    def alive(self) -> bool:
        return self.pending or (self.proc is not None and self.proc.poll() is None)

    def descendants(self) -> list:
        """Everything below the server but the server itself and its judge: kernels and what
        they left running (the server is their subreaper). A forked kernel keeps the server's
        /proc environment, so a job marker cannot find it; this can."""
        import psutil

        if not self.alive() or self.proc is None:
            return []
        try:
            top = psutil.Process(self.proc.pid)
            children = top.children()
            own = {top.pid} | ({c.pid for c in children} if self.nested else set())  # unshare -> server
            for child in children:
                if child.pid == self.judge_pid:
                    own |= {child.pid} | {p.pid for p in child.children(recursive=True)}
            return [p for p in top.children(recursive=True) if p.pid not in own and _running(p)]
        except psutil.Error:
            return []

    def _running_server(self, timeout: float) -> None:
        """A server that answers: the one there, or a new one if it died."""
        if self._started(timeout) and self.alive():
            return
        self.stop()
        self.start()
        self._started(timeout)

    def _reply(self, timeout: float) -> dict:
        """The server's next line, as a dict; {} if it did not come in time."""
        assert self.sock is not None
        try:
            deadline, data = time.monotonic() + timeout, b""
            while not data.endswith(b"\n"):
                ready, _, _ = select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))
                chunk = self.sock.recv(1 << 16) if ready else b""
                if not chunk:
                    return {}
                data += chunk
            reply = json.loads(data)
        except (OSError, ValueError):
            return {}
        return reply if isinstance(reply, dict) else {}

    def _ask(self, request: dict, fds: list[int], timeout: float) -> dict:
        """One request and its reply; {} if the server did not answer in time."""
        assert self.sock is not None
        try:
            socket.send_fds(self.sock, [(json.dumps(request) + "\n").encode()], fds)
        except OSError:
            return {}
        return self._reply(timeout)

    def fork(self, request: dict, timeout: float) -> int:
        """A new kernel process for `request`; its pid (the leader of its own process group)."""
        reply: dict = {}
        for _attempt in (1, 2):
            self._running_server(timeout)
            reply = self._ask(request, [], timeout)
            if "pid" in reply:
                return int(reply["pid"])
            self.stop()
        raise RuntimeError(
            f"the kernel fork server did not start a kernel ({reply.get('error', 'no answer')})"
        )

    def judge(self, cfg: dict, timeout: float) -> ForkedJudge:
        """The worker's judge, forked from this server's imports: `cfg` says its user, limits,
        folder and environment. Its channel is a socket pair; its errors go to the worker's log."""
        self._running_server(timeout)
        mine, theirs = socket.socketpair()
        try:
            reply = self._ask({"judge": cfg}, [theirs.fileno(), 2], timeout)
        finally:
            theirs.close()
        if "pid" not in reply:
            mine.close()
            raise OSError(f"the fork server did not start the judge ({reply.get('error', 'no answer')})")
        self.judge_pid = int(reply["pid"])  # a worker has one judge: the one before was stopped
        return ForkedJudge(self.judge_pid, mine)

    def stop(self) -> None:
        if self.proc is not None:
            try:
                self.proc.kill()  # its kernels and its judge die with it (PR_SET_PDEATHSIG)
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.sock is not None:
            self.sock.close()
        self.proc, self.sock, self.pending = None, None, False


class ForeignProcess:
    """A process this one did not start (a fork server's child, or a server the zygote forked),
    seen through the few parts of `subprocess.Popen` the worker uses, and watched by pid."""

    def __init__(self, pid: int):
        import psutil

        self.pid = pid
        try:
            self._proc: Any = psutil.Process(pid)
        except psutil.Error:
            self._proc = None

    def poll(self) -> int | None:
        import psutil

        try:
            if (
                self._proc is not None
                and self._proc.is_running()
                and self._proc.status() != psutil.STATUS_ZOMBIE
            ):
                return None
        except psutil.Error:
            pass
        return -signal.SIGKILL

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        return -signal.SIGKILL


class ForkedJudge(ForeignProcess):
    """A judge the fork server forked: the server's child, not the worker's. JudgeClient writes
    to it and reads from it through its socket."""

    def __init__(self, pid: int, sock: socket.socket):
        super().__init__(pid)
        self.sock = sock
        self.stdin = sock.makefile("wb")
        self.stdout = sock  # read through its descriptor (JudgeClient's deadline reader)


def _running(proc) -> bool:
    """Not a zombie: a killed kernel the server has not reaped yet is dead, not left running."""
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _poller(kc: BlockingKernelClient) -> zmq.Poller:
    """The kernel's shell and iopub channels, polled together: a reply on one never waits for a
    timeout on the other."""
    poller = zmq.Poller()
    poller.register(kc.shell_channel.socket, zmq.POLLIN)
    poller.register(kc.iopub_channel.socket, zmq.POLLIN)
    return poller


@dataclass
class Execution:
    status: str  # ok | error | timeout | died
    outputs: list = field(default_factory=list)
    reply: dict | None = None
    ename: str = ""
    evalue: str = ""
    elapsed: float = 0.0
    truncated: int = 0
    msg_id: str = ""
    nbytes: int = 0


class Kernel:
    """A fresh IPython kernel for one submission, forked by the worker's fork server."""

    def __init__(self, job: dict, sandbox: Path, limits: Limits, server: ForkServer):
        self.job, self.sandbox, self.limits, self.server = job, sandbox, limits, server
        self.total_output = 0
        self.pid: int | None = None
        self.kc: BlockingKernelClient | None = None
        self.starts = 0

    def start(self, timeout: float = 60) -> None:
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        self.starts += 1
        rt = self.sandbox / ".rt"
        cf = str(rt / f"kernel-{self.starts}.json")
        write_connection_file(cf, transport="ipc", ip=str(rt / f"k{self.starts}"))
        chown_tree(rt, self.job.get("uid"), self.job.get("gid"))
        self.pid = self.server.fork(
            {
                "connection_file": cf,
                "cwd": str(self.sandbox),
                "env": kernel_env(self.job, self.sandbox),
                "uid": self.job.get("uid"),
                "gid": self.job.get("gid"),
                "rlimits": kernel_rlimits(self.limits, self.job["level"]),
            },
            timeout=min(timeout, 30),
        )
        kc = BlockingKernelClient(connection_file=cf)
        kc.load_connection_file()
        # The client connects before the new kernel has bound its sockets, and ZeroMQ tries again
        # only after its reconnect interval (100 ms by default), while the worker and the kernel
        # both wait: try again after 5 ms.
        kc.context.setsockopt(zmq.RECONNECT_IVL, 5)
        kc.start_channels()
        self.kc = kc
        self._wait_ready(timeout)

    @property
    def client(self) -> BlockingKernelClient:
        """The kernel client; only called while the kernel runs."""
        if self.kc is None:
            raise RuntimeError("the kernel is not running")
        return self.kc

    def _wait_ready(self, timeout: float) -> None:
        """Ready when a kernel_info request gets its shell reply *and* its iopub status, so no
        output of the first cell can be lost. The first status messages are lost while the iopub
        subscription connects, so once the shell has answered the request goes again every
        READY_RESEND_S until iopub answers. Both channels are polled together: a reply on one
        never waits for a timeout on the other (that wait was 0.02 s of every kernel start)."""
        kc = self.client
        poller = _poller(kc)
        deadline = time.monotonic() + timeout
        sent = {kc.kernel_info()}
        last_sent = time.monotonic()
        shell_ok = iopub_ok = False
        while True:
            if not self.alive():
                raise RuntimeError("the kernel exited during start-up")
            now = time.monotonic()
            if now >= deadline:
                raise RuntimeError(f"the kernel was not ready within {timeout:.0f}s")
            interval = READY_RESEND_S if shell_ok else STARTING_RESEND_S
            if now - last_sent >= interval:
                sent.add(kc.kernel_info())
                last_sent = now
            wait = min(deadline, last_sent + interval) - now
            poller.poll(timeout=max(1, int(wait * 1000)))
            while kc.shell_channel.msg_ready():
                reply = kc.shell_channel.get_msg(timeout=0)
                shell_ok = shell_ok or reply.get("parent_header", {}).get("msg_id") in sent
            while kc.iopub_channel.msg_ready():
                msg = kc.iopub_channel.get_msg(timeout=0)
                iopub_ok = iopub_ok or msg.get("parent_header", {}).get("msg_id") in sent
            if shell_ok and iopub_ok:
                return

    def alive(self) -> bool:
        if self.pid is None:
            return False
        try:
            import psutil

            return psutil.Process(self.pid).status() != psutil.STATUS_ZOMBIE
        except Exception:
            return False

    def stop(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)  # the kernel and whatever it started in its session
            except (ProcessLookupError, PermissionError):
                pass
        self.pid = self.kc = None

    def interrupt(self) -> None:
        try:
            if self.pid is not None:
                os.kill(self.pid, signal.SIGINT)
        except (ProcessLookupError, PermissionError):
            pass

    def _add_output(self, ex: Execution, msg: dict, cap_cell: int) -> None:
        mtype = msg["header"]["msg_type"]
        content = msg["content"]
        if mtype == "clear_output":
            ex.outputs.clear()
            return
        if mtype not in ("stream", "display_data", "execute_result", "error"):
            return
        if mtype == "error":  # a flood of errors is capped like any other output
            raw = len(json.dumps(content, default=str))
            content = {
                "ename": str(content.get("ename", ""))[:256],
                "evalue": str(content.get("evalue", ""))[:8192],
                "traceback": [str(t)[:8192] for t in list(content.get("traceback", []))[-20:]],
            }
            msg = {**msg, "content": content}
            ex.truncated += max(0, raw - len(json.dumps(content)) - 64 * 1024)  # flag errors far over the cap
        size = len(json.dumps(content, default=str))
        if mtype == "error" and (self.total_output + size > self.limits.output_bytes_total):
            ex.truncated += size
            ex.ename, ex.evalue = content["ename"], content["evalue"][:500]
            return
        if mtype != "error" and (
            ex.nbytes + size > cap_cell or self.total_output + size > self.limits.output_bytes_total
        ):
            ex.truncated += size
            return
        ex.nbytes += size
        self.total_output += size
        if (
            mtype == "stream"
            and ex.outputs
            and ex.outputs[-1].get("output_type") == "stream"
            and ex.outputs[-1].get("name") == content.get("name")
        ):
            ex.outputs[-1]["text"] += content.get("text", "")
            return
        out = output_from_msg(msg)
        if mtype == "error":
            ex.ename, ex.evalue = content.get("ename", ""), content.get("evalue", "")
        ex.outputs.append(out)

    def run(
        self,
        code: str,
        timeout: float,
        *,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict | None = None,
        collect: bool = True,
        msg_id: str | None = None,
        ex: Execution | None = None,
    ) -> Execution:
        """Send `code` (or keep waiting for `msg_id`) and collect its outputs until the reply and idle."""
        kc = self.client
        start = time.monotonic()
        if msg_id is None:
            msg_id = kc.execute(
                code,
                silent=silent,
                store_history=store_history,
                user_expressions=user_expressions or {},
                allow_stdin=False,
                stop_on_error=False,
            )
        ex = ex or Execution(status="timeout", msg_id=msg_id)
        deadline = start + timeout
        got_reply = got_idle = False
        reply_time = 0.0
        poller = _poller(kc)
        cap = self.limits.output_bytes_per_cell
        last_alive_check = start
        while not (got_reply and got_idle):
            now = time.monotonic()
            if got_reply and not got_idle and now > reply_time + 2.0:
                break  # the idle status was dropped (e.g. under an output flood): the reply is what counts
            if now >= deadline:
                ex.status = "timeout"
                ex.elapsed += now - start
                return ex
            ready = dict(poller.poll(timeout=min(200, max(1, int((deadline - now) * 1000)))))
            if not ready or now - last_alive_check > 1.0:
                last_alive_check = now
                if not self.alive():
                    ex.status = "died"
                    ex.elapsed += time.monotonic() - start
                    return ex
            if kc.iopub_channel.socket in ready:
                while kc.iopub_channel.msg_ready():
                    msg = kc.iopub_channel.get_msg(timeout=0)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    if (
                        msg["header"]["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"
                    ):
                        got_idle = True
                    elif collect:
                        self._add_output(ex, msg, cap)
            if kc.shell_channel.socket in ready:
                while kc.shell_channel.msg_ready():
                    msg = kc.shell_channel.get_msg(timeout=0)
                    if msg.get("parent_header", {}).get("msg_id") == msg_id:
                        got_reply = True
                        reply_time = time.monotonic()
                        ex.reply = msg["content"]
        ex.elapsed += time.monotonic() - start
        ex.status = "ok" if (ex.reply or {}).get("status") == "ok" else "error"
        if ex.reply and ex.reply.get("status") == "error" and not ex.ename:
            ex.ename, ex.evalue = ex.reply.get("ename", ""), ex.reply.get("evalue", "")
        return ex


def output_from_msg(msg: dict) -> dict:
    """An nbformat output from a kernel message (plain dicts: importing nbformat costs seconds here)."""
    kind, c = msg["header"]["msg_type"], msg["content"]
    if kind == "stream":
        return {"output_type": "stream", "name": c.get("name", "stdout"), "text": c.get("text", "")}
    if kind == "error":
        return {
            "output_type": "error",
            "ename": c.get("ename", ""),
            "evalue": c.get("evalue", ""),
            "traceback": list(c.get("traceback", [])),
        }
    out = {"output_type": kind, "data": c.get("data", {}), "metadata": c.get("metadata", {})}
    if kind == "execute_result":
        out["execution_count"] = c.get("execution_count")
    return out
