"""Read datasets/ through its datapackage.json: find, check, load and describe resources."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import paths
from .build import file_sha256
from .schema import Schema

REGENERATE = "smartseoul data generate --only {dataset}"


class DatasetError(Exception):
    """A problem with a dataset, with a message that says what to do next."""


class UnknownDataset(DatasetError, KeyError):
    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


class MissingDataset(DatasetError, FileNotFoundError):
    pass


class ChecksumMismatch(DatasetError):
    pass


def package_path(root: Path | None = None) -> Path:
    return (root or paths.datasets_dir()) / "datapackage.json"


@lru_cache(maxsize=4)
def _read_package(path: str, mtime: float) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def package(root: Path | None = None) -> dict[str, Any]:
    p = package_path(root)
    if not p.exists():
        raise MissingDataset(
            f"No dataset catalogue at {p}. Generate the datasets with: smartseoul data generate "
            f"(or 'make data'), or set SMARTSEOUL_HOME to the course folder."
        )
    return _read_package(str(p), p.stat().st_mtime)


def resources(root: Path | None = None) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in package(root)["resources"]}


def resource(name: str, root: Path | None = None) -> dict[str, Any]:
    res = resources(root)
    if name in res:
        return res[name]
    close = difflib.get_close_matches(name, list(res), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownDataset(
        f"There is no dataset called {name!r}.{hint} Available: {', '.join(sorted(res))}. "
        f"See smartseoul.data.catalog() for what each one holds."
    )


_verified: dict[tuple[str, float, int], bool] = {}


def path(name: str, root: Path | None = None, verify: bool = True) -> Path:
    """The file behind a resource, after checking it exists and matches its checksum."""
    r = resource(name, root)
    base = root or paths.datasets_dir()
    p = base / r["path"]
    fix = REGENERATE.format(dataset=r["dataset"])
    if not p.exists():
        raise MissingDataset(f"The file for {name!r} is missing ({p}). Regenerate it with: {fix}")
    if verify:
        st = p.stat()
        key = (str(p), st.st_mtime, st.st_size)
        if key not in _verified:
            expected = r.get("hash", "").removeprefix("sha256:")
            if expected and file_sha256(p) != expected:
                raise ChecksumMismatch(
                    f"The file for {name!r} ({p}) has been changed since it was generated (its "
                    f"checksum no longer matches datapackage.json). If you edited it on purpose, "
                    f"save your copy elsewhere; to restore the original run: {fix} --force"
                )
            _verified[key] = True
    return p


def schema(name: str, root: Path | None = None) -> Schema | None:
    r = resource(name, root)
    return Schema.from_frictionless(r["schema"]) if "schema" in r else None
