"""Search in Arabic, Indonesian and Thai, which Sphinx has no search language for.

Sphinx indexes a page with its search language's ``split`` and ``stem`` (Python) and looks a
query up with the same steps in the browser (``splitQuery`` and ``Stemmer.stemWord``, JavaScript).
For a language it does not know it uses English: the Porter stemmer, English stop words and a
split on letters and digits. That finds little in these three languages:

- Arabic: short vowel marks (harakat) and the tatweel are not letters, so a word that carries one
  is cut in two; the article (ال, وال, بال ...) is part of the word, so "البيانات" does not
  find "بيانات"; alef and final ya/ta are written several ways.
- Indonesian: words are separated by spaces, but the English stemmer cuts them wrongly.
- Thai: there are no spaces between words, and the vowel and tone marks are not letters, so a
  sentence is cut into meaningless pieces.

The languages here do the same in Python and JavaScript (tests/i18n/test_search_languages.py
runs both on the same words):

- ``ar``: remove harakat and tatweel, unify alef (أ إ آ ٱ -> ا), final ya (ى -> ي) and ta marbuta
  (ة -> ه), then remove one leading article, with the conjunction or preposition before it
  (ال وال بال كال فال لل ولل وبال وكال فبال);
- ``id``: no stemming, Indonesian stop words;
- ``th``: each run of Thai is cut into character clusters (a letter with its marks) and indexed as
  overlapping pairs of clusters; a query is cut the same way, and Sphinx's search asks for all of
  its pairs, so a word or phrase is found wherever it is written, without a dictionary."""

from __future__ import annotations

import re

from sphinx.search import SearchLanguage

# ----------------------------------------------------------------------------------------- Arabic

_AR_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_ALEF = re.compile("[\u0622\u0623\u0625\u0671]")
_AR_PREFIXES = ("وبال", "وكال", "فبال", "وال", "بال", "كال", "فال", "ولل", "لل", "ال")


def arabic_normalise(word: str) -> str:
    word = _AR_MARKS.sub("", word)
    word = _AR_ALEF.sub("\u0627", word)
    return word.replace("\u0649", "\u064a").replace("\u0629", "\u0647")


def arabic_stem(word: str) -> str:
    word = arabic_normalise(word)
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix) :]
    return word


_AR_JS_STEMMER = r"""
var Stemmer = function() {
  const marks = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g;
  const alef = /[\u0622\u0623\u0625\u0671]/g;
  const prefixes = ["\u0648\u0628\u0627\u0644", "\u0648\u0643\u0627\u0644", "\u0641\u0628\u0627\u0644", "\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644", "\u0641\u0627\u0644", "\u0648\u0644\u0644", "\u0644\u0644", "\u0627\u0644"];
  this.stemWord = function(w) {
    w = w.replace(marks, "").replace(alef, "\u0627").replace(/\u0649/g, "\u064a").replace(/\u0629/g, "\u0647");
    for (const p of prefixes) {
      if (w.startsWith(p) && w.length - p.length >= 2) return w.slice(p.length);
    }
    return w;
  };
};
"""

#: the query is split after the marks are removed, as the index is
_AR_JS_SPLITTER = r"""
function splitQuery(query) {
  return query
    .replace(/[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g, "")
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter(term => term);
}
"""

# Common function words; single letters (و ب ل ف ك) are prefixes, not separate words.
_AR_STOPWORDS = """
في من إلى على عن مع هذا هذه ذلك تلك التي الذي الذين أو و ثم لا لم لن ما هو هي هم كان كانت يكون
أن إن كل بعض غير بين عند قد كما لكن حتى إذا أي
"""


class SearchArabic(SearchLanguage):
    lang = "ar"
    language_name = "Arabic"
    js_stemmer_code = _AR_JS_STEMMER
    js_splitter_code = _AR_JS_SPLITTER

    def init(self, options: dict[str, str]) -> None:
        self.stopwords = {arabic_normalise(w) for w in _AR_STOPWORDS.split()}

    def split(self, input: str) -> list[str]:
        return self._word_re.findall(_AR_MARKS.sub("", input))

    def stem(self, word: str) -> str:
        return arabic_stem(word)

    def word_filter(self, word: str) -> bool:
        return (
            bool(word)
            and arabic_normalise(word) not in self.stopwords
            and not (word.isascii() and len(word) < 2)
        )


# ----------------------------------------------------------------------------------------- Indonesian

_ID_STOPWORDS = """
yang dan di ke dari untuk ini itu dengan pada adalah atau juga tidak akan dalam oleh sebagai
tersebut bisa dapat ada karena jika agar kami kita anda mereka ia saya lebih sudah telah
"""


class SearchIndonesian(SearchLanguage):
    lang = "id"
    language_name = "Indonesian"

    def init(self, options: dict[str, str]) -> None:
        self.stopwords = set(_ID_STOPWORDS.split())

    # no stemming (the JavaScript Stemmer is SearchLanguage's identity stemmer)


# ----------------------------------------------------------------------------------------- Thai

_TH_MARK = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_TH_CLUSTER = re.compile(f"[\u0e00-\u0e7f][{_TH_MARK}]*")
_TH_RUN = re.compile("[\u0e00-\u0e7f]+")
_TH_TOKEN = re.compile(r"[\u0e00-\u0e7f]+|[^\W\u0e00-\u0e7f]+")


def thai_split(text: str) -> list[str]:
    """Words of other scripts as they are; each Thai run as overlapping pairs of clusters."""
    out: list[str] = []
    for token in _TH_TOKEN.findall(text):
        if not _TH_RUN.fullmatch(token):
            out.append(token)
            continue
        clusters = _TH_CLUSTER.findall(token)
        if len(clusters) == 1:
            out.append(clusters[0])
        out += [clusters[i] + clusters[i + 1] for i in range(len(clusters) - 1)]
    return out


_TH_JS_SPLITTER = r"""
function splitQuery(query) {
  const out = [];
  const tokens = query.match(/[\u0e00-\u0e7f]+|[^\u0e00-\u0e7f\s\p{P}\p{S}]+/gu) || [];
  for (const token of tokens) {
    if (!/^[\u0e00-\u0e7f]+$/.test(token)) {
      out.push(...token.split(/[^\p{Letter}\p{Number}_]+/u).filter(t => t));
      continue;
    }
    const clusters = token.match(/[\u0e00-\u0e7f][\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]*/g) || [];
    if (clusters.length === 1) out.push(clusters[0]);
    for (let i = 0; i + 1 < clusters.length; i++) out.push(clusters[i] + clusters[i + 1]);
  }
  return out;
}
"""


class SearchThai(SearchLanguage):
    lang = "th"
    language_name = "Thai"
    js_splitter_code = _TH_JS_SPLITTER

    def init(self, options: dict[str, str]) -> None:
        self.stopwords = set()

    def split(self, input: str) -> list[str]:
        return thai_split(input)


LANGUAGES: tuple[type[SearchLanguage], ...] = (SearchArabic, SearchIndonesian, SearchThai)


def setup(app):
    for language in LANGUAGES:
        app.add_search_language(language)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
