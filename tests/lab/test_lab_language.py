"""JupyterLab in the trainee's language (issue 17): Debian's Chromium drives a throw-away JupyterLab.

A trainee switches the interface to Russian in *Settings > Language* (the pinned language pack
jupyterlab-language-pack-ru-RU), JupyterLab reloads in Russian, and the trainee opens the Russian
module 0 notebook made by `smartseoul i18n notebooks --lang ru`: its text is Russian, its Try-it box
title too, its code exactly the English notebook's. A trainee whose SMARTSEOUL_LANG is Arabic gets
JupyterLab in Arabic from the start (what `smartseoul lab` and a hub do), and a choice the trainee
made before is never overwritten. Screenshots: test-artifacts/lab/i18n-*.png."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from smartseoul import lab as course_lab
from smartseoul.browser import NO_CHROMIUM
from smartseoul.i18n import notebooks
from smartseoul.testing import lab

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = lab.find_chromium()
NOTEBOOK = Path("modules") / "00-orientation" / "00a-jupyter-and-python.ipynb"
RUSSIAN_TITLE = "0a. Jupyter и необходимый минимум Python"


def test_the_course_language_becomes_jupyterlabs_default_once(tmp_path):
    settings = tmp_path / "settings"
    target = settings / course_lab.TRANSLATION_SETTINGS
    assert course_lab.default_display_language(settings, {"SMARTSEOUL_LANG": "ar"}) == "ar_SA"
    assert json.loads(target.read_text()) == {"locale": "ar_SA"}
    # the trainee then chose Russian in Settings > Language: that choice stays
    target.write_text(json.dumps({"locale": "ru_RU"}))
    assert course_lab.default_display_language(settings, {"SMARTSEOUL_LANG": "ar"}) is None
    assert json.loads(target.read_text()) == {"locale": "ru_RU"}
    # English, no setting, or a language with no pack (Thai): JupyterLab's own default
    other = tmp_path / "other"
    for env in ({"SMARTSEOUL_LANG": "en"}, {}, {"SMARTSEOUL_LANG": "th"}, {"LANG": "ru_RU.UTF-8"}):
        assert course_lab.default_display_language(other, env) is None
    assert not other.exists()
    # every course language with a JupyterLab language pack has it installed (pinned)
    assert {code: course_lab.jupyterlab_locale(code) for code in ("ru", "es", "pt_BR", "ar", "id", "th")} == {
        "ru": "ru_RU",
        "es": "es_ES",
        "pt_BR": "pt_BR",
        "ar": "ar_SA",
        "id": "id_ID",
        "th": None,
    }


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A folder with the Russian module notebooks, as `smartseoul i18n notebooks` lays them out."""
    root = tmp_path_factory.mktemp("lab-i18n")
    notebooks.write_all(ROOT, "ru", root / "ru")
    return root


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=lab.CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _menu_labels(page) -> list[str]:
    return page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("lab-browser")
@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_a_trainee_switches_to_russian_and_opens_a_translated_notebook(
    course, browser, tmp_path, artifacts_dir
):
    state = tmp_path / "state"
    with lab.running_lab(course, cwd=course, state_dir=state) as server:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.set_default_timeout(60_000)
        page.goto(server.link("lab"))
        page.wait_for_selector("#jp-MainMenu")
        assert "Settings" in _menu_labels(page)
        # Settings > Language > Russian, then "Change and reload"
        page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
        page.locator("#jp-mainmenu-settings li.lm-Menu-item", has_text="Language").hover()
        page.locator("li[data-command='jupyterlab-translation:ru_RU']").click()
        page.screenshot(path=str(artifacts_dir / "i18n-01-change-language.png"))
        page.locator(".jp-Dialog button.jp-mod-accept").click()
        page.wait_for_function("() => document.documentElement.lang === 'ru-RU'", timeout=90_000)
        page.wait_for_selector("#jp-MainMenu")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('#jp-MainMenu .lm-MenuBar-itemLabel'))"
            ".some(e => e.textContent === 'Настройки')"
        )
        page.screenshot(path=str(artifacts_dir / "i18n-02-jupyterlab-in-russian.png"))
        # JupyterLab writes its settings as JSON5, with comments
        saved = (state / "settings" / course_lab.TRANSLATION_SETTINGS).read_text()
        assert re.search(r'"locale":\s*"ru_RU"', saved), (
            f"the choice is not in the trainee's settings: {saved}"
        )

        # the Russian module 0 notebook
        page.goto(server.link(f"lab/tree/ru/{NOTEBOOK.as_posix()}"))
        page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=90_000)
        dialog = page.locator(".jp-Dialog")
        try:  # the kernel question, in Russian now: take the notebook's own kernel
            dialog.wait_for(state="visible", timeout=3000)
            dialog.locator("button.jp-mod-accept").click()
        except Exception:
            pass
        heading = page.locator(".jp-MarkdownCell h1", has_text=RUSSIAN_TITLE)
        heading.wait_for(state="visible", timeout=60_000)
        try_it = page.locator(
            ".jp-MarkdownCell aside.myst-admonition .myst-admonition-header", has_text="Попробуйте"
        )
        try_it.first.wait_for(state="attached", timeout=60_000)
        page.screenshot(path=str(artifacts_dir / "i18n-03-russian-notebook.png"))
        english = json.loads((ROOT / NOTEBOOK).read_text(encoding="utf-8"))
        expected = sum(c["cell_type"] == "code" for c in english["cells"])
        # JupyterLab renders a long notebook's cells in batches: wait for the last one rather than
        # count while it is still drawing
        try:
            page.wait_for_function(
                f"() => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length >= {expected}",
                timeout=30_000,
            )
        except Exception:
            pass
        code_cells = page.locator(".jp-Notebook .jp-CodeCell").count()
    russian = json.loads((course / "ru" / NOTEBOOK).read_text(encoding="utf-8"))
    assert code_cells == expected, f"JupyterLab shows {code_cells} code cells, the notebook has {expected}"
    assert [c for c in russian["cells"] if c["cell_type"] == "code"] == [
        c for c in english["cells"] if c["cell_type"] == "code"
    ]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("lab-browser")
@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_a_trainee_whose_language_is_arabic_gets_jupyterlab_in_arabic(
    course, browser, tmp_path, artifacts_dir
):
    state = tmp_path / "state"
    assert course_lab.default_display_language(state / "settings", {"SMARTSEOUL_LANG": "ar"}) == "ar_SA"
    with lab.running_lab(course, cwd=course, state_dir=state, env={"SMARTSEOUL_LANG": "ar"}) as server:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.set_default_timeout(60_000)
        page.goto(server.link("lab"))
        page.wait_for_selector("#jp-MainMenu")
        page.wait_for_function("() => document.documentElement.lang === 'ar-SA'", timeout=60_000)
        labels = _menu_labels(page)
        page.screenshot(path=str(artifacts_dir / "i18n-04-jupyterlab-in-arabic.png"))
    # the Arabic language pack translates only part of JupyterLab (its Help menu among them)
    assert any(re.search("[\\u0600-\\u06ff]", label) for label in labels), f"no menu in Arabic: {labels}"
