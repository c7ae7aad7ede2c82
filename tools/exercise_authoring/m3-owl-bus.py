"""Module 3 assignment: the Owl Bus case (hexagon demand, hot spots, route coverage)."""

from nbspec import answer, intro, setup, test, text, written

CELLS = [
    intro(
        "Module 3 exercise: late-night demand and the Owl Bus",
        """
        This exercise follows module 3 (the Owl Bus case study). In 2013 Seoul planned its
        late-night "Owl Bus" routes from late-night call records and taxi trips on a grid of
        hexagons. You will prepare the hexagon grid, total taxi pick-ups by hour of the night,
        measure how concentrated the demand is, measure how much of it lies within walking
        distance of the nine routes, and write a function that returns the busiest cells.

        The hexagon grid and all counts here are **synthetic**: generated for this course so that
        the hot spots sit where published reports put them. The nine route lines join
        approximate waypoints; they are not the surveyed bus paths.
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

        hexes = data.load("late_night_hexes")      # hexagons with late-night call and taxi counts (WGS84)
        hourly = data.load("late_night_hourly")    # taxi pick-ups by hexagon, night and hour (00-05 h)
        routes = data.load("owl_bus_routes")       # the nine 2013 routes as approximate lines (WGS84)
        print(len(hexes), "hexagons;", len(routes), "routes")
        """,
    ),
    text(
        "q1_task",
        r"""
        ## Question 1 (data cleaning, 2 points)

        Cells at the edge of the grid lie partly outside Seoul. Create **`hexes_city`**: the rows
        of `hexes` whose `share_in_seoul` is **at least 0.5**, in which missing values of
        `nearest_hot_spot` (cells near no named hot spot) are replaced by the text `"none"`.
        Keep all columns; finish with `.reset_index(drop=True)`.

        <details><summary>Hint</summary>

        A condition selects rows; `.fillna("none")` on one column replaces its missing values
        (assign it back: `df["col"] = df["col"].fillna("none")`). Use `.copy()` after filtering.
        </details>
        """,
    ),
    answer(
        "q1",
        r"""
        hexes_city = hexes[hexes["share_in_seoul"] >= 0.5].copy()
        hexes_city["nearest_hot_spot"] = hexes_city["nearest_hot_spot"].fillna("none")
        hexes_city = hexes_city.reset_index(drop=True)
        """,
        skill="cleaning",
    ),
    test(
        "q1",
        2,
        r"""
        checks.need("hexes_city")
        checks.check_frame(hexes_city, columns=list(hexes.columns), name="hexes_city", geo=True,
                           hint="Filter the rows of hexes (a GeoDataFrame) and keep every column.")
        if (hexes_city["share_in_seoul"] < 0.5).any():
            raise checks.CheckFailed("hexes_city still holds cells that are mostly outside Seoul.")
        if hexes_city["nearest_hot_spot"].isna().any():
            raise checks.CheckFailed("nearest_hot_spot still has missing values: fill them with 'none'.")
        checks.passed("hexes_city looks clean")
        """,
        r"""
        _ref = hexes.loc[hexes["share_in_seoul"].ge(0.5), "hex_id"].tolist()
        if list(hexes_city["hex_id"]) != _ref:
            raise checks.CheckFailed("hexes_city does not hold the expected cells (or not in their original order).")
        if int((hexes_city["nearest_hot_spot"] == "none").sum()) != int(hexes.loc[hexes["share_in_seoul"].ge(0.5), "nearest_hot_spot"].isna().sum()):
            raise checks.CheckFailed("nearest_hot_spot: the missing values should become 'none'.")
        if list(hexes_city.index) != list(range(len(_ref))):
            raise checks.CheckFailed("reset the index of hexes_city.")
        """,
    ),
    text(
        "q2_task",
        r"""
        ## Question 2 (aggregation, 2 points)

        When in the night is demand highest? From `hourly`, compute **`pickups_by_hour`**: a
        pandas Series indexed by `hour` (0 ... 4, i.e. 00:00-00:59 ... 04:00-04:59) giving the
        **total** taxi pick-ups in that hour over the whole week and all cells.

        <details><summary>Hint</summary>

        `hourly.groupby("hour")["taxi_pickups"].sum()`.
        </details>
        """,
    ),
    answer(
        "q2",
        r"""
        pickups_by_hour = hourly.groupby("hour")["taxi_pickups"].sum()
        """,
        skill="aggregation",
    ),
    test(
        "q2",
        2,
        r"""
        checks.need("pickups_by_hour")
        checks.check_series(pickups_by_hour, name="pickups_by_hour", n=5, hint="One value per hour of the night, 0 to 4.")
        if [int(h) for h in pickups_by_hour.index] != [0, 1, 2, 3, 4]:
            raise checks.CheckFailed("pickups_by_hour should be indexed by the hours 0..4 in order.")
        if not pd.api.types.is_integer_dtype(pickups_by_hour.dtype):
            raise checks.CheckFailed("pickups_by_hour should hold totals (whole numbers): use .sum().")
        checks.passed("pickups_by_hour has the right shape")
        """,
        r"""
        _ref = hourly["taxi_pickups"].groupby(hourly["hour"].to_numpy()).sum()
        checks.check_equal(pickups_by_hour.astype("int64").set_axis(range(5)), _ref.astype("int64").set_axis(range(5)),
                           name="pickups_by_hour")
        if int(pickups_by_hour.sum()) != int(hexes["taxi_pickups"].sum()):
            raise checks.CheckFailed("pickups_by_hour does not add up to all pick-ups.")
        """,
    ),
    text(
        "q3_task",
        r"""
        ## Question 3 (a computed indicator, 2 points)

        How concentrated is late-night demand? Compute **`top10_share_pct`**, a float: the
        **percentage** of all taxi pick-ups in `hexes` (column `taxi_pickups`) that fall in the
        **10 hexagons with the most pick-ups**.

        <details><summary>Hint</summary>

        `hexes["taxi_pickups"].nlargest(10).sum()` over `hexes["taxi_pickups"].sum()`, times 100.
        </details>
        """,
    ),
    answer(
        "q3",
        r"""
        pickups = hexes["taxi_pickups"]
        top10_share_pct = float(100 * pickups.nlargest(10).sum() / pickups.sum())
        """,
        skill="indicator",
    ),
    test(
        "q3",
        2,
        r"""
        checks.need("top10_share_pct")
        checks.check_type(top10_share_pct, checks.NUMBER_TYPES, name="top10_share_pct")
        if not 1 < top10_share_pct < 100:
            raise checks.CheckFailed("top10_share_pct should be a percentage of pick-ups, between 1 and 100.")
        checks.passed("top10_share_pct is a plausible percentage")
        """,
        r"""
        _p = hexes["taxi_pickups"].astype(float)
        checks.check_number(top10_share_pct, float(_p.sort_values().iloc[-10:].sum() * 100 / _p.sum()),
                            rtol=1e-6, name="top10_share_pct")
        """,
    ),
    text(
        "q4_task",
        r"""
        ## Question 4 (spatial: coverage within walking distance, 2 points)

        How much late-night demand can walk to an Owl Bus? Compute **`covered_pct`**, a float:
        the **percentage** of all taxi pick-ups in `hexes` that are in hexagons whose **centre**
        (`centre_lon`, `centre_lat`) lies **within 500 m** of any of the nine routes.

        Work in metres: project both layers to **EPSG:5179**, buffer the routes by 500 m, merge
        the buffers into one shape, and test each centre point with `.within(...)`.

        <details><summary>Hint</summary>

        `routes.to_crs(5179).buffer(500).union_all()` is one shape;
        `gpd.GeoSeries(gpd.points_from_xy(hexes["centre_lon"], hexes["centre_lat"]), crs=4326).to_crs(5179)`
        are the centres.
        </details>
        """,
    ),
    answer(
        "q4",
        r"""
        walk_zone = routes.to_crs(5179).buffer(500).union_all()
        centres = gpd.GeoSeries(gpd.points_from_xy(hexes["centre_lon"], hexes["centre_lat"]), crs=4326).to_crs(5179)
        covered = centres.within(walk_zone).to_numpy()
        covered_pct = float(100 * hexes.loc[covered, "taxi_pickups"].sum() / hexes["taxi_pickups"].sum())
        """,
        skill="spatial",
    ),
    test(
        "q4",
        2,
        r"""
        checks.need("covered_pct")
        checks.check_type(covered_pct, checks.NUMBER_TYPES, name="covered_pct")
        if not 1 < covered_pct < 99.9:
            raise checks.CheckFailed("covered_pct should be a percentage of pick-ups between 1 and 100: "
                                     "a buffer of 500 in degrees would cover everything.")
        checks.passed("covered_pct is a plausible percentage")
        """,
        r"""
        _zone = routes.to_crs(5179).geometry.buffer(500.0).union_all()
        _c = gpd.GeoSeries(gpd.points_from_xy(hexes["centre_lon"], hexes["centre_lat"]), crs=4326).to_crs(5179)
        _p = hexes["taxi_pickups"].astype(float)
        checks.check_number(covered_pct, float(_p[_c.within(_zone).to_numpy()].sum() * 100 / _p.sum()),
                            rtol=1e-3, name="covered_pct")
        """,
    ),
    text(
        "q5_task",
        r"""
        ## Question 5 (a function you write, 2 points)

        Write a function **`top_cells(table, column, k)`** that returns a **list** of the
        `hex_id` values of the `k` rows of `table` with the **largest** values in `column`,
        **largest first**. For example `top_cells(hexes, "calls", 3)` gives the three cells with
        the most late-night calls.

        <details><summary>Hint</summary>

        `table.nlargest(k, column)` keeps the k largest rows in order; `list(...["hex_id"])`
        turns a column into a list.
        </details>
        """,
    ),
    answer(
        "q5",
        r"""
        def top_cells(table, column, k):
            ### BEGIN SOLUTION
            return list(table.sort_values(column, ascending=False).head(k)["hex_id"])
            ### END SOLUTION
        """,
        skill="function",
    ),
    test(
        "q5",
        2,
        r"""
        checks.need("top_cells")
        _toy = pd.DataFrame({"hex_id": ["A", "B", "C", "D"], "calls": [5.0, 50.0, 20.0, 1.0]})
        checks.check_function(top_cells, [((_toy, "calls", 2), ["B", "C"])], name="top_cells",
                              hint="Largest values first, and return the hex_id values as a list.")
        checks.passed("top_cells")
        """,
        r"""
        _toy2 = pd.DataFrame({"hex_id": ["H1", "H2", "H3", "H4", "H5"], "n": [3, 9, 1, 7, 5]}, index=[10, 11, 12, 13, 14])
        checks.check_function(top_cells, [
            ((_toy2, "n", 3), ["H2", "H4", "H5"]),
            ((_toy2, "n", 1), ["H2"]),
            ((_toy2, "n", 0), []),
        ], name="top_cells", show_inputs=False)
        _want = list(hexes.sort_values("taxi_pickups", ascending=False)["hex_id"].iloc[:5])
        checks.check_function(top_cells, [((hexes, "taxi_pickups", 5), _want)], name="top_cells", show_inputs=False)
        """,
    ),
    text(
        "w1_task",
        r"""
        ## Question 6 (written, 3 points, graded by your instructor)

        In 3-5 sentences for the bus policy team: using `top10_share_pct`, `covered_pct` and the
        busiest cells (`top_cells(hexes, "taxi_pickups", 10)` and their `nearest_hot_spot`),
        is the 2013 network well placed for late-night demand in this data? Propose where one
        more route should go, and say how you would **evaluate** it after launch.

        *Rubric (3 points):* 1 point for a correct reading of the two indicators; 1 point for a
        route proposal that follows from the busiest uncovered cells; 1 point for a concrete
        evaluation plan (ridership per trip, demand covered, before/after taxi refusals, cost).
        """,
    ),
    written(
        "w1",
        3,
        r"""
        **Model answer (instructors only).** In this course's data about a tenth of late-night
        pick-ups happen in just 10 of about 1,200 hexagons, and a little under half lie within
        500 m of a route, so the network reaches the main corridors but leaves clusters
        uncovered. One more route should link the busiest cells outside the 500 m zone (the
        trainee names them from `top_cells` and `nearest_hot_spot`). After launch: riders per
        trip and per night by stop, the share of late-night demand covered, taxi-refusal
        complaints before and after, and cost per rider, reviewed after three months.

        **Grading notes.** Accept any route argued from the trainee's own outputs.
        """,
    ),
]
