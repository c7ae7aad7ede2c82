"""Make a graded notebook safe to open: what a trainee wrote or their code displayed becomes inert.

Formgrader shows the autograded notebook inside the instructor's Jupyter origin, where a script
could call the instructor's kernels; feedback and the report are HTML files an instructor or a
trainee opens in a browser. So before a notebook is scored, every trainee-written markdown cell
and every HTML or Markdown output passes through nh3 (no scripts, no event handlers, no
`javascript:` URLs); JavaScript, SVG and widget outputs are dropped; images, attachments and
error outputs are capped in bytes.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import nh3

IMAGE_BYTES = 1024 * 1024  # one image output (base64 text) or one markdown attachment
ATTACHMENT_BYTES_TOTAL = 2 * 1024 * 1024
ERROR_BYTES = 8 * 1024  # evalue and traceback of one error output, each

_SAFE_MIMES = {
    "text/plain",
    "text/html",
    "text/markdown",
    "text/latex",
    "image/png",
    "image/jpeg",
    "image/gif",
    "application/json",
}
_URL_SCHEMES = {"http", "https", "mailto", "data", "attachment"}


def clean_html(text: str) -> str:
    """HTML with scripts, event handlers and script URLs removed (nh3, the ammonia sanitiser)."""
    return nh3.clean(text, url_schemes=_URL_SCHEMES)


# what makes a removal worth a flag: active content, not the styles and classes of a pandas table
_DANGER = re.compile(
    r"<\s*(script|iframe|object|embed|form|meta|base|link)\b|\son[a-z]+\s*=|(java|vb)script\s*:",
    re.IGNORECASE,
)
# a Markdown link or image whose target runs code: ](javascript:...), <javascript:...>, [id]: javascript:...
_MD_SCRIPT_URL = re.compile(
    r"(\]\(\s*<?|^\s*\[[^\]]*\]:\s*<?|<)\s*((?:java|vb)script|data)\s*:", re.IGNORECASE | re.MULTILINE
)


def _dangerous(before: str, after: str) -> bool:
    return bool(_DANGER.search(html.unescape(before))) and html.unescape(before) != html.unescape(after)


def _cap(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore") + f"\n[grader: {len(data) - limit} bytes cut]"


def _as_text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def sanitize_output(out: dict) -> list[str]:
    """Clean one output in place; returns what was removed, for a flag."""
    removed: list[str] = []
    kind = out.get("output_type")
    if kind == "error":
        out["ename"] = _cap(str(out.get("ename", "")), 256)
        out["evalue"] = _cap(str(out.get("evalue", "")), ERROR_BYTES)
        tb = [str(line) for line in out.get("traceback", [])]
        joined = "\n".join(tb)
        out["traceback"] = tb if len(joined.encode("utf-8")) <= ERROR_BYTES else [_cap(joined, ERROR_BYTES)]
        return removed
    data = out.get("data")
    if not isinstance(data, dict):
        return removed
    for mime in list(data):
        if mime not in _SAFE_MIMES:
            del data[mime]
            removed.append(f"a {mime} output")
            continue
        if mime in ("text/html", "text/markdown"):
            before = _as_text(data[mime])
            after = clean_html(before)
            if mime == "text/markdown":
                after = _MD_SCRIPT_URL.sub(r"\1#removed-", after)
            if _dangerous(before, after):
                removed.append(f"scripts or unsafe HTML from a {mime} output")
            data[mime] = after
        elif mime.startswith("image/") and len(_as_text(data[mime])) > IMAGE_BYTES:
            del data[mime]
            removed.append(f"an image over {IMAGE_BYTES // 1024} KB")
        elif mime == "application/json" and len(json.dumps(data[mime])) > IMAGE_BYTES:
            del data[mime]
            removed.append("a large JSON output")
    if not data:
        data["text/plain"] = "[grader: output removed]"
    out.get("metadata", {}).pop("application/vnd.jupyter.widget-view+json", None)
    return removed


def sanitize_markdown_cell(cell: Any) -> list[str]:
    removed: list[str] = []
    before = _as_text(cell.get("source", ""))
    after = _MD_SCRIPT_URL.sub(r"\1#removed-", clean_html(before))
    if _dangerous(before, after):
        removed.append("scripts or unsafe HTML in a markdown cell")
    cell["source"] = after
    attachments = cell.get("attachments")
    if isinstance(attachments, dict):
        total = 0
        for name in list(attachments):
            size = len(json.dumps(attachments[name]))
            total += size
            if (
                size > IMAGE_BYTES
                or total > ATTACHMENT_BYTES_TOTAL
                or not isinstance(attachments[name], dict)
            ):
                del attachments[name]
                removed.append(f"an attachment over the size limit ({name[:60]})")
                continue
            for mime in list(attachments[name]):
                if mime not in _SAFE_MIMES or mime.startswith("text/html"):
                    del attachments[name][mime]
                    removed.append(f"a {mime} attachment")
    return removed


def sanitize_notebook(nb: Any, trainee_markdown: set[int]) -> list[str]:
    """Clean every output and the markdown cells a trainee wrote (by index); what was removed."""
    removed: list[str] = []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "markdown" and i in trainee_markdown:
            removed += sanitize_markdown_cell(cell)
        elif cell.get("cell_type") == "code":
            for out in cell.get("outputs", []):
                removed += sanitize_output(out)
        cell.get("metadata", {}).pop("widgets", None)
    nb.metadata.pop("widgets", None)
    return list(dict.fromkeys(removed))
