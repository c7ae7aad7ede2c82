"""Module 0 assignment: a raw portal file, first aggregations, a CRS question, a first function."""

from nbspec import answer, intro, setup, test, text, written

CELLS = [
    intro(
        "Module 0 exercise: a raw bike file, stations per district, and distances in metres",
        """
        This exercise follows module 0 (Orientation). You will open a raw, portal-style file of
        Seoul public bike (따릉이) rentals for June 2023: Korean headers, the CP949 encoding, a
        few broken rows and a typo date, like the real files on the Seoul Open Data Plaza. Then
        you count stations per district, compute a first indicator, measure a distance in the
        right coordinate reference system (CRS), and write a small function.

        The rental file and the station list are **synthetic**: generated for this course in the
        shape of the real files (a sample of about 30,000 trips; the real month has millions).
        District populations are 2024 registered figures (from a secondary source); district
        outlines are approximate.
        """,
        "**Points:** 5 automatically graded questions (11 points) and 1 written answer "
        "(3 points): 14 points in all.",
    ),
    setup(
        "setup",
        r"""
        import pandas as pd
        import geopandas as gpd
        from smartseoul import data, checks

        raw_file = data.raw_path("bike_rentals_raw")   # the raw CP949 file (Korean headers)
        stations = data.load("bike_stations")          # about 2,700 bike stations (synthetic)
        gu = data.load("districts")                    # the 25 gu, population 2024, WGS84
        print(raw_file.name)
        data.describe("bike_stations").head()
        """,
    ),
    text(
        "q1_task",
        r"""
        ## Question 1 (data cleaning, 3 points)

        Read `raw_file` into a DataFrame called **`trips`** and clean it:
        1. the file is encoded in **CP949** (not UTF-8);
        2. read **every column as text** (`dtype=str`), so that station numbers such as `02251`
           keep their leading zeros;
        3. **skip the broken lines** that have too many fields (`on_bad_lines="skip"`);
        4. drop the rows that were **cut short** (they have no value in the last column,
           `자전거구분`);
        5. turn the two time columns `대여일시` (rented) and `반납일시` (returned) into datetimes
           with `pd.to_datetime`;
        6. drop the rows whose return time is not in **2023** (a typo year slipped into the file).

        Keep the 17 columns and their Korean names. Finish with `.reset_index(drop=True)`.

        <details><summary>Hint</summary>

        `pd.read_csv(raw_file, encoding="cp949", dtype=str, on_bad_lines="skip")`, then
        `.dropna(subset=[...])`, and a condition such as `trips["반납일시"].dt.year == 2023`.
        </details>
        """,
    ),
    answer(
        "q1",
        r"""
        trips = pd.read_csv(raw_file, encoding="cp949", dtype=str, on_bad_lines="skip")
        trips = trips.dropna(subset=["자전거구분"])
        for col in ["대여일시", "반납일시"]:
            trips[col] = pd.to_datetime(trips[col])
        trips = trips[trips["반납일시"].dt.year == 2023].reset_index(drop=True)
        """,
        skill="cleaning",
    ),
    test(
        "q1",
        3,
        r"""
        checks.need("trips")
        checks.check_frame(trips, columns=["자전거번호", "대여일시", "대여 대여소번호", "반납일시", "자전거구분"],
                           name="trips", hint="Read the file with encoding='cp949' so the Korean headers are right.")
        checks.check_column_kind(trips, "대여 대여소번호", "text", name="trips",
                                 hint="Read with dtype=str so '02251' does not become 2251.")
        if not trips["대여 대여소번호"].str.len().eq(5).all():
            raise checks.CheckFailed("Some station numbers are not 5 characters long: read with dtype=str.")
        checks.check_column_kind(trips, "대여일시", "datetime", name="trips")
        checks.check_column_kind(trips, "반납일시", "datetime", name="trips")
        if trips["자전거구분"].isna().any():
            raise checks.CheckFailed("trips still holds rows that were cut short (no 자전거구분).")
        if (trips["반납일시"].dt.year != 2023).any():
            raise checks.CheckFailed("trips still holds a return time outside 2023: look for the typo year.")
        checks.passed("trips is clean")
        """,
        r"""
        _ref = pd.read_csv(raw_file, encoding="cp949", dtype=str, on_bad_lines="skip").dropna(subset=["자전거구분"])
        _ref = _ref[pd.to_datetime(_ref["반납일시"]).dt.year == 2023]
        checks.check_frame(trips, n_rows=len(_ref), name="trips")
        if list(trips.columns) != list(_ref.columns):
            raise checks.CheckFailed("trips should keep the 17 columns of the file, in order.")
        if list(trips["자전거번호"]) != list(_ref["자전거번호"]):
            raise checks.CheckFailed("trips does not hold the expected rows.")
        """,
    ),
    text(
        "q2_task",
        r"""
        ## Question 2 (aggregation, 2 points)

        Count the bike stations in each district. Create **`stations_per_gu`**: a pandas Series
        indexed by `gu_code`, **sorted by code**, whose values are the number of stations in
        `stations` in that district (whole numbers).

        <details><summary>Hint</summary>

        `stations.groupby("gu_code").size()` counts rows per group (and sorts by the group key);
        `value_counts()` would sort by the count instead.
        </details>
        """,
    ),
    answer(
        "q2",
        r"""
        stations_per_gu = stations.groupby("gu_code").size()
        """,
        skill="aggregation",
    ),
    test(
        "q2",
        2,
        r"""
        checks.need("stations_per_gu")
        checks.check_series(stations_per_gu, name="stations_per_gu", n=25,
                            hint="One value per district: group by gu_code.")
        if list(map(str, stations_per_gu.index)) != sorted(gu["gu_code"]):
            raise checks.CheckFailed("stations_per_gu should be indexed by gu_code, sorted by code.")
        if not pd.api.types.is_integer_dtype(stations_per_gu.dtype):
            raise checks.CheckFailed("stations_per_gu should hold counts (whole numbers).")
        checks.passed("stations_per_gu has the right shape")
        """,
        r"""
        _ref = stations["gu_code"].value_counts().sort_index()
        checks.check_equal(stations_per_gu.astype("int64").set_axis(list(map(str, stations_per_gu.index))),
                           _ref.astype("int64").set_axis(list(map(str, _ref.index))), name="stations_per_gu")
        """,
    ),
    text(
        "q3_task",
        r"""
        ## Question 3 (a computed indicator, 2 points)

        Big districts have more stations simply because more people live there. Compute
        **`stations_per_10k`**: a pandas Series indexed by `gu_code` (sorted by code) giving the
        number of stations **per 10,000 residents**, using the `population` column of `gu`.

        <details><summary>Hint</summary>

        Put both on the same index first: `gu.set_index("gu_code")["population"]`. Then
        stations / population * 10,000.
        </details>
        """,
    ),
    answer(
        "q3",
        r"""
        population = gu.set_index("gu_code")["population"].sort_index()
        stations_per_10k = stations.groupby("gu_code").size() / population * 10_000
        """,
        skill="indicator",
    ),
    test(
        "q3",
        2,
        r"""
        checks.need("stations_per_10k")
        checks.check_series(stations_per_10k, name="stations_per_10k", n=25)
        if list(map(str, stations_per_10k.index)) != sorted(gu["gu_code"]):
            raise checks.CheckFailed("stations_per_10k should be indexed by gu_code, sorted by code.")
        checks.check_values(stations_per_10k, "stations_per_10k", minimum=0.1, maximum=100,
                            hint="Stations per 10,000 residents: stations divided by population, times 10,000.")
        checks.passed("stations_per_10k is in a plausible range")
        """,
        r"""
        _pop = gu.set_index("gu_code")["population"].astype(float)
        _ref = (stations["gu_code"].value_counts() * 1e4 / _pop).sort_index()
        checks.check_equal(stations_per_10k.astype(float).set_axis(list(map(str, stations_per_10k.index))),
                           _ref.set_axis(list(map(str, _ref.index))), name="stations_per_10k", rtol=1e-6)
        """,
    ),
    text(
        "q4_task",
        r"""
        ## Question 4 (spatial: distance in metres, 2 points)

        How many bike stations lie within **1 km** of Seoul City Hall (approximately latitude
        37.5663, longitude 126.9779)? Latitude and longitude are degrees in WGS84
        (EPSG:4326); a distance in metres needs a projected CRS. Use **EPSG:5179** (Korea 2000 /
        Unified CS), whose units are metres.

        Create **`n_near_city_hall`**, a whole number: the stations whose distance to City Hall is
        at most 1,000 m.

        <details><summary>Hint</summary>

        `gpd.GeoDataFrame(stations, geometry=gpd.points_from_xy(stations["lon"], stations["lat"]), crs=4326)`
        makes points; `.to_crs(5179)` projects; `.distance(point)` measures; `(... <= 1000).sum()` counts.
        </details>
        """,
    ),
    answer(
        "q4",
        r"""
        points = gpd.GeoDataFrame(stations, geometry=gpd.points_from_xy(stations["lon"], stations["lat"]), crs=4326).to_crs(5179)
        city_hall = gpd.GeoSeries(gpd.points_from_xy([126.9779], [37.5663]), crs=4326).to_crs(5179).iloc[0]
        n_near_city_hall = int((points.distance(city_hall) <= 1000).sum())
        """,
        skill="spatial",
    ),
    test(
        "q4",
        2,
        r"""
        checks.need("n_near_city_hall")
        checks.check_type(n_near_city_hall, checks.INTEGER_TYPES, name="n_near_city_hall",
                          hint="Count with (... <= 1000).sum() and wrap it in int(...).")
        if not 0 < n_near_city_hall < len(stations):
            raise checks.CheckFailed("n_near_city_hall should be more than 0 and less than all stations: "
                                     "are your distances in metres?")
        checks.passed("n_near_city_hall is a plausible count")
        """,
        r"""
        _pts = gpd.GeoSeries(gpd.points_from_xy(stations["lon"], stations["lat"]), crs=4326).to_crs(5179)
        _ch = gpd.GeoSeries(gpd.points_from_xy([126.9779], [37.5663]), crs=4326).to_crs(5179).iloc[0]
        checks.check_number(n_near_city_hall, int((_pts.distance(_ch) <= 1000).sum()), integer=True,
                            rtol=0, name="n_near_city_hall")
        """,
    ),
    text(
        "q5_task",
        r"""
        ## Question 5 (a function you write, 2 points)

        Write a function **`share_in_hours(times, start, end)`** that takes a pandas Series of
        datetimes and two hours, and returns the **share** (a float between 0 and 1) of the times
        whose hour is **at least `start` and before `end`** (so `start=7, end=10` covers 07:00 to
        09:59). An empty Series should give `0.0`.

        Try it on your clean trips: `share_in_hours(trips["대여일시"], 7, 10)` is the share of
        June rentals that started in the morning peak.

        <details><summary>Hint</summary>

        `times.dt.hour` gives the hours; `(h >= start) & (h < end)` is True/False; its `.mean()`
        is the share of Trues.
        </details>
        """,
    ),
    answer(
        "q5",
        r"""
        def share_in_hours(times, start, end):
            ### BEGIN SOLUTION
            if len(times) == 0:
                return 0.0
            hours = times.dt.hour
            return float(((hours >= start) & (hours < end)).mean())
            ### END SOLUTION
        """,
        skill="function",
    ),
    test(
        "q5",
        2,
        r"""
        checks.need("share_in_hours")
        _t = pd.Series(pd.to_datetime(["2023-06-01 06:59", "2023-06-01 07:00", "2023-06-01 09:59", "2023-06-01 10:00"]))
        checks.check_function(share_in_hours, [((_t, 7, 10), 0.5), ((_t, 0, 24), 1.0)], name="share_in_hours",
                              hint="Count an hour h when start <= h < end, and divide by the number of times.")
        checks.passed("share_in_hours")
        """,
        r"""
        _u = pd.Series(pd.to_datetime(["2023-06-01 18:00", "2023-06-02 18:30", "2023-06-03 19:00", "2023-06-03 17:59", "2023-06-04 23:00"]))
        checks.check_function(share_in_hours, [
            ((_u, 18, 19), 0.4),
            ((_u, 17, 18), 0.2),
            ((_u, 0, 1), 0.0),
            ((_u.iloc[:0], 7, 10), 0.0),
        ], name="share_in_hours", show_inputs=False)
        """,
    ),
    text(
        "w1_task",
        r"""
        ## Question 6 (written, 3 points, graded by your instructor)

        Look at `stations_per_10k.sort_values()`. In 3-5 sentences for a transport committee:
        which districts would you look at first for new stations, and why is "stations per
        10,000 residents" not enough on its own to decide? Name one other piece of data you
        would want (from Seoul or from your own city).

        *Rubric (3 points):* 1 point for naming districts (or a kind of district) from your own
        result; 1 point for a sound limitation of a per-resident ratio (e.g. commuters and
        visitors, area, hills, rivers, demand); 1 point for a relevant extra data source and
        what it would show.
        """,
    ),
    written(
        "w1",
        3,
        r"""
        **Model answer (instructors only).** The districts at the bottom of `stations_per_10k`
        (in this synthetic data, for example Yongsan-gu and Gwanak-gu, under 2 stations per
        10,000 residents) would be looked at first. But a
        per-resident ratio ignores who actually rides: business districts fill with commuters by
        day, and large or hilly districts need more stations per person to keep a station within
        a short walk. I would add rental demand per station (empty-dock complaints, trips) and
        the distance from homes to the nearest station, or in my own city, travel survey data.

        **Grading notes.** Accept any districts that match the trainee's own output. The
        limitation must be specific to the ratio, not a generic "data may be wrong".
        """,
    ),
]
