"""Where every submission of an assignment stands: exactly one of graded, graded-with-flags,
rejected (with its reason) or pending, and a check that the counts in equal the counts out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import journal, sandbox
from .course import Course

STATES = ("graded", "graded-with-flags", "error", "rejected", "pending")


@dataclass
class Status:
    assignment: str
    isolation: str
    rows: list[dict] = field(default_factory=list)  # submission, student, state, detail, isolation, flags
    received: int = 0

    def to_dict(self) -> dict:
        return {
            "assignment": self.assignment,
            "isolation": self.isolation,
            "received": self.received,
            "counts": self.counts,
            "balanced": self.balanced,
            "submissions": self.rows,
        }

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATES}
        for r in self.rows:
            out[r["state"]] += 1
        return out

    @property
    def balanced(self) -> bool:
        return self.received == sum(self.counts.values()) == len(self.rows)


def status(course: Course, assignment: str) -> Status:
    course.check_assignment(assignment)
    st = Status(assignment, "")
    ledger = journal.Ledger(course, assignment)
    students = course.submitted_students(assignment)
    rejected = ledger.rejected()
    accepted_files = {v["student"]: k for k, v in ledger.data["files"].items() if v["status"] == "accepted"}
    st.received = len(students) + len(rejected)
    for student in students:
        nbs = sorted(course.submitted_dir(student, assignment).glob("*.ipynb"))
        sha = "+".join(journal.file_sha(p) for p in nbs) if nbs else "none"
        res = journal.load_result(course, assignment, student)
        name = accepted_files.get(student, f"submitted/{student}")
        level, flags = None, []
        if res and res.get("sha256") == sha and res.get("recorded"):
            state = res.get("state", "graded")
            level = res.get("isolation")
            flags = [f.get("code") for f in res.get("flags", [])]
            if state in ("rejected", "error"):
                detail = res.get("reason", "")
            else:
                detail = "; ".join(f["message"] for f in res.get("flags", []))
                if level:
                    detail = (detail + " " if detail else "") + f"[isolation: {level}]"
        else:
            state, detail = "pending", "not graded yet" if not res else "changed since it was graded"
        st.rows.append(
            {
                "submission": name,
                "student": student,
                "state": state,
                "detail": detail,
                "isolation": level,
                "flags": flags,
            }
        )
    for name, entry in sorted(rejected.items()):
        st.rows.append(
            {
                "submission": name,
                "student": entry.get("student") or "",
                "state": "rejected",
                "detail": entry["reason"],
                "isolation": None,
                "flags": [],
            }
        )
    used = Counter(r["isolation"] for r in st.rows if r["isolation"])
    # the levels the submissions were graded at (recorded in the journal), not what this machine offers now
    st.isolation = (
        ", ".join(
            f"{sandbox.LEVEL_TEXT[lv]} ({n} submission{'s' if n != 1 else ''})"
            for lv, n in sorted(used.items())
        )
        or "none yet (nothing graded)"
    )
    return st
