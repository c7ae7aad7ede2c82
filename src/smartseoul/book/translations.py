"""The book in several languages: the Sphinx side (loaded by `smartseoul.book.sphinx_ext`).

Sphinx translates each page itself, from the PO files (``language`` and ``locale_dirs``, set by
`smartseoul.i18n.book`). This extension adds what a reader of a translated book needs around
the pages; it reads the language table (locales/languages.yaml) for what it knows of a language.

1. ``<html lang="pt-BR" dir="rtl|ltr">``: the BCP 47 tag (Sphinx writes the code, ``pt_BR``,
   which is not one) and, for Arabic, right to left. The tag is written by the theme outside any
   template block, so the rendered page is corrected as it is written.
2. A language switcher in the left sidebar of every page (search and index pages too), linking to
   the same page in each language built with this one (``smartseoul_languages``).
3. Right-to-left layout that keeps what must stay left to right: code blocks, inline code,
   notebook inputs and outputs (tables of numbers), math, and every block with no right-to-left
   letter in it (a table of numbers, Korean names and column names; English not translated yet):
   those get the class ``smartseoul-ltr``. The table of contents' captions are translated too.
4. On the welcome page of a translated book, whether a native-speaking subject expert has
   reviewed the translation; until then "draft translation, corrections welcome", and how to send
   a correction.
5. Notebook outputs (images, executed copies) of a translated book go to its own folder
   (``smartseoul_nb_output_folder``): myst-nb writes them next to the HTML folder, which for
   ``_build/html/<lang>/`` would be inside the English site."""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes

from ..i18n.messages import N_, gettext_in

HERE = Path(__file__).parent
_HTML_TAG = re.compile(r"<html(?P<attrs>[^>]*)>", re.I)
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _table(app):
    from ..i18n import languages

    if not hasattr(app, "_smartseoul_languages"):
        try:
            app._smartseoul_languages = languages.load(Path(app.srcdir))
        except FileNotFoundError:
            app._smartseoul_languages = None
    return app._smartseoul_languages


def _language(app):
    """The row of the language being built (None for English or a language not in the table)."""
    table = _table(app)
    code = app.config.language or "en"
    if table is None or code == table.source.code:
        return None
    try:
        return table.get(code)
    except KeyError:
        return None


def _t(app, message: str) -> str:
    """`message` in the language of the book being built (Babel extracts its second argument)."""
    return gettext_in(app.config.language or "en", message)


# --------------------------------------------------------------------------- 1. <html lang dir>


def html_attributes(app) -> dict[str, str]:
    lang = _language(app)
    if lang is None:
        return {"lang": app.config.language or "en", "dir": "ltr"}
    return {"lang": lang.lang, "dir": lang.dir}


def fix_html_tag(html: str, attributes: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        attrs = m.group("attrs")
        for name, value in attributes.items():
            attrs, n = re.subn(rf'\s{name}="[^"]*"', f' {name}="{value}"', attrs)
            if not n:
                attrs = f' {name}="{value}"' + attrs
        return f"<html{attrs}>"

    return _HTML_TAG.sub(repl, html, count=1)


def _patch_renderer(app) -> None:
    if app.builder.format != "html" or not hasattr(app.builder, "templates"):
        return
    templates = app.builder.templates
    original = templates.render
    attributes = html_attributes(app)

    def render(template: str, context: dict) -> str:
        return fix_html_tag(original(template, context), attributes)

    templates.render = render


# --------------------------------------------------------------------------- 2. the switcher


def language_links(app, pagename: str) -> list[dict[str, object]]:
    """The same page in each language built together with this one, as relative links."""
    table = _table(app)
    built = list(app.config.smartseoul_languages or [])
    if table is None or len(built) < 2:
        return []
    current = app.config.language or "en"
    up = "../" * pagename.count("/")
    site_root = up if current == table.source.code else up + "../"  # the English book's root
    suffix = app.builder.out_suffix if hasattr(app.builder, "out_suffix") else ".html"
    links = []
    for code in built:
        lang = table.get(code)
        folder = "" if code == table.source.code else f"{code}/"
        links.append(
            {
                "code": code,
                "lang": lang.lang,
                "dir": lang.dir,
                "native": lang.native,
                "href": f"{site_root}{folder}{pagename}{suffix}",
                "current": code == current,
            }
        )
    return links


def _page_context(app, pagename, templatename, context, doctree):
    links = language_links(app, pagename)
    context["smartseoul_language_links"] = links
    context["smartseoul_language_label"] = _t(app, "Language")
    if links:
        tags = "".join(
            f'<link rel="alternate" hreflang="{link["lang"]}" href="{link["href"]}" />\n'
            for link in links
            if not link["current"]
        )
        context["metatags"] = context.get("metatags", "") + tags


#: the words Sphinx's search script shows (searchtools.js), as it writes them in English
SEARCH_PAGE_WORDS = (
    N_("Searching"),
    N_("Search Results"),
    N_("Preparing search..."),
    N_("Hide Search Matches"),
    N_(", in "),
    N_("Search finished, found ${resultCount} page(s) matching the search query."),
    N_(
        "Your search did not match any documents. Please make sure that all words are spelled "
        "correctly and that you've selected enough categories."
    ),
)


def search_page_words(app) -> dict[str, str]:
    """SEARCH_PAGE_WORDS in the book's language.

    Sphinx's own catalogues leave some of them empty, and its script shows an empty translation
    as nothing: the Russian and Arabic search pages said nothing when a search ended. Thai has
    no Sphinx catalogue at all. These come from the course's catalogue instead."""
    return {english: translated for english in SEARCH_PAGE_WORDS if (translated := _t(app, english))}


def _search_page_script(app, pagename, templatename, context, doctree):
    """Only the search page shows these words, so only it carries them (after doctools.js)."""
    if pagename != "search" or (app.config.language or "en") == "en":
        return
    words = json.dumps(search_page_words(app), ensure_ascii=False).replace("</", "<\\/")
    app.add_js_file(None, body=f"Object.assign(Documentation.TRANSLATIONS, {words});", priority=900)


def _config_inited(app, config):
    config.templates_path = list(config.templates_path) + [str(HERE / "templates")]
    config.html_static_path = list(config.html_static_path) + [str(HERE / "static")]
    if len(config.smartseoul_languages or []) > 1 and not config.html_sidebars:
        config.html_sidebars = {
            "**": [
                "navbar-logo.html",
                "icon-links.html",
                "search-button-field.html",
                "smartseoul-languages.html",
                "sbt-sidebar-nav.html",
            ]
        }


# --------------------------------------------------------------------------- 3. right to left


#: blocks that keep the direction of their own text in a right-to-left book
_BLOCKS = (
    nodes.paragraph,
    nodes.title,
    nodes.rubric,
    nodes.caption,
    nodes.bullet_list,
    nodes.enumerated_list,
    nodes.definition_list,
    nodes.table,
    nodes.admonition,
    nodes.Admonition,
)
_LETTER = re.compile(r"[^\W\d_]")


def mark_ltr_blocks(app, doctree, docname) -> None:
    """In a right-to-left book, a block with letters but no right-to-left letter stays left to
    right: a table of numbers, Korean names and column names, and English the translation has not
    reached yet (a paragraph Sphinx leaves in English when its message has no translation)."""
    lang = _language(app)
    if lang is None or not lang.rtl:
        return
    for node in doctree.findall(lambda n: isinstance(n, _BLOCKS)):
        if any("smartseoul-ltr" in a.get("classes", []) for a in _ancestors(node)):
            continue
        text = node.astext()
        if not _RTL_LETTER.search(text) and (_LETTER.search(text) or isinstance(node, nodes.table)):
            node["classes"].append("smartseoul-ltr")


def _ancestors(node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def translate_toc_captions(app, doctree) -> None:
    """The captions of the table of contents ("Start here", "Modules" ...) in the book's language.
    They are messages of the welcome page, but sphinx-external-toc adds the toctrees after Sphinx
    has translated the page, so Sphinx leaves them in English."""
    if _language(app) is None:
        return
    from sphinx.addnodes import toctree
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    docname = app.env.docname
    dirs = [str(Path(app.srcdir) / d) for d in app.config.locale_dirs]
    catalog, found = init_locale(
        dirs, app.config.language, docname_to_domain(docname, app.config.gettext_compact)
    )
    if not found:
        return
    for node in doctree.findall(toctree):
        if node.get("caption"):
            node["caption"] = catalog.gettext(node["caption"])


# --------------------------------------------------------------------------- 4. the status notice

#: the notice says this, in the book's language (the gate checks each language has it)
DRAFT_TITLE = N_("Draft translation, corrections welcome")
DRAFT_TEXT = N_(
    "This book is a draft translation of the English original, and a native-speaking subject expert "
    "has not reviewed it yet. If something is wrong or unclear, please send a correction: open an "
    "issue at {issues} saying which page and paragraph, or correct the translation in {po_file} "
    "and send a pull request."
)
REVIEWED_TEXT = N_("This translation was reviewed by {reviewer}. Corrections are welcome at {issues}.")


def issues_url(app) -> str:
    repo = (app.config.html_theme_options or {}).get("repository_url", "").rstrip("/")
    return f"{repo}/issues" if repo else "https://github.com/smart-seoul-data-lab/smart-seoul-data-lab/issues"


def _sentence(template: str, values: dict[str, nodes.Node]) -> nodes.paragraph:
    """A paragraph of a translated sentence whose {placeholders} are nodes (a link, a file name)."""
    para = nodes.paragraph()
    for piece in re.split(r"(\{\w+\})", template):
        name = piece[1:-1] if piece.startswith("{") and piece.endswith("}") else None
        para += values[name].deepcopy() if name in values else nodes.Text(piece)
    return para


def status_notice(app, docname: str) -> nodes.admonition | None:
    lang = _language(app)
    if lang is None:
        return None
    url = issues_url(app)
    link = nodes.reference("", url, refuri=url)
    po_file = nodes.literal("", f"locales/{lang.code}/LC_MESSAGES/{docname}.po")
    notice = nodes.admonition(
        classes=["smartseoul-translation-status", "attention" if not lang.reviewed else "note"]
    )
    if lang.reviewed:
        notice += nodes.title("", _t(app, "Reviewed translation"))
        notice += _sentence(
            _t(app, REVIEWED_TEXT), {"reviewer": nodes.Text(lang.reviewed_by), "issues": link}
        )
    else:
        notice += nodes.title("", _t(app, DRAFT_TITLE))
        notice += _sentence(_t(app, DRAFT_TEXT), {"issues": link, "po_file": po_file})
    notice["ids"] = ["translation-status"]
    return notice


def add_status_notice(app, doctree, docname) -> None:
    if docname != app.config.root_doc:
        return
    notice = status_notice(app, docname)
    if notice is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        doctree.insert(0, notice)
        return
    title = next((i for i, child in enumerate(section.children) if isinstance(child, nodes.title)), -1)
    section.insert(title + 1, notice)


# --------------------------------------------------------------------------- 5. notebook outputs


def _own_output_folder(app) -> None:
    folder = app.config.smartseoul_nb_output_folder
    if folder and hasattr(app.env, "mystnb_config"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        app.env.mystnb_config = app.env.mystnb_config.copy(output_folder=str(Path(folder).resolve()))


def _version() -> int:
    """Changes whenever this extension, its template, stylesheet or search languages change, so
    Sphinx then reads every page again (it cannot know that a page's HTML depends on them)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(
        [Path(__file__), HERE / "search_languages.py", *HERE.glob("templates/*"), *HERE.glob("static/*")]
    ):
        digest.update(path.read_bytes())
    return int(digest.hexdigest()[:8], 16)


def setup(app):
    #: the languages built together (codes, English first); fewer than two: no switcher
    app.add_config_value("smartseoul_languages", [], "html")
    app.add_config_value("smartseoul_nb_output_folder", "", "env")
    app.add_css_file("smartseoul-i18n.css")
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _patch_renderer)
    app.connect("builder-inited", _own_output_folder, priority=900)  # after myst-nb's own
    app.connect("html-page-context", _page_context)
    app.connect("html-page-context", _search_page_script)
    app.connect("doctree-read", translate_toc_captions)
    app.connect("doctree-resolved", mark_ltr_blocks)
    app.connect("doctree-resolved", add_status_notice)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": _version()}
