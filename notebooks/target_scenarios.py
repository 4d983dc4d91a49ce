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
# # Targets under one scenario · 目标情景评估
#
# For every quantified target of the plan (the embedded one, or the registry named by
# `indicators_file`): how far the indicator is from the target, how likely it is to get
# there under this scenario's assumptions, and what it would take.
#
# How to read it:
# - **required growth** = the constant annual growth from the baseline that just
#   reaches the target, `(target / base)^(1 / years) − 1`; growth rates are fractions
#   (0.2 = 20 %);
# - **progress ratio R** = observed growth / required growth, graded as in Eurostat's SDG
#   monitoring (≥ 0.95 on track, 0.6–0.95 acceleration needed, 0–0.6 limited progress,
#   < 0 deterioration; a stock already above its target is "already met");
# - **probability of attainment** = share of simulated paths at or beyond the target in
#   the target year; **expected year** = first year the median path reaches it.

# %% tags=["parameters"]
from typing import Optional

scenario: str = "baseline"  # scenario name, [a-z0-9_-]+; names the output folder
title: str = ""  # display title; empty: the scenario name
lang: str = "zh"  # language of chart labels and names: "zh" or "en"
origin: int = 2016  # forecast origin [year]; observations after it are ignored
horizon: int = 4  # years simulated beyond the origin [years]
n_paths: int = 10_000  # simulated paths
seed: int = 2017  # seed of the random generator
model: str = "auto"  # "auto" (the registry's model: structural where declared, else calibrated), "structural" or a ladder name
level: float = 80.0  # central interval level of the fan charts [%]
growth_shift: float = 0.0  # added to every indicator's expected annual growth [fraction/year]
volatility_scale: float = 1.0  # multiplies the simulated spread around the median
at_required_rate: bool = False  # centre each indicator on the path its target requires
recertification_rate: Optional[float] = None  # expiring certificates renewed [fraction]; None: implied by the data
exit_rate: float = 0.01  # share of certified firms leaving each year [fraction/year]
new_certifications: Optional[int] = None  # first-time high-tech certifications [firms/year]; None: projected
patent_lapse_rate: Optional[float] = None  # valid invention patents lapsing [fraction/year]; None: estimated
population_growth: Optional[float] = None  # resident population growth [fraction/year]; None: estimated
data_file: str = ""  # extra observations CSV (indicator, year, value); "" for none
indicators_file: str = ""  # another plan's registry (YAML); "" for the embedded one
output_dir: str = "."  # folder for the figures (PNG) and summary.csv

# %%
from html import escape
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import xmforecast
from xmforecast import plots
from xmforecast.scenarios import SCENARIO_KEYS, scenario_from_parameters

sc = scenario_from_parameters({key: globals()[key] for key in SCENARIO_KEYS})
out = Path(output_dir)
out.mkdir(parents=True, exist_ok=True)
name = "name_zh" if sc.lang == "zh" else "name_en"
registry = xmforecast.load_indicators(sc.indicators_file or None)
names = registry.set_index("id")[["name_zh", "name_en", "unit", "kind", "direction"]]
obs = xmforecast.load_observations(sc.data_file or None, indicators=registry)
embedded = xmforecast.registry.is_embedded(registry)
stocks = registry.loc[registry["model"] == "certified_stock", "id"].tolist()  # renewal-rate sensitivity
if embedded:
    headline = ["rd_spend", "hightech_enterprises", "tech_trade", "invention_patents_per_10k"]
else:  # another plan: its first targets with observations up to the origin
    observed = set(obs.loc[obs["year"] <= sc.origin, "indicator"])
    headline = [i for i in registry.loc[registry["target_type"].notna(), "id"] if i in observed][:4]
display(Markdown(f"## {escape(sc.title or sc.scenario)}\n\nScenario `{sc.scenario}`, data up to {sc.origin}, "
                 f"{sc.n_paths:,} simulated paths, seed {sc.seed}, model `{sc.model}`."))

# %% [markdown]
# ### The assumptions
#
# Every parameter of this run; the scenario's params file explains the choice of each value.

# %%
display(pd.Series(sc.to_parameters(), name="value").to_frame())

# %% [markdown]
# ## Distance to target and probability of attainment
#
# `data_quality` names the years whose figure is derived (computed from stated figures) or
# comes from a grade-C source (a mirror copy); `note` says why a probability is missing.

# %%
ev = xmforecast.evaluate_targets(obs, registry, origin=sc.origin, scenario=sc)
table = ev.table.join(names, on="indicator")
assessed = table[table["base_value"].notna()]
display(
    assessed[[name, "unit", "latest_value", "target_level", "target_year", "gap", "required_growth",
              "observed_growth", "progress_ratio", "status", "p_attain", "expected_year", "model"]]
    .style.hide(axis="index")
    .format({"target_level": "{:,.2f}", "latest_value": "{:,.2f}", "gap": "{:,.2f}",
             "required_growth": "{:.1%}", "observed_growth": "{:.1%}", "progress_ratio": "{:.2f}",
             "p_attain": "{:.0%}", "expected_year": "{}"}, na_rep="—", escape="html")
)
caveats = assessed[(assessed["data_quality"] != "") | (assessed["note"] != "")]
display(caveats[[name, "data_quality", "note"]].style.hide(axis="index").format(escape="html"))

# %%
fig = plots.probability_chart(assessed, lang=sc.lang)
plots.save_figure(fig, out / "probability.png");

# %%
fig = plots.progress_chart(assessed, lang=sc.lang)
plots.save_figure(fig, out / "progress.png");

# %% [markdown]
# Targets the plan sets without a baseline (the registry gives none and no observation
# exists) cannot be assessed; they are listed with the reason.

# %%
display(table[table["base_value"].isna()][["indicator", name, "target_type", "target_value", "note"]]
        .style.hide(axis="index").format({"target_value": "{:,.2f}"}, escape="html"))

# %% [markdown]
# ## The headline targets
#
# Observed history (hollow points are derived or grade C), the simulated fan (central 50 %
# and the scenario's interval level), the target (star) and the constant-growth path
# from the baseline that just reaches it (dotted).

# %%
by_id = table.set_index("indicator")
for ind in [i for i in headline if i in ev.simulations]:
    row = by_id.loc[ind]
    sim = ev.simulations[ind]
    fig = plots.fan_chart(
        sim.history, sim.paths, target_value=row["target_level"], target_year=int(row["target_year"]),
        required_path=ev.required_paths.get(ind), title=plots.indicator_label(row, sc.lang), unit=row["unit"],
        quality=obs[obs["indicator"] == ind][["year", "quality", "status"]], levels=(50, sc.level), lang=sc.lang,
    )
    plots.save_figure(fig, out / f"fan_{ind}.png")
    display(Markdown(f"**{escape(str(row[name]))}** — probability of attainment {row['p_attain']:.0%}, status "
                     f"*{row['status']}*; model `{sim.model}` ({escape(str(sim.notes))})."), fig)
    plt.close(fig)

# %% [markdown]
# ## What it would take
#
# For every target, from the latest observation: the constant annual growth that just
# reaches it (`required_growth`), the growth observed over the last three years, the
# growth the model's median path expects, and the growth needed to reach the target with
# 80 % probability (`growth_for_80`: the median path's growth once every path is shifted
# until 80 % of them meet the target). For an indicator with a structural model the
# requirement is also given in the unit a programme manager controls (e.g. first-time
# certifications per year, patent grants per year), under the scenario's settings.

# %%
effort = xmforecast.what_it_takes_table(obs, registry, origin=sc.origin, scenario=sc, probability=0.8,
                                       evaluation=ev)
take = effort[effort["indicator"].isin(assessed["indicator"])].join(names[[name, "unit"]], on="indicator")
take = take.rename(columns={"growth_for_probability": "growth_for_80"})
display(take[["indicator", name, "unit", "latest_year", "latest_value", "target_level", "target_year",
              "required_growth", "observed_growth", "expected_growth", "growth_for_80", "note"]]
        .style.hide(axis="index").format(
    {"latest_year": "{:.0f}", "latest_value": "{:,.2f}", "target_level": "{:,.2f}", "target_year": "{:.0f}",
     "required_growth": "{:+.1%}", "observed_growth": "{:+.1%}", "expected_growth": "{:+.1%}",
     "growth_for_80": "{:+.1%}"}, na_rep="—", escape="html"))

# %%
levers = xmforecast.what_it_takes(obs, registry, origin=sc.origin, scenario=sc)
if len(levers):
    display(levers.style.hide(axis="index").format({"needed_per_year": "{:,.0f}", "last_observed": "{:,.0f}"},
                                                   na_rep="target year already observed", escape="html"))
    display(Markdown("A value needed per year at or below zero means the target is reached with none at all."
                     + (" The plan's own floor for first-time certifications is 200 a year "
                        "(新认定高新技术企业 200 家以上)." if embedded else "")))
else:
    display(Markdown("No structural model in this plan's registry: the growth rates above are what it takes."))

# %% [markdown]
# ## Sensitivity to the main assumptions
#
# The probability of attainment re-simulated with one assumption changed at a time
# (fewer paths than above, so the curves are slightly noisy): the growth shift added to
# every headline indicator's expected growth, and, for a stock of certificates (a
# structural model), the share of expiring certificates renewed.

# %%
sensitivity_paths = min(sc.n_paths, 2_000)
shifts = [-0.10, -0.05, 0.0, 0.05, 0.10]
by_shift = xmforecast.sensitivity("growth_shift", shifts, ids=headline, scenario=sc, observations=obs,
                                  indicators=registry, origin=sc.origin, n_paths=sensitivity_paths)
fig = plots.sensitivity_chart(by_shift.join(names, on="indicator"), lang=sc.lang,
                              parameter={"zh": "增速调整 [年增长率，比例]",
                                         "en": "growth shift [fraction/year]"}[sc.lang])
plots.save_figure(fig, out / "sensitivity_growth_shift.png");

# %%
renewals = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
if stocks:
    by_renewal = xmforecast.sensitivity("recertification_rate", renewals, ids=stocks, scenario=sc,
                                        observations=obs, indicators=registry, origin=sc.origin,
                                        n_paths=sensitivity_paths)
    fig = plots.sensitivity_chart(by_renewal.join(names, on="indicator"), lang=sc.lang,
                                  parameter={"zh": "到期证书续认定比例 [比例]",
                                             "en": "share of expiring certificates renewed [fraction]"}[sc.lang])
    plots.save_figure(fig, out / "sensitivity_recertification_rate.png");

# %% [markdown]
# ## Summary table
#
# `summary.csv` in the output folder: one row per target with the scenario's name and
# title; the scheduled run collects these into one table across scenarios.

# %%
summary = table.drop(columns=["kind", "direction"]).assign(scenario=sc.scenario, title=sc.title or sc.scenario)
first = ["scenario", "title", "indicator", "name_zh", "name_en", "unit"]
summary = summary[first + [c for c in summary.columns if c not in first]]
summary.to_csv(out / "summary.csv", index=False)
print(f"{len(summary)} targets written to summary.csv")
