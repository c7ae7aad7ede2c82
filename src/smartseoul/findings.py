"""One shape for "what is wrong, where, and how to fix it".

The exercise linter, the doctor, the capstone validator and grading intake all report problems
to people who must act on them. Each problem says what is wrong, where, and what to do next, so
every report reads the same way and a test can check any of them the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """A problem someone must act on. `code` is a short stable name for tests and filters."""

    code: str
    where: str
    what: str
    fix: str
    severity: Severity = "error"

    def __str__(self) -> str:
        lead = f"{self.where}: " if self.where else ""
        return f"{lead}{self.what} Fix: {self.fix}"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that stop the work (warnings are shown, and do not)."""
    return [f for f in findings if f.severity == "error"]
