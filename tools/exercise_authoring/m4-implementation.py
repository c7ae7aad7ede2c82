"""Module 4 assignment: TOPIS-style traffic speeds, the rain effect, link lengths, Open API pages."""

from nbspec import answer, intro, setup, test, text, written

CELLS = [
    intro(
        "Module 4 exercise: traffic speeds, rain, and the city's Open API",
        """
        This exercise follows module 4 (Implementation and technology trends). You will reshape a
        TOPIS-style monthly speed file (one row per road link per day, one column per hour) into
        a tidy table, build an hourly speed profile for Fridays (a typical dashboard panel),
        measure how much rain slows traffic, measure road length in metres, and write a function
        that collects the rows of paged Open API responses while skipping error responses.

        Speeds, links and weather here are **synthetic**: generated for this course in the shape
        of the real TOPIS files and calibrated on published magnitudes. Road names are real;
        link geometries are straight lines between approximate points. The Open API responses in
        question 5 are small examples in the documented response layout (`list_total_count`,
        `RESULT.CODE`, where `INFO-000` means OK, and `row`).
        """,
        "**Points:** 5 automatically graded questions (11 points) and 1 written answer "
        "(3 points): 14 points in all.",
    ),
    setup(
        "setup",
        r"""
        import pandas as pd
        from smartseoul import data, checks

        raw_speed_file = data.raw_path("traffic_speed_raw_201911")   # TOPIS-style monthly file (CP949)
        speeds = data.load("traffic_speed_hourly")    # hourly speed per link, Nov 2019 and Nov 2020
        links = data.load("traffic_links")            # the 100 road links (straight lines, WGS84)
        weather = data.load("weather_daily")          # daily weather (synthetic)
        print(len(speeds), "hourly speeds on", len(links), "links")
        """,
    ),
    text(
        "q1_task",
        r"""
        ## Question 1 (data cleaning: wide to long, 3 points)

        Read `raw_speed_file` (encoding **CP949**; read `링크아이디`, the link ID, as **text**).
        It has one row per link and day, the day in `일자` as a number like `20191101`, and 24
        speed columns `~01시` ... `~24시`. Column `~01시` holds the hour **starting at 00:00**
        (the hour that ends at 01:00), `~02시` the hour starting at 01:00, and so on.

        Create **`speeds_long`** with exactly the columns `link_id` (text), `datetime` (the
        start of the hour, a datetime without time zone) and `speed_kmh` (a float; blank cells
        stay missing). One row per link and hour; row order does not matter.

        <details><summary>Hint</summary>

        `.melt(id_vars=["일자", "링크아이디"], value_vars=[...], var_name="slot", value_name="speed_kmh")`;
        the hour is the number in the slot minus 1: `slot.str.strip("~시").astype(int) - 1`;
        then `pd.to_datetime(일자.astype(str), format="%Y%m%d") + pd.to_timedelta(hour, unit="h")`.
        </details>
        """,
    ),
    answer(
        "q1",
        r"""
        wide = pd.read_csv(raw_speed_file, encoding="cp949", dtype={"링크아이디": str})
        slots = [c for c in wide.columns if c.startswith("~")]
        long = wide.melt(id_vars=["일자", "링크아이디"], value_vars=slots, var_name="slot", value_name="speed_kmh")
        hour = long["slot"].str.strip("~시").astype(int) - 1
        long["datetime"] = pd.to_datetime(long["일자"].astype(str), format="%Y%m%d") + pd.to_timedelta(hour, unit="h")
        speeds_long = long.rename(columns={"링크아이디": "link_id"})[["link_id", "datetime", "speed_kmh"]]
        speeds_long["speed_kmh"] = speeds_long["speed_kmh"].astype(float)
        """,
        skill="cleaning",
    ),
    test(
        "q1",
        3,
        r"""
        checks.need("speeds_long")
        checks.check_frame(speeds_long, columns=["link_id", "datetime", "speed_kmh"], name="speeds_long", exact_columns=True)
        checks.check_column_kind(speeds_long, "link_id", "text", name="speeds_long",
                                 hint="Read the file with dtype={'링크아이디': str}.")
        checks.check_column_kind(speeds_long, "datetime", "datetime", name="speeds_long")
        checks.check_column_kind(speeds_long, "speed_kmh", "number", name="speeds_long")
        if speeds_long["datetime"].dt.hour.min() != 0 or speeds_long["datetime"].dt.hour.max() != 23:
            raise checks.CheckFailed("Hours should run from 0 to 23: '~01시' is the hour starting at 00:00.")
        checks.passed("speeds_long has the right shape")
        """,
        r"""
        _w = pd.read_csv(raw_speed_file, encoding="cp949", dtype={"링크아이디": str})
        _day = pd.to_datetime(_w["일자"].astype(str), format="%Y%m%d")
        _parts = [pd.DataFrame({"link_id": _w["링크아이디"], "datetime": _day + pd.Timedelta(hours=_h),
                                "speed_kmh": _w[f"~{_h + 1:02d}시"].astype(float)}) for _h in range(24)]
        _ref = pd.concat(_parts).sort_values(["link_id", "datetime"]).reset_index(drop=True)
        _got = speeds_long.sort_values(["link_id", "datetime"]).reset_index(drop=True)
        checks.check_frame(_got, n_rows=len(_ref), name="speeds_long")
        if not ((_got["datetime"].to_numpy() == _ref["datetime"].to_numpy()).all() and list(_got["link_id"]) == list(_ref["link_id"])):
            raise checks.CheckFailed("speeds_long does not hold the expected link-hours.")
        checks.check_equal(_got["speed_kmh"].astype(float), _ref["speed_kmh"], name="speeds_long['speed_kmh']")
        """,
    ),
    text(
        "q2_task",
        r"""
        ## Question 2 (aggregation, 2 points)

        A dashboard panel: how does speed change over a Friday? From `speeds`, take the
        **Fridays of November 2019** and compute **`friday_profile`**: a pandas Series indexed by
        the **hour of the day** (0 ... 23) giving the **mean** `speed_kmh` over all links and all
        those Fridays. (Missing speeds are simply left out of the mean, which pandas does for
        you.)

        <details><summary>Hint</summary>

        `speeds["datetime"].dt.day_name() == "Friday"` and `speeds["datetime"].dt.year == 2019`
        select the rows; group by `...dt.hour`.
        </details>
        """,
    ),
    answer(
        "q2",
        r"""
        fridays = speeds[(speeds["datetime"].dt.day_name() == "Friday") & (speeds["datetime"].dt.year == 2019)]
        friday_profile = fridays.groupby(fridays["datetime"].dt.hour)["speed_kmh"].mean()
        """,
        skill="aggregation",
    ),
    test(
        "q2",
        2,
        r"""
        checks.need("friday_profile")
        checks.check_series(friday_profile, name="friday_profile", n=24, hint="One value per hour of the day.")
        if [int(h) for h in friday_profile.index] != list(range(24)):
            raise checks.CheckFailed("friday_profile should be indexed by the hours 0..23 in order.")
        checks.check_values(friday_profile, "friday_profile", minimum=5, maximum=100)
        checks.passed("friday_profile has the right shape")
        """,
        r"""
        _dt = speeds["datetime"]
        _f = speeds[(_dt.dt.day_of_week == 4) & (_dt.dt.year == 2019) & (_dt.dt.month == 11)]
        _ref = _f["speed_kmh"].groupby(_f["datetime"].dt.hour.to_numpy()).mean()
        checks.check_equal(friday_profile.astype(float).set_axis(range(24)), _ref.set_axis(range(24)),
                           name="friday_profile", rtol=1e-6)
        """,
    ),
    text(
        "q3_task",
        r"""
        ## Question 3 (a computed indicator, 2 points)

        How much does rain slow traffic? Using both months in `speeds` and the `is_rainy` column
        of `weather` (at least 1 mm of rain that day), compute **`rain_effect_pct`**, a float:

        (mean speed over all link-hours on rainy days / mean speed on the other days - 1) x 100

        A negative value means rain slows traffic.

        <details><summary>Hint</summary>

        Make a `set` of the dates of the rainy days in `weather` (`.dt.date` turns datetimes
        into dates), then `.isin(...)` on the dates of `speeds["datetime"]` marks each speed as
        rainy or not; `~` turns True into False and back.
        </details>
        """,
    ),
    answer(
        "q3",
        r"""
        rainy_days = set(weather.loc[weather["is_rainy"], "date"].dt.date)
        on_rainy_day = speeds["datetime"].dt.date.isin(rainy_days)
        rain_effect_pct = float(100 * (speeds.loc[on_rainy_day, "speed_kmh"].mean() / speeds.loc[~on_rainy_day, "speed_kmh"].mean() - 1))
        """,
        skill="indicator",
    ),
    test(
        "q3",
        2,
        r"""
        checks.need("rain_effect_pct")
        checks.check_type(rain_effect_pct, checks.NUMBER_TYPES, name="rain_effect_pct")
        if not -50 < rain_effect_pct < 50:
            raise checks.CheckFailed("rain_effect_pct should be a percentage change, well within -50 and +50.")
        checks.passed("rain_effect_pct is a plausible percentage")
        """,
        r"""
        _rainy = pd.to_datetime(weather.loc[weather["is_rainy"].astype(bool), "date"]).dt.strftime("%Y-%m-%d")
        _mask = speeds["datetime"].dt.strftime("%Y-%m-%d").isin(set(_rainy))
        _s = speeds["speed_kmh"].astype(float)
        checks.check_number(rain_effect_pct, float((_s[_mask].mean() - _s[~_mask].mean()) * 100 / _s[~_mask].mean()),
                            rtol=1e-6, name="rain_effect_pct", hint="rainy mean / dry mean - 1, times 100.")
        """,
    ),
    text(
        "q4_task",
        r"""
        ## Question 4 (spatial: length in metres, 2 points)

        Compute **`expressway_km`**, a float: the total length in **kilometres** of the links
        whose `road_type` is `"urban_expressway"`, measured **from their geometry** after
        projecting to **EPSG:5179** (the links are straight lines, so this is shorter than the
        road length in `length_m`; we want the geometric length here).

        <details><summary>Hint</summary>

        `links[links["road_type"] == "urban_expressway"].to_crs(5179).length` gives metres.
        </details>
        """,
    ),
    answer(
        "q4",
        r"""
        expressways = links[links["road_type"] == "urban_expressway"]
        expressway_km = float(expressways.to_crs(5179).length.sum() / 1000)
        """,
        skill="spatial",
    ),
    test(
        "q4",
        2,
        r"""
        checks.need("expressway_km")
        checks.check_type(expressway_km, checks.NUMBER_TYPES, name="expressway_km")
        if expressway_km < 1:
            raise checks.CheckFailed("expressway_km is tiny: it looks like degrees. Project to EPSG:5179 first.")
        if expressway_km > 10_000:
            raise checks.CheckFailed("expressway_km is huge: it looks like metres. Divide by 1,000.")
        checks.passed("expressway_km looks like kilometres")
        """,
        r"""
        _e = links.loc[links["road_type"].astype(str).eq("urban_expressway")].to_crs(5179)
        checks.check_number(expressway_km, float(_e.geometry.length.sum() / 1000.0), rtol=2e-3, name="expressway_km")
        """,
    ),
    text(
        "q5_task",
        r"""
        ## Question 5 (a function you write, 2 points)

        The Seoul Open API returns at most 1,000 rows per call, so a client requests pages and
        combines them. Each successful response (already parsed from JSON into a Python dict)
        looks like this, with the service name as its only key:

        ```python
        {"SpeedService": {"list_total_count": 3,
                          "RESULT": {"CODE": "INFO-000", "MESSAGE": "..."},
                          "row": [{"LINK_ID": "1000011000", "SPD": 72.3}, ...]}}
        ```

        A response whose code is anything other than `INFO-000` carries no rows, and it may come
        either inside the service key or on its own: `{"RESULT": {"CODE": "...", "MESSAGE": "..."}}`.

        Write **`rows_from_pages(pages)`**: given a list of such response dicts, return a pandas
        **DataFrame** of all rows of the successful responses, in order, with a fresh index
        (0, 1, 2, ...). If no response has rows, return an empty DataFrame (`pd.DataFrame()`).

        <details><summary>Hint</summary>

        For each page: if it has a top-level `"RESULT"`, it is an error; otherwise take its only
        value (`next(iter(page.values()))`), check `["RESULT"]["CODE"]`, and collect its `"row"`
        list. `pd.DataFrame(list_of_dicts)` builds the table.
        </details>
        """,
    ),
    answer(
        "q5",
        r"""
        def rows_from_pages(pages):
            ### BEGIN SOLUTION
            rows = []
            for page in pages:
                if "RESULT" in page:
                    continue
                body = next(iter(page.values()))
                if body.get("RESULT", {}).get("CODE") == "INFO-000":
                    rows.extend(body.get("row", []))
            return pd.DataFrame(rows)
            ### END SOLUTION
        """,
        skill="function",
    ),
    test(
        "q5",
        2,
        r"""
        checks.need("rows_from_pages")
        _ok1 = {"SpeedService": {"list_total_count": 3, "RESULT": {"CODE": "INFO-000", "MESSAGE": "OK"},
                                 "row": [{"LINK_ID": "1000011000", "SPD": 72.3}, {"LINK_ID": "1000012000", "SPD": 70.1}]}}
        _ok2 = {"SpeedService": {"list_total_count": 3, "RESULT": {"CODE": "INFO-000", "MESSAGE": "OK"},
                                 "row": [{"LINK_ID": "1000021000", "SPD": 55.0}]}}
        checks.check_function(rows_from_pages, [((([_ok1, _ok2]),), pd.DataFrame({"LINK_ID": ["1000011000", "1000012000", "1000021000"], "SPD": [72.3, 70.1, 55.0]}))],
                              name="rows_from_pages", show_inputs=False, hint="Collect the 'row' lists of every page, in order.")
        checks.passed("rows_from_pages")
        """,
        r"""
        _err_top = {"RESULT": {"CODE": "INFO-200", "MESSAGE": "no data"}}
        _err_in = {"SpeedService": {"RESULT": {"CODE": "ERROR-500", "MESSAGE": "server error"}}}
        _p1 = {"S": {"list_total_count": 2, "RESULT": {"CODE": "INFO-000", "MESSAGE": "OK"}, "row": [{"A": 1}]}}
        _p2 = {"S": {"list_total_count": 2, "RESULT": {"CODE": "INFO-000", "MESSAGE": "OK"}, "row": [{"A": 2}]}}
        _got = rows_from_pages([_p1, _err_top, _err_in, _p2])
        checks.check_equal(_got, pd.DataFrame({"A": [1, 2]}), name="rows_from_pages(...)")
        if list(_got.index) != [0, 1]:
            raise checks.CheckFailed("rows_from_pages should return a fresh index 0, 1, 2, ...")
        _none = rows_from_pages([_err_top])
        checks.check_frame(_none, n_rows=0, name="rows_from_pages([error])")
        checks.check_frame(rows_from_pages([]), n_rows=0, name="rows_from_pages([])")
        """,
    ),
    text(
        "w1_task",
        r"""
        ## Question 6 (written, 3 points, graded by your instructor)

        You are asked to design one KPI for a city traffic dashboard. In 3-5 sentences: define
        the KPI precisely (what is measured, where, when, in which unit), say what
        `friday_profile` and `rain_effect_pct` suggest its target or alert level should take
        into account, and name one way such a dashboard can mislead decision makers.

        *Rubric (3 points):* 1 point for a precise, measurable KPI definition; 1 point for using
        the Friday profile and/or the rain effect correctly (e.g. compare like with like, adjust
        for weather); 1 point for a real risk (averages hiding links, sensor gaps, Goodhart's
        law, synthetic or incomplete data).
        """,
    ),
    written(
        "w1",
        3,
        r"""
        **Model answer (instructors only).** KPI: mean speed (km/h) on downtown arterial links
        in the weekday evening peak (17:00-19:59), reported weekly. The Friday profile shows the
        evening dip is deepest on Fridays, so targets should compare each weekday with the same
        weekday, and rain lowers speeds by a few percent in this data, so an alert should adjust
        for rainy days rather than blame operations. Risk: a city-wide mean hides a few very slow
        links, and hours with missing detector data silently drop out of the average.

        **Grading notes.** Any KPI with measure, place, time window and unit earns the first point.
        """,
    ),
]
