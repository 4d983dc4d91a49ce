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
# # Baselines and targets · 基线与目标
#
# What the plan states for each indicator (its baseline and target, with the sentence
# each number comes from) and the history behind each indicator, with the source and
# quality grade of every point. The plan is the embedded one, or the registry named by
# `indicators_file`.
#
# Quality grades: **A** official statistics, **B** news, **C** a mirror copy of an
# official or news text, **seed** the plan document itself. *Derived* points are
# computed from stated figures (e.g. a year's value from the next year's value and its growth
# rate), not published.

# %% tags=["parameters"]
from typing import Optional  # papermill reads no `int | None`

# A scenario parameter left None takes the plan's default (scenario_defaults.yaml beside its
# registry), else the library's; a key whose None has a meaning of its own says so.

lang: Optional[str] = None  # language of chart labels and names: "zh" or "en"
origin: Optional[int] = None  # data as of this year [year]; None: the plan's last observed year
data_file: str = ""  # extra observations CSV (indicator, year, value); "" for none
indicators_file: str = ""  # another plan's registry (YAML); "" for the embedded one
params_dir: str = ""  # folder of the params file given with -f: relative data_file and indicators_file are read from it; "": the current folder
output_dir: str = ""  # folder for the figures (PNG); "": reports/notebooks/baselines

# %%
from pathlib import Path

from IPython.display import HTML, Markdown, display

import xmforecast
from xmforecast import report, scenario_from_parameters
from xmforecast.report import say

settings = scenario_from_parameters(dict(scenario="baselines", lang=lang, origin=origin, data_file=data_file,
                                         indicators_file=indicators_file),
                                  params_dir=params_dir)
out = report.output_folder(output_dir, "baselines")
name = "name_zh" if settings.lang == "zh" else "name_en"
plan = xmforecast.Plan.from_scenario(settings)  # the registry and observations, as of the origin
registry, obs = plan.indicators, plan.observations
headline = plan.headline_ids()
folder = plan.folder
named = folder.name(settings.lang) if folder else say("plan_registry_file", settings.lang,
                                                     file=Path(settings.indicators_file).name)
display(HTML(report.render_section("intro_baselines", settings.lang, level=1)))
display(Markdown(say("plan_line", settings.lang, plan=named, indicators=len(registry), observations=len(obs),
                     origin=settings.origin)))

# %% [markdown] tags=["lab-only"]
# ## The targets and their baselines
#
# One row per quantified target, with the plan's own sentences; then the indicators the plan
# reports without a target (some feed the structural models), and every observation used.

# %%
display(HTML(report.render_section("plan_targets", settings.lang, table=report.plan_table(registry, settings.lang))))
display(HTML(report.render_section("plan_others", settings.lang,
                                   table=report.plan_table(registry, settings.lang, targets=False))))
display(HTML(report.render_section("history", settings.lang,
                                   table=report.observations_table(obs, registry, settings.lang))))

# %% [markdown] tags=["lab-only"]
# ### The headline indicators
#
# The plan's main targets (for another plan: its first four targets with observations).
# Marker shape gives the grade; hollow markers are derived.

# %%
if headline:
    fig = report.history_chart(obs, registry, headline, lang=settings.lang)
    display(report.publish(fig, out / "history_headline.png"))

# %% [markdown] tags=["lab-only"]
# ### Inputs of the structural models
#
# The indicators that fill a structural model's inputs (the registry's `model` and
# `inputs`), e.g. certificates granted for a stock of three-year certificates.

# %%
inputs = [ref for row in registry.itertuples() if isinstance(row.inputs, dict) for ref in row.inputs.values()
          if ref != row.id and ref in set(obs["indicator"])]
inputs = list(dict.fromkeys(inputs))
if inputs:
    fig = report.history_chart(obs, registry, inputs, lang=settings.lang)
    display(report.publish(fig, out / "history_inputs.png"))
else:
    display(Markdown("No structural model in this plan's registry."))

# %% [markdown] tags=["lab-only"]
# ## Points to read with care: derived or grade C
#
# Values computed from other figures, or from a mirror copy of the original text.

# %%
weak = obs[(obs["status"] == "derived") | (obs["quality"] == "C")]
display(HTML(report.render_section("weak", settings.lang, notes=[
    f"{len(weak)} / {len(obs)}"], table=report.observations_table(weak, registry, settings.lang, quotes=True))))
