"""The table of course languages, named parts and quality gates: locales/languages.yaml."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths

TABLE = Path("locales") / "languages.yaml"
#: the catalogue of the Python code's own messages (the gettext domain of smartseoul.i18n.messages)
PYTHON_CATALOG = "smartseoul"


@dataclass(frozen=True)
class Language:
    code: str  #: Sphinx's language and the folder under locales/ (pt_BR)
    lang: str  #: BCP 47, for <html lang> and hreflang (pt-BR)
    name: str  #: in English
    native: str  #: in the language itself, for the switcher
    dir: str = "ltr"
    search: str = "en"
    jupyterlab: str = ""
    wave: int = 1
    bulk_done: bool = False
    reviewed_by: str = ""
    done: tuple[str, ...] = ()

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by.strip())


@dataclass(frozen=True)
class Gate:
    wave: int
    parts: tuple[str, ...] | str  #: part names, or "all"
    min_coverage: float
    max_fuzzy: int


@dataclass(frozen=True)
class Table:
    source: Language
    languages: tuple[Language, ...]
    parts: dict[str, tuple[str, ...]]
    gates: tuple[Gate, ...]
    english_only: dict[str, str] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [lang.code for lang in self.languages]

    def get(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        if code == self.source.code:
            return self.source
        raise KeyError(f"{code!r} is not a course language; the languages are {', '.join(self.codes)}")

    def resolve(self, spec: str | list[str] | tuple[str, ...] | None) -> list[str]:
        """Language codes from 'all', 'ru,ar', ['ru', 'ar'] or '' (none)."""
        if not spec:
            return []
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        items = [i.strip() for i in items if i.strip()]
        if "all" in items:
            return self.codes
        out = []
        for item in items:
            if item == self.source.code:
                continue
            out.append(self.get(item).code)
        return out

    def is_english_only(self, docname: str) -> bool:
        return any(fnmatch.fnmatchcase(docname, pattern) for pattern in self.english_only)

    def gate_for(self, language: Language) -> Gate:
        for gate in self.gates:
            if gate.wave == language.wave:
                return gate
        raise KeyError(f"no gate for wave {language.wave} in {TABLE}")


def load(root: Path | None = None) -> Table:
    import yaml

    root = root or paths.course_root()
    data = yaml.safe_load((root / TABLE).read_text(encoding="utf-8"))
    src = data["source"]
    source = Language(code=src["code"], lang=src["code"], name="English", native=src["native"])
    languages = tuple(
        Language(
            code=row["code"],
            lang=row["lang"],
            name=row["name"],
            native=row["native"],
            dir=row.get("dir", "ltr"),
            search=row.get("search", "en"),
            jupyterlab=row.get("jupyterlab") or "",
            wave=int(row["wave"]),
            bulk_done=bool(row.get("bulk_done")),
            reviewed_by=row.get("reviewed_by") or "",
            done=tuple(row.get("done") or ()),
        )
        for row in data["languages"]
    )
    parts = {name: tuple(selectors) for name, selectors in data["parts"].items()}
    gates = tuple(
        Gate(
            wave=int(g["wave"]),
            parts=g["parts"] if g["parts"] == "all" else tuple(g["parts"]),
            min_coverage=float(g["min_coverage"]),
            max_fuzzy=int(g["max_fuzzy"]),
        )
        for g in data["gates"]
    )
    unknown = sorted({p for g in gates if g.parts != "all" for p in g.parts} - set(parts))
    unknown += sorted({p for lang in languages for p in lang.done} - set(parts))
    if unknown:
        raise ValueError(f"{TABLE}: parts {unknown} are used but not defined under parts:")
    return Table(source, languages, parts, gates, dict(data.get("english_only") or {}))
