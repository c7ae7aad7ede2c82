"""`smartseoul capstone ...`: validate your own city's data (placeholder)."""

import typer

app = typer.Typer(help="Validate your own city's boundaries and indicator table.", no_args_is_help=True)


@app.command()
def validate(boundaries: str, indicators: str) -> None:
    """Check a boundaries file and an indicator CSV; say exactly what to fix."""
    typer.echo("not built yet")
