"""initiatives: a factual timeline of Seoul's smart city initiatives and milestones, 1999-2024.

Real, not synthetic: every row restates facts of the course's facts register (book/facts.yaml),
and its `source` column names them by ID, so a reader finds each published reference on the
book's "Sources and facts" page. The status column says how sure the row is: 'confirmed' (seen
in a named source) or 'secondary' (one secondary source, sources that disagree, or an inference).
Unconfirmed facts are left out."""

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
