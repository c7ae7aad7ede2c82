"""facilities and green_space: public facilities as points and green-space share per dong, for
the access and equity analyses of module 5 (heat, ageing, parks).

Synthetic, driven by the one shared population: senior centres (경로당) follow older residents;
cooling shelters (무더위쉼터) mostly sit in senior centres and community centres and also follow
older residents, but unevenly (some districts provide more than others, and a few dongs with
many older residents are clearly under-served: that is the equity lesson). Green space comes
from the mountains on the city's edges, Namsan, the big parks and the Han River parks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon

from .. import city, definitions
from ..spec import Output

DATASET = "facilities"

#: Target counts (synthetic; order of magnitude of the real city, not official totals).
N_SENIOR_CENTRES = 3400
N_COOLING_SHELTERS = 3600
N_LIBRARIES_PUBLIC = 190
N_LIBRARIES_SMALL = 650
N_WIFI = 4200
N_WIFI_KKACHI_ON = 1780  # new Kkachi-on APs in 5 pilot gu, 2020 (fact kkachi-on-aps-2020, approximate)
N_CCTV = 3500

KKACHI_ON_GU = ("11200", "11530", "11380", "11500", "11320")  # Seongdong, Guro, Eunpyeong, Gangseo, Dobong
TYPES = ("cooling_shelter", "senior_centre", "library", "public_wifi", "cctv")

#: Mountains and forests (name, lat, lon, radius m, peak forest share): our approximate centres.
MOUNTAINS = [
    ("북한산", 37.6400, 126.9850, 2300, 0.95),
    ("북한산 서쪽 (진관)", 37.6450, 126.9450, 1400, 0.9),
    ("도봉산", 37.6850, 127.0250, 1500, 0.95),
    ("수락산", 37.6850, 127.0750, 1300, 0.9),
    ("불암산", 37.6550, 127.0900, 1000, 0.85),
    ("인왕산·북악산", 37.5920, 126.9680, 1200, 0.8),
    ("안산", 37.5760, 126.9440, 700, 0.7),
    ("봉산·앵봉산", 37.6150, 126.9050, 900, 0.7),
    ("남산", 37.5510, 126.9880, 950, 0.85),
    ("관악산", 37.4550, 126.9550, 1900, 0.95),
    ("우면산", 37.4700, 127.0100, 1000, 0.85),
    ("청계산", 37.4450, 127.0450, 1300, 0.9),
    ("대모산·구룡산", 37.4750, 127.0750, 1100, 0.85),
    ("아차산", 37.5600, 127.1000, 800, 0.75),
    ("개화산", 37.5800, 126.8050, 700, 0.6),
    ("일자산", 37.5300, 127.1550, 700, 0.55),
    ("배봉산", 37.5800, 127.0650, 450, 0.5),
    ("서달산·국립서울현충원", 37.5000, 126.9700, 700, 0.6),
    ("매봉산·응봉산", 37.5500, 127.0250, 500, 0.45),
]
#: Large urban parks (name, lat, lon, radius m, peak park share).
PARKS = [
    ("올림픽공원", 37.5207, 127.1214, 700, 0.8),
    ("서울숲", 37.5444, 127.0374, 550, 0.8),
    ("보라매공원", 37.4927, 126.9199, 450, 0.7),
    ("월드컵공원", 37.5680, 126.8850, 900, 0.75),
    ("어린이대공원", 37.5480, 127.0816, 500, 0.75),
    ("용산가족공원", 37.5230, 126.9850, 700, 0.6),
    ("서울대공원 인근", 37.4400, 127.0100, 600, 0.5),
    ("북서울꿈의숲", 37.6200, 127.0400, 550, 0.7),
    ("푸른수목원·항동", 37.4800, 126.8250, 450, 0.6),
    ("여의도공원", 37.5260, 126.9220, 350, 0.6),
]
#: The Han River, west to east (approximate centre line); riverside parks line both banks.
HAN_RIVER = [
    (37.5950, 126.7900),
    (37.5800, 126.8200),
    (37.5700, 126.8500),
    (37.5560, 126.8850),
    (37.5420, 126.9100),
    (37.5320, 126.9350),
    (37.5200, 126.9600),
    (37.5140, 126.9800),
    (37.5150, 127.0000),
    (37.5270, 127.0200),
    (37.5300, 127.0450),
    (37.5230, 127.0700),
    (37.5250, 127.0900),
    (37.5400, 127.1100),
    (37.5520, 127.1350),
    (37.5650, 127.1600),
    (37.5800, 127.1850),
]


def _to_metric(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    pts = gpd.GeoSeries(
        gpd.points_from_xy(np.atleast_1d(lon), np.atleast_1d(lat)), crs=city.CRS_WGS84
    ).to_crs(city.CRS_METRIC)
    return pts.x.to_numpy(), pts.y.to_numpy()


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to weights that add up exactly to total."""
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    rest = int(total - out.sum())
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


def _points_in(
    polys: np.ndarray,
    counts: np.ndarray,
    rng: np.random.Generator,
    attract: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Random points inside each polygon (a 25 m inner margin), counts[i] in polygon i.

    With ``attract`` (x, y, sigma), points prefer places near those x/y (e.g. busy streets)."""
    xs, ys = [], []
    for poly, k in zip(polys, counts):
        if k == 0:
            continue
        inner = poly.simplify(2.0).buffer(-25.0)
        if inner.is_empty or inner.area < 0.3 * poly.area:  # GEOS can collapse a thin or odd cell
            inner = poly
        minx, miny, maxx, maxy = inner.bounds
        got_x: list[np.ndarray] = []
        got_y: list[np.ndarray] = []
        have = 0
        while have < k:
            m = max(4 * (k - have), 16)
            cx = rng.uniform(minx, maxx, m)
            cy = rng.uniform(miny, maxy, m)
            ok = shapely.contains_xy(inner, cx, cy)
            if attract is not None:
                ax, ay, sig = attract
                d2 = np.min((cx[:, None] - ax[None, :]) ** 2 + (cy[:, None] - ay[None, :]) ** 2, axis=1)
                ok &= rng.random(m) < 0.25 + 0.75 * np.exp(-d2 / (2 * sig**2))
            got_x.append(cx[ok])
            got_y.append(cy[ok])
            have += int(ok.sum())
        xs.append(np.concatenate(got_x)[:k])
        ys.append(np.concatenate(got_y)[:k])
    return np.concatenate(xs), np.concatenate(ys)


def _stem(dong_name: str) -> str:
    """청운효자동 -> 청운효자, 상일제1동 -> 상일1, 종로1·2·3·4가동 -> 종로."""
    s = dong_name[:-1] if dong_name.endswith("동") else dong_name
    s = s.replace("제", "")
    if "·" in s:
        s = s.split("·")[0].rstrip("0123456789")
    return s


# -- green space ----------------------------------------------------------------------------
def green_space(dongs: gpd.GeoDataFrame, pop: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Forest, park and riverside-park shares per dong from a 100 m raster of the simulated city."""
    outline = gpd.GeoSeries([Polygon(city.OUTLINE)], crs=city.CRS_WGS84).to_crs(city.CRS_METRIC).iloc[0]
    minx, miny, maxx, maxy = outline.bounds
    step = 100.0
    grid_x, grid_y = np.meshgrid(
        np.arange(minx + step / 2, maxx, step), np.arange(miny + step / 2, maxy, step)
    )
    gx, gy = grid_x.ravel(), grid_y.ravel()
    inside = shapely.contains_xy(outline, gx, gy)
    gx, gy = gx[inside], gy[inside]

    def bumps(items):
        lat = np.array([m[1] for m in items])
        lon = np.array([m[2] for m in items])
        mx, my = _to_metric(lat, lon)
        rad = np.array([m[3] for m in items], dtype=float)
        peak = np.array([m[4] for m in items])
        d2 = (gx[:, None] - mx[None, :]) ** 2 + (gy[:, None] - my[None, :]) ** 2
        return np.max(peak[None, :] * np.exp(-((d2 / rad[None, :] ** 2) ** 1.5)), axis=1)

    forest = bumps(MOUNTAINS)
    park = bumps(PARKS)
    rx, ry = _to_metric([p[0] for p in HAN_RIVER], [p[1] for p in HAN_RIVER])
    river = LineString(np.c_[rx, ry])
    dist = shapely.distance(river, shapely.points(gx, gy))
    # water within ~450 m of the centre line; riverside parks in the next ~250 m on each bank
    river_park = np.where((dist > 420) & (dist < 680), 0.55, 0.0)
    water = dist <= 420
    # every cell: a little greenery (small parks, street trees), patchy
    small = rng.beta(1.5, 10.0, len(gx))
    cells = gpd.GeoDataFrame(
        {"forest": forest, "park": park, "river_park": river_park, "small": small, "water": water},
        geometry=gpd.points_from_xy(gx, gy),
        crs=city.CRS_METRIC,
    )
    joined = gpd.sjoin(cells, dongs[["dong_code", "geometry"]], how="inner", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    # land cells only: the river itself is not land; each cell's cover is capped at 1
    land = joined[~joined["water"]].copy()
    cover = land[["forest", "park", "river_park"]].to_numpy()
    scale = np.minimum(1.0, 0.97 / np.maximum(cover.sum(axis=1), 1e-9))
    land[["forest", "park", "river_park"]] = cover * scale[:, None]
    agg = land.groupby("dong_code").agg(
        forest=("forest", "mean"),
        park=("park", "mean"),
        river_park=("river_park", "mean"),
        small=("small", "mean"),
        n=("forest", "size"),
    )
    agg = agg.reindex(dongs["dong_code"]).fillna(
        {"forest": 0.0, "park": 0.0, "river_park": 0.0, "small": 0.05, "n": 0}
    )
    business = pop.set_index("dong_code").reindex(dongs["dong_code"])["land_use"].to_numpy() == "business"
    small_share = agg["small"].to_numpy() * np.where(business, 0.5, 1.0)
    park_share = agg["park"].to_numpy() + small_share
    forest_share = agg["forest"].to_numpy()
    river_share = agg["river_park"].to_numpy()
    total = np.clip(forest_share + park_share + river_share, 0, 0.97)
    land_km2 = dongs.geometry.area.to_numpy() / 1e6
    land_share = (
        joined.groupby("dong_code")["water"]
        .apply(lambda s: 1 - s.mean())
        .reindex(dongs["dong_code"])
        .fillna(1.0)
        .to_numpy()
    )
    land_km2 = land_km2 * land_share
    residents = pop.set_index("dong_code").reindex(dongs["dong_code"])["population"].to_numpy()
    green_m2 = total * land_km2 * 1e6
    return pd.DataFrame(
        {
            "dong_code": dongs["dong_code"].to_numpy(),
            "gu_code": dongs["gu_code"].to_numpy(),
            "dong_name": dongs["dong_name"].to_numpy(),
            "land_area_km2": np.round(land_km2, 3),
            "green_share": np.round(total, 3),
            "forest_share": np.round(forest_share, 3),
            "park_share": np.round(park_share, 3),
            "river_park_share": np.round(river_share, 3),
            "green_m2_per_resident": np.round(green_m2 / np.maximum(residents, 1), 1),
        }
    )


# -- facilities -------------------------------------------------------------------------------
def facilities(dongs: gpd.GeoDataFrame, pop: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    d = dongs.merge(
        pop[["dong_code", "population", "pop_65_plus", "land_use", "daytime_ratio"]],
        on="dong_code",
        how="left",
    )
    d = d.sort_values("dong_code").reset_index(drop=True)
    polys = d.geometry.to_numpy()
    nd = len(d)
    older = d["pop_65_plus"].to_numpy(dtype=float)
    residents = d["population"].to_numpy(dtype=float)
    daytime = residents * d["daytime_ratio"].to_numpy(dtype=float)
    stems = [_stem(n) for n in d["dong_name"]]
    gu_codes = d["gu_code"].to_numpy()
    gu_name = dict(zip(city.gu_facts()["code"], city.gu_facts()["name_ko"]))
    rows: list[pd.DataFrame] = []

    def frame(kind, subtype, dong_idx, x, y, names, capacity=None, cameras=None, host=None):
        return pd.DataFrame(
            {
                "facility_type": kind,
                "subtype": subtype,
                "name": names,
                "gu_code": gu_codes[dong_idx],
                "dong_code": d["dong_code"].to_numpy()[dong_idx],
                "x": x,
                "y": y,
                "capacity": capacity
                if capacity is not None
                else pd.array([pd.NA] * len(dong_idx), dtype="Int64"),
                "cameras": cameras
                if cameras is not None
                else pd.array([pd.NA] * len(dong_idx), dtype="Int64"),
                "host_id": host if host is not None else pd.array([pd.NA] * len(dong_idx), dtype="string"),
            }
        )

    # senior centres (경로당): follow older residents
    sc_counts = _split(N_SENIOR_CENTRES, older * rng.lognormal(0.0, 0.25, nd))
    sc_idx = np.repeat(np.arange(nd), sc_counts)
    sx, sy = _points_in(polys, sc_counts, rng)
    k_in_dong = np.concatenate([np.arange(1, c + 1) for c in sc_counts if c])
    sc_names = [
        f"{stems[i]} 제{k}경로당" if sc_counts[i] > 1 else f"{stems[i]}경로당"
        for i, k in zip(sc_idx, k_in_dong)
    ]
    sc_cap = (rng.integers(2, 9, len(sc_idx)) * 5).astype(np.int64)
    seniors = frame(
        "senior_centre", "경로당", sc_idx, sx, sy, sc_names, capacity=pd.array(sc_cap, dtype="Int64")
    )
    seniors["facility_id"] = [
        f"SC-{g}-{j:04d}" for g, j in zip(seniors["gu_code"], seniors.groupby("gu_code").cumcount() + 1)
    ]
    rows.append(seniors)

    # cooling shelters (무더위쉼터): follow older residents, unevenly
    gu_effort = {g: rng.lognormal(0.0, 0.30) for g in sorted(set(gu_codes))}
    effort = np.array([gu_effort[g] for g in gu_codes]) * rng.lognormal(0.0, 0.30, nd)
    rank = older.argsort().argsort() / (nd - 1)
    underserved = (rank > 0.5) & (rng.random(nd) < 0.14)
    effort = np.where(underserved, effort * 0.25, effort)
    cs_counts = np.maximum(_split(N_COOLING_SHELTERS, older * effort), 1)
    cs_rows = []
    sen_by_dong = {i: seniors.index[sc_idx == i].to_numpy() for i in range(nd)}
    for i in range(nd):
        c = int(cs_counts[i])
        avail = sen_by_dong[i]
        n_sen = min(len(avail), round(c * rng.uniform(0.55, 0.8)))
        chosen = rng.choice(avail, n_sen, replace=False) if n_sen else np.array([], dtype=int)
        chosen = np.sort(chosen)
        for j in chosen:
            s = seniors.loc[j]
            cs_rows.append((i, "경로당", s["name"], s["x"], s["y"], int(s["capacity"]), s["facility_id"]))
        rest = c - n_sen
        if rest:
            hosts = ["주민센터"] + list(
                rng.choice(
                    ["복지관", "은행", "교회·성당", "아파트 관리동", "구청·공공시설", "도서관"],
                    rest - 1,
                    p=[0.3, 0.2, 0.15, 0.15, 0.1, 0.1],
                )
            )
            px, py = _points_in(np.array([polys[i]]), np.array([rest]), rng)
            for h, x, y in zip(hosts, px, py):
                name = {
                    "주민센터": f"{d['dong_name'][i]} 주민센터",
                    "복지관": f"{stems[i]} 종합사회복지관",
                    "은행": f"{stems[i]} {rng.choice(['새마을금고', '농협', '신협', '우리은행', '국민은행'])}",
                    "교회·성당": f"{stems[i]}{rng.choice(['교회', '성당'])}",
                    "아파트 관리동": f"{stems[i]} {rng.choice(['현대', '래미안', '주공', '한신', '삼성'])}아파트 관리동",
                    "구청·공공시설": f"{gu_name[gu_codes[i]]} {stems[i]} 공공시설",
                    "도서관": f"{stems[i]} 작은도서관",
                }[h]
                cap = int(rng.integers(4, 21) * 5) if h != "은행" else int(rng.integers(2, 7) * 5)
                cs_rows.append((i, h, name, x, y, cap, None))
    cs = pd.DataFrame(cs_rows, columns=["i", "subtype", "name", "x", "y", "capacity", "host_id"])
    shelters = frame(
        "cooling_shelter",
        cs["subtype"].to_numpy(),
        cs["i"].to_numpy(),
        cs["x"].to_numpy(),
        cs["y"].to_numpy(),
        cs["name"].to_numpy(),
        capacity=pd.array(cs["capacity"].to_numpy(), dtype="Int64"),
        host=pd.array(cs["host_id"].to_numpy(), dtype="string"),
    )
    shelters["facility_id"] = [
        f"CS-{g}-{j:04d}" for g, j in zip(shelters["gu_code"], shelters.groupby("gu_code").cumcount() + 1)
    ]
    rows.append(shelters)

    # libraries: public (구립) libraries spread by residents; small libraries (작은도서관) too
    pl = _split(N_LIBRARIES_PUBLIC, residents * rng.lognormal(0.0, 0.5, nd))
    sl = _split(N_LIBRARIES_SMALL, residents * rng.lognormal(0.0, 0.5, nd))
    lib_parts = []
    for counts, sub in ((pl, "public"), (sl, "small")):
        idx = np.repeat(np.arange(nd), counts)
        lx, ly = _points_in(polys, counts, rng)
        names = [
            f"{gu_name[gu_codes[i]]}립 {stems[i]}도서관" if sub == "public" else f"{stems[i]} 작은도서관"
            for i in idx
        ]
        lib_parts.append(frame("library", sub, idx, lx, ly, names))
    libs = pd.concat(lib_parts, ignore_index=True)
    libs["facility_id"] = [
        f"LB-{g}-{j:04d}" for g, j in zip(libs["gu_code"], libs.groupby("gu_code").cumcount() + 1)
    ]
    rows.append(libs)

    # public Wi-Fi: legacy APs follow the daytime crowd; Kkachi-on APs in the five pilot gu
    pilot = np.isin(gu_codes, KKACHI_ON_GU)
    legacy = _split(N_WIFI - N_WIFI_KKACHI_ON, daytime * rng.lognormal(0.0, 0.4, nd))
    kkachi = _split(N_WIFI_KKACHI_ON, np.where(pilot, daytime * rng.lognormal(0.0, 0.3, nd), 0.0))
    wifi_parts = []
    places = np.array(["버스정류장", "공원", "전통시장", "지하철역 출구", "거리", "주민센터", "광장"])
    for counts, sub in ((legacy, "public_wifi"), (kkachi, "kkachi_on")):
        idx = np.repeat(np.arange(nd), counts)
        wx, wy = _points_in(polys, counts, rng)
        pl_names = rng.choice(places, len(idx))
        names = [f"{stems[i]} {p}" for i, p in zip(idx, pl_names)]
        wifi_parts.append(frame("public_wifi", sub, idx, wx, wy, names))
    wifi = pd.concat(wifi_parts, ignore_index=True)
    wifi["facility_id"] = [
        f"WF-{g}-{j:05d}" for g, j in zip(wifi["gu_code"], wifi.groupby("gu_code").cumcount() + 1)
    ]
    rows.append(wifi)

    # CCTV (a sample): by residents, more where residents are many and streets are residential
    purposes = np.array(["생활방범", "어린이보호", "차량방범", "쓰레기단속", "시설물관리"])
    cc = _split(N_CCTV, residents * rng.lognormal(0.0, 0.35, nd))
    idx = np.repeat(np.arange(nd), cc)
    cx, cy = _points_in(polys, cc, rng)
    purpose = rng.choice(purposes, len(idx), p=[0.62, 0.18, 0.08, 0.07, 0.05])
    cams = pd.array(
        rng.choice([1, 2, 3, 4], len(idx), p=[0.45, 0.3, 0.15, 0.1]).astype(np.int64), dtype="Int64"
    )
    names = [f"{stems[i]} {s} CCTV" for i, s in zip(idx, purpose)]
    cctv = frame("cctv", purpose, idx, cx, cy, names, cameras=cams)
    cctv["facility_id"] = [
        f"CC-{g}-{j:05d}" for g, j in zip(cctv["gu_code"], cctv.groupby("gu_code").cumcount() + 1)
    ]
    rows.append(cctv)

    out = pd.concat(rows, ignore_index=True)
    pts = gpd.GeoSeries(gpd.points_from_xy(out["x"], out["y"]), crs=city.CRS_METRIC).to_crs(city.CRS_WGS84)
    out["lat"] = np.round(pts.y.to_numpy(), 6)
    out["lon"] = np.round(pts.x.to_numpy(), 6)
    cols = [
        "facility_id",
        "facility_type",
        "subtype",
        "name",
        "gu_code",
        "dong_code",
        "lat",
        "lon",
        "capacity",
        "cameras",
        "host_id",
    ]
    order = {t: i for i, t in enumerate(TYPES)}
    out = out.assign(_t=out["facility_type"].map(order)).sort_values(["_t", "facility_id"], kind="stable")
    return out[cols].reset_index(drop=True)


def build(ctx) -> list[Output]:
    dongs = ctx.get("geography", "dongs")
    pop = ctx.get("geography", "dong_population")
    fac = facilities(dongs, pop, ctx.rng("facilities"))
    green = green_space(dongs.sort_values("dong_code").reset_index(drop=True), pop, ctx.rng("green_space"))
    return [
        Output(definitions.resource(DATASET, "facilities"), fac),
        Output(definitions.resource(DATASET, "green_space"), green),
    ]
