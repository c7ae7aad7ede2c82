"""District names in the scripts of the participating cities render in the course's figures:
no missing glyphs, and Arabic joined and laid out right to left (issue 18, item 4)."""

from __future__ import annotations

import io
import unicodedata
import warnings
from functools import cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from fontTools.ttLib import TTFont
from matplotlib import _text_helpers, font_manager
from matplotlib.ft2font import FT2Font

from smartseoul import plots

NAMES = {
    "Cyrillic": ["Алмалинский", "Бостандыкский", "Медеуский", "Ленинский"],  # Almaty, Bishkek
    "Arabic": ["الخالدية", "المشرف", "مدينة زايد", "بني ياس"],  # Abu Dhabi
    "Thai": ["พระนคร", "ป้อมปราบศัตรูพ่าย", "บางกะปิ", "ปทุมวัน"],  # Bangkok
}


def missing_glyphs(labels: list[str], title: str) -> list[str]:
    """The missing-glyph warnings of one bar chart with these labels, saved as a PNG."""
    fig, ax = plt.subplots()
    ax.barh(labels, range(1, len(labels) + 1))
    ax.set_title(title)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message).lower()]


def drawn(text: str) -> list[tuple[str, str]]:
    """(character, code point of the glyph drawn for it) in the order the glyphs are drawn, left
    to right: the layout matplotlib's renderers use, with the course style's font list."""
    prop = font_manager.FontProperties()
    paths = font_manager.fontManager._find_fonts_by_props(prop)
    font = font_manager.get_font(paths)
    font.set_size(12, 72)
    out = []
    for item in _text_helpers.layout(text, font):
        out.append((item.char, glyph_codepoint(item.ft_object.fname, item.glyph_index)))
    return out


@cache
def _reverse_cmap(path: str) -> dict[int, str]:
    ttf = TTFont(path)
    order = ttf.getGlyphOrder()
    names = {name: cp for cp, name in sorted(ttf.getBestCmap().items(), reverse=True)}
    return {i: (chr(names[n]) if n in names else n) for i, n in enumerate(order)}


def glyph_codepoint(path: str, glyph: int) -> str:
    """The character a glyph stands for in the font's character map (a presentation form when
    the glyph is a joined form of an Arabic letter)."""
    return _reverse_cmap(path).get(glyph, "?")


def is_presentation_form(ch: str) -> bool:
    return len(ch) == 1 and ("\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff")


def arabic_problems(word: str, glyphs: list[tuple[str, str]]) -> list[str]:
    """Why the glyphs drawn for an Arabic word are not the word, shaped and right to left."""
    found = []
    letters = [ch for ch in word if unicodedata.bidirectional(ch) == "AL"]
    forms = [g for _, g in glyphs if is_presentation_form(g)]
    if len(forms) < len(letters) // 2:
        found.append(f"{word}: only {len(forms)} of {len(letters)} letters drawn in a joined form")
    if glyphs and glyphs[0][0] != word[-1]:
        found.append(
            f"{word}: drawn left to right (the leftmost glyph is {glyphs[0][0]!r}, not {word[-1]!r})"
        )
    return found


def test_names_in_three_scripts_render_without_missing_glyphs():
    plots.use_style()
    assert plots.thai_font_path() is not None, "fontpkg-noto-sans-thai is not installed"
    assert plots.THAI_FONT in matplotlib.rcParams["font.family"]
    for script, names in NAMES.items():
        assert missing_glyphs(names, f"{script}: {names[0]}") == [], script
    everything = [n for names in NAMES.values() for n in names] + ["종로구", "Cañaribamba", "São Paulo"]
    assert missing_glyphs(everything, "All the scripts together") == []


def test_planted_without_the_thai_font_glyphs_go_missing():
    """The check above can fail: matplotlib's own DejaVu Sans has no Thai."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        missing = missing_glyphs(NAMES["Thai"], "Thai")
    assert missing and all("Thai" in m or "THAI" in m for m in missing)


def test_arabic_is_shaped_and_right_to_left():
    plots.use_style()
    for word in NAMES["Arabic"]:
        glyphs = drawn(word)
        assert arabic_problems(word, glyphs) == [], glyphs
        assert all(ch in word for ch, _ in glyphs)
    # the drawn glyphs of a whole word: final yeh-marbuta (U+FE94) on the left, initial alef-lam on the right
    glyphs = [g for _, g in drawn("الخالدية")]
    assert glyphs[0] == "\ufe94" and glyphs[-1] == "\u0627"


def test_planted_unshaped_or_reversed_arabic_fails_the_check():
    """The shaping check can fail: letters drawn one by one in their isolated form, in logical
    order (what a renderer without shaping draws), and text reversed before matplotlib sees it
    (what python-bidi's get_display would add on top of matplotlib's own layout)."""
    plots.use_style()
    word = "الخالدية"
    path = font_manager.findfont("DejaVu Sans")
    font = FT2Font(path)
    isolated = [(ch, glyph_codepoint(path, font.get_char_index(ord(ch)))) for ch in word]
    assert any("joined form" in p for p in arabic_problems(word, isolated))
    assert any("left to right" in p for p in arabic_problems(word, isolated))
    reversed_first = drawn(word[::-1])
    assert any("left to right" in p for p in arabic_problems(word, reversed_first))
