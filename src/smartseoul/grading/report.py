"""A self-contained HTML analytics report for one assignment: score distribution, pass rate per
question, item difficulty and discrimination, and the flagged and rejected submissions.

Item difficulty is the mean share of a question's points the cohort earned (1 = everyone got it);
discrimination is the correlation between a question's score and the rest of the total
(corrected item-total correlation): near zero or negative means the question does not separate
stronger from weaker work and deserves a look. Plots are embedded as PNG with alt text.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from pathlib import Path

from ..render import render
from . import gradebook, journal
from .course import Course, GradingError
from .status import status


def item_statistics(rows: list[dict]) -> tuple[list[str], dict[str, dict], dict[str, float], float]:
    """(questions, per-question stats, total per student, max total) from gradebook rows."""
    import numpy as np

    questions, maxes = [], {}
    for r in rows:
        if r["grade_id"] not in maxes:
            questions.append(r["grade_id"])
            maxes[r["grade_id"]] = r["max_score"]
    students = sorted({r["student"] for r in rows})
    score = {(r["student"], r["grade_id"]): r["score"] for r in rows}
    totals = {s: sum(score.get((s, q), 0.0) for q in questions) for s in students}
    stats = {}
    for q in questions:
        m = maxes[q] or 1.0
        x = np.array([score.get((s, q), 0.0) / m for s in students])
        rest = np.array([totals[s] - score.get((s, q), 0.0) for s in students])
        disc = float("nan")
        if len(students) > 2 and x.std() > 0 and rest.std() > 0:
            disc = float(np.corrcoef(x, rest)[0, 1])
        stats[q] = {
            "max": maxes[q],
            "mean": float(x.mean() * m) if len(x) else 0.0,
            "pass_rate": float((x >= 1.0 - 1e-9).mean()) if len(x) else 0.0,
            "difficulty": float(x.mean()) if len(x) else 0.0,
            "discrimination": disc,
        }
    return questions, stats, totals, float(sum(maxes.values()))


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figures(questions, stats, totals, max_total) -> list[tuple[str, str, str]]:
    """(title, alt text, base64 png) for each plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        from ..plots import use_style

        use_style()
    except Exception:
        pass
    figs = []
    pct = [100 * t / max_total if max_total else 0 for t in totals.values()]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(pct, bins=[i * 10 for i in range(11)], color="#0072B2", edgecolor="white")
    ax.set_xlabel("total score (% of points)")
    ax.set_ylabel("submissions")
    ax.set_title("Score distribution")
    mean = sum(pct) / len(pct) if pct else 0
    figs.append(
        (
            "Score distribution",
            f"Histogram of {len(pct)} total scores in 10-point bins; mean {mean:.0f}% of points.",
            _png(fig),
        )
    )
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 0.4 * len(questions) + 1.2))
    rates = [100 * stats[q]["pass_rate"] for q in questions]
    ax.barh(questions[::-1], rates[::-1], color="#009E73")
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions with full points (%)")
    ax.set_title("Pass rate per question")
    lo = min(questions, key=lambda q: stats[q]["pass_rate"]) if questions else "-"
    figs.append(
        (
            "Pass rate per question",
            "Horizontal bars of the share of submissions earning full points on each question: "
            + ", ".join(f"{q} {r:.0f}%" for q, r in zip(questions, rates))
            + f". Lowest: {lo}.",
            _png(fig),
        )
    )
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.6))
    xs = [stats[q]["difficulty"] for q in questions]
    ys = [
        0.0 if stats[q]["discrimination"] != stats[q]["discrimination"] else stats[q]["discrimination"]
        for q in questions
    ]
    ax.scatter(xs, ys, color="#D55E00")
    for q, x, y in zip(questions, xs, ys):
        ax.annotate(q, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.axhline(0.2, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("difficulty (mean share of points earned)")
    ax.set_ylabel("discrimination (item-rest correlation)")
    ax.set_title("Item difficulty and discrimination")
    weak = [q for q, y in zip(questions, ys) if y < 0.2]
    figs.append(
        (
            "Item difficulty and discrimination",
            "Scatter of each question's difficulty against its discrimination; dashed line at 0.2. "
            + (f"Questions below it: {', '.join(weak)}." if weak else "All questions are above it."),
            _png(fig),
        )
    )
    plt.close(fig)
    return figs


def build_report(course: Course, assignment: str) -> str:
    rows = gradebook.scores(course, assignment)
    if not rows:
        raise GradingError(
            f"no grades for '{assignment}' yet: run `smartseoul grade autograde {assignment}` first."
        )
    questions, stats, totals, max_total = item_statistics(rows)
    st = status(course, assignment)
    results = journal.all_results(course, assignment)
    flagged = [
        [s, f.get("grade_id") or "", f["code"], f["message"]]
        for s, r in sorted(results.items())
        for f in r.get("flags", [])
        if r.get("state") != "rejected"
    ]

    def fmt(v: float) -> str:
        return "n/a" if v != v else f"{v:.2f}"

    return render(
        "grading_report.html.j2",
        assignment=assignment,
        generated=f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
        n_graded=len(totals),
        mean_total=sum(totals.values()) / max(1, len(totals)),
        max_total=max_total,
        status=st,
        counts=st.counts,
        figures=[
            {"title": t, "alt": a, "png": p} for t, a, p in _figures(questions, stats, totals, max_total)
        ],
        questions=[
            [
                q,
                f"{stats[q]['max']:g}",
                f"{stats[q]['mean']:.2f}",
                f"{100 * stats[q]['pass_rate']:.0f}%",
                fmt(stats[q]["difficulty"]),
                fmt(stats[q]["discrimination"]),
            ]
            for q in questions
        ],
        flagged=flagged,
        n_flagged=len({f[0] for f in flagged}),
        rejected=[[r["submission"], r["student"], r["detail"]] for r in st.rows if r["state"] == "rejected"],
    )


def report(course: Course, assignment: str) -> Path:
    course.check_assignment(assignment)
    out = course.grading / "reports" / assignment / "report.html"
    journal.atomic_write(out, build_report(course, assignment).encode("utf-8"))
    return out
