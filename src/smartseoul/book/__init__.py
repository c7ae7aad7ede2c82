"""`smartseoul book ...`: build the Jupyter Book."""

import typer

app = typer.Typer(help="Build the Jupyter Book.", no_args_is_help=True)


@app.command()
def build() -> None:
    """Build and execute the whole book; print where the HTML is."""
    import subprocess
    import sys

    from . import paths

    root = paths.course_root()
    subprocess.run([sys.executable, "-m", "jupyter_book", "build", str(root)], check=True)
    print(f"The book is at {root / '_build' / 'html' / 'index.html'}")
