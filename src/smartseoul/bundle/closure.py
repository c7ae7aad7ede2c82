"""Which packages the course needs on one target, at the versions constraints.txt pins.

The course's own requirements (pyproject.toml) are followed through the metadata of the packages
installed here, with each environment marker evaluated for the target, not for this machine: a
Windows bundle needs `pywin32` and `colorama`, a Linux one does not. A package that only the
target needs is not installed here, so it has no pin: it is fetched with its dependencies, and
the pins hold for everything else."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from .targets import Target


class ClosureError(RuntimeError):
    """The pins and this environment disagree; the message says what to run."""


def read_pins(constraints: Path) -> dict[str, str]:
    """name -> exact version, from a constraints file of `name==version` lines."""
    pins: dict[str, str] = {}
    for line in constraints.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        versions = [s.version for s in requirement.specifier if s.operator == "=="]
        if versions:
            pins[canonicalize_name(requirement.name)] = versions[0]
    return pins


def course_requirements(pyproject: Path) -> list[str]:
    """The runtime requirements of the course package (not the test or dev tools)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"])


@dataclass
class Closure:
    """The packages of one target: pinned ones (`name==version`) and the ones only it needs."""

    target: Target
    pinned: dict[str, str] = field(default_factory=dict)
    unpinned: set[str] = field(default_factory=set)

    def requirement_lines(self) -> list[str]:
        return [f"{n}=={v}" for n, v in sorted(self.pinned.items())]


def _applies(requirement: Requirement, environment: dict[str, str], extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({**environment, "extra": extra}) for extra in extras | {""})


def closure(target: Target, requirements: list[str], pins: dict[str, str]) -> Closure:
    """Follow `requirements` through the installed metadata, with the target's markers."""
    environment = target.markers()
    result = Closure(target)
    done: set[tuple[str, str]] = set()  # (package, extra) already followed
    queue: list[tuple[Requirement, set[str]]] = [(Requirement(r), set()) for r in requirements]
    while queue:
        requirement, parent_extras = queue.pop()
        if not _applies(requirement, environment, parent_extras):
            continue
        name = canonicalize_name(requirement.name)
        wanted = {""} | set(requirement.extras)
        if all((name, e) in done for e in wanted):
            continue
        if name not in pins:
            result.unpinned.add(name)
            done.update((name, e) for e in wanted)
            continue
        result.pinned[name] = pins[name]
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise ClosureError(
                f"{name}=={pins[name]} is pinned in constraints.txt but not installed here: "
                "run `make venv`, then make the bundle again"
            ) from None
        if canonicalize_name(dist.metadata["Name"]) != name or Version(dist.version) != Version(pins[name]):
            raise ClosureError(
                f"{name} {dist.version} is installed but constraints.txt pins {pins[name]}: "
                "run `make venv`, then make the bundle again"
            )
        new_extras = {e for e in wanted if (name, e) not in done}
        done.update((name, e) for e in new_extras)
        for line in dist.requires or []:
            queue.append((Requirement(line), {e for e in new_extras if e}))
    return result
