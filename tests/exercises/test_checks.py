"""smartseoul.checks: strict about types, tolerant about float rounding, never tells the answer."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from smartseoul import checks


class EqualsEverything:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 42.0


class SneakyFloat(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("fake", [EqualsEverything(), SneakyFloat(1.0), True, "42", None, [42]])
def test_look_alikes_do_not_pass_number_checks(fake):
    with pytest.raises(checks.CheckFailed):
        checks.check_number(fake, 42.0, name="x")
    with pytest.raises(checks.CheckFailed):
        checks.check_equal(fake, 42.0, name="x")


def test_numbers_pass_with_tolerance_and_numpy_types():
    checks.check_number(np.float64(0.1 + 0.2), 0.3, name="x")
    checks.check_number(np.int64(7), 7, name="x", integer=True)
    checks.check_equal(7, 7, name="x")
    with pytest.raises(checks.CheckFailed, match="too high"):
        checks.check_number(0.31, 0.3, name="x", rtol=1e-3)
    with pytest.raises(checks.CheckFailed, match="whole number"):
        checks.check_equal(7.0, 7, name="x")
    with pytest.raises(checks.CheckFailed, match="NaN"):
        checks.check_number(float("nan"), 1.0, name="x")


def test_messages_never_reveal_the_expected_value():
    for wrong in (123.0, 999, -5.5):
        with pytest.raises(checks.CheckFailed) as info:
            checks.check_number(wrong, 4711.0, name="x", hint="look again")
        assert "4711" not in str(info.value) and "look again" in str(info.value)
    with pytest.raises(checks.CheckFailed) as info:
        checks.check_text("Gangnam-gu", "Jongno-gu", name="x")
    assert "Jongno" not in str(info.value)


def test_need_reports_missing_names():
    present = 1  # noqa: F841 (looked up by need())
    checks.need("present")
    with pytest.raises(checks.CheckFailed, match="`absent_answer` does not exist"):
        checks.need("absent_answer")


def test_frames_series_and_columns():
    df = pd.DataFrame({"code": ["01", "02"], "n": [1, 2]})
    checks.check_frame(df, columns=["code", "n"], n_rows=2)
    checks.check_column_kind(df, "n", "integer")
    checks.check_column_kind(df, "code", "text")
    with pytest.raises(checks.CheckFailed, match="missing the column"):
        checks.check_frame(df, columns=["gu"])
    with pytest.raises(checks.CheckFailed, match="too many"):
        checks.check_frame(df, n_rows=1)
    with pytest.raises(checks.CheckFailed, match="should hold whole numbers"):
        checks.check_column_kind(df.astype({"n": float}), "n", "integer")
    with pytest.raises(checks.CheckFailed):
        checks.check_frame(df.to_dict(), columns=["code"])
    s = pd.Series([1.0, 2.0], index=["a", "b"])
    checks.check_equal(s + 1e-12, s, name="s")
    with pytest.raises(checks.CheckFailed, match="1 of the 2 values"):
        checks.check_equal(pd.Series([1.0, 2.5], index=["a", "b"]), s, name="s")
    with pytest.raises(checks.CheckFailed, match="different order"):
        checks.check_equal(s[::-1], s, name="s")


def test_function_and_crs_checks():
    def double(x):
        return 2 * x

    checks.check_function(double, [((2,), 4), ((0.5,), 1.0)], name="double")
    with pytest.raises(checks.CheckFailed, match=r"double\(3\)"):
        checks.check_function(double, [((3,), 7)], name="double")
    with pytest.raises(checks.CheckFailed, match="raised ZeroDivisionError"):
        checks.check_function(lambda x: 1 / x, [((0,), 1.0)], name="inv")
    with pytest.raises(checks.CheckFailed, match="should be a function"):
        checks.check_function(42, [((0,), 1.0)], name="f")
    layer = gpd.GeoDataFrame(geometry=[Point(127, 37.5)], crs=4326)
    checks.check_crs(layer.to_crs(5179), 5179)
    with pytest.raises(checks.CheckFailed, match="EPSG:4326"):
        checks.check_crs(layer, 5179)


def test_check_index_compares_labels_as_text_or_whole_numbers_in_order():
    codes = ["11110", "11140"]
    checks.check_index(pd.Series([1, 2], index=[11110, 11140]), codes, name="s")  # numbers read as codes
    with pytest.raises(checks.CheckFailed, match="expected index labels"):
        checks.check_index(pd.Series([1, 2], index=["11110", "99999"]), codes, name="s")
    with pytest.raises(checks.CheckFailed, match="different order"):
        checks.check_index(pd.Series([1, 2], index=codes[::-1]), codes, name="s")
    checks.check_index(pd.Series([1, 2], index=["0", "1"]), range(2), name="h", as_int=True)
    with pytest.raises(checks.CheckFailed, match="not numbers"):
        checks.check_index(pd.Series([1], index=["night"]), [0], name="h", as_int=True)


def test_whole_numbers_between_and_require():
    checks.check_whole_numbers(pd.Series([1, 2]), name="n")
    with pytest.raises(checks.CheckFailed, match="whole numbers"):
        checks.check_whole_numbers(pd.Series([1.0, 2.0]), name="n")
    checks.check_between(12.5, 1, 100, name="pct")
    with pytest.raises(checks.CheckFailed, match="square degrees"):
        checks.check_between(0.01, 1, 100, name="area", too_low="it looks like square degrees")
    with pytest.raises(checks.CheckFailed, match="too large"):
        checks.check_between(150.0, 1, 100, name="pct")
    with pytest.raises(checks.CheckFailed, match="should be a number"):
        checks.check_between("12", 1, 100, name="pct")
    checks.require(True, "never shown")
    with pytest.raises(checks.CheckFailed, match="total row"):
        checks.require(False, "the table still holds the total row")


def test_check_raises_wants_that_exception_and_nothing_else():
    def share(x):
        if not 0 <= x <= 1:
            raise ValueError("not a share")
        return x

    checks.check_raises(share, (1.5,), ValueError, name="share")
    with pytest.raises(checks.CheckFailed, match="returned a value"):
        checks.check_raises(share, (0.5,), ValueError, name="share")
    with pytest.raises(checks.CheckFailed, match="raised TypeError"):
        checks.check_raises(share, ("x",), ValueError, name="share")


def test_a_function_that_changes_its_input_cannot_fool_the_next_case():
    """Each call gets its own copy: the second case sees the list as the test wrote it."""
    data = [3, 1, 2]

    def biggest_then_clear(values):
        top = max(values)
        values.clear()  # changes the caller's list
        return top

    checks.check_function(biggest_then_clear, [((data,), 3), ((data,), 3)], name="biggest")
    assert data == [3, 1, 2]
