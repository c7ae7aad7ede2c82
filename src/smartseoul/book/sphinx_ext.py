"""A small Sphinx extension for the course book (loaded through `_config.yml`).

1. sphinx-thebe (always loaded by jupyter-book) registers its inline configuration script again on
   every incremental build, so pages carried it twice and the browser raised "Identifier
   'THEBE_JS_URL' has already been declared". We keep one copy of every script.

2. The student versions of the exercises are generated at build time and are not files in the
repository, so Binder, Colab and JupyterHub launch links to them would lead nowhere. Trainees get
exercises through nbgrader (or the page's download button), so we drop the launch buttons on
those pages and keep the download button.

3. The book in other languages (smartseoul.book.translations) and search in Arabic, Indonesian and
Thai (smartseoul.book.search_languages), and translated messages that MyST-Parser 3 would misread
(footnote references, numbered titles: smartseoul.book.translated_messages), each an extension of
its own, loaded from here.

4. The accessibility fixes for what axe-core finds (smartseoul.book.accessibility), an extension of
its own.

5. For slow connections, once the book is written: lighter figures (smartseoul.book.images) and
icons from the theme's icon font instead of its 1.5 MB icon script (smartseoul.book.icons)."""

from __future__ import annotations

EXERCISE_PAGES = "book/_generated/exercises/"


def _drop_launch_buttons(app, pagename, templatename, context, doctree):
    if not pagename.startswith(EXERCISE_PAGES):
        return
    buttons = context.get("header_buttons")
    if buttons:
        context["header_buttons"] = [b for b in buttons if b.get("label") != "launch-buttons"]


def _one_copy_of_each_script(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        # inline scripts come with filename None or "": the same script either way
        key = (str(getattr(js, "filename", js) or ""), repr(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def _lighter_pages(app, exception) -> None:
    """Once Sphinx has written an HTML book: what a trainee on a slow line downloads, made smaller."""
    if exception is not None or app.builder.format != "html":
        return
    from . import icons, images

    images.compress_book(app)
    icons.use_icon_font(app)


def setup(app):
    # the book in several languages: switcher, <html lang dir>, right to left, status notice
    app.setup_extension("smartseoul.book.translations")
    # search in Arabic, Indonesian and Thai
    app.setup_extension("smartseoul.book.search_languages")
    # translated paragraphs keep their footnote references, and numbered titles stay titles
    app.setup_extension("smartseoul.book.translated_messages")
    # what axe-core found in the theme (WCAG 2.2 AA), fixed
    app.setup_extension("smartseoul.book.accessibility")
    # for slow connections: lighter figures, and icons without the theme's 1.5 MB icon script
    app.connect("build-finished", _lighter_pages)
    app.connect("html-page-context", _one_copy_of_each_script, priority=900)
    # sphinx-book-theme adds its launch buttons at priority 501: run after it
    app.connect("html-page-context", _drop_launch_buttons, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
