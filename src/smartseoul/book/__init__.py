"""`smartseoul book ...`: generate the book's pages and build it with Jupyter Book.

The book is built from the course folder itself (`_config.yml`, `_toc.yml`). Before Sphinx runs,
`prepare()` writes what is generated (git-ignored, under `book/_generated/`): the data catalogue
from `datasets/datapackage.json`, the nbgrader student versions of the exercises, the "Python you
have met" page of each module (from the progression ledger), and the table of contents pruned to
the pages that exist.

With languages (`smartseoul book build --langs ru,ar` or `all`, `make book LANGS=all`), the
English book is followed by one book per language in `_build/html/<lang>/`, translated from the PO
files of `locales/` and sharing the English build's execution cache (`smartseoul.i18n.book`)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from .. import paths

app = typer.Typer(help="Build the Jupyter Book and the pages it generates.", no_args_is_help=True)

GENERATED = Path("book") / "_generated"


def generated_dir(root: Path | None = None) -> Path:
    return (root or paths.course_root()) / GENERATED


@dataclass
class Prepared:
    toc_path: Path
    catalogue_pages: list[Path] = field(default_factory=list)
    exercise_pages: list[Path] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the pruned table of contents this build used
    toc: dict = field(default_factory=dict)


def prepare(root: Path | None = None, echo=print) -> Prepared:
    """Write the generated pages and the pruned toc; say what was left out and why."""
    from . import catalogue, student, terms, toc

    root = root or paths.course_root()
    out = generated_dir(root)
    cat = catalogue.write_catalogue(root, out)
    python_pages = write_python_pages(root, out / "python")
    terms.write_terms_page(root, out / "terms.md")
    ex = student.write_student_versions(root, out / "exercises", echo=echo)
    pruned = toc.write_pruned(root, out / "_toc.yml")
    prepared = Prepared(
        toc_path=out / "_toc.yml",
        catalogue_pages=cat.pages,
        exercise_pages=ex.pages,
        left_out=pruned.left_out,
        notes=cat.notes + ex.notes + [f"{len(python_pages)} 'Python you have met' page(s)"],
        toc=pruned.toc,
    )
    for note in prepared.notes:
        echo(f">> {note}")
    if pruned.left_out:
        echo(">> not in this build (yet): " + "; ".join(pruned.left_out))
    return prepared


def write_python_pages(root: Path, out: Path) -> list[Path]:
    """One "Python you have met" page per module, from the notebooks' ledger metadata."""
    from .. import progression
    from ..files import write_if_changed

    written = []
    for module, text in progression.module_pages(root).items():
        page = out / f"{module}.md"
        write_if_changed(page, text)
        written.append(page)
    return written


def effective_config(root: Path, jupyterhub_url: str | None, languages: Sequence[str] = ()) -> Path:
    """`_config.yml`, or a generated copy with another JupyterHub address, or with the languages
    built together (for the language switcher: English first)."""
    config = root / "_config.yml"
    if not jupyterhub_url and len(languages) < 2:
        return config
    import yaml

    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    if jupyterhub_url:
        data.setdefault("launch_buttons", {})["jupyterhub_url"] = jupyterhub_url
    if len(languages) >= 2:
        data.setdefault("sphinx", {}).setdefault("config", {})["smartseoul_languages"] = list(languages)
    from ..files import write_if_changed

    target = generated_dir(root) / "_config.yml"
    write_if_changed(target, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return target


@dataclass
class BuildResult:
    ok: bool
    html: Path
    seconds: float
    output: str = ""
    prepared: Prepared | None = None
    #: language code -> smartseoul.i18n.book.TranslationBuild, for the translations built after English
    translations: dict[str, Any] = field(default_factory=dict)


def run_build(
    root: Path | None = None,
    output: Path | None = None,
    jupyterhub_url: str | None = None,
    fresh: bool = False,
    capture: bool = False,
    echo=print,
    languages: Sequence[str] = (),
) -> BuildResult:
    """Prepare, then `jupyter-book build -W` (warnings are errors, no --keep-going); then the
    translations into `languages` (codes of locales/languages.yaml), if any."""
    root = root or paths.course_root()
    started = time.perf_counter()
    prepared = prepare(root, echo=echo)
    built = ["en", *languages] if languages else []
    config = effective_config(root, jupyterhub_url, built)
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(root),
        "--toc",
        str(prepared.toc_path),
        "--config",
        str(config),
        "--builder",
        "html",
        "-W",
    ]
    if output is not None:
        cmd += ["--path-output", str(output)]
    if fresh:
        cmd.append("--all")
    if capture:
        proc = subprocess.run(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log = proc.stdout
    else:
        proc = subprocess.run(cmd, cwd=root, text=True)
        log = ""
    html = (output or root) / "_build" / "html"
    if proc.returncode != 0:
        return BuildResult(False, html, time.perf_counter() - started, log, prepared)
    write_redirect_page(html, prepared)
    translations: dict[str, Any] = {}
    if languages:
        from ..i18n import book as i18n_book
        from ..i18n.languages import load as load_languages

        echo(f">> English built in {time.perf_counter() - started:.0f} s")
        translations = i18n_book.build_translations(
            root,
            load_languages(root),
            list(languages),
            toc=prepared.toc_path,
            config=config,
            output=output,
            capture=capture,
            echo=echo,
        )
        log += "".join(f"\n===== {code} =====\n{t.output}" for code, t in translations.items())
    ok = all(t.ok for t in translations.values()) and len(translations) == len(languages)
    return BuildResult(ok, html, time.perf_counter() - started, log, prepared, translations)


def write_redirect_page(html: Path, prepared: Prepared) -> None:
    """The site's index.html only forwards to the welcome page; make it a complete page (with its
    language and a visible link) rather than the bare redirect sphinx-external-toc writes."""
    from .toc import load, write_if_changed

    root_doc = load(prepared.toc_path)["root"]
    target = f"{root_doc}.html"
    write_if_changed(
        html / "index.html",
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        f'<meta http-equiv="Refresh" content="0; url={target}" />\n'
        "<title>Smart Seoul Data Lab</title>\n</head>\n<body>\n"
        f'<p><a href="{target}">Smart Seoul Data Lab: go to the welcome page</a></p>\n</body>\n</html>\n',
    )


BUILD_FAILED = (
    "The book did not build: see the first 'WARNING' or 'ERROR' above (warnings count as errors; "
    "a notebook that raises stops the build). Fix that page or notebook and run 'make book' again."
)


@app.command()
def build(
    output: Path | None = typer.Option(
        None, help="Build into OUTPUT/_build/html instead of the course folder."
    ),
    jupyterhub_url: str | None = typer.Option(
        None,
        help="JupyterHub for the launch buttons (default: the jupyterhub_url setting, else _config.yml).",
    ),
    fresh: bool = typer.Option(
        False, help="Rebuild every page (notebook outputs still come from the cache)."
    ),
    langs: str = typer.Option(
        "",
        help="Also build these translations into _build/html/<lang>/: 'all', or codes such as 'ru,ar' "
        "(locales/languages.yaml). Default: English only.",
    ),
) -> None:
    """Build and execute the whole book; print where the HTML is."""
    from ..i18n.book import resolve_languages
    from ..settings import load

    jupyterhub_url = jupyterhub_url or load().jupyterhub_url or None
    try:
        languages = resolve_languages(langs)
    except KeyError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from None
    try:
        result = run_build(
            output=output, jupyterhub_url=jupyterhub_url, fresh=fresh, echo=typer.echo, languages=languages
        )
    except FileNotFoundError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    if not result.ok:
        typer.secho(BUILD_FAILED, fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f">> built in {result.seconds:.0f} s")
    typer.echo(f"The book is at {result.html / 'index.html'}")
    for code, translation in result.translations.items():
        typer.echo(f"The book in {code} is at {translation.html / 'index.html'}")


@app.command("pages")
def pages_command() -> None:
    """Only write the generated pages (data catalogue, student exercises, pruned toc)."""
    p = prepare(echo=typer.echo)
    typer.echo(
        f"{len(p.catalogue_pages)} data-catalogue page(s), {len(p.exercise_pages)} exercise page(s); "
        f"toc at {p.toc_path}"
    )


@app.command("weight")
def weight_command(
    html: Path | None = typer.Option(
        None, help="The built book to weigh (default: _build/html; a translation: _build/html/ar)."
    ),
    budget_kb: int = typer.Option(
        1500, help="The most a page may weigh on a first visit, in kilobytes, as sent with gzip."
    ),
) -> None:
    """Print the page weight of every page of the built book (first visit, in Chromium); exit 1 if
    a page is over the budget or asks for anything outside the book."""
    from . import weight

    html = html or paths.course_root() / "_build" / "html"
    if not (html / "index.html").is_file():
        typer.secho(f"no built book in {html}: run 'make book' first, or pass --html DIR", fg="red", err=True)
        raise typer.Exit(2)
    try:
        weights = weight.measure_book(html)
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        typer.secho(f"{exc}. (Playwright comes with the test tools: make venv.)", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(weight.format_table(weights, budget_kb * 1000))
    faults = [w for w in weights if w.over(budget_kb * 1000) or w.external]
    for w in faults:
        for url in w.external:
            typer.secho(f"{w.page}: asks for {url}: the book must load nothing from outside", fg="red")
    if faults:
        raise typer.Exit(1)


@app.command("catalogue")
def catalogue_command() -> None:
    """Write one data-catalogue page per dataset into book/_generated/data/."""
    from . import catalogue as cat

    result = cat.write_catalogue(paths.course_root(), generated_dir())
    for note in result.notes:
        typer.echo(f">> {note}")
    typer.echo(f"{len(result.pages)} page(s) in {generated_dir() / 'data'}")


def binder_requirements(root: Path) -> str:
    """binder/requirements.txt: the pins of constraints.txt, so Binder runs what we test."""
    pins = [
        line.strip()
        for line in (root / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    header = (
        "# Binder installs exactly the course's pinned versions: a copy of constraints.txt\n"
        "# (tests/book/test_book_units.py checks that they agree; refresh with: smartseoul book binder).\n"
    )
    return header + "\n".join(pins) + "\n"


@app.command("binder")
def binder_command() -> None:
    """Refresh binder/requirements.txt from constraints.txt."""
    from ..files import write_if_changed

    root = paths.course_root()
    changed = write_if_changed(root / "binder" / "requirements.txt", binder_requirements(root))
    typer.echo("binder/requirements.txt " + ("updated" if changed else "already current"))


@app.command("sources")
def sources_command() -> None:
    """Write book/sources.md from book/facts.yaml and book/references.bib."""
    from .. import facts
    from ..files import write_if_changed

    root = paths.course_root()
    register = facts.load(root)
    for finding in register.findings:
        typer.secho(str(finding), fg="red", err=True)
    if register.findings:
        raise typer.Exit(1)
    changed = write_if_changed(root / facts.SOURCES_PAGE, facts.sources_page(register))
    typer.echo(
        f"{facts.SOURCES_PAGE} ({len(register.facts)} facts) " + ("updated" if changed else "already current")
    )


@app.command("citations")
def citations_command() -> None:
    """Check that every citation resolves to a source in the repository or online, and that no
    notebook states a result of the synthetic data as a fact about Seoul."""
    from .. import synthetic_claims
    from ..citations import check
    from ..findings import errors

    found = check() + synthetic_claims.check()
    for finding in found:
        typer.secho(f"[{finding.code}] {finding}", fg="red" if finding.severity == "error" else "yellow")
    if errors(found):
        typer.secho(f"{len(errors(found))} problem(s)", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo("every citation resolves, and every result of the synthetic data says so")


# `smartseoul book pdf`: one PDF per module, printed from the built book (smartseoul.book.pdf)
from .pdf import pdf_command  # noqa: E402

app.command("pdf")(pdf_command)
