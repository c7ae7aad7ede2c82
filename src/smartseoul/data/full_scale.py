"""Full-scale data for the big-data lessons: tens of millions of rows, on demand, never committed.

    smartseoul data generate --scale full --years 2022            # one year of everything
    smartseoul data generate --scale full --only bike_trips --years 2021 --years 2022

Each dataset is written as Parquet partitioned by year and month
(``datasets/full/<dataset>/year=YYYY/month=M/part-0.parquet``), one month at a time, so memory
stays flat however many years are asked for. A finished partition is recorded in the dataset's
``_manifest.json`` and is not redone: an interrupted run resumes where it stopped.

The full-scale data are the course-scale simulation expanded, not a different city: the bike
trips add up to the daily counts of ``bike_rentals_daily`` (the real annual totals), living
population follows the same dongs and hours as ``living_population``, and daily subway ridership
adds up to the monthly ``subway_ridership`` table. ``fraction`` scales everything down for tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import paths
from ..files import atomic_write, replacing
from . import city
from .spec import Context

FULL_DATASETS = ("bike_trips", "living_population", "subway_daily")
LOOKUP = 1 << 16  # inverse-CDF table size for origins: station shares resolved to 1/65,536
LOOKUP_NN = 1 << 10  # ... and for the choice among a station's nearest neighbours
DEFAULT_YEARS = (2022,)


def full_dir(out: Path | None = None) -> Path:
    return Path(out) if out else paths.datasets_dir() / "full"


# -- partitions, manifest, resumability ------------------------------------------------------
@dataclass(frozen=True)
class Partition:
    dataset: str
    year: int
    month: int

    def path(self, root: Path) -> Path:
        return root / self.dataset / f"year={self.year}" / f"month={self.month}" / "part-0.parquet"

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"


def _manifest_path(root: Path, dataset: str) -> Path:
    return root / dataset / "_manifest.json"


def read_manifest(root: Path, dataset: str) -> dict:
    p = _manifest_path(root, dataset)
    return json.loads(p.read_text()) if p.exists() else {"partitions": {}}


def _record(root: Path, part: Partition, rows: int, seconds: float, settings: dict) -> None:
    """Mark a partition finished (atomically: write a temp file, then rename)."""
    man = read_manifest(root, part.dataset)
    man.update(settings)
    man["partitions"][part.key] = {
        "rows": rows,
        "seconds": round(seconds, 3),
        "path": str(part.path(root).relative_to(root)),
    }
    atomic_write(_manifest_path(root, part.dataset), json.dumps(man, indent=1, sort_keys=True), fsync=False)


def is_done(root: Path, part: Partition, settings: dict) -> bool:
    man = read_manifest(root, part.dataset)
    same = all(man.get(k) == v for k, v in settings.items())
    return same and part.key in man["partitions"] and part.path(root).exists()


def write_partition(table: pa.Table, path: Path) -> None:
    with replacing(path) as tmp:  # two writers never share a temp file
        pq.write_table(table, tmp, compression="zstd", compression_level=1, row_group_size=1_000_000)


# -- bike trips ------------------------------------------------------------------------------
class BikeTripMaker:
    """Expands the simulated daily/hourly bike counts into individual trips, month by month,
    with numpy only (no Python loop over trips)."""

    NEIGHBOURS = 24

    def __init__(self, ctx: Context):
        from .generators import bike_rentals as br

        self.br = br
        self.daily = br.simulate_daily(ctx)
        self.hourly = br.hourly_counts(ctx, self.daily)
        self.st = self.daily["stations"]
        self.cal = self.daily["cal"]
        self.seed = ctx.seed
        st = self.st
        self.xy = st[["_x", "_y"]].to_numpy()
        self.installed = st["installed_date"].to_numpy().astype("datetime64[D]")
        kinds = st["_kind"].to_numpy()
        self.aff = np.array([[br.HOUR_AFFINITY[k][c] for c in range(3)] for k in kinds])
        self.round_share = np.where(kinds == "leisure", 0.35, 0.08)
        self.station_cats = pd.CategoricalDtype(st["station_no"].to_numpy())
        fleet = max(br.FLEET.values())
        self.bike_cats = pd.CategoricalDtype([f"SPB-{i:05d}" for i in range(1, fleet + 1)])
        self.days = self.cal["date"].to_numpy().astype("datetime64[D]")

    def months(self, years: Iterable[int]) -> list[tuple[int, int]]:
        ys = set(years)
        ms = pd.Series(self.cal["date"]).dt.to_period("M").unique()
        return [(p.year, p.month) for p in ms if p.year in ys]

    def _neighbours(self, open_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each open station, its nearest open stations and the chance of riding to each."""
        from scipy.spatial import cKDTree

        k = min(self.NEIGHBOURS, len(open_idx) - 1)
        tree = cKDTree(self.xy[open_idx])
        dist, nn = tree.query(self.xy[open_idx], k=k + 1)
        dist, nn = dist[:, 1:], open_idx[nn[:, 1:]]
        w = np.exp(-dist / self.br.ONE_WAY_TARGET_M) + 1e-9
        cdf = np.cumsum(w, axis=1)
        return nn, cdf / cdf[:, -1:]

    def month(self, year: int, month: int, fraction: float = 1.0) -> pa.Table:
        rng = np.random.default_rng([self.seed, year, month, 7])
        cal = self.cal
        mask = ((cal["date"].dt.year == year) & (cal["date"].dt.month == month)).to_numpy()
        day_idx = np.flatnonzero(mask)
        counts = self.hourly[day_idx]
        if fraction < 1.0:
            counts = rng.binomial(counts, fraction)
        flat = counts.ravel()
        n = int(flat.sum())
        cell = np.repeat(np.arange(flat.size), flat)
        day_i = day_idx[cell // 24]
        hour = (cell % 24).astype(np.int64)
        # origins: that day's station counts, tilted by hour class (commute / evening / other)
        hclass = np.where((hour >= 6) & (hour <= 10), 0, np.where((hour >= 16) & (hour <= 20), 1, 2))
        u = rng.random(n)
        group = (day_i - day_idx[0]) * 3 + hclass
        # inverse-CDF lookup tables (65,536 steps) per (day, hour class): a gather, not a search
        steps = (np.arange(LOOKUP) + 0.5) / LOOKUP
        tables = np.empty((len(day_idx) * 3, LOOKUP), dtype=np.int32)
        for d_off, d in enumerate(day_idx):
            for c in range(3):
                wts = self.daily["rentals"][:, d] * self.aff[:, c]
                if wts.sum() == 0:
                    wts = self.daily["active"][:, d].astype(float)
                cdf = np.cumsum(wts)
                tables[d_off * 3 + c] = np.searchsorted(cdf / cdf[-1], steps, side="right")
        origin = tables[group, (u * LOOKUP).astype(np.int64)].astype(np.int64)
        # destinations among nearby open stations (distance decay), or a loop back home
        open_idx = np.flatnonzero(self.installed <= self.days[day_idx[-1]])
        nn, ncdf = self._neighbours(open_idx)
        row_of = np.full(len(self.st), -1)
        row_of[open_idx] = np.arange(len(open_idx))
        r = row_of[origin]
        r = np.where(r < 0, 0, r)
        steps = (np.arange(LOOKUP_NN) + 0.5) / LOOKUP_NN
        choice = np.stack([np.searchsorted(row, steps, side="right") for row in ncdf]).astype(np.int16)
        pick = choice[r, (rng.random(n) * LOOKUP_NN).astype(np.int64)]
        dest = nn[r, np.minimum(pick, nn.shape[1] - 1)]
        loop = rng.random(n) < self.round_share[origin]
        dest = np.where(loop, origin, dest)
        straight = np.hypot(*(self.xy[dest] - self.xy[origin]).T)
        distance = np.where(
            loop,
            rng.lognormal(np.log(self.br.ROUND_TRIP_MEDIAN_M), 0.65, n),
            straight * rng.lognormal(np.log(1.3), 0.12, n),
        )
        speed = rng.lognormal(np.log(self.br.SPEED_M_PER_MIN), 0.3, n) * np.where(loop, 0.8, 1.0)
        duration = np.clip(np.ceil(distance / speed + rng.exponential(self.br.STOP_MIN, n)), 1, 600).astype(
            np.int16
        )
        distance = np.where(rng.random(n) < 0.01, 0.0, np.round(distance, -1)).astype(np.float32)
        # times (Asia/Seoul wall clock, stored with the zone)
        start = (
            self.days[day_i].astype("datetime64[s]").astype(np.int64) + hour * 3600 + rng.integers(0, 3600, n)
        )
        end = start + duration.astype(np.int64) * 60 - rng.integers(0, 60, n)
        tz = pa.timestamp("s", tz=city.TZ)
        offset = 9 * 3600  # wall-clock seconds -> UTC instants for the tz-aware column
        # riders
        age = np.clip(np.round(rng.normal(33, 10, n)), 13, 80).astype(np.int16)
        birth = (year - age).astype(np.int16)
        birth_mask = rng.random(n) < 0.015
        sex = np.where(rng.random(n) < 0.58, 0, 1).astype(np.int8)
        fleet = self.br.FLEET.get(year, max(self.br.FLEET.values()))
        bike = rng.integers(0, fleet, n)
        names = self.st["station_no"].to_numpy()
        table = pa.table(
            {
                "bike_id": pa.DictionaryArray.from_arrays(
                    pa.array(bike.astype(np.int32)), pa.array(self.bike_cats.categories.to_numpy())
                ),
                "rented_at": pa.array(start - offset, type=pa.int64()).cast(tz),
                "rental_station_no": pa.DictionaryArray.from_arrays(
                    pa.array(origin.astype(np.int32)), pa.array(names)
                ),
                "returned_at": pa.array(end - offset, type=pa.int64()).cast(tz),
                "return_station_no": pa.DictionaryArray.from_arrays(
                    pa.array(dest.astype(np.int32)), pa.array(names)
                ),
                "duration_min": pa.array(duration),
                "distance_m": pa.array(distance),
                "birth_year": pa.array(birth, mask=birth_mask),
                "sex": pa.DictionaryArray.from_arrays(pa.array(sex), pa.array(["M", "F"])),
            }
        )
        return table


# -- living population (dong x hour x day, 28 bands) ----------------------------------------
class _SaltedContext:
    """The run's context with its own random streams (per partition) but the same city data."""

    def __init__(self, ctx: Context, salt: str):
        self._ctx, self._salt = ctx, salt
        self.seed, self.memo = ctx.seed, ctx.memo

    def rng(self, key: str) -> np.random.Generator:
        return self._ctx.rng(f"{key}/{self._salt}")

    def get(self, dataset: str, resource: str | None = None):
        return self._ctx.get(dataset, resource)


class LivingPopulationMaker:
    """Every day of a year at dong level, from the same model as the course-scale sample weeks
    (``generators.living_population``: residents at home, workers in, visitors by hour)."""

    def __init__(self, ctx: Context):
        from .generators import living_population as lp

        self.lp = lp
        self.ctx = ctx

    def month(self, year: int, month: int, fraction: float = 1.0) -> pa.Table:
        per = pd.Period(f"{year}-{month:02d}")
        days = pd.date_range(per.start_time, per.end_time.normalize(), freq="D")
        if fraction < 1.0:  # tests: whole days, fewer of them
            days = days[: max(1, round(len(days) * fraction))]
        weeks = tuple(d.strftime("%Y-%m-%d") for d in days[::7])
        saved = self.lp.WEEKS
        try:  # the course model simulates whole weeks from WEEKS: point it at this month
            self.lp.WEEKS = weeks
            df = self.lp.simulate(_SaltedContext(self.ctx, per.strftime("%Y-%m")))
        finally:
            self.lp.WEEKS = saved
        df = df[(df["date"] >= days[0]) & (df["date"] <= days[-1])].reset_index(drop=True)
        bands = [c for c in df.columns if c not in ("date", "hour", "dong_code", "total")]
        df[bands] = df[bands].round(1)
        df["total"] = df[bands].sum(axis=1).round(1)
        df["hour"] = df["hour"].astype(np.int8)
        return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)


# -- daily subway ridership ------------------------------------------------------------------
class SubwayDailyMaker:
    """Daily boardings and alightings by line and station, adding up to the monthly table."""

    WEEKDAY = np.array([1.02, 1.03, 1.03, 1.04, 1.10, 0.78, 0.58])  # Friday highest, Sunday lowest

    def __init__(self, ctx: Context):
        monthly = ctx.get("subway", "subway_ridership")
        monthly = monthly.assign(
            month=pd.to_datetime(monthly["month"]).dt.to_period("M")
            if not isinstance(monthly["month"].dtype, pd.PeriodDtype)
            else monthly["month"]
        )
        self.totals = (
            monthly.groupby(["month", "line", "station"], observed=True)[["boardings", "alightings"]]
            .sum()
            .reset_index()
        )
        self.seed = ctx.seed
        self.holidays = set(city.HOLIDAYS.date)

    def month(self, year: int, month: int, fraction: float = 1.0) -> pa.Table:
        rng = np.random.default_rng([self.seed, year, month, 11])
        per = pd.Period(f"{year}-{month:02d}")
        m = self.totals[self.totals["month"] == per]
        days = pd.date_range(per.start_time, per.end_time.normalize(), freq="D")
        w = self.WEEKDAY[days.day_of_week] * np.where([d.date() in self.holidays for d in days], 0.6, 1.0)
        w = w * rng.lognormal(0, 0.03, len(days))
        w = w / w.sum()
        n_st, n_d = len(m), len(days)
        out = {}
        for col in ("boardings", "alightings"):
            tot = (m[col].to_numpy() * fraction).round().astype(np.int64)
            out[col] = (
                np.array([rng.multinomial(t, w) for t in tot]).ravel()
                if n_st
                else np.array([], dtype=np.int64)
            )
        df = pd.DataFrame(
            {
                "date": np.tile(days.values.astype("datetime64[D]"), n_st),
                "line": np.repeat(m["line"].astype(str).to_numpy(), n_d),
                "station": np.repeat(m["station"].astype(str).to_numpy(), n_d),
                "boardings": out["boardings"].astype(np.int32),
                "alightings": out["alightings"].astype(np.int32),
            }
        )
        return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)


MAKERS: dict[str, Callable[[Context], Any]] = {
    "bike_trips": BikeTripMaker,
    "living_population": LivingPopulationMaker,
    "subway_daily": SubwayDailyMaker,
}
YEARS_AVAILABLE = {
    "bike_trips": range(2019, 2024),
    "living_population": range(2019, 2023),
    "subway_daily": range(2019, 2024),
}


def generate(
    out: Path | None = None,
    years: Iterable[int] = DEFAULT_YEARS,
    only: Iterable[str] | None = None,
    seed: int | None = None,
    fraction: float = 1.0,
    progress: Callable[[Partition, int, float, bool], None] | None = None,
    months: Iterable[int] = range(1, 13),
) -> dict[str, dict]:
    """Write the full-scale partitions; skip those already finished with the same settings."""
    from .build import DEFAULT_SEED, builders

    root = full_dir(out)
    seed = DEFAULT_SEED if seed is None else seed
    names = list(only) if only else list(FULL_DATASETS)
    unknown = [n for n in names if n not in MAKERS]
    if unknown:
        raise KeyError(f"unknown full-scale dataset(s) {unknown}; available: {list(FULL_DATASETS)}")
    ctx = Context(seed, builders())
    summary: dict[str, dict] = {}
    for name in names:
        settings = {"seed": seed, "fraction": fraction}
        yrs = [y for y in years if y in YEARS_AVAILABLE[name]]
        maker = None
        rows = 0
        for y in yrs:
            for mth in months:
                part = Partition(name, y, mth)
                if is_done(root, part, settings):
                    if progress:
                        progress(part, read_manifest(root, name)["partitions"][part.key]["rows"], 0.0, True)
                    continue
                maker = maker or MAKERS[name](ctx)
                t = time.perf_counter()
                table = maker.month(y, mth, fraction)
                write_partition(table, part.path(root))
                dt = time.perf_counter() - t
                _record(root, part, table.num_rows, dt, settings)
                rows += table.num_rows
                if progress:
                    progress(part, table.num_rows, dt, False)
                del table
        summary[name] = {"years": yrs, "new_rows": rows}
    return summary


def generate_cli(
    out: Path | None,
    years: list[int] | None,
    seed: int,
    only: list[str] | None,
    fraction: float = 1.0,
    months: list[int] | None = None,
) -> None:
    """The `--scale full` branch of `smartseoul data generate`, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    names = list(only) if only else list(FULL_DATASETS)
    yrs = list(years) if years else list(DEFAULT_YEARS)
    mths = list(months) if months else list(range(1, 13))
    total = sum(len(mths) for n in names for y in yrs if y in YEARS_AVAILABLE.get(n, ()))
    columns = (
        TextColumn("full-scale data"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[part]}"),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("months", total=total, part="")

        def tick(part: Partition, rows: int, seconds: float, skipped: bool) -> None:
            done = " (already done)" if skipped else f" in {seconds:.1f} s"
            bar.update(task, advance=1, part=f"{part.dataset} {part.key}: {rows:,} rows{done}")

        generate(out, yrs, names, seed, fraction, progress=tick, months=mths)
    print(f"full-scale data in {full_dir(out)}")


def iter_partitions(root: Path, dataset: str) -> Iterator[Path]:
    yield from sorted(
        (root / dataset).glob("year=*/month=*/part-0.parquet"),
        key=lambda p: (int(p.parent.parent.name[5:]), int(p.parent.name[6:])),
    )
