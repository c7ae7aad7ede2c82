"""Findings about the synthetic data stay labelled as such.

The course's datasets are synthetic. A sentence such as "the loss is deepest in the centre" reads
as a fact about Seoul, and stops being true when a generator changes. So a sentence in a module
notebook that states a comparative result must be backed in one of three ways:

- its paragraph says the result is from the synthetic data ("in this course's synthetic data");
- it points at what the notebook computed and shows ("the printed table", "the chart above");
- the code cell just before it asserts the result, so the notebook fails if it stops being true.

A paragraph that cites a published source is about the world, not the data; `smartseoul.citations`
checks those.

The triggers are a short list of result-stating phrases, refined as the course grows; a
question ("Which gu is busiest?") or an instruction is not a finding and is not flagged.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from . import paths
from .findings import Finding
from .prose import sentences_text

#: phrases that state a comparative result (a finding), not a method or an instruction
TRIGGERS = re.compile(
    r"\b(?:is|are|was|were)\s+(?:the\s+)?(?:deepest|shallowest|hardest|busiest|quietest|highest|lowest|"
    r"largest|smallest|strongest|weakest|worst|best)\b"
    r"|\bhit\b[^.]{0,60}\bhardest\b"
    r"|\brecovered\s+(?:first|last|fastest|slowest)\b"
    r"|\b(?:well|best|worst|poorly|badly)[- ]served\b"
    r"|\bmost of the city\b"
    r"|\b(?:fell|dropped|rose|grew)\s+(?:the\s+)?(?:most|least|fastest|slowest)\b"
    r"|\b(?:hold|holds|held|take|takes|took)\s+most\s+of\s+the\b"
    r"|\bmakes?\s+up\s+the\s+largest\b"
    r"|\bmatch(?:es|ed)?\s+what\b",
    re.IGNORECASE,
)
#: words that frame a paragraph as a result of the course's synthetic data
FRAMED = re.compile(r"synthetic|this course's data|the course's data", re.IGNORECASE)
#: a paragraph that cites a source states a fact about the world, which the citation check covers
CITED = re.compile(r"sources\.md#|\{cite(?::[a-z]+)?\}`|\]\(https?://")
#: words that point at a value the notebook computed and shows
SHOWN = re.compile(
    r"\b(?:printed|printout|print-out|the output|(?:chart|map|table|plot|figure|bars?|lines?) (?:above|below))\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!])\s+")


def notebook_findings(path: Path, rel: str) -> list[Finding]:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # reported; the other notebooks are still checked
        return [Finding("unreadable", rel, f"cannot be read ({exc}).", "Repair the notebook.")]
    found: list[Finding] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        before = nb.cells[index - 1] if index else None
        asserted = before is not None and before.cell_type == "code" and "assert " in before.source
        for paragraph in sentences_text(cell.source):
            if FRAMED.search(paragraph) or CITED.search(paragraph) or asserted:
                continue
            for sentence in SENTENCE_END.split(paragraph):
                if sentence.rstrip().endswith("?") or SHOWN.search(sentence):
                    continue
                m = TRIGGERS.search(sentence)
                if m:
                    found.append(
                        Finding(
                            "unframed-result",
                            f"{rel} cell {index + 1}",
                            f"states a result ({m.group(0)!r}) as if it were about Seoul: {sentence.strip()[:120]!r}.",
                            "Say that it is a result of the course's synthetic data, point at the printed "
                            "value, or assert it in the code cell before.",
                        )
                    )
    return found


def check(root: Path | None = None) -> list[Finding]:
    """Unframed results in the module notebooks."""
    root = root or paths.course_root()
    found: list[Finding] = []
    for path in sorted(root.glob("modules/*/*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts:
            found += notebook_findings(path, path.relative_to(root).as_posix())
    return found
