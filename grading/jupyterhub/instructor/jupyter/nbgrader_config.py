"""nbgrader settings for an instructor's account on the course's JupyterHub.

Installed as the instructor's ``~/.jupyter/nbgrader_config.py``. It tells the formgrader (which
starts in the home folder on a hub) where the course folder is: the ``grading/`` folder of the
instructor's checkout of the course. nbgrader then also reads that folder's own
nbgrader_config.py, exactly as `make lab` does on a laptop.
"""

import os

c = get_config()  # noqa: F821  (provided by nbgrader when it reads this file)

c.CourseDirectory.root = os.environ.get(
    "SMARTSEOUL_COURSE_ROOT", os.path.expanduser("~/smart-seoul-data-lab/grading")
)
