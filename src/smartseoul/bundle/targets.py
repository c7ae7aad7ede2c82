"""The machines a bundle carries wheels for: pip's platform tags and the environment markers of each.

pip's `--platform` only chooses wheel files; it still evaluates a package's environment markers
(`; sys_platform == "win32"`) on the machine that downloads. So each target also says what those
markers see on it, and `closure` works out the packages per target from that."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

#: the Python versions the course supports (pyproject.toml: requires-python >= 3.11), each with
#: the oldest patch release the pinned wheels accept (soupsieve 4.1 needs 3.11.5 or newer)
PYTHON_VERSIONS = {"3.11": "3.11.5", "3.12": "3.12.0"}


def _manylinux(arch: str) -> tuple[str, ...]:
    """Every manylinux tag from glibc 2.17 (CentOS 7 and newer) to 2.28 (Debian 10, Ubuntu 18.10 and
    newer): pip does not widen `manylinux_2_28` to the older tags by itself."""
    return tuple(f"manylinux_2_{minor}_{arch}" for minor in range(28, 16, -1)) + (f"manylinux2014_{arch}",)


@dataclass(frozen=True)
class Platform:
    """One operating system and processor, as pip and as environment markers see it."""

    name: str
    label: str
    pip_platforms: tuple[str, ...]
    os_name: str
    sys_platform: str
    platform_system: str
    platform_machine: str

    def markers(self, python_version: str) -> dict[str, str]:
        """The PEP 508 marker environment of CPython `python_version` on this platform."""
        return {
            "implementation_name": "cpython",
            "implementation_version": PYTHON_VERSIONS[python_version],
            "os_name": self.os_name,
            "platform_machine": self.platform_machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": self.platform_system,
            "platform_version": "",
            "python_full_version": PYTHON_VERSIONS[python_version],
            "python_version": python_version,
            "sys_platform": self.sys_platform,
            "extra": "",
        }


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            "linux-x86_64",
            "Linux, Intel or AMD 64-bit",
            _manylinux("x86_64"),
            "posix",
            "linux",
            "Linux",
            "x86_64",
        ),
        Platform(
            "linux-aarch64", "Linux, ARM 64-bit", _manylinux("aarch64"), "posix", "linux", "Linux", "aarch64"
        ),
        Platform(
            "windows-amd64", "Windows 10 or 11, 64-bit", ("win_amd64",), "nt", "win32", "Windows", "AMD64"
        ),
        # Every Apple silicon Mac runs macOS 14 (pyproj 3.7 has arm64 wheels for 14 only); many
        # Intel Macs stop at macOS 13. pip also takes wheels built for older macOS versions.
        Platform(
            "macos-arm64",
            "macOS 14 or newer, Apple silicon",
            ("macosx_14_0_arm64",),
            "posix",
            "darwin",
            "Darwin",
            "arm64",
        ),
        Platform(
            "macos-x86_64",
            "macOS 13 or newer, Intel",
            ("macosx_13_0_x86_64",),
            "posix",
            "darwin",
            "Darwin",
            "x86_64",
        ),
    )
}

#: what `smartseoul bundle` fetches unless told otherwise
DEFAULT_PLATFORMS = ("linux-x86_64", "windows-amd64", "macos-arm64", "macos-x86_64")


@dataclass(frozen=True)
class Target:
    """One platform and one Python version: one set of wheels."""

    platform: Platform
    python_version: str

    @property
    def name(self) -> str:
        return f"{self.platform.name}-py{self.python_version}"

    @property
    def oldest_python(self) -> str:
        return PYTHON_VERSIONS[self.python_version]

    def markers(self) -> dict[str, str]:
        return self.platform.markers(self.python_version)


class UnknownPlatform(ValueError):
    """A platform name that the bundle does not know; the message lists the known ones."""


def current_platform() -> Platform:
    """This machine's platform, so a quick bundle (and its test) can fetch only what runs here."""
    machine = platform.machine().lower()
    if sys.platform.startswith("linux"):
        name = "linux-aarch64" if machine in ("aarch64", "arm64") else "linux-x86_64"
    elif sys.platform == "win32":
        name = "windows-amd64"
    elif sys.platform == "darwin":
        name = "macos-arm64" if machine == "arm64" else "macos-x86_64"
    else:
        raise UnknownPlatform(f"the bundle has no wheels for {sys.platform} {machine}")
    return PLATFORMS[name]


def current_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def parse_targets(platforms: str, pythons: str) -> list[Target]:
    """Targets from the command line: 'all', 'current' or names such as 'linux-x86_64,windows-amd64',
    and Python versions such as '3.11,3.12' or 'current'."""
    if platforms == "current":
        chosen = [current_platform()]
    elif platforms in ("", "default"):
        chosen = [PLATFORMS[n] for n in DEFAULT_PLATFORMS]
    elif platforms == "all":
        chosen = list(PLATFORMS.values())
    else:
        chosen = []
        for name in (n.strip() for n in platforms.split(",") if n.strip()):
            if name not in PLATFORMS:
                raise UnknownPlatform(
                    f"unknown platform {name!r}: use 'current', 'default', 'all' or some of "
                    + ", ".join(PLATFORMS)
                )
            chosen.append(PLATFORMS[name])
    versions = (
        [current_python()] if pythons == "current" else [v.strip() for v in pythons.split(",") if v.strip()]
    )
    for version in versions:
        if version not in PYTHON_VERSIONS:
            raise UnknownPlatform(
                f"Python {version} is not supported by the course: use " + " or ".join(PYTHON_VERSIONS)
            )
    return [Target(p, v) for p in chosen for v in versions]
