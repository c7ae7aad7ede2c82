"""A cohort on the course's real JupyterHub (`smartseoul hub`, what `make hub` starts), driven
through Debian's Chromium as trainees and the instructor use it.

One hub for the module (temporary folders under /srv, throw-away Unix accounts ssdlt<tag>-*,
a free port on 127.0.0.1), removed afterwards with every account and process. In order:
the hub says what it cannot enforce; a trainee signs up, the instructor approves, the trainee
gets a server, opens module 0 (00a, through the nbgitpuller link), runs it and sees a figure,
fetches the assignment and submits it; the instructor collects through the exchange, grades with
`smartseoul hub grade` (smartseoul grade), grades the written answer in the formgrader and sees
the total; a second trainee can read neither the first one's files nor the submissions; an
edited notebook and a submission survive a hub restart; a content upgrade keeps the trainee's
changes; roster import, password reset, backup and restore. Screenshots:
test-artifacts/hub/. Needs root (Unix accounts); the browser steps need Chromium."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import nbformat
import pytest

from smartseoul.browser import NO_CHROMIUM
from smartseoul.hub import manage
from smartseoul.testing import lab

from .conftest import course_assignment, fill_submission, nbgrader_meta, read_nb, written_answer_cells
from .test_lab_browser import (
    _accept_kernel_dialog,
    _code_cell_prompts,
    _open_from_nbgrader_menu,
    _wait_for_text,
)

REASON = lab.can_manage_accounts()
CHROMIUM = lab.find_chromium()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("hub"),
    pytest.mark.skipif(
        REASON is not None,
        reason=f"JupyterHub tests skipped: {REASON}. To run them: as root on a machine with useradd, "
        "userdel and runuser (CI does), e.g. `sudo make test`",
    ),
]
browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason=NO_CHROMIUM,
)

TRAINEE = "minji"
SECOND = "joon"
PASSWORD = "Seoul-data-2026!"
ASSIGNMENT = course_assignment().name
WRITTEN = "Open bike-station counts let residents and researchers check where the city adds stations."


@pytest.fixture(scope="module")
def hub():
    from smartseoul.testing.hub import running_hub

    with running_hub() as running:
        yield running
        log = manage.log_path(running.plan)
        if log.exists():
            out = artifacts()
            shutil.copy(log, out / "jupyterhub.log")


def artifacts() -> Path:
    from smartseoul import paths

    out = paths.course_root() / "test-artifacts" / "hub"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=lab.CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def new_page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(artifacts() / f"{name}.png"))


def login(page, hub, user: str, password: str, next_path: str = "") -> None:
    page.goto(f"{hub.url}/hub/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")


def wait_for_lab(page, timeout: float = 300) -> None:
    page.wait_for_selector("#jp-MainMenu", timeout=timeout * 1000)


# --------------------------------------------------------------------------- start-up


def test_the_hub_starts_from_the_project_files_and_says_what_it_cannot_enforce(hub):
    said = "\n".join(hub.messages)
    assert "NOT enforced" in said and "memory" in said, said
    assert "127.0.0.1" in said
    with open(manage.state_dir(hub.plan) / "proxy.pid") as handle:
        proxy_pid = int(handle.read())
    cmdline = Path(f"/proc/{proxy_pid}/cmdline").read_bytes().decode().split("\0")
    assert str(hub.plan.proxy_command) in " ".join(cmdline), cmdline
    services = {s["name"] for s in hub.api("GET", "services").values()}
    assert "idle-culler" in services, services
    culler = Path(manage.log_path(hub.plan)).read_text()
    assert f"--timeout={hub.plan.idle_timeout}" in culler or "idle-culler" in culler
    status = manage.status(hub.plan)
    assert status["running"] and status["version"].startswith(("5.", "6."))
    assert [u["name"] for u in status["users"] if u["admin"]] == [hub.instructor]


# --------------------------------------------------------------------------- the cohort in a browser


@browser
def test_a_cohort_through_the_hub_in_a_browser(hub, chromium):
    name = ASSIGNMENT
    trainee_unix = hub.plan.unix_name(TRAINEE)

    # The instructor logs in; their first server gets their course folder (formgrader on).
    teacher = new_page(chromium)
    login(teacher, hub, hub.instructor, hub.instructor_password)
    wait_for_lab(teacher)
    shot(teacher, "01-instructor-lab")
    course = manage.instructor_course(hub.plan)
    assert manage.grade(hub.plan, ["release", name]) == 0
    manage.nbgrader_as_instructor(hub.plan, ["release_assignment", name, "--force"])

    # A trainee signs up; the hub says an instructor must approve first.
    page = new_page(chromium)
    page.goto(f"{hub.url}/hub/signup")
    page.fill("#username_input", TRAINEE)
    page.fill("#password_input", PASSWORD)
    page.fill("#password_confirmation_input", PASSWORD)
    shot(page, "02-trainee-signs-up")
    page.click("#signup_submit")
    page.wait_for_load_state()
    shot(page, "03-signed-up-awaiting-approval")
    assert not hub.login_ok(TRAINEE, PASSWORD), "a sign-up must wait for an instructor's approval"

    # The instructor approves the sign-up.
    teacher.goto(f"{hub.url}/hub/authorize")
    row = teacher.locator("tr", has_text=TRAINEE)
    row.locator("a", has_text="Authorize").click()
    teacher.wait_for_load_state()
    teacher.goto(f"{hub.url}/hub/authorize")
    shot(teacher, "04-instructor-approved")
    assert "Unauthorize" in teacher.locator("tr", has_text=TRAINEE).inner_text()

    # The trainee logs in, follows the course link (nbgitpuller), gets 00a, runs it, sees a figure.
    login(page, hub, TRAINEE, PASSWORD)
    wait_for_lab(page)
    page.goto(hub.plan.course_link())
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=300_000)
    assert "00a-jupyter-and-python.ipynb" in page.url
    _accept_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    shot(page, "05-trainee-module0-opened")
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("#jp-mainmenu-run li[data-command='runmenu:run-all']").click()
    _accept_kernel_dialog(page, wait=1.0)
    deadline = time.monotonic() + 480
    prompts: list[str] = []
    while time.monotonic() < deadline:
        prompts = _code_cell_prompts(page)
        if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            break
        time.sleep(0.5)
    assert prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), f"not every cell ran: {prompts}"
    figure = page.locator(".jp-OutputArea-output img").first
    figure.wait_for(state="visible", timeout=60_000)
    figure.scroll_into_view_if_needed()
    box = figure.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, box
    shot(page, "06-trainee-module0-figure")
    home = hub.home(TRAINEE)
    assert (
        home / "smart-seoul-data-lab" / "modules" / "00-orientation" / "00a-jupyter-and-python.ipynb"
    ).exists()
    assert (home.stat().st_mode & 0o777) == 0o700 and home.owner() == trainee_unix

    # ... fetches the assignment from the Assignments panel, answers it, and submits it.
    page.goto(f"{hub.url}/user/{TRAINEE}/lab")
    wait_for_lab(page)
    _open_from_nbgrader_menu(page, "nbgrader:open-assignment-list")
    released = page.locator("#released_assignments_list")
    _wait_for_text(released, name, timeout=120)
    released.locator("button", has_text="Fetch").first.click()
    fetched_list = page.locator("#fetched_assignments_list")
    _wait_for_text(fetched_list, name, timeout=120)
    shot(page, "07-trainee-fetched")
    fetched = home / name / f"{name}.ipynb"
    assert fetched.exists()
    source_nb = read_nb(course / "exercises" / name / f"{name}.ipynb")
    nbformat.write(fill_submission(read_nb(fetched), source_nb, correct=True, written=WRITTEN), str(fetched))
    shutil.chown(fetched, trainee_unix, trainee_unix)
    fetched_list.locator("button", has_text="Submit").first.click()
    _wait_for_text(page.locator("#submitted_assignments_list"), name, timeout=120)
    shot(page, "08-trainee-submitted")
    inbound = Path(hub.plan.exchange_root) / hub.plan.course_id / "inbound"
    assert any(p.name.startswith(f"{trainee_unix}+{name}+") for p in inbound.iterdir())

    # The instructor collects through the exchange and grades with smartseoul grade.
    manage.nbgrader_as_instructor(hub.plan, ["collect", name])
    assert (course / "grading" / "submitted" / trainee_unix / name / f"{name}.ipynb").exists()
    assert manage.grade(hub.plan, ["autograde", name]) == 0
    assert manage.grade(hub.plan, ["status", name]) == 0

    # ... opens the submission in the formgrader, grades the written answer, sees the total.
    from nbgrader.api import Gradebook

    db_url = f"sqlite:///{course / 'grading' / 'gradebook.db'}"
    written = written_answer_cells(source_nb)[0]
    grade_id = nbgrader_meta(written)["grade_id"]
    max_points = float(nbgrader_meta(written)["points"])
    given = max(max_points - 1, 0.5) if max_points >= 1 else max_points
    with Gradebook(db_url) as gb:
        score_before = gb.find_submission(name, trainee_unix).score
    formgrader = f"{hub.url}/user/{hub.instructor}/formgrader"
    teacher.goto(f"{formgrader}/gradebook/{name}/{name}")
    teacher.wait_for_selector("td.name a", timeout=120_000)
    shot(teacher, "09-formgrader-submissions")
    teacher.locator("td.name a:visible").first.click()
    box_ = teacher.locator(f"input.score#{grade_id}")
    box_.wait_for(state="visible", timeout=120_000)
    teacher.wait_for_load_state("networkidle")  # the page fills the boxes from the gradebook first
    manual = None
    for _ in range(3):  # a busy machine may still be rendering the grades: type again, as a person would
        box_.fill(f"{given:g}")
        box_.press("Tab")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and manual is None:
            with Gradebook(db_url) as gb:
                manual = gb.find_grade(grade_id, name, name, trainee_unix).manual_score
            time.sleep(0.3)
        if manual is not None:
            break
    shot(teacher, "10-written-answer-graded")
    assert manual == pytest.approx(given)
    with Gradebook(db_url) as gb:
        score_after = gb.find_submission(name, trainee_unix).score
    assert score_after == pytest.approx(score_before + given)
    teacher.goto(f"{formgrader}/gradebook/{name}/{name}")
    teacher.wait_for_selector("td.score", timeout=60_000)
    total = teacher.locator("td.score").first.inner_text()
    shot(teacher, "11-total-in-gradebook")
    assert [float(x) for x in re.findall(r"[\d.]+", total)][:1] == pytest.approx([score_after]), total

    # A trainee never reaches the formgrader.
    response = page.goto(f"{hub.url}/user/{TRAINEE}/formgrader")
    assert response is not None and response.status == 404

    # A second trainee (from a roster) can read neither the first one's files nor the submissions.
    roster = hub.work / "roster.csv"
    roster.write_text(f"username,email\n{SECOND},{SECOND}@example.org\n")
    added = manage.add_users(hub.plan, roster, hub.work / "passwords.csv")
    other = new_page(chromium)
    login(other, hub, SECOND, added[0].password or "")
    wait_for_lab(other)
    response = other.goto(f"{hub.url}/user/{TRAINEE}/lab")
    assert response is not None and response.status == 403, response and response.status
    shot(other, "12-second-trainee-refused")
    second = hub.plan.unix_name(SECOND)
    python = [sys.executable]
    for target in (fetched, home):
        peek = manage.run_as(hub.plan, second, ["ls", "-l", str(target)], cwd=hub.work)
        assert peek.returncode != 0, f"{second} could read {target}:\n{peek.stdout}"
    peek = manage.run_as(hub.plan, second, ["ls", str(inbound)], cwd=hub.work)
    assert peek.returncode != 0, f"{second} could list the submissions:\n{peek.stdout}"
    peek = manage.run_as(
        hub.plan, second, [*python, "-c", f"open({str(course / 'exercises')!r})"], cwd=hub.work
    )
    assert peek.returncode != 0, "a trainee could reach the instructor's source notebooks"


# --------------------------------------------------------------------------- restart


def _contents(hub, user: str, path: str) -> dict:
    return hub.server_request(user, "GET", f"api/contents/{path}?content=1")


def test_work_survives_a_hub_restart(hub):
    """A trainee's edited notebook and a submitted assignment are still there after a restart."""
    user = "restart-ree"
    unix = hub.plan.unix_name(user)
    hub.api("POST", f"users/{user}")
    hub.start_server(user)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("answer = 42  # edited before the restart")]
    hub.server_request(
        user,
        "PUT",
        "api/contents/my-work.ipynb",
        {"type": "notebook", "content": json.loads(nbformat.writes(nb))},
    )
    # A submission through nbgrader, as the trainee, into the hub's exchange.
    assert manage.hub_pid(hub.plan)
    inbound = Path(hub.plan.exchange_root) / hub.plan.course_id / "inbound"
    before = sorted(p.name for p in inbound.iterdir()) if inbound.exists() else []
    hub.start_server(hub.instructor)  # their first start lays out their course folder
    released = Path(hub.plan.exchange_root) / hub.plan.course_id / "outbound" / ASSIGNMENT
    if not released.exists():
        manage.grade(hub.plan, ["release", ASSIGNMENT])
        manage.nbgrader_as_instructor(hub.plan, ["release_assignment", ASSIGNMENT, "--force"])
    env = {
        "SMARTSEOUL_COURSE_ID": hub.plan.course_id,
        "SMARTSEOUL_EXCHANGE_ROOT": hub.plan.exchange_root,
        "JUPYTER_CONFIG_PATH": str(lab.HUB_SHARED_JUPYTER_DIR),
    }
    from smartseoul.nbgrader_runner import nbgrader_command

    for args in (["fetch_assignment", ASSIGNMENT], ["submit", ASSIGNMENT]):
        done = manage.run_as(hub.plan, unix, nbgrader_command(args), cwd=hub.home(user), env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    mine = sorted(p.name for p in inbound.iterdir() if p.name.startswith(f"{unix}+"))
    assert mine and sorted(p.name for p in inbound.iterdir()) != before

    manage.stop(hub.plan, echo=hub.messages.append)
    assert manage.hub_pid(hub.plan) is None
    assert manage.stray_processes(hub.plan) == [], "the hub left processes of its accounts running"
    manage.start(hub.plan, echo=hub.messages.append)

    hub.start_server(user)
    saved = _contents(hub, user, "my-work.ipynb")
    assert "edited before the restart" in json.dumps(saved["content"])
    assert sorted(p.name for p in inbound.iterdir() if p.name.startswith(f"{unix}+")) == mine
    listed = manage.run_as(
        hub.plan, unix, nbgrader_command(["list", "--cached"]), cwd=hub.home(user), env=env
    )
    assert ASSIGNMENT in listed.stdout + listed.stderr, "the trainee no longer sees their submission"
    manage.nbgrader_as_instructor(hub.plan, ["collect", ASSIGNMENT, "--update"])
    collected = manage.instructor_course(hub.plan) / "grading" / "submitted" / unix / ASSIGNMENT
    assert (collected / f"{ASSIGNMENT}.ipynb").exists(), "the instructor cannot collect it after the restart"


# --------------------------------------------------------------------------- content upgrade


def test_a_content_upgrade_keeps_the_trainees_changes(hub, tmp_path):
    user = "upgrade-uri"
    hub.api("POST", f"users/{user}")
    hub.start_server(user)
    pull = "git-pull/api?" + hub.plan.course_link().split("?", 1)[1]

    def git_pull() -> str:
        out = hub.server_request(user, "GET", pull, timeout=300)
        text = out.decode() if isinstance(out, bytes) else json.dumps(out)
        assert '"phase": "finished"' in text or "finished" in text, text[-2000:]
        return text

    git_pull()
    folder = hub.home(user) / "smart-seoul-data-lab" / "modules" / "00-orientation"
    mine, theirs = folder / "00a-jupyter-and-python.ipynb", folder / "00b-cleaning-a-portal-file.ipynb"
    assert mine.exists() and theirs.exists()
    edited = mine.read_text().replace('"605.2 / 25"', '"605.2 / 25  # my own note"', 1)
    assert edited != mine.read_text()
    mine.write_text(edited)  # the trainee's change (the file stays theirs)

    # The instructor upgrades the course mid-cohort: 00a and 00b change, a notebook is added.
    modules = tmp_path / "modules"
    shutil.copytree(hub.plan.checkout / "modules", modules)
    upstream = modules / "00-orientation"
    for nb_path in (upstream / mine.name, upstream / theirs.name):
        nb = read_nb(nb_path)
        nb.cells.append(nbformat.v4.new_markdown_cell("Updated for this cohort."))
        nbformat.write(nb, str(nb_path))
    nbformat.write(nbformat.v4.new_notebook(), str(upstream / "00d-new-in-this-cohort.ipynb"))
    assert manage.publish_content(hub.plan, modules, message="mid-cohort update")

    git_pull()
    assert "# my own note" in mine.read_text(), "the upgrade overwrote the trainee's notebook"
    assert "Updated for this cohort." in theirs.read_text(), "an untouched notebook was not updated"
    assert (folder / "00d-new-in-this-cohort.ipynb").exists(), "the new notebook did not arrive"
    assert manage.publish_content(hub.plan, modules) is None, "publishing the same content again is a no-op"


# --------------------------------------------------------------------------- operations


def test_roster_password_reset_backup_and_restore(hub, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("username,email\nops-ana,ana@example.org\nOps-Ben,\n")
    out = tmp_path / "passwords.csv"
    added = manage.add_users(hub.plan, roster, out)
    assert [a.login for a in added] == ["ops-ana", "ops-ben"] and all(a.password for a in added)
    assert (out.stat().st_mode & 0o777) == 0o600
    rows = list(csv.DictReader(out.open()))
    assert hub.login_ok("ops-ana", rows[0]["password"])
    again = manage.add_users(hub.plan, roster, out)
    assert all(a.password is None for a in again), "a second import must not change passwords"

    new = manage.reset_password(hub.plan, "ops-ben")
    assert hub.login_ok("ops-ben", new) and not hub.login_ok("ops-ben", rows[1]["password"])
    with pytest.raises(manage.HubError):
        manage.reset_password(hub.plan, "nobody-here")

    # Back up, lose the gradebook and a submission, restore.
    course = (
        manage.instructor_course(hub.plan)
        if (hub.home(hub.instructor) / "smart-seoul-data-lab").exists()
        else None
    )
    archive = manage.backup(hub.plan, tmp_path)
    assert archive.exists()
    parts = manage.backup_parts(hub.plan)
    assert {"exchange", "hub-db"} <= set(parts)
    exchange = Path(hub.plan.exchange_root)
    marker = exchange / "restore-marker.txt"
    marker.write_text("written after the backup")
    if course is not None:
        gradebook = course / "grading" / "gradebook.db"
        with sqlite3.connect(gradebook) as con:
            grades_before = con.execute("SELECT COUNT(*) FROM grade").fetchone()[0]
            con.execute("DELETE FROM grade")
    with pytest.raises(manage.HubError):
        manage.restore(hub.plan, archive)  # refused while the hub runs
    manage.stop(hub.plan, echo=hub.messages.append)
    manage.restore(hub.plan, archive, echo=hub.messages.append)
    manage.start(hub.plan, echo=hub.messages.append)
    assert not marker.exists(), "the exchange was not restored"
    assert (exchange.stat().st_mode & 0o777) == 0o777
    if course is not None:
        with sqlite3.connect(gradebook) as con:
            assert con.execute("SELECT COUNT(*) FROM grade").fetchone()[0] == grades_before
        assert gradebook.owner() == hub.plan.unix_name(hub.instructor)
    assert hub.login_ok("ops-ben", new), "accounts came back with the hub's database"
