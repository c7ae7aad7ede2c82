"""Run a command with the network switched off: a new network namespace (`unshare -rn`) that has
only its own loopback interface, so Jupyter's kernel can still talk to nbclient on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

import pytest

#: tried inside the namespace: it must fail, or the test would prove nothing
REACH_REGISTRY = "import socket; socket.create_connection(('pypi.org', 443), timeout=5); print('ONLINE')"


def offline(command: Sequence[str]) -> list[str]:
    """`command`, wrapped to run without a network."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        pytest.skip("needs unshare (util-linux) and ip (iproute2) to switch the network off")
    return [
        "unshare",
        "--map-root-user",
        "--net",
        "sh",
        "-c",
        'ip link set lo up && exec "$@"',
        "offline",
        *command,
    ]


def run_offline(command: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(offline(command), capture_output=True, text=True, check=False, **kwargs)
