"""The capstone: check a trainee's own city data, then rerun a module-5 style equity analysis.

Two files go in: district boundaries and one indicator table, as officials have them:

- boundaries: GeoJSON, GeoPackage, a shapefile (also zipped, with its .cpg or a table in a legacy
  code page), or KML/KMZ from Google Earth or My Maps;
- the table: CSV or text saved by Excel in any locale (UTF-8, UTF-16 "Unicode text", or a Windows
  code page such as cp1251, cp1256 or cp874; commas, semicolons or tabs between columns; decimal
  commas and thousands separators), or an Excel workbook (.xlsx).

``validate()`` reads both and returns every problem it finds, each with the exact fix, instead of
stopping at the first traceback. Notes say what it assumed (the encoding, the separators, the
layer, the CRS), so the trainee can check them. ``toy_city()`` makes a small fictional city to
practise on.

    from smartseoul import capstone
    report = capstone.validate("my_city/boundaries.geojson", "my_city/indicators.csv",
                               key="district_id", numeric=["population", "pop_65_plus", "cooling_centres"])
    print(report)            # what is wrong, and what to do
    report.joined            # the districts with their indicators, when everything is fine

The `inspect_*` functions record each problem in the report as a Finding and go on, so the
trainee sees every problem at once (the exercise checks, `checks.check_*`, raise instead).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import typer
from shapely.geometry import Polygon

from . import geo
from .findings import Finding
from .i18n.messages import N_, _, fallback_note

app = typer.Typer(help="Validate your own city's boundaries and indicator table.", no_args_is_help=True)


def problem(code: str, what: str, fix: str, where: str = "") -> Finding:
    """One thing the trainee must fix in their files, in the project's one finding shape."""
    return Finding(code, where, what, fix)


def _show(p: Finding) -> str:
    loc = f" [{p.where}]" if p.where else ""
    return f"- {p.what}{loc}\n  " + _("fix: {fix}").format(fix=p.fix)


@dataclass
class Report:
    problems: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    boundaries: gpd.GeoDataFrame | None = None
    indicators: pd.DataFrame | None = None
    joined: gpd.GeoDataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok and self.joined is not None:
            head = _("Your data are ready: {n_joined} districts joined with their indicators.").format(
                n_joined=len(self.joined)
            )
        else:
            head = _("{n_problems} problem(s) to fix before the analysis can run:").format(
                n_problems=len(self.problems)
            )
        lines = [head, *[_show(p) for p in self.problems]]
        lines += [_("note: {note}").format(note=n) for n in self.notes]
        if fallback_note():
            lines.append(fallback_note())
        return "\n".join(lines)

    def raise_if_problems(self) -> None:
        if not self.ok:
            raise ValueError(str(self))


# -- reading the boundaries ----------------------------------------------------------------
BOUNDARY_FORMATS = "GeoJSON (.geojson), GeoPackage (.gpkg), a shapefile (.shp, or zipped as .zip) or KML/KMZ"
#: what a DBF's language driver byte (offset 29) says about its code page, for the common ones
DBF_CODE_PAGES = {
    0x01: "cp437", 0x02: "cp850", 0x03: "cp1252", 0x4D: "cp936", 0x4E: "cp949", 0x4F: "cp950",
    0x50: "cp874", 0x57: "cp1252", 0x58: "cp1252", 0x59: "cp1252", 0x64: "cp852", 0x65: "cp866",
    0x7D: "cp1255", 0x7E: "cp1256", 0xC8: "cp1250", 0xC9: "cp1251", 0xCA: "cp1254", 0xCB: "cp1253",
    0xCC: "cp1257",
}  # fmt: skip
#: KML's own fields, which hold nothing about the districts
KML_FIELDS = [
    "id", "description", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
    "visibility", "drawOrder", "icon", "snippet",
]  # fmt: skip


@dataclass
class _Source:
    """Where the boundaries came from, for the messages about them."""

    name: str
    target: str  #: what GDAL opens (a path, or /vsizip/... for a member of a zip file)
    kind: str  #: "shapefile", "kml", "geopackage", "geojson"
    shp: str = ""  #: the shapefile's name, e.g. districts.shp
    has_prj: bool = True
    encoding: str | None = None  #: the encoding GDAL should use for a shapefile's table


def _zip_member(path: Path, report: Report, layer: str | None) -> tuple[str, list[str]] | None:
    """The shapefile (or other map file) inside a zip, and the names of all its files."""
    with zipfile.ZipFile(path) as z:
        names = [
            n for n in z.namelist() if not n.startswith("__MACOSX/") and not Path(n).name.startswith("._")
        ]
    for ext in (".shp", ".gpkg", ".geojson", ".json", ".kml"):
        found = [n for n in names if n.lower().endswith(ext)]
        if layer:
            found = [n for n in found if Path(n).stem == layer] or found
        if len(found) == 1:
            return found[0], names
        if len(found) > 1:
            report.problems.append(
                problem(
                    "several-in-zip",
                    _("{path_name} holds {n_found} map files: {files}.").format(
                        path_name=path.name,
                        n_found=len(found),
                        files=quote_list([Path(n).name for n in found]),
                    ),
                    _(
                        "Run validate again with layer='{stem}' (the name of the file with your districts, without its extension)."
                    ).format(stem=Path(found[0]).stem),
                )
            )
            return None
    report.problems.append(
        problem(
            "nothing-in-zip",
            _("{path_name} holds no shapefile (.shp) or other map file; it holds {files}.").format(
                path_name=path.name, files=quote_list([Path(n).name for n in names])
            ),
            _("Zip the district boundaries themselves: {boundary_formats}.").format(
                boundary_formats=BOUNDARY_FORMATS
            ),
        )
    )
    return None


def _dbf_encoding(
    name: str, dbf: bytes, cpg: str | None, report: Report, given: str | None
) -> str | bool | None:
    """How GDAL should decode a shapefile's table: None to let GDAL follow the .cpg or the code page
    byte of the .dbf, an encoding name, or False when the trainee must confirm a guess first."""
    if given:
        if not _known_encoding(given):
            report.problems.append(
                problem(
                    "unknown-encoding",
                    _("Python does not know the encoding {given!r}.").format(given=given),
                    _(
                        "Use a name such as 'utf-8', 'cp1251', 'cp1256', 'cp874', 'cp1252', 'cp1254' or 'cp949'."
                    ),
                )
            )
            return False
        report.notes.append(
            _("The table of {name} was read as {given}, as you asked.").format(
                name=name, given=encoding_name(given)
            )
        )
        return given
    if cpg:
        report.notes.append(
            _("The table of {name} was read as {encoding}, as its .cpg file says.").format(
                name=name, encoding=cpg.strip()
            )
        )
        return None
    ldid = dbf[29] if len(dbf) > 29 else 0
    if ldid and ldid not in (0x57, 0x58, 0x59):  # 0x57-0x59 only say "Windows ANSI", not which one
        page = DBF_CODE_PAGES.get(ldid, f"code page byte {ldid:#04x}")
        report.notes.append(
            _("The table of {name} was read as {page}, as its .dbf file says.").format(name=name, page=page)
        )
        return None
    header = int.from_bytes(dbf[8:10], "little") if len(dbf) > 10 else 0
    records = dbf[header:]
    if records.isascii():
        return None
    try:
        records.decode("utf-8")
        report.notes.append(_("{name} has no .cpg file; its table was read as UTF-8.").format(name=name))
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    guess = detect_encoding(records)
    shown = ""
    if guess:
        text = records.decode(guess, errors="replace")
        words = [w for w in re.split(r"\s{2,}|\*|\x1a", text) if w.strip() and not w.isascii()][:3]
        shown = _(" It looks like {guess}. Read that way, the first names are: {names}.").format(
            guess=encoding_name(guess), names=", ".join(quote(w.strip()) for w in words)
        )
    report.problems.append(
        problem(
            "shapefile-encoding",
            _(
                "The table of {name} (its .dbf file) does not say which encoding its text uses: there is no .cpg file.{shown}"
            ).format(name=name, shown=shown),
            (
                _(
                    "If these names look right, run validate again with boundaries_encoding='{guess}'. "
                ).format(guess=guess)
                if guess
                else ""
            )
            + _("Or export the shapefile again from QGIS with the encoding set to UTF-8."),
        )
    )
    return False


def _source(path: Path, report: Report, layer: str | None, encoding: str | None) -> _Source | None:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        if not zipfile.is_zipfile(path):
            report.problems.append(
                problem(
                    "unreadable-boundaries",
                    _("{path_name} is not a zip file we can open.").format(path_name=path.name),
                    _("Zip the files again."),
                )
            )
            return None
        found = _zip_member(path, report, layer)
        if found is None:
            return None
        member, names = found
        target = f"/vsizip/{path.resolve()}/{member}"
        if not member.lower().endswith(".shp"):
            return _Source(path.name, target, "kml" if member.lower().endswith(".kml") else "other")
        stem = member[:-4]
        siblings = {
            n[len(stem) :].lower(): n
            for n in names
            if n.lower().startswith(stem.lower()) and len(n) == len(stem) + 4
        }
        with zipfile.ZipFile(path) as z:
            dbf = z.read(siblings[".dbf"]) if ".dbf" in siblings else b""
            cpg = z.read(siblings[".cpg"]).decode("ascii", errors="replace") if ".cpg" in siblings else None
        present = set(siblings)
        where = f"{Path(member).name} in {path.name}"
    elif suffix == ".shp":
        base = path.with_suffix("")
        present = {ext for ext in (".shx", ".dbf", ".prj", ".cpg") if base.with_suffix(ext).exists()}
        dbf = base.with_suffix(".dbf").read_bytes() if ".dbf" in present else b""
        cpg = (
            base.with_suffix(".cpg").read_text(encoding="ascii", errors="replace")
            if ".cpg" in present
            else None
        )
        target, member, where = str(path), path.name, path.name
    else:
        kind = {".kml": "kml", ".kmz": "kml", ".gpkg": "geopackage"}.get(suffix, "geojson")
        return _Source(path.name, str(path), kind)
    lacking = [ext for ext in (".shx", ".dbf") if ext not in present]
    if lacking:
        report.problems.append(
            problem(
                "shapefile-incomplete",
                _(
                    "The shapefile {where} comes without its {listed} file(s). A shapefile is several files with the same name."
                ).format(where=where, listed=" and ".join(lacking)),
                _(
                    "Copy (or zip) all the files named {stem}.* together: .shp, .shx, .dbf, .prj and .cpg."
                ).format(stem=Path(member).stem),
            )
        )
        return None
    enc = _dbf_encoding(where, dbf, cpg, report, encoding)
    if enc is False:
        return None
    chosen = enc if isinstance(enc, str) else None
    return _Source(path.name, target, "shapefile", Path(member).name, ".prj" in present, chosen)


def read_boundaries(
    path: str | Path, report: Report, layer: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame | None:
    """The district polygons, from any of the formats in BOUNDARY_FORMATS."""
    path = Path(path)
    if not path.exists():
        report.problems.append(
            problem(
                "no-boundaries-file",
                _("The boundaries file {path} does not exist.").format(path=path),
                _("Check the file name and folder; put it next to this notebook or give the full path."),
            )
        )
        return None
    if path.suffix.lower() not in (".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".kmz"):
        report.problems.append(
            problem(
                "not-boundaries",
                _(
                    "{path_name} is not a boundaries file we can read. The checker reads {boundary_formats}."
                ).format(path_name=path.name, boundary_formats=BOUNDARY_FORMATS),
                _("Export your districts from QGIS or ArcGIS as GeoJSON (.geojson) or GeoPackage (.gpkg)."),
            )
        )
        return None
    source = _source(path, report, layer, encoding)
    if source is None:
        return None
    try:
        import pyogrio

        layers = [str(n) for n, _ in pyogrio.list_layers(source.target)]
        chosen = _choose_layer(source, layers, layer, report)
        if chosen is False:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on KML fields
            gdf = gpd.read_file(source.target, engine="pyogrio", layer=chosen, encoding=source.encoding)
    except Exception as exc:
        report.problems.append(
            problem(
                "unreadable-boundaries",
                _("{path_name} could not be read as map data ({error}: {detail}).").format(
                    path_name=path.name, error=type(exc).__name__, detail=str(exc)[:160]
                ),
                _("Open it in QGIS to check it, then export it again as {boundary_formats}.").format(
                    boundary_formats=BOUNDARY_FORMATS
                ),
            )
        )
        return None
    if gdf.empty:
        report.problems.append(
            problem(
                "no-districts",
                _("{path_name} holds no districts.").format(path_name=path.name),
                _("Export the layer that has your district polygons."),
            )
        )
        return None
    if gdf.geometry.has_z.any():
        gdf = gdf.set_geometry(gdf.geometry.force_2d())
    if source.kind == "kml":
        gdf = _tidy_kml(gdf, report, path.name)
    gdf.attrs["source"] = source
    return gdf


def _choose_layer(source: _Source, layers: list[str], layer: str | None, report: Report) -> str | bool | None:
    """The layer to read: the one asked for, the only one, or the only one with polygons."""
    if layer and source.kind != "shapefile":
        if layer not in layers:
            report.problems.append(
                problem(
                    "no-such-layer",
                    _("{source_name} has no layer {layer}; its layers are {layers}.").format(
                        source_name=source.name, layer=quote(layer), layers=quote_list(layers)
                    ),
                    _("Run validate again with layer= set to one of these names."),
                )
            )
            return False
        return layer
    if len(layers) <= 1:
        return None
    import pyogrio

    with_polygons = []
    for name in layers:
        info = pyogrio.read_info(source.target, layer=name)
        kind = str(info.get("geometry_type") or "")
        if "Polygon" in kind or (kind in ("Unknown", "") and _layer_has_polygons(source.target, name)):
            with_polygons.append(name)
    if len(with_polygons) == 1:
        others = [n for n in layers if n != with_polygons[0]]
        report.notes.append(
            _(
                "{source_name} has {n_layers} layers. The districts were read from the layer {with_polygons}, the only one with polygons (not read: {others})."
            ).format(
                source_name=source.name,
                n_layers=len(layers),
                with_polygons=quote(with_polygons[0]),
                others=quote_list(others),
            )
        )
        return with_polygons[0]
    report.problems.append(
        problem(
            "several-layers",
            _(
                "{source_name} has {n_layers} layers, and {n_with_polygons} of them hold polygons: {layers}."
            ).format(
                source_name=source.name,
                n_layers=len(layers),
                n_with_polygons=len(with_polygons) or _("none"),
                layers=quote_list(with_polygons or layers),
            ),
            _("Run validate again with layer= set to the name of the layer with your districts."),
        )
    )
    return False


def _layer_has_polygons(target: str, name: str) -> bool:
    sample = gpd.read_file(target, engine="pyogrio", layer=name, max_features=50)
    return bool(sample.geom_type.fillna("").str.contains("Polygon").any())


def _tidy_kml(gdf: gpd.GeoDataFrame, report: Report, name: str) -> gpd.GeoDataFrame:
    """KML's own empty fields removed; the placemark's Name as `name`, as in the other formats."""
    empty = [
        c
        for c in KML_FIELDS
        if c in gdf.columns
        and (gdf[c].isna().all() or c in ("tessellate", "extrude", "visibility", "drawOrder"))
    ]
    gdf = gdf.drop(columns=empty)
    if "Name" in gdf.columns and "name" not in gdf.columns:
        gdf = gdf.rename(columns={"Name": "name"})
        report.notes.append(
            _("In {name} each district's placemark name was read as the column 'name'.").format(name=name)
        )
    return gdf


# -- text in any script ----------------------------------------------------------------------
#: Unicode marks that copy-and-paste leaves around values: invisible, but they break a match
_INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e"
)
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: keeps a right-to-left name in its place


def _is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def quote(value: Any) -> str:
    """A value quoted for a message. Arabic or Hebrew is isolated (U+2068 ... U+2069), so that the
    quotes, commas and the words around it stay in place in a left-to-right sentence."""
    text = str(value)
    return f"'{FSI}{text}{PDI}'" if _is_rtl(text) else f"'{text}'"


def quote_list(values: Sequence[Any], n: int = 6) -> str:
    shown = ", ".join(quote(v) for v in list(values)[:n])
    return f"[{shown}{', ...' if len(values) > n else ''}]"


def ascii_digits(text: str) -> str:
    """Digits of any script as 0-9: Arabic-Indic '٠١٢', Persian '۰۱۲', Thai '๐๑๒' and others."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _cell_text(value: Any) -> str:
    """A cell as text: 101.0 from a spreadsheet becomes '101', an empty cell ''."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_key(value: Any) -> tuple[str, list[str]]:
    """A district ID as it is matched: trimmed, in Unicode's composed form (NFC), digits as 0-9.
    Returns the cleaned ID and what had to change ('spaces', 'unicode', 'digits')."""
    raw = _cell_text(value)
    changed = []
    text = raw.strip().strip(_INVISIBLE).strip()
    if text != raw:
        changed.append("spaces")
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        changed.append("unicode")
    digits = ascii_digits(nfc)
    if digits != nfc:
        changed.append("digits")
    return digits, changed


# -- reading the indicator table -------------------------------------------------------------
#: the code pages spreadsheets on Windows and Mac save text in, in the order we prefer them when
#: two decode a file the same way
CODE_PAGES = [
    "cp1252", "cp1251", "cp1256", "cp874", "cp1254", "cp949", "cp1250", "cp1253", "cp1255", "cp1257",
    "cp1258", "cp932", "cp936", "gb18030", "cp950", "big5", "koi8_r", "cp866", "mac_roman", "mac_cyrillic",
    "mac_arabic", "tis_620", "euc_kr", "utf_16", "utf_16_le", "utf_16_be",
]  # fmt: skip
#: letters of the participating cities' languages that are written in Latin script with accents
#: (Spanish, Portuguese, Azerbaijani, Turkish, Filipino): they decide between code pages that
#: charset-normalizer finds equally likely, e.g. cp1252 and cp1254
COURSE_LETTERS = set("áéíóúñüãõçâêôàÁÉÍÓÚÑÜÃÕÇÂÊÔÀğıişöşİĞŞÖəƏ")
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with a byte order mark, as Excel's 'CSV UTF-8' writes)",
    "utf-16": "UTF-16 (what Excel calls 'Unicode text')",
    "utf-16-le": "UTF-16 (what Excel calls 'Unicode text')",
    "utf-16-be": "UTF-16 (big-endian)",
    "cp1251": "cp1251 (Windows Cyrillic: Kazakh, Kyrgyz, Russian)",
    "cp1256": "cp1256 (Windows Arabic)",
    "cp874": "cp874 (Windows Thai, close to TIS-620)",
    "tis-620": "TIS-620 (Thai)",
    "cp1252": "cp1252 (Windows Western European: Spanish, Portuguese, English)",
    "cp1254": "cp1254 (Windows Turkish, also used for Azerbaijani in Latin letters)",
    "cp949": "cp949 (Korean Windows, also called EUC-KR)",
    "euc_kr": "EUC-KR (Korean)",
    "cp1250": "cp1250 (Windows Central European)",
    "mac-cyrillic": "Mac Cyrillic",
    "mac-roman": "Mac Roman (Western European)",
    "koi8-r": "KOI8-R (Russian)",
    "cp866": "cp866 (DOS Cyrillic)",
}
DELIMITERS = {
    ",": N_("commas (,)"),
    ";": N_("semicolons (;)"),
    "\t": N_("tabs"),
    "|": N_("vertical bars (|)"),
}
#: the two sides of the match, named in messages
SIDES = (N_("boundaries"), N_("indicator table"))


def encoding_name(encoding: str) -> str:
    """A code page's name with the languages it is for, e.g. 'cp1251 (Windows Cyrillic: ...)'."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return ENCODING_NAMES.get(name, ENCODING_NAMES.get(encoding.lower(), name))


def _known_encoding(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
        return True
    except LookupError:
        return False


def detect_encoding(raw: bytes) -> str | None:
    """The most likely encoding of text that is not UTF-8, from charset-normalizer.

    charset-normalizer ranks code pages by how messy the decoded text is (chaos) and how well its
    letters fit a language (coherence). Among those almost as tidy as the best, the one that gives
    more letters of the participating cities' languages wins (cp1252 and cp1254 decode Spanish
    alike, but only cp1254 gives Azerbaijani 'ğ' and 'ı'), then coherence, then CODE_PAGES order."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw))
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= least + 0.05]

    def rank(m) -> tuple[int, float, int]:
        letters = sum(ch in COURSE_LETTERS for ch in str(m))
        order = CODE_PAGES.index(m.encoding) if m.encoding in CODE_PAGES else len(CODE_PAGES)
        return (-letters, -m.coherence, order)

    return codecs.lookup(min(close, key=rank).encoding).name


def _split_lines(raw: bytes) -> list[bytes]:
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")


def _looks_utf16(raw: bytes) -> bool:
    return raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or raw.count(b"\x00") > len(raw) // 4


def _mixed_lines(raw: bytes) -> tuple[int, int] | None:
    """(a UTF-8 line, the first line that is not UTF-8), 1-based, when a file mixes the two.

    A line in a legacy code page can happen to be valid UTF-8 (two cp949 bytes can form one
    UTF-8 letter), so a line counts as UTF-8 only when it reads more cleanly as UTF-8 than in
    the code page of the other lines (charset-normalizer's mess ratio)."""
    if _looks_utf16(raw):
        return None
    utf8, bad = [], []
    for number, line in enumerate(_split_lines(raw), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append((number, line))
        except UnicodeDecodeError:
            bad.append((number, line))
    if not utf8 or not bad:
        return None
    from charset_normalizer.md import mess_ratio

    other = detect_encoding(b"\n".join(line for _, line in bad)) or "cp1252"
    for number, line in utf8:
        if mess_ratio(line.decode("utf-8"), 1.0) < mess_ratio(line.decode(other, errors="replace"), 1.0):
            return number, bad[0][0]
    return None


def sniff_delimiter(text: str) -> str:
    """The column separator: the one that splits the header into the most columns and every row
    into as many (commas, semicolons, tabs or vertical bars)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:200]
    if not lines:
        return ","
    best, best_n, fallback, fallback_n = ",", 1, ",", 1
    for d in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=d))
        n = len(rows[0])
        if n > fallback_n:
            fallback, fallback_n = d, n
        if n > best_n and all(len(r) == n for r in rows):
            best, best_n = d, n
    return best if best_n > 1 else fallback


def _names_to_confirm(text: str, n: int = 3) -> list[str]:
    """A few values written in letters other than A-Z: what the trainee should check by eye."""
    try:
        df = pd.read_csv(io.StringIO(text), sep=sniff_delimiter(text), dtype=str, keep_default_na=False)
    except Exception:
        df = None
    if df is not None:
        for col in df.columns:
            values = [v.strip() for v in df[col].astype(str) if not v.isascii() and not _number_like(v)]
            if values:
                return list(dict.fromkeys(values))[:n]
    rows = [ln for ln in text.splitlines()[1:] if not ln.isascii()]
    return rows[:n]


def _decode(name: str, raw: bytes, report: Report, encoding: str | None) -> tuple[str, str] | None:
    """The file's text and the encoding it was read with; or None, with the problem reported."""
    mixed = _mixed_lines(raw)
    if mixed and (
        encoding is None or codecs.lookup(encoding).name not in ("utf-16", "utf-16-le", "utf-16-be")
    ):
        good, bad = mixed
        bad_line = _split_lines(raw)[bad - 1]
        guess = detect_encoding(bad_line)
        looks = ""
        if guess:
            looks = _(" It looks like {guess}: {line}.").format(
                guess=encoding_name(guess), line=quote(bad_line.decode(guess, errors="replace").strip())
            )
        report.problems.append(
            problem(
                "mixed-encodings",
                _(
                    "{name} mixes two text encodings. Line {good} is UTF-8, but line {bad} is not.{looks} This happens when rows from two files are pasted together."
                ).format(name=name, good=good, bad=bad, looks=looks),
                _(
                    "Open the file that line {bad} came from, save it as 'CSV UTF-8', and copy those rows again. Or retype the names from line {bad} on. Then save the table as 'CSV UTF-8' and run validate again."
                ).format(bad=bad),
                _("line {bad} of {name}").format(bad=bad, name=name),
            )
        )
        return None
    if encoding:
        if not _known_encoding(encoding):
            report.problems.append(
                problem(
                    "unknown-encoding",
                    _("Python does not know the encoding {encoding!r}.").format(encoding=encoding),
                    _(
                        "Use a name such as 'utf-8', 'cp1251', 'cp1256', 'cp874', 'cp1252', 'cp1254' or 'cp949'."
                    ),
                )
            )
            return None
        try:
            return raw.decode(encoding), codecs.lookup(encoding).name
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            guess = detect_encoding(raw)
            report.problems.append(
                problem(
                    "wrong-encoding",
                    _(
                        "{name} cannot be read as {encoding}: line {line} has bytes that do not exist in it."
                    ).format(name=name, encoding=encoding_name(encoding), line=line)
                    + (_(" It looks like {guess}.").format(guess=encoding_name(guess)) if guess else ""),
                    (
                        _("Run validate again with encoding='{guess}', or save").format(guess=guess)
                        if guess
                        else _("Save")
                    )
                    + _(" the table from Excel as 'CSV UTF-8' and run validate again without encoding=."),
                    _("line {line} of {name}").format(line=line, name=name),
                )
            )
            return None
    if raw.startswith(codecs.BOM_UTF8):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    if _looks_utf16(raw):  # UTF-16 without its byte order mark
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, enc
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = detect_encoding(raw)
    if guess is None:
        report.problems.append(
            problem(
                "not-utf8",
                _(
                    "{name} is not saved as UTF-8 (line {line} cannot be read), and its encoding could not be recognised."
                ).format(name=name, line=line),
                _(
                    "Open the table in Excel and save it as 'CSV UTF-8 (Comma delimited)'. Then run validate again."
                ),
                _("line {line} of {name}").format(line=line, name=name),
            )
        )
        return None
    names = _names_to_confirm(raw.decode(guess, errors="replace"))
    report.problems.append(
        problem(
            "not-utf8",
            _(
                "{name} is not saved as UTF-8 (line {line} cannot be read as UTF-8). It looks like {guess}. Read that way, the first names are: {listed}."
            ).format(
                name=name, line=line, guess=encoding_name(guess), listed=", ".join(quote(n) for n in names)
            ),
            _(
                "If these names look right, run validate again with encoding='{guess}'. If they look wrong, open the table in Excel and save it as 'CSV UTF-8 (Comma delimited)'."
            ).format(guess=guess),
            _("line {line} of {name}").format(line=line, name=name),
        )
    )
    return None


def read_indicators(
    path: str | Path, report: Report, encoding: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame | None:
    """The indicator table, every cell as text (an .xlsx keeps its numbers as numbers)."""
    path = Path(path)
    if not path.exists():
        report.problems.append(
            problem(
                "no-table-file",
                _("The indicator table {path} does not exist.").format(path=path),
                _("Check the file name and folder; put it next to this notebook or give the full path."),
            )
        )
        return None
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook(path, report, sheet)
    if suffix in (".xls", ".ods", ".numbers"):
        report.problems.append(
            problem(
                "old-spreadsheet",
                _("{path_name} is a spreadsheet format the checker cannot read ({suffix}).").format(
                    path_name=path.name, suffix=suffix
                ),
                _(
                    "Open it and save it as 'Excel Workbook (.xlsx)' or as 'CSV UTF-8'. Then run validate again."
                ),
            )
        )
        return None
    decoded = _decode(path.name, path.read_bytes(), report, encoding)
    if decoded is None:
        return None
    text, used = decoded
    delimiter = sniff_delimiter(text)
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        report.problems.append(
            problem(
                "bad-csv",
                _("{path_name} is not a well-formed table ({detail}).").format(
                    path_name=path.name, detail=str(exc).strip()[:160]
                ),
                _(
                    "Check for stray quotes or a different number of separators on that line; re-export from your spreadsheet."
                ),
            )
        )
        return None
    df.columns = [unicodedata.normalize("NFC", str(c)).strip().strip(_INVISIBLE) for c in df.columns]
    how = _("{path_name} was read as {used}, with columns separated by {delimiters}.").format(
        path_name=path.name, used=encoding_name(used), delimiters=_(DELIMITERS[delimiter])
    )
    if used not in ("utf-8", "utf-8-sig"):
        names = _names_to_confirm(text)
        if names:
            how += _(" Check that these names look right: {listed}.").format(
                listed=", ".join(quote(n) for n in names)
            )
    report.notes.append(how)
    df.attrs["source"] = path.name
    df.attrs["delimiter"] = delimiter
    return df


def read_workbook(path: Path, report: Report, sheet: str | int | None = None) -> pd.DataFrame | None:
    """The first sheet of an Excel workbook (or ``sheet``), read with openpyxl. Numbers stay
    numbers, text stays text, empty cells are ''."""
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        names = book.sheetnames
        if sheet is None:
            chosen = names[0]
        elif isinstance(sheet, int):
            chosen = names[sheet] if -len(names) <= sheet < len(names) else ""
        else:
            chosen = sheet if sheet in names else ""
        if not chosen:
            report.problems.append(
                problem(
                    "no-such-sheet",
                    _("{path_name} has no sheet {sheet!r}; its sheets are {names}.").format(
                        path_name=path.name, sheet=sheet, names=quote_list(names)
                    ),
                    _("Pass sheet= with one of these names."),
                )
            )
            return None
        rows = [list(r) for r in book[chosen].iter_rows(values_only=True)]
        book.close()
    except Exception as exc:
        report.problems.append(
            problem(
                "unreadable-workbook",
                _("{path_name} could not be read as an Excel workbook ({error}: {detail}).").format(
                    path_name=path.name, error=type(exc).__name__, detail=str(exc)[:160]
                ),
                _(
                    "Open it in Excel, save it again as 'Excel Workbook (.xlsx)' or as 'CSV UTF-8', and run validate again."
                ),
            )
        )
        return None
    rows = [r for r in rows if any(v is not None and str(v).strip() for v in r)]
    if not rows:
        report.problems.append(
            problem(
                "empty-sheet",
                _("Sheet {chosen} of {path_name} is empty.").format(
                    chosen=quote(chosen), path_name=path.name
                ),
                _("Put the table on the first sheet, or pass sheet= with the sheet that holds it."),
            )
        )
        return None
    header = [unicodedata.normalize("NFC", _cell_text(v)).strip() for v in rows[0]]
    width = max(i + 1 for i, h in enumerate(header) if h) if any(header) else len(header)
    body = [[("" if v is None else v) for v in (r + [None] * width)[:width]] for r in rows[1:]]
    df = pd.DataFrame(body, columns=header[:width], dtype=object)
    for col in df.columns:  # text cells as str, numbers as numbers
        df[col] = [
            v if isinstance(v, (int, float)) and not isinstance(v, bool) else _cell_text(v) for v in df[col]
        ]
    how = _("{path_name} was read from the sheet {chosen}").format(path_name=path.name, chosen=quote(chosen))
    others = [n for n in names if n != chosen]
    how += (
        _(". The other sheets were not read: {listed}.").format(listed=", ".join(quote(n) for n in others))
        if others
        else "."
    )
    report.notes.append(how)
    df.attrs["source"] = path.name
    return df


# -- numbers as Excel writes them in any locale ----------------------------------------------
#: characters that separate thousands and are never a decimal mark: spaces (Excel in Russian,
#: Kazakh and French writes a no-break space), the Swiss apostrophe and the Arabic thousands mark
_GROUPING = " \u00a0\u202f\u2009'\u066c"
_ARABIC_DECIMAL = "\u066b"
_NUMBER = re.compile(r"^[+\-\u2212]?[\d.,\u066b" + _GROUPING + r"]*\d[\d.,\u066b" + _GROUPING + r"]*$")


def _number_like(cell: str) -> bool:
    return bool(_NUMBER.match(ascii_digits(cell.strip())))


def _core(cell: str) -> str:
    """The digits and separators of a number: no sign, no spaces, digits as 0-9."""
    s = ascii_digits(cell.strip()).lstrip("+-\u2212")
    return "".join(ch for ch in s if ch not in _GROUPING)


def number_evidence(cell: str) -> str | None:
    """What one cell says about the decimal mark: ',' or '.' when it proves it, '?' when it could
    be either ('1.234' is 1234 or 1.234), None when it has no comma or dot."""
    s = _core(cell)
    if _ARABIC_DECIMAL in s:
        return None
    if "," in s and "." in s:
        return s[max(s.rfind(","), s.rfind("."))]
    sep = "," if "," in s else "." if "." in s else None
    if sep is None:
        return None
    parts = s.split(sep)
    if len(parts) > 2:  # 1.234.567: the dots group thousands, so the decimal mark is the comma
        return "," if sep == "." else "."
    whole, fraction = parts
    if len(fraction) != 3 or not whole or whole.startswith("0") or len(whole) > 3:
        return sep  # 0,129 / 12,5 / 1234,567 / ,5 cannot be thousands
    return "?"


def parse_number(cell: str, decimal: str) -> float | None:
    """One cell as a number, given the file's decimal mark; None when it does not fit."""
    s = ascii_digits(cell.strip())
    negative = s[:1] in ("-", "\u2212")
    s = _core(s).replace(_ARABIC_DECIMAL, decimal)
    thousands = "," if decimal == "." else "."
    if thousands in s:
        whole = s.split(decimal)[0]
        if not re.fullmatch(r"[1-9]\d{0,2}(" + re.escape(thousands) + r"\d{3})+", whole):
            return None
        s = s.replace(thousands, "")
    if (
        s.count(decimal) > 1
        or not re.fullmatch(r"\d*" + re.escape(decimal) + r"?\d*", s)
        or not any(c.isdigit() for c in s)
    ):
        return None
    value = float(s.replace(decimal, "."))
    return -value if negative else value


@dataclass
class NumberFormat:
    decimal: str | None  #: ',' or '.', or None when the file does not say
    #: decimal mark -> the cells that prove it
    proof: dict[str, list[str]] = field(default_factory=lambda: {",": [], ".": []})
    ambiguous: list[tuple[str, str]] = field(default_factory=list)  #: (column, cell) like '1.234'


def number_format(table: pd.DataFrame, columns: Sequence[str]) -> NumberFormat:
    """The decimal mark of the whole file (Excel uses one per locale), from the text cells of
    these columns."""
    proof: dict[str, list[str]] = {",": [], ".": []}
    ambiguous = []
    for col in columns:
        for cell in table[col]:
            if not isinstance(cell, str) or not _number_like(cell):
                continue
            ev = number_evidence(cell)
            if ev in proof:
                proof[ev].append(cell.strip())
            elif ev == "?":
                ambiguous.append((col, cell.strip()))
    marks = [m for m in proof if proof[m]]
    return NumberFormat(marks[0] if len(marks) == 1 else None, proof, ambiguous)


def _wide(df: pd.DataFrame, key: str | None) -> list[str]:
    """Columns other than the key whose every non-empty cell looks like a number (no codes with
    leading zeros such as '0101': they stay text)."""
    out = []
    for col in df.columns:
        if col == key:
            continue
        cells = [c for c in df[col] if not (isinstance(c, str) and not c.strip())]
        if cells and all(
            (isinstance(c, (int, float)) and not isinstance(c, bool))
            or (isinstance(c, str) and _number_like(c) and not re.match(r"^0\d", _core(c)))
            for c in cells
        ):
            out.append(col)
    return out


# -- checks ----------------------------------------------------------------------------------
#: the participating cities (longitude, latitude of the centre): a layer whose coordinates land
#: far from all of them, but near one once x and y are exchanged, has them in the wrong order
CITIES = {
    "Abu Dhabi": (54.37, 24.45), "Abuja": (7.49, 9.06), "Addis Ababa": (38.75, 9.03),
    "Almaty": (76.89, 43.24), "Baku": (49.87, 40.41), "Bangkok": (100.50, 13.76),
    "Bishkek": (74.59, 42.87), "Cuenca": (-79.00, -2.90), "Jakarta": (106.85, -6.21),
    "San Fernando (La Union)": (120.32, 16.62), "São Paulo": (-46.63, -23.55), "Seoul": (126.98, 37.57),
}  # fmt: skip
NEAR_KM = 150


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def near_city(lon: float, lat: float) -> str | None:
    """The participating city within NEAR_KM of this point, if any."""
    for city, (clon, clat) in CITIES.items():
        if _km(lon, lat, clon, clat) <= NEAR_KM:
            return city
    return None


def _swap_fix(name: str) -> str:
    return _(
        "GeoJSON and KML list longitude first, then latitude. Exchange the two numbers of every point "
        "and save a new file: capstone.swap_coordinates('{name}', 'boundaries_fixed.geojson'). "
        "Then use the new file."
    ).format(name=name)


def inspect_crs(gdf: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame:
    """A CRS that is missing, does not fit the coordinates, or coordinates in the wrong order."""
    source = gdf.attrs.get("source")
    name = source.name if isinstance(source, _Source) else "the boundaries file"
    xmin, ymin, xmax, ymax = (float(v) for v in gdf.total_bounds)
    in_degrees = xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90
    swapped_degrees = (
        xmin >= -90 and xmax <= 180 and ymin >= -180 and ymax <= 180 and max(abs(ymin), abs(ymax)) > 90
    )
    if gdf.crs is None:
        if in_degrees:
            hint = _(
                "The coordinates look like longitude/latitude, so boundaries_crs='EPSG:4326' is probably right."
            )
        else:
            hint = _(
                "The coordinates are in metres: ask your GIS office which projection they use (for example a UTM zone, 'EPSG:32643')."
            )
        if isinstance(source, _Source) and source.kind == "shapefile" and not source.has_prj:
            what = _(
                "The shapefile {shp} comes without its .prj file, so its coordinate reference system (CRS) is unknown and areas and distances cannot be measured."
            ).format(shp=source.shp)
            fix = _(
                "Ask for the {stem}.prj file that belongs to it and put it next to the other files. Or run validate again with boundaries_crs='EPSG:...'. {hint}"
            ).format(stem=Path(source.shp).stem, hint=hint)
        else:
            what = _(
                "The boundaries have no coordinate reference system (CRS), so areas and distances cannot be measured."
            )
            fix = _(
                "Set it in QGIS (Layer > Set CRS) and export again, or run validate again with boundaries_crs='EPSG:...'. {hint}"
            ).format(hint=hint)
        report.problems.append(problem("no-crs", what, fix))
        return gdf
    if gdf.crs.is_geographic:
        if swapped_degrees:
            report.problems.append(
                problem(
                    "swapped-coordinates",
                    _(
                        "The coordinates of {name} are in the wrong order: the second number of each point goes up to {largest:.1f}, but a latitude is never more than 90. They are latitude, longitude."
                    ).format(name=name, largest=max(abs(ymin), abs(ymax))),
                    _swap_fix(name),
                )
            )
        elif not in_degrees:
            report.problems.append(
                problem(
                    "crs-mislabelled",
                    _(
                        "The file says its CRS is {crs} (degrees), but the coordinates go up to {max:,.0f}: they are in metres."
                    ).format(crs=gdf.crs.to_string(), max=max(abs(xmax), abs(ymax))),
                    _(
                        "The CRS label is wrong: run validate again with boundaries_crs='EPSG:xxxx' (the real projected CRS), or fix it in your GIS and export again."
                    ),
                )
            )
        else:
            lon, lat = (xmin + xmax) / 2, (ymin + ymax) / 2
            here, there = near_city(lon, lat), near_city(lat, lon)
            if there and not here:
                report.problems.append(
                    problem(
                        "swapped-coordinates",
                        _(
                            "The coordinates of {name} seem to be in the wrong order (latitude, longitude). As they are, the districts lie at {place}. With the two numbers exchanged they lie in {there}."
                        ).format(name=name, place=_place(lon, lat), there=there),
                        _swap_fix(name),
                    )
                )
            else:
                report.notes.append(
                    _("The boundaries are in longitude/latitude ({crs}), around {place}").format(
                        crs=gdf.crs.to_string(), place=_place(lon, lat)
                    )
                    + (_(", in {here}.").format(here=here) if here else ".")
                )
        return gdf
    # a projected CRS, in metres (or feet)
    epsg = gdf.crs.to_epsg()
    label = f"{gdf.crs.name}" + (f" (EPSG:{epsg})" if epsg else "")
    if in_degrees and max(xmax - xmin, ymax - ymin) < 5:
        report.problems.append(
            problem(
                "crs-mislabelled",
                _(
                    "The file says its CRS is {label}, in metres, but all the coordinates are between -180 and 180 and the whole city is less than 5 units wide: they are longitude/latitude in degrees."
                ).format(label=label),
                _(
                    "The CRS label is wrong: run validate again with boundaries_crs='EPSG:4326', or fix it in your GIS and export again."
                ),
            )
        )
        return gdf
    try:
        lonlat = gdf.to_crs(geo.WGS84)
        x0, y0, x1, y1 = (float(v) for v in lonlat.total_bounds)
        lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
        city = near_city(lon, lat)
        where = _(", around {place}").format(place=_place(lon, lat)) + (
            _(", in {city}").format(city=city) if city else ""
        )
    except Exception:
        where = ""
    unit = gdf.crs.axis_info[0].unit_name if gdf.crs.axis_info else "metre"
    note = _(
        "The boundaries use a projected CRS, {label}, in {unit}s{where}. That is fine: maps use it as it is."
    ).format(label=label, unit=unit, where=where)
    if epsg == 3857:
        note += _(
            " But Web Mercator stretches areas (by about 1/cos(latitude)²), so the analysis measures areas in the UTM zone of your city instead."
        )
    report.notes.append(note)
    return gdf


def _place(lon: float, lat: float) -> str:
    return f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}° {'E' if lon >= 0 else 'W'}"


def swap_coordinates(source: str | Path, target: str | Path) -> Path:
    """Write ``source`` again with x and y exchanged in every point (for boundaries saved as
    latitude, longitude). The target's extension chooses the format (.geojson or .gpkg)."""
    import shapely

    report = Report()
    gdf = read_boundaries(source, report)
    if gdf is None:
        raise ValueError(str(report))
    flipped = shapely.transform(np.asarray(gdf.geometry.values), lambda xy: xy[:, ::-1])
    gdf = gdf.set_geometry(gpd.GeoSeries(flipped, index=gdf.index, crs=gdf.crs))
    gdf.attrs = {}
    target = Path(target)
    target.unlink(missing_ok=True)
    gdf.to_file(target, engine="pyogrio")
    return target


def inspect_geometries(gdf: gpd.GeoDataFrame, key: str | None, report: Report) -> None:
    kinds = set(gdf.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        report.problems.append(
            problem(
                "not-polygons",
                _("The boundaries contain {kinds} shapes, not only polygons.").format(
                    kinds=sorted(kinds - {"Polygon", "MultiPolygon"})
                ),
                _("Keep only the district polygons (not points or lines) and export again."),
            )
        )
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any():
        ids = _ids(gdf, key, missing)
        report.problems.append(
            problem(
                "missing-shapes",
                _("{missing} district(s) have no shape.").format(missing=int(missing.sum())),
                _("Draw or restore their polygons, or remove those rows."),
                ids,
            )
        )
    invalid = ~gdf.geometry.is_valid & ~missing
    if invalid.any():
        from shapely.validation import explain_validity

        first = explain_validity(gdf.geometry[invalid].iloc[0])
        report.problems.append(
            problem(
                "invalid-shapes",
                _("{invalid} district polygon(s) are invalid ({first}).").format(
                    invalid=int(invalid.sum()), first=first
                ),
                _(
                    "Repair them: in QGIS 'Fix geometries', or in Python gdf.geometry = gdf.geometry.make_valid()."
                ),
                _ids(gdf, key, invalid),
            )
        )


def _ids(df: pd.DataFrame, key: str | None, mask) -> str:
    vals = df.loc[mask, key].astype(str).tolist() if key and key in df else [str(i) for i in df.index[mask]]
    return ", ".join(vals[:8]) + (" ..." if len(vals) > 8 else "")


def _no_column(code: str, name: str, column: str, columns: Any, fix: str, list_columns: bool = False) -> Any:
    """A column the checker needs is missing: name the closest column there is, so a typo is easy to see."""
    close = difflib.get_close_matches(column, [str(c) for c in columns], n=1)
    what = (
        _("The boundaries have no column {column!r}")
        if name == "boundaries"
        else _("The indicator table has no column {column!r}")
    ).format(column=column)
    if close:
        what += _(" (did you mean {close!r}?)").format(close=close[0])
    what += "."
    if list_columns:
        what += " " + _("Its columns are {columns}.").format(columns=list(columns)[:12])
    return problem(code, what, fix)


def inspect_key(bounds: gpd.GeoDataFrame, table: pd.DataFrame, key: str, report: Report) -> bool:
    """IDs present, unique and matching, after trimming, NFC and digits as 0-9 (``clean_key``)."""
    ok = True
    for name, df in (("boundaries", bounds), ("indicator table", table)):
        if key not in df.columns:
            report.problems.append(
                _no_column(
                    "no-key-column",
                    name,
                    key,
                    df.columns,
                    _(
                        "Rename the district ID column to {key!r} in both files, or pass key='<your column name>'."
                    ).format(key=key),
                    list_columns=True,
                )
            )
            ok = False
    if not ok:
        return False
    cleaned: dict[str, list[str]] = {}
    changes: dict[str, list[tuple[str, str, str]]] = {"spaces": [], "unicode": [], "digits": []}
    for name, df in (("boundaries", bounds), ("indicator table", table)):
        cleaned[name] = []
        for value in df[key]:
            clean, changed = clean_key(value)
            cleaned[name].append(clean)
            for kind in changed:
                changes[kind].append((name, _cell_text(value), clean))
    b, t = pd.Series(cleaned["boundaries"]), pd.Series(cleaned["indicator table"])
    for name, s in (("boundaries", b), ("indicator table", t)):
        dup = s[s.duplicated()].unique().tolist()
        if dup:
            report.problems.append(
                problem(
                    "repeated-ids",
                    _("District IDs repeat in the {name}: {dup}.").format(name=name, dup=quote_list(dup, 8)),
                    _("Each district must appear once: merge or remove the repeated rows."),
                )
            )
            ok = False
    only_b, only_t = sorted(set(b) - set(t)), sorted(set(t) - set(b))
    if only_b or only_t:
        hint = ""

        def unpad(x: str) -> str:  # "D01" -> "D1", "0101" -> "101"
            return re.sub(r"(?:(?<=\D)|^)0+(?=\d)", "", x)

        stripped = {unpad(x) for x in only_b} & {unpad(x) for x in only_t}
        if stripped:
            hint = _(
                " The IDs differ only by leading zeros: a spreadsheet turned text codes into numbers. Store the ID column as text (in Excel: format the column as Text before pasting)."
            )
        pairs = [
            f"{quote(x)}~{quote(difflib.get_close_matches(x, only_t, n=1)[0])}"
            for x in only_b
            if difflib.get_close_matches(x, only_t, n=1)
        ]
        if pairs and not hint:
            hint = _(" Similar IDs: {listed}: check spelling and spaces.").format(listed=", ".join(pairs[:5]))
        report.problems.append(
            problem(
                "ids-do-not-match",
                _(
                    "The district IDs do not match: {n_only_b} in the boundaries only {only_b}, {n_only_t} in the table only {only_t}."
                ).format(
                    n_only_b=len(only_b),
                    only_b=quote_list(only_b),
                    n_only_t=len(only_t),
                    only_t=quote_list(only_t),
                ),
                _("Use the same ID for each district in both files.") + hint,
            )
        )
        ok = False
    if ok and any(changes.values()):
        report.notes.append(_cleaning_note(changes))
    return ok


def _cleaning_note(changes: dict[str, list[tuple[str, str, str]]]) -> str:
    """What had to change in the IDs before they matched, with one example of each."""
    n = len({(side, raw) for found in changes.values() for side, raw, _ in found})
    parts = []
    if changes["spaces"]:
        side, raw, clean = changes["spaces"][0]
        parts.append(
            _("spaces or invisible marks around them ({raw} in the {side} became {clean})").format(
                raw=quote(raw), side=_(side), clean=quote(clean)
            )
        )
    if changes["unicode"]:
        side, raw, clean = changes["unicode"][0]
        raw = raw.strip().strip(_INVISIBLE).strip()
        nfc = unicodedata.normalize("NFC", raw)
        parts.append(
            _(
                "letters stored in another Unicode form ({raw} in the {side} is {n_raw} characters, "
                "letter and accent apart; it was matched as {nfc}, {n_nfc} characters, the form called NFC)"
            ).format(raw=quote(raw), side=_(side), n_raw=len(raw), nfc=quote(nfc), n_nfc=len(nfc))
        )
    if changes["digits"]:
        side, raw, clean = changes["digits"][0]
        parts.append(
            _("digits of another script ({raw} in the {side} was read as {clean})").format(
                raw=quote(raw.strip()), side=_(side), clean=quote(clean)
            )
        )
    return _(
        "{n} district ID(s) matched only after cleaning: {changes}. The cleaned IDs are used from here on. "
        "To avoid this step, save both files with the same IDs, written the same way."
    ).format(n=n, changes="; ".join(parts))


def inspect_numeric(
    table: pd.DataFrame,
    columns: Sequence[str],
    report: Report,
    key: str | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """The numeric columns as numbers, read in the file's number format (decimal comma or point,
    thousands separators); other columns that hold only numbers become numbers too."""
    out = table.copy()
    required = []
    for col in columns:
        if col in table.columns:
            required.append(col)
            continue
        report.problems.append(
            _no_column(
                "no-column",
                "indicator table",
                col,
                table.columns,
                _("Add the column {col!r}, or change the list of numeric columns you pass.").format(col=col),
            )
        )
    others = [c for c in _wide(table, key) if c not in required]
    candidates = required + others
    # One decimal mark for the whole file (Excel writes one per locale), from every column that
    # holds numbers. Two marks block only when a numeric column is involved; cells such as
    # '1.234' block only in a numeric column, and only when no other cell tells.
    req = number_format(table, required)
    fmt = number_format(table, required + others)
    two_marks = bool(fmt.proof[","] and fmt.proof["."])
    needed = bool(req.proof[","] or req.proof["."] or req.ambiguous)
    fmt.ambiguous = req.ambiguous
    source = table.attrs.get("source", "the table")
    if decimal is not None and decimal not in (",", "."):
        report.problems.append(
            problem(
                "bad-decimal",
                _("decimal={decimal!r} is not a decimal mark.").format(decimal=decimal),
                _("Pass decimal=',' or decimal='.'."),
            )
        )
        return out
    mark = decimal or fmt.decimal
    if mark is None and two_marks and needed:
        report.problems.append(
            problem(
                "two-number-formats",
                _(
                    "The numbers in {source} use two decimal marks: {with_comma} has a decimal comma, but {with_point} has a decimal point."
                ).format(
                    source=source, with_comma=quote(fmt.proof[","][0]), with_point=quote(fmt.proof["."][0])
                ),
                _(
                    "Use one format in the whole file (in Excel, format the columns as Number and save again). Or, if you know which mark is right, run validate again with decimal=',' or decimal='.'."
                ),
            )
        )
        return out
    if mark is None and fmt.ambiguous and not two_marks:
        col, cell = fmt.ambiguous[0]
        sep = "," if "," in cell else "."
        whole = cell.replace(sep, "")
        as_decimal = cell.replace(sep, ".")
        likely = ""
        if table.attrs.get("delimiter") == ";" and sep == ".":
            likely = _(
                " The file uses semicolons between columns, as Excel does where the decimal mark is a comma, so {whole} is more likely."
            ).format(whole=whole)
        report.problems.append(
            problem(
                "ambiguous-numbers",
                _(
                    "Column {col!r} holds numbers such as {cell} that can be read two ways: {whole} (with a {thousands_mark} between thousands) or {as_decimal} (with a decimal {decimal_mark}). Nothing else in the file shows which one Excel used.{likely}"
                ).format(
                    col=col,
                    cell=quote(cell),
                    whole=whole,
                    thousands_mark=_("dot") if sep == "." else _("comma"),
                    as_decimal=as_decimal,
                    decimal_mark=_("point") if sep == "." else _("comma"),
                    likely=likely,
                ),
                _(
                    "If {cell} means {whole}, run validate again with decimal='{other}'. If it means {as_decimal}, use decimal='{sep}'."
                ).format(
                    cell=quote(cell),
                    whole=whole,
                    other="," if sep == "." else ".",
                    as_decimal=as_decimal,
                    sep=sep,
                ),
            )
        )
        return out
    mark = mark or "."
    rows_of = (
        "rows {} of the sheet" if str(source).lower().endswith((".xlsx", ".xlsm")) else "rows {} of the CSV"
    )
    examples: dict[str, tuple[str, float]] = {}
    as_text_cells = 0
    for col in candidates:
        values: list[float] = []
        bad = []
        empty = 0
        for index, cell in zip(table.index, table[col]):
            if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                values.append(float(cell))
                continue
            text = str(cell).strip()
            if not text:
                values.append(np.nan)
                empty += 1
                continue
            number = parse_number(text, mark)
            if number is None:
                values.append(np.nan)
                bad.append(index)
                continue
            values.append(number)
            as_text_cells += table.attrs.get("source", "").lower().endswith((".xlsx", ".xlsm"))
            core = _core(text)
            if any(ch in text for ch in _GROUPING) or (("," if mark == "." else ".") in core):
                examples.setdefault("thousands", (text, number))
            if mark in core or _ARABIC_DECIMAL in core:
                examples.setdefault("decimal", (text, number))
        series = pd.Series(values, index=table.index, dtype="float64")
        if col not in required:
            if not bad:
                out[col] = _as_int_if_whole(series)
            else:
                odd = str(table.at[bad[0], col]).strip()
                report.notes.append(
                    _(
                        "Column {col!r} looks like numbers, but {n_bad} cell(s) do not fit the number format of the file (such as {odd}), so it was kept as text. Add it to numeric= to see which."
                    ).format(col=col, n_bad=len(bad), odd=quote(odd))
                )
            continue
        if bad:
            cells = [str(table.at[i, col]).strip() for i in bad]
            shown = list(dict.fromkeys(cells))[:5]
            hint = ""
            if any(any(ch.isdigit() for ch in c) and any(s in c for s in ",.") for c in shown):
                hint += _(
                    " Numbers must use the file's decimal mark ({mark_name}); if the file uses the other one, run validate again with decimal='{other}'."
                ).format(
                    mark_name=_("a comma") if mark == "," else _("a point"), other="." if mark == "," else ","
                )
            if any("%" in c for c in shown):
                hint += _(" Write percentages as plain numbers (12.5, not 12.5 %).")
            if any(
                c.lower() in {"n/a", "na", "-", "..", "none", "unknown", "#n/a", "nd", "s/d"} for c in shown
            ):
                hint += _(" Leave missing values empty instead of writing 'n/a' or '-'.")
            report.problems.append(
                problem(
                    "not-numbers",
                    _("Column {col!r} should hold numbers, but {n_bad} cell(s) hold text: {shown}.").format(
                        col=col, n_bad=len(bad), shown=quote_list(shown, 5)
                    ),
                    _("Correct those cells.") + hint,
                    rows_of.format(", ".join(str(table.index.get_loc(i) + 2) for i in bad[:8])).replace(
                        "rows ", "row " if len(bad) == 1 else "rows "
                    ),
                )
            )
        if empty:
            report.notes.append(
                _("{col!r} has {empty} empty cell(s): they count as missing, not zero.").format(
                    col=col, empty=empty
                )
            )
        out[col] = _as_int_if_whole(series)
    if examples and (mark == "," or decimal or "thousands" in examples):
        shown = [f"{quote(t)} = {_plain(v)}" for t, v in examples.values()]
        how = _("a decimal comma") if mark == "," else _("a decimal point")
        asked = _(" ({setting} as you asked)").format(setting=f"decimal={decimal!r}") if decimal else ""
        report.notes.append(
            _("Numbers in {source} were read with {how}{asked}").format(source=source, how=how, asked=asked)
            + (_(" and separators between thousands") if "thousands" in examples else "")
            + _(": {listed}.").format(listed=", ".join(shown))
        )
    if as_text_cells:
        report.notes.append(
            _(
                "{as_text_cells} cell(s) of {source} held numbers stored as text; they were read as numbers."
            ).format(as_text_cells=as_text_cells, source=source)
        )
    return out


def _as_int_if_whole(series: pd.Series) -> pd.Series:
    if series.notna().all() and (series == series.round()).all() and series.abs().max() < 2**53:
        return series.astype("int64")
    return series


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _nfc(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """Text cells in Unicode's composed form (NFC), so the same name is always the same string.
    The key is left alone here: ``inspect_key`` cleans it and says when that was needed."""
    df = df.copy()
    for col in df.columns:
        if col == key:
            continue
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            if col == getattr(df, "geometry", pd.Series(dtype=object)).name:
                continue
            df[col] = [unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in df[col]]
    return df


def validate(
    boundaries: str | Path,
    indicators: str | Path,
    key: str = "district_id",
    numeric: Sequence[str] = ("population",),
    encoding: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
    layer: str | None = None,
    boundaries_encoding: str | None = None,
    boundaries_crs: str | int | None = None,
) -> Report:
    """Read and check both files; return a Report that lists every problem with its fix.

    encoding: the table's encoding when it is not UTF-8 (the checker proposes one).
    decimal: ',' or '.', when the numbers could be read two ways (the checker says so).
    sheet: the sheet of an .xlsx to read (the first by default).
    layer: the layer of a GeoPackage or KML, or the shapefile in a zip, when there are several.
    boundaries_encoding: a shapefile table's encoding when it has no .cpg file.
    boundaries_crs: the CRS of boundaries that have none (e.g. a shapefile without its .prj)."""
    report = Report()
    gdf = read_boundaries(boundaries, report, layer=layer, encoding=boundaries_encoding)
    table = read_indicators(indicators, report, encoding, sheet)
    if gdf is not None:
        if boundaries_crs is not None:
            before = gdf.crs
            gdf = gdf.set_crs(boundaries_crs, allow_override=True)
            report.notes.append(
                _("The boundaries were given the CRS {boundaries_crs}, as you asked").format(
                    boundaries_crs=boundaries_crs
                )
                + (
                    _(" (the file said {before}).").format(before=before.to_string())
                    if before is not None
                    else "."
                )
            )
        gdf = inspect_crs(gdf, report)
        if key not in gdf.columns and key[:10] in gdf.columns and len(key) > 10:
            gdf = gdf.rename(columns={key[:10]: key})
            report.notes.append(
                _(
                    "Shapefiles cut column names to 10 characters: the column {key!r} was read as {key2!r}."
                ).format(key=key[:10], key2=key)
            )
        gdf = _nfc(gdf, key)
        inspect_geometries(gdf, key, report)
    if table is not None:
        table = inspect_numeric(_nfc(table, key), numeric, report, key=key, decimal=decimal)
    if gdf is not None and table is not None and inspect_key(gdf, table, key, report) and report.ok:
        gdf = gdf.assign(**{key: [clean_key(v)[0] for v in gdf[key]]})
        table = table.assign(**{key: [clean_key(v)[0] for v in table[key]]})
        report.joined = gdf.merge(table, on=key, how="left", suffixes=("", "_table"))
    if gdf is not None:
        gdf.attrs = {}
    if table is not None:
        table.attrs = {}
    report.boundaries, report.indicators = gdf, table
    if report.joined is not None:
        report.joined.attrs = {}
    return report


# -- the analysis (module 5, on your city) ---------------------------------------------------
def equity_table(
    joined: gpd.GeoDataFrame, need: str, supply: str, per: int = 1000, metric_crs: str | None = None
) -> gpd.GeoDataFrame:
    """Supply per ``per`` people in need (e.g. cooling centres per 1,000 residents aged 65+),
    density of need per km², and a flag for districts below half the city-wide rate.

    The capstone notebook writes the same steps out in pandas; this is the reference the tests
    hold it to. Areas are measured in ``geo.to_metric``'s CRS (the UTM zone of the city)."""
    gdf = joined.copy()
    metric = geo.to_metric(gdf, metric_crs)
    gdf["area_km2"] = metric.geometry.area / 1e6
    gdf["need_per_km2"] = gdf[need] / gdf["area_km2"]
    gdf["supply_per_need"] = gdf[supply] / gdf[need] * per
    city_rate = gdf[supply].sum() / gdf[need].sum() * per
    gdf["under_served"] = gdf["supply_per_need"] < 0.5 * city_rate
    gdf.attrs["city_rate"] = city_rate
    return gdf


# -- a toy city to practise on ---------------------------------------------------------------
TOY_NAMES = [
    "Riverside",
    "Old Town",
    "Hillcrest",
    "Market",
    "Harbour",
    "Greenfield",
    "Station",
    "Lakeside",
    "North Gate",
]


def toy_city(seed: int = 7) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A fictional 9-district city ('Hanbit') on a 3 x 3 grid near the equator, UTM metres."""
    rng = np.random.default_rng(seed)
    polys, ids = [], []
    size = 3000.0
    for r in range(3):
        for c in range(3):
            x0, y0 = 500000 + c * size, 100000 + r * size
            polys.append(Polygon([(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)]))
            ids.append(f"D{r * 3 + c + 1:02d}")
    gdf = gpd.GeoDataFrame({"district_id": ids, "name": TOY_NAMES}, geometry=polys, crs="EPSG:32637").to_crs(
        4326
    )
    pop = rng.integers(40_000, 160_000, 9)
    old = (pop * rng.uniform(0.06, 0.2, 9)).astype(int)
    # about 2 per 1,000 older residents, as in Seoul, but unevenly: two districts fall far behind
    uneven = np.array([1.2, 0.3, 1.0, 1.1, 0.9, 1.3, 0.4, 1.0, 1.5])
    centres = rng.poisson(old / 550 * uneven)
    table = pd.DataFrame(
        {
            "district_id": ids,
            "population": pop,
            "pop_65_plus": old,
            "cooling_centres": centres,
            "green_share": rng.uniform(0.03, 0.4, 9).round(3),
        }
    )
    return gdf, table


def write_toy_city(folder: str | Path, seed: int = 7) -> tuple[Path, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    gdf, table = toy_city(seed)
    b, t = folder / "boundaries.geojson", folder / "indicators.csv"
    from .data.build import geojson_bytes

    b.write_bytes(geojson_bytes(gdf, ndigits=6))
    table.to_csv(t, index=False, lineterminator="\n")
    return b, t


def write_broken_inputs(folder: str | Path) -> dict[str, tuple[Path, Path]]:
    """The usual ways real files go wrong, each as a (boundaries, indicators) pair."""
    folder = Path(folder)
    good_b, good_t = write_toy_city(folder / "good")
    gdf, table = toy_city()
    cases: dict[str, tuple[Path, Path]] = {}

    d = folder / "wrong_encoding"
    d.mkdir(parents=True, exist_ok=True)
    t = table.assign(name_local=["강서", "종로", "성북", "시장", "항구", "녹지", "역전", "호수", "북문"])
    (d / "indicators.csv").write_bytes(t.to_csv(index=False).encode("cp949"))
    cases["wrong_encoding"] = (good_b, d / "indicators.csv")

    d = folder / "missing_crs"
    d.mkdir(parents=True, exist_ok=True)
    metric = gdf.to_crs("EPSG:32637")
    (d / "boundaries.gpkg").unlink(missing_ok=True)
    import warnings

    with warnings.catch_warnings():  # the missing CRS is the point of this case
        warnings.simplefilter("ignore", UserWarning)
        metric.set_crs(None, allow_override=True).to_file(
            d / "boundaries.gpkg", driver="GPKG", engine="pyogrio"
        )
    cases["missing_crs"] = (d / "boundaries.gpkg", good_t)

    d = folder / "invalid_geometry"
    d.mkdir(parents=True, exist_ok=True)
    bad = gdf.copy()
    x0, y0, x1, y1 = bad.geometry.iloc[4].bounds
    bad.loc[4, "geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])  # a bow-tie
    from .data.build import geojson_bytes

    (d / "boundaries.geojson").write_bytes(geojson_bytes(bad, ndigits=6))
    cases["invalid_geometry"] = (d / "boundaries.geojson", good_t)

    d = folder / "keys_do_not_match"
    d.mkdir(parents=True, exist_ok=True)
    t = table.copy()
    t["district_id"] = t["district_id"].str.replace("D0", "D", regex=False)  # D01 -> D1
    t.loc[8, "district_id"] = "North Gate"
    t.to_csv(d / "indicators.csv", index=False)
    cases["keys_do_not_match"] = (good_b, d / "indicators.csv")

    d = folder / "text_in_numeric"
    d.mkdir(parents=True, exist_ok=True)
    t = table.astype({"population": str})
    t.loc[2, "population"] = "1,234"
    t.loc[5, "population"] = "n/a"
    t.to_csv(d / "indicators.csv", index=False)
    cases["text_in_numeric"] = (good_b, d / "indicators.csv")
    return cases


# -- command line ----------------------------------------------------------------------------
@app.command("validate")
def validate_cmd(
    boundaries: Path = typer.Argument(
        ..., help="District boundaries: GeoJSON, GeoPackage, shapefile (.shp or .zip) or KML/KMZ."
    ),
    indicators: Path = typer.Argument(
        ..., help="Indicator table: CSV or text from Excel, or .xlsx; one row per district."
    ),
    key: str = typer.Option("district_id", help="The district ID column, in both files."),
    numeric: list[str] = typer.Option(
        ["population"], "--numeric", help="A column that must hold numbers (repeatable)."
    ),
    encoding: str = typer.Option(None, help="The table's encoding if it is not UTF-8 (e.g. cp1251)."),
    decimal: str = typer.Option(None, help="The decimal mark, ',' or '.', when the checker asks for it."),
    sheet: str = typer.Option(None, help="The sheet of an .xlsx to read (the first by default)."),
    layer: str = typer.Option(
        None, help="The layer with the districts, when the boundaries file has several."
    ),
    boundaries_encoding: str = typer.Option(
        None, help="A shapefile table's encoding when it has no .cpg file."
    ),
    boundaries_crs: str = typer.Option(
        None, help="The boundaries' CRS when the file has none (e.g. EPSG:4326)."
    ),
) -> None:
    """Check your boundaries and indicator table; say exactly what to fix."""
    report = validate(
        boundaries,
        indicators,
        key=key,
        numeric=numeric,
        encoding=encoding,
        decimal=decimal,
        sheet=sheet,
        layer=layer,
        boundaries_encoding=boundaries_encoding,
        boundaries_crs=boundaries_crs,
    )
    typer.echo(str(report))
    raise typer.Exit(0 if report.ok else 1)


@app.command("toy-city")
def toy_city_cmd(
    folder: Path = typer.Argument(Path("toy_city"), help="Where to write the toy city's two files."),
) -> None:
    """Write the fictional practice city (boundaries.geojson + indicators.csv)."""
    b, t = write_toy_city(folder)
    typer.echo(f"wrote {b} and {t}")
