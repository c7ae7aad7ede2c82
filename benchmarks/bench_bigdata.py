"""Big data on a laptop: generation throughput and memory, then five questions three ways.

Part 1 generates one full year of bike trips (the real annual total, about 41 million rows in
2022) and prints rows per second (per core: the generator uses one) and peak resident memory.
Targets (issue 9): at least 1 million rows per second per core; peak memory under 3 GB.

Part 2 answers the five questions of ``smartseoul.bigdata`` with pandas reading CSV, pandas
reading Parquet and DuckDB on Parquet, each in a fresh process so that its peak memory is its
own, and prints the times, peak memory and ratios side by side.

    .venv/bin/python benchmarks/bench_bigdata.py                 # year 2022, questions on Jan-Mar
    .venv/bin/python benchmarks/bench_bigdata.py --months 1 2 3 4 5 6 --out /tmp/full
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
def peak_mb():
    # VmHWM: this process's own peak resident memory (ru_maxrss would carry the parent's peak across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

from pathlib import Path
from smartseoul import bigdata
q, mode, root, csv_root = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
t = time.perf_counter()
if mode == "duckdb":
    out = bigdata.duckdb_answer(q, root)
else:
    df = bigdata.read_frame(q, root, "csv" if mode == "pandas_csv" else "parquet", csv_root)
    out = bigdata.pandas_answer(q, df)
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "rows": len(out), "peak_mb": peak_mb()}))
"""

GEN = r"""
import json, resource, sys, time
def peak_mb():
    # VmHWM: this process's own peak resident memory (ru_maxrss would carry the parent's peak across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

from pathlib import Path
from smartseoul.data import full_scale as fs
root, year = Path(sys.argv[1]), int(sys.argv[2])
months = [int(m) for m in sys.argv[3].split(",")]
only = sys.argv[4].split(",")
t = time.perf_counter()
rows = 0
setup = None
def tick(part, n, seconds, skipped):
    global rows, setup
    rows += n
    if setup is None:
        setup = time.perf_counter() - t - seconds
fs.generate(root, years=[year], months=months, only=only, progress=tick)
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "setup_seconds": setup or 0.0, "rows": rows, "peak_mb": peak_mb()}))
"""


def run(code: str, *args: str) -> dict:
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--out", type=Path, default=None, help="where to write the full-scale data (default: a temp folder)"
    )
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--months", type=int, nargs="+", default=[1, 2, 3], help="months for the five questions")
    ap.add_argument("--skip-generation", action="store_true", help="reuse data already in --out")
    args = ap.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="smartseoul-full-"))
    print(f"full-scale data in {root}\n")

    if not args.skip_generation:
        print("== Part 1: generation, one full year of bike trips")
        g = run(GEN, str(root), str(args.year), ",".join(str(m) for m in range(1, 13)), "bike_trips")
        gen_s = g["seconds"] - g["setup_seconds"]
        print(
            f"rows: {g['rows']:,} in {g['seconds']:.1f} s ({g['setup_seconds']:.1f} s of setup: simulating the stations and daily counts)"
        )
        print(
            f"throughput: {g['rows'] / g['seconds'] / 1e6:.2f} M rows/s overall, {g['rows'] / gen_s / 1e6:.2f} M rows/s "
            f"after setup, on one core (target >= 1 M rows/s per core)"
        )
        print(f"peak resident memory: {g['peak_mb']:,.0f} MB (target < 3,000 MB)")
        g2 = run(
            GEN,
            str(root),
            str(args.year),
            ",".join(str(m) for m in range(1, 13)),
            "living_population,subway_daily",
        )
        print(
            f"living population + daily subway for the year: {g2['rows']:,} rows in {g2['seconds']:.1f} s, "
            f"peak {g2['peak_mb']:,.0f} MB\n"
        )

    print(f"== Part 2: five questions on {args.year} months {args.months}")
    import duckdb

    sub = root / "_bench_subset"
    csv_root = root / "_bench_csv"
    for ds in ("bike_trips", "living_population", "subway_daily"):
        for folder in (sub / ds, csv_root / ds):
            folder.mkdir(parents=True, exist_ok=True)
        for m in args.months:
            src = root / ds / f"year={args.year}" / f"month={m}"
            if not src.exists():
                continue
            link = sub / ds / f"year={args.year}" / f"month={m}"
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                os.symlink(src, link)
            csv = csv_root / ds / f"{args.year}-{m:02d}.csv"
            if not csv.exists():
                duckdb.sql(
                    f"COPY (SELECT * FROM read_parquet('{src}/*.parquet')) TO '{csv}' (HEADER, DELIMITER ',')"
                )

    def parquet_mb(ds: str) -> float:
        return (
            sum(
                f.stat().st_size
                for m in args.months
                for f in (root / ds / f"year={args.year}" / f"month={m}").glob("*.parquet")
            )
            / 1e6
        )

    sizes = {
        ds: (sum(f.stat().st_size for f in (csv_root / ds).glob("*.csv")) / 1e6, parquet_mb(ds))
        for ds in ("bike_trips", "living_population", "subway_daily")
    }
    for ds, (c, p) in sizes.items():
        print(f"  {ds:<18} CSV {c:>8,.0f} MB   Parquet {p:>7,.0f} MB   ({c / max(p, 1e-9):.1f}x smaller)")
    print()
    header = f"{'question':<18}{'pandas CSV':>22}{'pandas Parquet':>22}{'DuckDB Parquet':>22}{'CSV/DuckDB':>12}{'Parquet/DuckDB':>16}"
    print(header)
    print(f"{'':<18}" + "".join(f"{'s':>11}{'peak MB':>11}" for _ in range(3)) + f"{'time':>12}{'time':>16}")
    from smartseoul import bigdata

    for q in bigdata.QUESTIONS:
        r = {
            mode: run(CHILD, q, mode, str(sub), str(csv_root))
            for mode in ("pandas_csv", "pandas_parquet", "duckdb")
        }
        cells = "".join(
            f"{r[m]['seconds']:>11.2f}{r[m]['peak_mb']:>11,.0f}"
            for m in ("pandas_csv", "pandas_parquet", "duckdb")
        )
        print(
            f"{q:<18}{cells}{r['pandas_csv']['seconds'] / r['duckdb']['seconds']:>12.1f}"
            f"{r['pandas_parquet']['seconds'] / r['duckdb']['seconds']:>16.1f}",
            flush=True,
        )
    print("\npeak MB is the resident memory of the whole process (Python, libraries and data).")


if __name__ == "__main__":
    main()
