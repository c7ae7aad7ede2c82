"""nbgrader settings shared by every account on the course's JupyterHub (trainees and instructors).

Installed as ``<user environment>/etc/jupyter/nbgrader_config.py`` (The Littlest JupyterHub:
/opt/tljh/user/etc/jupyter/; Zero to JupyterHub: the image's /etc/jupyter/). Both values can be
changed per server without editing this file, through environment variables:

- SMARTSEOUL_COURSE_ID      the course name in the exchange (one per cohort, e.g. smartseoul-2026-spring)
- SMARTSEOUL_EXCHANGE_ROOT  the shared folder nbgrader exchanges notebooks through

The instructor's own course folder (the checkout's grading/nbgrader_config.py) is read after this
file and may add to it; it must not set a different course id.
"""

import os

c = get_config()  # noqa: F821  (provided by nbgrader when it reads this file)

c.CourseDirectory.course_id = os.environ.get("SMARTSEOUL_COURSE_ID", "smart-seoul-data-lab")
c.Exchange.root = os.environ.get("SMARTSEOUL_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
