"""Where every submission of an assignment stands: exactly one of graded, graded-with-flags,
rejected (with its reason) or pending, and a check that the counts in equal the counts out."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import journal, sandbox
from .course import Course

STATES = ("graded", "graded-with-flags", "rejected", "pending")


@dataclass
class Status:
    assignment: str
    isolation: str
    rows: list[dict] = field(default_factory=list)  # submission, student, state, detail
    received: int = 0

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
    st = Status(assignment, sandbox.LEVEL_TEXT[sandbox.detect_level()])
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
        if res and res.get("sha256") == sha and res.get("recorded"):
            state = res.get("state", "graded")
            if state == "rejected":
                detail = res.get("reason", "")
            else:
                detail = "; ".join(f["message"] for f in res.get("flags", []))
                if res.get("isolation"):
                    detail = (detail + " " if detail else "") + f"[isolation: {res['isolation']}]"
        else:
            state, detail = "pending", "not graded yet" if not res else "changed since it was graded"
        st.rows.append({"submission": name, "student": student, "state": state, "detail": detail})
    for name, entry in sorted(rejected.items()):
        st.rows.append({"submission": name, "student": entry.get("student") or "", "state": "rejected", "detail": entry["reason"]})
    return st
