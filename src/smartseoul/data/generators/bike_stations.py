"""bike_stations: about 2,700 Ttareungyi (따릉이) rental stations, shaped like the city's station
master (공공자전거 대여소 정보, OA-13252).

Synthetic: the 2015 launch puts 150 stations in the five hubs named in the facts (4대문 안, 여의도,
상암, 신촌, 성수); later stations follow the population of each dong, with extra density where
the facts put the busiest districts (Gangseo/Magok, Songpa, Yeongdeungpo). Names are made up
from real place names (subway stations, dong names) and common patterns; they are not real
stations. Points are drawn inside their dong's (approximate) polygon."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import city, definitions
from ..spec import Output

DATASET = "bike_stations"
AS_OF_RAW = pd.Timestamp("2023-06-30")  # the raw master imitates '공공자전거 대여소 정보_23_06.csv'

#: Approximate number of stations in service at the end of each year. 2015 (150) and about
#: 2,700 by 2023-24 are facts; the years between are a smooth course estimate.
STATIONS_BY_YEAR_END = {
    2015: 150,
    2016: 450,
    2017: 1290,
    2018: 1540,
    2019: 2050,
    2020: 2250,
    2021: 2550,
    2022: 2650,
    2023: 2720,
}
N_STATIONS = STATIONS_BY_YEAR_END[2023]
BLOCK = 340  # station numbers: 101-250 for the 2015 launch, then a block of numbers per district

#: The five 2015 launch hubs (fact bike-launch-2015 on the sources page): the dongs they cover and how many of the 150
#: launch stations each gets (the split is a course estimate).
HUBS = {
    "4대문 안": (
        [
            "사직동",
            "종로1·2·3·4가동",
            "종로5·6가동",
            "청운효자동",
            "삼청동",
            "소공동",
            "명동",
            "회현동",
            "을지로동",
            "광희동",
            "필동",
        ],
        45,
    ),
    "여의도": (["여의동"], 30),
    "상암": (["상암동"], 25),
    "신촌": (["신촌동", "서교동", "대흥동", "연희동"], 25),
    "성수": (["성수1가1동", "성수1가2동", "성수2가1동", "성수2가3동"], 25),
}

#: District weights on top of population: the busiest gu of 2023 in the facts (Gangseo with
#: Magok, Songpa, Yeongdeungpo) and the hub districts get more stations (course estimate).
GU_DENSITY = {
    "강서구": 1.9,
    "송파구": 1.45,
    "영등포구": 2.0,
    "마포구": 1.3,
    "성동구": 1.25,
    "종로구": 1.2,
    "중구": 1.2,
    "광진구": 1.1,
    "서초구": 1.1,
    "강남구": 1.1,
    "양천구": 1.05,
}

#: Named stations that the facts single out (2019 top stations; 2023 morning hot spots around
#: Magok, 신도림 and 대방). Names reuse real place names; rows and figures are synthetic.
TOP_STATIONS = [
    # (name, dong, weekend leisure?, popularity multiplier)
    ("뚝섬유원지역 1번출구 앞", "자양3동", True, 11.0),
    ("여의나루역 1번출구 앞", "여의동", True, 10.0),
    ("고속터미널역 8-1번, 8-2번 출구 사이", "반포4동", False, 10.0),
    ("마곡나루역 2번 출구", "가양1동", False, 4.5),
    ("마곡역 교차로", "발산1동", False, 4.0),
    ("발산역 1번, 9번 출구 사이", "발산1동", False, 3.5),
    ("신도림역 1번 출구 앞", "신도림동", False, 5.0),
    ("대방역 6번 출구", "대방동", False, 4.5),
    ("망원역 1번출구 앞", "망원1동", False, 3.0),
    ("잠실새내역 5번 출구 뒤", "잠실본동", False, 3.5),
    ("월드컵공원 평화의공원 입구", "상암동", True, 3.5),
    ("롯데월드타워(잠실역 2번출구 쪽)", "잠실3동", True, 3.5),
]

#: Real subway station names by gu, used only as material for plausible station names.
SUBWAY_BY_GU = {
    "종로구": "광화문 종각 종로3가 종로5가 동대문 혜화 안국 경복궁 독립문 동묘앞 창신",
    "중구": "시청 을지로입구 을지로3가 을지로4가 명동 회현 충무로 동대입구 약수 신당 청구",
    "용산구": "용산 삼각지 이태원 녹사평 한강진 숙대입구 효창공원앞 신용산 이촌 서빙고 한남",
    "성동구": "왕십리 성수 뚝섬 서울숲 행당 옥수 금호 마장 상왕십리 응봉",
    "광진구": "건대입구 구의 강변 군자 아차산 광나루 어린이대공원 중곡",
    "동대문구": "청량리 회기 외대앞 신설동 제기동 용두 장한평 답십리 신이문",
    "중랑구": "상봉 망우 면목 사가정 용마산 중화 먹골 양원 중랑",
    "성북구": "성신여대입구 한성대입구 고려대 월곡 상월곡 돌곶이 길음 보문 안암",
    "강북구": "미아 미아사거리 수유 북한산우이 솔샘 삼양",
    "도봉구": "쌍문 창동 방학 도봉 도봉산",
    "노원구": "노원 상계 중계 하계 공릉 태릉입구 마들 수락산 월계 석계",
    "은평구": "연신내 불광 구산 응암 역촌 녹번 구파발 새절 증산",
    "서대문구": "신촌 이대 아현 충정로 서대문 홍제 무악재 가좌",
    "마포구": "홍대입구 합정 망원 마포구청 상수 광흥창 마포 공덕 애오개 대흥 월드컵경기장 디지털미디어시티",
    "양천구": "목동 오목교 신정 신정네거리 까치산 신목동 양천구청",
    "강서구": "마곡나루 마곡 발산 우장산 화곡 가양 증미 등촌 염창 공항시장 신방화 김포공항 개화산 송정",
    "구로구": "신도림 구로 구로디지털단지 대림 구일 개봉 오류동 온수 남구로 천왕",
    "금천구": "가산디지털단지 독산 금천구청",
    "영등포구": "여의도 여의나루 샛강 국회의사당 당산 영등포구청 영등포시장 문래 영등포 신길 선유도 양평 신풍",
    "동작구": "노량진 노들 흑석 동작 총신대입구 사당 상도 장승배기 숭실대입구 보라매 신대방삼거리",
    "관악구": "서울대입구 봉천 신림 낙성대 서원 당곡 관악산",
    "서초구": "고속터미널 교대 서초 방배 남부터미널 양재 신논현 사평 내방 구반포 신반포 양재시민의숲",
    "강남구": "강남 역삼 선릉 삼성 신사 압구정 논현 학동 강남구청 청담 대치 도곡 매봉 수서 일원 대모산입구",
    "송파구": "잠실 잠실새내 종합운동장 석촌 송파 가락시장 문정 장지 복정 방이 오금 개롱 거여 마천 몽촌토성 한성백제",
    "강동구": "천호 강동 길동 굽은다리 명일 고덕 상일동 암사 둔촌동 강동구청",
}

#: Road names by gu for the synthetic street addresses of the raw master file.
ROADS_BY_GU = {
    "종로구": "종로 세종대로 율곡로 대학로 창경궁로",
    "중구": "을지로 퇴계로 다산로 남대문로 세종대로",
    "용산구": "한강대로 이태원로 원효로 녹사평대로",
    "성동구": "왕십리로 성수이로 뚝섬로 고산자로",
    "광진구": "능동로 아차산로 광나루로 자양로",
    "동대문구": "왕산로 천호대로 답십리로 회기로",
    "중랑구": "망우로 동일로 용마산로 봉화산로",
    "성북구": "보문로 동소문로 정릉로 종암로",
    "강북구": "도봉로 삼양로 솔샘로 오패산로",
    "도봉구": "도봉로 마들로 방학로 노해로",
    "노원구": "동일로 노원로 한글비석로 공릉로",
    "은평구": "통일로 연서로 은평로 진흥로",
    "서대문구": "연세로 신촌로 통일로 수색로 연희로",
    "마포구": "월드컵로 양화로 마포대로 독막로 월드컵북로",
    "양천구": "목동로 오목로 신월로 안양천로",
    "강서구": "공항대로 강서로 마곡중앙로 화곡로 양천로",
    "구로구": "디지털로 구로중앙로 경인로 새말로",
    "금천구": "시흥대로 가산디지털로 독산로 벚꽃로",
    "영등포구": "여의대로 국제금융로 영등포로 당산로 도림로",
    "동작구": "노량진로 상도로 동작대로 사당로",
    "관악구": "관악로 남부순환로 신림로 봉천로",
    "서초구": "서초대로 반포대로 강남대로 방배로 사평대로",
    "강남구": "테헤란로 도산대로 논현로 봉은사로 언주로",
    "송파구": "올림픽로 송파대로 양재대로 백제고분로 위례성대로",
    "강동구": "천호대로 양재대로 올림픽로 상일로 고덕로",
}

_DONG_PATTERNS = [
    "{dong} 주민센터 앞",
    "{base}초등학교 앞",
    "{base}중학교 정문",
    "{base}사거리",
    "{base}삼거리",
    "{base}근린공원 입구",
    "{base}시장 입구",
    "{base}우체국 앞",
    "{base}도서관 앞",
    "{base}어린이공원",
    "{base}아파트 정문 앞",
    "{base}현대아파트 앞",
    "{base}래미안 앞",
    "{base}푸르지오 후문",
    "{base}교회 앞",
    "{base}파출소 옆",
    "{base}보건소 앞",
    "{base}버스정류장 앞",
    "{base}체육공원",
    "{base}공영주차장 옆",
    "{base}문화센터 앞",
    "{base}새마을금고 앞",
]
_SUBWAY_PATTERNS = ["{stn}역 {k}번출구 앞", "{stn}역 {k}번 출구 뒤", "{stn}역 {k}번출구 옆", "{stn}역 사거리"]
_LEISURE_WORDS = ("공원", "유원지", "한강", "체육")


def dong_base(name: str) -> str:
    """'화곡1동' -> '화곡', '종로1·2·3·4가동' -> '종로', '상일제1동' -> '상일', '반포본동' -> '반포'."""
    base = re.sub(r"(제?[\d·]+가?[\d·]*동|본동|동)$", "", name)
    return base if len(base) >= 2 else name


def _station_names(
    rng: np.random.Generator, gu_names: np.ndarray, dong_names: np.ndarray, fixed: dict[int, str]
) -> list[str]:
    """Unique, plausible Korean station names (invented; not a list of real stations)."""
    taken = set(fixed.values())
    names: list[str] = []
    for i, (gu, dong) in enumerate(zip(gu_names, dong_names)):
        if i in fixed:
            names.append(fixed[i])
            continue
        subway = SUBWAY_BY_GU.get(gu, "").split()
        name = None
        for _attempt in range(12):
            if subway and rng.random() < 0.35:
                pat = _SUBWAY_PATTERNS[int(rng.integers(len(_SUBWAY_PATTERNS)))]
                cand = pat.format(stn=subway[int(rng.integers(len(subway)))], k=int(rng.integers(1, 10)))
            else:
                pat = _DONG_PATTERNS[int(rng.integers(len(_DONG_PATTERNS)))]
                cand = pat.format(dong=dong, base=dong_base(dong))
            if cand not in taken:
                name = cand
                break
        if name is None:
            base = cand
            k = 2
            while f"{base} {k}" in taken:
                k += 1
            name = f"{base} {k}"
        taken.add(name)
        names.append(name)
    return names


def _points_in(polys: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform random points inside each polygon (rejection sampling, metric CRS), kept a few
    metres inside the boundary so that rounded WGS84 coordinates still fall in their dong."""
    out = []
    for poly, n in zip(polys, counts):
        if n == 0:
            continue
        inner = poly.buffer(-15)
        if inner.is_empty or inner.area < 0.2 * poly.area:
            inner = poly
        minx, miny, maxx, maxy = inner.bounds
        pts = np.empty((0, 2))
        while len(pts) < n:
            cand = np.column_stack([rng.uniform(minx, maxx, 4 * n + 8), rng.uniform(miny, maxy, 4 * n + 8)])
            ok = shapely.contains_xy(inner, cand[:, 0], cand[:, 1])
            pts = np.vstack([pts, cand[ok]])
        out.append(pts[:n])
    return np.vstack(out)


def simulate(ctx) -> pd.DataFrame:
    """The station table, with the hidden attributes the rental simulation needs (popularity,
    weekend behaviour) kept in columns starting with an underscore."""
    rng = ctx.rng("bike_stations")
    dongs = ctx.get("geography", "dongs").reset_index(drop=True)
    pop = ctx.get("geography", "dong_population").set_index("dong_code")
    dongs = dongs.join(pop[["population", "land_use"]], on="dong_code")
    gu = city.gu_facts().set_index("code")

    # -- how many stations per dong: 150 launch stations in the hubs, the rest by population
    launch = np.zeros(len(dongs), dtype=np.int64)
    hub_of = np.full(len(dongs), "", dtype=object)
    for hub, (hub_dongs, n) in HUBS.items():
        idx = np.flatnonzero(dongs["dong_name"].isin(hub_dongs).to_numpy())
        w = dongs["population"].to_numpy()[idx] ** 0.3 * np.where(
            dongs["land_use"].to_numpy()[idx] == "business", 2.0, 1.0
        )
        launch[idx] += rng.multinomial(n, w / w.sum())
        hub_of[idx] = hub
    area = dongs.geometry.area.to_numpy() / 1e6
    w = (dongs["population"].to_numpy() ** 0.8) * (area**0.25)
    w = w * dongs["gu_name"].map(GU_DENSITY).fillna(1.0).to_numpy()
    w = (
        w
        * np.where(dongs["land_use"].to_numpy() == "business", 1.8, 1.0)
        * rng.lognormal(0, 0.25, len(dongs))
    )
    later = rng.multinomial(N_STATIONS - launch.sum() - len(TOP_STATIONS), w / w.sum())
    # the named top stations are placed in their dong on top of the rest
    top_dong = np.array(
        [int(np.flatnonzero(dongs["dong_name"].to_numpy() == d)[0]) for _, d, _, _ in TOP_STATIONS]
    )
    counts = launch + later + np.bincount(top_dong, minlength=len(dongs))

    # -- one row per station, grouped by dong (deterministic order), then points in the dong
    dong_idx = np.repeat(np.arange(len(dongs)), counts)
    xy = _points_in(dongs.geometry.to_numpy(), counts, rng)
    st = pd.DataFrame(
        {
            "_dong_idx": dong_idx,
            "dong_code": dongs["dong_code"].to_numpy()[dong_idx],
            "dong_name": dongs["dong_name"].to_numpy()[dong_idx],
            "gu_code": dongs["gu_code"].to_numpy()[dong_idx],
            "gu_name": dongs["gu_name"].to_numpy()[dong_idx],
            "_land_use": dongs["land_use"].to_numpy()[dong_idx],
            "_x": xy[:, 0],
            "_y": xy[:, 1],
        }
    )
    # within each dong: the first `launch` rows are launch stations, the last ones the top stations
    pos = st.groupby("_dong_idx").cumcount().to_numpy()
    is_launch = pos < launch[dong_idx]
    n_top_in_dong = np.bincount(top_dong, minlength=len(dongs))
    from_end = counts[dong_idx] - 1 - pos
    is_top = from_end < n_top_in_dong[dong_idx]
    st["launch_hub"] = np.where(is_launch, hub_of[dong_idx], "")
    top_name: dict[int, str] = {}
    top_mult = np.ones(len(st))
    top_leisure = np.zeros(len(st), dtype=bool)
    for _k, (name, dong, leisure, mult) in enumerate(TOP_STATIONS):
        rows = np.flatnonzero(is_top & (st["dong_name"].to_numpy() == dong))
        # several top stations may share a dong: take them in list order
        used = [r for r in rows if r not in top_name]
        r = int(used[0])
        top_name[r] = name
        top_mult[r] = mult
        top_leisure[r] = leisure

    # -- install dates: launch in September 2015, then yearly quotas, busier places earlier
    n = len(st)
    installed = np.empty(n, dtype="datetime64[D]")
    launch_rows = np.flatnonzero(is_launch)
    installed[launch_rows] = np.datetime64("2015-09-01") + rng.integers(0, 18, len(launch_rows))
    rest = np.flatnonzero(~is_launch)
    top_rows = np.array(sorted(top_name))
    popularity_key = rng.random(len(rest)) ** (
        1.0 / (1.0 + 0.5 * np.isin(rest, top_rows) + 0.3 * (st["gu_name"].to_numpy()[rest] == "영등포구"))
    )
    order = rest[np.argsort(-popularity_key, kind="stable")]
    # the named top stations (2019's busiest in the facts) opened early, in 2016
    order = np.concatenate([top_rows, order[~np.isin(order, top_rows)]])
    start = 0
    prev = STATIONS_BY_YEAR_END[2015]
    for year in range(2016, 2024):
        quota = STATIONS_BY_YEAR_END[year] - prev
        prev = STATIONS_BY_YEAR_END[year]
        rows = order[start : start + quota]
        start += quota
        days = 365 + (year % 4 == 0)
        installed[rows] = np.datetime64(f"{year}-01-01") + rng.integers(0, days, len(rows))
    assert start == len(rest), "yearly quotas must place every station"
    st["installed_date"] = installed.astype("datetime64[ns]")

    # -- numbers and IDs in install order: 2015 stations get the low numbers (e.g. 00102)
    inst_order = np.lexsort((rng.random(n), installed))
    rank = np.empty(n, dtype=np.int64)
    rank[inst_order] = np.arange(n)
    gu_order = {g: i for i, g in enumerate(sorted(gu.index))}
    gu_i = st["gu_code"].map(gu_order).to_numpy()
    later_rank = np.where(is_launch, -1, rank)  # launch stations are numbered 101-250 on their own
    seq_in_gu = pd.Series(later_rank).groupby(gu_i).rank(method="first").to_numpy().astype(np.int64)
    seq_in_gu -= pd.Series(is_launch).groupby(gu_i).transform("sum").to_numpy()
    if seq_in_gu.max() >= BLOCK:
        raise ValueError(
            f"a district has {seq_in_gu.max()} later stations, more than its number block of {BLOCK}"
        )
    number = np.where(is_launch, 101 + rank, 1000 + BLOCK * gu_i + seq_in_gu)
    st["station_no"] = [f"{v:05d}" for v in number]
    gaps = np.where(rng.random(n) < 0.2, 2, 1)  # ST-ids leave gaps (closed or moved stations)
    st_id = np.cumsum(gaps[inst_order])
    ids = np.empty(n, dtype=np.int64)
    ids[inst_order] = st_id
    st["station_id"] = [f"ST-{v}" for v in ids]

    # -- names, docks and operation type
    st["station_name"] = _station_names(rng, st["gu_name"].to_numpy(), st["dong_name"].to_numpy(), top_name)
    qr_era = st["installed_date"] >= pd.Timestamp("2018-01-01")
    big = top_mult > 1
    lcd = np.where(qr_era, 0, rng.integers(8, 21, n) + np.where(big, 15, 0))
    qr = np.where(
        qr_era,
        rng.integers(5, 16, n) + np.where(big, 15, 0),
        np.where(rng.random(n) < 0.3, rng.integers(3, 11, n), 0),
    )
    st["lcd_docks"] = lcd
    st["qr_docks"] = qr
    st["operation_type"] = np.where(lcd > 0, "LCD", "QR")

    # -- WGS84 coordinates
    pts = gpd.GeoSeries(gpd.points_from_xy(st["_x"], st["_y"]), crs=city.CRS_METRIC).to_crs(city.CRS_WGS84)
    st["lat"] = np.round(pts.y.to_numpy(), 6)
    st["lon"] = np.round(pts.x.to_numpy(), 6)

    # -- hidden drivers of demand (used by bike_rentals, not published)
    leisure = top_leisure | st["station_name"].str.contains("|".join(_LEISURE_WORDS)).to_numpy()
    kind = np.where(
        leisure, "leisure", np.where(st["_land_use"].to_numpy() == "business", "business", "residential")
    )
    st["_kind"] = kind
    usage_gu = {"강서구": 1.25, "송파구": 1.2, "영등포구": 1.3, "광진구": 1.1, "마포구": 1.1}
    noise = np.where(top_mult > 1, 1.0, rng.lognormal(0, 0.55, n))  # named top stations: no luck involved
    st["_popularity"] = (
        noise
        * top_mult
        * np.where(is_launch, 1.4, 1.0)
        * st["gu_name"].map(usage_gu).fillna(1.0).to_numpy()
        * np.where(st["station_name"].str.contains("역 ").to_numpy(), 1.3, 1.0)
    )
    st = st.sort_values("station_no", kind="stable").reset_index(drop=True)
    return st


PUBLIC_COLUMNS = [
    "station_no",
    "station_id",
    "station_name",
    "gu_code",
    "gu_name",
    "dong_code",
    "dong_name",
    "lat",
    "lon",
    "installed_date",
    "lcd_docks",
    "qr_docks",
    "operation_type",
    "launch_hub",
]


def raw_master_bytes(st: pd.DataFrame, rng: np.random.Generator) -> bytes:
    """The station master as the portal ships it: CP949, a 5-row merged header, addresses, and a
    few coordinates recorded as 0.0 (a real quirk of the master data)."""
    st = st[st["installed_date"] <= AS_OF_RAW].sort_values("station_no").reset_index(drop=True)
    roads = st["gu_name"].map(lambda g: ROADS_BY_GU[g].split()).to_numpy()
    lines = [
        "대여소번호,보관소(대여소)명,소재지(위치),,,,설치시기,설치형태,,운영방식",
        ",,자치구,상세주소,위도,경도,,LCD 거치대수,QR 거치대수,",
        ",,,,,,,,,",
        ",,,,,,,,,",
        ",,,,,,,,,",
    ]
    zero = set(rng.choice(len(st), 9, replace=False).tolist())
    nums = rng.integers(1, 400, len(st))
    picks = rng.random(len(st))
    for i, r in enumerate(st.itertuples(index=False)):
        road = roads[i][int(picks[i] * len(roads[i]))]
        addr = f"서울특별시 {r.gu_name} {road} {nums[i]}"
        lat, lon = ("0.0", "0.0") if i in zero else (f"{r.lat:.6f}", f"{r.lon:.6f}")
        name = f'"{r.station_name}"' if "," in r.station_name else r.station_name
        lines.append(
            ",".join(
                [
                    r.station_no,
                    name,
                    r.gu_name,
                    addr,
                    lat,
                    lon,
                    pd.Timestamp(r.installed_date).strftime("%Y-%m-%d"),
                    str(r.lcd_docks) if r.lcd_docks else "",
                    str(r.qr_docks) if r.qr_docks else "",
                    r.operation_type,
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp949")


def stations_full(ctx) -> pd.DataFrame:
    """The simulated stations with their hidden demand drivers, built once per run."""
    if "bike_stations_full" not in ctx.memo:
        ctx.memo["bike_stations_full"] = simulate(ctx)
    return ctx.memo["bike_stations_full"]


def build(ctx) -> list[Output]:
    st = stations_full(ctx)
    raw = raw_master_bytes(st, ctx.rng("bike_stations_raw"))
    return [
        Output(definitions.resource(DATASET, "bike_stations"), st[PUBLIC_COLUMNS].copy()),
        Output(definitions.resource(DATASET, "bike_stations_raw"), raw),
    ]
