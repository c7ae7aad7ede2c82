"""Module 1 assignment: the S-DoT sensor network (raw file, density by gu, data quality)."""

from nbspec import answer, intro, setup, test, text, written

CELLS = [
    intro(
        "Module 1 exercise: is the S-DoT sensor network telling the truth?",
        """
        This exercise follows module 1 (Seoul's smart city initiatives). S-DoT ("Smart Seoul Data
        of Things") is Seoul's network of pole-mounted environmental sensors. A sensor network is
        only useful if its data can be trusted, so you will clean a raw daily file, look at heat
        by hour, measure how densely each district is covered, compute how complete the data
        are, and write a function that detects a stuck ("flat-line") sensor.

        The sensors, their positions and their readings here are **synthetic**: generated for
        this course in the shape of the real S-DoT files, with realistic faults built in. The
        district outlines are approximate.
        """,
        "**Points:** 5 automatically graded questions (10 points) and 1 written answer "
        "(3 points): 13 points in all.",
    ),
    setup(
        "setup",
        r"""
        import pandas as pd
        import geopandas as gpd
        from smartseoul import data, checks

        sensors = data.load("sdot_sensors")      # 1,000 sensors, points in WGS84 (synthetic)
        readings = data.load("sdot_readings")    # hourly readings of 600 sensors, Aug 2022 and Jan 2023
        gu = data.load("districts")              # the 25 gu, WGS84
        raw_day = data.raw_path("sdot_raw_20220810")   # one day as the portal publishes it (CP949)
        print(len(sensors), "sensors;", len(readings), "hourly readings")
        """,
    ),
    text(
        "q1_task",
        r"""
        ## Question 1 (data cleaning, 3 points)

        Read `raw_day` (the portal's file for 10 August 2022) into **`day`** and clean it:
        1. it is encoded in **CP949**; read `시리얼` (the serial number) as text;
        2. `측정시간` holds times written as `yyyymmddhhmi` (e.g. `202208101300` is 13:00):
           turn it into a datetime column (keep the name `측정시간`);
        3. a faulty optical sensor sometimes reports absurd dust values: set every value of
           `미세먼지2.5` and `미세먼지10` that is **500 or more** to missing (`NaN`). Do not drop
           those rows: the other measures of that hour are still good.

        Keep all rows and all columns.

        <details><summary>Hint</summary>

        `pd.to_datetime(day["측정시간"].astype(str), format="%Y%m%d%H%M")`; for the spikes,
        `day[col].where(day[col] < 500)` keeps values below 500 and puts NaN elsewhere.
        </details>
        """,
    ),
    answer(
        "q1",
        r"""
        day = pd.read_csv(raw_day, encoding="cp949", dtype={"시리얼": str})
        day["측정시간"] = pd.to_datetime(day["측정시간"].astype(str), format="%Y%m%d%H%M")
        for col in ["미세먼지2.5", "미세먼지10"]:
            day[col] = day[col].where(day[col] < 500)
        """,
        skill="cleaning",
    ),
    test(
        "q1",
        3,
        r"""
        checks.need("day")
        checks.check_frame(day, columns=["시리얼", "측정시간", "미세먼지2.5", "미세먼지10", "기온"], name="day",
                           hint="Read the file with encoding='cp949' so the Korean headers are right.")
        checks.check_column_kind(day, "시리얼", "text", name="day")
        checks.check_column_kind(day, "측정시간", "datetime", name="day")
        if not (day["측정시간"].dt.date.astype(str) == "2022-08-10").all():
            raise checks.CheckFailed("Some times in 측정시간 are not on 2022-08-10: give pd.to_datetime the format '%Y%m%d%H%M'.")
        for _c in ["미세먼지2.5", "미세먼지10"]:
            if (day[_c] >= 500).any():
                raise checks.CheckFailed(f"{_c} still holds values of 500 or more.")
        checks.passed("day looks clean")
        """,
        r"""
        _ref = pd.read_csv(raw_day, encoding="cp949", dtype={"시리얼": str})
        checks.check_frame(day, n_rows=len(_ref), name="day", hint="Keep every row: set spikes to NaN instead of dropping them.")
        for _c in ["미세먼지2.5", "미세먼지10"]:
            _want = _ref[_c].astype(float).where(_ref[_c] < 500)
            checks.check_equal(day[_c].astype(float).reset_index(drop=True), _want, name=f"day['{_c}']")
        _t = pd.to_datetime(_ref["측정시간"].astype(str), format="%Y%m%d%H%M")
        if not (day["측정시간"].reset_index(drop=True) == _t).all():
            raise checks.CheckFailed("측정시간 does not hold the expected times.")
        """,
    ),
    text(
        "q2_task",
        r"""
        ## Question 2 (aggregation, 2 points)

        Heat is worst in the afternoon. From `readings`, compute **`august_by_hour`**: a pandas
        Series indexed by the **hour of the day** (0 ... 23) giving the **mean** air temperature
        (`temp_c`) over all sensors and all days of **August 2022**. (`readings` also holds
        January 2023: leave it out.) The times are already in Seoul time; use them as they are.

        <details><summary>Hint</summary>

        Select August with `readings["datetime"].dt.month == 8`, then group by
        `...["datetime"].dt.hour` and take the mean of `temp_c`.
        </details>
        """,
    ),
    answer(
        "q2",
        r"""
        august = readings[readings["datetime"].dt.month == 8]
        august_by_hour = august.groupby(august["datetime"].dt.hour)["temp_c"].mean()
        """,
        skill="aggregation",
    ),
    test(
        "q2",
        2,
        r"""
        checks.need("august_by_hour")
        checks.check_series(august_by_hour, name="august_by_hour", n=24, hint="One value per hour of the day.")
        if [int(h) for h in august_by_hour.index] != list(range(24)):
            raise checks.CheckFailed("august_by_hour should be indexed by the hours 0..23, in order.")
        checks.check_values(august_by_hour, "august_by_hour", minimum=10, maximum=45,
                            hint="Summer temperatures in °C: did you leave January out?")
        checks.passed("august_by_hour has the right shape")
        """,
        r"""
        _a = readings.loc[readings["datetime"].dt.month.eq(8), ["datetime", "temp_c"]]
        _ref = _a["temp_c"].groupby(_a["datetime"].dt.hour.to_numpy()).mean()
        checks.check_equal(august_by_hour.astype(float).set_axis(range(24)), _ref.set_axis(range(24)),
                           name="august_by_hour", rtol=1e-6)
        """,
    ),
    text(
        "q3_task",
        r"""
        ## Question 3 (spatial: a join and an area, 2 points)

        How densely does the network cover each district? Compute **`sensors_per_km2`**: a pandas
        Series indexed by `gu_code` (sorted by code) giving the number of sensors per square
        kilometre in each district.

        Find each sensor's district with a **spatial join** of the sensor points with the `gu`
        polygons (do not use the `gu_code` column of `sensors`: in your own city the points
        will not come with it). Measure each district's area in square kilometres in
        **EPSG:5179** (metres).

        <details><summary>Hint</summary>

        `gpd.sjoin(sensors[["serial", "geometry"]], gu[["gu_code", "geometry"]], predicate="within")`
        gives each point the `gu_code` of the polygon it lies in. Areas:
        `gu.to_crs(5179).set_index("gu_code").area / 1e6`.
        </details>
        """,
    ),
    answer(
        "q3",
        r"""
        joined = gpd.sjoin(sensors[["serial", "geometry"]], gu[["gu_code", "geometry"]], predicate="within")
        area_km2 = gu.to_crs(5179).set_index("gu_code").area / 1e6
        sensors_per_km2 = (joined.groupby("gu_code").size() / area_km2).sort_index()
        """,
        skill="spatial",
    ),
    test(
        "q3",
        2,
        r"""
        checks.need("sensors_per_km2")
        checks.check_series(sensors_per_km2, name="sensors_per_km2", n=25)
        if list(map(str, sensors_per_km2.index)) != sorted(gu["gu_code"]):
            raise checks.CheckFailed("sensors_per_km2 should be indexed by gu_code, sorted by code.")
        checks.check_values(sensors_per_km2, "sensors_per_km2", minimum=0.01, maximum=50,
                            hint="If the values are tiny or huge, check the units of your areas (km² in EPSG:5179).")
        checks.passed("sensors_per_km2 is in a plausible range")
        """,
        r"""
        _j = gpd.sjoin(sensors[["geometry"]], gu[["gu_code", "geometry"]], predicate="within")
        _area = gu.to_crs(5179).set_index("gu_code").geometry.area / 1e6
        _ref = (_j["gu_code"].value_counts() / _area).sort_index()
        checks.check_equal(sensors_per_km2.astype(float).set_axis(list(map(str, sensors_per_km2.index))),
                           _ref.set_axis(list(map(str, _ref.index))), name="sensors_per_km2", rtol=2e-3)
        """,
    ),
    text(
        "q4_task",
        r"""
        ## Question 4 (a computed indicator, 2 points)

        A network's **completeness** is the percentage of the readings it should have produced
        that actually arrived. In August 2022 (31 days of 24 hours), every one of the **600**
        sensors in `readings` should have sent one reading per hour; a missing hour is a
        missing row.

        Compute **`completeness_pct`**, a float: the number of August 2022 rows in `readings`
        as a **percentage** (0-100) of the readings expected.

        <details><summary>Hint</summary>

        Expected = sensors x days x hours. Count the August rows with
        `(readings["datetime"].dt.month == 8).sum()`.
        </details>
        """,
    ),
    answer(
        "q4",
        r"""
        n_august = int((readings["datetime"].dt.month == 8).sum())
        expected = readings["serial"].nunique() * 31 * 24
        completeness_pct = 100 * n_august / expected
        """,
        skill="indicator",
    ),
    test(
        "q4",
        2,
        r"""
        checks.need("completeness_pct")
        checks.check_type(completeness_pct, checks.NUMBER_TYPES, name="completeness_pct")
        if not 1 <= completeness_pct <= 100:
            raise checks.CheckFailed("completeness_pct should be a percentage between 1 and 100: "
                                     "check the number of days in August and that you multiplied by 100.")
        checks.passed("completeness_pct is a plausible percentage")
        """,
        r"""
        _n = int(readings["datetime"].dt.month.eq(8).sum())
        checks.check_number(completeness_pct, _n * 100.0 / (600 * 744), rtol=1e-6, name="completeness_pct")
        """,
    ),
    text(
        "q5_task",
        r"""
        ## Question 5 (a function you write, 2 points)

        A stuck sensor repeats the same value hour after hour (a "flat line"). Write a function
        **`longest_flat_run(values)`** that takes a list (or pandas Series) of numbers and returns
        the length (an int) of the **longest run of consecutive equal values**. An empty input
        returns `0`; a single value returns `1`.

        Examples: `longest_flat_run([20.1, 20.4, 20.4, 20.4, 21.0])` is `3`;
        `longest_flat_run([1, 1, 2, 1])` is `2` (the two 1s at the start are together; the last
        1 is not part of that run).

        <details><summary>Hint</summary>

        Walk through the values with a loop, counting how long the current run is and
        remembering the longest one seen.
        </details>
        """,
    ),
    answer(
        "q5",
        r"""
        def longest_flat_run(values):
            ### BEGIN SOLUTION
            longest, current, previous = 0, 0, object()
            for value in list(values):
                current = current + 1 if value == previous else 1
                previous = value
                longest = max(longest, current)
            return longest
            ### END SOLUTION
        """,
        skill="function",
    ),
    test(
        "q5",
        2,
        r"""
        checks.need("longest_flat_run")
        checks.check_function(longest_flat_run, [
            (([20.1, 20.4, 20.4, 20.4, 21.0],), 3),
            (([1, 1, 2, 1],), 2),
            (([],), 0),
        ], name="longest_flat_run", hint="Count consecutive equal values; a new value starts a new run of length 1.")
        checks.passed("longest_flat_run")
        """,
        r"""
        checks.check_function(longest_flat_run, [
            (([7.0],), 1),
            (([3, 3, 3, 1, 3, 3, 3, 3],), 4),
            (([1, 2, 3, 4],), 1),
            ((pd.Series([5.5, 5.5, 6.0, 6.0, 6.0, 5.5]),), 3),
            (([0, 0],), 2),
        ], name="longest_flat_run", show_inputs=False)
        """,
    ),
    text(
        "w1_task",
        r"""
        ## Question 6 (written, 3 points, graded by your instructor)

        In 3-5 sentences for the team that runs the sensor network: using `sensors_per_km2`
        and what you learnt about faulty readings, where would you add (or repair) sensors first,
        and what rule would you set so that faulty data do not reach a public heat or dust
        warning?

        *Rubric (3 points):* 1 point for a priority that follows from your density result (with
        a reason beyond density alone, e.g. population, vulnerable residents, heat); 1 point for
        a concrete data-quality rule (flat lines, spikes, gaps, thresholds, cross-checks with a
        reference station); 1 point for a clear, practical recommendation.
        """,
    ),
    written(
        "w1",
        3,
        r"""
        **Model answer (instructors only).** Districts with the lowest `sensors_per_km2` that also
        have many older residents or little green space come first, because density alone says
        nothing about exposure. Before any public warning, readings should pass automatic rules:
        a value unchanged for six hours or more is flagged as stuck, PM values of 500 µg/m³ or
        more are set to missing, and a sensor missing more than a few hours a day is excluded;
        a warning should also agree with the official monitoring station of the district.

        **Grading notes.** Accept other reasonable thresholds if justified; the rule must be
        checkable by a program.
        """,
    ),
]
