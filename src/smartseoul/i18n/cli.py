"""`smartseoul i18n ...`: the translation pipeline, step by step.

    smartseoul i18n extract                 English -> _build/gettext/*.pot
    smartseoul i18n update --lang ru        POT -> locales/ru/LC_MESSAGES/*.po (existing files)
    smartseoul i18n update --lang ru --start setup      ... and begin the PO files of a part
    smartseoul i18n stats                   coverage per language and part, against the gates
    smartseoul i18n stale --lang ru         what the English changed since it was translated
    smartseoul i18n check                   structure of every translation (code, links, ...)
    smartseoul i18n build --lang ru         the book in _build/html/ru/ (after English)
    smartseoul i18n notebooks --lang ru     translated notebooks for JupyterLab

See locales/README.md for the translators' side."""

from __future__ import annotations

from pathlib import Path

import typer

from .. import paths

app = typer.Typer(
    help="Translate the course: extract, update, stats, stale, check, build, notebooks.", no_args_is_help=True
)

LANG_OPTION = typer.Option("all", "--lang", "-l", help="Language codes, comma-separated, or 'all'.")


def _table():
    from .languages import load

    return load(paths.course_root())


def _languages(spec: str) -> list[str]:
    try:
        return _table().resolve(spec)
    except KeyError as exc:
        raise typer.BadParameter(str(exc)) from None


def _extracted(root: Path) -> None:
    from .catalogs import templates

    if not templates(root):
        typer.secho("no POT files in _build/gettext: run 'smartseoul i18n extract' first", fg="red", err=True)
        raise typer.Exit(1)


@app.command()
def extract(quiet: bool = typer.Option(False, help="Show Sphinx's output only if it fails.")) -> None:
    """Extract every English message into _build/gettext/ (Sphinx gettext builder, and Babel for
    the Python code's messages)."""
    from .extract import extract as run

    result = run(echo=typer.echo, capture=quiet)
    if not result.ok:
        typer.echo(result.output[-4000:])
        typer.secho("the gettext build failed: see the first WARNING or ERROR above", fg="red", err=True)
        raise typer.Exit(1)


@app.command()
def update(
    lang: str = LANG_OPTION,
    start: list[str] = typer.Option(
        [], help="Also begin the PO files of these parts or pages (e.g. setup, module-0, book/glossary)."
    ),
    all_pages: bool = typer.Option(False, "--all", help="Begin a PO file for every page in scope."),
) -> None:
    """Bring the PO files in line with the English just extracted; changed messages become fuzzy."""
    from .extract import update as run

    root = paths.course_root()
    _extracted(root)
    result = run(root, _table(), _languages(lang), start=start, everything=all_pages)
    for label, files in (("created", result.created), ("updated", result.updated)):
        for f in files:
            typer.echo(f"{label}: {f.relative_to(root)}")
    typer.echo(
        f"{len(result.created)} created, {len(result.updated)} updated, {len(result.unchanged)} unchanged"
    )


@app.command()
def stats(
    lang: str = LANG_OPTION,
    parts: bool = typer.Option(True, help="Show each named part too."),
    pots: Path | None = typer.Option(None, help="Read the POT files from here (default: _build/gettext)."),
) -> None:
    """Coverage per language (and per part), against the gates of locales/languages.yaml."""
    from .catalogs import stats as compute

    root = paths.course_root()
    templates = None
    if pots is not None:
        templates = {p.relative_to(pots).with_suffix("").as_posix(): p for p in sorted(pots.rglob("*.pot"))}
    else:
        _extracted(root)
    table = _table()
    typer.echo(
        f"{'language':<28} {'wave':>4} {'gate':>14} {'translated':>12} {'fuzzy':>6} {'coverage':>9}  gate"
    )
    for code in _languages(lang):
        language = table.get(code)
        s = compute(root, table, language, pots=templates)
        gate = table.gate_for(language)
        scope = "all" if gate.parts == "all" else "wave-2 parts"
        ok = s.gate_parts.coverage >= gate.min_coverage and s.gate_parts.fuzzy <= gate.max_fuzzy
        status = "met" if ok else ("not met" if language.bulk_done else "not met (bulk translation to come)")
        typer.echo(
            f"{language.name + ' (' + code + ')':<28} {language.wave:>4} {scope:>14} "
            f"{s.gate_parts.translated:>5}/{s.gate_parts.total:<6} {s.gate_parts.fuzzy:>6} "
            f"{s.gate_parts.coverage:>8.1f}%  {status}"
        )
        if parts:
            for name, c in s.parts.items():
                mark = " (done)" if name in language.done else ""
                typer.echo(
                    f"    {name:<20} {c.translated:>5}/{c.total:<6} {c.fuzzy:>6} {c.coverage:>8.1f}%{mark}"
                )


@app.command()
def stale(lang: str = LANG_OPTION) -> None:
    """Translations the English has left behind: changed, new and obsolete messages."""
    from .catalogs import stale as report

    root = paths.course_root()
    _extracted(root)
    table = _table()
    total = 0
    for code in _languages(lang):
        found = report(root, table, code)
        total += len(found)
        for s in found:
            typer.echo(f"[{code}] {s.catalog}: {s.kind}")
            if s.previous:
                typer.echo(f"    was:  {s.previous[:300]}")
            typer.echo(f"    now:  {s.msgid[:300]}")
            if s.msgstr:
                typer.echo(f"    translation: {s.msgstr[:300]}")
    typer.echo(f"{total} stale message(s)" if total else "no stale translation")


@app.command()
def check(lang: str = LANG_OPTION) -> None:
    """Check that every translation keeps its English's inline code, links, roles, math,
    placeholders, numbers and Korean names."""
    from .catalogs import locales_dir
    from .structure import check as run

    broken = run(locales_dir(), _languages(lang))
    for b in broken:
        typer.secho(str(b), fg="red")
    if broken:
        typer.secho(f"{len(broken)} translation(s) break the structure of their English", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo("every translation keeps the structure of its English")


@app.command()
def build(
    lang: str = LANG_OPTION,
    output: Path | None = typer.Option(
        None, help="Build into OUTPUT/_build/html instead of the course folder."
    ),
) -> None:
    """Build the book in English and in these languages (_build/html/<lang>/)."""
    from ..book import BUILD_FAILED, run_build

    result = run_build(output=output, echo=typer.echo, languages=_languages(lang))
    if not result.ok:
        typer.secho(BUILD_FAILED, fg="red", err=True)
        raise typer.Exit(1)
    for code, t in result.translations.items():
        typer.echo(f"{code}: {t.html / 'index.html'} ({t.seconds:.0f} s)")


@app.command()
def notebooks(
    lang: str = LANG_OPTION,
    out: Path | None = typer.Option(
        None, help="Where to write them (default: _build/notebooks/<lang>/, laid out like the course)."
    ),
) -> None:
    """Translated module notebooks (and student versions of the exercises) for JupyterLab, made
    from the PO files: markdown cells translated, code cells exactly the English ones."""
    from .notebooks import write_all

    root = paths.course_root()
    for code in _languages(lang):
        target = out / code if out and len(_languages(lang)) > 1 else out
        written = write_all(root, code, target)
        done = sum(1 for w in written if w.translated)
        where = written[0].path.parents[2] if written else target
        typer.echo(f"{code}: {len(written)} notebook(s) in {where} ({done} with translated text)")
