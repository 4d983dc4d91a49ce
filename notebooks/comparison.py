# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["lab-only"]
# # Scenarios compared · 情景比较
#
# The probability of attaining each target under every scenario of one run, read from
# the run's `summary.csv` (one row per target and scenario). A scenario changes
# assumptions, not data: the same history and models underlie every column, so the
# differences come from the assumptions each scenario's params file states.

# %% tags=["parameters"]
from typing import Optional  # papermill reads no `str | None`

run_dir: str = ""  # folder of a run (its summary.csv); "": the newest run under reports/
lang: Optional[str] = None  # language of chart labels and names: "zh" or "en"; None: the default plan's
output_dir: str = ""  # folder for the figures (PNG); "": reports/notebooks/comparison

# %%
import pandas as pd
from IPython.display import HTML, display

from xmforecast import report, scenario_from_parameters

settings = scenario_from_parameters(dict(scenario="comparison", lang=lang))
run = report.newest_run(run_dir)
out = report.output_folder(output_dir, "comparison")
summary = pd.read_csv(run / "summary.csv")
assessed = summary[summary["base_value"].notna()]  # targets with a baseline
display(HTML(report.render_section("comparison", settings.lang, table=report.scenario_titles(summary, settings.lang))))

# %%
fig = report.comparison_chart(assessed, lang=settings.lang)
report.publish(fig, out / "comparison.png")

# %%
display(HTML(report.comparison_table(assessed, settings.lang)))

# %%
display(HTML(report.render_section("comparison_expected", settings.lang)))
display(HTML(report.comparison_table(assessed, settings.lang, value="expected")))
