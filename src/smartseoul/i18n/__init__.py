"""The course in the trainees' languages: one gettext pipeline from the English source.

- `messages`: the Python code's own messages (self-checks, the capstone validator, the doctor) in
  the language of the `SMARTSEOUL_LANG` setting or the locale, English otherwise.
- `languages`: the table of course languages and quality gates (locales/languages.yaml).
- `catalogs`: reading PO files: coverage, fuzzy and stale entries.
- `structure`: does a translation keep its inline code, links, roles, math and placeholders?
- `extract`: English -> POT files (Sphinx's gettext builder, Babel for the Python code) ->
  PO files (sphinx-intl).
- `book`: one HTML book per language, sharing the notebooks' execution cache.
- `notebooks`: translated notebooks for JupyterLab, generated from the PO files.
- `cli`: `smartseoul i18n extract|update|stats|stale|check|build|notebooks`.

Only `messages` is imported at run time by the course's own code, and it stays light."""
