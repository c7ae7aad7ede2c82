"""The prose of a Markdown text: what the text checks (citations, synthetic claims) read.

One definition of a paragraph for every check, so that two checks cannot disagree about what is
prose: blank-line separated blocks, without fenced code, directive fences and options, headings
and HTML comments."""

from __future__ import annotations

from collections.abc import Iterator

#: lines that are not prose that states a fact: directive fences and options, headings, comments
NOT_PROSE = (":::", "```{", ":class:", ":open:", ":name:", "#", "<!--")


def paragraphs(markdown: str) -> Iterator[str]:
    """Each paragraph, its lines kept (joined with newlines)."""
    fence: str | None = None
    block: list[str] = []
    for line in markdown.splitlines():
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped.startswith("```") and not stripped.startswith("```{"):
            fence = stripped[:3]
            continue
        if not stripped:
            if block:
                yield "\n".join(block)
            block = []
            continue
        if stripped.startswith(NOT_PROSE):
            continue
        block.append(line)
    if block:
        yield "\n".join(block)


def sentences_text(markdown: str) -> Iterator[str]:
    """Each paragraph on one line, for checks that split it into sentences."""
    for paragraph in paragraphs(markdown):
        yield " ".join(line.strip() for line in paragraph.splitlines())
