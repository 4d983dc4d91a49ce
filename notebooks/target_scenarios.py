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
# Will each target of the plan (the embedded one, or the registry named by
# `indicators_file`) be reached, how likely, by when, and what would it take — under this
# scenario's assumptions. The method and the details follow the answer.

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
params_dir: str = ""  # folder of the params file given with -f: relative data_file and indicators_file are read from it; "": the current folder
output_dir: str = ""  # folder for the figures (PNG), summary.csv and forecasts.csv; "": reports/notebooks/<scenario>

# %%
import sys
from html import escape

import pandas as pd
from IPython.display import HTML, Markdown, display

import xmforecast
from xmforecast import plots, report
from xmforecast.scenarios import SCENARIO_KEYS, scenario_from_parameters

sc = scenario_from_parameters({key: globals()[key] for key in SCENARIO_KEYS}, params_dir=params_dir)
out = report.output_folder(output_dir, sc.scenario)
name = "name_zh" if sc.lang == "zh" else "name_en"
registry = xmforecast.load_indicators(sc.indicators_file or None)
names = registry.set_index("id")[["name_zh", "name_en", "unit", "kind", "direction"]]
obs = xmforecast.load_observations(sc.data_file or None, indicators=registry)
stocks = registry.loc[registry["model"] == "certified_stock", "id"].tolist()  # renewal-rate sensitivity
headline = xmforecast.registry.headline_ids(registry, obs, origin=sc.origin)  # marked in the registry
ev = xmforecast.evaluate_targets(obs, registry, origin=sc.origin, scenario=sc)
summary = report.scenario_summary(ev, registry, sc, levers=xmforecast.what_it_takes(obs, registry, origin=sc.origin,
                                                                                   scenario=sc))
report.round_for_csv(summary).to_csv(out / "summary.csv", index=False)
report.round_for_csv(report.scenario_forecasts(ev, sc)).to_csv(out / "forecasts.csv", index=False)
for line in report.run_warnings(summary):
    print(line, file=sys.stderr)
display(HTML(report.render_summary(summary, sc, sc.lang)))

# %% [markdown]
# ## How to read it
#
# - **Probability** (达标概率): the share of the simulated futures (each following the
#   indicator's own past growth, shifted by this scenario's assumptions) that reach the
#   target in its year; its colour is the same on every page and chart.
# - **Expected year**: the first year the middle (median) simulated path reaches the target.
# - **What it would take**: the constant yearly growth from the latest figure that just
#   reaches the target, `(target / base)^(1 / years) − 1`; where the plan declares a
#   structural model, also the lever in the unit a programme controls.
# - **Trend so far** (grade): growth over the last three years divided by the growth
#   required, R; R ≥ 0.95 on track, 0.6–0.95 acceleration needed, 0–0.6 limited progress,
#   below 0 deterioration (the method Eurostat uses to monitor the Sustainable Development
#   Goals). It describes the past, not the probability.

# %% [markdown]
# ## Distance to target and probability of attainment
#
# `data_quality` names the years whose figure is derived (computed from stated figures) or
# comes from a grade-C source (a mirror copy); `note` says why a probability is missing.

# %%
table = ev.table.join(names, on="indicator")
assessed = table[table["base_value"].notna()]
display(HTML(report.detail_table(summary, sc.lang).to_html(index=False, escape=True)))
caveats = assessed[(assessed["data_quality"] != "") | (assessed["note"] != "")]
display(caveats[[name, "data_quality", "note"]].style.hide(axis="index").format(escape="html"))

# %%
fig = plots.probability_chart(assessed, lang=sc.lang)
plots.publish(fig, out / "probability.png")

# %%
fig = plots.progress_chart(assessed, lang=sc.lang)
plots.publish(fig, out / "progress.png")

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
    display(Markdown(f"**{escape(str(row[name]))}** — {report.verdict(row, sc.lang)}; "
                     f"model `{sim.model}` ({escape(str(sim.notes))})."),
            plots.publish(fig, out / f"fan_{ind}.png"))

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
     "required_growth": "{:+.0%}", "observed_growth": "{:+.0%}", "expected_growth": "{:+.0%}",
     "growth_for_80": "{:+.0%}"}, na_rep="—", escape="html"))

# %%
levers = xmforecast.what_it_takes(obs, registry, origin=sc.origin, scenario=sc)
if len(levers):
    display(levers.style.hide(axis="index").format({"target_level": "{:,.2f}", "needed_per_year": "{:,.0f}",
                                                    "last_observed": "{:,.0f}"},
                                                   na_rep="target year already observed", escape="html"))
    display(Markdown("A value needed per year at or below zero means the target is reached with none at all."))
    own = registry.set_index("id")
    for ref in [r for r in levers["lever_indicator"] if r in own.index and pd.notna(own.loc[r, "target_value"])]:
        plan = own.loc[ref]  # the plan's own target for the lever, with its sentence
        display(Markdown(f"The plan's own target for {escape(str(plan[name]))}: {plan['target_value']:,.0f} "
                         f"in {plan['target_year']} ({escape(str(plan['target_quote'] or ''))})."))
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
plots.publish(fig, out / "sensitivity_growth_shift.png")

# %%
renewals = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
if stocks:
    by_renewal = xmforecast.sensitivity("recertification_rate", renewals, ids=stocks, scenario=sc,
                                        observations=obs, indicators=registry, origin=sc.origin,
                                        n_paths=sensitivity_paths)
    fig = plots.sensitivity_chart(by_renewal.join(names, on="indicator"), lang=sc.lang,
                                  parameter={"zh": "到期证书续认定比例 [比例]",
                                             "en": "share of expiring certificates renewed [fraction]"}[sc.lang])
    display(plots.publish(fig, out / "sensitivity_recertification_rate.png"))

# %% [markdown]
# ## Summary table
#
# `summary.csv` in the output folder: one row per target with the scenario's name and
# title; the scheduled run collects these into one table across scenarios.

# %%
print(f"{len(summary)} targets; summary.csv and forecasts.csv in {out}")
