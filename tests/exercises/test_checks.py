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


# --- misconceptions: a known mistake gets a message that names it -----------------------------
PERCENT = "This looks like a percentage (0-100), but the question asks for a share (0-1)."


def _message(check, *args, **kwargs) -> str:
    with pytest.raises(checks.CheckFailed) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_an_alternative_value_names_the_misconception_and_keeps_the_hint():
    text = _message(
        checks.check_number,
        25.0,
        0.25,
        name="share",
        hint="Divide, do not multiply by 100.",
        misconceptions={PERCENT: 25.0},
    )
    assert text.startswith(PERCENT) and "Hint: Divide" in text
    # the alternative is compared with the check's own tolerance
    assert _message(checks.check_number, 25.000001, 0.25, misconceptions={PERCENT: 25.0}).startswith(PERCENT)
    # a wrong answer that is not this mistake gets the general message
    text = _message(checks.check_number, 0.5, 0.25, name="share", misconceptions={PERCENT: 25.0})
    assert "too high" in text and PERCENT not in text


def test_a_predicate_names_the_misconception():
    degrees = "These look like square degrees: project to EPSG:5179 first."
    text = _message(
        checks.check_between, 0.01, 1, 1000, name="area", misconceptions={degrees: lambda v: v < 0.1}
    )
    assert text == degrees


def test_misconceptions_change_the_message_never_the_verdict():
    always = {"never shown": lambda v: True, "never shown either": 0.25}
    checks.check_number(0.25, 0.25, misconceptions=always)  # a right answer passes, whatever the signs say
    checks.check_between(0.5, 0, 1, misconceptions=always)
    for wrong in (0.3, float("inf")):
        with pytest.raises(checks.CheckFailed):
            checks.check_number(wrong, 0.25, misconceptions={"matched": lambda v: True})


def test_the_first_matching_sign_wins_and_a_sign_that_does_not_apply_is_skipped():
    def breaks(value):
        raise TypeError("not for this kind of answer")

    signs = {"broken sign": breaks, "first": 2.0, "second": lambda v: True}
    assert _message(checks.check_number, 2.0, 1.0, misconceptions=signs).startswith("first")
    assert _message(checks.check_number, 3.0, 1.0, misconceptions=signs).startswith("second")


def test_look_alikes_cannot_steer_a_misconception():
    # type checks come first: a look-alike fails with the type message, never a misconception's
    text = _message(checks.check_number, EqualsEverything(), 1.0, misconceptions={"matched": 1.0})
    assert "should be a number" in text


def test_each_check_compares_an_alternative_the_way_it_compares_its_expected_value():
    by_code = pd.Series([5, 9, 2], index=["11110", "11140", "11170"])
    by_count = by_code.sort_values(ascending=False)
    sorted_msg = "It is sorted by the count, not by the district code."
    assert _message(
        checks.check_index, by_count, list(by_code.index), misconceptions={sorted_msg: list(by_count.index)}
    ).startswith(sorted_msg)
    assert _message(
        checks.check_index,
        by_count,
        list(by_code.index),
        misconceptions={sorted_msg: checks.sorted_by_values},
    ).startswith(sorted_msg)
    names = "It is indexed by district names: use the codes."
    named = by_code.set_axis(["Jongno-gu", "Jung-gu", "Yongsan-gu"])
    assert _message(
        checks.check_series,
        named,
        index=list(by_code.index),
        misconceptions={names: ["Jongno-gu", "Jung-gu", "Yongsan-gu"]},
    ).startswith(names)
    assert _message(checks.check_series, by_code.iloc[:2], n=3, misconceptions={"two": 2}).startswith("two")

    frame = pd.DataFrame({"a": range(8), "b": range(8)})
    skipped = "Two rows are missing: the broken lines were skipped."
    assert _message(checks.check_frame, frame, n_rows=10, misconceptions={skipped: 8}).startswith(skipped)
    renamed = "The columns still have their Korean names."
    assert _message(
        checks.check_frame, frame, columns=["x"], misconceptions={renamed: ["a", "b"]}
    ).startswith(renamed)

    numbers = "The codes were read as numbers, so leading zeros are lost."
    codes = pd.DataFrame({"code": [1101, 1102]})
    assert _message(
        checks.check_column_kind, codes, "code", "text", misconceptions={numbers: "integer"}
    ).startswith(numbers)
    assert _message(
        checks.check_values,
        pd.Series([0.2, 0.5]),
        "pct",
        minimum=1,
        maximum=100,
        misconceptions={PERCENT: (0, 1)},
    ).startswith(PERCENT)
    assert _message(checks.check_between, 0.3, 1, 100, misconceptions={PERCENT: (0, 1)}).startswith(PERCENT)
    assert _message(
        checks.check_equal, pd.Series([25.0]), pd.Series([0.25]), misconceptions={PERCENT: pd.Series([25.0])}
    ).startswith(PERCENT)
    assert _message(checks.check_equal, [25.0], [0.25], misconceptions={PERCENT: [25.0]}).startswith(PERCENT)
    assert _message(checks.check_type, 3.0, int, misconceptions={"a float": float}).startswith("a float")
    assert _message(checks.check_text, "Gangnam", "Jongno", misconceptions={"swapped": "gangnam"}).startswith(
        "swapped"
    )
    degrees = "The layer is still in degrees."
    layer = gpd.GeoDataFrame(geometry=[Point(127, 37.5)], crs=4326)
    assert _message(checks.check_crs, layer, 5179, misconceptions={degrees: 4326}).startswith(degrees)
    means = "These are means, not counts."
    assert _message(
        checks.check_whole_numbers,
        pd.Series([1.5, 2.5]),
        misconceptions={means: lambda s: (s % 1 != 0).any()},
    ).startswith(means)


def test_a_function_misconception_is_one_result_per_case():
    def count_instead(values, start, end):
        return sum(start <= v < end for v in values)

    cases = [(([1, 5, 7, 9], 5, 9), 0.5), (([1, 2], 0, 10), 1.0)]
    count = "It returns how many, not the share."
    assert _message(
        checks.check_function, count_instead, cases, name="share", misconceptions={count: [2, 2]}
    ).startswith(count)
    text = _message(
        checks.check_function, count_instead, cases, name="share", misconceptions={count: [2, 3]}
    )  # not this mistake: the general message
    assert count not in text and "share(" in text
    assert _message(
        checks.check_function,
        count_instead,
        cases,
        name="share",
        misconceptions={"a predicate gets the function": lambda f: f([0], 0, 1) == 1},
    ).startswith("a predicate gets the function")


def test_labels_are_matches_the_labels_in_any_order():
    names = pd.Series([1, 2], index=["Jung-gu", "Jongno-gu"])
    assert checks.labels_are(["Jongno-gu", "Jung-gu"])(names)
    assert not checks.labels_are(["Jongno-gu"])(names)
    assert not checks.labels_are(["1", "2"])([1, 2])
    message = "It is indexed by district names."
    text = _message(
        checks.check_index,
        names,
        ["11110", "11140"],
        misconceptions={message: checks.labels_are(["Jongno-gu", "Jung-gu"])},
    )
    assert text.startswith(message)


def test_sorted_by_values_recognises_value_counts_order_only():
    counts = pd.Series(["b", "a", "b", "c", "b", "a"]).value_counts()
    assert checks.sorted_by_values(counts)
    assert not checks.sorted_by_values(counts.sort_index())
    assert not checks.sorted_by_values(pd.Series([1, 2, 3], index=["a", "b", "c"]))  # both orders agree
    assert not checks.sorted_by_values([3, 2, 1])
