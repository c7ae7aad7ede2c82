"""Run one Sphinx build of the book with Jupyter Book's configuration, in a child process.

`jupyter-book build` chooses its own output and doctree folders and takes no configuration
overrides, and a translated book needs both (``_build/html/<lang>/``, its own doctrees, the shared
execution cache, ``language``). This calls the function `jupyter-book build` itself calls,
``jupyter_book.sphinx.build_sphinx``, with the same configuration (``_config.yml`` and the
generated table of contents) plus the overrides. Run as
``python -m smartseoul.i18n.sphinx_run '<json>'`` so each build gets a fresh Sphinx (Sphinx and
docutils keep global state)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class SphinxJob:
    source: str  #: the course root
    output: str  #: Sphinx's outdir
    doctrees: str
    config: str  #: the _config.yml to read
    toc: str  #: the table of contents to build from
    builder: str = "html"
    overrides: dict = field(default_factory=dict)
    warnings_are_errors: bool = True


def command(job: SphinxJob) -> list[str]:
    return [sys.executable, "-m", "smartseoul.i18n.sphinx_run", json.dumps(asdict(job))]


def run(job: SphinxJob, cwd: Path, capture: bool = False) -> tuple[int, str]:
    """Run the build; (return code, its output when captured)."""
    if capture:
        proc = subprocess.run(
            command(job), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        return proc.returncode, proc.stdout
    proc = subprocess.run(command(job), cwd=cwd, text=True)
    return proc.returncode, ""


def main(argv: list[str] | None = None) -> int:
    from jupyter_book.sphinx import build_sphinx

    job = SphinxJob(**json.loads((argv or sys.argv[1:])[0]))
    overrides = {"external_toc_path": job.toc, "latex_individualpages": False, **job.overrides}
    result = build_sphinx(
        job.source,
        job.output,
        noconfig=True,
        path_config=job.config,
        confoverrides=overrides,
        doctreedir=job.doctrees,
        builder=job.builder,
        warningiserror=job.warnings_are_errors,
    )
    return result if isinstance(result, int) else 1


if __name__ == "__main__":
    raise SystemExit(main())
