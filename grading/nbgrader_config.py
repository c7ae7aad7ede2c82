"""nbgrader configuration for the Smart Seoul Data Lab course (course root: this folder).

nbgrader stays the system of record (gradebook.db, formgrader, feedback, export); the
`smartseoul grade ...` pipeline wraps it (see README.md in this folder).
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

_here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = os.environ.get(
    "SMARTSEOUL_COURSE_ID", "smart-seoul-data-lab"
)  # one id per cohort on a hub
c.CourseDirectory.root = _here
# The nbgrader *source* notebooks (with solutions and hidden tests) live in ../exercises,
# next to the book, so there is one copy of every assignment.
c.CourseDirectory.source_directory = os.path.join("..", "exercises")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_here, "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]

# Student versions: the usual stub, and never ship hidden tests.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Plain `nbgrader autograde` (used by the benchmark for comparison) gets sensible limits too.
c.Execute.timeout = 30
c.Execute.allow_errors = True
c.LimitOutput.max_lines = 200
