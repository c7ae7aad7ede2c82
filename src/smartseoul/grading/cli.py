"""`smartseoul grade ...` (placeholder until the grading pipeline lands)."""

import typer

app = typer.Typer(help="Release, intake, autograde, feedback, export, report and status.", no_args_is_help=True)


@app.command()
def status() -> None:
    """Show the state of every submission."""
    typer.echo("the grading pipeline is not built yet")
