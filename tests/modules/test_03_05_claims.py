"""What the text of modules 3 and 5 says about the data is what their notebooks compute.

Each test runs a notebook from a fresh kernel with one extra cell that reports its variables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from smartseoul.testing import notebooks

MODULES = Path(__file__).resolve().parents[2] / "modules"
M3 = MODULES / "03-owl-bus-case-study"
M5 = MODULES / "05-sustainable-cities"
def run_and_probe(path: Path, expression: str, setup: str = "", timeout: int = 300) -> dict:
    return notebooks.probe(path, expression, setup=setup, timeout=timeout, default=float)


def gi_star_by_loops(x: list[float], neighbours: list[set[int]]) -> list[float]:
    """Getis-Ord Gi* written out cell by cell (binary weights including the cell itself)."""
    n, mean = len(x), sum(x) / len(x)
    s = (sum(v * v for v in x) / n - mean**2) ** 0.5
    out = []
    for i in range(n):
        js = neighbours[i] | {i}
        w = len(js)
        out.append((sum(x[j] for j in js) - mean * w) / (s * ((n * w - w * w) / (n - 1)) ** 0.5))
    return out


@pytest.mark.slow
def test_owl_bus_hot_spots_gi_star_and_corridors():
    got = run_and_probe(
        M3 / "03a-finding-late-night-demand.ipynb",
        '{"gi_small": getis_ord_gi_star([1.0, 5.0, 2.0, 8.0, 3.0], __import__("scipy").sparse.csr_matrix('
        '[[1,1,0,0,0],[1,1,1,0,0],[0,1,1,1,0],[0,0,1,1,1],[0,0,0,1,1]])).tolist(),'
        ' "n_hot": int(hexes["gi_hot"].sum()), "both": int(both), "k": K,'
        ' "top_areas": clusters["area"].head(4).tolist(), "share_away": float(share_away),'
        ' "fri_sat_busier": bool(weekend_ratio > 1)}',
    )
    line = [{1}, {0, 2}, {1, 3}, {2, 4}, {3}]
    assert np.allclose(got["gi_small"], gi_star_by_loops([1.0, 5.0, 2.0, 8.0, 3.0], line))
    # the text: the methods "mostly agree, but not entirely"
    assert got["k"] / 2 < got["both"] < min(got["n_hot"], got["k"])
    # the largest clusters are at hot spots the city named in 2013 (fact owl-bus-hot-spots)
    named = {"홍대·합정", "동대문", "신림역", "역삼·강남", "시청·종로"}
    assert set(got["top_areas"]) <= named, got["top_areas"]
    assert got["fri_sat_busier"] and 0 < got["share_away"] < 1


@pytest.mark.slow
def test_owl_bus_coverage_and_the_proposed_route():
    got = run_and_probe(
        M3 / "03b-designing-and-testing-routes.ipynb",
        '{"cells": float(hexes["covered"].mean()), "demand": float(share_demand), "after": float(share_after),'
        ' "added": float(added_demand), "n_routes": len(per_route), "stops_uncovered": bool((~hexes.set_index("hex_id").loc[stops["hex_id"], "covered"]).all()),'
        ' "covid": float(change["taxi_pickups"]), "covid_bus": float(change["owl_bus_riders"])}',
    )
    assert got["n_routes"] == 9
    # "a much larger share of demand than of the city's area"
    assert got["demand"] > 1.3 * got["cells"]
    assert got["after"] > got["demand"] and got["added"] > 0
    assert got["stops_uncovered"], "the proposed stops are uncovered hexagons"
    # "the night bus held up far better than taxis under distancing"
    assert got["covid"] < got["covid_bus"] < 0


@pytest.mark.slow
def test_cctv_index_weights_and_spacing():
    got = run_and_probe(
        M3 / "03c-cctv-priority-index.ipynb",
        '{"n": len(sites), "min_gap": float(min(grid.centroid.iloc[a].distance(grid.centroid.iloc[b]) for a in sites for b in sites if a != b)),'
        ' "lo": float(grid["priority"].min()), "hi": float(grid["priority"].max()),'
        ' "top_is_max": bool(grid.loc[sites[0], "priority"] == grid["priority"].max()),'
        ' "zero_weights": _zero_weights,'
        ' "gap_only_top": float(grid.loc[pick_sites(grid, priority_index(grid, {"gap_m": 1}), n=1)[0], "gap_m"]),'
        ' "max_gap": float(grid["gap_m"].max())}',
        setup="try:\n    priority_index(grid, {k: 0 for k in WEIGHTS})\n    _zero_weights = 'accepted'\n"
        "except ValueError as e:\n    _zero_weights = str(e)",
    )
    assert "weight must be positive" in got["zero_weights"], "bad weights get a clear message"
    assert got["n"] == 10 and got["min_gap"] >= 400
    assert 0 <= got["lo"] < got["hi"] <= 1 and got["top_is_max"]
    # with all the weight on the camera gap, the first site is the cell farthest from any camera
    assert got["gap_only_top"] == pytest.approx(got["max_gap"])


@pytest.mark.slow
def test_air_quality_and_heat_claims():
    got = run_and_probe(
        M5 / "05a-air-quality-and-heat.ipynb",
        '{"who": WHO_DAY, "korea": KOREA_DAY, "who_y": WHO_YEAR, "korea_y": KOREA_YEAR, "worst": int(worst), "best": int(best),'
        ' "slope": float(trend.slope), "park": float(by_site["park"]), "commercial": float(by_site["commercial"]),'
        ' "r": float(fit.rvalue), "who_share": float(valid["over_who"].mean()), "korea_share": float(valid["over_korea"].mean())}',
    )
    assert (got["who"], got["korea"], got["who_y"], got["korea_y"]) == (15, 35, 5, 15)
    assert got["worst"] in (12, 1, 2, 3, 4) and got["best"] in (6, 7, 8, 9)   # "a winter-spring problem"
    assert got["slope"] < 0                                                      # "downward drift"
    assert got["who_share"] > 2 * got["korea_share"]                             # "many days ... far fewer"
    assert got["commercial"] - got["park"] > 1                                   # "clearly cooler nights" in parks
    assert -0.7 < got["r"] < -0.1                                               # "greener dongs do have cooler nights", weaker than the site gap


@pytest.mark.slow
def test_co2_and_equity_claims():
    got = run_and_probe(
        M5 / "05b-low-carbon-mobility-and-equity.ipynb",
        '{"under4": float((km < 4).mean()), "central": float(central), "car_taxi_rides": MODE_SHIFT["car"] + MODE_SHIFT["taxi"],'
        ' "car_taxi_saving": float((contribution["car"] + contribution["taxi"]) / contribution[contribution > 0].sum()),'
        ' "bad_shares": _bad_shares,'
        ' "city_share": float(city_share), "n_low": int((dongs["share_within"] < 0.5).sum()),'
        ' "doubled": float(estimate({**MODE_SHIFT, "car": MODE_SHIFT["car"] * 2, "walk": MODE_SHIFT["walk"] - MODE_SHIFT["car"]})),'
        ' "outside_sorted": bool(priority["older_outside"].is_monotonic_decreasing)}',
        setup="try:\n    estimate({**MODE_SHIFT, 'car': 0.5})\n    _bad_shares = 'accepted'\n"
        "except ValueError as e:\n    _bad_shares = str(e)",
    )
    assert abs(got["under4"] - 0.71) < 0.05   # "as in Seoul's own statistics (71 % under 4 km)"
    assert got["central"] > 0 and got["doubled"] > got["central"]
    assert "add up to 1" in got["bad_shares"], "shares that do not add up get a clear message"
    # "a small share of all rides, yet a large part of the saving"
    assert got["car_taxi_saving"] > 2 * got["car_taxi_rides"]
    assert 0.5 < got["city_share"] < 1 and got["n_low"] > 0 and got["outside_sorted"]
