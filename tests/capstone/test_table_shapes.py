"""The shapes Excel saves a table in, in the participating countries' locales (issue 18, item 2):
semicolons with decimal commas and thousands separators, tabs, and .xlsx workbooks. The checker
says what it assumed; numbers never stay text, and '152.340' is never silently 152.34."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from smartseoul import capstone

from .conftest import NAMES, NUMERIC, toy_table

NBSP, NNBSP = "\u00a0", "\u202f"
FIRST = int(toy_table()["population"].iloc[0])  # 153388, written '153.388' in Brazil


def grouped(n: int, sep: str) -> str:
    """1234567 -> '1.234.567' with sep '.'"""
    return f"{n:,}".replace(",", sep)


def locale_text(sep: str, decimal: str, thousands: str, drop_decimals: bool = False) -> str:
    """The toy table as Excel writes it in a locale: column separator, decimal mark, thousands."""
    t = toy_table()
    rows = [list(t.columns)]
    for r in t.itertuples(index=False):
        share = f"{r.green_share:.3f}".replace(".", decimal)
        rows.append(
            [
                r.district_id,
                grouped(r.population, thousands),
                grouped(r.pop_65_plus, thousands),
                str(r.cooling_centres),
                share,
            ]
        )
    if drop_decimals:
        rows = [row[:-1] for row in rows]
    return "\r\n".join(sep.join(row) for row in rows) + "\r\n"


def value_complaints(report, with_share: bool = True) -> list[str]:
    """Why the joined numbers are not the toy city's numbers."""
    if not report.ok or report.joined is None:
        return [f"not joined:\n{report}"]
    t = toy_table()
    found = []
    for col in ["population", "pop_65_plus", "cooling_centres"] + (["green_share"] if with_share else []):
        got = list(report.joined[col])
        if report.joined[col].dtype.kind not in "if":
            found.append(f"{col} was kept as text: {got[:3]}")
        elif [round(float(v), 6) for v in got] != [round(float(v), 6) for v in t[col]]:
            found.append(f"{col} read as {got[:3]}, not {list(t[col])[:3]}")
    return found


LOCALES = {
    # Brazil, Ecuador: semicolons, decimal comma, dots between thousands
    "Brazil": (";", ",", ".", "semicolons (;)", "a decimal comma"),
    # Kazakhstan, Russia, Kyrgyzstan: semicolons, decimal comma, no-break spaces between thousands
    "Kazakhstan": (";", ",", NBSP, "semicolons (;)", "a decimal comma"),
    "narrow no-break space": (";", ",", NNBSP, "semicolons (;)", "a decimal comma"),
    # English-language Excel saving "Text (tab delimited)"
    "tab-delimited": ("\t", ".", ",", "tabs", "a decimal point"),
    "UAE comma CSV": (",", ".", "", "commas (,)", None),
}


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_each_locale_shape_is_read_with_the_right_values(good, tmp_path, locale):
    sep, decimal, thousands, said_sep, said_decimal = LOCALES[locale]
    path = tmp_path / "indicators.csv"
    path.write_text(locale_text(sep, decimal, thousands), encoding="utf-8")
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert value_complaints(report) == []
    text = str(report)
    assert f"columns separated by {said_sep}" in text
    if said_decimal:  # and it shows an example of each assumption
        note = next(n for n in report.notes if n.startswith("Numbers in"))
        assert said_decimal in note and (f"= {FIRST}" in note or "= 0.129" in note), note


def test_planted_decimal_point_reading_fails_the_value_check(good, tmp_path, monkeypatch):
    """The check above can fail: a reader that takes '152.340' for 152.34 (a decimal point)."""
    monkeypatch.setattr(capstone, "number_format", lambda table, columns: capstone.NumberFormat("."))
    path = tmp_path / "indicators.csv"
    path.write_text(locale_text(";", ",", "."), encoding="utf-8")
    found = value_complaints(capstone.validate(good[0], path, numeric=NUMERIC))
    assert found and f"{FIRST / 1000}" in found[0], found


def test_planted_wrong_delimiter_fails_the_value_check(good, tmp_path, monkeypatch):
    monkeypatch.setattr(capstone, "sniff_delimiter", lambda text: ",")
    path = tmp_path / "indicators.csv"
    path.write_text(locale_text(";", ",", "."), encoding="utf-8")
    assert value_complaints(capstone.validate(good[0], path, numeric=NUMERIC))


def test_numbers_that_read_two_ways_are_not_guessed(good, tmp_path):
    """'153.388' with nothing else in the file to tell: the checker asks, and reads it as told."""
    path = tmp_path / "indicators.csv"
    path.write_text(locale_text(";", ",", ".", drop_decimals=True), encoding="utf-8")
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert [p.code for p in report.problems] == ["ambiguous-numbers"], str(report)
    p = report.problems[0]
    assert f"'{grouped(FIRST, '.')}'" in p.what and f"{FIRST} (with a dot between thousands)" in p.what
    assert f"{FIRST / 1000} (with a decimal point)" in p.what
    assert "semicolons" in p.what  # the likely reading, and why
    assert "decimal=','" in p.fix and "decimal='.'" in p.fix
    assert (
        value_complaints(capstone.validate(good[0], path, numeric=NUMERIC, decimal=","), with_share=False)
        == []
    )
    told = capstone.validate(good[0], path, numeric=NUMERIC, decimal=".")
    assert told.ok and told.joined["population"].iloc[0] == pytest.approx(FIRST / 1000)  # as told, and said
    assert any("decimal='.' as you asked" in n for n in told.notes)


def test_two_decimal_marks_in_one_file_are_a_problem(good, tmp_path):
    text = locale_text(",", ".", "").replace("0.129", '"0,129"')
    path = tmp_path / "indicators.csv"
    path.write_text(text, encoding="utf-8")
    report = capstone.validate(good[0], path, numeric=NUMERIC + ["green_share"])
    assert [p.code for p in report.problems] == ["two-number-formats"], str(report)
    assert "'0,129' has a decimal comma" in report.problems[0].what
    assert "'0.356' has a decimal point" in report.problems[0].what
    # not declared numeric, the column does not block: it stays text, and the report says so
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert report.ok and any("'green_share' looks like numbers" in n for n in report.notes), str(report)


def test_a_number_that_does_not_fit_the_file_format_is_reported(good, tmp_path):
    odd = f"{FIRST // 100000}.{FIRST // 1000 % 100}.{FIRST % 1000}"  # a group of two digits: a typo
    text = locale_text(";", ",", ".").replace(grouped(FIRST, "."), odd, 1)
    path = tmp_path / "indicators.csv"
    path.write_text(text, encoding="utf-8")
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert [p.code for p in report.problems] == ["not-numbers"]
    assert f"'{odd}'" in report.problems[0].what and "a comma" in report.problems[0].fix
    assert report.problems[0].where == "row 2 of the CSV"
    # a decimal point among decimal commas: both named
    point = f"{FIRST // 10000}.{FIRST % 10000:04d}"
    path.write_text(locale_text(";", ",", ".").replace(grouped(FIRST, "."), point, 1), encoding="utf-8")
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert [p.code for p in report.problems] == ["two-number-formats"]
    assert f"'{point}' has a decimal point" in report.problems[0].what


def test_columns_that_hold_only_numbers_become_numbers(good, tmp_path):
    """green_share is not in numeric=, but it is not left as text either; codes keep their zeros."""
    t = toy_table().assign(region_code=["0101"] * 9)
    path = tmp_path / "indicators.csv"
    t.to_csv(path, index=False, sep=";", decimal=",")
    report = capstone.validate(good[0], path, numeric=["population"])
    assert report.ok, str(report)
    assert report.joined["green_share"].dtype.kind == "f"
    assert list(report.joined["region_code"]) == ["0101"] * 9


def write_workbook(path, names, extra_sheet: bool = True, text_numbers: bool = False):
    t = toy_table(names)
    book = Workbook()
    sheet = book.active
    sheet.title = "Districts"
    sheet.append(list(t.columns))
    for row in t.itertuples(index=False):
        values = list(row)
        values[0] = str(values[0])
        values[1:5] = [
            int(v) if isinstance(v, (int,)) or float(v).is_integer() else float(v) for v in values[1:5]
        ]
        if text_numbers:  # typed as text in a Brazilian Excel: '152.340' and '0,129'
            values[1] = grouped(int(values[1]), ".")
            values[4] = f"{values[4]:.3f}".replace(".", ",")
        sheet.append(values)
    if extra_sheet:
        book.create_sheet("Notes").append(["Source: district statistics office, 2025"])
    book.save(path)
    return path


def test_an_xlsx_workbook_is_read_with_numbers_as_numbers(good, tmp_path):
    names = NAMES["Almaty"]
    path = write_workbook(tmp_path / "indicators.xlsx", names)
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert value_complaints(report) == []
    assert list(report.joined["name_local"]) == names
    assert any("sheet 'Districts'" in n and "'Notes'" in n for n in report.notes), report.notes


def test_numbers_typed_as_text_in_a_workbook_are_read_in_its_format(good, tmp_path):
    path = write_workbook(tmp_path / "indicators.xlsx", NAMES["São Paulo"], text_numbers=True)
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert value_complaints(report) == []
    assert any("numbers stored as text" in n for n in report.notes)


def test_planted_wrong_sheet_fails_the_workbook_check(good, tmp_path):
    path = write_workbook(tmp_path / "indicators.xlsx", NAMES["Almaty"])
    assert value_complaints(capstone.validate(good[0], path, numeric=NUMERIC, sheet="Notes"))
    report = capstone.validate(good[0], path, numeric=NUMERIC, sheet="Sheet9")
    assert [p.code for p in report.problems] == ["no-such-sheet"] and "'Districts'" in report.problems[0].what


def test_an_old_xls_gets_a_clear_fix(good, tmp_path):
    path = tmp_path / "indicators.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert [p.code for p in report.problems] == ["old-spreadsheet"]
    assert "Excel Workbook (.xlsx)" in report.problems[0].fix


@pytest.mark.parametrize(
    ("cell", "evidence", "comma", "point"),
    [
        ("153.388", "?", 153388, 153.388),
        ("153,388", "?", 153.388, 153388),
        ("0,129", ",", 0.129, None),  # a group never starts with 0: never 129
        ("0.129", ".", None, 0.129),
        ("1.234.567", ",", 1234567, None),
        ("1,234,567", ".", None, 1234567),
        ("1.234,5", ",", 1234.5, None),
        ("1,234.5", ".", None, 1234.5),
        ("12,5", ",", 12.5, None),
        ("1234,567", ",", 1234.567, None),
        (f"153{NBSP}388", None, 153388, 153388),
        (f"1{NNBSP}234,5", ",", 1234.5, None),
        ("-7", None, -7, -7),
        ("١٥٣٣٨٨", None, 153388, 153388),  # Arabic-Indic digits
        ("١٢٫٥", None, 12.5, 12.5),  # with the Arabic decimal separator
        ("15.3388", ".", None, 15.3388),
        ("1.53.388", ",", None, None),  # fits no format: reported, never guessed
    ],
)
def test_one_cell_in_each_number_format(cell, evidence, comma, point):
    assert capstone.number_evidence(cell) == evidence
    assert capstone.parse_number(cell, ",") == (pytest.approx(comma) if comma is not None else None)
    assert capstone.parse_number(cell, ".") == (pytest.approx(point) if point is not None else None)
