"""The assignments: their notebooks in exercises/ are the source, and this package reads them.

An instructor edits `exercises/<name>/<name>.ipynb` in JupyterLab, with nbgrader's Create
Assignment toolbar, and runs `smartseoul exercises lint` to check the course's rules.
"""
