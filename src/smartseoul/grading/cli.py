"""`smartseoul grade ...`: release, intake, autograde, feedback, export, report, status.

Every command works on the course in this checkout (grading/ + exercises/), or on the one given
with --course (a folder holding grading/ and exercises/). Each is safe to re-run.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .course import Course, GradingError

if TYPE_CHECKING:
    from .sandbox import Zygote

app = typer.Typer(
    help="Release, intake, autograde, feedback, export, report and status (nbgrader underneath).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
console = Console()
_state: dict = {}

CourseOpt = typer.Option(
    None, "--course", help="Course folder holding grading/ and exercises/ (default: this checkout)."
)


@app.callback()
def main(course: Path | None = CourseOpt) -> None:
    """Grade nbgrader assignments in isolated, parallel, resumable steps."""
    _state["course"] = course


def _course() -> Course:
    root = _state.get("course")
    return Course.at(root) if root else Course.default()


def _fail(exc: Exception) -> None:
    console.print(f"[red]{exc}[/]")
    raise typer.Exit(2)


@app.command()
def release(
    assignment: str | None = typer.Argument(None, help="Assignment folder name in exercises/."),
    all_: bool = typer.Option(False, "--all", help="Release every assignment found in exercises/."),
) -> None:
    """Generate student versions with `nbgrader generate_assignment` into grading/release/."""
    from .release import release as rel
    from .release import release_all

    try:
        if all_:
            made = release_all(_course())
        elif assignment:
            made = {assignment: rel(_course(), assignment)}
        else:
            raise GradingError("name an assignment, or use --all")
    except GradingError as exc:
        _fail(exc)
    for a, nbs in made.items():
        console.print(f"released {a}: {', '.join(nbs)}")


@app.command()
def intake(
    assignment: str,
    src: Path = typer.Argument(..., help="A folder or a .zip of submissions as the LMS exported them."),
    roster: Path = typer.Option(..., "--roster", help="CSV with a 'file' column and a 'student_id' column."),
) -> None:
    """Validate submissions and place them in submitted/<student>/<assignment>/ with a timestamp."""
    from .intake import intake as run

    try:
        rep = run(_course(), assignment, src, roster)
    except GradingError as exc:
        _fail(exc)
    console.print(
        f"{rep.total} files: {len(rep.accepted)} accepted, {len(rep.unchanged)} unchanged, {len(rep.rejected)} rejected"
    )
    for r in rep.rejected:
        console.print(f"  [yellow]rejected[/] {escape(r.where)}: {escape(r.what)}. Fix: {escape(r.fix)}")


@app.command()
def autograde(
    assignment: str,
    workers: int = typer.Option(0, "--workers", help="Parallel workers (default: number of cores)."),
    force: bool = typer.Option(
        False, "--force", help="Regrade everything, even unchanged graded submissions."
    ),
    cell_timeout: float | None = typer.Option(None, help="Seconds one cell may run (default: settings)."),
    notebook_timeout: float | None = typer.Option(
        None, help="Seconds one notebook may run (default: settings)."
    ),
    memory_mb: int | None = typer.Option(
        None, help="Address-space limit of a kernel, MiB (default: settings)."
    ),
    require_isolation: str | None = typer.Option(
        None,
        "--require-isolation",
        help="Refuse to grade below this level: full, userns or basic "
        "(default: the strongest this machine allows, so full wherever full is possible).",
    ),
) -> None:
    """Grade every submission in isolated workers in parallel; record in the gradebook (resumable)."""
    from .sandbox import LEVELS, IsolationRefused, Zygote, detect_level, possible_level, require

    required = require_isolation or possible_level()
    if required not in LEVELS:
        _fail(GradingError(f"--require-isolation takes one of {', '.join(LEVELS)}, not {required!r}"))
    level = detect_level()
    try:
        require(level, required)
    except IsolationRefused as exc:
        _fail(exc)
    # At level full the zygote imports the kernels' modules from now on, while this process
    # imports the rest of the grading code (see sandbox.Zygote).
    zygote = Zygote() if level == "full" else None
    try:
        _autograde(assignment, workers, force, cell_timeout, notebook_timeout, memory_mb, zygote)
    finally:
        if zygote is not None:
            zygote.close()


def _autograde(
    assignment: str,
    workers: int,
    force: bool,
    cell_timeout: float | None,
    notebook_timeout: float | None,
    memory_mb: int | None,
    zygote: Zygote | None,
) -> None:
    from ..settings import load
    from .autograde import autograde as run
    from .sandbox import LEVEL_TEXT, Limits

    settings = load(_course().grading)
    limits = Limits(
        cell_timeout=settings.cell_timeout if cell_timeout is None else cell_timeout,
        notebook_timeout=settings.notebook_timeout if notebook_timeout is None else notebook_timeout,
        memory_bytes=(settings.memory_mb if memory_mb is None else memory_mb) * 1024**2,
    )

    def progress(student: str, res: dict) -> None:
        flags = res.get("flags", [])
        mark = {"graded": "[green]graded[/]", "graded-with-flags": "[yellow]flagged[/]"}.get(
            str(res.get("state")), "[red]rejected[/]"
        )
        mark = "[red]error[/]" if res.get("state") == "error" else mark
        console.print(
            f"{mark} {escape(student)}"
            + (f" ({len(flags)} flag(s))" if flags else "")
            + (f": {escape(str(res.get('reason')))}" if res.get("reason") else "")
        )

    try:
        s = run(
            _course(),
            assignment,
            workers=workers or None,
            limits=limits,
            force=force,
            progress=progress,
            zygote=zygote,
        )
    except GradingError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        console.print(
            "[yellow]interrupted: finished submissions are saved; run the same command again to resume.[/]"
        )
        raise typer.Exit(130) from None
    console.print(f"isolation: {LEVEL_TEXT[s.level]}")
    console.print(
        f"{len(s.graded)} graded ({len(s.flagged)} flagged), {len(s.errors)} error(s), {len(s.rejected)} rejected, "
        f"{len(s.skipped)} already graded and unchanged, in {s.seconds:.1f}s"
    )
    # Everything is written and closed. Frozen, the batch's objects (nbgrader, SQLAlchemy ...)
    # are skipped by the interpreter's last garbage collection, which took 0.4 s after 12 submissions.
    gc.freeze()


@app.command()
def feedback(assignment: str) -> None:
    """Per-trainee HTML feedback in feedback/<student>/<assignment>/ (no hidden-test source)."""
    from .feedback import feedback as run

    try:
        out = run(_course(), assignment)
    except GradingError as exc:
        _fail(exc)
    console.print(f"wrote {len(out)} feedback file(s) under {_course().grading / 'feedback'}")


@app.command()
def export(assignment: str) -> None:
    """nbgrader's CSV and an LMS-ready CSV (student ID, total, per-question points) in exports/."""
    from .export import export as run

    try:
        out = run(_course(), assignment)
    except GradingError as exc:
        _fail(exc)
    for kind, path in out.items():
        console.print(f"{kind}: {path}")


@app.command()
def report(assignment: str) -> None:
    """A self-contained HTML analytics report in reports/<assignment>/report.html."""
    from .report import report as run

    try:
        out = run(_course(), assignment)
    except GradingError as exc:
        _fail(exc)
    console.print(f"report: {out}")


@app.command()
def status(
    assignment: str,
    as_json: bool = typer.Option(
        False, "--json", help="Machine-readable state of every submission (for scripts and LMSs)."
    ),
) -> None:
    """Every submission in exactly one state, the counts, and the isolation each was graded at."""
    import json

    from .status import status as run

    try:
        st = run(_course(), assignment)
    except GradingError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(st.to_dict(), indent=1, ensure_ascii=False))
        if not st.balanced:
            raise typer.Exit(1)
        return
    table = Table(title=f"{assignment}: submissions")
    for col in ("submission", "student", "state", "detail"):
        table.add_column(col, overflow="fold")
    colour = {
        "graded": "green",
        "graded-with-flags": "yellow",
        "error": "red",
        "rejected": "red",
        "pending": "cyan",
    }
    for r in st.rows:  # trainee-derived text is escaped: a file named "[/]" must not break the output
        table.add_row(
            escape(r["submission"]),
            escape(r["student"]),
            f"[{colour[r['state']]}]{r['state']}[/]",
            escape(r["detail"][:300]),
        )
    console.print(table)
    c = st.counts
    console.print(
        f"in {st.received} = out {sum(c.values())}: "
        + ", ".join(f"{k} {v}" for k, v in c.items())
        + ("" if st.balanced else "  [red]NOT BALANCED[/]")
    )
    console.print(f"isolation used: {escape(st.isolation)}")
    if not st.balanced:
        raise typer.Exit(1)
