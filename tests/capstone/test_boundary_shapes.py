"""Boundaries in the formats officials have (issue 18, item 3): a zipped shapefile (with its .cpg,
or a table in a legacy code page), KML/KMZ from Google Earth or My Maps, a missing .prj, a
projected CRS, and coordinates saved as latitude, longitude."""

from __future__ import annotations

import shutil
import warnings
import zipfile

import geopandas as gpd
import pytest
from shapely import affinity

from smartseoul import capstone, geo

from .conftest import NAMES, NUMERIC, plain, suggested, toy_boundaries, write_geojson


def write_shapefile(folder, gdf, encoding="UTF-8", prj=True, cpg=True, ldid=0):
    """The toy city as a shapefile in a folder (as ArcGIS or QGIS exports one), then zipped."""
    shp = folder / "districts" / "districts.shp"
    shp.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # 'district_id' is cut to 'district_i': that is the point
        warnings.simplefilter("ignore")
        gdf.to_file(shp, engine="pyogrio", encoding=encoding)
    if not cpg:
        shp.with_suffix(".cpg").unlink()
    if not prj:
        shp.with_suffix(".prj").unlink()
    if ldid:  # the language driver byte of a legacy .dbf
        dbf = bytearray(shp.with_suffix(".dbf").read_bytes())
        dbf[29] = ldid
        shp.with_suffix(".dbf").write_bytes(bytes(dbf))
    zipped = folder / "districts.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for f in sorted(shp.parent.iterdir()):
            z.write(f, f"districts/{f.name}")
    shutil.rmtree(shp.parent)
    return zipped


def equal_area_km2(gdf) -> float:
    """The reference area: a Lambert azimuthal equal-area CRS centred on the layer."""
    lon, lat = gdf.to_crs(geo.WGS84).union_all().centroid.coords[0]
    return float(gdf.to_crs(f"+proj=laea +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m").area.sum() / 1e6)


def district_complaints(report, names, area_km2=81.0, column="name_local") -> list[str]:
    """Why the boundaries did not come through with their names, IDs and areas."""
    if not report.ok or report.joined is None:
        return [f"not joined:\n{report}"]
    j = report.joined
    found = []
    if list(j["district_id"]) != [f"D{i:02d}" for i in range(1, 10)]:
        found.append(f"IDs read as {list(j['district_id'])[:3]}")
    if column not in j.columns or list(j[column]) != names:
        found.append(f"names read as {list(j.get(column, []))[:3]}, not {names[:3]}")
    area = geo.area_km2(j).sum()
    if abs(area / area_km2 - 1) > 0.005:
        found.append(f"area {area:.1f} km², not {area_km2}")
    return found


@pytest.mark.parametrize(
    ("encoding", "cpg", "ldid", "said"),
    [
        ("UTF-8", True, 0, "as its .cpg file says"),
        ("cp1251", True, 0, "as its .cpg file says"),
        ("cp1251", False, 0xC9, "cp1251, as its .dbf file says"),  # a legacy DBF: code page in its header
        ("UTF-8", False, 0, "has no .cpg file; its table was read as UTF-8"),
    ],
)
def test_a_zipped_shapefile_is_read_with_its_code_page(good, tmp_path, encoding, cpg, ldid, said):
    names = NAMES["Almaty"]
    zipped = write_shapefile(tmp_path, toy_boundaries(names), encoding, cpg=cpg, ldid=ldid)
    report = capstone.validate(zipped, good[1], numeric=NUMERIC)
    assert district_complaints(report, names) == []
    assert any(said in n for n in report.notes), report.notes
    assert any("'district_i' was read as 'district_id'" in n for n in report.notes)


def unmarked_complaints(good, tmp_path) -> list[str]:
    """A legacy .dbf with no .cpg and no code page byte: the checker stops, names the code page,
    shows the names read with it, and reads them right when told."""
    names = NAMES["Almaty"]
    zipped = write_shapefile(tmp_path, toy_boundaries(names), "cp1251", cpg=False)
    report = capstone.validate(zipped, good[1], numeric=NUMERIC)
    if [p.code for p in report.problems] != ["shapefile-encoding"]:
        return [f"expected one shapefile-encoding problem:\n{report}"] + district_complaints(report, names)
    p = report.problems[0]
    found = [
        f"the message lacks {w!r}" for w in ("no .cpg file", f"'{names[0]}'", "cp1251") if w not in p.what
    ]
    guess = suggested(p.fix, "boundaries_encoding")
    told = capstone.validate(zipped, good[1], numeric=NUMERIC, boundaries_encoding=guess)
    return found + district_complaints(told, names)


def test_a_shapefile_table_without_a_code_page_is_recognised(good, tmp_path):
    assert unmarked_complaints(good, tmp_path) == []


def test_planted_gdal_default_for_an_unmarked_table_fails_the_check(good, tmp_path, monkeypatch):
    """The check can fail: left to GDAL, an unmarked cp1251 table comes out as Latin-1 garbage."""
    monkeypatch.setattr(capstone, "_dbf_encoding", lambda *args: None)
    found = unmarked_complaints(good, tmp_path)
    assert any("names read as" in f and "Àë" in f for f in found), found


def prj_complaints(report) -> list[str]:
    codes = [p.code for p in report.problems]
    if codes != ["no-crs"]:
        return [f"expected one no-crs problem, got {codes}"]
    p = report.problems[0]
    return [
        f"the message lacks {w!r}"
        for w in (".prj", "districts.prj", "boundaries_crs='EPSG:4326'")
        if w not in p.what + p.fix
    ]


def test_a_shapefile_without_its_prj_gets_a_clear_fix(good, tmp_path):
    names = NAMES["Almaty"]
    zipped = write_shapefile(tmp_path, toy_boundaries(names), prj=False)
    assert prj_complaints(capstone.validate(zipped, good[1], numeric=NUMERIC)) == []
    told = capstone.validate(zipped, good[1], numeric=NUMERIC, boundaries_crs="EPSG:4326")
    assert district_complaints(told, names) == []


def test_planted_prj_present_fails_the_prj_check(good, tmp_path):
    zipped = write_shapefile(tmp_path, toy_boundaries(NAMES["Almaty"]))
    assert prj_complaints(capstone.validate(zipped, good[1], numeric=NUMERIC))


def write_kml(path, gdf, points_first=True, kmz=False, lat_lon=False):
    """Boundaries as Google My Maps exports them: a folder per map layer, each district a
    placemark with its name and an ExtendedData field for the ID; a layer of points first."""
    placemarks = []
    for _, r in gdf.iterrows():
        pairs = [(y, x) if lat_lon else (x, y) for x, y in r.geometry.exterior.coords]
        coords = " ".join(f"{a:.6f},{b:.6f},0" for a, b in pairs)
        placemarks.append(
            f'<Placemark><name>{r["name_local"]}</name><ExtendedData><Data name="district_id"><value>'
            f"{r['district_id']}</value></Data></ExtendedData><Polygon><outerBoundaryIs><LinearRing>"
            f"<tessellate>1</tessellate><coordinates>{coords}</coordinates></LinearRing></outerBoundaryIs>"
            "</Polygon></Placemark>"
        )
    x, y = gdf.union_all().centroid.coords[0]
    points = f"<Folder><name>Cooling centres</name><Placemark><name>Hall</name><Point><coordinates>{x},{y},0</coordinates></Point></Placemark></Folder>"
    districts = f"<Folder><name>Districts</name>{''.join(placemarks)}</Folder>"
    body = points + districts if points_first else districts + points
    kml = f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>City</name>{body}</Document></kml>'
    if kmz:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("doc.kml", kml)
    else:
        path.write_text(kml, encoding="utf-8")
    return path


def kml_complaints(report, names) -> list[str]:
    found = district_complaints(report, names, column="name")  # the placemark names
    if not any("'Districts', the only one with polygons" in n for n in report.notes):
        found.append(f"no note on the layer read: {report.notes}")
    return found


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
def test_kml_and_kmz_from_my_maps_are_read(good, tmp_path, suffix):
    names = NAMES["Bangkok"]
    path = write_kml(tmp_path / f"districts{suffix}", toy_boundaries(names), kmz=suffix == ".kmz")
    report = capstone.validate(path, good[1], numeric=NUMERIC)
    assert kml_complaints(report, names) == []
    assert "description" not in report.joined.columns  # KML's own empty fields are dropped


def test_planted_first_layer_of_a_kml_fails_the_check(good, tmp_path, monkeypatch):
    """The check can fail: reading GDAL's first layer gives the points, not the districts."""
    monkeypatch.setattr(capstone, "_choose_layer", lambda *args: None)
    names = NAMES["Bangkok"]
    path = write_kml(tmp_path / "districts.kml", toy_boundaries(names))
    assert kml_complaints(capstone.validate(path, good[1], numeric=NUMERIC), names)


def moved(gdf, lon, lat):
    cx, cy = gdf.union_all().centroid.coords[0]
    return gdf.set_geometry(gdf.geometry.map(lambda g: affinity.translate(g, lon - cx, lat - cy)))


def swap_complaints(report, city) -> list[str]:
    codes = [p.code for p in report.problems]
    if codes != ["swapped-coordinates"]:
        return [f"expected one swapped-coordinates problem, got {codes}:\n{report}"]
    p = report.problems[0]
    words = ["wrong order", "capstone.swap_coordinates(", "longitude first"] + ([city] if city else [])
    return [f"the message lacks {w!r}: {p.what} {p.fix}" for w in words if w not in p.what + p.fix]


@pytest.mark.parametrize(
    ("city", "lon", "lat", "named"),
    [
        ("Jakarta", 106.85, -6.21, None),  # the 'latitude' 106.85 cannot be one
        ("Almaty", 76.89, 43.24, "Almaty"),  # both fit, but only swapped do they land in a city
        ("Abuja", 7.49, 9.06, "Abuja"),
    ],
)
@pytest.mark.parametrize("fmt", ["geojson", "kml"])
def test_latitude_longitude_order_is_caught_and_fixed(good, tmp_path, city, lon, lat, named, fmt):
    names = NAMES["Almaty"]
    gdf = moved(toy_boundaries(names), lon, lat)
    if fmt == "kml":
        path = write_kml(tmp_path / "districts.kml", gdf, lat_lon=True)
    else:
        flipped = gdf.set_geometry(
            gdf.geometry.map(lambda g: affinity.affine_transform(g, [0, 1, 1, 0, 0, 0]))
        )
        path = write_geojson(flipped, tmp_path / "districts.geojson")
    report = capstone.validate(path, good[1], numeric=NUMERIC)
    assert swap_complaints(report, named) == []
    fixed = capstone.swap_coordinates(path, tmp_path / "fixed.geojson")
    again = capstone.validate(fixed, good[1], numeric=NUMERIC)
    column = "name" if fmt == "kml" else "name_local"
    assert district_complaints(again, names, equal_area_km2(gdf), column) == []
    assert any(f"in {city}" in n for n in again.notes), again.notes


def test_planted_no_city_check_misses_a_plausible_swap(good, tmp_path, monkeypatch):
    monkeypatch.setattr(capstone, "near_city", lambda lon, lat: None)
    gdf = moved(toy_boundaries(NAMES["Almaty"]), 76.89, 43.24)
    path = write_kml(tmp_path / "districts.kml", gdf, lat_lon=True)
    assert swap_complaints(capstone.validate(path, good[1], numeric=NUMERIC), "Almaty")


def test_a_projected_crs_is_named_and_a_wrong_label_caught(good, tmp_path):
    names = NAMES["Almaty"]
    utm = moved(toy_boundaries(names), 76.89, 43.24).to_crs("EPSG:32643")
    utm.to_file(tmp_path / "districts.gpkg", engine="pyogrio")
    report = capstone.validate(tmp_path / "districts.gpkg", good[1], numeric=NUMERIC)
    assert district_complaints(report, names, equal_area_km2(utm)) == []
    assert any(
        "projected CRS, WGS 84 / UTM zone 43N (EPSG:32643), in metres" in n and "Almaty" in n
        for n in report.notes
    )
    wrong = moved(toy_boundaries(names), 76.89, 43.24).set_crs("EPSG:32643", allow_override=True)
    wrong.to_file(tmp_path / "wrong.gpkg", engine="pyogrio")
    report = capstone.validate(tmp_path / "wrong.gpkg", good[1], numeric=NUMERIC)
    assert [p.code for p in report.problems] == ["crs-mislabelled"]
    assert "boundaries_crs='EPSG:4326'" in report.problems[0].fix


def test_a_zip_without_a_map_file_and_an_incomplete_shapefile(good, tmp_path):
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.txt", "districts")
    report = capstone.validate(empty, good[1], numeric=NUMERIC)
    assert [p.code for p in report.problems] == ["nothing-in-zip"]
    zipped = write_shapefile(tmp_path, toy_boundaries(NAMES["Almaty"]))
    partial = tmp_path / "partial.zip"
    with zipfile.ZipFile(zipped) as src, zipfile.ZipFile(partial, "w") as dst:
        for n in src.namelist():
            if not n.endswith(".dbf"):
                dst.writestr(n, src.read(n))
    report = capstone.validate(partial, good[1], numeric=NUMERIC)
    assert [p.code for p in report.problems] == ["shapefile-incomplete"]
    assert ".dbf" in plain(report.problems[0].what)


def test_boundaries_read_back_as_the_same_geodataframe(tmp_path):
    """swap_coordinates twice gives the file back."""
    gdf = toy_boundaries(NAMES["Almaty"])
    path = write_geojson(gdf, tmp_path / "a.geojson")
    back = capstone.swap_coordinates(
        capstone.swap_coordinates(path, tmp_path / "b.geojson"), tmp_path / "c.geojson"
    )
    assert gpd.read_file(back).geometry.geom_equals_exact(gdf.geometry, tolerance=1e-6).all()
