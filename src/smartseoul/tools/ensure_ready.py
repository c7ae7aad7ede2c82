"""Before `make test`, `make book` or `make lab`: create what a fresh clone lacks.

Only what is *absent* is generated; existing files are never overwritten here."""

from __future__ import annotations

from .. import paths


def main() -> None:
    pkg = paths.datasets_dir() / "datapackage.json"
    if not pkg.exists():
        from ..data.build import generate

        print(">> datasets/ is empty: generating the course datasets (deterministic)")
        generate(paths.datasets_dir())


if __name__ == "__main__":
    main()
