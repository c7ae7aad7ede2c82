"""Plain English for readers of English as a second language (issue 15): short sentences and no
idioms in what trainees read. The limits are the ones the rework reached; a new page that drifts
back to long sentences or idioms fails here."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(ROOT.glob("modules/*/*.ipynb")) + sorted(ROOT.glob("modules/*/*.md"))
#: idioms found in the course before, and others like them: say the plain thing instead
IDIOMS = [
    "earns its keep", "carry their weight", "carries its weight", "wrong with great precision", "rule of thumb",
    "earns its place", "holds its own", "hit the ground running", "a piece of cake", "in a nutshell",
    "the big picture", "low-hanging fruit", "at the end of the day", "on the same page", "ballpark",
    "game changer", "rule them out", "bread and butter", "tip of the iceberg", "pays off",
]  # fmt: skip
MAX_MEAN_WORDS = 12.5  # the reworked pages reach 10.5 to 12.1; before the rework they ran to 13.4


def prose(path: Path) -> str:
    """The words a trainee reads: markdown, without code, links' targets, tables and directive options."""
    if path.suffix == ".ipynb":
        text = "\n\n".join(
            c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
        )
    else:
        text = path.read_text(encoding="utf-8")
    lines, stack = [], []  # stack of open fences: True for a code block, False for a MyST box
    for line in text.splitlines():
        fence = line.strip()
        if fence.startswith(("```", ":::")):
            if fence in ("```", ":::") and stack:
                stack.pop()
            else:
                stack.append(not fence[3:].startswith("{"))
            continue
        if any(stack) or line.lstrip().startswith(("|", ":", "<", "#")):
            continue
        lines.append(line)
    text = re.sub(r"`[^`]*`", "x", "\n".join(lines))
    return re.sub(r"\]\([^)]*\)", "]", text)


def mean_sentence_words(text: str) -> float:
    sentences = [
        s for s in re.split(r"(?<=[.!?:;])\s+|\n\s*\n|\n\s*[-*\d]+[.)]?\s", text) if len(s.split()) >= 3
    ]
    return sum(len(s.split()) for s in sentences) / max(len(sentences), 1)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_sentences_are_short_and_plain(path):
    text = prose(path)
    found = [idiom for idiom in IDIOMS if idiom in text.lower()]
    assert not found, f"{path.name}: idioms {found}; say the plain thing instead"
    mean = mean_sentence_words(text)
    assert mean <= MAX_MEAN_WORDS, (
        f"{path.name}: sentences average {mean:.1f} words (at most {MAX_MEAN_WORDS})"
    )


def test_a_page_of_long_sentences_or_an_idiom_fails():
    long = "This sentence keeps going with many words, " * 4 + "and then it finally ends here. "
    assert mean_sentence_words(long * 3) > MAX_MEAN_WORDS
    assert mean_sentence_words("Load the table. Count the rows. Draw a map of the rows.") <= MAX_MEAN_WORDS
    assert any(i in "this method earns its keep." for i in IDIOMS)
