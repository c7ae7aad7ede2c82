"""Capstone assignment: the your-own-city workflow (clean, check keys, project, indicator, memo)."""

from nbspec import answer, intro, setup, test, text, written

CELLS = [
    intro(
        "Capstone exercise: the your-own-city workflow",
        """
        In the capstone you bring your own city's district boundaries and one indicator table,
        check them, and rerun a module-5 style analysis. This exercise practises each step on
        data you already know: a small messy table from an invented "Toy City", and Seoul's 25
        districts (approximate polygons), its resident population by dong and its daily weather.
        The population and weather values are **synthetic** (generated for this course to look
        like the real Seoul files); the Toy City is invented.

        You will practise: cleaning a table exported from a spreadsheet, writing a small function
        that checks join keys, measuring area in a projected coordinate reference system (CRS),
        computing an indicator correctly from counts, aggregating daily data by year, and writing
        a short policy note.
        """,
        "**Points:** 5 automatically graded questions (2 points each) and 1 written answer "
        "(4 points): 14 points in all.",
    ),
    setup(
        "setup",
        r"""
        import pandas as pd
        from smartseoul import data, checks

        gu = data.load("districts")               # Seoul's 25 gu: approximate polygons in WGS84 (EPSG:4326)
        dong_pop = data.load("dong_population")   # residents by dong (synthetic)
        weather = data.load("weather_daily")      # daily weather 2019-2023 (synthetic)
        print(len(gu), "districts;", len(dong_pop), "dongs;", len(weather), "days of weather")
        """,
    ),
    text(
        "q1_task",
        r"""
        ## Question 1 (data cleaning, 2 points)

        A Toy City official sends you this table, exported from a spreadsheet (it is invented).
        Look at it first: it has a total row, a repeated row, numbers written with thousands
        separators, and a district whose resident count is missing (`n/a`).

        Create **`clean_table`**, a DataFrame with the same four columns, in which:
        - the total row and the repeated row are gone,
        - `residents` and `residents_65_plus` hold whole numbers (int), not text,
        - rows that have no resident count are dropped (do not replace them with 0),
        - `district_code` stays text exactly as given (the leading zero matters for joins),
        - the index runs 0, 1, 2, ... (use `.reset_index(drop=True)`).

        <details><summary>Hint</summary>

        `raw_table["residents"].str.replace(",", "")` removes separators; `pd.to_numeric(...,
        errors="coerce")` turns `n/a` into a missing value; `.dropna()`, `.drop_duplicates()` and
        a condition on `district_code` remove rows.
        </details>
        """,
    ),
    setup(
        "q1_data",
        r"""
        raw_table = pd.DataFrame({
            "district_code": ["0101", "0102", "0103", "0104", "0104", "0105", "0106", "TOTAL"],
            "district": ["Riverside", "Old Town", "Harbour", "Hillside", "Hillside", "Airport",
                         "University", "All districts"],
            "residents": ["12,400", "9,850", "n/a", "15,020", "15,020", "7,310", "11,200", "55,780"],
            "residents_65_plus": ["2,010", "2,480", "1,120", "1,900", "1,900", "640", "1,050", "9,200"],
        })
        raw_table
        """,
    ),
    answer(
        "q1",
        r"""
        clean_table = raw_table[raw_table["district_code"] != "TOTAL"].drop_duplicates().copy()
        for col in ["residents", "residents_65_plus"]:
            clean_table[col] = pd.to_numeric(clean_table[col].str.replace(",", ""), errors="coerce")
        clean_table = clean_table.dropna(subset=["residents", "residents_65_plus"])
        clean_table = clean_table.astype({"residents": int, "residents_65_plus": int}).reset_index(drop=True)
        """,
        skill="cleaning",
    ),
    test(
        "q1",
        2,
        r"""
        checks.need("clean_table")
        cols = ["district_code", "district", "residents", "residents_65_plus"]
        checks.check_frame(clean_table, columns=cols, name="clean_table",
                           hint="Start from raw_table and keep its four columns.")
        checks.check_column_kind(clean_table, "residents", "integer", name="clean_table")
        checks.check_column_kind(clean_table, "residents_65_plus", "integer", name="clean_table")
        checks.check_column_kind(clean_table, "district_code", "text", name="clean_table",
                                 hint="Do not convert district_code to a number: '0101' would become 101.")
        if (clean_table["district_code"] == "TOTAL").any():
            raise checks.CheckFailed("clean_table still holds the total row: a total is not a district.")
        checks.check_frame(clean_table, n_rows=5, name="clean_table",
                           hint="Did you drop the repeated row, and the row without a resident count?")
        checks.passed("clean_table")
        """,
        r"""
        expected = pd.DataFrame({
            "district_code": ["0101", "0102", "0104", "0105", "0106"],
            "district": ["Riverside", "Old Town", "Hillside", "Airport", "University"],
            "residents": [12400, 9850, 15020, 7310, 11200],
            "residents_65_plus": [2010, 2480, 1900, 640, 1050],
        })
        checks.check_equal(clean_table[cols].reset_index(drop=True), expected, name="clean_table")
        if list(clean_table.index) != list(range(5)):
            raise checks.CheckFailed("the index of clean_table should run 0..4: use .reset_index(drop=True)")
        """,
    ),
    text(
        "q2_task",
        r"""
        ## Question 2 (a function you write, 2 points)

        Before joining an indicator table to boundaries, check that the keys match. Write a
        function **`unmatched_keys(table_keys, boundary_keys)`** that returns a **sorted list** of
        the distinct keys in `table_keys` that do **not** appear in `boundary_keys`. Both
        arguments can be lists or pandas Series of strings. If every key matches, return `[]`.

        Example: `unmatched_keys(["a", "b", "b", "x"], ["a", "b", "c"])` returns `["x"]`.

        <details><summary>Hint</summary>

        `set(...)` removes repeats and makes "not in" fast; `sorted(...)` returns a list.
        </details>
        """,
    ),
    answer(
        "q2",
        r"""
        def unmatched_keys(table_keys, boundary_keys):
            ### BEGIN SOLUTION
            known = set(boundary_keys)
            return sorted({key for key in table_keys if key not in known})
            ### END SOLUTION
        """,
        skill="function",
    ),
    test(
        "q2",
        2,
        r"""
        checks.need("unmatched_keys")
        checks.check_function(unmatched_keys, [
            ((["a", "b", "b", "x"], ["a", "b", "c"]), ["x"]),
            ((["11110", "11140"], ["11110", "11140", "11170"]), []),
        ], name="unmatched_keys", hint="Return a sorted list of keys of the first argument missing from the second.")
        checks.passed("unmatched_keys")
        """,
        r"""
        checks.check_function(unmatched_keys, [
            ((["z", "y", "z", "a"], ["a"]), ["y", "z"]),
            ((pd.Series(["0101", "0199", "0199"]), pd.Series(["0101", "0102"])), ["0199"]),
            (([], ["a"]), []),
            ((list(gu["gu_code"]) + ["11999"], gu["gu_code"]), ["11999"]),
        ], name="unmatched_keys", show_inputs=False)
        """,
    ),
    text(
        "q3_task",
        r"""
        ## Question 3 (spatial: area in a projected CRS, 2 points)

        `gu` is stored in WGS84 (EPSG:4326), whose coordinates are degrees: areas computed there
        are in "square degrees" and mean nothing. Compute **`city_area_km2`**, the total area of
        the 25 districts in **square kilometres**, after projecting `gu` to the Korean projected
        system **EPSG:5179** (Korea 2000 / Unified CS, in metres). It must be a single number
        (a float).

        <details><summary>Hint</summary>

        `gu.to_crs(epsg=5179)` projects; `.area` gives square metres; 1 km² = 1,000,000 m².
        </details>
        """,
    ),
    answer(
        "q3",
        r"""
        city_area_km2 = float(gu.to_crs(epsg=5179).area.sum() / 1e6)
        """,
        skill="spatial",
    ),
    test(
        "q3",
        2,
        r"""
        checks.need("city_area_km2")
        checks.check_type(city_area_km2, checks.NUMBER_TYPES, name="city_area_km2")
        if city_area_km2 < 1:
            raise checks.CheckFailed("city_area_km2 is tiny: it looks like square degrees. Project to EPSG:5179 first.")
        if city_area_km2 > 100_000:
            raise checks.CheckFailed("city_area_km2 is huge: it looks like square metres. Divide by 1,000,000.")
        checks.passed("city_area_km2 looks like an area in km²")
        """,
        r"""
        reference = float(gu.to_crs(5179).area.sum() / 1e6)
        checks.check_number(city_area_km2, reference, rtol=2e-3, name="city_area_km2")
        """,
    ),
    text(
        "q4_task",
        r"""
        ## Question 4 (a computed indicator, 2 points)

        For a heat plan you need the share of older residents in each district. Using `dong_pop`,
        compute **`share_65`**: a pandas Series indexed by `gu_code` (sorted by code) giving the
        **percentage** (0-100) of a district's residents who are aged 65 and over.

        Compute it from the counts: add up the dongs' `pop_65_plus` and `population` per district
        first, then divide. (Averaging the dongs' own percentages would give small dongs as much
        weight as large ones.)

        <details><summary>Hint</summary>

        `dong_pop.groupby("gu_code")[[...]].sum()` gives one row per district.
        </details>
        """,
    ),
    answer(
        "q4",
        r"""
        totals = dong_pop.groupby("gu_code")[["pop_65_plus", "population"]].sum()
        share_65 = 100 * totals["pop_65_plus"] / totals["population"]
        """,
        skill="indicator",
    ),
    test(
        "q4",
        2,
        r"""
        checks.need("share_65")
        checks.check_series(share_65, name="share_65", n=25, hint="One value per district, indexed by gu_code.")
        if sorted(map(str, share_65.index)) != sorted(gu["gu_code"]):
            raise checks.CheckFailed("share_65 should be indexed by the 25 gu codes (group by gu_code).")
        checks.check_values(share_65, "share_65", minimum=1, maximum=60,
                            hint="A percentage runs from 0 to 100: did you multiply by 100?")
        checks.passed("share_65 has the right shape and range")
        """,
        r"""
        t = dong_pop.groupby("gu_code")[["pop_65_plus", "population"]].sum()
        ref = (t["pop_65_plus"] * 100.0 / t["population"]).sort_index()
        checks.check_equal(share_65, ref, name="share_65", rtol=1e-6)
        """,
    ),
    text(
        "q5_task",
        r"""
        ## Question 5 (aggregation, 2 points)

        Heat matters most on hot days. Using `weather` (synthetic daily weather), compute
        **`hot_days`**: a pandas Series indexed by **year** (whole numbers 2019 ... 2023) giving
        the **number of days** in that year whose **maximum** temperature (`temp_max_c`) was
        **30 °C or more** (the threshold this exercise uses).

        <details><summary>Hint</summary>

        `weather["date"].dt.year` gives the year; a condition such as `weather["temp_max_c"] >= 30`
        is True/False, and `.sum()` of True/False values counts the Trues.
        </details>
        """,
    ),
    answer(
        "q5",
        r"""
        hot_days = (weather["temp_max_c"] >= 30).groupby(weather["date"].dt.year).sum()
        """,
        skill="aggregation",
    ),
    test(
        "q5",
        2,
        r"""
        checks.need("hot_days")
        checks.check_series(hot_days, name="hot_days", n=5, hint="One value per year, 2019 to 2023.")
        if [int(y) for y in hot_days.index] != [2019, 2020, 2021, 2022, 2023]:
            raise checks.CheckFailed("hot_days should be indexed by the years 2019..2023 in order.")
        if not pd.api.types.is_integer_dtype(hot_days.dtype):
            raise checks.CheckFailed("hot_days should count days (whole numbers), not a share or a mean.")
        checks.check_values(hot_days, "hot_days", minimum=0, maximum=366)
        checks.passed("hot_days has the right shape")
        """,
        r"""
        ref = weather.assign(year=weather["date"].dt.year).query("temp_max_c >= 30").groupby("year").size()
        ref = ref.reindex(range(2019, 2024), fill_value=0)
        checks.check_equal(hot_days.astype("int64").set_axis([int(y) for y in hot_days.index]),
                           ref.astype("int64"), name="hot_days")
        """,
    ),
    text(
        "w1_task",
        r"""
        ## Question 6 (written, 4 points, graded by your instructor)

        In 4-6 sentences, as if writing to your mayor: using `share_65` and `hot_days`, say which
        kind of district you would prioritise for new cooling shelters and why; name **one
        limitation** of these data (remember what is synthetic or approximate here); and say
        **what you would check first** in your own city's data before acting.

        *Rubric (4 points):* 1 point for using at least one number you computed above, correctly
        read; 1 point for a clear, justified priority; 1 point for a real limitation of the data
        or method; 1 point for a concrete first check for your own city.
        """,
    ),
    written(
        "w1",
        4,
        r"""
        **Model answer (instructors only).** The districts with the highest `share_65` (close to a
        fifth of residents in the synthetic data, against about 17 % in the lowest) should come
        first, because older residents are most at risk on the hot days (6 to 16 a year
        at 30 °C or more in this data). Limitation:
        the population split by dong and the weather are synthetic and the polygons approximate,
        and a district average hides dongs where older residents cluster; heat also varies within
        a district. First check in my city: that district codes in the indicator table match the
        boundary file exactly (text, leading zeros), and that the age data are recent.

        **Grading notes.** Accept any priority that follows from the numbers (e.g. absolute
        numbers of older residents instead of shares, if argued). No point for a limitation that
        is generic ("data may be wrong") without saying which data or why.
        """,
    ),
]
