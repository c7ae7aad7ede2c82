"""A smoke check of the whole catalogue: load every resource and print one summary figure each.

smartseoul data smoke              # numbers on the terminal
smartseoul data smoke --plots D    # also one PNG per resource in folder D
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .. import data


def summary(df: pd.DataFrame) -> str:
    """The headline of a table: its size and the mean of its first real measure."""
    numeric = [
        c for c in df.select_dtypes("number").columns if not c.endswith(("_lat", "_lon", "lat", "lon"))
    ]
    head = f"{len(df):>10,} rows x {df.shape[1]:>2} cols"
    if numeric:
        col = numeric[0]
        return f"{head}; mean {col} = {df[col].mean():,.2f}"
    return head


def plot(df: pd.DataFrame, name: str, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plots import use_style

    use_style()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if hasattr(df, "geometry") and "geometry" in df:
        df.plot(ax=ax, linewidth=0.3, edgecolor="white")
        ax.set_axis_off()
    else:
        numeric = df.select_dtypes("number")
        if numeric.shape[1]:
            numeric.iloc[:, 0].plot.hist(ax=ax, bins=40)
            ax.set_xlabel(numeric.columns[0])
    ax.set_title(name)
    path = out / f"{name}.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def run(plots: Path | None = None, echo: Callable[[str], None] = print) -> int:
    """Load every resource; the number of resources that failed to load."""
    if plots:
        plots.mkdir(parents=True, exist_ok=True)
    failures = 0
    for row in data.catalog().itertuples():
        if row.role == "raw":
            p = data.raw_path(str(row.name))
            echo(f"{row.name:<28} raw file {p.name} ({p.stat().st_size / 1e6:.1f} MB)")
            continue
        t = time.perf_counter()
        try:
            df = data.load(str(row.name))
        except Exception as exc:
            echo(f"{row.name:<28} FAILED: {exc}")
            failures += 1
            continue
        echo(f"{row.name:<28} {summary(df)}  [{time.perf_counter() - t:.2f} s]")
        if plots:
            plot(df, str(row.name), plots)
    return failures
