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

# %% [markdown]
# # Explore the assumptions · 假设探索
#
# Open in JupyterLab (`make lab`) and run all cells: move a slider or pick another target
# and its probability of attainment and fan chart are simulated again under the changed
# assumptions. The parameters below are those of a scenario file (`params/*.yaml`), the
# starting point of the sliders.
#
# - **growth shift**: added to the indicator's expected annual growth [fraction/year];
# - **renewal rate**: share of expiring certificates renewed (shown only for a
#   plan with a stock of certificates; "implied by the data" takes the rate that reproduces
#   last observed stock);
# - **new certifications**: first-time certifications per year (the same stock only;
#   "projected from history" continues their trend);
# - **volatility**: multiplies the spread of the simulated paths.

# %% tags=["parameters"]
from typing import Optional  # papermill reads no `int | None`

# A scenario parameter left None takes the plan's default (scenario_defaults.yaml beside its
# registry), else the library's; a key whose None has a meaning of its own says so.

scenario: str = "baseline"  # scenario name, [a-z0-9_-]+
title: Optional[str] = None  # display title; empty: the scenario name
lang: Optional[str] = None  # language of chart labels and names: "zh" or "en"
origin: Optional[int] = None  # forecast origin [year], later data ignored; None: the plan's last observed year
horizon: Optional[int] = None  # years simulated beyond the origin [years]
n_paths: Optional[int] = None  # simulated paths (at most 2,000 are used here, for speed)
seed: Optional[int] = None  # seed of the random generator
model: Optional[str] = None  # "auto" (the registry's model: structural where declared, else calibrated), "structural" or a ladder name
level: Optional[float] = None  # central interval level of the fan chart [%]
growth_shift: Optional[float] = None  # added to every indicator's expected annual growth [fraction/year]
volatility_scale: Optional[float] = None  # multiplies the simulated spread around the median
at_required_rate: Optional[bool] = None  # centre each indicator on the path its target requires
recertification_rate: Optional[float] = None  # expiring certificates renewed [fraction]; None: implied by the data
exit_rate: Optional[float] = None  # share of certified firms leaving each year [fraction/year]
new_certifications: Optional[int] = None  # first-time certifications a year (certified stock model); None: projected
patent_lapse_rate: Optional[float] = None  # valid invention patents lapsing [fraction/year]; None: estimated
population_growth: Optional[float] = None  # resident population growth [fraction/year]; None: estimated
data_file: str = ""  # extra observations CSV (indicator, year, value); "" for none
indicators_file: str = ""  # another plan's registry (YAML); "" for the embedded one
params_dir: str = ""  # folder of the params file given with -f: relative data_file and indicators_file are read from it; "": the current folder
output_dir: str = ""  # unused: this notebook writes no files
indicator: str = ""  # target shown first (registry id); "": the plan's first target

# %%
import functools

import ipywidgets as widgets
from IPython.display import display

import xmforecast
from xmforecast import SCENARIO_KEYS, scenario_from_parameters
from xmforecast.report import interactive_output

sc = scenario_from_parameters({key: globals()[key] for key in SCENARIO_KEYS}, params_dir=params_dir)
explore_paths = min(sc.n_paths, 2_000)
name = "name_zh" if sc.lang == "zh" else "name_en"
plan = xmforecast.Plan.from_scenario(sc)  # the scenario's registry and observations, as of its origin
registry = plan.indicators
names = registry.set_index("id")[["name_zh", "name_en", "unit", "direction"]]
targets = plan.target_table().join(names, on="indicator")
choices = targets[targets["base_value"].notna()]
if indicator not in set(choices["indicator"]):
    indicator = choices["indicator"].iloc[0]

# %%
# Labels in full: a label column wide enough for the longest, sliders beside it; checkboxes as wide as their text.
look = {"style": {"description_width": "11em"}, "layout": widgets.Layout(width="40em")}
box = {"indent": False, "layout": widgets.Layout(width="auto")}
controls = {
    "indicator": widgets.Dropdown(options=list(zip(choices[name], choices["indicator"])), value=indicator,
                                  description="target", **look),
    "growth_shift": widgets.FloatSlider(value=sc.growth_shift, min=min(-0.2, sc.growth_shift),
                                        max=max(0.2, sc.growth_shift), step=0.01, description="growth shift", **look),
    "volatility_scale": widgets.FloatSlider(value=sc.volatility_scale, min=min(0.25, sc.volatility_scale),
                                            max=max(3.0, sc.volatility_scale), step=0.05, description="volatility", **look),
}
if plan.ids_taking("recertification_rate"):  # certificate sliders only for a plan with such a stock
    controls |= {
        "implied_renewal": widgets.Checkbox(value=sc.recertification_rate is None,
                                            description="renewal rate implied by the data", **box),
        "recertification_rate": widgets.FloatSlider(
            value=0.8 if sc.recertification_rate is None else sc.recertification_rate, min=0.0, max=1.0,
            step=0.05, description="renewal rate", **look),
        "projected_new": widgets.Checkbox(value=sc.new_certifications is None,
                                          description="new certifications projected from history", **box),
        "new_certifications": widgets.IntSlider(
            value=250 if sc.new_certifications is None else sc.new_certifications, min=0,
            max=max(600, sc.new_certifications or 0), step=10, description="new certifications", **look),
    }

# %% [markdown]
# On every change `xmforecast.explore` checks the widgets' values against the scenario
# schema, re-evaluates the chosen target on `explore_paths` paths and draws its fan chart
# with the probability of attainment and the progress grade.

# %%
update = functools.partial(xmforecast.explore, plan, scenario=sc, n_paths=explore_paths)

# %% [markdown]
# ## Interactive (JupyterLab)
#
# Run All Cells (menu Run ▸ Run All Cells) to show the sliders and, under them, the chart that
# follows them. Outputs are not saved with the notebook (`make lab`), so a reopened notebook
# shows none until its cells run again.

# %%
display(widgets.VBox(list(controls.values())), interactive_output(update, controls))

# %% [markdown]
# ## At the scenario's values
#
# The same charts drawn once with the starting values, so that they also appear when the
# notebook runs without a browser (papermill, HTML export).

# %%
fig = update(**{key: control.value for key, control in controls.items()})
