"""initiatives: a factual timeline of Seoul's smart city initiatives and milestones, 1999-2023.

Real, not synthetic: every row restates a fact from the course's reference file
(shared/reference/seoul-facts.md, sections 2 and 3) with the source named there. The status
column carries the file's own marks: 'confirmed' (✅, seen in a named source) or 'secondary'
(⚠️, one secondary source, sources that disagree, or an inference). Facts marked ❌ are left out;
where a row touches one, its description says it is unconfirmed and does not state it."""

from __future__ import annotations

import numpy as np

from .. import city, definitions
from ..spec import Output

DATASET = "initiatives"


def build(ctx) -> list[Output]:
    """The timeline from reference/seoul_smart_city_initiatives.csv: one row per initiative or
    milestone (year, date where known, names, domain, phase, description, key figure, status and
    source), ordered by year and date."""
    df = city.reference_table("seoul_smart_city_initiatives.csv")
    df["year"] = df["year"].astype(np.int64)
    df = df.sort_values(["year", "date", "name_en"], na_position="first", kind="stable").reset_index(
        drop=True
    )
    return [Output(definitions.resource(DATASET, "initiatives"), df)]
