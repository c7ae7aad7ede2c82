"""The indicator table in the encodings officials' Excel saves (issue 18, item 1): UTF-8 with and
without a byte order mark and UTF-16 pass; a Windows code page is recognised, named, and shown
as decoded names to confirm; a file that mixes two encodings names its first bad line."""

from __future__ import annotations

import codecs

import pytest

from smartseoul import capstone

from .conftest import ENCODED, NAMES, NUMERIC, plain, suggested, toy_table


def write_table(folder, names, encoding, sep=","):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("indicators.txt" if sep == "\t" else "indicators.csv")
    text = toy_table(names).to_csv(index=False, sep=sep, lineterminator="\r\n")
    path.write_bytes(text.encode(encoding))
    return path


def joined_complaints(report, names) -> list[str]:
    """Why a report did not join the table with the right names and numbers."""
    if not report.ok or report.joined is None:
        return [f"not joined:\n{report}"]
    found = []
    if list(report.joined["name_local"]) != names:
        found.append(f"names read as {list(report.joined['name_local'])[:3]}, not {names[:3]}")
    if list(report.joined["population"]) != list(toy_table()["population"]):
        found.append("population read wrong")
    return found


def legacy_complaints(good, tmp_path, encoding) -> list[str]:
    """The checker stops, names an encoding that decodes the names right, shows the first names,
    and reads the file with that encoding when asked to."""
    names = NAMES[ENCODED[encoding]]
    table = write_table(tmp_path / encoding, names, encoding)
    report = capstone.validate(good[0], table, numeric=NUMERIC)
    text = plain(str(report))
    codes = [p.code for p in report.problems]
    if codes != ["not-utf8"]:
        return [f"expected one not-utf8 problem, got {codes}:\n{text}"]
    guess = suggested(report.problems[0].fix)
    if guess is None:
        return [f"the fix names no encoding: {report.problems[0].fix}"]
    found = []
    raw = table.read_bytes()
    if raw.decode(guess) != raw.decode(encoding):
        found.append(f"{guess} decodes the file differently from {encoding}")
    shown = [f"'{n}'" for n in names if not n.isascii()][:3]  # the names to check by eye
    if not all(s in text for s in shown):
        found.append(f"the message does not show the names {shown}:\n{text}")
    if capstone.encoding_name(guess).split()[0] not in text:
        found.append(f"the message does not name {guess}")
    return found + joined_complaints(
        capstone.validate(good[0], table, numeric=NUMERIC, encoding=guess), names
    )


@pytest.mark.parametrize("encoding", sorted(ENCODED))
def test_a_windows_code_page_is_named_shown_and_then_read(good, tmp_path, encoding):
    assert legacy_complaints(good, tmp_path, encoding) == []


def test_planted_old_guess_cp1252_for_cyrillic_fails_the_check(good, tmp_path, monkeypatch):
    """The check above can fail: the old guess (cp1252 for any bytes) garbles Almaty's names."""
    monkeypatch.setattr(capstone, "detect_encoding", lambda raw: "cp1252")
    found = legacy_complaints(good, tmp_path, "cp1251")
    assert any("decodes the file differently" in f for f in found), found
    assert any("does not show the names" in f for f in found), found


@pytest.mark.parametrize(
    ("encoding", "sep", "said"),
    [
        ("utf-8", ",", "UTF-8"),
        ("utf-8-sig", ",", "byte order mark"),
        ("utf-16", "\t", "UTF-16 (what Excel calls 'Unicode text')"),
        ("utf-16-le", "\t", "UTF-16"),  # no byte order mark
    ],
)
def test_unicode_files_pass_and_say_how_they_were_read(good, tmp_path, encoding, sep, said):
    names = NAMES["Abu Dhabi"]
    report = capstone.validate(good[0], write_table(tmp_path, names, encoding, sep), numeric=NUMERIC)
    assert joined_complaints(report, names) == []
    note = next(n for n in report.notes if "was read as" in n)
    assert said in note
    assert ("tabs" if sep == "\t" else "commas") in note


def test_planted_utf16_read_as_utf8_fails_the_name_check(good, tmp_path):
    names = NAMES["Abu Dhabi"]
    path = write_table(tmp_path, names, "utf-16", "\t")
    report = capstone.validate(good[0], path, numeric=NUMERIC, encoding="latin-1")
    assert joined_complaints(report, names)


def mixed_file(tmp_path):
    """Rows 1-4 saved as UTF-8, rows 5-9 pasted from a cp1251 file: line 6 is the first bad one."""
    names = NAMES["Almaty"]
    lines = toy_table(names).to_csv(index=False, lineterminator="\n").splitlines()
    raw = "\n".join(lines[:5]).encode("utf-8") + b"\n" + "\n".join(lines[5:]).encode("cp1251") + b"\n"
    path = tmp_path / "indicators.csv"
    path.write_bytes(raw)
    return path


def mixed_complaints(report) -> list[str]:
    codes = [p.code for p in report.problems]
    if codes != ["mixed-encodings"]:
        return [f"expected one mixed-encodings problem, got {codes}:\n{report}"]
    p = report.problems[0]
    found = []
    for words in (
        "mixes two text encodings",
        "line 6",
        "Line 2 is UTF-8",
        "'D05,",
        NAMES["Almaty"][4],
        "CSV UTF-8",
    ):
        if words not in p.what + p.fix:
            found.append(f"the message lacks {words!r}: {p.what} / {p.fix}")
    if p.where != "line 6 of indicators.csv":
        found.append(f"where is {p.where!r}")
    return found


def test_a_file_that_mixes_encodings_names_its_first_bad_line(good, tmp_path):
    path = mixed_file(tmp_path)
    assert mixed_complaints(capstone.validate(good[0], path, numeric=NUMERIC)) == []
    # forcing one encoding does not hide the mix: half the names would come out garbled
    assert mixed_complaints(capstone.validate(good[0], path, numeric=NUMERIC, encoding="cp1251")) == []


def test_planted_no_mix_detection_fails_the_check(good, tmp_path, monkeypatch):
    monkeypatch.setattr(capstone, "_mixed_lines", lambda raw: None)
    assert mixed_complaints(capstone.validate(good[0], mixed_file(tmp_path), numeric=NUMERIC))


def test_an_encoding_the_file_does_not_fit_is_refused(good, tmp_path):
    path = write_table(tmp_path, NAMES["Seoul"], "cp949")
    report = capstone.validate(good[0], path, numeric=NUMERIC, encoding="utf-8")
    assert [p.code for p in report.problems] == ["wrong-encoding"]
    assert "encoding='cp949'" in report.problems[0].fix
    report = capstone.validate(good[0], path, numeric=NUMERIC, encoding="klingon")
    assert [p.code for p in report.problems] == ["unknown-encoding"]


def test_every_encoding_named_in_messages_is_one_python_knows():
    for name in capstone.CODE_PAGES:
        codecs.lookup(name)
    assert capstone.encoding_name("CP1251").startswith("cp1251 (Windows Cyrillic")
    assert capstone.encoding_name("tis-620").startswith("TIS-620")


def test_a_legacy_line_that_happens_to_be_valid_utf8_is_not_called_mixed(good, tmp_path):
    """'창천' in cp949 is the bytes C3 A2 C3 B5, which are also UTF-8 ('âõ'): the file is one
    encoding, and the checker proposes cp949, not a mix."""
    names = list(NAMES["Seoul"])
    names[1] = "창천"
    path = write_table(tmp_path, names, "cp949")
    line = path.read_bytes().split(b"\r\n")[2]
    assert line.decode("utf-8").endswith("âõ")  # the trap is real
    report = capstone.validate(good[0], path, numeric=NUMERIC)
    assert [p.code for p in report.problems] == ["not-utf8"], str(report)
    assert suggested(report.problems[0].fix) == "cp949"
