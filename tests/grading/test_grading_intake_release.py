"""Release with real nbgrader, and intake of LMS exports (folder or zip + roster)."""

from __future__ import annotations

import json
import zipfile

import nbformat
import pytest
from grading_helpers import ASSIGNMENT, write_batch
from typer.testing import CliRunner

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


def cli(*args):
    from smartseoul.cli import app

    res = CliRunner().invoke(app, [str(a) for a in args])
    res.text = " ".join(res.output.split())  # rich wraps long lines
    return res


def test_release_all_generates_student_versions_without_solutions(course):
    import shutil

    shutil.rmtree(course.grading / "release")
    (course.grading / "gradebook.db").unlink()
    res = cli("grade", "--course", course.root, "release", "--all")
    assert res.exit_code == 0, res.output
    text = (course.release_dir(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb").read_text()
    for secret in (
        "BEGIN SOLUTION",
        "HIDDEN TESTS",
        "return 2 * x",
        "district_count = 25",
        "double(-3)",
        "sum(speeds)",
    ):
        assert secret not in text
    assert "raise NotImplementedError()" in text
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course_id="smart-seoul-data-lab") as gb:
        assert gb.find_assignment(ASSIGNMENT).max_score == 7.0


def test_release_of_unknown_assignment_says_what_to_do(course):
    res = cli("grade", "--course", course.root, "release", "no-such-thing")
    assert res.exit_code == 2 and "known: ps-fixture" in res.text


def _bad_files(folder, course):
    (folder / "garbage.ipynb").write_text("{ this is not json")
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('another course')")])
    nbformat.write(other, folder / "other.ipynb")
    (folder / "notes.txt").write_text("hello")
    nbformat.write(other, folder / "stranger.ipynb")
    return {"garbage.ipynb": "s900", "other.ipynb": "s901", "notes.txt": "s902"}


def test_intake_places_valid_files_and_rejects_the_rest_with_reasons(course, tmp_path):
    folder = tmp_path / "export"
    kinds, roster = write_batch(course, ["correct", "blank"], folder)
    extra = _bad_files(folder, course)
    with open(roster, "a") as fh:
        for name, sid in extra.items():
            fh.write(f"{name},{sid}\n")
        first = sorted(kinds)[0]
        fh.write(f"zz-dup.ipynb,{first}\n")
    nbformat.write(nbformat.read(next(folder.glob(f"{first}*")), as_version=4), folder / "zz-dup.ipynb")
    res = cli("grade", "--course", course.root, "intake", ASSIGNMENT, folder, "--roster", roster)
    assert res.exit_code == 0, res.output
    ledger = json.loads((course.pipeline_dir(ASSIGNMENT) / "intake.json").read_text())["files"]
    reasons = {k: v.get("reason", "") for k, v in ledger.items() if v["status"] == "rejected"}
    assert "readable" in reasons["garbage.ipynb"]
    assert "not a notebook of assignment" in reasons["other.ipynb"]
    assert "not a notebook" in reasons["notes.txt"]
    assert "roster" in reasons["stranger.ipynb"]
    assert "a second ps-fixture.ipynb" in reasons["zz-dup.ipynb"]
    for student in kinds:
        d = course.submitted_dir(student, ASSIGNMENT)
        assert (d / f"{ASSIGNMENT}.ipynb").exists() and (d / "timestamp.txt").read_text().strip()
    stamp = (course.submitted_dir(first, ASSIGNMENT) / "timestamp.txt").read_text()
    again = cli("grade", "--course", course.root, "intake", ASSIGNMENT, folder, "--roster", roster)
    assert "0 accepted, 2 unchanged, 5 rejected" in again.text
    assert (course.submitted_dir(first, ASSIGNMENT) / "timestamp.txt").read_text() == stamp
    status = cli("grade", "--course", course.root, "status", ASSIGNMENT)
    assert status.exit_code == 0 and "in 7 = out 7" in status.text and "pending 2" in status.text


def test_intake_reads_a_zip_without_extracting_paths(course, tmp_path):
    folder = tmp_path / "export"
    kinds, roster = write_batch(course, ["correct"], folder)
    zpath = tmp_path / "lms.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in folder.iterdir():
            zf.write(p, f"course/{p.name}")
        zf.writestr("../../escape.ipynb", "{}")
        zf.writestr("__MACOSX/._junk", "x")
    from smartseoul.grading.intake import intake

    rep = intake(course, ASSIGNMENT, zpath, roster)
    assert [e["student"] for e in rep.accepted] == list(kinds)
    assert [r.where for r in rep.rejected] == ["../../escape.ipynb"]
    assert not (tmp_path.parent / "escape.ipynb").exists()


def test_bad_roster_says_what_to_fix(course, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("name,email\na,b\n")
    res = cli("grade", "--course", course.root, "intake", ASSIGNMENT, tmp_path, "--roster", roster)
    assert res.exit_code == 2 and "student_id" in res.text
    roster.write_text("file,student_id\nx.ipynb,../../etc\n")
    res = cli("grade", "--course", course.root, "intake", ASSIGNMENT, tmp_path, "--roster", roster)
    assert res.exit_code == 2 and "line 2" in res.text


def _corrupt_crc(zpath, member: str) -> None:
    """Flip one byte of a stored member's data, so its CRC no longer matches."""
    with zipfile.ZipFile(zpath) as zf:
        info = zf.getinfo(member)
    data = bytearray(zpath.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 10] ^= 0xFF
    zpath.write_bytes(bytes(data))


def test_intake_edge_cases_reject_one_file_each_and_the_rest_go_on(course, tmp_path):
    """A bad CRC, the same name twice in one zip, a symbolic link, and a roster row whose file is
    missing: each affected file is rejected with a reason; the good ones are placed."""
    from smartseoul.grading.intake import intake

    folder = tmp_path / "export"
    kinds, roster = write_batch(course, ["correct", "blank", "correct"], folder)
    good, damaged, twice = sorted(kinds)
    zpath = tmp_path / "lms.zip"
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_STORED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)
            if twice in p.name:
                zf.write(p, p.name)  # the same name again
    _corrupt_crc(zpath, next(n for n in zipfile.ZipFile(zpath).namelist() if damaged in n))
    with open(roster, "a") as fh:
        fh.write("nowhere.ipynb,s999\n")
    rep = intake(course, ASSIGNMENT, zpath, roster)
    reasons = {r.where: str(r) for r in rep.rejected}
    assert [e["student"] for e in rep.accepted] == [good]
    assert "damaged in the zip" in next(v for k, v in reasons.items() if damaged in k)
    assert "cannot tell which is the submission" in next(v for k, v in reasons.items() if twice in k)
    assert "not in the submissions" in reasons["nowhere.ipynb"]

    # a folder export with a symbolic link (to an instructor file) and a linked folder
    secret = tmp_path / "solution.ipynb"
    secret.write_text("{}")
    linked = tmp_path / "linked"
    (linked / "inner").mkdir(parents=True)
    (folder / "sneaky.ipynb").symlink_to(secret)
    (folder / "dir-link").symlink_to(linked, target_is_directory=True)
    with open(roster, "a") as fh:
        fh.write(f"sneaky.ipynb,{good}x\n")
    rep = intake(course, ASSIGNMENT, folder, roster)
    reasons = {r.where: str(r) for r in rep.rejected}
    assert "symbolic link" in reasons["sneaky.ipynb"] and "symbolic link" in reasons["dir-link"]
    assert {e["student"] for e in rep.accepted + rep.unchanged} == set(kinds)


def test_status_escapes_trainee_text(course, tmp_path):
    """A file name with rich markup ("[/]") is printed as text, not parsed as markup."""
    folder = tmp_path / "export"
    _kinds, roster = write_batch(course, ["correct"], folder)
    with open(roster, "a") as fh:  # a file name cannot hold "/", but a roster row can name one
        fh.write("[/]evil[bold].txt,s777\n")
    res = cli("grade", "--course", course.root, "intake", ASSIGNMENT, folder, "--roster", roster)
    assert res.exit_code == 0, res.output
    assert "[/]evil[bold].txt" in res.output
    status = cli("grade", "--course", course.root, "status", ASSIGNMENT)
    assert status.exit_code == 0, status.output
    assert "[/]evil" in status.output
