"""A cohort on the course's JupyterHub: N simulated trainees, as the browser drives the hub.

    sudo python benchmarks/bench_hub.py [--sizes 12 24 36] [--beyond] [--think 4 12] [--max-n 72]

Starts its own hub (`smartseoul hub`, in a temporary hub folder, throw-away Unix accounts
`ssdlb-*`, a free port on 127.0.0.1). For each N: creates N users through the hub's REST API,
starts their servers at once, starts a kernel each, and runs module 0 notebook 00a and then 00c
through the kernel websocket, every trainee at the same time, with a think time between cells
(uniform in --think seconds, what a trainee reading the notebook takes at the least). Printed
per N: server start time p50/p95, per-cell latency p50/p95 (execute_request to reply), time to the
first figure (from opening 00a), peak memory of the machine (used, over the idle baseline) and
per trainee (server + kernel, proportional set size), and failures (spawns, kernels, cells with an error or
past --cell-timeout). With --beyond it goes on in steps of 12 after the last size until something
fails, or until the next step would not fit in memory (it stops before the machine would swap or
kill processes, and says so). Then the sizing rule. All users, accounts and folders are removed
at the end. Nothing here is a test: it prints figures. Needs root (Unix accounts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest  # noqa: E402
from tornado.websocket import websocket_connect  # noqa: E402

from smartseoul.hub import config as hubconfig  # noqa: E402
from smartseoul.hub import manage  # noqa: E402

NOTEBOOKS = [
    ROOT / "modules" / "00-orientation" / "00a-jupyter-and-python.ipynb",
    ROOT / "modules" / "00-orientation" / "00c-first-charts-and-maps.ipynb",
]
PREFIX = "ssdlb-"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Trainee:
    name: str
    spawn_s: float | None = None
    cells: list[float] = field(default_factory=list)
    first_figure_s: float | None = None
    failures: list[str] = field(default_factory=list)
    retries: int = 0


class MemorySampler(threading.Thread):
    """Machine memory in use, and each trainee's memory (PSS, by Unix account), every second."""

    def __init__(self, accounts: dict[int, str]):
        super().__init__(daemon=True)
        self.accounts = accounts
        self.peak_used = 0
        self.peak_per_user: dict[str, int] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            vm = psutil.virtual_memory()
            self.peak_used = max(self.peak_used, vm.total - vm.available)
            per: dict[str, int] = {}
            for proc in psutil.process_iter(["uids"]):
                try:
                    uid = proc.info["uids"].real
                    if uid in self.accounts:
                        name = self.accounts[uid]
                        # PSS: shared library pages divided among the processes sharing them
                        per[name] = per.get(name, 0) + proc.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied, AttributeError):
                    continue
            for name, rss in per.items():
                self.peak_per_user[name] = max(self.peak_per_user.get(name, 0), rss)
            self.stopped.wait(1.0)


def code_cells(path: Path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code" and c.source.strip()]


class Hub:
    def __init__(self, plan: hubconfig.HubPlan):
        self.plan = plan
        self.token = manage.token(plan)
        self.http = AsyncHTTPClient(max_clients=200)

    async def call(self, method: str, path: str, body=None, timeout: float = 300):
        request = HTTPRequest(
            f"{self.plan.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            body=None if body is None else json.dumps(body),
            allow_nonstandard_methods=True,
            request_timeout=timeout,
        )
        response = await self.http.fetch(request, raise_error=False)
        if response.code >= 400:
            raise HTTPClientError(
                response.code, message=(response.body or b"")[:300].decode(errors="replace")
            )
        return json.loads(response.body) if response.body else None


async def spawn(hub: Hub, t: Trainee, timeout: float) -> None:
    started = time.monotonic()
    try:
        await hub.call("POST", f"/hub/api/users/{t.name}/server")
        while time.monotonic() - started < timeout:
            user = await hub.call("GET", f"/hub/api/users/{t.name}")
            server = user["servers"].get("")
            if server and server.get("ready"):
                t.spawn_s = time.monotonic() - started
                return
            if not server and time.monotonic() - started > 10 and not user.get("pending"):
                t.failures.append("spawn: the server stopped while starting")
                return
            await asyncio.sleep(1.0)
        t.failures.append(f"spawn: not ready after {timeout:.0f} s")
    except Exception as err:
        t.failures.append(f"spawn: {err}")


async def run_notebooks(
    hub: Hub, t: Trainee, notebooks: list[list[str]], think: tuple[float, float], cell_timeout: float
) -> None:
    rng = random.Random(t.name)
    base = f"/user/{t.name}/api"
    try:
        kernel = await hub.call("POST", f"{base}/kernels", {"name": "python3"})
    except Exception as err:
        t.failures.append(f"kernel: {err}")
        return
    url = f"ws://127.0.0.1:{hub.plan.port}{base}/kernels/{kernel['id']}/channels"
    # JupyterLab retries a kernel connection that fails (up to 7 times, backing off): so does this.
    ws = None
    for attempt in range(7):
        try:
            ws = await websocket_connect(
                HTTPRequest(url, headers={"Authorization": f"token {hub.token}"}, request_timeout=30),
                max_message_size=64 * 1024**2,
            )
            break
        except Exception as err:
            t.retries += 1
            last = err
            await asyncio.sleep(min(2**attempt, 16))
    if ws is None:
        t.failures.append(f"websocket: {last} (after 7 attempts)")
        return
    session = uuid.uuid4().hex
    opened = time.monotonic()
    try:
        for cells in notebooks:
            for source in cells:
                await asyncio.sleep(rng.uniform(*think))
                msg_id = uuid.uuid4().hex
                ws.write_message(
                    json.dumps(
                        {
                            "header": {
                                "msg_id": msg_id,
                                "username": t.name,
                                "session": session,
                                "msg_type": "execute_request",
                                "version": "5.3",
                            },
                            "parent_header": {},
                            "metadata": {},
                            "content": {
                                "code": source,
                                "silent": False,
                                "store_history": True,
                                "user_expressions": {},
                                "allow_stdin": False,
                                "stop_on_error": True,
                            },
                            "channel": "shell",
                            "buffers": [],
                        }
                    )
                )
                sent = time.monotonic()
                status = None
                while status is None:
                    remaining = cell_timeout - (time.monotonic() - sent)
                    if remaining <= 0:
                        raise TimeoutError(f"a cell took more than {cell_timeout:.0f} s")
                    raw = await asyncio.wait_for(ws.read_message(), timeout=remaining)
                    if raw is None:
                        raise ConnectionError("the kernel websocket closed")
                    msg = json.loads(raw)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind = msg["header"]["msg_type"]
                    if (
                        kind in ("display_data", "execute_result")
                        and "image/png" in msg["content"].get("data", {})
                        and t.first_figure_s is None
                    ):
                        t.first_figure_s = time.monotonic() - opened
                    if kind == "execute_reply" and msg.get("channel") == "shell":
                        status = msg["content"]["status"]
                t.cells.append(time.monotonic() - sent)
                if status != "ok":
                    t.failures.append(
                        f"cell error: {msg['content'].get('ename')}: {msg['content'].get('evalue')}"
                    )
    except Exception as err:
        t.failures.append(f"execute: {type(err).__name__}: {err}")
    finally:
        ws.close()


async def one_round(hub: Hub, n: int, args, notebooks) -> dict:
    names = [f"b{n:03d}-{i:03d}-{secrets.token_hex(2)}" for i in range(n)]
    trainees = [Trainee(name) for name in names]
    await hub.call("POST", "/hub/api/users", {"usernames": names})
    vm = psutil.virtual_memory()
    baseline = vm.total - vm.available
    # The spawner creates the accounts on start; know their uids as soon as they exist.
    sampler = MemorySampler({})
    sampler.start()

    async def track_accounts():
        import pwd

        while not sampler.stopped.is_set():
            for name in names:
                try:
                    entry = pwd.getpwnam(hub.plan.unix_name(name))
                    sampler.accounts[entry.pw_uid] = name
                except KeyError:
                    pass
            await asyncio.sleep(1)

    tracker = asyncio.ensure_future(track_accounts())
    t0 = time.monotonic()
    await asyncio.gather(*(spawn(hub, t, args.spawn_timeout) for t in trainees))
    spawned_in = time.monotonic() - t0
    ready = [t for t in trainees if t.spawn_s is not None]
    t1 = time.monotonic()
    await asyncio.gather(
        *(run_notebooks(hub, t, notebooks, tuple(args.think), args.cell_timeout) for t in ready)
    )
    ran_in = time.monotonic() - t1
    sampler.stopped.set()
    tracker.cancel()
    sampler.join()
    # Clean up this round: stop servers, delete users; accounts are removed at the end.
    await asyncio.gather(
        *(hub.call("DELETE", f"/hub/api/users/{t.name}/server") for t in ready), return_exceptions=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        users = await hub.call("GET", "/hub/api/users")
        if not any(u["name"] in names and u.get("servers") for u in users):
            break
        await asyncio.sleep(1)
    for name in names:
        try:
            await hub.call("DELETE", f"/hub/api/users/{name}")
        except Exception:
            pass
    per_user = list(sampler.peak_per_user.values())
    cells = [c for t in trainees for c in t.cells]
    failures = [f for t in trainees for f in t.failures]
    return {
        "n": n,
        "spawn_p50": pct([t.spawn_s for t in ready], 0.5),
        "spawn_p95": pct([t.spawn_s for t in ready], 0.95),
        "cell_p50": pct(cells, 0.5),
        "cell_p95": pct(cells, 0.95),
        "first_figure_p50": pct([t.first_figure_s for t in trainees if t.first_figure_s is not None], 0.5),
        "first_figure_p95": pct([t.first_figure_s for t in trainees if t.first_figure_s is not None], 0.95),
        "peak_used_gib": sampler.peak_used / 1024**3,
        "over_baseline_gib": (sampler.peak_used - baseline) / 1024**3,
        "per_user_mib_mean": statistics.mean(per_user) / 1024**2 if per_user else float("nan"),
        "per_user_mib_max": max(per_user) / 1024**2 if per_user else float("nan"),
        "failures": len(failures),
        "retries": sum(t.retries for t in trainees),
        "load_1min_end": os.getloadavg()[0],
        "failure_kinds": sorted({f.split(":")[0] for f in failures}),
        "failure_examples": failures[:3],
        "cells_run": len(cells),
        "spawned_in_s": spawned_in,
        "notebooks_in_s": ran_in,
    }


def print_table(rows: list[dict]) -> None:
    head = (
        f"{'N':>4} {'start p50':>9} {'p95':>6} {'cell p50':>8} {'p95':>6} {'1st fig p50':>11} {'p95':>6} "
        f"{'machine peak':>12} {'+over idle':>10} {'per user mean':>13} {'max':>6} {'failures':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['n']:>4} {r['spawn_p50']:>8.1f}s {r['spawn_p95']:>5.1f}s {r['cell_p50']:>7.2f}s {r['cell_p95']:>5.2f}s "
            f"{r['first_figure_p50']:>10.1f}s {r['first_figure_p95']:>5.1f}s {r['peak_used_gib']:>9.1f} GiB "
            f"{r['over_baseline_gib']:>6.1f} GiB {r['per_user_mib_mean']:>9.0f} MiB {r['per_user_mib_max']:>5.0f}M "
            f"{r['failures']:>8}"
        )


def sizing(rows: list[dict]) -> str:
    ok = [r for r in rows if r["failures"] == 0]
    if not ok:
        return "no size ran without failures: no sizing rule"
    per_user = max(r["per_user_mib_max"] for r in ok)
    marginal = max(r["over_baseline_gib"] / r["n"] for r in ok) * 1024
    cores = psutil.cpu_count() or 2
    biggest = max(r["n"] for r in ok)
    best = max(ok, key=lambda r: r["n"])
    return (
        f"RAM: {marginal:.0f} MiB per concurrent trainee on the machine (peak over idle / N), worst per-trainee "
        f"resident peak {per_user:.0f} MiB; CPU: {biggest} trainees on {cores} cores ran without failures "
        f"(cell p95 {best['cell_p95']:.1f} s, start p95 {best['spawn_p95']:.0f} s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[12, 24, 36])
    parser.add_argument("--beyond", action="store_true", help="go on in steps of 12 until something fails")
    parser.add_argument("--max-n", type=int, default=96)
    parser.add_argument("--think", type=float, nargs=2, default=[4.0, 12.0])
    parser.add_argument("--cell-timeout", type=float, default=120.0)
    parser.add_argument("--spawn-timeout", type=float, default=300.0)
    parser.add_argument("--reserve-gib", type=float, default=3.0, help="memory never to use (stop before)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "output" / "bench_hub.json")
    args = parser.parse_args()
    # Clean up (hub, accounts, folders) on Ctrl-C and on kill, even when started in the background.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if os.geteuid() != 0:
        print("needs root: every simulated trainee is a Unix account")
        return 2
    work = Path(
        tempfile.mkdtemp(prefix="smartseoul-bench-hub-", dir="/srv" if os.access("/srv", os.W_OK) else None)
    )
    os.chmod(work, 0o755)
    env = {
        "SMARTSEOUL_HUB_DIR": str(work / "hub"),
        "SMARTSEOUL_HUB_HOMES": str(work / "homes"),
        "SMARTSEOUL_HUB_UNIX_PREFIX": PREFIX,
        "SMARTSEOUL_HUB_PORT": str(manage_free_port()),
        "SMARTSEOUL_EXCHANGE_ROOT": str(work / "exchange"),
        "SMARTSEOUL_HUB_INSTRUCTORS": "benchteacher",
    }
    os.environ.update(env)
    plan = hubconfig.plan()
    notebooks = [code_cells(p) for p in NOTEBOOKS]
    print(
        f">> hub at {plan.url}; notebooks: {', '.join(p.name for p in NOTEBOOKS)} "
        f"({sum(map(len, notebooks))} code cells); think time {args.think[0]:g}-{args.think[1]:g} s; "
        f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 1024**3:.1f} GiB"
    )
    rows: list[dict] = []
    try:
        manage.start(plan, echo=lambda line: print(line))
        hub = Hub(plan)
        sizes = list(args.sizes)
        loop = asyncio.new_event_loop()
        while sizes:
            n = sizes.pop(0)
            if rows:
                per = max(rows[-1]["over_baseline_gib"] / rows[-1]["n"], 0.05)
                vm = psutil.virtual_memory()
                need = per * n * 1.15
                if need > vm.total / 1024**3 - args.reserve_gib - (vm.total - vm.available) / 1024**3 + 0:
                    print(
                        f">> stopping before N={n}: it would need about {need:.1f} GiB "
                        f"({per * 1024:.0f} MiB per trainee measured at N={rows[-1]['n']}), "
                        f"more than this machine has free with {args.reserve_gib:g} GiB kept back: memory is the limit"
                    )
                    break
            print(f">> N={n}: starting {n} servers, then 00a and 00c on every kernel ...", flush=True)
            row = loop.run_until_complete(one_round(hub, n, args, notebooks))
            rows.append(row)
            print_table([row])
            print(
                f"   websocket connections retried: {row['retries']}; load average at the end {row['load_1min_end']:.1f}"
            )
            if row["failures"]:
                print(f"   failures: {row['failure_kinds']}; e.g. {row['failure_examples']}")
            print(
                f"   servers all up in {row['spawned_in_s']:.0f} s; notebooks in {row['notebooks_in_s']:.0f} s",
                flush=True,
            )
            if args.beyond and not sizes and row["failures"] == 0 and n + 12 <= args.max_n:
                sizes.append(n + 12)
        print()
        print_table(rows)
        print()
        print("sizing:", sizing(rows))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))
        print(f"(raw figures: {args.json})")
    finally:
        manage.stop(plan, echo=print)
        import subprocess

        with open("/etc/passwd", encoding="utf-8") as handle:
            names = [line.split(":", 1)[0] for line in handle]
        for name in names:
            if name.startswith(PREFIX):
                subprocess.run(["userdel", "--remove", "--force", name], capture_output=True, check=False)
                subprocess.run(["groupdel", name], capture_output=True, check=False)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def manage_free_port() -> int:
    return hubconfig._free_port()


if __name__ == "__main__":
    raise SystemExit(main())
