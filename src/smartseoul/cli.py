"""The `smartseoul` command line: data, doctor, settings, lab, exercises, grade, book, capstone, hub, i18n."""

from __future__ import annotations

import sys
from pathlib import Path

# jsonschema imports rfc3987_syntax, when it is installed, to check the "iri" format, and building
# that package's grammar costs 0.8 s of CPU each time the command starts (nbformat imports
# jsonschema). Nothing the command runs checks that format: nbformat and nbgrader validate
# notebooks without format checks. So the command starts without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from . import __version__, paths  # noqa: E402

app = typer.Typer(
    help="Smart Seoul Data Lab: datasets, checks, grading and the book.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
data_app = typer.Typer(help="Generate, list, describe and verify the course datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")
console = Console()


def _version(value: bool) -> None:
    if value:
        console.print(f"smartseoul {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Smart Seoul Data Lab command line."""


@app.command()
def doctor(root: Path | None = typer.Option(None, help="Course folder (default: this checkout).")) -> None:
    """Check Python, packages, the Jupyter kernel, the datasets and the Hangul font."""
    from rich.markup import escape

    from .doctor import diagnose
    from .i18n.messages import _, fallback_note

    checks = diagnose(root)
    table = Table(title="smartseoul doctor", show_lines=False)
    table.add_column(_("check"))
    table.add_column(_("status"))
    table.add_column(_("detail"))
    for c in checks:
        table.add_row(
            _(c.name), "[green]" + _("ok") + "[/]" if c.ok else "[red]" + _("PROBLEM") + "[/]", c.detail
        )
    console.print(table)
    note = fallback_note()
    if note:
        console.print(escape(note))
    problems = [c for c in checks if not c.ok]
    if problems:
        console.print(
            "\n[bold red]"
            + escape(_("{count} problem(s).").format(count=len(problems)))
            + "[/] "
            + escape(_("What to do:"))
        )
        for c in problems:
            console.print(f" - {escape(_(c.name))}: {escape(c.fix)}")
        raise typer.Exit(1)
    console.print("[bold green]" + escape(_("All checks passed: you are ready for the course.")) + "[/]")


@data_app.command("generate")
def data_generate(
    only: list[str] | None = typer.Option(None, "--only", help="Generate only this dataset (repeatable)."),
    seed: int = typer.Option(None, help="Random seed (default: the course seed)."),
    out: Path | None = typer.Option(None, help="Output folder (default: datasets/)."),
    force: bool = typer.Option(False, help="Overwrite files even if they were edited by hand."),
    scale: str = typer.Option(
        "course", help="'course' (committed, small) or 'full' (millions of rows, Parquet)."
    ),
    years: list[int] | None = typer.Option(
        None, "--years", help="With --scale full: which years (repeatable; default 2022)."
    ),
    months: list[int] | None = typer.Option(
        None, "--months", help="With --scale full: which months (repeatable; default all)."
    ),
    fraction: float = typer.Option(
        1.0, help="With --scale full: a fraction of the real volume (e.g. 0.1 on a small laptop)."
    ),
) -> None:
    """Generate datasets deterministically: the same seed gives byte-identical files."""
    from .data.build import DEFAULT_SEED, UserDataChanged, generate
    from .data.spec import file_size

    if scale == "full":
        from .data import full_scale

        full_scale.generate_cli(
            out=out,
            years=years,
            seed=seed if seed is not None else DEFAULT_SEED,
            only=only,
            fraction=fraction,
            months=months,
        )
        return
    if scale != "course":
        raise typer.BadParameter("--scale is 'course' or 'full'")
    target = out or paths.datasets_dir()
    from rich.progress import Progress

    with Progress(console=console, transient=False) as bar:
        names = only
        if not names:
            from .data.build import builders

            names = list(builders())
        task = bar.add_task("generating", total=len(names))

        def tick(name: str) -> None:
            bar.update(task, advance=1, description=f"generating {name}")

        try:
            pkg = generate(
                target, seed=seed if seed is not None else DEFAULT_SEED, only=only, force=force, progress=tick
            )
        except (UserDataChanged, KeyError) as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
    total = sum(file_size(r) or 0 for r in pkg["resources"])
    console.print(f"wrote {len(pkg['resources'])} resources, {total / 1e6:.1f} MB, to {target}")


@data_app.command("list")
def data_list() -> None:
    """List every resource: name, dataset, role, provenance and rows."""
    from . import data

    df = data.catalog()
    table = Table()
    for col in ["name", "dataset", "role", "provenance", "rows", "title"]:
        table.add_column(col)
    for row in df.itertuples():
        table.add_row(row.name, row.dataset, row.role, row.provenance, str(row.rows), row.title)
    console.print(table)


@data_app.command("describe")
def data_describe(name: str) -> None:
    """Print the data dictionary of one resource."""
    from . import data

    try:
        d = data.describe(name)
    except data.UnknownDataset as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    console.print(f"[bold]{d.attrs.get('title')}[/]  ({d.attrs.get('provenance')})")
    if d.attrs.get("imitates"):
        console.print(f"imitates: {d.attrs['imitates']}")
    table = Table()
    for col in d.columns:
        table.add_column(col)
    for row in d.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    console.print(table)


@data_app.command("ensure")
def data_ensure() -> None:
    """Generate the course datasets if a fresh clone has none; never overwrite existing files."""
    if (paths.datasets_dir() / "datapackage.json").exists():
        return
    from .data.build import generate

    console.print(">> datasets/ is empty: generating the course datasets (deterministic)")
    generate(paths.datasets_dir())


@data_app.command("smoke")
def data_smoke(
    plots: Path | None = typer.Option(None, help="Also write one PNG per resource into this folder."),
) -> None:
    """Load every resource and print one summary figure each; exit 1 if one fails to load."""
    from .data.smoke import run

    if run(plots, echo=console.print):
        raise typer.Exit(1)


@data_app.command("verify")
def data_verify() -> None:
    """Check every dataset file against its recorded sha256."""
    from .doctor import dataset_statuses

    problems = [c for c in dataset_statuses(paths.course_root()) if not c.ok]
    for c in problems:
        console.print(f"[red]{c.name}[/]: {c.detail}. {c.fix}")
    if problems:
        raise typer.Exit(1)
    console.print("[green]every dataset file matches its checksum[/]")


@app.command()
def settings(
    page: Path | None = typer.Option(None, help="Write the reference page (book/settings.md) here instead."),
) -> None:
    """Show every course setting, its value here and where the value came from."""
    from .settings import explain, reference_page

    if page:
        from .files import write_if_changed

        changed = write_if_changed(page, reference_page())
        console.print(f"{page} " + ("updated" if changed else "already current"))
        return
    table = Table(title="smartseoul settings")
    for column in ("setting", "value", "from"):
        table.add_column(column)
    for v in explain():
        table.add_row(v.name, repr(v.value), v.source)
    console.print(table)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def lab(ctx: typer.Context) -> None:
    """Start JupyterLab at the course checkout, with nbgrader set up for grading/.

    Any `jupyter lab` option can follow, for example: smartseoul lab --port 8890
    """
    from .lab import start

    start(ctx.args)


@app.command()
def bundle(
    out: Path | None = typer.Option(None, help="Folder for the archive (default: _build/bundle/)."),
    platforms: str = typer.Option(
        "default",
        help="'default' (Linux x86_64, Windows, macOS arm64 and x86_64), 'all', 'current' (this "
        "machine only) or names such as 'linux-x86_64,windows-amd64'.",
    ),
    pythons: str = typer.Option("3.11,3.12", help="Python versions: '3.11,3.12', or 'current'."),
    book: Path | None = typer.Option(None, help="The built book to include (default: _build/html)."),
    without_book: bool = typer.Option(False, "--without-book", help="Leave the book out."),
    cache: Path | None = typer.Option(
        None,
        help="Where downloaded wheels are kept for the next bundle (default: _build/bundle/wheel-cache).",
    ),
) -> None:
    """Write the course into one zip file for a USB stick: book, notebooks, datasets, wheels, installers."""
    from .bundle.build import BundleError, build
    from .bundle.closure import ClosureError
    from .bundle.targets import UnknownPlatform, parse_targets
    from .bundle.wheelhouse import WheelhouseError

    root = paths.course_root()
    try:
        targets = parse_targets(platforms, pythons)
        result = build(
            root,
            targets,
            out=out or root / "_build" / "bundle",
            cache=cache or root / "_build" / "bundle" / "wheel-cache",
            book=None if without_book else (book or root / "_build" / "html"),
            echo=console.print,
        )
    except (UnknownPlatform, ClosureError, WheelhouseError, BundleError) as exc:
        console.print(f"[red]smartseoul bundle: {exc}[/]")
        raise typer.Exit(2) from None
    written = result.written
    for warning in result.warnings:
        console.print(f"[yellow]warning: {warning}[/]")
    incomplete = [f for f in result.fetched if f.missing]
    for f in incomplete:
        console.print(f"[yellow]{f.target.name} is not complete: no wheel for {', '.join(f.missing)}[/]")
    console.print(
        f"wrote {written.archive} ({written.size / 1e6:.1f} MB, {written.files} files, "
        f"{result.wheels} wheels, book {'included' if result.book_included else 'NOT included'}) "
        f"in {result.seconds:.0f} s"
    )
    console.print(f"sha256 {written.sha256} (also in {written.checksum_file.name})")


# The sub-commands that live in their own modules, in the order `--help` lists them.
SUB_APPS = {
    "exercises": ".exercises.cli",
    "grade": ".grading.cli",
    "book": ".book",
    "capstone": ".capstone",
    "hub": ".hub.cli",
    "i18n": ".i18n.cli",
}


def sub_apps_to_mount(argv: list[str]) -> list[str]:
    """Only the sub-command being run, when the command line names one: importing all six costs
    0.7 s at every start (the book's and the capstone's modules), which a batch of grading
    pays before its first submission. `--help`, tests and anything else get all of them."""
    program = argv[0] if argv else ""
    if Path(program).name != "smartseoul" and not program.endswith(str(Path("smartseoul", "cli.py"))):
        return list(SUB_APPS)  # imported by another program (pytest -k grade, a script)
    first = next((arg for arg in argv[1:] if not arg.startswith("-")), None)
    return [first] if first in SUB_APPS else list(SUB_APPS)


def _mount_optional(names: list[str]) -> None:
    import importlib

    for name in names:
        module = importlib.import_module(SUB_APPS[name], __package__)
        app.add_typer(module.app, name=name)


_mount_optional(sub_apps_to_mount(sys.argv))

if __name__ == "__main__":
    app()
