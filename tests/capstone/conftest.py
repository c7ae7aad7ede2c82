"""Inputs for the capstone checker, each built from the toy city the way an official's files
come: another encoding, another separator, a workbook, a zipped shapefile, a KML ..."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from smartseoul import capstone

NUMERIC = ["population", "pop_65_plus", "cooling_centres"]

#: nine district names per city, in its script (the toy city has nine districts)
NAMES = {
    "Almaty": ["Алатауский", "Алмалинский", "Ауэзовский", "Бостандыкский", "Жетысуский", "Медеуский",
               "Наурызбайский", "Турксибский", "Центральный"],
    "Abu Dhabi": ["الخالدية", "المشرف", "البطين", "الظفرة", "المصفح", "بني ياس", "الشامخة", "مدينة زايد", "الريم"],
    "Bangkok": ["พระนคร", "ดุสิต", "หนองจอก", "บางรัก", "บางเขน", "บางกะปิ", "ปทุมวัน", "ป้อมปราบศัตรูพ่าย", "พระโขนง"],
    "Cuenca": ["San Sebastián", "El Batán", "Yanuncay", "Bellavista", "Gil Ramírez Dávalos", "El Sagrario",
               "San Blas", "Cañaribamba", "Huayna Cápac"],
    # settlements of Baku in letters that cp1254 (Windows Turkish, what Excel uses for
    # Azerbaijani in Latin letters) has: it has no 'ə'
    "Baku": ["Qaradağ", "Suraxanı", "Sabunçu", "Pirallahı", "Yasamal", "Şağan", "Türkan", "Qala", "Buzovna"],
    "Seoul": ["종로구", "중구", "용산구", "성동구", "광진구", "동대문구", "중랑구", "성북구", "강북구"],
    "São Paulo": ["Sé", "Butantã", "Penha", "Mooca", "Santo Amaro", "Itaquera", "Pinheiros", "Lapa", "Ipiranga"],
}  # fmt: skip

#: the city of each encoding, as the officials of the course have their files
ENCODED = {
    "cp1251": "Almaty",
    "cp1256": "Abu Dhabi",
    "cp874": "Bangkok",
    "cp1252": "Cuenca",
    "cp1254": "Baku",
    "cp949": "Seoul",
}


def toy_table(names: list[str] | None = None) -> pd.DataFrame:
    _, table = capstone.toy_city()
    if names is not None:
        table = table.assign(name_local=names)
    return table


def toy_boundaries(names: list[str] | None = None) -> gpd.GeoDataFrame:
    gdf, _ = capstone.toy_city()
    if names is not None:
        gdf = gdf.assign(name_local=names)
    return gdf


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    from smartseoul.data.build import geojson_bytes

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(geojson_bytes(gdf, ndigits=6))
    return path


def suggested(text: str, option: str = "encoding") -> str | None:
    """The value a message asks the trainee to pass, e.g. encoding='cp1251' -> 'cp1251'."""
    found = re.search(rf"\b{option}='([^']+)'", text)
    return found.group(1) if found else None


def plain(text: str) -> str:
    """A message without the isolate marks around right-to-left names."""
    return text.replace(capstone.FSI, "").replace(capstone.PDI, "")


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return capstone.write_toy_city(tmp_path_factory.mktemp("toy"))
