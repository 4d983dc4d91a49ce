# JupyterLab on the project's notebooks (`make lab` passes this file with --config).
# A notebook is saved as it is committed: no outputs, execution counts, widget state or
# session metadata (xmforecast/lab.py), so running and autosaving leaves git status clean.
c.ContentsManager.pre_save_hook = "xmforecast.lab.clean_notebook"  # noqa: F821 (c: the config object)
