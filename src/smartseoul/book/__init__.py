"""`smartseoul book ...`: generate the book's pages and build it with Jupyter Book.

The book is built from the course folder itself (`_config.yml`, `_toc.yml`). Before Sphinx runs,
`prepare()` writes what is generated (git-ignored, under `book/_generated/`): the data catalogue
from `datasets/datapackage.json`, the nbgrader student versions of the exercises, and the table of
contents pruned to the pages that exist."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import typer

from .. import paths

app = typer.Typer(help="Build the Jupyter Book and the pages it generates.", no_args_is_help=True)

GENERATED = Path("book") / "_generated"


def generated_dir(root: Path | None = None) -> Path:
    return (root or paths.course_root()) / GENERATED


@dataclass
class Prepared:
    toc_path: Path
    catalogue_pages: list[Path] = field(default_factory=list)
    exercise_pages: list[Path] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def prepare(root: Path | None = None, echo=print) -> Prepared:
    """Write the generated pages and the pruned toc; say what was left out and why."""
    from . import catalogue, student, toc

    root = root or paths.course_root()
    out = generated_dir(root)
    cat = catalogue.write_catalogue(root, out)
    ex = student.write_student_versions(root, out / "exercises", echo=echo)
    pruned = toc.write_pruned(root, out / "_toc.yml")
    prepared = Prepared(
        toc_path=out / "_toc.yml",
        catalogue_pages=cat.pages,
        exercise_pages=ex.pages,
        left_out=pruned.left_out,
        notes=cat.notes + ex.notes,
    )
    for note in prepared.notes:
        echo(f">> {note}")
    if pruned.left_out:
        echo(">> not in this build (yet): " + "; ".join(pruned.left_out))
    return prepared


def effective_config(root: Path, jupyterhub_url: str | None) -> Path:
    """`_config.yml`, or a generated copy with another JupyterHub address."""
    config = root / "_config.yml"
    if not jupyterhub_url:
        return config
    import yaml

    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.setdefault("launch_buttons", {})["jupyterhub_url"] = jupyterhub_url
    from .toc import write_if_changed

    target = generated_dir(root) / "_config.yml"
    write_if_changed(target, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return target


def run_build(
    root: Path | None = None,
    output: Path | None = None,
    jupyterhub_url: str | None = None,
    fresh: bool = False,
    echo=print,
) -> Path:
    """Prepare, then `jupyter-book build -W` (no --keep-going); returns the HTML folder."""
    root = root or paths.course_root()
    prepared = prepare(root, echo=echo)
    cmd = [
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(root),
        "--toc", str(prepared.toc_path),
        "--config", str(effective_config(root, jupyterhub_url)),
        "--builder", "html",
        "-W",
    ]
    if output is not None:
        cmd += ["--path-output", str(output)]
    if fresh:
        cmd.append("--all")
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=root)
    html = (output or root) / "_build" / "html"
    if result.returncode != 0:
        raise BuildFailed(
            "The book did not build (see the first 'WARNING' or 'ERROR' above: warnings count as "
            "errors). Fix that page or notebook and run 'make book' again."
        )
    echo(f">> built in {time.perf_counter() - started:.0f} s")
    return html


class BuildFailed(RuntimeError):
    pass


@app.command()
def build(
    output: Optional[Path] = typer.Option(None, help="Build into OUTPUT/_build/html instead of the course folder."),
    jupyterhub_url: Optional[str] = typer.Option(
        None, envvar="SMARTSEOUL_JUPYTERHUB_URL", help="JupyterHub for the launch buttons (default: _config.yml)."
    ),
    fresh: bool = typer.Option(False, help="Rebuild every page (notebook outputs still come from the cache)."),
) -> None:
    """Build and execute the whole book; print where the HTML is."""
    try:
        html = run_build(output=output, jupyterhub_url=jupyterhub_url, fresh=fresh, echo=typer.echo)
    except (BuildFailed, FileNotFoundError) as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"The book is at {html / 'index.html'}")


@app.command("pages")
def pages_command() -> None:
    """Only write the generated pages (data catalogue, student exercises, pruned toc)."""
    p = prepare(echo=typer.echo)
    typer.echo(
        f"{len(p.catalogue_pages)} data-catalogue page(s), {len(p.exercise_pages)} exercise page(s); "
        f"toc at {p.toc_path}"
    )


@app.command("catalogue")
def catalogue_command() -> None:
    """Write one data-catalogue page per dataset into book/_generated/data/."""
    from . import catalogue as cat

    result = cat.write_catalogue(paths.course_root(), generated_dir())
    for note in result.notes:
        typer.echo(f">> {note}")
    typer.echo(f"{len(result.pages)} page(s) in {generated_dir() / 'data'}")
