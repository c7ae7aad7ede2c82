"""Fixes for what axe-core finds in the book's theme (WCAG 2.2 A and AA), as a Sphinx extension.

tests/book/test_book_a11y.py runs axe over every page of the built book; each fix answers one rule.

1. The search field and the light/dark switch: our copies of the theme's templates
   (`a11y_templates/`) give them a name that holds their visible text (rule
   label-content-name-mismatch, WCAG 2.5.3).
2. The sidebar's expand buttons (`<summary>` with only a chevron icon) get the name of the
   section they open (rule summary-name, WCAG 4.1.2).
3. myst-nb's buttons that show a hidden code cell: named by their visible text, not by an
   aria-label that differs from it (rule label-content-name-mismatch).
4. The bibliography: docutils marks each entry with the deprecated ARIA role doc-biblioentry
   inside a role="list" element; we mark them as list items (rules aria-deprecated-role and
   aria-required-children, WCAG 1.3.1).
5. Korean words in the text are marked `lang="ko"` (WCAG 3.1.2, which axe cannot check: it found
   this in the manual check of the instructor guide's checklist).
6. `smartseoul-a11y.css`: focus outlines that are always visible, and link and text colours with
   enough contrast in light and dark mode (rule color-contrast, WCAG 1.4.3; focus: 2.4.7)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
TEMPLATES = HERE / "a11y_templates"
STYLESHEET = "smartseoul-a11y.css"


def name_sidebar_toggles(soup: Any) -> Any:
    """Give each sidebar `<summary>` that shows only a chevron the text of the section's link
    (`soup` is the theme's parsed sidebar, changed in place and returned)."""
    for summary in soup.select("li > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        link = summary.parent.parent.find("a", recursive=False)
        if link is not None:
            summary["aria-label"] = " ".join(link.get_text().split())
    return soup


#: myst-nb's "Show code cell content" buttons: aria-label="Toggle hidden content" hides the text
#: a reader sees, which is a better name (and is the one a speech-input user says).
_HIDDEN_CELL_SUMMARY = re.compile(r'<summary aria-label="[^"]*">(?=\s*<p class="collapsed)')


def name_hidden_cell_buttons(html: str) -> str:
    """Let myst-nb's show/hide buttons be named by their visible text (WCAG 2.5.3)."""
    return _HIDDEN_CELL_SUMMARY.sub("<summary>", html)


#: Hangul syllables and jamo, with the spaces and punctuation between two Hangul words.
_HANGUL_RUN = re.compile(
    r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+(?:[ \u00b7][\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+)*"
)
#: A tag, or the inside of a script or style element, which must stay as it is.
_TAG_OR_SCRIPT = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]*>", re.S | re.I)


def mark_korean(html: str) -> str:
    """Wrap each run of Korean text in `<span lang="ko">`, so a screen reader reads 따릉이 with a
    Korean voice instead of spelling it out or skipping it (WCAG 3.1.2, language of parts)."""
    out, last = [], 0
    for tag in _TAG_OR_SCRIPT.finditer(html):
        out.append(_HANGUL_RUN.sub(r'<span lang="ko">\g<0></span>', html[last : tag.start()]))
        out.append(tag.group(0))
        last = tag.end()
    out.append(_HANGUL_RUN.sub(r'<span lang="ko">\g<0></span>', html[last:]))
    return "".join(out)


def bibliography_as_list_items(html: str) -> str:
    """docutils' role="doc-biblioentry" is deprecated (ARIA 1.3): entries of role="list" are
    list items."""
    return html.replace('role="doc-biblioentry"', 'role="listitem"')


def _config_inited(app, config) -> None:
    # before the theme's own component folder, which pydata-sphinx-theme appends later
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    if str(HERE / "static") not in config.html_static_path:
        config.html_static_path = list(config.html_static_path) + [str(HERE / "static")]


def _page_context(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = mark_korean(name_hidden_cell_buttons(bibliography_as_list_items(context["body"])))
    toctree = context.get("generate_toctree_html")
    if callable(toctree) and not getattr(toctree, "_smartseoul_named", False):

        def generate_toctree_html(*args, **kwargs):
            tree = toctree(*args, **kwargs)
            return name_sidebar_toggles(tree) if hasattr(tree, "select") else tree

        generate_toctree_html._smartseoul_named = True  # type: ignore[attr-defined]
        context["generate_toctree_html"] = generate_toctree_html


def _version() -> int:
    """Changes with this file, its templates or its stylesheet, so Sphinx writes every page again."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted([Path(__file__), *TEMPLATES.glob("*.html"), HERE / "static" / STYLESHEET]):
        digest.update(path.read_bytes())
    return int(digest.hexdigest()[:8], 16)


def setup(app):
    app.add_css_file(STYLESHEET)
    app.connect("config-inited", _config_inited)
    # after pydata-sphinx-theme has put generate_toctree_html into the context (default priority)
    app.connect("html-page-context", _page_context, priority=800)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": _version()}
