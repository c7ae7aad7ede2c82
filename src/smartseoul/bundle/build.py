"""`smartseoul bundle`: the whole course in one zip file for a USB stick.

It holds the built book, the notebooks and datasets, a wheelhouse for each target (platform and
Python version), install and start scripts for each operating system, and a SHA-256 for every
file. The install scripts use `pip install --no-index --find-links wheels`: nothing is downloaded
at the training site."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from .. import __version__
from .archive import Entry, Written, course_files, tree_files, write_zip
from .closure import closure, course_requirements, read_pins
from .targets import PLATFORMS, Target
from .wheelhouse import Fetched, fetch

#: Windows reads these line by line with CRLF line ends
_WINDOWS_SCRIPTS = ("install.ps1", "install.bat", "start.bat")
#: FAT32, still common on USB sticks, cannot hold a file of 4 GiB or more
FAT32_LIMIT = 4 * 1024**3 - 1


class BundleError(RuntimeError):
    """The bundle cannot be made; the message says what to do."""


@dataclass
class Bundle:
    written: Written
    fetched: list[Fetched]
    book_included: bool
    seconds: float
    wheels: int = 0
    warnings: list[str] = field(default_factory=list)


def build_course_wheel(root: Path, dest: Path) -> Path:
    """The `smartseoul` package itself as a wheel, built from a copy of this checkout's sources
    (a build in place would leave build/ and *.egg-info/ in the checkout)."""
    source = dest / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(root / name, source / name)
    shutil.copytree(root / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dest), str(source)]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(dest.glob(f"smartseoul-{__version__}-*.whl"))
    if run.returncode != 0 or not wheels:
        raise BundleError(f"the smartseoul wheel could not be built from {root}:\n{run.stderr[-2000:]}")
    return wheels[0]


def python_check(targets: list[Target]) -> str:
    versions = sorted({t.python_version: t.oldest_python for t in targets}.items())
    parts = []
    for minor, oldest in versions:
        major_minor = tuple(int(x) for x in minor.split("."))
        oldest_tuple = tuple(int(x) for x in oldest.split("."))
        parts.append(f"(v[:2] == {major_minor} and v >= {oldest_tuple})")
    return " or ".join(parts)


def python_names(targets: list[Target]) -> str:
    versions = sorted({t.python_version: t.oldest_python for t in targets}.items())
    return " or ".join(f"{m} ({o} or newer)" if not o.endswith(".0") else m for m, o in versions)


def render_texts(context: dict) -> dict[str, bytes]:
    """The install and start scripts, verify.py and README.txt, from the templates."""
    env = Environment(
        loader=PackageLoader("smartseoul", "bundle/templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # shell, PowerShell and plain text: nothing here is HTML
    )
    texts = {}
    for template in env.list_templates(extensions=["j2"]):
        name = template.removesuffix(".j2")
        text = env.get_template(template).render(**context)
        if name in _WINDOWS_SCRIPTS:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        texts[name] = text.encode("utf-8")
    return texts


def course_entries(root: Path, book: Path | None) -> Iterator[Entry]:
    for folder in ("modules", "datasets"):
        for path in course_files(root, folder):
            yield Entry(path.relative_to(root).as_posix(), source=path)
    for name in ("LICENSE", "LICENSE-content.md"):
        if (root / name).is_file():
            yield Entry(name, source=root / name)
    if book is not None:
        for path in tree_files(book):
            yield Entry("book/" + path.relative_to(book).as_posix(), source=path)


def build(
    root: Path,
    targets: list[Target],
    *,
    out: Path,
    cache: Path,
    book: Path | None,
    echo: Callable[[str], None] = print,
) -> Bundle:
    """Fetch the wheels of every target, then write the archive into `out`."""
    started = time.perf_counter()
    if not (root / "datasets" / "datapackage.json").is_file():
        raise BundleError(f"{root / 'datasets'} has no datasets: run `smartseoul data ensure` first")
    constraints = root / "constraints.txt"
    pins = read_pins(constraints)
    requirements = course_requirements(root / "pyproject.toml")
    cache = cache.resolve()
    fetched = [fetch(closure(t, requirements, pins), cache, constraints, echo=echo) for t in targets]
    book_included = book is not None and (book / "index.html").is_file()
    warnings = []
    if not book_included:
        warnings.append(
            "the book is not in the bundle: it has not been built. Run `make book` (or "
            "`make book LANGS=all`), then `make bundle` again."
        )
    with tempfile.TemporaryDirectory() as scratch:
        course_wheel = build_course_wheel(root, Path(scratch))
        wheels = {course_wheel.name: course_wheel}
        for result in fetched:
            for wheel in result.wheels:
                wheels.setdefault(wheel.name, wheel)
        created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        rows = [
            {
                "name": r.target.name,
                "label": r.target.platform.label,
                "python": r.target.python_version,
                "wheels": len(r.wheels) + 1,
                "missing": r.missing,
            }
            for r in fetched
        ]
        chosen = {t.platform.name for t in targets}
        context = {
            "version": __version__,
            "created": created,
            "book_included": book_included,
            "targets": rows,
            "not_fetched": [p.label for n, p in PLATFORMS.items() if n not in chosen],
            "python_versions": sorted({t.python_version for t in targets}),
            "python_check": python_check(targets),
            "python_names": python_names(targets),
            "platform_labels": "; ".join(sorted({t.platform.label for t in targets})),
            "requirement": f"smartseoul=={__version__}",
        }
        texts = render_texts(context)
        manifest = {
            "version": __version__,
            "created": created,
            "book": "included" if book_included else "not built",
            "python": {t.python_version: t.oldest_python for t in targets},
            "targets": rows,
            "wheels": len(wheels),
        }
        texts["bundle.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

        def entries() -> Iterator[Entry]:
            for name, data in sorted(texts.items()):
                yield Entry(name, data=data, executable=name.endswith(".sh"))
            yield from course_entries(root, book if book_included else None)
            for name in sorted(wheels):
                yield Entry(f"wheels/{name}", source=wheels[name])

        top = f"smartseoul-course-{__version__}"
        written = write_zip(out / f"{top}.zip", top, entries())
    if written.size > FAT32_LIMIT:
        warnings.append(
            f"the archive is {written.size / 1024**3:.1f} GiB: a USB stick formatted as FAT32 cannot "
            "hold it. Format the stick as exFAT, or make a bundle for fewer platforms (--platforms)."
        )
    return Bundle(written, fetched, book_included, time.perf_counter() - started, len(wheels), warnings)
