"""initiatives: a factual timeline of Seoul's smart city initiatives and milestones, 1999-2023.

Real, not synthetic: every row restates a fact from the course's reference file
(shared/reference/seoul-facts.md, sections 2 and 3) with the source named there. The status
column carries the file's own marks: 'confirmed' (✅, seen in a named source) or 'secondary'
(⚠️, one secondary source, sources that disagree, or an inference). Facts marked ❌ are left out;
where a row touches one, its description says it is unconfirmed and does not state it."""

from __future__ import annotations

import numpy as np

from .. import city
from ..schema import Field, Schema
from ..spec import FACTS_SOURCE, Output, Resource

DATASET = "initiatives"

DOMAINS = (
    "governance",
    "transport",
    "open data",
    "IoT/sensing",
    "digital twin",
    "connectivity",
    "citizen services",
    "international cooperation",
)
PHASES = ("computerisation", "e-Seoul", "u-Seoul", "Smart Seoul", "Digital Seoul", "post-COVID")


def _fields() -> list[Field]:
    return [
        Field(
            "year",
            "integer",
            "Year the initiative started or the milestone happened.",
            "연도",
            required=True,
            minimum=1999,
            maximum=2024,
        ),
        Field(
            "date",
            "string",
            "Date where known: YYYY-MM-DD or YYYY-MM; empty when only the year is known.",
            "일자",
            pattern=r"\d{4}-\d{2}(-\d{2})?",
        ),
        Field("name_en", "string", "Name of the initiative or milestone in English.", required=True),
        Field("name_ko", "string", "Name in Korean.", "사업명", required=True),
        Field(
            "domain",
            "string",
            "What part of the smart city it concerns.",
            "분야",
            required=True,
            enum=DOMAINS,
            categorical=True,
        ),
        Field(
            "phase",
            "string",
            "Phase of Seoul's informatization plans it belongs to: computerisation (to 1999), e-Seoul (2000-05), u-Seoul (2006-10), Smart Seoul (2011-15), Digital Seoul (2016-20), post-COVID (2021-25).",
            "단계",
            required=True,
            enum=PHASES,
            categorical=True,
        ),
        Field("description", "string", "What it did, in plain English.", "내용", required=True),
        Field(
            "key_figure",
            "string",
            "One key figure, as given in the course's reference facts.",
            "주요 수치",
            required=True,
        ),
        Field(
            "status",
            "string",
            "confirmed: seen in a named source (✅ in the facts file); secondary: one secondary source, disagreeing sources or an inference (⚠️).",
            "확인 수준",
            required=True,
            enum=("confirmed", "secondary"),
            categorical=True,
        ),
        Field(
            "source",
            "string",
            "Where the fact comes from, as cited in the facts file.",
            "출처",
            required=True,
        ),
    ]


def build(ctx) -> list[Output]:
    df = city.reference_table("seoul_smart_city_initiatives.csv")  # empty dates are missing
    df["year"] = df["year"].astype(np.int64)
    df = df.sort_values(["year", "date", "name_en"], na_position="first", kind="stable").reset_index(
        drop=True
    )
    return [
        Output(
            Resource(
                "initiatives",
                DATASET,
                "Seoul's smart city initiatives and milestones, 1999-2024 (factual)",
                "A timeline of Seoul's informatization and smart city initiatives: what each did, one key figure, how well it is "
                "confirmed and where it comes from.",
                "initiatives/initiatives.csv",
                "csv",
                "factual",
                Schema(_fields(), []),
                imitates=None,
                sources=[FACTS_SOURCE],
                notes=[
                    "Factual: each row restates a fact from the course's reference file with the source named there; figures are quoted as given.",
                    "status 'secondary' marks facts from one secondary source, disagreeing sources or an inference; facts the reference file marks "
                    "unconfirmed are left out or explicitly called unconfirmed in the description.",
                ],
            ),
            df,
        )
    ]
