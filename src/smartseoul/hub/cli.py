"""`smartseoul hub ...`: the course's JupyterHub on this machine (what `make hub` runs)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="The course's JupyterHub on this machine: start, stop, accounts, backups.",
    no_args_is_help=True,
)
console = Console(soft_wrap=True)


def _plan():
    from .config import HubConfigError, plan

    try:
        return plan()
    except HubConfigError as err:
        console.print(f"[red]{err}[/]")
        raise typer.Exit(2) from None


def _fail(err: Exception) -> None:
    console.print(f"[red]{err}[/]")
    raise typer.Exit(1)


@app.command()
def start() -> None:
    """Start the hub on 127.0.0.1 (runs as root; says what one machine cannot enforce)."""
    from .manage import HubError, start

    p = _plan()
    try:
        first = start(p, echo=console.print)
    except HubError as err:
        _fail(err)
    console.print(
        f">> JupyterHub for {p.course_id} at {p.url}  (log: {p.hub_dir / 'state' / 'jupyterhub.log'})"
    )
    console.print(f">> trainees: sign up at {p.url}/hub/signup, or `smartseoul hub add-users roster.csv`")
    console.print(f">> course notebooks (nbgitpuller link): {p.course_link()}")
    for login, password in first.items():
        console.print(
            f">> instructor account created: {login} / {password}  (shown once; change it at /hub/change-password)"
        )


@app.command()
def stop() -> None:
    """Stop the hub and every server it started (trainees' files stay)."""
    from .manage import stop

    if stop(_plan(), echo=console.print):
        console.print(">> the hub stopped")


@app.command()
def status() -> None:
    """Whether the hub runs, and every user with their server."""
    from .manage import status

    s = status(_plan())
    if not s["running"]:
        console.print(f"the hub is not running ({s['url']}, folder {s['hub_dir']})")
        raise typer.Exit(3)
    table = Table(title=f"JupyterHub {s['version']} at {s['url']} (pid {s['pid']})")
    for column in ("user", "admin", "server", "last activity"):
        table.add_column(column)
    for u in s["users"]:
        table.add_row(u["name"], "yes" if u["admin"] else "", u["server"], u["last_activity"])
    console.print(table)


@app.command("add-users")
def add_users(
    roster: Path = typer.Argument(..., help="CSV with a `username` column (and optionally `email`)."),
    passwords: Path | None = typer.Option(None, help="Where the new passwords go (default: the hub folder)."),
) -> None:
    """Give every trainee of a roster an approved account, a password and a Unix account."""
    from .config import HubConfigError
    from .manage import HubError, add_users

    p = _plan()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = passwords or p.hub_dir / "state" / f"passwords-{stamp}.csv"
    try:
        added = add_users(p, roster, out)
    except (HubError, HubConfigError, OSError) as err:
        _fail(err)
    new = [a for a in added if a.password]
    for a in added:
        console.print(
            f"{a.login:24} {a.unix:32} {'new' if a.password else 'already there (password unchanged)'}"
        )
    console.print(f">> {len(new)} new account(s), {len(added) - len(new)} already there")
    if new:
        console.print(f">> their passwords: {out} (readable by root only; hand each trainee theirs)")


@app.command("reset-password")
def reset_password(login: str) -> None:
    """Give LOGIN a new password (printed once)."""
    from .manage import HubError, reset_password

    try:
        password = reset_password(_plan(), login.lower())
    except HubError as err:
        _fail(err)
    console.print(f">> new password for {login}: {password}")


@app.command()
def backup(
    to: Path | None = typer.Option(None, help="Folder for the archive (default: the hub folder's backups/)."),
) -> None:
    """Back up the gradebook and grading folder, the exchange and the hub's accounts."""
    from .manage import backup, backup_parts

    p = _plan()
    archive = backup(p, to)
    for name, path in backup_parts(p).items():
        console.print(f"   {name:24} {path}")
    console.print(f">> backup: {archive} ({archive.stat().st_size / 1e6:.1f} MB)")


@app.command()
def restore(archive: Path) -> None:
    """Put a backup back (stop the hub first)."""
    from .manage import HubError, restore

    try:
        restored = restore(_plan(), archive, echo=console.print)
    except HubError as err:
        _fail(err)
    for name, path in restored.items():
        console.print(f">> restored {name} to {path}")


@app.command("publish-content")
def publish_content(message: str = typer.Option("", help="What changed (the commit message).")) -> None:
    """Publish this checkout's modules/ to the hub's content repository (trainees pull it with
    nbgitpuller; their own changes are never overwritten)."""
    from .manage import prepare, publish_content

    p = _plan()
    prepare(p)
    commit = publish_content(p, message=message)
    console.print(f">> published {commit[:10]}" if commit else ">> the content is already current")
    console.print(f">> trainees open: {p.course_link()}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def grade(ctx: typer.Context) -> None:
    """`smartseoul grade ...` on the instructor's course folder on this hub, as root (isolation
    level full); results handed back to the instructor. Example: smartseoul hub grade autograde m0-orientation"""
    from .manage import HubError, grade

    try:
        code = grade(_plan(), ctx.args)
    except HubError as err:
        _fail(err)
    raise typer.Exit(code)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def nbgrader(ctx: typer.Context) -> None:
    """`nbgrader ...` as the instructor, in their course folder (release_assignment, collect ...)."""
    from .manage import HubError, nbgrader_as_instructor

    try:
        console.print(nbgrader_as_instructor(_plan(), ctx.args))
    except HubError as err:
        _fail(err)


@app.command()
def render(
    check: bool = typer.Option(False, help="Exit 1 if a committed file differs instead of writing it."),
) -> None:
    """Write the TLJH and Z2JH files from the course settings (the same values as this hub)."""
    from ..files import write_if_changed
    from .config import rendered_files

    stale = []
    for path, text in rendered_files().items():
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        console.print(f"{path} " + ("updated" if write_if_changed(path, text) else "already current"))
    if stale:
        console.print(f"[red]out of date: {', '.join(map(str, stale))}[/] (run `smartseoul hub render`)")
        raise typer.Exit(1)
