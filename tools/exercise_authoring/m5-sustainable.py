"""Module 5 assignment: air quality against guidelines, green space, access to cooling shelters, CO2."""

from nbspec import answer, intro, setup, test, text, written

CELLS = [
    intro(
        "Module 5 exercise: clean air, green space and cool places for everyone",
        """
        This exercise follows module 5 (Smart and sustainable cities). You will clean the city's
        raw daily air-quality file, count the days each district exceeded the WHO 24-hour
        guideline for fine dust (PM2.5), compute green space per resident, measure which share
        of older residents live close to a cooling shelter, and write a function for CO2 avoided
        by bike trips with its assumptions made explicit.

        Air quality, population by dong, green space and facilities are **synthetic**: generated
        for this course in the shape of the real files. The guideline and standard values come
        from the `air_quality_standards` table, with their sources and how well they are
        confirmed. Dong outlines are approximate.
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

        raw_air_file = data.raw_path("air_quality_raw_2022")   # the portal's 2022 daily file (CP949)
        air = data.load("air_quality_daily")                   # daily means by gu, 2019-2023 (synthetic)
        standards = data.load("air_quality_standards")         # WHO guidelines, Korean standards and grades
        green = data.load("green_space")                       # green-space shares by dong (synthetic)
        dong_pop = data.load("dong_population")                # residents by dong and age (synthetic)
        dongs = data.load("dongs")                             # 426 dong polygons (approximate, WGS84)
        facilities = data.load("facilities")                   # facilities as points (synthetic)
        standards[["scheme", "pollutant", "averaging_period", "label", "upper_ugm3", "confidence"]]
        """,
    ),
    text(
        "q1_task",
        r"""
        ## Question 1 (data cleaning, 2 points)

        Read `raw_air_file` (encoding **CP949**) and create **`pm_2022`**, a DataFrame with
        exactly these columns:
        - `date`: a datetime made from `측정일시`, which holds numbers like `20220101` (YYYYMMDD);
        - `station_name`: from `측정소명`;
        - `pm10_ugm3`: from `미세먼지농도(㎍/㎥)`;
        - `pm25_ugm3`: from `초미세먼지농도(㎍/㎥)`.

        Drop the rows that have **no PM2.5 value** (and only those: a missing gas value is no
        reason to drop a day). Finish with `.reset_index(drop=True)`.

        <details><summary>Hint</summary>

        `pd.to_datetime(raw["측정일시"].astype(str), format="%Y%m%d")`; `.rename(columns={...})`;
        `.dropna(subset=["pm25_ugm3"])`.
        </details>
        """,
    ),
    answer(
        "q1",
        r"""
        raw = pd.read_csv(raw_air_file, encoding="cp949")
        pm_2022 = pd.DataFrame({
            "date": pd.to_datetime(raw["측정일시"].astype(str), format="%Y%m%d"),
            "station_name": raw["측정소명"],
            "pm10_ugm3": raw["미세먼지농도(㎍/㎥)"],
            "pm25_ugm3": raw["초미세먼지농도(㎍/㎥)"],
        })
        pm_2022 = pm_2022.dropna(subset=["pm25_ugm3"]).reset_index(drop=True)
        """,
        skill="cleaning",
    ),
    test(
        "q1",
        2,
        r"""
        checks.need("pm_2022")
        checks.check_frame(pm_2022, columns=["date", "station_name", "pm10_ugm3", "pm25_ugm3"], name="pm_2022", exact_columns=True)
        checks.check_column_kind(pm_2022, "date", "datetime", name="pm_2022")
        checks.check_column_kind(pm_2022, "pm25_ugm3", "number", name="pm_2022")
        if not (pm_2022["date"].dt.year == 2022).all():
            raise checks.CheckFailed("Some dates are not in 2022: give pd.to_datetime the format '%Y%m%d' (after .astype(str)).")
        if pm_2022["pm25_ugm3"].isna().any():
            raise checks.CheckFailed("pm_2022 still holds rows without a PM2.5 value.")
        checks.passed("pm_2022 looks clean")
        """,
        r"""
        _r = pd.read_csv(raw_air_file, encoding="cp949")
        _keep = _r["초미세먼지농도(㎍/㎥)"].notna()
        checks.check_frame(pm_2022, n_rows=int(_keep.sum()), name="pm_2022",
                           hint="Drop only the rows without PM2.5 (dropna(subset=[...])).")
        checks.check_equal(pm_2022["pm10_ugm3"].astype(float), _r.loc[_keep, "미세먼지농도(㎍/㎥)"].astype(float).reset_index(drop=True),
                           name="pm_2022['pm10_ugm3']")
        if list(pm_2022["station_name"].astype(str)) != list(_r.loc[_keep, "측정소명"].astype(str)):
            raise checks.CheckFailed("station_name does not hold the expected stations, in the file's order.")
        """,
    ),
    text(
        "q2_task",
        r"""
        ## Question 2 (aggregation, 2 points)

        Using `air` (the clean daily table), compute **`exceed_days`**: a pandas Series indexed by
        `gu_code` (sorted by code) giving the number of days **in 2022** on which the daily mean
        PM2.5 (`pm25_ugm3`) was **above** the WHO 2021 **24-hour guideline** for PM2.5. Read the
        guideline value from `standards` (scheme `"WHO AQG 2021"`, pollutant `"PM2.5"`,
        averaging period `"24h"`, column `upper_ugm3`) rather than typing it. "Above" means
        strictly greater than the guideline value.

        <details><summary>Hint</summary>

        Select the row of `standards` with three conditions and take `.iloc[0]` of `upper_ugm3`;
        then `(air_2022["pm25_ugm3"] > guideline).groupby(air_2022["gu_code"]).sum()`.
        </details>
        """,
    ),
    answer(
        "q2",
        r"""
        rule = standards[(standards["scheme"] == "WHO AQG 2021") & (standards["pollutant"] == "PM2.5") & (standards["averaging_period"] == "24h")]
        guideline = rule["upper_ugm3"].iloc[0]
        air_2022 = air[air["date"].dt.year == 2022]
        exceed_days = (air_2022["pm25_ugm3"] > guideline).groupby(air_2022["gu_code"]).sum()
        """,
        skill="aggregation",
    ),
    test(
        "q2",
        2,
        r"""
        checks.need("exceed_days")
        checks.check_series(exceed_days, name="exceed_days", n=25, hint="One value per district (gu_code).")
        if list(map(str, exceed_days.index)) != sorted(air["gu_code"].unique()):
            raise checks.CheckFailed("exceed_days should be indexed by gu_code, sorted by code.")
        if not pd.api.types.is_integer_dtype(exceed_days.dtype):
            raise checks.CheckFailed("exceed_days should count days (whole numbers).")
        checks.check_values(exceed_days, "exceed_days", minimum=0, maximum=365)
        checks.passed("exceed_days has the right shape")
        """,
        r"""
        _a = air[air["date"].dt.year.eq(2022)]
        _g = float(standards.query("scheme == 'WHO AQG 2021' and pollutant == 'PM2.5' and averaging_period == '24h'")["upper_ugm3"].iloc[0])
        _ref = _a.loc[_a["pm25_ugm3"].astype(float) > _g, "gu_code"].value_counts().reindex(sorted(air["gu_code"].unique()), fill_value=0)
        checks.check_equal(exceed_days.astype("int64").set_axis(list(map(str, exceed_days.index))),
                           _ref.astype("int64").set_axis(list(map(str, _ref.index))), name="exceed_days")
        """,
    ),
    text(
        "q3_task",
        r"""
        ## Question 3 (a computed indicator, 2 points)

        Compute **`green_m2_per_resident`**: a pandas Series indexed by `gu_code` (sorted by
        code) giving each district's **square metres of green space per resident**. For each dong
        the green area is `green_share` x `land_area_km2` (in km²; 1 km² = 1,000,000 m²). Add up
        green area and residents (`population` in `dong_pop`) per district, then divide. (Do not
        average the dongs' own per-resident figures: that would give a small dong as much
        weight as a large one.)

        <details><summary>Hint</summary>

        `green.merge(dong_pop[["dong_code", "population"]], on="dong_code")`, a new column for
        green area in m², then `.groupby("gu_code")[[...]].sum()`.
        </details>
        """,
    ),
    answer(
        "q3",
        r"""
        merged = green.merge(dong_pop[["dong_code", "population"]], on="dong_code")
        merged["green_m2"] = merged["green_share"] * merged["land_area_km2"] * 1_000_000
        totals = merged.groupby("gu_code")[["green_m2", "population"]].sum()
        green_m2_per_resident = totals["green_m2"] / totals["population"]
        """,
        skill="indicator",
    ),
    test(
        "q3",
        2,
        r"""
        checks.need("green_m2_per_resident")
        checks.check_series(green_m2_per_resident, name="green_m2_per_resident", n=25)
        if list(map(str, green_m2_per_resident.index)) != sorted(dong_pop["gu_code"].unique()):
            raise checks.CheckFailed("green_m2_per_resident should be indexed by gu_code, sorted by code.")
        checks.check_values(green_m2_per_resident, "green_m2_per_resident", minimum=0.1, maximum=1000,
                            hint="Square metres per person: did you convert km² to m²?")
        checks.passed("green_m2_per_resident is in a plausible range")
        """,
        r"""
        _m = green[["dong_code", "green_share", "land_area_km2"]].merge(dong_pop[["dong_code", "gu_code", "population"]], on="dong_code")
        _area = (_m["green_share"] * _m["land_area_km2"] * 1e6).groupby(_m["gu_code"]).sum()
        _ref = (_area / _m["population"].groupby(_m["gu_code"]).sum()).sort_index()
        checks.check_equal(green_m2_per_resident.astype(float).set_axis(list(map(str, green_m2_per_resident.index))),
                           _ref.set_axis(list(map(str, _ref.index))), name="green_m2_per_resident", rtol=1e-6)
        """,
    ),
    text(
        "q4_task",
        r"""
        ## Question 4 (spatial: access within walking distance, 2 points)

        Equity of access: what share of older residents live near a **cooling shelter**
        (`facility_type == "cooling_shelter"` in `facilities`)? Compute
        **`older_near_shelter_pct`**, a float: the percentage of all residents aged 65+
        (`pop_65_plus` in `dong_pop`) who live in dongs whose **centroid** lies **within 300 m**
        of at least one cooling shelter.

        Work in metres (**EPSG:5179**): project the dong polygons and take their centroids there,
        make points from the shelters' `lon`/`lat` (EPSG:4326) and project them, buffer the
        shelters by 300 m and merge the buffers into one shape.

        <details><summary>Hint</summary>

        `dongs.to_crs(5179).centroid.within(zone)` is True/False per dong; put it in a column,
        merge with `dong_pop` on `dong_code`, and compare the 65+ sums.
        </details>
        """,
    ),
    answer(
        "q4",
        r"""
        shelters = facilities[facilities["facility_type"] == "cooling_shelter"]
        shelter_points = gpd.GeoSeries(gpd.points_from_xy(shelters["lon"], shelters["lat"]), crs=4326).to_crs(5179)
        zone = shelter_points.buffer(300).union_all()
        dongs_m = dongs.to_crs(5179)
        near = pd.DataFrame({"dong_code": dongs_m["dong_code"], "near": dongs_m.centroid.within(zone).to_numpy()})
        joined = dong_pop.merge(near, on="dong_code")
        older_near_shelter_pct = float(100 * joined.loc[joined["near"], "pop_65_plus"].sum() / joined["pop_65_plus"].sum())
        """,
        skill="spatial",
    ),
    test(
        "q4",
        2,
        r"""
        checks.need("older_near_shelter_pct")
        checks.check_type(older_near_shelter_pct, checks.NUMBER_TYPES, name="older_near_shelter_pct")
        if not 1 < older_near_shelter_pct < 100:
            raise checks.CheckFailed("older_near_shelter_pct should be a percentage between 1 and 100 "
                                     "(a 300-unit buffer in degrees would cover every dong).")
        checks.passed("older_near_shelter_pct is a plausible percentage")
        """,
        r"""
        _s = facilities.loc[facilities["facility_type"].astype(str).eq("cooling_shelter")]
        _zone = gpd.GeoSeries(gpd.points_from_xy(_s["lon"], _s["lat"]), crs="EPSG:4326").to_crs(5179).buffer(300.0).union_all()
        _d = dongs.to_crs(5179)
        _ok = dict(zip(_d["dong_code"], _d.geometry.centroid.within(_zone)))
        _flag = dong_pop["dong_code"].map(_ok).fillna(False).astype(bool)
        checks.check_number(older_near_shelter_pct, float(dong_pop.loc[_flag, "pop_65_plus"].sum() * 100 / dong_pop["pop_65_plus"].sum()),
                            rtol=1e-4, name="older_near_shelter_pct")
        """,
    ),
    text(
        "q5_task",
        r"""
        ## Question 5 (a function you write, 2 points)

        Bike sharing saves CO2 only when a bike trip replaces a car trip. Write
        **`co2_avoided_kg(bike_km, car_share, grams_per_km)`** that returns the CO2 avoided in
        **kilograms** (a float): `bike_km` kilometres ridden, of which the share `car_share`
        (between 0 and 1) would otherwise have been driven by a car emitting `grams_per_km`
        grams of CO2 per kilometre. If `car_share` is below 0 or above 1, **raise a
        `ValueError`** with a message saying it must be between 0 and 1.

        Example: `co2_avoided_kg(1000, 0.1, 150)` is `15.0` (100 km by car avoided, 15,000 g).

        <details><summary>Hint</summary>

        Kilometres x share x grams per km gives grams; divide by 1,000 for kilograms. Check the share
        first, and `raise ValueError(...)` when it is outside 0 to 1.
        </details>
        """,
    ),
    answer(
        "q5",
        r"""
        def co2_avoided_kg(bike_km, car_share, grams_per_km):
            ### BEGIN SOLUTION
            if not 0 <= car_share <= 1:
                raise ValueError("car_share must be between 0 and 1 (a share, not a percentage)")
            return float(bike_km * car_share * grams_per_km / 1000)
            ### END SOLUTION
        """,
        skill="function",
    ),
    test(
        "q5",
        2,
        r"""
        checks.need("co2_avoided_kg")
        checks.check_function(co2_avoided_kg, [((1000, 0.1, 150), 15.0), ((0, 0.5, 150), 0.0)], name="co2_avoided_kg",
                              hint="km x share x g/km gives grams: convert to kilograms.")
        try:
            co2_avoided_kg(100, 10, 150)
        except ValueError:
            pass
        else:
            raise checks.CheckFailed("co2_avoided_kg(100, 10, 150) should raise ValueError: 10 is not a share between 0 and 1.")
        checks.passed("co2_avoided_kg")
        """,
        r"""
        checks.check_function(co2_avoided_kg, [((2500.0, 0.2, 120.0), 60.0), ((1.0, 1.0, 1000.0), 1.0), ((300, 0.0, 99), 0.0)],
                              name="co2_avoided_kg", show_inputs=False)
        for _bad in (-0.1, 1.5):
            try:
                co2_avoided_kg(10, _bad, 100)
            except ValueError:
                continue
            raise checks.CheckFailed("co2_avoided_kg should raise ValueError for a share outside 0..1.")
        """,
    ),
    text(
        "w1_task",
        r"""
        ## Question 6 (written, 3 points, graded by your instructor)

        In 3-5 sentences for a climate-adaptation committee: using `exceed_days`,
        `green_m2_per_resident` and `older_near_shelter_pct`, which one action would you fund
        first and where, and why? Name one assumption in your analysis that could change the
        answer (for example the 300 m distance, the use of dong centroids, or the synthetic data).

        *Rubric (3 points):* 1 point for an action and place that follow from the numbers; 1
        point for an equity argument (who is affected, not only where); 1 point for a real,
        specific assumption or limitation and how it could change the result.
        """,
    ),
    written(
        "w1",
        3,
        r"""
        **Model answer (instructors only).** About one older resident in six lives in a dong
        whose centre is more than 300 m from a cooling shelter, so the first action would be new
        shelters (or longer opening hours) in those dongs, starting where green space per
        resident is lowest, since they are also hotter. Fine dust exceeds the WHO 24-hour
        guideline on about half the days in every district, so it is a city-wide, not a local,
        problem. Assumption: dong centroids stand for where people live; in large dongs many
        residents live much farther than 300 m from the centroid, so access is overstated.

        **Grading notes.** Accept other actions if argued from the trainee's numbers.
        """,
    ),
]
