"""A translated paragraph keeps its footnote reference (`605.2 km²[^area]`).

Sphinx parses each translated message on its own. MyST-Parser 3 only turns `[^area]` into a
footnote reference when the footnote's definition is in the same text, so a translated paragraph
lost its reference and the build stopped with "inconsistent footnote references in translated
message" (MyST-Parser issue 884; fixed in MyST-Parser 4, which Jupyter Book 1 cannot use: it
pins `myst-parser~=3.0`). Here each translated message of a MyST page gets a stand-in definition
for every footnote it references, so the reference is parsed. Sphinx keeps only the paragraph,
and links the reference to the page's real footnote, as it does for the English."""

from __future__ import annotations

import re
from typing import Any

#: a footnote reference, not a definition (`[^area]:` at the start of a line)
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
MYST_SUFFIXES = (".md", ".ipynb")


def with_definitions(source: str) -> str:
    """The message, followed by a stand-in definition of each footnote it references."""
    labels = list(dict.fromkeys(FOOTNOTE_REFERENCE.findall(source)))
    if not labels:
        return source
    return source + "\n\n" + "\n".join(f"[^{label}]: ." for label in labels)


def setup(app: Any) -> dict:
    import sphinx.transforms.i18n as i18n

    original = getattr(i18n.publish_msgstr, "__wrapped__", i18n.publish_msgstr)

    def publish_msgstr(app, source, source_path, source_line, config, settings):
        if str(source_path).endswith(MYST_SUFFIXES):
            source = with_definitions(source)
        return original(app, source, source_path, source_line, config, settings)

    publish_msgstr.__wrapped__ = original  # type: ignore[attr-defined]
    i18n.publish_msgstr = publish_msgstr
    return {"parallel_read_safe": True, "parallel_write_safe": True}
