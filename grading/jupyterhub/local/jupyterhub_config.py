"""JupyterHub configuration of `make hub` / `smartseoul hub start` (one machine, 127.0.0.1).

Everything comes from the course settings through smartseoul.hub.config, the same values the
TLJH and Z2JH files in this folder's siblings are rendered from: NativeAuthenticator (an instructor
approves each sign-up), one Unix account per trainee (LocalProcessSpawner), servers in the course
environment, nbgrader's exchange and formgrader for the instructors, and the idle culler.
"""

from smartseoul.hub.config import configure_local

configure_local(get_config())  # noqa: F821  (provided by JupyterHub when it reads this file)
