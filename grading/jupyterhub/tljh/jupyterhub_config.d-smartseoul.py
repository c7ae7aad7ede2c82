"""The Littlest JupyterHub: hub settings for a Smart Seoul Data Lab cohort.

Installed by setup-course.sh as /opt/tljh/config/jupyterhub_config.d/smartseoul.py, then
`sudo tljh-config reload hub`. TLJH gives every user a real Unix account (jupyter-<login>), so
nbgrader's exchange folder permissions keep each trainee's submission private.
"""

import os

c = get_config()  # noqa: F821  (provided by JupyterHub when it reads this file)

# Every user server knows the course and where the exchange is (read by nbgrader_config.py).
c.Spawner.environment.update(
    {
        "SMARTSEOUL_COURSE_ID": os.environ.get("SMARTSEOUL_COURSE_ID", "smart-seoul-data-lab"),
        "SMARTSEOUL_EXCHANGE_ROOT": os.environ.get("SMARTSEOUL_EXCHANGE_ROOT", "/srv/nbgrader/exchange"),
        # Inline figures in notebooks (never inherit a non-interactive backend from the system).
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
)
# Trainees land in JupyterLab, where the Assignments panel (nbgrader) lives.
c.Spawner.default_url = "/lab"
