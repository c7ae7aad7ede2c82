"""Five questions on the full-scale data, answered three ways: pandas, DuckDB and Dask.

The same questions run on one laptop (pandas when the data fit in memory, DuckDB on Parquet
when they do not) and beyond one machine (Dask, whose code runs unchanged on a cluster). Each
function returns a small pandas DataFrame, so the three answers can be compared exactly.

    from smartseoul import bigdata
    root = bigdata.full_root()               # datasets/full (smartseoul data generate --scale full)
    bigdata.ask("commute_pairs", "duckdb", root)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import data
from .data.full_scale import full_dir

QUESTIONS = {
    "commute_pairs": "Which 20 station pairs carry the most bike trips on weekday mornings (07-09 h)?",
    "monthly_by_gu": "How many bike trips start in each district each month?",
    "daytime_surge": "Which dongs swell most between night (04 h) and weekday afternoon (14 h)?",
    "trip_profile": "How long and how far are trips, by hour, on weekdays and weekends?",
    "busiest_stations": "Which 10 subway stations are busiest per day, and how much quieter are their weekends?",
}
TZ = "Asia/Seoul"


def full_root() -> Path:
    return full_dir()


def glob(root: Path, dataset: str) -> str:
    return str(Path(root) / dataset / "*" / "*" / "*.parquet")


@lru_cache(maxsize=1)
def _lookups() -> dict[str, pd.DataFrame]:
    st = data.load("bike_stations")[["station_no", "gu_code", "gu_name"]]
    dongs = data.load("dongs")[["dong_code", "gu_name", "dong_name"]]
    return {
        "stations": pd.DataFrame(st).astype({"station_no": str, "gu_code": str, "gu_name": str}),
        "dongs": pd.DataFrame(dongs.drop(columns="geometry", errors="ignore")).astype(str),
    }


def lookups() -> dict[str, pd.DataFrame]:
    """Small course-scale tables the questions join to (stations, dongs); read once, copied out."""
    return {k: v.copy() for k, v in _lookups().items()}


# -- DuckDB: SQL straight on the Parquet files -----------------------------------------------
SQL = {
    "commute_pairs": """
        SELECT rental_station_no AS origin, return_station_no AS destination, count(*) AS trips
        FROM read_parquet('{bike_trips}', hive_partitioning = true)
        WHERE isodow(rented_at) <= 5 AND hour(rented_at) BETWEEN 7 AND 9
          AND rental_station_no <> return_station_no
        GROUP BY ALL ORDER BY trips DESC, origin, destination LIMIT 20""",
    "monthly_by_gu": """
        SELECT s.gu_name, date_trunc('month', t.rented_at)::DATE AS month, count(*) AS trips
        FROM read_parquet('{bike_trips}', hive_partitioning = true) t
        JOIN stations s ON s.station_no = t.rental_station_no
        GROUP BY ALL ORDER BY s.gu_name, month""",
    "daytime_surge": """
        WITH h AS (
          SELECT dong_code, hour, avg(total) AS people
          FROM read_parquet('{living_population}', hive_partitioning = true)
          WHERE isodow(date) <= 5 AND hour IN (4, 14)
          GROUP BY ALL)
        SELECT d.dong_code, d.gu_name, d.dong_name,
               max(people) FILTER (WHERE hour = 4) AS night,
               max(people) FILTER (WHERE hour = 14) AS afternoon,
               afternoon / night AS surge
        FROM h JOIN dongs d USING (dong_code)
        GROUP BY ALL ORDER BY surge DESC, d.dong_code LIMIT 20""",
    "trip_profile": """
        SELECT isodow(rented_at) >= 6 AS weekend, hour(rented_at) AS hour, count(*) AS trips,
               avg(duration_min) AS mean_duration_min, avg(distance_m) AS mean_distance_m
        FROM read_parquet('{bike_trips}', hive_partitioning = true)
        GROUP BY ALL ORDER BY weekend, hour""",
    "busiest_stations": """
        WITH d AS (
          SELECT station, date, sum(boardings + alightings) AS riders, isodow(date) >= 6 AS weekend
          FROM read_parquet('{subway_daily}', hive_partitioning = true)
          GROUP BY ALL)
        SELECT station, avg(riders) AS riders_per_day,
               avg(riders) FILTER (WHERE weekend) / avg(riders) FILTER (WHERE NOT weekend) AS weekend_ratio
        FROM d GROUP BY ALL ORDER BY riders_per_day DESC, station LIMIT 10""",
}


def duckdb_answer(question: str, root: Path, con=None) -> pd.DataFrame:
    import duckdb

    con = con or duckdb.connect()
    con.execute(f"SET TimeZone = '{TZ}'")
    for name, df in lookups().items():
        con.register(name, df)
    sql = SQL[question].format(
        **{d: glob(root, d) for d in ("bike_trips", "living_population", "subway_daily")}
    )
    return con.sql(sql).df()


# -- pandas: load what the question needs, then group ----------------------------------------
COLUMNS = {
    "commute_pairs": ("bike_trips", ["rented_at", "rental_station_no", "return_station_no"]),
    "monthly_by_gu": ("bike_trips", ["rented_at", "rental_station_no"]),
    "daytime_surge": ("living_population", ["date", "hour", "dong_code", "total"]),
    "trip_profile": ("bike_trips", ["rented_at", "duration_min", "distance_m"]),
    "busiest_stations": ("subway_daily", ["date", "station", "boardings", "alightings"]),
}


def read_frame(
    question: str, root: Path, source: str = "parquet", csv_root: Path | None = None
) -> pd.DataFrame:
    """The columns a question needs, from Parquet (column pruning) or from CSV (everything read)."""
    dataset, cols = COLUMNS[question]
    if source == "parquet":
        return pd.read_parquet(Path(root) / dataset, columns=cols)
    if csv_root is None:
        raise ValueError("read_frame(source='csv') needs csv_root, the folder that holds the CSV files")
    files = sorted((Path(csv_root) / dataset).glob("*.csv"))
    parse = [c for c in ("rented_at", "date") if c in cols]
    frames = [
        pd.read_csv(
            f,
            usecols=cols,
            parse_dates=parse,
            dtype={c: str for c in cols if c.endswith(("station_no", "dong_code"))},
        )
        for f in files
    ]
    df = pd.concat(frames, ignore_index=True)
    if "rented_at" in df and df["rented_at"].dt.tz is None:
        df["rented_at"] = df["rented_at"].dt.tz_localize("UTC").dt.tz_convert(TZ)
    return df


def _local(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_convert(TZ) if ts.dt.tz is not None else ts


def pandas_answer(question: str, df: pd.DataFrame) -> pd.DataFrame:
    lk = lookups()
    if question == "commute_pairs":
        t = _local(df["rented_at"])
        m = (
            (t.dt.day_of_week < 5)
            & t.dt.hour.between(7, 9)
            & (df["rental_station_no"].astype(str) != df["return_station_no"].astype(str))
        )
        out = (
            df[m]
            .groupby([df["rental_station_no"].astype(str)[m], df["return_station_no"].astype(str)[m]])
            .size()
            .rename("trips")
            .reset_index()
            .set_axis(["origin", "destination", "trips"], axis=1)
        )
        return (
            out.sort_values(["trips", "origin", "destination"], ascending=[False, True, True])
            .head(20)
            .reset_index(drop=True)
        )
    if question == "monthly_by_gu":
        t = _local(df["rented_at"])
        x = pd.DataFrame(
            {
                "station_no": df["rental_station_no"].astype(str),
                "month": t.dt.tz_localize(None).dt.to_period("M").dt.to_timestamp(),
            }
        )
        x = x.merge(lk["stations"], on="station_no")
        return (
            x.groupby(["gu_name", "month"])
            .size()
            .rename("trips")
            .reset_index()
            .sort_values(["gu_name", "month"])
            .reset_index(drop=True)
        )
    if question == "daytime_surge":
        d = pd.to_datetime(df["date"])
        x = df[(d.dt.day_of_week < 5) & df["hour"].isin([4, 14])]
        p = x.groupby([x["dong_code"].astype(str), "hour"])["total"].mean().unstack("hour")
        out = pd.DataFrame({"night": p[4], "afternoon": p[14]}).reset_index()
        out["surge"] = out["afternoon"] / out["night"]
        out = out.merge(lk["dongs"], on="dong_code")[
            ["dong_code", "gu_name", "dong_name", "night", "afternoon", "surge"]
        ]
        return (
            out.sort_values(["surge", "dong_code"], ascending=[False, True]).head(20).reset_index(drop=True)
        )
    if question == "trip_profile":
        t = _local(df["rented_at"])
        df = df.astype({"duration_min": "float64", "distance_m": "float64"})  # sum in double precision
        g = df.groupby([(t.dt.day_of_week >= 5).rename("weekend"), t.dt.hour.rename("hour")])
        out = g.agg(
            trips=("duration_min", "size"),
            mean_duration_min=("duration_min", "mean"),
            mean_distance_m=("distance_m", "mean"),
        )
        return out.reset_index().sort_values(["weekend", "hour"]).reset_index(drop=True)
    if question == "busiest_stations":
        x = df.assign(riders=df["boardings"] + df["alightings"], station=df["station"].astype(str))
        d = x.groupby(["station", "date"], as_index=False)["riders"].sum()
        d["weekend"] = pd.to_datetime(d["date"]).dt.day_of_week >= 5
        per = d.groupby("station")["riders"].mean().rename("riders_per_day")
        ratio = (
            d[d["weekend"]].groupby("station")["riders"].mean()
            / d[~d["weekend"]].groupby("station")["riders"].mean()
        )
        out = pd.concat([per, ratio.rename("weekend_ratio")], axis=1).reset_index()
        return (
            out.sort_values(["riders_per_day", "station"], ascending=[False, True])
            .head(10)
            .reset_index(drop=True)
        )
    raise KeyError(question)


# -- Dask: the same pandas code, on partitions, on one machine or a cluster -------------------
def dask_answer(question: str, root: Path) -> pd.DataFrame:
    """Read with Dask (lazily, partition by partition), reduce, then finish in pandas.

    On a cluster, start a ``dask.distributed.Client`` first; nothing else changes."""
    import dask.dataframe as dd

    dataset, cols = COLUMNS[question]
    ddf = dd.read_parquet(str(Path(root) / dataset), columns=cols)
    if question in ("commute_pairs", "monthly_by_gu", "trip_profile"):
        # reduce each partition to small partial counts, combine them, then answer in pandas
        def partial(part: pd.DataFrame) -> pd.DataFrame:
            t = _local(part["rented_at"])
            if question == "commute_pairs":
                m = (t.dt.day_of_week < 5) & t.dt.hour.between(7, 9)
                return (
                    part[m]
                    .assign(n=1)
                    .groupby(["rental_station_no", "return_station_no"], observed=True)["n"]
                    .sum()
                    .reset_index()
                )
            if question == "monthly_by_gu":
                return (
                    part.assign(month=t.dt.tz_localize(None).dt.to_period("M").dt.to_timestamp(), n=1)
                    .groupby(["rental_station_no", "month"], observed=True)["n"]
                    .sum()
                    .reset_index()
                )
            part = part.astype({"duration_min": "float64", "distance_m": "float64"})
            return (
                part.assign(weekend=t.dt.day_of_week >= 5, hour=t.dt.hour, n=1)
                .groupby(["weekend", "hour"])[["n", "duration_min", "distance_m"]]
                .sum()
                .reset_index()
            )

        parts = ddf.map_partitions(partial, meta=partial(ddf._meta)).compute()
        if question == "commute_pairs":
            s = parts.groupby(
                [parts["rental_station_no"].astype(str), parts["return_station_no"].astype(str)]
            )["n"].sum()
            s = s[s.index.get_level_values(0) != s.index.get_level_values(1)]
            out = s.rename("trips").reset_index().set_axis(["origin", "destination", "trips"], axis=1)
            return (
                out.sort_values(["trips", "origin", "destination"], ascending=[False, True, True])
                .head(20)
                .reset_index(drop=True)
            )
        if question == "monthly_by_gu":
            x = parts.assign(station_no=parts["rental_station_no"].astype(str)).merge(
                lookups()["stations"], on="station_no"
            )
            return (
                x.groupby(["gu_name", "month"])["n"]
                .sum()
                .rename("trips")
                .reset_index()
                .sort_values(["gu_name", "month"])
                .reset_index(drop=True)
            )
        g = parts.groupby(["weekend", "hour"])[["n", "duration_min", "distance_m"]].sum()
        out = pd.DataFrame(
            {
                "trips": g["n"],
                "mean_duration_min": g["duration_min"] / g["n"],
                "mean_distance_m": g["distance_m"] / g["n"],
            }
        )
        return out.reset_index().sort_values(["weekend", "hour"]).reset_index(drop=True)
    # the other two only need a filtered slice, which fits in memory once reduced
    if question == "daytime_surge":
        ddf = ddf[ddf["hour"].isin([4, 14])]
    return pandas_answer(question, ddf.compute())


ENGINES: dict[str, Callable[..., pd.DataFrame]] = {"duckdb": duckdb_answer, "dask": dask_answer}


def ask(question: str, engine: str = "duckdb", root: Path | None = None) -> pd.DataFrame:
    """Answer one of QUESTIONS with one engine ('pandas', 'duckdb' or 'dask')."""
    root = Path(root) if root else full_root()
    if question not in QUESTIONS:
        raise KeyError(f"unknown question {question!r}; choose from {list(QUESTIONS)}")
    if not (root / COLUMNS[question][0]).exists():
        raise FileNotFoundError(
            f"No full-scale {COLUMNS[question][0]} in {root}. Generate it first: "
            f"smartseoul data generate --scale full --only {COLUMNS[question][0]} --years 2022"
        )
    if engine == "pandas":
        return pandas_answer(question, read_frame(question, root))
    return ENGINES[engine](question, root)


def same_answer(a: pd.DataFrame, b: pd.DataFrame, rtol: float = 1e-9) -> bool:
    """True when two answers hold the same rows and values (types of keys aside)."""
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return False
    for c in a.columns:
        x, y = a[c], b[c]
        if (
            pd.api.types.is_numeric_dtype(x)
            and pd.api.types.is_numeric_dtype(y)
            and not pd.api.types.is_bool_dtype(x)
        ):
            if not np.allclose(x.astype(float), y.astype(float), rtol=rtol, equal_nan=True):
                return False
        elif x.astype(str).str[:10].tolist() != y.astype(str).str[:10].tolist():  # dates: day precision
            return False
    return True
