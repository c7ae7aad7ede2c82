"""The course's own messages in the trainee's language: gettext, domain ``smartseoul``.

A message is written in English in the code and wrapped in ``_()``; values go in through named
placeholders, so a translation can put them where its grammar needs them::

    from .i18n.messages import _
    _fail(_("`{name}` is not right yet: it is {direction}.").format(name=name, direction=...))

The language is, in this order: the setting ``lang`` (environment variable ``SMARTSEOUL_LANG``,
or ``c.SmartSeoul.lang`` in nbgrader_config.py), else the locale (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``), else English. A message without a translation stays in English. A
``SMARTSEOUL_LANG`` the course has no translation for gives English, with a note that says so
(:func:`fallback_note`).

The translations are the PO files ``locales/<lang>/LC_MESSAGES/smartseoul.po`` of the course
checkout, the same tree the book's translations live in. They are read directly (compiled in
memory, fuzzy entries left out), so there is no build step and nothing to go stale. This module is
imported whenever ``smartseoul.checks`` is: it stays light, and Babel is only imported once a
language other than English is asked for."""

from __future__ import annotations

import functools
import gettext
import io
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

DOMAIN = "smartseoul"
ENV = "SMARTSEOUL_LANG"
SOURCE_LANGUAGE = "en"
#: locale variables, in the order gettext reads them
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_lock = threading.Lock()
_cache: dict[tuple[str, float], gettext.NullTranslations] = {}


def locales_dir() -> Path | None:
    """The course's locales/ folder: in the course checkout, else next to this package's source."""
    from .. import paths

    for candidate in (paths.course_root() / "locales", Path(__file__).resolve().parents[3] / "locales"):
        if candidate.is_dir():
            return candidate
    return None


def available() -> list[str]:
    """The languages with a catalogue of the course's messages (e.g. ['ar', 'es', 'pt_BR', 'ru'])."""
    folder = locales_dir()
    if folder is None:
        return []
    return sorted(p.parent.parent.name for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _normalise(tag: str) -> str:
    """'ru_RU.UTF-8' -> 'ru_RU', 'pt-br' -> 'pt_BR', 'AR' -> 'ar'."""
    tag = tag.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    lang, _sep, region = tag.partition("_")
    return f"{lang.lower()}_{region.upper()}" if region else lang.lower()


def match(tag: str, known: list[str]) -> str | None:
    """The course language a language tag asks for: the exact code (pt_BR), else the language
    alone (ru_RU -> ru, pt -> pt_BR). English (the source) is 'en'; None when there is none."""
    tag = _normalise(tag)
    if not tag or tag in ("c", "posix"):
        return None
    if tag.split("_")[0] == SOURCE_LANGUAGE:
        return SOURCE_LANGUAGE
    if tag in known:
        return tag
    base = tag.split("_")[0]
    same = [k for k in known if k.split("_")[0] == base]
    return same[0] if same else None


@dataclass(frozen=True)
class Choice:
    """The language chosen, and what was asked for when the course has no such translation."""

    language: str  #: 'en' or a course language
    unknown: str = ""  #: the SMARTSEOUL_LANG value that matched nothing ('' when all is well)
    source: str = ""  #: where the choice came from: 'setting', 'locale' or 'default'


def _setting(environ: dict[str, str] | os._Environ[str]) -> str:
    value = environ.get(ENV, "")
    return value or _file_setting()


@functools.lru_cache(maxsize=1)
def _file_setting() -> str:
    """c.SmartSeoul.lang in nbgrader_config.py (read once; a broken file never breaks a message)."""
    try:
        from ..settings import load

        return str(load(environ={}).lang or "")
    except Exception:
        return ""


def choose(environ: dict[str, str] | None = None) -> Choice:
    """Which language the messages are in now (read afresh each time: a notebook may change it)."""
    env = os.environ if environ is None else environ
    known = available()
    asked = _setting(env)
    if asked:
        found = match(asked, known)
        if found:
            return Choice(found, source="setting")
        return Choice(SOURCE_LANGUAGE, unknown=asked, source="setting")
    for var in LOCALE_VARIABLES:
        for tag in env.get(var, "").split(":"):
            found = match(tag, known) if tag else None
            if found:
                return Choice(found, source="locale")
        if env.get(var):
            break  # gettext stops at the first variable that is set
    return Choice(SOURCE_LANGUAGE, source="default")


def translation(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of one language (cached until its PO file changes)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    folder = locales_dir()
    po = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po" if folder else None
    if po is None or not po.is_file():
        return gettext.NullTranslations()
    key = (str(po), po.stat().st_mtime)
    with _lock:
        if key not in _cache:
            _cache[key] = _compile(po)
        return _cache[key]


def _compile(po: Path) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


#: {name} and {name:format} placeholders (not {{ or }})
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def placeholders(text: str) -> list[str]:
    """The named placeholders of a message, sorted: what every translation must keep."""
    return sorted(_PLACEHOLDER.findall(text))


def gettext_in(language: str, message: str) -> str:
    """`message` in `language`; English when it has no translation, or when the translation does
    not keep the message's placeholders (so `.format()` can never fail on a bad translation)."""
    translated = translation(language).gettext(message)
    if translated is not message and placeholders(translated) != placeholders(message):
        return message
    return translated


def _(message: str) -> str:
    """`message` in the language of the setting or the locale (English by default)."""
    return gettext_in(choose().language, message)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it with _() where it is shown."""
    return message


def fallback_note(choice: Choice | None = None) -> str:
    """A line for the end of a message when SMARTSEOUL_LANG asks for a language the course has no
    translation for (empty otherwise). In English, since that is the language it falls back to."""
    choice = choice or choose()
    if not choice.unknown:
        return ""
    have = ", ".join(available()) or "none"
    return (
        f"(Note: {ENV}={choice.unknown!r} is not a course language, so messages are in English. "
        f"Course languages: {have}; English is 'en'.)"
    )
