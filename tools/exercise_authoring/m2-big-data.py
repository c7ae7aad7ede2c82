"""Module 2 assignment: COVID-era data (wide raw file, yearly totals, online shift, map of change)."""

from nbspec import answer, intro, setup, test, text, written

CELLS = [
    intro(
        "Module 2 exercise: how Seoul moved and spent through COVID-19",
        """
        This exercise follows module 2 (Big data for post-COVID digital transformation). You will
        reshape the city's wide COVID-19 file into a tidy table, total subway boardings by year,
        measure the shift of card spending to online channels, prepare a map of how offline
        spending changed by district, and write a function that indexes any series to a base
        year (2019 = 100), the most common tool for comparing "before" and "after".

        All the tables here are **synthetic**: generated for this course in the shape of the real
        Seoul Open Data Plaza files and calibrated on published magnitudes (for example, the
        published drop of offline card sales in 2020), but no number is a real count. District
        outlines are approximate.
        """,
        "**Points:** 5 automatically graded questions (11 points) and 1 written answer "
        "(3 points): 14 points in all.",
    ),
    setup(
        "setup",
        r"""
        import pandas as pd
        from smartseoul import data, checks

        covid_raw_file = data.raw_path("covid_cases_raw")   # the portal's wide CSV (CP949)
        subway = data.load("subway_ridership")              # monthly boardings by line, station, hour
        cards = data.load("card_spending")                  # monthly card sales by gu, industry, channel
        gu = data.load("districts")                         # the 25 gu, WGS84
        print(len(subway), "subway rows;", len(cards), "card-spending rows")
        """,
    ),
    text(
        "q1_task",
        r"""
        ## Question 1 (data cleaning: wide to long, 3 points)

        The COVID-19 file has one row per day and, for every district, two columns:
        `<구> 전체` (cumulative cases) and `<구> 추가` (new cases that day), plus `기타` (cases
        from elsewhere or not yet assigned). Its date column `자치구 기준일` is text such as
        `2022.02.20.00`.

        Read it (encoding **CP949**) and create **`covid_long`**, a tidy DataFrame with exactly
        the columns `date` (a datetime), `gu_name` (the district's Korean name, e.g. `종로구`)
        and `new_cases` (whole numbers): one row per day and district, for the **25 districts
        only** (leave `기타` out) and for **new** cases only (the `추가` columns). Row order does
        not matter.

        <details><summary>Hint</summary>

        Keep the date column and the columns ending in `" 추가"`, then `.melt(id_vars=...,
        var_name="gu_name", value_name="new_cases")`; remove the suffix with
        `.str.replace(" 추가", "")`; parse dates with `format="%Y.%m.%d.00"`.
        </details>
        """,
    ),
    answer(
        "q1",
        r"""
        wide = pd.read_csv(covid_raw_file, encoding="cp949")
        new_cols = [c for c in wide.columns if c.endswith(" 추가") and not c.startswith("기타")]
        covid_long = wide.melt(id_vars="자치구 기준일", value_vars=new_cols, var_name="gu_name", value_name="new_cases")
        covid_long["gu_name"] = covid_long["gu_name"].str.replace(" 추가", "")
        covid_long["date"] = pd.to_datetime(covid_long["자치구 기준일"], format="%Y.%m.%d.00")
        covid_long = covid_long[["date", "gu_name", "new_cases"]]
        """,
        skill="cleaning",
    ),
    test(
        "q1",
        3,
        r"""
        checks.need("covid_long")
        checks.check_frame(covid_long, columns=["date", "gu_name", "new_cases"], name="covid_long", exact_columns=True)
        checks.check_column_kind(covid_long, "date", "datetime", name="covid_long")
        checks.check_column_kind(covid_long, "new_cases", "integer", name="covid_long")
        checks.check_column_kind(covid_long, "gu_name", "text", name="covid_long")
        if covid_long["gu_name"].nunique() != 25:
            raise checks.CheckFailed(f"covid_long holds {covid_long['gu_name'].nunique()} different gu_name values: "
                                     "keep the 25 districts and leave 기타 out.")
        if covid_long["gu_name"].str.contains(" ").any():
            raise checks.CheckFailed("Some gu_name values still carry a suffix such as ' 추가'.")
        checks.passed("covid_long has the right shape")
        """,
        r"""
        _w = pd.read_csv(covid_raw_file, encoding="cp949")
        _parts = []
        for _g in gu["name_ko"]:
            _parts.append(pd.DataFrame({"date": pd.to_datetime(_w["자치구 기준일"], format="%Y.%m.%d.00"),
                                        "gu_name": _g, "new_cases": _w[f"{_g} 추가"].astype("int64")}))
        _ref = pd.concat(_parts).sort_values(["date", "gu_name"]).reset_index(drop=True)
        _got = covid_long.sort_values(["date", "gu_name"]).reset_index(drop=True)
        checks.check_frame(_got, n_rows=len(_ref), name="covid_long")
        checks.check_equal(_got["new_cases"].astype("int64"), _ref["new_cases"], name="covid_long['new_cases']")
        if not (_got["date"].to_numpy() == _ref["date"].to_numpy()).all():
            raise checks.CheckFailed("covid_long['date'] does not hold the expected dates.")
        """,
    ),
    text(
        "q2_task",
        r"""
        ## Question 2 (aggregation, 2 points)

        Compute **`boardings_by_year`**: a pandas Series indexed by **year** (whole numbers
        2019 ... 2023) giving the **total** number of subway **boardings** (the `boardings`
        column only, not alightings) in that year.

        <details><summary>Hint</summary>

        `subway["month"].dt.year` gives the year of each row; group by it and `.sum()`.
        </details>
        """,
    ),
    answer(
        "q2",
        r"""
        boardings_by_year = subway.groupby(subway["month"].dt.year)["boardings"].sum()
        """,
        skill="aggregation",
    ),
    test(
        "q2",
        2,
        r"""
        checks.need("boardings_by_year")
        checks.check_series(boardings_by_year, name="boardings_by_year", n=5, hint="One value per year, 2019 to 2023.")
        if [int(y) for y in boardings_by_year.index] != [2019, 2020, 2021, 2022, 2023]:
            raise checks.CheckFailed("boardings_by_year should be indexed by the years 2019..2023 in order.")
        if not pd.api.types.is_integer_dtype(boardings_by_year.dtype):
            raise checks.CheckFailed("boardings_by_year should hold totals (whole numbers): use .sum(), not .mean().")
        checks.passed("boardings_by_year has the right shape")
        """,
        r"""
        _ref = subway["boardings"].groupby(subway["month"].dt.year.to_numpy()).sum()
        checks.check_equal(boardings_by_year.astype("int64").set_axis(list(range(2019, 2024))),
                           _ref.astype("int64").set_axis(list(range(2019, 2024))), name="boardings_by_year")
        """,
    ),
    text(
        "q3_task",
        r"""
        ## Question 3 (a computed indicator, 2 points)

        Did spending move online? Compute **`online_share_pct`**: a pandas Series indexed by
        **year** (2019 ... 2022) giving the **percentage of all card sales** (`sales_krw`, both
        channels) that were made **online** (`channel == "online"`) in that year.

        Compute it from the yearly totals (online sales of the year / all sales of the year),
        not as an average of monthly percentages.

        <details><summary>Hint</summary>

        `cards.pivot_table(index=cards["month"].dt.year, columns="channel", values="sales_krw", aggfunc="sum")`
        gives one column per channel.
        </details>
        """,
    ),
    answer(
        "q3",
        r"""
        by_channel = cards.pivot_table(index=cards["month"].dt.year, columns="channel", values="sales_krw", aggfunc="sum")
        online_share_pct = 100 * by_channel["online"] / by_channel.sum(axis=1)
        """,
        skill="indicator",
    ),
    test(
        "q3",
        2,
        r"""
        checks.need("online_share_pct")
        checks.check_series(online_share_pct, name="online_share_pct", n=4, hint="One value per year, 2019 to 2022.")
        if [int(y) for y in online_share_pct.index] != [2019, 2020, 2021, 2022]:
            raise checks.CheckFailed("online_share_pct should be indexed by the years 2019..2022 in order.")
        checks.check_values(online_share_pct, "online_share_pct", minimum=1, maximum=99,
                            hint="A percentage of sales: online / (online + offline) x 100.")
        checks.passed("online_share_pct is a plausible percentage")
        """,
        r"""
        _y = cards["month"].dt.year.to_numpy()
        _tot = cards["sales_krw"].astype(float).groupby(_y).sum()
        _on = cards["sales_krw"].astype(float).where(cards["channel"] == "online", 0.0).groupby(_y).sum()
        checks.check_equal(online_share_pct.astype(float).set_axis(list(range(2019, 2023))),
                           (_on * 100 / _tot).set_axis(list(range(2019, 2023))), name="online_share_pct", rtol=1e-6)
        """,
    ),
    text(
        "q4_task",
        r"""
        ## Question 4 (spatial: a map-ready layer in a projected CRS, 2 points)

        To map how **offline** card sales changed from 2019 to 2020 in each district, build
        **`change_map`**: a GeoDataFrame of the 25 districts (start from `gu`) with a column
        **`offline_change_pct`** = (offline sales in 2020 / offline sales in 2019 - 1) x 100,
        joined on `gu_code`, and **projected to EPSG:5179** so that the map has true shapes and
        can show a scale in metres.

        <details><summary>Hint</summary>

        Filter `channel == "offline"`, pivot the yearly sums by `gu_code`, compute the change,
        then `gu.merge(change, on="gu_code").to_crs(5179)`. Merging onto `gu` (the
        GeoDataFrame) keeps the result a GeoDataFrame.
        </details>
        """,
    ),
    answer(
        "q4",
        r"""
        offline = cards[cards["channel"] == "offline"]
        yearly = offline.pivot_table(index="gu_code", columns=offline["month"].dt.year, values="sales_krw", aggfunc="sum")
        change = (100 * (yearly[2020] / yearly[2019] - 1)).rename("offline_change_pct").reset_index()
        change_map = gu.merge(change, on="gu_code").to_crs(5179)
        """,
        skill="spatial",
    ),
    test(
        "q4",
        2,
        r"""
        checks.need("change_map")
        checks.check_frame(change_map, columns=["gu_code", "offline_change_pct", "geometry"], n_rows=25,
                           name="change_map", geo=True, hint="Merge onto gu (a GeoDataFrame), one row per district.")
        checks.check_crs(change_map, 5179, name="change_map", hint="Use .to_crs(5179) at the end.")
        checks.check_values(change_map["offline_change_pct"], "change_map['offline_change_pct']", minimum=-100, maximum=100,
                            hint="A change in percent: (2020 / 2019 - 1) x 100.")
        checks.passed("change_map is ready to map")
        """,
        r"""
        _off = cards[cards["channel"].eq("offline")]
        _s19 = _off[_off["month"].dt.year.eq(2019)].groupby("gu_code")["sales_krw"].sum().astype(float)
        _s20 = _off[_off["month"].dt.year.eq(2020)].groupby("gu_code")["sales_krw"].sum().astype(float)
        _ref = ((_s20 - _s19) * 100 / _s19).sort_index()
        _got = change_map.set_index("gu_code")["offline_change_pct"].astype(float).sort_index()
        checks.check_equal(_got.set_axis(list(map(str, _got.index))), _ref.set_axis(list(map(str, _ref.index))),
                           name="change_map['offline_change_pct']", rtol=1e-6)
        """,
    ),
    text(
        "q5_task",
        r"""
        ## Question 5 (a function you write, 2 points)

        Write a function **`index_to_base(series, base)`** that takes a pandas Series of numbers
        and the **label** of its base period (e.g. the year `2019`) and returns a new Series with
        the same index in which the base period equals **100** and every other value is scaled
        the same way (value / base value x 100).

        Example: `index_to_base(pd.Series([200, 150, 250], index=[2019, 2020, 2021]), 2019)`
        returns `100.0, 75.0, 125.0` with the same index. The base is not always the first
        value.

        <details><summary>Hint</summary>

        `series.loc[base]` picks the base value by its label.
        </details>
        """,
    ),
    answer(
        "q5",
        r"""
        def index_to_base(series, base):
            ### BEGIN SOLUTION
            return series / series.loc[base] * 100
            ### END SOLUTION
        """,
        skill="function",
    ),
    test(
        "q5",
        2,
        r"""
        checks.need("index_to_base")
        checks.check_function(index_to_base, [
            ((pd.Series([200, 150, 250], index=[2019, 2020, 2021]), 2019), pd.Series([100.0, 75.0, 125.0], index=[2019, 2020, 2021])),
        ], name="index_to_base", hint="Divide by the value at the base label and multiply by 100.")
        checks.passed("index_to_base")
        """,
        r"""
        checks.check_function(index_to_base, [
            ((pd.Series([50.0, 40.0, 80.0], index=[2018, 2019, 2020]), 2019), pd.Series([125.0, 100.0, 200.0], index=[2018, 2019, 2020])),
            ((pd.Series([3, 6], index=["before", "after"]), "after"), pd.Series([50.0, 100.0], index=["before", "after"])),
            ((pd.Series([7.5], index=[2019]), 2019), pd.Series([100.0], index=[2019])),
        ], name="index_to_base", show_inputs=False)
        """,
    ),
    text(
        "w1_task",
        r"""
        ## Question 6 (written, 3 points, graded by your instructor)

        Using `boardings_by_year` (indexed with your function: `index_to_base(boardings_by_year, 2019)`)
        and `online_share_pct`, write 3-5 sentences for a city council: has mobility recovered,
        has spending gone back to shops, and what would you tell the council to do with this
        evidence? Remember that these data are synthetic: phrase your numbers as "in this
        course's data".

        *Rubric (3 points):* 1 point for reading both indicators correctly (direction and rough
        size); 1 point for separating a temporary shock from a lasting shift; 1 point for a
        concrete policy implication (e.g. for transit service levels, small shops, digital
        inclusion).
        """,
    ),
    written(
        "w1",
        3,
        r"""
        **Model answer (instructors only).** In this course's data, subway boardings fell by about
        a fifth in 2020, fell further in 2021 and were back near 93 % of 2019 by 2023: mobility
        recovered mostly but not fully. The online share of card sales jumped from about 17 % to
        about 22 % and stayed above 20 %, so part of the shift to online looks lasting. The council
        should plan transit capacity for a "new normal" a little below 2019 peaks, and support
        neighbourhood shops and older residents who are left behind by online channels.

        **Grading notes.** Numbers must match the trainee's own output (they may differ slightly
        if the course data are regenerated). Credit any implication that follows from the two
        indicators.
        """,
    ),
]
