"""`smartseoul exercises ...`: the authoring loop for instructors."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from .. import paths
from ..findings import errors

app = typer.Typer(
    help="Check the assignment notebooks in exercises/ (their only source).", no_args_is_help=True
)
console = Console()


@app.command("lint")
def lint_command(
    assignments: list[str] = typer.Argument(None, help="Assignments to check (default: all)."),
    fix: bool = typer.Option(False, "--fix", help="Set cell ids from grade ids and clear outputs first."),
) -> None:
    """Check the course's rules on each assignment notebook; exit 1 if one is broken.

    Edit exercises/<name>/<name>.ipynb in JupyterLab (nbgrader's Create Assignment toolbar sets
    each cell's type), save it, and run this command.
    """
    from .cells import assignments as all_assignments
    from .lint import lint_course

    root = paths.exercises_dir()
    names = assignments or all_assignments(root)
    found = lint_course(root, names, fix=fix)
    for f in found:
        colour = "red" if f.severity == "error" else "yellow"
        console.print(f"[{colour}]{escape(f.where)}[/]: {escape(f.what)}\n    [bold]Fix:[/] {escape(f.fix)}")
    if errors(found):
        console.print(f"[bold red]{len(errors(found))} problem(s) in {len(names)} assignment(s).[/]")
        raise typer.Exit(1)
    console.print(f"[green]{len(names)} assignment(s) follow the rules.[/]")


@app.command("check")
def check_command(
    assignments: list[str] = typer.Argument(None, help="Assignments to check (default: all)."),
) -> None:
    """The lint, then run each notebook with its solutions from a fresh kernel: every test must pass."""
    from .cells import assignments as all_assignments
    from .lint import check_solutions, lint_course

    root = paths.exercises_dir()
    names = assignments or all_assignments(root)
    found = lint_course(root, names)
    if not errors(found):
        console.print(f"running {len(names)} notebook(s) with their solutions ...")
        found += check_solutions(root, names)
    for f in found:
        console.print(f"[red]{escape(f.where)}[/]: {escape(f.what)}\n    [bold]Fix:[/] {escape(f.fix)}")
    if errors(found):
        console.print(f"[bold red]{len(errors(found))} problem(s).[/]")
        raise typer.Exit(1)
    console.print(
        f"[green]{len(names)} assignment(s): the rules hold and every test passes with the solutions.[/]"
    )
