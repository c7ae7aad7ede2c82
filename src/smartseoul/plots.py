"""One shared plotting style: Hangul that renders on any machine, colour-blind-safe colours,
sizes that stay readable on a projector. Notebooks call ``use_style()`` once."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
from cycler import cycler
from matplotlib import font_manager

#: Okabe & Ito (2008) palette, safe for the common forms of colour blindness.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]
#: Colour maps for maps and heat maps: perceptually uniform and colour-blind safe.
SEQUENTIAL = "cividis"
DIVERGING = "PuOr"
HANGUL_FONT = "NanumGothic"


def hangul_font_path() -> Path | None:
    """The NanumGothic file shipped by the koreanize-matplotlib package (installed from PyPI)."""
    try:
        import koreanize_matplotlib
    except ImportError:
        return None
    path = Path(koreanize_matplotlib.__file__).parent / "fonts" / "NanumGothic.ttf"
    return path if path.exists() else None


def register_hangul_font() -> str | None:
    """Make NanumGothic known to matplotlib; returns its family name, or None if unavailable."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    if HANGUL_FONT in names:
        return HANGUL_FONT
    path = hangul_font_path()
    if path is None:
        return None
    for ttf in sorted(path.parent.glob("NanumGothic*.ttf")):
        font_manager.fontManager.addfont(str(ttf))
    return HANGUL_FONT


def use_style(context: str = "notebook") -> None:
    """Apply the course style. ``context="slides"`` makes everything larger for live sessions."""
    family = register_hangul_font()
    scale = 1.3 if context == "slides" else 1.0
    mpl.rcParams.update(
        {
            "font.family": [family or "sans-serif", "DejaVu Sans"],
            "axes.unicode_minus": False,  # NanumGothic has no U+2212 minus sign
            "axes.prop_cycle": cycler(color=OKABE_ITO),
            "image.cmap": SEQUENTIAL,
            "figure.figsize": (8.0, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "font.size": 11 * scale,
            "axes.titlesize": 13 * scale,
            "axes.labelsize": 11 * scale,
            "xtick.labelsize": 10 * scale,
            "ytick.labelsize": 10 * scale,
            "legend.fontsize": 10 * scale,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.constrained_layout.use": True,
        }
    )
