"""District IDs and names in any script (issue 18, item 4): IDs match after trimming, Unicode
normalisation (NFC) and digits of any script read as 0-9, and the report says when a match
needed it; right-to-left names keep their place in messages."""

from __future__ import annotations

import unicodedata

import pytest

from smartseoul import capstone

from .conftest import NAMES, NUMERIC, plain, toy_boundaries, toy_table, write_geojson

CUENCA = NAMES["Cuenca"]


def files(tmp_path, boundary_ids, table_ids, names=None):
    gdf = toy_boundaries(names).assign(district_id=boundary_ids)
    table = toy_table(names).assign(district_id=table_ids)
    b = write_geojson(gdf, tmp_path / "boundaries.geojson")
    t = tmp_path / "indicators.csv"
    t.write_bytes(table.to_csv(index=False).encode("utf-8"))
    return b, t


def match_complaints(report, expected_ids, kinds) -> list[str]:
    """The files join on the cleaned IDs, and a note names each kind of cleaning that was needed."""
    if not report.ok or report.joined is None:
        return [f"not joined:\n{report}"]
    found = []
    if list(report.joined["district_id"]) != expected_ids:
        found.append(f"joined on {list(report.joined['district_id'])[:3]}")
    if report.joined["population"].isna().any():
        found.append("some districts got no indicators")
    note = next((n for n in report.notes if "matched only after cleaning" in n), "")
    for kind in kinds:
        if kind not in note:
            found.append(f"the note does not say {kind!r}: {note!r}")
    return found


def test_ids_in_two_unicode_forms_and_with_spaces_match_and_say_so(tmp_path):
    nfc = [unicodedata.normalize("NFC", n) for n in CUENCA]
    nfd = [unicodedata.normalize("NFD", n) + " " for n in CUENCA]  # as another program saved them
    assert nfc != [n.strip() for n in nfd]  # the same names, not the same strings
    report = capstone.validate(*files(tmp_path, nfc, nfd), numeric=NUMERIC)
    assert match_complaints(report, nfc, ["another Unicode form", "NFC", "spaces or invisible marks"]) == []
    nfd_first = unicodedata.normalize("NFD", CUENCA[0])
    assert f"'{nfd_first}' in the indicator table is 14 characters" in str(report)


def test_planted_matching_without_nfc_fails_the_check(tmp_path, monkeypatch):
    """The check can fail: IDs compared as stored (only trimmed) do not match."""
    monkeypatch.setattr(capstone, "clean_key", lambda v: (capstone._cell_text(v).strip(), []))
    nfc = [unicodedata.normalize("NFC", n) for n in CUENCA]
    nfd = [unicodedata.normalize("NFD", n) for n in CUENCA]
    assert match_complaints(capstone.validate(*files(tmp_path, nfc, nfd), numeric=NUMERIC), nfc, ["NFC"])


def to_arabic_indic(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def test_arabic_indic_digits_in_codes_and_numbers(tmp_path):
    ids = [f"D{i:02d}" for i in range(1, 10)]
    names = NAMES["Abu Dhabi"]
    b, t = files(tmp_path, ids, [to_arabic_indic(i) for i in ids], names)
    table = toy_table(names).assign(district_id=[to_arabic_indic(i) for i in ids])
    table["population"] = [to_arabic_indic(str(v)) for v in table["population"]]  # Excel in Arabic
    t.write_bytes(table.to_csv(index=False).encode("utf-8"))
    report = capstone.validate(b, t, numeric=NUMERIC)
    assert (
        match_complaints(
            report, ids, ["digits of another script", "'D٠١' in the indicator table was read as 'D01'"]
        )
        == []
    )
    assert list(report.joined["population"]) == list(toy_table()["population"])
    assert list(report.joined["name_local"]) == names


def test_planted_ids_without_digit_cleaning_fail_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(capstone, "ascii_digits", lambda text: text)
    ids = [f"D{i:02d}" for i in range(1, 10)]
    b, t = files(tmp_path, ids, [to_arabic_indic(i) for i in ids])
    assert match_complaints(capstone.validate(b, t, numeric=NUMERIC), ids, ["digits"])


def test_plain_ids_need_no_note(good):
    report = capstone.validate(*good, numeric=NUMERIC)
    assert report.ok and not any("cleaning" in n for n in report.notes)


@pytest.mark.parametrize("city", ["Abu Dhabi", "Almaty", "Bangkok"])
def test_names_in_messages_are_the_names(tmp_path, city):
    """IDs that do not match are shown as written; Arabic is isolated so that the list around it
    keeps its left-to-right order."""
    names = NAMES[city]
    report = capstone.validate(*files(tmp_path, names, names[:8] + ["X"]), numeric=NUMERIC)
    problem = next(p for p in report.problems if p.code == "ids-do-not-match")
    assert f"'{names[8]}'" in plain(problem.what)
    isolated = f"'{capstone.FSI}{names[8]}{capstone.PDI}'" in problem.what
    assert isolated == (city == "Abu Dhabi")


def test_planted_unisolated_arabic_fails_the_isolation_check():
    assert capstone.quote("الريم") != "'الريم'"
    assert capstone.quote("Алматы") == "'Алматы'"
