"""The six invariants of the nbgrader exercises, checked with the real nbgrader (issue 6).

One throw-away course directory per assignment is graded once per test worker (cached), and
every invariant reads from it: release, solution, blank, wrong-answer rounds, feedback. The
tests of one assignment share an xdist group, so they run on one worker and grade only once.
"""

from __future__ import annotations

import exercise_harness as h
import pytest

ASSIGNMENTS = h.assignments()
PARAMS = [pytest.param(a, marks=pytest.mark.xdist_group(f"exercise-{a}"), id=a) for a in ASSIGNMENTS]

_cache: dict[str, h.Graded | Exception] = {}


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    def get(assignment: str) -> h.Graded:
        if assignment not in _cache:
            try:
                _cache[assignment] = h.grade_assignment(assignment, tmp_path_factory.mktemp(assignment))
            except Exception as exc:  # grade once; every test of the assignment reports it
                _cache[assignment] = exc
        result = _cache[assignment]
        if isinstance(result, Exception):
            raise result
        return result

    return get


def test_assignments_exist():
    expected = {
        "m0-orientation",
        "m1-initiatives",
        "m2-big-data",
        "m3-owl-bus",
        "m4-implementation",
        "m5-sustainable",
        "capstone",
    }
    missing = expected - set(ASSIGNMENTS)
    assert not missing, f"missing assignments: {sorted(missing)}"


# 1. Every source notebook generates a release without error -----------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("assignment", PARAMS)
def test_release_generates(graded, assignment):
    g = graded(assignment)
    assert g.release.exists(), g.log
    student = h.nbformat.read(g.release, as_version=4)
    stubs = [c for c in student.cells if h.nbgrader_meta(c).get("solution") and c.cell_type == "code"]
    assert len(stubs) == len(g.questions)
    for c in stubs:
        assert "raise NotImplementedError()" in c.source, c.source


# 2. The solution earns full autograded marks ------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("assignment", PARAMS)
def test_solution_earns_full_marks(graded, assignment):
    g = graded(assignment)
    for q in g.questions:
        got = g.scores["solution"][q.test_id]
        assert got == q.points, f"{assignment}/{q.test_id}: solution scored {got} of {q.points}"


# 3. The blank release earns zero and does not crash the grader ------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("assignment", PARAMS)
def test_blank_earns_zero(graded, assignment):
    g = graded(assignment)
    assert g.autograded("blank").exists(), "the grader produced no autograded copy of the blank notebook"
    for q in g.questions:
        got = g.scores["blank"][q.test_id]
        assert got == 0, f"{assignment}/{q.test_id}: the blank notebook scored {got}"


# 4. Every autograded question has >= 2 plausible wrong answers, and each costs its points ---
@pytest.mark.slow
@pytest.mark.parametrize("assignment", PARAMS)
def test_wrong_answers_lose_their_points(graded, assignment):
    g = graded(assignment)
    assert g.rounds, f"no wrong-answer fixtures for {assignment}"
    for student, plan in g.rounds.items():
        for q in g.questions:
            got = g.scores[student][q.test_id]
            if plan[q.answer_id] == "wrong":
                assert got == 0, (
                    f"{assignment}/{student}: the wrong answer to {q.answer_id} still earned {got}"
                )
            else:
                assert got == q.points, (
                    f"{assignment}/{student}: the correct answer to {q.answer_id} earned {got} of "
                    f"{q.points}: a wrong answer elsewhere cost this question points"
                )


# 4b. Each wrong answer is told its misconception: the message of its fixture is what its test cell
#     says, and the trainee's feedback shows it (the test's output, not only the test's source)
@pytest.mark.slow
@pytest.mark.parametrize("assignment", PARAMS)
def test_wrong_answers_get_their_targeted_message(graded, assignment):
    g = graded(assignment)
    messages = h.wrong_messages(assignment)
    release = h.visible_text(g.release)
    for student, plan in g.picks.items():
        autograded = h.nbformat.read(g.autograded(student), as_version=4)
        said = {h.nbgrader_meta(c).get("grade_id"): h.error_text(c) for c in autograded.cells}
        feedback = h.visible_text(g.feedback(student))
        for q in g.questions:
            k = plan[q.answer_id]
            if k is None:
                continue
            message = messages[q.answer_id][k]
            where = f"{assignment}/{student}/{q.answer_id} (wrong answer {k + 1})"
            assert message, f"{where}: the fixture has no targeted message"
            assert message in said[q.test_id], f"{where}: the test said {said[q.test_id]!r}, not {message!r}"
            assert feedback.count(message) > release.count(message), (
                f"{where}: the feedback does not show the message {message!r}"
            )


# 5. No solution code and no hidden-test text in any release or generated feedback -----------
@pytest.mark.slow
@pytest.mark.parametrize("assignment", PARAMS)
def test_nothing_secret_leaks(graded, assignment):
    g = graded(assignment)
    secrets = h.secret_lines(h.source_notebook(assignment))
    assert secrets["solution"] and secrets["hidden"], "nothing to look for: the secret-line scan is broken"
    places = {"release": h.visible_text(g.release)}
    for student in g.scores:
        places[f"feedback of {student}"] = h.visible_text(g.feedback(student))
    for where, text in places.items():
        assert "BEGIN HIDDEN TESTS" not in text, where
        leaked = h.leaked(secrets["hidden"], text)
        assert not leaked, f"{assignment}: hidden-test lines in the {where}: {leaked[:3]}"
        # trainees' own (correct) answers legitimately appear in their feedback
        if where in ("release", "feedback of blank"):
            assert "BEGIN SOLUTION" not in text, where
            leaked = h.leaked(secrets["solution"], text)
            assert not leaked, f"{assignment}: solution lines in the {where}: {leaked[:3]}"


# 6. The grading pipeline, whose judge runs the tests outside the trainee's kernel, gives every
#    question of every submission the same score as plain nbgrader (answers cross as data)
@pytest.mark.slow
@pytest.mark.parametrize("assignment", PARAMS)
def test_pipeline_scores_equal_plain_nbgrader(graded, assignment, tmp_path):
    import shutil

    from nbgrader.api import Gradebook

    from smartseoul.grading import autograde
    from smartseoul.grading.course import Course
    from smartseoul.grading.release import release
    from smartseoul.grading.sandbox import Limits

    g = graded(assignment)
    root = tmp_path / "course"
    (root / "grading").mkdir(parents=True)
    shutil.copy2(h.ROOT / "grading" / "nbgrader_config.py", root / "grading" / "nbgrader_config.py")
    (root / "exercises" / assignment).mkdir(parents=True)
    shutil.copy2(h.EXERCISES / assignment / f"{assignment}.ipynb", root / "exercises" / assignment)
    course = Course.at(root)
    release(course, assignment)
    for student in g.scores:
        target = course.submitted_dir(student, assignment)
        target.mkdir(parents=True)
        shutil.copy2(g.course / "submitted" / student / assignment / f"{assignment}.ipynb", target)
    summary = autograde.autograde(
        course, assignment, workers=2, limits=Limits(cell_timeout=60, notebook_timeout=300)
    )
    assert sorted(summary.graded) == sorted(g.scores) and not summary.errors
    # the "solution" is the source notebook itself: its test cells hold the hidden tests, which a
    # trainee's copy does not, so it is (rightly) flagged as test-edited; the others are honest
    honest_flagged = [s for s in summary.flagged if s != "solution"]
    assert not honest_flagged, f"honest submissions were flagged: {honest_flagged}"
    with Gradebook(course.db_url, course_id="smart-seoul-data-lab") as gb:
        for student, plain in g.scores.items():
            sub = gb.find_submission_notebook(assignment, assignment, student)
            piped = {x.name: x.auto_score for x in sub.grades}
            assert piped == plain, f"{assignment}/{student}: pipeline {piped} != plain nbgrader {plain}"
