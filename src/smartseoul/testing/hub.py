"""For tests only: the course's JupyterHub (`smartseoul hub`) started in throw-away folders with
throw-away Unix accounts, and stopped and removed afterwards, whatever happened."""

from __future__ import annotations

import http.cookiejar
import json
import os
import secrets
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..hub import config as hubconfig
from ..hub import manage
from .lab import free_port, shared_tempdir

HUB_VARIABLES = (
    "SMARTSEOUL_HUB_DIR",
    "SMARTSEOUL_HUB_HOMES",
    "SMARTSEOUL_HUB_UNIX_PREFIX",
    "SMARTSEOUL_HUB_PORT",
    "SMARTSEOUL_EXCHANGE_ROOT",
    "SMARTSEOUL_HUB_INSTRUCTORS",
)


@dataclass
class TestHub:
    plan: hubconfig.HubPlan
    work: Path
    instructor: str
    instructor_password: str
    messages: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.plan.url

    def api(self, method: str, path: str, body=None, timeout: float = 60):
        return manage.api(self.plan, method, path, body, timeout)

    def server_request(self, user: str, method: str, path: str, body=None, timeout: float = 60):
        """Call a user's Jupyter server through the hub's proxy (the cli service may access servers)."""
        request = urllib.request.Request(
            f"{self.url}/user/{user}/{path.lstrip('/')}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"token {manage.token(self.plan)}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
        return json.loads(raw) if raw and response.headers.get_content_type() == "application/json" else raw

    def start_server(self, user: str, timeout: float = 300) -> None:
        import time

        try:
            self.api("POST", f"users/{user}/server")
        except urllib.error.HTTPError as err:
            if err.code != 400:  # 400: already running
                raise
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.api("GET", f"users/{user}")["servers"].get("")
            if server and server.get("ready"):
                return
            time.sleep(1)
        raise TimeoutError(f"{user}'s server did not start within {timeout:.0f} s")

    def home(self, user: str) -> Path:
        return self.plan.home(user)

    def login_ok(self, user: str, password: str) -> bool:
        """POST the login form as a browser does; True when the hub lets the user in."""
        jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        opener.open(f"{self.url}/hub/login", timeout=30).read()
        xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
        data = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": xsrf}).encode()
        try:
            response = opener.open(f"{self.url}/hub/login?next=", data=data, timeout=30)
            return False if response.status == 200 else response.status in (302, 303)
        except urllib.error.HTTPError as err:
            return err.code in (302, 303)


def remove_accounts(prefix: str) -> list[str]:
    """Delete every Unix account (and group) whose name starts with `prefix`."""
    removed = []
    with open("/etc/passwd", encoding="utf-8") as handle:
        names = [line.split(":", 1)[0] for line in handle]
    for name in names:
        if name.startswith(prefix):
            subprocess.run(["userdel", "--remove", "--force", name], capture_output=True, check=False)
            subprocess.run(["groupdel", name], capture_output=True, check=False)
            removed.append(name)
    return removed


@contextmanager
def running_hub(instructor: str = "teacher") -> Iterator[TestHub]:
    """A hub of this checkout in a temporary folder under /srv (or $SMARTSEOUL_LAB_TMP), its own
    exchange, homes and port, accounts named ssdlt<tag>-<login>. Everything goes afterwards."""
    work = shared_tempdir("smartseoul-hub-test-")
    prefix = f"ssdlt{secrets.token_hex(2)}-"
    env = {
        "SMARTSEOUL_HUB_DIR": str(work / "hub"),
        "SMARTSEOUL_HUB_HOMES": str(work / "homes"),
        "SMARTSEOUL_HUB_UNIX_PREFIX": prefix,
        "SMARTSEOUL_HUB_PORT": str(free_port()),
        "SMARTSEOUL_EXCHANGE_ROOT": str(work / "exchange"),
        "SMARTSEOUL_HUB_INSTRUCTORS": instructor,
    }
    saved = {k: os.environ.get(k) for k in HUB_VARIABLES}
    os.environ.update(env)
    plan = hubconfig.plan()
    messages: list[str] = []
    try:
        first = manage.start(plan, echo=messages.append)
        yield TestHub(plan, work, instructor, first[instructor], messages)
    finally:
        try:
            manage.stop(plan, echo=messages.append)
        finally:
            remove_accounts(prefix)
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            if os.environ.get("SMARTSEOUL_KEEP_LAB_TMP") != "1":
                shutil.rmtree(work, ignore_errors=True)
