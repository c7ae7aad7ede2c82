"""Run one notebook with the interpreter that runs this script (the bundle's .venv) and print a
JSON report: errors, figures, and where the kernel's Python and `smartseoul` came from.

The offline install test runs it inside a network namespace with no network; it needs only
nbformat and nbclient, which the bundle installs."""

import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

PROBE = "import sys, smartseoul\nprint(sys.prefix)\nprint(smartseoul.__file__)"


def main(path: Path) -> dict:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [f"{o['ename']}: {o['evalue']}" for o in outputs if o.get("output_type") == "error"]
    probe = "".join(
        o.get("text", "") for o in notebook.cells[-1].get("outputs", []) if o.get("name") == "stdout"
    )
    return {
        "code_cells": sum(c.cell_type == "code" for c in notebook.cells) - 1,
        "errors": errors,
        "figures": sum("image/png" in o.get("data", {}) for o in outputs),
        "kernel_prefix": probe.splitlines()[0] if probe else "",
        "smartseoul_file": probe.splitlines()[1] if probe.count("\n") >= 2 else "",
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
