"""Korean labels render with the course style on a machine without system fonts."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from smartseoul import plots

LABELS = ["종로구", "강남구", "송파구", "홍대입구역 1번출구"]


def _render_with_warnings() -> list[str]:
    fig, ax = plt.subplots()
    ax.bar(LABELS, [1, 3, 2, 4])
    ax.set_title("자치구별 따릉이 대여 (rentals by district)")
    ax.set_ylabel("대여 건수 −1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    return [
        str(w.message)
        for w in caught
        if "glyph" in str(w.message).lower() or "missing from font" in str(w.message).lower()
    ]


def test_hangul_renders_without_missing_glyph_warnings():
    plots.use_style()
    assert plots.hangul_font_path() is not None
    assert _render_with_warnings() == []


def test_without_the_style_glyphs_go_missing():
    """The control: the check above can fail (DejaVu Sans has no Hangul)."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        missing = _render_with_warnings()
    assert missing, "expected missing-glyph warnings without the Hangul font"


def test_style_sets_a_colour_blind_safe_cycle():
    plots.use_style()
    colours = [c["color"].upper() for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert colours[:3] == [c.upper() for c in plots.OKABE_ITO[:3]]
    assert matplotlib.rcParams["image.cmap"] == plots.SEQUENTIAL
