"""Smart Seoul Data Lab: shared code for the course (data, maps, plots, checks, grading)."""

__version__ = "0.1.0"
