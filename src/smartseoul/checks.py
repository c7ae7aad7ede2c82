"""Self-check helpers for the exercises: say what is wrong and hint at a fix, never the answer.

Every check raises :class:`CheckFailed` (an ``AssertionError``) with a message written for a
trainee. The checks are deliberately strict about types: the answer must *be* an ``int``, a
``float``, a ``str``, a ``pandas.DataFrame`` ... (``type(x) is ...``, not ``isinstance``), and
numbers are compared with :func:`math.isclose` on a real ``float`` made from the answer *after*
the type check. So an object that claims to equal everything, or a subclass that overrides
``__eq__``, cannot pass. The checks use ``raise``, never ``assert``, so ``python -O`` cannot
switch them off.

Messages never contain the expected value: they say which way a number is off, which column is
missing or how many rows there are, and then give the hint written with the question.

**Misconceptions.** Most checks also take ``misconceptions=``: a mapping from a message to the sign
of one known mistake. When the check fails and the answer shows that sign, the trainee reads the
message that names the mistake ("your areas are in square degrees ...") instead of the general
one. A sign is either

- a *predicate*: a function called with the answer, true when the answer shows the mistake; or
- an *alternative expected value*: the answer a trainee who makes this mistake gets, compared the
  way the check compares its own expected value (a number for ``check_number``, a ``(low, high)``
  range for ``check_between``, the index labels for ``check_index``, a row count for
  ``check_frame``, one result per case for ``check_function`` ...).

The signs are tried in order and only when the check has failed, so a misconception can change
the message, never the verdict. A sign that cannot be evaluated on an answer does not match.

>>> from smartseoul import checks
>>> checks.check_number(42, 42.0, name="n_stations")
>>> checks.check_frame(df, columns=["gu_code", "n"], n_rows=25, name="per_gu")
>>> checks.check_number(share, 0.25, name="share",
...                     misconceptions={"This looks like a percentage, not a share.": 25.0})
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .i18n.messages import N_, _, fallback_note

__all__ = [
    "CheckFailed",
    "check_between",
    "check_column_kind",
    "check_crs",
    "check_equal",
    "check_frame",
    "check_function",
    "check_index",
    "check_number",
    "check_raises",
    "check_series",
    "check_text",
    "check_type",
    "check_values",
    "check_whole_numbers",
    "labels_are",
    "need",
    "passed",
    "require",
    "sorted_by_values",
]

#: Exact types accepted as "a number" (bool is deliberately not a number here).
INTEGER_TYPES: tuple[type, ...] = (
    int,
    np.int64,
    np.int32,
    np.int16,
    np.int8,
    np.uint64,
    np.uint32,
    np.uint16,
    np.uint8,
)
FLOAT_TYPES: tuple[type, ...] = (float, np.float64, np.float32, np.float16)
NUMBER_TYPES = INTEGER_TYPES + FLOAT_TYPES


class CheckFailed(AssertionError):
    """A self-check did not pass; the message says what is wrong and how to look for the fix."""


#: message -> a predicate on the answer, or the answer a trainee with that misconception gets
Misconceptions = Mapping[str, Any]


def _fail(message: str, hint: str | None = None) -> None:
    text = message if not hint else _("{message}\nHint: {hint}").format(message=message, hint=_(hint))
    note = fallback_note()
    raise CheckFailed(f"{text}\n{note}" if note else text)


#: The names a check uses when the exercise gives none; shown in the trainee's language.
DEFAULT_NAMES = frozenset(
    {
        N_("your answer"),
        N_("your table"),
        N_("your series"),
        N_("your function"),
        N_("your result"),
        N_("your layer"),
    }
)


def _shown(name: str) -> str:
    """The name of the answer as a message shows it: a default name is translated, a variable not."""
    return _(name) if name in DEFAULT_NAMES else name


def _passes(run: Callable[[], object]) -> bool:
    """True when a check passes (used to compare an answer with an alternative expected value)."""
    try:
        run()
    except CheckFailed:
        return False
    return True


def _diagnose(
    value: Any,
    misconceptions: Misconceptions | None,
    same_as: Callable[[Any], bool],
    hint: str | None,
) -> None:
    """Fail with the message of the first misconception the answer shows, if any.

    `same_as(alternative)` says whether the answer passes the check when `alternative` takes the
    place of the expected value. A sign that raises (a predicate that does not apply to this
    kind of answer) does not match."""
    for message, sign in (misconceptions or {}).items():
        try:
            shows = bool(sign(value)) if callable(sign) and not isinstance(sign, type) else same_as(sign)
        except Exception:  # a sign that does not apply to this answer
            shows = False
        if shows:
            _fail(_(message), hint)


def _checked(
    run: Callable[[Any], object],
    expected: Any,
    value: Any,
    misconceptions: Misconceptions | None,
    hint: str | None,
    as_expected: Callable[[Any], Any] | None = None,
) -> None:
    """Run a check as `run(expected)`; when it fails, name the misconception the answer shows (if
    any), else report the check's own message. `as_expected` turns a misconception's alternative
    value into what `run` takes, where the two differ (a row count for a frame's (columns, rows))."""
    convert = as_expected or (lambda alternative: alternative)
    try:
        run(expected)
    except CheckFailed:
        _diagnose(value, misconceptions, lambda alternative: _passes(lambda: run(convert(alternative))), hint)
        raise


def labels_are(labels: Iterable[Any]) -> Callable[[Any], bool]:
    """A misconception sign: the answer's index holds exactly these labels (compared as text), in
    any order. For example the district names where the question asks for district codes."""
    want = sorted(map(str, labels))

    def sign(value: Any) -> bool:
        return type(value) in (pd.Series, pd.DataFrame) and sorted(map(str, value.index)) == want

    return sign


def sorted_by_values(value: Any) -> bool:
    """A misconception sign: the Series is ordered by its values (largest or smallest first) and
    not by its labels, as `value_counts()` or `sort_values()` leave it."""
    if type(value) is not pd.Series or len(value) < 3:
        return False
    by_label = list(value.index) == sorted(value.index, key=str)
    by_value = value.is_monotonic_decreasing or value.is_monotonic_increasing
    return bool(by_value and not by_label)


def _type_name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        named = {
            INTEGER_TYPES: _("whole number (int)"),
            NUMBER_TYPES: _("number (int or float)"),
            FLOAT_TYPES: _("decimal number (float)"),
        }
        if t in named:
            return named[t]
        return _(" or ").join(dict.fromkeys(_type_name(x) for x in t))
    module = getattr(t, "__module__", "")
    if module.startswith("pandas"):
        return f"pandas.{t.__name__}"
    if module.startswith("geopandas"):
        return f"geopandas.{t.__name__}"
    if module == "numpy":
        return f"numpy.{t.__name__}"
    return t.__name__


def need(*names: str, hint: str | None = None) -> None:
    """Fail with a clear message when an answer variable has not been created yet.

    Looks the names up in the caller's namespace (the notebook), so a test cell can start with
    ``checks.need("n_clean")`` instead of failing with a bare ``NameError``."""
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    namespace: dict[str, Any] = {}
    if caller is not None:
        namespace = {**caller.f_globals, **caller.f_locals}
    del frame, caller
    missing = [n for n in names if n not in namespace]
    if missing:
        listed = ", ".join(f"`{n}`" for n in missing)
        _fail(
            (
                _(
                    "{listed} does not exist yet. Write your answer in the cell above, make sure it "
                    "assigns {listed}, and run it (Shift+Enter) before this check."
                )
                if len(missing) == 1
                else _(
                    "{listed} do not exist yet. Write your answer in the cell above, make sure it "
                    "assigns {listed}, and run it (Shift+Enter) before this check."
                )
            ).format(listed=listed),
            hint,
        )


def check_type(
    value: Any,
    expected: type | tuple[type, ...],
    name: str = "your answer",
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """The answer must be exactly of this type (or one of these types); subclasses do not pass.
    An alternative expected value is a type (or a tuple of types)."""

    def run(want: type | tuple[type, ...]) -> None:
        allowed = want if isinstance(want, tuple) else (want,)
        if type(value) not in allowed:
            _fail(
                _(
                    "`{name}` should be a {expected}, but it is a {actual}. (Only this exact type counts.)"
                ).format(name=_shown(name), expected=_type_name(want), actual=_type_name(type(value))),
                hint,
            )

    _checked(run, expected, value, misconceptions, hint)


def _as_real_number(value: Any, name: str, integer: bool, hint: str | None) -> float:
    check_type(
        value,
        INTEGER_TYPES if integer else NUMBER_TYPES,
        name,
        hint
        or (
            _("Count with len(...) or .sum(): both give a whole number.")
            if integer
            else _("Use a pandas method such as .mean() or .sum(): it gives one number.")
        ),
    )
    number = float(value)
    if math.isnan(number):
        _fail(
            _("`{name}` is NaN (not a number): something before it produced missing values.").format(
                name=_shown(name)
            ),
            hint,
        )
    return number


def check_number(
    value: Any,
    expected: float,
    name: str = "your answer",
    rtol: float = 1e-6,
    atol: float = 0.0,
    integer: bool = False,
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """A number close to the expected one (``math.isclose``); ``integer=True`` demands a whole
    number type. The message says whether the answer is too high or too low, never the value.
    An alternative expected value is a number, compared with the same tolerance."""
    number = _as_real_number(value, name, integer, hint)

    def run(want: float) -> None:
        target = float(want)
        if not math.isclose(number, target, rel_tol=rtol, abs_tol=atol):
            message = (
                _("`{name}` is not right yet: it is too high.")
                if number > target
                else _("`{name}` is not right yet: it is too low.")
            )
            _fail(message.format(name=_shown(name)), hint)

    _checked(run, expected, value, misconceptions, hint)


def check_text(
    value: Any,
    expected: str,
    name: str = "your answer",
    case: bool = False,
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """A string equal to the expected one (surrounding spaces ignored; case too unless ``case``)."""
    check_type(value, str, name, hint)

    def run(want: str) -> None:
        a, b = str.strip(value), want.strip()
        if not case:
            a, b = a.casefold(), b.casefold()
        if a != b:
            _fail(_("`{name}` is not the expected text.").format(name=_shown(name)), hint)

    _checked(run, expected, value, misconceptions, hint)


def check_equal(
    value: Any,
    expected: Any,
    name: str = "your answer",
    rtol: float = 1e-6,
    atol: float = 0.0,
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """Compare an answer with the expected value, choosing the comparison from the expected
    value's type: numbers with a tolerance, text exactly, lists/tuples/dicts element by element,
    pandas objects with pandas' own testing functions (values with a tolerance). An alternative
    expected value is compared the same way."""
    _checked(
        lambda want: _check_equal(value, want, name, rtol, atol, hint), expected, value, misconceptions, hint
    )


def _check_equal(value: Any, expected: Any, name: str, rtol: float, atol: float, hint: str | None) -> None:
    if type(expected) is bool:
        check_type(value, (bool, np.bool_), name, hint)
        if bool(value) is not expected:
            _fail(_("`{name}` is not right yet.").format(name=_shown(name)), hint)
    elif type(expected) in INTEGER_TYPES:
        check_number(value, expected, name, rtol=0, atol=0, integer=True, hint=hint)
    elif type(expected) in FLOAT_TYPES:
        check_number(value, expected, name, rtol=rtol, atol=atol, hint=hint)
    elif type(expected) is str:
        check_text(value, expected, name, case=True, hint=hint)
    elif type(expected) in (list, tuple):
        check_type(value, type(expected), name, hint)
        if len(value) != len(expected):
            _fail(
                _("`{name}` should have {expected} items, but it has {actual}.").format(
                    name=_shown(name), expected=len(expected), actual=len(value)
                ),
                hint,
            )
        for i, (v, e) in enumerate(zip(value, expected)):
            _check_equal(v, e, f"{name}[{i}]", rtol, atol, hint)
    elif type(expected) is dict:
        check_type(value, dict, name, hint)
        missing = [k for k in expected if k not in value]
        extra = [k for k in value if k not in expected]
        if missing or extra:
            _fail(
                _("`{name}` has the wrong keys (missing {missing}, unexpected {unexpected}{listed}).").format(
                    name=_shown(name),
                    missing=len(missing),
                    unexpected=len(extra),
                    listed=": " + ", ".join(map(repr, extra[:5])) if extra else "",
                ),
                hint,
            )
        for k in expected:
            _check_equal(value[k], expected[k], f"{name}[{k!r}]", rtol, atol, hint)
    elif isinstance(expected, pd.Series):
        check_series(value, name=name, index=list(expected.index), hint=hint)
        _values_close(value, expected, name, rtol, atol, hint)
    elif isinstance(expected, pd.DataFrame):
        check_frame(value, columns=list(expected.columns), n_rows=len(expected), name=name, hint=hint)
        for col in expected.columns:
            _values_close(
                value[col].reset_index(drop=True),
                expected[col].reset_index(drop=True),
                f"{name}['{col}']",
                rtol,
                atol,
                hint,
            )
    else:  # pragma: no cover - a mistake in an exercise, not in an answer
        raise TypeError(f"check_equal cannot compare a {type(expected).__name__}")


def _values_close(
    value: pd.Series, expected: pd.Series, name: str, rtol: float, atol: float, hint: str | None
) -> None:
    if pd.api.types.is_numeric_dtype(expected.dtype) and not pd.api.types.is_bool_dtype(expected.dtype):
        if not pd.api.types.is_numeric_dtype(value.dtype) or pd.api.types.is_bool_dtype(value.dtype):
            _fail(
                _("`{name}` should hold numbers, but its type is {dtype}.").format(
                    name=_shown(name), dtype=value.dtype
                ),
                hint,
            )
        got = value.to_numpy(dtype="float64", na_value=np.nan)
        want = expected.to_numpy(dtype="float64", na_value=np.nan)
        ok = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        if not ok.all():
            _fail(
                _("{wrong} of the {total} values of `{name}` are not right yet.").format(
                    wrong=int((~ok).sum()), total=len(ok), name=_shown(name)
                ),
                hint,
            )
    else:
        got = value.astype("object").where(value.notna(), None).tolist()
        want = expected.astype("object").where(expected.notna(), None).tolist()
        wrong = sum(1 for g, w in zip(got, want) if not (type(g) is type(w) and g == w))
        if wrong:
            _fail(
                _("{wrong} of the {total} values of `{name}` are not right yet.").format(
                    wrong=wrong, total=len(want), name=_shown(name)
                ),
                hint,
            )


def check_frame(
    value: Any,
    columns: Iterable[str] | None = None,
    n_rows: int | None = None,
    name: str = "your table",
    geo: bool = False,
    exact_columns: bool = False,
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """A DataFrame (a GeoDataFrame if ``geo``) with these columns and this many rows. An
    alternative expected value is a number of rows (an int) or a list of columns."""
    import geopandas as gpd

    allowed = (gpd.GeoDataFrame,) if geo else (pd.DataFrame, gpd.GeoDataFrame)
    check_type(value, allowed, name, hint)
    cols = list(columns) if columns is not None else None

    def run(want: tuple[list[str] | None, int | None]) -> None:
        want_cols, want_rows = want
        if want_cols is not None:
            missing = [c for c in want_cols if c not in value.columns]
            if missing:
                _fail(
                    _(
                        "`{name}` is missing the column(s) {missing}. Its columns are {columns}. "
                        "(If a name you need is the index, use .reset_index().)"
                    ).format(
                        name=_shown(name),
                        missing=", ".join(map(repr, missing)),
                        columns=", ".join(map(repr, map(str, value.columns))),
                    ),
                    hint,
                )
            if exact_columns and list(value.columns) != want_cols:
                _fail(
                    _("`{name}` should have exactly the columns {columns}, in that order.").format(
                        name=_shown(name), columns=want_cols
                    ),
                    hint,
                )
        if want_rows is not None and len(value) != want_rows:
            message = (
                _("`{name}` has {rows:,} rows: that is too many.")
                if len(value) > want_rows
                else _("`{name}` has {rows:,} rows: that is too few.")
            )
            _fail(message.format(name=_shown(name), rows=len(value)), hint)

    def as_expected(alternative: Any) -> tuple[list[str] | None, int | None]:
        if type(alternative) in INTEGER_TYPES:
            return cols, int(alternative)
        return list(alternative), n_rows

    _checked(run, (cols, n_rows), value, misconceptions, hint, as_expected)


_KINDS = {
    "integer": (
        pd.api.types.is_integer_dtype,
        N_("whole numbers (int)"),
        N_("Use .astype(int) or pd.to_numeric(...) after removing what is not a digit."),
    ),
    "number": (
        pd.api.types.is_numeric_dtype,
        N_("numbers"),
        N_("Use pd.to_numeric(...) (after removing thousands separators if there are any)."),
    ),
    "text": (
        lambda d: pd.api.types.is_string_dtype(d) or pd.api.types.is_object_dtype(d),
        N_("text"),
        N_("Keep codes as text so leading zeros survive: .astype(str) or dtype=str when reading."),
    ),
    "datetime": (pd.api.types.is_datetime64_any_dtype, N_("dates/times"), N_("Use pd.to_datetime(...).")),
    "bool": (
        pd.api.types.is_bool_dtype,
        N_("True/False values"),
        N_("Compare with a condition, e.g. df['x'] > 0."),
    ),
}


def check_column_kind(
    frame: Any,
    column: str,
    kind: str,
    name: str = "your table",
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """A column of a DataFrame holds this kind of value: integer, number, text, datetime or bool
    (booleans do not count as numbers). A predicate receives the column; an alternative expected
    value is another kind (for example "integer" for codes read as numbers)."""
    check_frame(frame, columns=[column], name=name)

    def run(want: str) -> None:
        test, label, default_hint = _KINDS[want]
        dtype = frame[column].dtype
        ok = test(dtype) and (want == "bool" or not pd.api.types.is_bool_dtype(dtype))
        if ok and want == "text":
            ok = all(type(v) is str for v in frame[column].dropna().head(1000))
        if not ok:
            _fail(
                _("The column `{column}` of `{name}` should hold {label}, but its type is {dtype}.").format(
                    column=column, name=_shown(name), label=_(label), dtype=dtype
                ),
                hint or default_hint,
            )

    _checked(run, kind, frame[column], misconceptions, hint)


def check_series(
    value: Any,
    name: str = "your series",
    index: Sequence[Any] | None = None,
    n: int | None = None,
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """A pandas Series (exactly), optionally with this index (any order) or this length. An
    alternative expected value is a length (an int) or a list of index labels."""
    check_type(value, pd.Series, name, hint)
    want_index = list(index) if index is not None else None

    def run(want: tuple[list[Any] | None, int | None]) -> None:
        labels, length = want
        if length is not None and len(value) != length:
            message = (
                _("`{name}` has {count} values: that is too many.")
                if len(value) > length
                else _("`{name}` has {count} values: that is too few.")
            )
            _fail(
                message.format(name=_shown(name), count=len(value)),
                hint,
            )
        if labels is not None:
            got = list(value.index)
            if len(got) != len(labels) or set(map(str, got)) != set(map(str, labels)):
                _fail(
                    _(
                        "`{name}` does not have the expected index labels (the labels on the left of "
                        "each value): it has {got}, and {want} are expected."
                    ).format(name=_shown(name), got=len(got), want=len(labels)),
                    hint,
                )
            if got != labels:
                _fail(
                    _(
                        "`{name}` has the right labels but in a different order (or a different type "
                        "of label): sort it, or put it in the order the question asks."
                    ).format(name=_shown(name)),
                    hint,
                )

    def as_expected(alternative: Any) -> tuple[list[Any] | None, int | None]:
        if type(alternative) in INTEGER_TYPES:
            return want_index, int(alternative)
        return list(alternative), n

    _checked(run, (want_index, n), value, misconceptions, hint, as_expected)


def check_values(
    value: Any,
    name: str,
    minimum: float | None = None,
    maximum: float | None = None,
    no_missing: bool = True,
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """Every value of a Series (or 1-D array) lies within [minimum, maximum] and none is missing.
    An alternative expected value is a ``(minimum, maximum)`` range."""
    check_type(value, (pd.Series, np.ndarray), name, hint)
    s = pd.Series(value)
    if no_missing and s.isna().any():
        _fail(
            _("`{name}` has {count} missing value(s).").format(name=_shown(name), count=int(s.isna().sum())),
            hint,
        )

    def run(want: tuple[float | None, float | None]) -> None:
        low, high = want
        if low is not None and (s < low).any():
            _fail(
                _("`{name}` has {count} value(s) below {minimum}.").format(
                    name=_shown(name), count=int((s < low).sum()), minimum=low
                ),
                hint,
            )
        if high is not None and (s > high).any():
            _fail(
                _("`{name}` has {count} value(s) above {maximum}.").format(
                    name=_shown(name), count=int((s > high).sum()), maximum=high
                ),
                hint,
            )

    _checked(run, (minimum, maximum), value, misconceptions, hint)


def check_function(
    func: Any,
    cases: Sequence[tuple[tuple[Any, ...], Any]],
    name: str = "your function",
    rtol: float = 1e-6,
    atol: float = 0.0,
    hint: str | None = None,
    show_inputs: bool = True,
    misconceptions: Misconceptions | None = None,
) -> None:
    """Call a function the trainee wrote on each (args, expected) case and compare the result
    with :func:`check_equal`. The message names the failing input (if ``show_inputs``), never
    the expected output. An alternative expected value is a list with one result per case (what
    a function with that mistake returns); a predicate receives the function."""
    if not callable(func) or type(func).__name__ not in ("function", "builtin_function_or_method"):
        _fail(
            _("`{name}` should be a function you define with `def {name}(...):`.").format(name=_shown(name)),
            hint,
        )

    def run(want: Sequence[Any]) -> None:
        if len(want) != len(cases):  # pragma: no cover - a mistake in an exercise, not in an answer
            raise ValueError("a misconception of check_function needs one result per case")
        for (args, _case_expected), expected in zip(cases, want):
            shown = ", ".join(_short(a) for a in args) if show_inputs else _("one of the test inputs")
            try:
                # a copy for each call: a function that changes its input cannot change the next case
                result = func(*copy.deepcopy(args))
            except Exception as exc:  # the trainee's error, reported as a failed check
                _fail(
                    _("`{name}({shown})` raised {error}: {detail}").format(
                        name=_shown(name), shown=shown, error=type(exc).__name__, detail=exc
                    ),
                    hint,
                )
            try:
                check_equal(result, expected, f"{name}({shown})", rtol=rtol, atol=atol, hint=None)
            except CheckFailed as exc:
                _fail(str(exc), hint)

    _checked(run, [case_expected for _args, case_expected in cases], func, misconceptions, hint)


def require(condition: Any, message: str, hint: str | None = None) -> None:
    """Fail with `message` unless `condition` holds: for a rule of one question that no other
    check states (for example "no row still holds the total")."""
    if not bool(condition):
        _fail(_(message), hint)


def check_index(
    value: Any,
    expected: Iterable[Any],
    name: str = "your result",
    as_int: bool = False,
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """The index labels of a Series or DataFrame are `expected`, in this order. Labels are compared
    as text (so a gu code read as a number still counts), or as whole numbers with `as_int`
    (hours, years). An alternative expected value is another list of labels (for example the
    labels in the order of the values)."""
    check_type(value, (pd.Series, pd.DataFrame), name, hint)
    try:
        got = [int(x) if as_int else str(x) for x in value.index]
    except (TypeError, ValueError):
        _fail(
            _("`{name}` should be indexed by whole numbers, but some labels are not numbers.").format(
                name=_shown(name)
            ),
            hint,
        )

    def run(labels: Iterable[Any]) -> None:
        want = [int(x) if as_int else str(x) for x in labels]
        if sorted(got) != sorted(want):
            _fail(
                _(
                    "`{name}` does not have the expected index labels (the labels on the left of each "
                    "value): it has {got}, and {want} are expected."
                ).format(name=_shown(name), got=len(got), want=len(want)),
                hint,
            )
        if got != want:
            _fail(
                _(
                    "`{name}` has the right index labels but in a different order: sort it as the question asks."
                ).format(name=_shown(name)),
                hint,
            )

    _checked(run, list(expected), value, misconceptions, hint)


def check_whole_numbers(
    value: Any,
    name: str = "your result",
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """A Series (or DataFrame column) that holds whole numbers (counts or totals), not decimals.
    Misconceptions here are predicates (there is no expected value to replace)."""
    check_type(value, pd.Series, name, hint)
    if not pd.api.types.is_integer_dtype(value.dtype):
        _diagnose(value, misconceptions, lambda alt: False, hint)
        decimals = _(" (numbers with decimals)") if pd.api.types.is_float_dtype(value.dtype) else ""
        _fail(
            _(
                "`{name}` should hold whole numbers (counts or totals), but it holds {dtype} values{decimals}."
            ).format(name=_shown(name), dtype=value.dtype, decimals=decimals),
            hint,
        )


def check_between(
    value: Any,
    low: float,
    high: float,
    name: str = "your answer",
    too_low: str | None = None,
    too_high: str | None = None,
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """A number strictly between `low` and `high`: a plausibility check (a share in percent, a
    length in km) that says which way it is off. `too_low` / `too_high` explain the usual cause.
    An alternative expected value is a ``(low, high)`` range where a known mistake lands."""
    number = _as_real_number(value, name, integer=False, hint=hint)

    def run(want: tuple[float, float]) -> None:
        lo, hi = want
        if not number > lo:
            _fail(
                _(too_low)
                if too_low
                else _("`{name}` is {number:g}: that is too small to be right.").format(
                    name=_shown(name), number=number
                ),
                hint,
            )
        if not number < hi:
            _fail(
                _(too_high)
                if too_high
                else _("`{name}` is {number:g}: that is too large to be right.").format(
                    name=_shown(name), number=number
                ),
                hint,
            )

    _checked(run, (low, high), value, misconceptions, hint)


def check_raises(
    func: Any,
    args: tuple[Any, ...],
    exception: type[BaseException] = ValueError,
    name: str = "your function",
    show_inputs: bool = True,
    hint: str | None = None,
) -> None:
    """Calling the trainee's function on bad input raises `exception` (on a copy of the input)."""
    shown = ", ".join(_short(a) for a in args) if show_inputs else _("a bad input")
    try:
        func(*copy.deepcopy(args))
    except exception:
        return
    except Exception as exc:  # the wrong error is a failed check, not a crash of the test
        _fail(
            _("`{name}({shown})` raised {error}, but it should raise {expected}.").format(
                name=_shown(name), shown=shown, error=type(exc).__name__, expected=exception.__name__
            ),
            hint,
        )
    _fail(
        _("`{name}({shown})` should raise {expected}, but it returned a value.").format(
            name=_shown(name), shown=shown, expected=exception.__name__
        ),
        hint,
    )


def _short(value: Any) -> str:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return _("<{kind} with {rows} rows>").format(kind=type(value).__name__, rows=len(value))
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_crs(
    value: Any,
    epsg: int,
    name: str = "your layer",
    hint: str | None = None,
    misconceptions: Misconceptions | None = None,
) -> None:
    """A GeoDataFrame (or GeoSeries) whose coordinate reference system is this EPSG code. An
    alternative expected value is another EPSG code (4326: still in degrees)."""
    import geopandas as gpd

    check_type(value, (gpd.GeoDataFrame, gpd.GeoSeries), name, hint)
    if value.crs is None:
        _fail(_("`{name}` has no coordinate reference system (crs is None).").format(name=_shown(name)), hint)

    def run(want: int) -> None:
        if value.crs.to_epsg() != want:
            _fail(
                _(
                    "`{name}` is in {crs} (EPSG:{epsg}), which is not the coordinate reference system "
                    "(CRS) the question asks for."
                ).format(name=_shown(name), crs=value.crs.name, epsg=value.crs.to_epsg()),
                hint,
            )

    _checked(run, epsg, value, misconceptions, hint)


def passed(label: str = "") -> None:
    """Print a short success line at the end of a test cell, so trainees see it worked."""
    print(_("Passed: {label}. Well done.").format(label=label) if label else _("Passed. Well done."))
