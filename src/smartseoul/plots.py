"""One shared plotting style: Hangul (and the scripts of the participating cities) that renders
on any machine, colour-blind-safe colours, sizes that stay readable on a projector. Notebooks
call ``use_style()`` once.

Fonts come from the package registry, never from the operating system: NanumGothic (Hangul and
Cyrillic) from koreanize-matplotlib, DejaVu Sans (Latin, Cyrillic, Arabic) from matplotlib
itself, and Noto Sans Thai from fontpkg-noto-sans-thai. Matplotlib uses the first font in the
list that has a glyph, and since version 3.11 it shapes text with libraqm, so Arabic is joined
and laid out right to left and Thai marks sit on their letters without any extra step. (Do not
pass Arabic through arabic-reshaper or python-bidi first: matplotlib would then reverse the
already reversed text.)"""

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
THAI_FONT = "Noto Sans Thai"
#: the fallback chain after the Hangul font: Latin, Cyrillic and Arabic, then Thai
FALLBACK_FONTS = ["DejaVu Sans", THAI_FONT]


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


def thai_font_path() -> Path | None:
    """The Noto Sans Thai file shipped by the fontpkg-noto-sans-thai package (installed from PyPI)."""
    try:
        import fontpkg

        return Path(fontpkg.path(THAI_FONT))
    except Exception:  # not installed, or a fontpkg without this family: Thai falls back to boxes
        return None


def register_thai_font() -> str | None:
    """Make Noto Sans Thai known to matplotlib; returns its family name, or None if unavailable."""
    if THAI_FONT in {f.name for f in font_manager.fontManager.ttflist}:
        return THAI_FONT
    path = thai_font_path()
    if path is None or not path.exists():
        return None
    font_manager.fontManager.addfont(str(path))
    return THAI_FONT


def font_family() -> list[str]:
    """The font list of the course style: Hangul first, then the fallbacks for other scripts."""
    family = register_hangul_font()
    thai = register_thai_font()
    return [family or "sans-serif", *(f for f in FALLBACK_FONTS if f != THAI_FONT or thai)]


def use_style(context: str = "notebook") -> None:
    """Apply the course style. ``context="slides"`` makes everything larger for live sessions."""
    scale = 1.3 if context == "slides" else 1.0
    mpl.rcParams.update(
        {
            "font.family": font_family(),
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
