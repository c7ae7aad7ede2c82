"""`smartseoul doctor`: is this machine ready for the course? Each problem comes with its fix."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import paths
from .findings import Finding
from .i18n.messages import N_, _

KEY_PACKAGES = [
    "jupyterlab",
    "jupyterlab-myst",  # without it the notebooks' Try-it boxes and footnotes show as raw text
    "nbgrader",
    "jupyter-book",
    "pandas",
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "matplotlib",
    "pyarrow",
    "duckdb",
    "koreanize-matplotlib",
]


@dataclass(frozen=True)
class Status:
    """One line of the doctor's report: what was looked at, what was found, and the problem if any."""

    name: str
    detail: str
    problem: Finding | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def fix(self) -> str:
        return self.problem.fix if self.problem else ""


def _status(name: str, ok: bool, detail: str, fix: str = "") -> Status:
    code = name.split()[0].lower()
    return Status(name, detail, None if ok else Finding(code, name, detail, fix))


def python_status() -> Status:
    v = sys.version_info
    ok = v >= (3, 11)
    return _status(
        "Python",
        ok,
        _("{version} at {executable}").format(
            version=f"{v.major}.{v.minor}.{v.micro}", executable=sys.executable
        ),
        "" if ok else _("Install Python 3.11 or newer, then run 'make venv'."),
    )


def _pins(root: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    f = root / "constraints.txt"
    if f.exists():
        for line in f.read_text().splitlines():
            if "==" in line and not line.startswith("#"):
                name, ver = line.split("==", 1)
                pins[name.strip().lower().replace("_", "-")] = ver.strip()
    return pins


def package_statuses(root: Path) -> list[Status]:
    pins = _pins(root)
    out = []
    for pkg in KEY_PACKAGES:
        try:
            have = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out.append(
                _status(
                    f"package {pkg}",
                    False,
                    _("not installed"),
                    _("Run 'make venv' (or: pip install -c constraints.txt -e .)."),
                )
            )
            continue
        want = pins.get(pkg)
        ok = want is None or want == have
        out.append(
            _status(
                f"package {pkg}",
                ok,
                f"{have}" + ("" if ok else _(" (the lock says {want})").format(want=want)),
                "" if ok else _("Run 'make venv' to install the pinned versions from constraints.txt."),
            )
        )
    return out


def kernel_status() -> Status:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("python3")
    except Exception as exc:
        return _status(
            "Jupyter kernel",
            False,
            _("no 'python3' kernel ({error})").format(error=exc),
            _("Run: python -m ipykernel install --sys-prefix"),
        )
    exe = spec.argv[0]
    if exe in ("python", "python3", "{python}"):
        exe = sys.executable
    probe = subprocess.run(
        [exe, "-c", "import smartseoul, pandas, geopandas"], capture_output=True, text=True
    )
    ok = probe.returncode == 0
    return _status(
        "Jupyter kernel",
        ok,
        f"python3 -> {exe}",
        ""
        if ok
        else _(
            "The notebook kernel cannot import smartseoul: run 'make venv' and "
            "choose the .venv kernel, or: python -m ipykernel install --sys-prefix"
        ),
    )


def dataset_statuses(root: Path) -> list[Status]:
    from .data.build import file_sha256
    from .data.store import REGENERATE

    pkg_file = root / "datasets" / "datapackage.json"
    if not pkg_file.exists():
        return [
            _status(
                "datasets",
                False,
                _("{path} not found").format(path=pkg_file),
                _("Generate the datasets: smartseoul data generate (or 'make data')."),
            )
        ]
    pkg = json.loads(pkg_file.read_text(encoding="utf-8"))
    out = []
    bad = 0
    for r in pkg["resources"]:
        p = root / "datasets" / r["path"]
        fix = REGENERATE.format(dataset=r["dataset"])
        if not p.exists():
            out.append(
                _status(
                    f"dataset {r['name']}",
                    False,
                    _("missing: {path}").format(path=p),
                    _("Regenerate it: {command}").format(command=fix),
                )
            )
            bad += 1
        elif file_sha256(p) != r.get("hash", "").removeprefix("sha256:"):
            out.append(
                _status(
                    f"dataset {r['name']}",
                    False,
                    _("altered: {path} does not match its sha256").format(path=p),
                    _("Keep a copy if you changed it on purpose, then restore it: {command} --force").format(
                        command=fix
                    ),
                )
            )
            bad += 1
    if not bad:
        out.append(
            _status(
                "datasets",
                True,
                _("{count} files present, checksums match").format(count=len(pkg["resources"])),
            )
        )
    return out


def font_status() -> Status:
    import warnings

    from matplotlib import font_manager

    from .plots import register_hangul_font

    family = register_hangul_font()
    if family is None:
        return _status(
            "Hangul font",
            False,
            _("no Hangul-capable font for matplotlib"),
            _("Install koreanize-matplotlib: pip install -c constraints.txt koreanize-matplotlib"),
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    return _status("Hangul font", True, f"{family} ({Path(found).name})")


def script_fonts_status() -> Status:
    """Your city's names in figures: Cyrillic and Arabic (DejaVu Sans, with matplotlib) and Thai
    (Noto Sans Thai, from fontpkg-noto-sans-thai). A missing font draws empty boxes."""
    from matplotlib import font_manager

    from .plots import FALLBACK_FONTS, register_thai_font

    register_thai_font()
    known = {f.name for f in font_manager.fontManager.ttflist}
    missing = [name for name in FALLBACK_FONTS if name not in known]
    if missing:
        return _status(
            "Cyrillic, Arabic and Thai fonts",
            False,
            _("matplotlib has no {fonts}").format(fonts=", ".join(missing)),
            _("Install the course environment again: make venv (it installs fontpkg-noto-sans-thai)"),
        )
    return _status("Cyrillic, Arabic and Thai fonts", True, ", ".join(FALLBACK_FONTS))


#: The names of the checks, shown translated by `smartseoul doctor` (a Status keeps its English
#: name, from which its finding's code is made).
CHECK_NAMES = (
    N_("Python"),
    N_("Jupyter kernel"),
    N_("datasets"),
    N_("Hangul font"),
    N_("Cyrillic, Arabic and Thai fonts"),
)


def diagnose(root: Path | None = None) -> list[Status]:
    root = root or paths.course_root()
    checks = [
        python_status(),
        *package_statuses(root),
        kernel_status(),
        *dataset_statuses(root),
        font_status(),
        script_fonts_status(),
    ]
    return checks
