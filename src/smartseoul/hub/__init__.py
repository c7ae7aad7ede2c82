"""The course's JupyterHub: `smartseoul hub start|stop|status|...` (what `make hub` runs).

One set of values (`HubPlan`, from `smartseoul.settings`) drives the three ways the course runs on
a hub: the hub started here (`grading/jupyterhub/local/jupyterhub_config.py` calls
`configure_local`), The Littlest JupyterHub (`tljh/jupyterhub_config.d-smartseoul.py`) and Zero to
JupyterHub (`z2jh/config.yaml`), both written by `render_tljh` / `render_z2jh`
(`smartseoul hub render`), and a test fails when the committed files differ from them.
"""

from __future__ import annotations

from .config import (
    HubPlan,
    configure_local,
    formgrade_group,
    plan,
    render_tljh,
    render_z2jh,
    unix_account,
)

__all__ = [
    "HubPlan",
    "configure_local",
    "formgrade_group",
    "plan",
    "render_tljh",
    "render_z2jh",
    "unix_account",
]
