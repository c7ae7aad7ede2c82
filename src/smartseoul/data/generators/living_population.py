"""living_population: people present per dong and hour (생활인구), sample weeks 2019-2022.

Shaped like Seoul's 행정동 단위 서울 생활인구 (KT mobile-signal estimates): for every dong and hour
the total living population and 28 sex-by-age bands, as real numbers. Built from the shared
synthetic residents (geography/dong_population): residents leave for work on weekday daytimes,
workers fill the business districts (their daytime swell set by the dong's daytime_ratio and the
gu's pull as a job centre), shoppers and night-life visitors add evenings and weekends. The COVID
years shrink the daytime swell through the shared office-presence driver, and rain keeps
visitors at home."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import city, definitions
from ..schema import Field
from ..spec import Output

DATASET = "living_population"

#: One Monday-to-Sunday week in March of each year (second full week, no public holiday).
WEEKS = ("2019-03-11", "2020-03-09", "2021-03-08", "2022-03-07")
#: The week written in the raw portal-style file (kept to one week of a few gu for size).
RAW_WEEK = "2022-03-07"

AGE_BANDS = [
    ("0", "9"),
    ("10", "14"),
    ("15", "19"),
    ("20", "24"),
    ("25", "29"),
    ("30", "34"),
    ("35", "39"),
    ("40", "44"),
    ("45", "49"),
    ("50", "54"),
    ("55", "59"),
    ("60", "64"),
    ("65", "69"),
    ("70", None),
]
#: Seoul-like age structure inside the three broad groups of dong_population (approximate).
SHARE_0_14 = np.array([0.62, 0.38])  # 0-9, 10-14
SHARE_15_64 = np.array(
    [0.065, 0.085, 0.105, 0.105, 0.10, 0.10, 0.105, 0.105, 0.115, 0.115]
)  # 15-19 ... 60-64
SHARE_65 = np.array([0.36, 0.64])  # 65-69, 70+
MALE_SHARE = np.array(
    [0.515, 0.515, 0.51, 0.49, 0.49, 0.50, 0.505, 0.505, 0.50, 0.495, 0.49, 0.48, 0.46, 0.41]
)
#: Who commutes in to work (ages 20-64, more men), and who visits shops and night life (young).
WORKER_AGE = np.array([0, 0, 0.005, 0.06, 0.15, 0.16, 0.15, 0.14, 0.12, 0.10, 0.07, 0.045, 0, 0])
VISITOR_AGE = np.array([0.03, 0.02, 0.06, 0.17, 0.19, 0.14, 0.10, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01])
#: Gu that pull workers from far away (the job centres), on top of the dong's daytime_ratio.
JOB_PULL = {
    "11680": 1.30,
    "11140": 1.25,
    "11110": 1.20,
    "11650": 1.20,
    "11560": 1.20,
    "11545": 1.15,
    "11530": 1.10,
    "11440": 1.10,
    "11710": 1.05,
}
OUT_COMMUTE = 0.36  # share of residents away at work or school on a weekday daytime (approximate)
MASK_BELOW = 130.0  # raw file: band values below this are shown as "*" (a course choice, see notes)
RAW_GU = ("11140", "11350")  # 중구 (business centre), 노원구 (residential)


def band_columns() -> list[tuple[str, str, str]]:
    """(english name, korean header, description) for the 28 bands, male first as in the file."""
    out = []
    for sex_en, sex_ko in (("male", "남자"), ("female", "여자")):
        for lo, hi in AGE_BANDS:
            en = f"{sex_en}_{lo}_{hi}" if hi else f"{sex_en}_{lo}_plus"
            ko = f"{sex_ko}{lo}세부터{hi}세생활인구수" if hi else f"{sex_ko}{lo}세이상생활인구수"
            desc = (
                f"Living population, {sex_en}s aged {lo}-{hi}."
                if hi
                else f"Living population, {sex_en}s aged {lo} and over."
            )
            out.append((en, ko, desc))
    return out


def _sexed(age: np.ndarray) -> np.ndarray:
    """14 age shares -> 28 sex-by-age shares (male bands then female bands)."""
    return np.concatenate([age * MALE_SHARE, age * (1 - MALE_SHARE)], axis=-1)


def resident_bands(pop: pd.DataFrame) -> np.ndarray:
    """Residents of each dong in the 28 bands (dong x 28)."""
    age = np.concatenate(
        [
            pop["pop_0_14"].to_numpy()[:, None] * SHARE_0_14,
            pop["pop_15_64"].to_numpy()[:, None] * SHARE_15_64 / SHARE_15_64.sum(),
            pop["pop_65_plus"].to_numpy()[:, None] * SHARE_65,
        ],
        axis=1,
    )
    return _sexed(age)


def _curve(h: np.ndarray, up: float, down: float, width: float = 1.0) -> np.ndarray:
    """0 at night, rising around 'up' to 1 and falling around 'down' (smooth steps)."""
    return 1 / (1 + np.exp(-(h - up) / (0.45 * width))) * 1 / (1 + np.exp((h - down) / (0.6 * width)))


def simulate(ctx) -> pd.DataFrame:
    rng = ctx.rng("living_population")
    pop = ctx.get("geography", "dong_population").reset_index(drop=True)
    weather = ctx.get("weather", "weather_daily").set_index("date")
    n = len(pop)
    res = resident_bands(pop)  # (n, 28)
    R = pop["population"].to_numpy(float)
    ratio = pop["daytime_ratio"].to_numpy(float)
    pull = pop["gu_code"].map(JOB_PULL).fillna(1.0).to_numpy()
    business = (pop["land_use"] == "business").to_numpy()
    # workers present at the weekday peak (2019): what makes daytime = residents * daytime_ratio
    jobs = np.maximum(R * (ratio - (1 - OUT_COMMUTE)), 0.02 * R) * pull
    visitors = R * np.clip(ratio - 0.8, 0.02, None) * 0.12 * np.where(business, 1.6, 1.0)
    worker_mix = _sexed(WORKER_AGE / WORKER_AGE.sum())
    worker_mix = worker_mix / worker_mix.sum()
    visitor_mix = _sexed(VISITOR_AGE / VISITOR_AGE.sum())
    visitor_mix = visitor_mix / visitor_mix.sum()
    hours = np.arange(24, dtype=float) + 0.5
    work_day = _curve(hours, 8.0, 18.6)  # at work
    work_off = 0.22 * _curve(hours, 11.0, 17.5, 1.5)  # weekend work, errands
    visit_day = _curve(hours, 10.5, 21.5, 1.4) + 0.35 * _curve(hours, 18.5, 23.8)  # shops, evening out
    frames = []
    for week in WEEKS:
        days = pd.date_range(week, periods=7, freq="D")
        office = city.activity_factor(days, "office_presence")
        night = city.activity_factor(days, "nightlife")
        spend = city.activity_factor(days, "offline_spending")
        for di, day in enumerate(days):
            weekend = day.weekday() >= 5 or day in city.HOLIDAYS
            w = weather.loc[day]
            wet = 0.8 if w["rain_mm"] >= 5 else 1.0
            cold = 0.9 if w["temp_mean_c"] < 0 else 1.0
            at_work = (work_off if weekend else work_day) * office[di]  # (24,)
            out_share = at_work[:, None] * OUT_COMMUTE  # residents away (24, 1)
            v_level = visit_day * wet * cold * (1.3 if weekend else 1.0)
            v_level = v_level * (spend[di] * (0.65 + 0.35 * night[di] / spend[di]))
            # (24, n, 28): residents at home + workers in + visitors
            home = res[None, :, :] - (R[None, :, None] * out_share[:, :, None]) * worker_mix[None, None, :]
            home = np.maximum(home, 0.15 * res[None, :, :])
            work = (jobs[None, :, None] * at_work[:, None, None]) * worker_mix[None, None, :]
            visit = (visitors[None, :, None] * v_level[:, None, None]) * visitor_mix[None, None, :]
            cube = (
                (home + work + visit)
                * rng.lognormal(0.0, 0.015, (1, n, 1))
                * rng.lognormal(0.0, 0.03, (24, n, 28))
            )
            frames.append((day, cube))
    bands = band_columns()
    dates = np.concatenate([np.repeat(np.datetime64(d.date()), 24 * n) for d, _ in frames]).astype(
        "datetime64[ns]"
    )
    hour = np.tile(np.repeat(np.arange(24), n), len(frames))
    code = np.tile(pop["dong_code"].to_numpy(), 24 * len(frames))
    values = np.concatenate([c.reshape(24 * n, 28) for _, c in frames]).round(4)
    df = pd.DataFrame(values, columns=[b[0] for b in bands])
    df.insert(0, "total", values.sum(axis=1).round(4))
    df.insert(0, "dong_code", code)
    df.insert(0, "hour", hour.astype(np.int64))
    df.insert(0, "date", dates)
    return df


def raw_csv(df: pd.DataFrame) -> tuple[bytes, list[Field]]:
    """The portal's LOCAL_PEOPLE_DONG file: Korean headers, all cells quoted, CP949 (the real
    files also start with a UTF-8 byte-order mark; see the notes), small cells masked as '*';
    and the fields of its 28 band columns."""
    start = pd.Timestamp(RAW_WEEK)
    sub = df[
        (df["date"] >= start)
        & (df["date"] < start + pd.Timedelta(days=7))
        & df["dong_code"].str[:5].isin(RAW_GU)
    ]
    sub = sub.sort_values(["date", "hour", "dong_code"], kind="stable")
    bands = band_columns()
    out = pd.DataFrame(
        {
            "기준일ID": sub["date"].dt.strftime("%Y%m%d"),
            "시간대구분": sub["hour"].map("{:02d}".format),
            "행정동코드": sub["dong_code"],
            "총생활인구수": sub["total"].map("{:.4f}".format),
        }
    )
    for en, ko, _ in bands:
        v = sub[en].to_numpy()
        out[ko] = np.where(v < MASK_BELOW, "*", np.char.mod("%.4f", v))
    text = out.to_csv(index=False, lineterminator="\n", quoting=1)
    fields = [
        Field(
            ko,
            "string",
            desc + f" A real number as text, or '*' where the value is below {MASK_BELOW:g} (masked).",
            ko,
            unit="persons",
            pattern=r"\*|\d+\.\d{4}",
        )
        for _, ko, desc in bands
    ]
    return text.encode("cp949"), fields


def group_members() -> dict[str, list[str]]:
    names = [b[0] for b in band_columns()]
    lo = {n: int(n.split("_")[1]) for n in names}
    return {
        "age_0_19": [n for n in names if lo[n] < 20],
        "age_20_39": [n for n in names if 20 <= lo[n] < 40],
        "age_40_59": [n for n in names if 40 <= lo[n] < 60],
        "age_60_plus": [n for n in names if lo[n] >= 60],
    }


def tables(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The compact four-week table (total + four age groups) and the 28-band table of RAW_WEEK,
    both rounded to 0.1 person from the same band values, so their totals agree."""
    names = [b[0] for b in band_columns()]
    r = df[["date", "hour", "dong_code"]].copy()
    bands = df[names].round(1)
    r["total"] = bands.sum(axis=1).round(1)
    compact = r.copy()
    for g, members in group_members().items():
        compact[g] = bands[members].sum(axis=1).round(1)
    start = pd.Timestamp(RAW_WEEK)
    week = (df["date"] >= start) & (df["date"] < start + pd.Timedelta(days=7))
    full = pd.concat([r[week], bands[week]], axis=1).reset_index(drop=True)
    return compact, full


def build(ctx) -> list[Output]:
    df = simulate(ctx)
    compact, full = tables(df)
    raw, raw_bands = raw_csv(df)
    bands = [Field(en, "number", desc, ko, unit="persons", minimum=0) for en, ko, desc in band_columns()]
    return [
        Output(definitions.resource(DATASET, "living_population"), compact),
        Output(definitions.resource(DATASET, "living_population_bands", {"bands": bands}), full),
        Output(definitions.resource(DATASET, "living_population_raw", {"bands": raw_bands}), raw),
    ]
