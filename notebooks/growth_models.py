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
# # Growth models · 增长模型
#
# Each indicator's short annual history fitted by every rung of the model ladder it is
# long enough for (naive, log and additive drift, CAGR, log-linear and linear trend,
# logistic, damped-trend ETS), the rolling-origin backtest that scores them, and the model
# used for the forecast: the structural model the registry declares where the arithmetic is
# known, otherwise `auto`. A handful of points cannot choose a model, so `auto` does not pick
# by this backtest: its growth rule and its interval widths were learned on real annual series
# of the indicator's reference class and family (Chinese provinces' S&T statistics for a
# Chinese plan, a global panel otherwise), from panel years up to the forecast's origin, the
# outside view; for the Chinese class its probabilities also weigh in how often comparable
# series grew as fast (the base rate). The backtest below is shown as a check.

# %% tags=["parameters"]
from typing import Optional  # papermill reads no `int | None`

# A scenario parameter left None takes the plan's default (scenario_defaults.yaml beside its
# registry), else the library's; a key whose None has a meaning of its own says so.

lang: Optional[str] = None  # language of chart labels and names: "zh" or "en"
origin: Optional[int] = None  # forecast origin [year], later data ignored; None: the plan's last observed year
level: Optional[float] = None  # prediction interval level [%]
horizon: Optional[int] = None  # years forecast beyond the last observation [years]
data_file: str = ""  # extra observations CSV (indicator, year, value); "" for none
indicators_file: str = ""  # another plan's registry (YAML); "" for the embedded one
params_dir: str = ""  # folder of the params file given with -f: relative data_file and indicators_file are read from it; "": the current folder
output_dir: str = ""  # folder for the figures (PNG); "": reports/notebooks/growth_models
indicators: list = []  # ids to show; empty: the plan's headline targets

# %%
from IPython.display import HTML, display

import xmforecast
from xmforecast import report, scenario_from_parameters

settings = scenario_from_parameters(dict(scenario="growth-models", lang=lang, origin=origin, level=level,
                                         horizon=horizon, data_file=data_file, indicators_file=indicators_file),
                                  params_dir=params_dir)
out = report.output_folder(output_dir, "growth_models")
plan = xmforecast.Plan.from_scenario(settings)  # the registry and observations, as of the origin
registry, obs = plan.indicators, plan.observations
by_id = registry.set_index("id")
targets = plan.target_table().set_index("indicator")
if not indicators:
    indicators = plan.headline_ids()
display(HTML(report.render_section("intro_growth_models", settings.lang, level=1)))

# %% [markdown] tags=["lab-only"]
# ## Backtest scores
#
# Each model fitted up to an origin year and scored on the following years.

# %%
scores = plan.backtest(level=settings.level)
display(HTML(report.render_section("backtest", settings.lang, table=report.backtest_words(
    scores[scores["indicator"].isin(indicators)], registry, settings.lang))))

# %% [markdown] tags=["lab-only"]
# ## Indicator by indicator
#
# For each indicator: the forecasts of every ladder rung side by side (median and the
# interval at the chosen level), the rungs skipped and why, and the chosen model's forecast
# with the target where there is one.

# %%
display(HTML(report.render_section("ladder", settings.lang)))
for ind in indicators:
    if plan.history(ind).empty:  # first observed after the origin
        display(HTML(report.render_ladder({**by_id.loc[ind].to_dict(), "id": ind}, None, "", {}, [], settings.lang)))
        continue
    chosen = plan.forecast(ind, horizon=settings.horizon, model="auto", level=settings.level)
    why = chosen.attrs["why"]
    chosen = chosen.set_index("year")
    history = plan.history(ind)
    fitted, skipped = plan.ladder(ind)
    row = by_id.loc[ind]
    ladder = {label: fit.forecast(settings.horizon, level=settings.level) for label, fit in fitted.items()}
    display(HTML(report.render_ladder({**row.to_dict(), "id": ind}, chosen["model"].iloc[0], why, ladder, skipped,
                                      settings.lang)))
    target = targets.loc[ind] if ind in targets.index else None
    fig = report.fan_chart(
        history, forecast=chosen[["point", "lower", "upper"]],
        target_value=None if target is None else target["target_level"],
        target_year=None if target is None else int(target["target_year"]),
        title=f"{report.indicator_label(row, settings.lang)} · {report.model_words(chosen['model'].iloc[0], settings.lang)}",
        unit=row["unit"],
        quality=obs[obs["indicator"] == ind][["year", "quality", "status"]], lang=settings.lang,
    )
    display(report.publish(fig, out / f"forecast_{ind}.png"))
