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
# # Targets under one scenario · 目标情景评估
#
# Will each target of the plan (the embedded one, or the registry named by
# `indicators_file`) be reached, how likely, by when, and what would it take — under this
# scenario's assumptions. The method and the details follow the answer.

# %% tags=["parameters"]
from typing import Optional  # papermill reads no `int | None`

# A scenario parameter left None takes the plan's default (scenario_defaults.yaml beside its
# registry), else the library's; a key whose None has a meaning of its own says so.

scenario: str = "baseline"  # scenario name, [a-z0-9_-]+; names the output folder
title: Optional[str] = None  # display title; empty: the scenario name
lang: Optional[str] = None  # language of chart labels and names: "zh" or "en"
origin: Optional[int] = None  # forecast origin [year], later data ignored; None: the plan's last observed year
horizon: Optional[int] = None  # years simulated beyond the origin [years]
n_paths: Optional[int] = None  # simulated paths
seed: Optional[int] = None  # seed of the random generator
model: Optional[str] = None  # "auto" (the registry's model: structural where declared, else calibrated), "structural" or a ladder name
level: Optional[float] = None  # central interval level of the fan charts [%]
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
output_dir: str = ""  # folder for the figures (PNG), summary.csv and forecasts.csv; "": reports/notebooks/<scenario>

# %%
import sys

import pandas as pd
from IPython.display import HTML, display

import xmforecast
from xmforecast import SCENARIO_KEYS, report, scenario_from_parameters
from xmforecast.report import say

sc = scenario_from_parameters({key: globals()[key] for key in SCENARIO_KEYS}, params_dir=params_dir)
out = report.output_folder(output_dir, sc.scenario)
name = "name_zh" if sc.lang == "zh" else "name_en"
plan = xmforecast.Plan.from_scenario(sc)  # the scenario's registry and observations, as of its origin
registry, obs = plan.indicators, plan.observations
names = registry.set_index("id")[["name_zh", "name_en", "unit", "kind", "direction"]]
stocks = plan.ids_taking("recertification_rate")  # what a renewal-rate sensitivity moves
headline = plan.headline_ids()  # marked in the registry
ev = plan.evaluate_targets(scenario=sc)
levers = plan.levers(scenario=sc)
summary = report.scenario_summary(ev, registry, sc, levers=levers)
report.round_for_csv(summary).to_csv(out / "summary.csv", index=False)
report.round_for_csv(report.scenario_forecasts(ev, sc)).to_csv(out / "forecasts.csv", index=False)
for line in report.run_warnings(summary):
    print(line, file=sys.stderr)
display(HTML(report.render_summary(summary, sc, sc.lang, registry=registry)))

# %%
# Below the answer, every section speaks the page's language (`lang`): headings, tables, notes
# and charts come from xmforecast.report.
display(HTML(report.render_section("how_to_read", sc.lang, summary=summary, scenario=sc)))
table = ev.table.join(names, on="indicator")
assessed = table[table["base_value"].notna()]
missing = report.not_assessed(summary, sc.lang)
display(HTML(report.render_section("details", sc.lang, table=report.detail_table(summary, sc.lang), notes=[
    say("not_assessed_no_baseline_year", sc.lang) + " " + "; ".join(missing)] if missing else [])))

# %%
fig = report.probability_chart(assessed, lang=sc.lang, check=sc.at_required_rate)
report.publish(fig, out / "probability.png")

# %%
fig = report.progress_chart(assessed, lang=sc.lang)
report.publish(fig, out / "progress.png")

# %%
display(HTML(report.render_section("headline", sc.lang)))
by_id = summary.set_index("indicator")
for ind in [i for i in headline if i in ev.simulations]:
    row = by_id.loc[ind]
    sim = ev.simulations[ind]
    fig = report.fan_chart(
        sim.history, sim.paths, target_value=row["target_level"], target_year=int(row["target_year"]),
        required_path=ev.required_paths.get(ind), title=report.indicator_label(row, sc.lang), unit=row["unit"],
        quality=obs[obs["indicator"] == ind][["year", "quality", "status"]], levels=(50, sc.level), lang=sc.lang,
    )
    display(HTML(report.render_fan_caption({**row.to_dict(), "indicator": ind}, sim.model, sc.lang)),
            report.publish(fig, out / f"fan_{ind}.png"))

# %%
effort = plan.what_it_takes(scenario=sc, probability=0.8)  # on the simulations of `ev` (the plan keeps them)
display(HTML(report.render_section("takes", sc.lang, table=report.effort_table(effort, summary, sc.lang))))

# %%
if len(levers):
    own = registry.set_index("id")
    display(HTML(report.render_section("levers", sc.lang, table=report.lever_table(summary, sc.lang), notes=[
        report.plan_target_sentence({**own.loc[ref].to_dict(), "id": ref}, sc.lang)
        for ref in levers["lever_indicator"] if ref in own.index and pd.notna(own.loc[ref, "target_value"])])))

# %%
display(HTML(report.render_section("sensitivity", sc.lang)))
sensitivity_paths = min(sc.n_paths, 2_000)
shifts = [-0.10, -0.05, 0.0, 0.05, 0.10]
by_shift = xmforecast.sensitivity(plan, "growth_shift", shifts, ids=headline, scenario=sc, n_paths=sensitivity_paths)
fig = report.sensitivity_chart(by_shift.join(names, on="indicator"), lang=sc.lang, percent=True,
                              parameter=say("sensitivity_growth_shift_axis", sc.lang))
report.publish(fig, out / "sensitivity_growth_shift.png")

# %%
renewals = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
if stocks:
    display(HTML(report.render_section("sensitivity_renewal", sc.lang)))
    by_renewal = xmforecast.sensitivity(plan, "recertification_rate", renewals, ids=stocks, scenario=sc,
                                        n_paths=sensitivity_paths)
    fig = report.sensitivity_chart(by_renewal.join(names, on="indicator"), lang=sc.lang, percent=True,
                                  parameter=say("sensitivity_renewal_axis", sc.lang))
    display(report.publish(fig, out / "sensitivity_recertification_rate.png"))

# %%
display(HTML(report.render_section("files", sc.lang)))
