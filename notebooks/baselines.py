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
# # Baselines and targets · 2016 基线与 2017 目标
#
# What the Xiamen Science and Technology Bureau's *2016 review and 2017 plan*
# (厦门市科学技术局 2016 年科技创新工作总结及 2017 年工作要点) states, sentence by sentence,
# and the published history behind each indicator, with the source and quality grade
# of every point.
#
# Quality grades: **A** official statistics, **B** news, **C** a mirror copy of an
# official or news text, **seed** the plan document itself. *Derived* points are
# computed from stated figures (e.g. a 2015 value from the 2016 value and its growth
# rate), not published.

# %% tags=["parameters"]
lang: str = "zh"  # language of chart labels and names: "zh" or "en"
origin: int = 2016  # data as of this year [year]; later observations are ignored
data_file: str = ""  # extra observations CSV (indicator, year, value); "" for none
output_dir: str = "."  # folder for the figures (PNG)

# %%
from pathlib import Path

from IPython.display import display

import xmforecast
from xmforecast import plots
from xmforecast.scenarios import scenario_from_parameters

settings = scenario_from_parameters(dict(scenario="baselines", lang=lang, origin=origin, data_file=data_file))
out = Path(output_dir)
out.mkdir(parents=True, exist_ok=True)
name = "name_zh" if settings.lang == "zh" else "name_en"
headline = ["rd_spend", "hightech_enterprises", "tech_trade", "invention_patents_per_10k"]
registry = xmforecast.load_indicators()
obs = xmforecast.load_observations(settings.data_file or None, indicators=registry, origin=settings.origin)

# %% [markdown]
# ## The targets and their baselines
#
# One row per quantified 2017 target. `target_type`: **level** = reach at least this
# level, **growth** = grow by at least this fraction (0.2 = 20 %) on the base year,
# **flow** = at least this many in the year. The quotes are the exact sentences of the
# plan document the numbers come from.

# %%
targets = registry[registry["target_type"].notna()]
display(
    targets[["id", name, "unit", "base_year", "base_value", "prior_growth", "target_year", "target_type",
             "target_value", "base_quote", "target_quote"]]
    .style.hide(axis="index")
    .format({"base_value": "{:,.2f}", "prior_growth": "{:.1%}", "target_value": "{:,.2f}"}, na_rep="—",
            escape="html")
)

# %% [markdown]
# Indicators the plan reports without a 2017 target; some feed the structural models
# (valid invention patents, grants and population for the patent ratio; newly certified
# firms for the high-tech stock).

# %%
display(
    registry[registry["target_type"].isna()][["id", name, "unit", "base_year", "base_value", "prior_growth",
                                               "base_quote", "base_source"]]
    .style.hide(axis="index")
    .format({"base_value": "{:,.2f}", "prior_growth": "{:.1%}"}, na_rep="—", escape="html")
)

# %% [markdown]
# ## Published history
#
# Every observation used by the models, with its status, grade and source. Where two
# sources give the same year, a user's file wins over the plan document, which wins over
# the shipped history.

# %%
display(
    obs.merge(registry[["id", name]], left_on="indicator", right_on="id", how="left")
    [["indicator", name, "year", "value", "unit", "status", "quality", "source"]]
    .style.hide(axis="index").format({"value": "{:,.2f}"}, escape="html")
)

# %% [markdown]
# ### The four headline indicators
#
# R&D spending (全社会 R&D 经费支出), high-tech enterprises (高新技术企业), technology
# contract turnover (技术合同交易额) and valid invention patents per 10,000 residents
# (每万人有效发明专利拥有量). Marker shape gives the grade; hollow markers are derived.

# %%
fig = plots.history_chart(obs, registry, headline, lang=settings.lang)
plots.save_figure(fig, out / "history_headline.png");

# %% [markdown]
# ### Inputs of the structural models
#
# The high-tech stock is modelled from certificates granted (certificates last three
# years); the patent ratio from valid invention patents, grants and population.

# %%
inputs = ["hightech_new_certified", "valid_invention_patents", "invention_patent_grants", "population"]
fig = plots.history_chart(obs, registry, inputs, lang=settings.lang)
plots.save_figure(fig, out / "history_inputs.png");

# %% [markdown]
# ## Points to read with care: derived or grade C
#
# These values are computed from other figures, or come from a mirror copy of the
# original text. Charts draw them hollow; forecasts that rest on them inherit their
# uncertainty.

# %%
weak = obs[(obs["status"] == "derived") | (obs["quality"] == "C")]
display(
    weak[["indicator", "year", "value", "status", "quality", "source", "quote"]]
    .style.hide(axis="index").format({"value": "{:,.2f}"}, na_rep="", escape="html")
)
print(f"{len(weak)} of {len(obs)} observations are derived or grade C.")
