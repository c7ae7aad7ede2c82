"""Wheels for each target from the package registry, with `pip download --only-binary=:all:`.

Each target has its own folder in a cache that later bundles reuse: pip first looks there with
`--no-index`, and goes to the registry only for what is missing. A package that has no wheel for
a target is recorded as missing for that target and the rest is still fetched: the bundle's
README lists it, so nobody finds out at a training site."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import parse_wheel_filename
from packaging.version import Version

from .closure import Closure
from .targets import Target

_SAVED = re.compile(r"^\s*(?:Saved|File was already downloaded) (.+\.whl)\s*$", re.M)
_NO_NETWORK = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|ProxyError"
)
_NO_WHEEL = re.compile(r"No matching distribution found for ([A-Za-z0-9_.\-]+)")


BUILT_FROM_SOURCE = "built-from-source"


class WheelhouseError(RuntimeError):
    """pip failed for a reason other than a missing wheel; the message holds pip's own words."""


@dataclass
class Fetched:
    """The wheels of one target, and the packages that have no wheel for it."""

    target: Target
    wheels: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0
    from_registry: bool = False


def pip_download_command(target: Target, dest: Path, *, offline: bool) -> list[str]:
    command = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--dest", str(dest)]
    command += ["--python-version", target.oldest_python, "--implementation", "cp"]
    for tag in target.platform.pip_platforms:
        command += ["--platform", tag]
    # wheels built here from source (pure Python) are found like registry ones
    command += ["--find-links", str(dest.parent / BUILT_FROM_SOURCE)]
    if offline:
        command += ["--no-index", "--find-links", str(dest)]
    return command + ["--disable-pip-version-check", "--progress-bar", "off"]


def dest_of(command: list[str]) -> Path:
    return Path(command[command.index("--dest") + 1])


class _NotCached(Exception):
    """The cache lacks a wheel: go to the registry."""


def download_dropping_missing(
    base: list[str], requirements: list[str], extra: list[str], missing: list[str], *, offline: bool
) -> list[Path]:
    """Run pip until it succeeds, dropping each requirement that has no wheel (into `missing`)."""
    pending = list(requirements)
    while pending:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
            handle.write("\n".join(pending) + "\n")
        try:
            run = subprocess.run(
                base + extra + ["-r", handle.name], capture_output=True, text=True, check=False
            )
        finally:
            Path(handle.name).unlink()
        output = run.stdout + run.stderr
        if run.returncode == 0:
            return [(dest_of(base) / Path(p).name) for p in _SAVED.findall(output)]
        found = _NO_WHEEL.search(output)
        if offline:
            raise _NotCached(output)
        if _NO_NETWORK.search(output):
            raise WheelhouseError(
                "pip cannot reach the package registry, and the wheel cache lacks some wheels: "
                "connect this machine to the internet and make the bundle again"
            )
        if not found:
            tail = "\n".join(output.strip().splitlines()[-15:])
            raise WheelhouseError(f"pip download failed:\n{tail}")
        name = found.group(1).lower().replace("_", "-")
        kept = [
            r for r in pending if re.split(r"[=<>!\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") != name
        ]
        if len(kept) == len(pending):
            # a dependency of an unpinned package has no wheel: record it and give up on that group
            missing.append(name)
            missing.extend(pending)
            return []
        missing.append(name)
        pending = kept
    return []


def _pure_wheels(dest: Path, name: str, version: str) -> list[Path]:
    found = []
    for path in dest.glob("*.whl"):
        wheel_name, wheel_version, _build, tags = parse_wheel_filename(path.name)
        pure = all(t.abi == "none" and t.platform == "any" and t.interpreter.startswith("py") for t in tags)
        if wheel_name == name and wheel_version == Version(version) and pure:
            found.append(path)
    return found


def build_pure_wheel(closure: Closure, name: str, dest: Path) -> Path | None:
    """A pinned package published only as source: build its wheel here, and keep it if it is pure
    Python (`py3-none-any`), since that one wheel then installs on every target."""
    if name not in closure.pinned:
        return None
    version = closure.pinned[name]
    dest.mkdir(parents=True, exist_ok=True)
    if not _pure_wheels(dest, name, version):
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-binary", name, "-w", str(dest)]
        subprocess.run(command + [f"{name}=={version}"], capture_output=True, text=True, check=False)
    found = _pure_wheels(dest, name, version)
    return found[0] if found else None


def fetch(
    closure: Closure, cache: Path, constraints: Path, *, echo: Callable[[str], None] = print
) -> Fetched:
    """Every wheel of one target, from the cache if it has them all, else from the registry."""
    target = closure.target
    dest = cache / target.name
    dest.mkdir(parents=True, exist_ok=True)
    (cache / BUILT_FROM_SOURCE).mkdir(exist_ok=True)
    started = time.perf_counter()
    result = Fetched(target)
    pinned = closure.requirement_lines()
    unpinned = sorted(closure.unpinned)
    for offline in (True, False):
        base = pip_download_command(target, dest, offline=offline)
        missing: list[str] = []
        try:
            wheels = download_dropping_missing(base, pinned, ["--no-deps"], missing, offline=offline)
            # packages only this target needs: with their dependencies, the pins holding for the rest
            wheels += download_dropping_missing(
                base, unpinned, ["-c", str(constraints)], missing, offline=offline
            )
        except _NotCached:
            continue
        built = [build_pure_wheel(closure, name, cache / BUILT_FROM_SOURCE) for name in missing]
        wheels += [w for w in built if w is not None]
        missing = [n for n, w in zip(missing, built) if w is None]
        result.wheels, result.missing, result.from_registry = (
            sorted(set(wheels)),
            sorted(set(missing)),
            not offline,
        )
        break
    result.seconds = time.perf_counter() - started
    source = "registry" if result.from_registry else "cache"
    note = f", no wheel for: {', '.join(result.missing)}" if result.missing else ""
    echo(f"{target.name}: {len(result.wheels)} wheels ({source}, {result.seconds:.0f} s){note}")
    return result
