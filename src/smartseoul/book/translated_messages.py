"""Translated messages that MyST-Parser 3 would misread when Sphinx parses them alone.

Sphinx parses each translated message on its own, as a small document, and uses it only if it is
one paragraph or title. Two things broke that for the course's MyST pages (both are fixed in
MyST-Parser 4, which Jupyter Book 1 cannot use: it pins `myst-parser~=3.0`):

1. **Footnote references.** MyST-Parser 3 only turns `[^area]` into a reference when the
   footnote's definition is in the same text, so a translated paragraph lost its reference and the
   build stopped with "inconsistent footnote references in translated message" (MyST-Parser issue
   884). Each message gets a stand-in definition for every footnote it references; Sphinx keeps
   only the paragraph and links the reference to the page's real footnote.
2. **Numbered headings.** A title such as `1. Как работает блокнот` reads as the start of a
   numbered list, so Sphinx silently kept the English title. The number's full stop is escaped
   (`1\\.`), which shows as `1.` and keeps the title a title."""

from __future__ import annotations

import re
from typing import Any

#: a footnote reference, not a definition (`[^area]:` at the start of a line)
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
#: a message that starts like a list item: `1. `, `2) `
LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s)")
MYST_SUFFIXES = (".md", ".ipynb")


def as_myst_message(source: str) -> str:
    """The message as MyST-Parser 3 must see it to parse it as the paragraph or title it is."""
    source = LIST_NUMBER.sub(r"\1\\\2", source)
    labels = list(dict.fromkeys(FOOTNOTE_REFERENCE.findall(source)))
    if labels:
        source += "\n\n" + "\n".join(f"[^{label}]: ." for label in labels)
    return source


def setup(app: Any) -> dict:
    import sphinx.transforms.i18n as i18n

    original = getattr(i18n.publish_msgstr, "__wrapped__", i18n.publish_msgstr)

    def publish_msgstr(app, source, source_path, source_line, config, settings):
        if str(source_path).endswith(MYST_SUFFIXES):
            source = as_myst_message(source)
        return original(app, source, source_path, source_line, config, settings)

    publish_msgstr.__wrapped__ = original  # type: ignore[attr-defined]
    i18n.publish_msgstr = publish_msgstr
    return {"parallel_read_safe": True, "parallel_write_safe": True}
