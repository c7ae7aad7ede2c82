"""Take submissions as an LMS exports them (a folder or a zip, plus a roster CSV) into nbgrader's
`submitted/<student>/<assignment>/` layout, with a server-side timestamp.

Each file is checked on its own: a file that is not a readable notebook of the assignment is
rejected with a reason and the rest go on. Re-running with the same files changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import nbformat

from ..findings import Finding
from . import journal
from .course import Course, GradingError
from .rebuild import load_template, matches_assignment
from .release import ensure_released

MAX_BYTES = 20 * 1024**2  # a course notebook is far smaller; bigger files are rejected, not read
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
ID_COLUMNS = ("student_id", "student", "id", "sis_user_id", "login_id", "username")
FILE_COLUMNS = ("file", "filename", "file_name", "submission", "path")


@dataclass
class IntakeReport:
    accepted: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    rejected: list[Finding] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.accepted) + len(self.unchanged) + len(self.rejected)


def read_roster(path: Path) -> dict[str, str]:
    """file name (as exported) -> student ID. Bad rows raise GradingError naming the row."""
    if not Path(path).exists():
        raise GradingError(f"roster {path} not found: give a CSV with columns 'file' and 'student_id'.")
    text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    cols = {c.strip().lower(): c for c in (reader.fieldnames or [])}
    id_col = next((cols[c] for c in ID_COLUMNS if c in cols), None)
    file_col = next((cols[c] for c in FILE_COLUMNS if c in cols), None)
    if not id_col or not file_col:
        raise GradingError(
            f"roster {path} needs a file column ({'/'.join(FILE_COLUMNS)}) and a student column "
            f"({'/'.join(ID_COLUMNS)}); it has: {', '.join(reader.fieldnames or []) or 'no header'}."
        )
    roster: dict[str, str] = {}
    for n, row in enumerate(reader, start=2):
        fname, sid = (row.get(file_col) or "").strip(), (row.get(id_col) or "").strip()
        if not fname and not sid:
            continue
        if not STUDENT_ID.match(sid):
            raise GradingError(
                f"roster {path}, line {n}: student ID {sid!r} must be letters, digits, '.', '_', '@' or '-'."
            )
        roster[fname] = sid
    return roster


def _skip(parts: tuple[str, ...]) -> bool:
    """Archive clutter (macOS resource forks, .DS_Store) is not a submission."""
    return "__MACOSX" in parts or parts[-1] in (".DS_Store", "Thumbs.db")


LINK = ("symlink", "a symbolic link, not a file: it was not followed", "upload the notebook itself")


def _inputs(src: Path):
    """(name, size, reader or a reason to reject) for every file in a folder or zip; nothing is
    extracted to disk, no symbolic link is followed, and a name the zip holds twice is refused."""
    src = Path(src)
    if src.is_dir():
        for top, dirs, files in os.walk(src, followlinks=False):
            rel_top = Path(top).relative_to(src)
            for d in sorted(dirs):
                if os.path.islink(os.path.join(top, d)):
                    yield (rel_top / d).as_posix(), 0, LINK
            dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(top, d)))
            for f in sorted(files):
                p = Path(top) / f
                rel = (rel_top / f).as_posix()
                if _skip(PurePosixPath(rel).parts):
                    continue
                if p.is_symlink():
                    yield rel, 0, LINK
                elif p.is_file():
                    yield rel, p.stat().st_size, p.read_bytes
    elif src.is_file() and zipfile.is_zipfile(src):
        zf = zipfile.ZipFile(src)
        infos = [i for i in zf.infolist() if not i.is_dir() and not _skip(PurePosixPath(i.filename).parts)]
        counts = Counter(i.filename for i in infos)
        for info in infos:
            if counts[info.filename] > 1:
                why = (
                    "duplicate-name",
                    f"the zip holds {counts[info.filename]} files with this name, so it cannot tell which "
                    "is the submission",
                    "export the submissions again",
                )
                yield info.filename, info.file_size, why
                continue
            yield info.filename, info.file_size, (lambda i=info: zf.read(i))
    else:
        raise GradingError(f"{src} is neither a folder nor a zip file of submissions.")


def _lookup(roster: dict[str, str], name: str) -> str | None:
    if name in roster:
        return roster[name]
    base = PurePosixPath(name).name
    return roster.get(base)


def _which_notebook(candidates: list, name: str, already: set[str]):
    """The notebook of the assignment a file is: the one its file name names, else the first
    one this student has not handed in yet in this batch (notebooks may share grade IDs)."""
    if not candidates:
        return None
    base = PurePosixPath(name).name
    named = sorted((t for t in candidates if t.notebook in base), key=lambda t: -len(t.notebook))
    if named:
        return named[0]
    return next((t for t in candidates if t.notebook not in already), candidates[0])


def intake(course: Course, assignment: str, src: Path, roster_path: Path) -> IntakeReport:
    course.check_assignment(assignment)
    ensure_released(course, assignment)
    roster = read_roster(roster_path)
    templates = [load_template(course, assignment, nb) for nb in course.notebook_names(assignment)]
    ledger = journal.Ledger(course, assignment)
    report = IntakeReport()
    taken: dict[tuple[str, str], str] = {}  # (student, notebook) -> file
    now = datetime.now(UTC)

    def reject(name: str, code: str, what: str, fix: str, student: str | None = None) -> None:
        report.rejected.append(Finding(code, name, what, fix))
        ledger.reject(name, student, f"{what}: {fix}")

    seen: set[str] = set()
    for name, size, read in _inputs(src):
        if ".." in PurePosixPath(name).parts or name.startswith("/"):
            reject(
                name,
                "unsafe-path",
                "unsafe path in the archive (.. or absolute); it was not read",
                "export the submissions again, so every file sits inside the archive",
            )
            continue
        student = _lookup(roster, name)
        seen.update({name, PurePosixPath(name).name})
        if isinstance(read, tuple):  # rejected by what it is, before reading
            code, what, fix = read
            reject(name, code, what, fix, student)
            continue
        if student is None:
            reject(name, "not-in-roster", "not in the roster", "add a row mapping this file to a student ID")
            continue
        if not name.lower().endswith(".ipynb"):
            reject(name, "not-notebook", "not a notebook (.ipynb) file", "ask for the .ipynb file", student)
            continue
        if size > MAX_BYTES:
            reject(
                name,
                "too-large",
                f"too large ({size / 1e6:.1f} MB > {MAX_BYTES / 1e6:.0f} MB)",
                "clear the outputs and resubmit",
                student,
            )
            continue
        try:
            data = read()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            reject(
                name,
                "damaged",
                f"damaged in the zip ({type(exc).__name__}: {str(exc)[:80]}); it was not read",
                "ask the trainee to upload it again",
                student,
            )
            continue
        try:
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            nbformat.validate(nb)
        except Exception as exc:
            first = str(exc).splitlines()[0][:100] if str(exc) else ""
            reject(
                name,
                "unreadable",
                f"not a readable Jupyter notebook ({type(exc).__name__}: {first})",
                "ask the trainee to download the notebook again (File > Download) and resubmit",
                student,
            )
            continue
        template = _which_notebook(
            [t for t in templates if matches_assignment(t, nb)],
            name,
            {nbk for (sid, nbk) in taken if sid == student},
        )
        if template is None:
            reject(
                name,
                "wrong-assignment",
                f"not a notebook of assignment '{assignment}': none of its graded cells are in it",
                "check that the trainee uploaded the right file",
                student,
            )
            continue
        if (student, template.notebook) in taken:
            reject(
                name,
                "second-copy",
                f"a second {template.notebook}.ipynb for {student} in this batch "
                f"(first: {taken[(student, template.notebook)]})",
                "resubmit it alone to replace the first",
                student,
            )
            continue
        taken[(student, template.notebook)] = name
        digest = hashlib.sha256(data).hexdigest()
        dest_dir = course.submitted_dir(student, assignment)
        dest = dest_dir / f"{template.notebook}.ipynb"
        entry = {"file": name, "student": student, "notebook": template.notebook, "sha256": digest}
        if dest.exists() and hashlib.sha256(dest.read_bytes()).hexdigest() == digest:
            report.unchanged.append(entry)
            ledger.accept(name, student, digest, template.notebook)
            continue
        dest_dir.mkdir(parents=True, exist_ok=True)
        journal.atomic_write(dest, data)
        journal.atomic_write(dest_dir / "timestamp.txt", now.strftime("%Y-%m-%d %H:%M:%S.%f %Z").encode())
        report.accepted.append(entry)
        ledger.accept(name, student, digest, template.notebook)
    for fname, student in sorted(roster.items()):  # roster rows whose file never arrived
        if fname not in seen:
            reject(
                fname,
                "not-submitted",
                "the roster names this file, but it is not in the submissions",
                "check the export",
                student,
            )
    ledger.save()
    return report
