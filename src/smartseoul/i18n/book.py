"""One HTML book per language: ``_build/html/`` (English) and ``_build/html/<lang>/``.

English is built first, by `smartseoul.book.run_build` as always; it fills the notebooks'
execution cache. Each translation is then built by Sphinx from the same sources, table of
contents and configuration, with ``language`` set and the PO files of ``locales/``, and reads its
notebook outputs from the same cache: the code is identical in every language, so every notebook
executes once (when the English build needs it) and never again for a translation.

Each language has its own doctrees (``_build/i18n/doctrees/<lang>``) and notebook output folder
(``_build/i18n/<lang>/jupyter_execute``), so the builds never overwrite each other's state. A
translation is built with warnings as errors too: a translated message that breaks a reference
or a footnote stops the build, like a broken English page does."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from .catalogs import locales_dir
from .languages import Language, Table
from .messages import N_, gettext_in

SEARCH_BAR_TEXT = N_("Search this book...")


@dataclass
class TranslationBuild:
    language: str
    ok: bool
    html: Path
    seconds: float
    output: str = ""


def build_dir(output: Path | None, root: Path) -> Path:
    """The `_build` folder of a build (`make book`: the course's own)."""
    return (output or root) / "_build"


def build_translation(
    root: Path,
    language: Language,
    *,
    toc: Path,
    config: Path,
    output: Path | None = None,
    languages: Sequence[str] = (),
    capture: bool = False,
) -> TranslationBuild:
    """Build the book in one language into _build/html/<code>/ (after the English build)."""
    from .sphinx_run import SphinxJob, run

    started = time.perf_counter()
    build = build_dir(output, root)
    html = build / "html" / language.code
    job = SphinxJob(
        source=str(root),
        output=str(html),
        doctrees=str(build / "i18n" / "doctrees" / language.code),
        config=str(config),
        toc=toc.as_posix(),
        overrides={
            "language": language.code,
            "locale_dirs": [str(locales_dir(root).resolve())],
            "gettext_compact": False,
            "html_search_language": language.search,
            # the English build's cache: the notebooks' code is the same in every language
            "nb_execution_cache_path": str((build / ".jupyter_cache").resolve()),
            "smartseoul_nb_output_folder": str(
                (build / "i18n" / language.code / "jupyter_execute").resolve()
            ),
            "smartseoul_languages": list(languages),
            "html_theme_options": {"search_bar_text": gettext_in(language.code, SEARCH_BAR_TEXT)},
        },
    )
    code, log = run(job, cwd=root, capture=capture)
    if code == 0:
        write_redirect(html, language, toc)
    return TranslationBuild(language.code, code == 0, html, time.perf_counter() - started, log)


def write_redirect(html: Path, language: Language, toc: Path) -> None:
    """<lang>/index.html forwards to the welcome page, in the page's language."""
    from ..book.toc import load
    from ..files import write_if_changed

    target = f"{load(toc)['root']}.html"
    write_if_changed(
        html / "index.html",
        f'<!DOCTYPE html>\n<html lang="{language.lang}" dir="{language.dir}">\n<head>\n<meta charset="utf-8" />\n'
        f'<meta http-equiv="Refresh" content="0; url={target}" />\n'
        "<title>Smart Seoul Data Lab</title>\n</head>\n<body>\n"
        f'<p><a href="{target}">Smart Seoul Data Lab ({language.native})</a></p>\n</body>\n</html>\n',
    )


def build_translations(
    root: Path,
    table: Table,
    codes: Sequence[str],
    *,
    toc: Path,
    config: Path,
    output: Path | None = None,
    capture: bool = False,
    echo: Callable[[str], object] = print,
) -> dict[str, TranslationBuild]:
    """Every translation asked for, one after the other (after the English build)."""
    built = [table.source.code, *codes]
    results = {}
    for code in codes:
        echo(f">> building the book in {table.get(code).name} ({code})")
        result = build_translation(
            root, table.get(code), toc=toc, config=config, output=output, languages=built, capture=capture
        )
        echo(f">> {code}: {'built' if result.ok else 'FAILED'} in {result.seconds:.0f} s")
        results[code] = result
        if not result.ok:
            break
    return results


def resolve_languages(spec: str | list[str] | None, root: Path | None = None) -> list[str]:
    """'' -> [] (English only), 'all' -> every course language, 'ru,ar' -> ['ru', 'ar']."""
    if not spec:
        return []
    from .languages import load

    return load(root or paths.course_root()).resolve(spec)
