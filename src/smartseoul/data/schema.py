"""Field-level descriptions of every dataset, written once and used three ways: to build the
Frictionless ``datapackage.json``, to type the data on load, and to validate it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..findings import Finding

FieldType = Literal[
    "string", "integer", "number", "boolean", "date", "datetime", "year", "yearmonth", "geojson"
]
TIMEZONE = "Asia/Seoul"


@dataclass(frozen=True)
class Field:
    """One column: English name, the Korean header it imitates, type, unit and meaning."""

    name: str
    type: FieldType
    description: str
    name_ko: str | None = None
    unit: str | None = None
    required: bool = False
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple | None = None
    pattern: str | None = None
    categorical: bool = False  # load as pandas category

    def to_frictionless(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.name_ko:
            out["name_ko"] = self.name_ko
        if self.unit:
            out["unit"] = self.unit
        if self.type == "datetime":
            out["format"] = "any"
        cons: dict[str, Any] = {}
        if self.required:
            cons["required"] = True
        if self.unique:
            cons["unique"] = True
        if self.minimum is not None:
            cons["minimum"] = self.minimum
        if self.maximum is not None:
            cons["maximum"] = self.maximum
        if self.enum is not None:
            cons["enum"] = list(self.enum)
        if self.pattern is not None:
            cons["pattern"] = self.pattern
        if cons:
            out["constraints"] = cons
        if self.categorical:
            out["categorical"] = True
        return out

    @classmethod
    def from_frictionless(cls, d: dict[str, Any]) -> Field:
        cons = d.get("constraints", {})
        enum = cons.get("enum")
        return cls(
            name=d["name"],
            type=d["type"],
            description=d.get("description", ""),
            name_ko=d.get("name_ko"),
            unit=d.get("unit"),
            required=cons.get("required", False),
            unique=cons.get("unique", False),
            minimum=cons.get("minimum"),
            maximum=cons.get("maximum"),
            enum=tuple(enum) if enum is not None else None,
            pattern=cons.get("pattern"),
            categorical=d.get("categorical", False),
        )


class SchemaError(ValueError):
    """The data do not match their published schema; `findings` holds each problem."""

    def __init__(self, resource: str, findings: list[Finding]):
        self.findings = findings
        what = "; ".join(f"{f.where}: {f.what}" for f in findings)
        super().__init__(f"'{resource}' does not match its schema: {what}. Fix: {findings[0].fix}")


REGENERATE_ALL = "regenerate the course data with: smartseoul data generate --force"


@dataclass
class Schema:
    fields: list[Field]
    primary_key: list[str] = field(default_factory=list)
    #: cell values that mean "missing". Parquet tables with gaps in a float column declare "nan"
    #: too: frictionless 5 reads Parquet through pandas, where such a gap is the float NaN, and
    #: compares it as the text 'nan' (whole numbers with gaps are read as None instead, see
    #: build.nullable_integer_metadata)
    missing_values: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def to_frictionless(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fields": [f.to_frictionless() for f in self.fields]}
        if self.primary_key:
            out["primaryKey"] = self.primary_key
        if self.missing_values:
            out["missingValues"] = self.missing_values
        return out

    @classmethod
    def from_frictionless(cls, d: dict[str, Any]) -> Schema:
        return cls(
            [Field.from_frictionless(f) for f in d["fields"]],
            d.get("primaryKey", []),
            d.get("missingValues", []),
        )

    # -- typing ---------------------------------------------------------------------------
    def apply_types(self, df: pd.DataFrame) -> pd.DataFrame:
        """Give each column its course type: codes stay strings, times are Asia/Seoul."""
        for f in self.fields:
            if f.name not in df.columns or f.type == "geojson":
                continue
            s = df[f.name]
            if f.type == "string":
                if f.categorical:
                    df[f.name] = s.astype("category")
                elif not pd.api.types.is_string_dtype(s):
                    df[f.name] = s.astype("string")
            elif f.type == "datetime":
                s = pd.to_datetime(s)
                df[f.name] = s.dt.tz_localize(TIMEZONE) if s.dt.tz is None else s.dt.tz_convert(TIMEZONE)
            elif f.type == "date":
                df[f.name] = (
                    pd.to_datetime(s).astype("datetime64[ns]")
                    if not pd.api.types.is_datetime64_any_dtype(s)
                    else s
                )
            elif f.type == "integer" and pd.api.types.is_float_dtype(s) and s.isna().any():
                df[f.name] = s.astype("Int64")  # whole numbers with gaps stay whole numbers
            elif f.categorical:
                df[f.name] = s.astype("category")
        return df

    # -- validation -----------------------------------------------------------------------
    def validate(self, df: pd.DataFrame, resource: str) -> None:
        """Check columns, types and constraints; raise SchemaError naming every problem."""
        problems: list[Finding] = []

        def add(field: str, what: str) -> None:
            problems.append(
                Finding("schema", f"{resource}.{field}" if field else resource, what, REGENERATE_ALL)
            )

        missing = [n for n in self.names if n not in df.columns]
        if missing:
            add("", f"missing column(s) {missing}")
        for f in self.fields:
            if f.name not in df.columns or f.type == "geojson":
                continue
            s = df[f.name]
            if f.type in ("integer", "number"):
                if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
                    add(f.name, f"expected numbers, found {s.dtype}")
                    continue
                if f.type == "integer" and pd.api.types.is_float_dtype(s):
                    vals = s.dropna().to_numpy()
                    if len(vals) and not np.all(np.equal(np.mod(vals, 1), 0)):
                        add(f.name, "expected whole numbers")
            if f.type == "string" and not (
                pd.api.types.is_string_dtype(s)
                or isinstance(s.dtype, pd.CategoricalDtype)
                or s.dtype == object
            ):
                add(f.name, f"expected text (codes are kept as strings), found {s.dtype}")
            if f.required and s.isna().any():
                add(f.name, f"{int(s.isna().sum())} empty value(s) in a required field")
            if f.unique and s.dropna().duplicated().any():
                add(f.name, "values must be unique")
            if f.minimum is not None and pd.api.types.is_numeric_dtype(s) and (s.dropna() < f.minimum).any():
                add(f.name, f"values below the minimum {f.minimum}")
            if f.maximum is not None and pd.api.types.is_numeric_dtype(s) and (s.dropna() > f.maximum).any():
                add(f.name, f"values above the maximum {f.maximum}")
            if f.enum is not None:
                bad = set(s.dropna().astype(str).unique()) - {str(v) for v in f.enum}
                if bad:
                    add(f.name, f"values outside the allowed set: {sorted(bad)[:5]}")
            if f.pattern is not None and f.type == "string":
                vals = s.dropna().astype(str)
                bad = vals[~vals.str.fullmatch(f.pattern)]
                if len(bad):
                    add(f.name, f"{len(bad)} value(s) not matching {f.pattern!r}, e.g. {bad.iloc[0]!r}")
        if problems:
            raise SchemaError(resource, problems)
