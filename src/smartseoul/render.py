"""Pages and files written from Jinja2 templates, with the escaping done by the template engine.

HTML templates (`*.html.j2`) escape every value (a trainee's name or message cannot inject
markup). Markdown templates (`*.md.j2`) escape what Markdown would read as markup in a value: `<`
(raw HTML), and `|` and line breaks inside table cells (the `cell` filter). The templates live
in `src/smartseoul/templates/`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


def _markdown_value(value: Any) -> Any:
    """Every value printed into a Markdown template: no raw HTML gets through."""
    if hasattr(value, "__html__"):  # already safe (for example a rendered sub-template)
        return value
    return str(value).replace("<", "&lt;") if isinstance(value, str) else value


def _cell(value: Any, width: int | None = None) -> str:
    """A value inside a Markdown table cell: one line, `|` does not end the cell, a missing value
    is empty, and with `width` a long text is cut with an ellipsis."""
    if value is None or (not isinstance(value, (list, dict)) and _missing(value)):
        return ""
    text = str(value).replace("\n", " ").replace("\r", " ").replace("|", "\\|")
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _missing(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array-like value is not "missing"
        return False


@cache
def _environment(kind: str) -> Environment:
    env = Environment(
        loader=PackageLoader("smartseoul", "templates"),
        autoescape=kind == "html",
        undefined=StrictUndefined,  # a missing value is an error, not an empty string
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_markdown_value if kind == "md" else None,
    )
    env.filters["cell"] = _cell
    return env


def render(template: str, **context: Any) -> str:
    """Render `templates/<template>`; the file name's extension (.html.j2 or .md.j2) picks the escaping."""
    kind = "html" if template.endswith(".html.j2") else "md" if template.endswith(".md.j2") else ""
    if not kind:
        raise ValueError(f"{template}: a template name ends in .html.j2 or .md.j2")
    return _environment(kind).get_template(template).render(**context)
