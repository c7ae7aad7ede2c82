"""The grading pipeline around nbgrader."""
