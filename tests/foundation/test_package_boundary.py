"""The runtime package never imports the test-only code in `smartseoul.testing`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "smartseoul"
TEST_ONLY = "smartseoul.testing"


def module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, package_dir: Path) -> set[str]:
    """Every module a file imports, with relative imports resolved against its package."""
    here = module_name(path, package_dir)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def boundary_breaks(package_dir: Path) -> list[str]:
    """Runtime modules (everything outside testing/) that import a test-only module."""
    breaks = []
    for path in sorted(package_dir.rglob("*.py")):
        if module_name(path, package_dir).startswith(TEST_ONLY):
            continue
        bad = sorted(
            m for m in imported_modules(path, package_dir) if m == TEST_ONLY or m.startswith(TEST_ONLY + ".")
        )
        if bad:
            breaks.append(f"{path.relative_to(package_dir.parent)} imports {', '.join(bad)}")
    return breaks


def test_no_runtime_module_imports_test_only_code():
    assert boundary_breaks(PACKAGE) == []


def test_a_planted_import_of_test_only_code_is_found(tmp_path):
    pkg = tmp_path / "smartseoul"
    (pkg / "testing").mkdir(parents=True)
    (pkg / "grading").mkdir()
    for f in ("__init__.py", "testing/__init__.py", "testing/lab.py", "grading/__init__.py", "clean.py"):
        (pkg / f).write_text("import json\n")
    (pkg / "grading" / "report.py").write_text("from ..testing import lab\n")
    (pkg / "cli.py").write_text("import smartseoul.testing.notebooks\n")
    assert boundary_breaks(pkg) == [
        "smartseoul/cli.py imports smartseoul.testing.notebooks",
        "smartseoul/grading/report.py imports smartseoul.testing, smartseoul.testing.lab",
    ]


def test_the_command_line_loads_without_test_only_code():
    code = "import sys, smartseoul.cli; print(sorted(m for m in sys.modules if m.startswith('smartseoul.testing')))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_the_old_test_only_modules_are_gone_from_the_runtime_package():
    for old in ("notebooks.py", "grading/synthetic.py", "tools"):
        assert not (PACKAGE / old).exists(), f"src/smartseoul/{old} belongs in smartseoul.testing"
