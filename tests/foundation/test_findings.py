"""Every report of "what is wrong and how to fix it" uses the one Finding shape."""

from __future__ import annotations

from smartseoul import capstone, doctor
from smartseoul.findings import Finding, errors


def test_a_finding_reads_as_where_what_fix():
    f = Finding("not-utf8", "cities.csv", "the file is not UTF-8.", "save it as UTF-8.")
    assert str(f) == "cities.csv: the file is not UTF-8. Fix: save it as UTF-8."
    assert errors([f, Finding("x", "", "y", "z", severity="warning")]) == [f]


def test_capstone_reports_findings(tmp_path):
    report = capstone.validate(tmp_path / "none.geojson", tmp_path / "none.csv", key="id", numeric=[])
    assert report.problems and all(isinstance(p, Finding) for p in report.problems)
    assert [p.code for p in report.problems] == ["no-boundaries-file", "no-table-file"]
    assert "fix:" in str(report)


def test_the_doctor_reports_findings(tmp_path):
    (status,) = doctor.dataset_statuses(tmp_path)
    assert not status.ok and isinstance(status.problem, Finding)
    assert status.problem.code == "datasets" and "smartseoul data generate" in status.fix


def test_a_schema_mismatch_reports_findings():
    import pandas as pd
    import pytest

    from smartseoul.data.schema import Field, Schema, SchemaError

    schema = Schema(
        [Field("gu_code", "string", "code", required=True), Field("n", "integer", "count", minimum=0)]
    )
    with pytest.raises(SchemaError) as caught:
        schema.validate(pd.DataFrame({"gu_code": ["11110", None], "n": [-1, 2]}), "per_gu")
    found = caught.value.findings
    assert [f.where for f in found] == ["per_gu.gu_code", "per_gu.n"]
    assert all(isinstance(f, Finding) and "smartseoul data generate" in f.fix for f in found)
    assert "per_gu.n: values below the minimum 0" in str(caught.value)
