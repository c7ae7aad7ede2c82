"""Fast checks of the exercise notebooks' structure (no nbgrader run): what issue 6 asks of
every assignment. The per-cell rules are `smartseoul exercises lint`'s (tests/exercises/test_lint.py)."""

from __future__ import annotations

import ast

import exercise_harness as h
import pytest

from smartseoul.exercises import lint

SKILLS = {"cleaning", "aggregation", "indicator", "spatial", "function"}


def test_every_assignment_passes_the_lint():
    found = lint.lint_course(h.EXERCISES)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("assignment", h.assignments())
def test_assignment_shape(assignment):
    nb = h.source_notebook(assignment)
    qs = h.questions(nb)
    manual = h.manual_cells(nb)
    assert len(qs) >= 5, f"{assignment}: {len(qs)} autograded questions, at least 5 needed"
    assert {q.skill for q in qs} >= SKILLS, f"{assignment}: skills covered {sorted({q.skill for q in qs})}"
    assert manual, f"{assignment}: no manually graded written answer"
    total = sum(q.points for q in qs) + sum(p for _, p in manual)
    assert 10 <= total <= 20, f"{assignment}: worth {total} points"


@pytest.mark.parametrize("assignment", h.assignments())
def test_every_question_has_two_wrong_answers(assignment):
    wrong = h.wrong_answers(assignment)
    for q in h.questions(h.source_notebook(assignment)):
        assert len(wrong.get(q.answer_id, [])) >= 2, (
            f"{assignment}/{q.answer_id}: fewer than 2 wrong answers in fixtures"
        )
    unknown = set(wrong) - {q.answer_id for q in h.questions(h.source_notebook(assignment))}
    assert not unknown, f"fixtures name answer cells that do not exist: {sorted(unknown)}"


def _texts(source: str) -> str:
    """The string literals of a test cell, each as Python joins it (adjacent literals are one)."""
    tree = ast.parse(source)
    return "\n".join(
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


@pytest.mark.parametrize("assignment", h.assignments())
def test_every_wrong_answer_has_a_targeted_message_in_its_test(assignment):
    """Fast half of invariant 4b: each fixture names the message its misconception gets, and that
    message is written in the question's test cell (visible or hidden part)."""
    nb = h.source_notebook(assignment)
    tests = {
        q.answer_id: _texts(
            next(c.source for c in nb.cells if h.nbgrader_meta(c).get("grade_id") == q.test_id)
        )
        for q in h.questions(nb)
    }
    for qid, messages in h.wrong_messages(assignment).items():
        for k, message in enumerate(messages, start=1):
            assert message, f"{assignment}/{qid}: wrong answer {k} has no `message`"
            assert message in tests[qid], (
                f"{assignment}/{qid}: wrong answer {k}'s message {message!r} is in no check"
            )


def test_wrong_rounds_put_correct_answers_beside_wrong_ones():
    qs = [h.Question(f"q{i}", f"q{i}_test", 2, "x") for i in range(5)]
    rounds = h.wrong_rounds(qs, {f"q{i}": ["a", "b"] for i in range(5)})
    assert len(rounds) == 4
    for plan in rounds.values():
        assert {"wrong", None} != set(plan.values())
        assert any(v is None for v in plan.values()) and any(v is not None for v in plan.values())
    tried = {(q, k) for plan in rounds.values() for q, k in plan.items() if k is not None}
    assert tried == {(f"q{i}", k) for i in range(5) for k in (0, 1)}


def test_secret_scan_finds_planted_lines():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = compute_the_answer(42)\n### END SOLUTION"),
        nbformat.v4.new_code_cell(
            "check(answer)\n### BEGIN HIDDEN TESTS\nassert answer == secret_value_123\n### END HIDDEN TESTS"
        ),
    ]
    found = h.secret_lines(nb)
    assert found["solution"] == {"answer = compute_the_answer(42)"}
    assert found["hidden"] == {"assert answer == secret_value_123"}


def test_leak_matcher_finds_whole_lines_and_long_fragments():
    secret = {"assert answer == secret_value_123", "x = compute_the_long_and_specific_answer(42, 'abc')"}
    assert h.leaked(secret, "intro\n  assert answer == secret_value_123  \n") == [
        "assert answer == secret_value_123"
    ]
    assert h.leaked(secret, "<b>x = compute_the_long_and_specific_answer(42, 'abc')</b>") == [
        "x = compute_the_long_and_specific_answer(42, 'abc')"
    ]
    assert h.leaked(secret, "checks.check(answer)\nprint('nothing secret')") == []
