"""How long each exercise's solution takes to run (issue 6, invariant 6: under 60 s each).

Executes every source notebook exercises/<assignment>/<assignment>.ipynb from a fresh kernel,
the way nbgrader's autograder does (nbclient, kernel python3), and prints the wall time per
assignment, split into kernel start-up and the cells themselves, plus peak memory of the
kernel process. Exits 1 if an assignment fails or takes 60 s or more.

    .venv/bin/python benchmarks/bench_exercises.py [assignment ...] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 60.0


def assignments() -> list[str]:
    ex = ROOT / "exercises"
    return sorted(
        d.name
        for d in ex.iterdir()
        if d.is_dir() and not d.name.startswith((".", "_")) and (d / f"{d.name}.ipynb").exists()
    )


def run_once(assignment: str) -> dict[str, float]:
    path = ROOT / "exercises" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    peak = {"rss": 0}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            km = client.km
            pid = getattr(getattr(km, "provisioner", None), "pid", None) if km is not None else None
            if pid:
                try:
                    peak["rss"] = max(peak["rss"], psutil.Process(pid).memory_info().rss)
                except psutil.Error:
                    pass
            stop.wait(0.05)

    t0 = time.perf_counter()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with client.setup_kernel():
            t1 = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            t2 = time.perf_counter()
    finally:
        stop.set()
        watcher.join()
    return {
        "total": time.perf_counter() - t0,
        "startup": t1 - t0,
        "cells": t2 - t1,
        "peak_mb": peak["rss"] / 2**20,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--repeat", type=int, default=1, help="runs per assignment; the best is reported")
    args = parser.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("SMARTSEOUL_HOME", str(ROOT))
    names = args.names or assignments()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"exercise solutions, fresh kernel each (limit {LIMIT_S:.0f} s); {os.cpu_count()} CPUs, load {load:.1f}"
    )
    print(f"{'assignment':<20}{'total s':>9}{'kernel s':>10}{'cells s':>9}{'peak MB':>9}  verdict")
    failed = False
    for name in names:
        try:
            runs = [run_once(name) for _ in range(max(1, args.repeat))]
        except Exception as exc:  # report and go on with the others
            print(
                f"{name:<20}{'-':>9}{'-':>10}{'-':>9}{'-':>9}  FAILED: {type(exc).__name__}: {str(exc)[:200]}"
            )
            failed = True
            continue
        best = min(runs, key=lambda r: r["total"])
        ok = best["total"] < LIMIT_S
        failed |= not ok
        print(
            f"{name:<20}{best['total']:>9.1f}{best['startup']:>10.1f}{best['cells']:>9.1f}{best['peak_mb']:>9.0f}  "
            f"{'ok' if ok else 'TOO SLOW'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
