"""Rolling-origin backtests, scores, the ladder's choice, and the backtest of each indicator's model.

With three to seven annual points per indicator, one series says little
about which model forecasts best; :func:`backtest_panel` pools the evidence
over many indicators, and :func:`choose` uses it (or, without it, the
series' own backtest) to pick a model or a combination and to widen its
intervals when they covered less than their nominal level.

How :func:`choose` chooses: the model with the lowest backtest MAPE, unless the evidence is
thin (best :math:`n <` ``min_evidence``: equal-weight combination of the ``max_members``
best) or several models are within ``tolerance`` of the best (their combination) — simple
combinations and damped trends were hard to beat on yearly M3/M4 series [1]_, [2]_. Without
any evidence: the combination of drift, additive_drift, loglinear and ets that fit.
Calibration: when backtest coverage is below ``level``, ``sigma_scale`` becomes
:math:`\\max(1, Q_{level}(|e| / (q s)))`, the factor that would have made coverage nominal;
intervals are never narrowed. For a combination chosen from panel scores this factor is the
weighted mean of its members' (the combination itself was not backtested on the panel).

References
----------
.. [1] Makridakis, S. & Hibon, M. (2000) The M3-Competition: results,
   conclusions and implications. *Int. J. Forecasting* 16(4), 451-476.
.. [2] Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2020) The M4
   Competition: 100,000 time series and 61 forecasting methods.
   *Int. J. Forecasting* 36(1), 54-74.
"""
from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import numpy as np
import pandas as pd

from xmforecast.exceptions import ModelError, ParameterError, XMForecastError
from xmforecast.models import (
    LADDER,
    Combination,
    FittedModel,
    ModelSpec,
    as_spec,
    fit_ladder,
)
from xmforecast.validation import check_int, check_level, check_series
from xmforecast.words import Said

__all__ = ["backtest", "score", "backtest_panel", "PanelBacktest", "choose", "backtest_table", "WHY_COLUMNS"]

#: :func:`backtest_table`'s columns that say, on each chosen row, why and how its model was
#: backtested: the model's note (what it rests on), whether any origin was scored, and how many
#: origins it could not be fitted from, with the first one's year and the model's message.
WHY_COLUMNS = ("note", "backtested", "failed_origins", "first_failed_year", "first_failed_why")

_log = logging.getLogger(__name__)

_COLUMNS = ["model", "origin", "year", "step", "actual", "point", "lower", "upper",
            "ape", "covered", "error_ratio", "level"]
_SCORE_COLUMNS = ["n", "mape", "coverage", "nominal", "scale_needed"]

#: Members tried, in this order, when there is no backtest evidence at all.
_DEFAULT_MEMBERS = ("drift", "additive_drift", "loglinear", "ets")
#: Largest factor by which backtest calibration widens intervals.
_MAX_WIDENING = 3.0


def _error_ratio(actual: np.ndarray, point: np.ndarray, lower: np.ndarray,
                 upper: np.ndarray, log_scale: bool) -> np.ndarray:
    """|error| in units of the interval half-width on the side of the error.

    On the model's own scale (log for log models), so that multiplying every
    standard deviation by c multiplies every half-width by c: the interval
    covers the actual value exactly when the ratio is <= 1.
    """
    if log_scale and np.all(actual > 0):
        actual, point, lower, upper = (np.log(a) for a in (actual, point, lower, upper))
    error = actual - point
    half = np.where(error >= 0, upper - point, point - lower)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(error) / half
    return np.where(error == 0, 0.0, ratio)


def backtest(series: pd.Series, names: Sequence[str | ModelSpec] | None = None, *,
             min_train: int = 2, horizon: int = 3, level: float = 80) -> pd.DataFrame:
    """Rolling-origin evaluation of models on one series.

    Parameters
    ----------
    series : pandas.Series
        Observations [any units] on an increasing int year index (gaps allowed).
    names : sequence of str or ModelSpec, optional
        Models to evaluate; default the whole ladder
        (:data:`xmforecast.models.LADDER`).
    min_train : int, default 2
        Fewest observations up to an origin for it to be used.
    horizon : int, default 3
        Largest step scored [years after the origin].
    level : float, default 80
        Interval coverage [percent].

    Returns
    -------
    pandas.DataFrame
        One row per model, origin and observed year: ``model``, ``origin``,
        ``year``, ``step`` [years], ``actual``, ``point``, ``lower``,
        ``upper``, ``ape`` (absolute percentage error as a fraction),
        ``covered`` (lower <= actual <= upper), ``error_ratio`` (|error| in
        interval half-widths on the model's scale) and ``level``.

    Raises
    ------
    ParameterError
        If the series or an argument breaks a rule.

    Notes
    -----
    For each observed year :math:`o` with at least `min_train` observations
    up to :math:`o` and one observed year in :math:`(o, o + horizon]`, every
    model is fitted to the data :math:`\\le o` (rungs below their
    ``min_obs`` are skipped) and scored on those years:
    :math:`APE = |\\hat y - y| / |y|`.

    References
    ----------
    .. [1] Tashman, L.J. (2000) Out-of-sample tests of forecasting accuracy:
       an analysis and review. *Int. J. Forecasting* 16(4), 437-450.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0, 121.0, 133.1], index=range(2013, 2017))
    >>> frame = backtest(s, ["drift"], horizon=1)
    >>> frame[["origin", "year", "step"]].to_numpy().tolist()
    [[2014, 2015, 1], [2015, 2016, 1]]
    >>> frame["point"].round(2).tolist()
    [121.0, 133.1]
    """
    data = check_series(series)
    min_train = check_int("min_train", min_train)
    horizon = check_int("horizon", horizon)
    level = check_level(level)
    specs = [as_spec(n) for n in (LADDER if names is None else names)]
    years = data.index.to_numpy()
    parts = []
    for i, origin in enumerate(years):
        if i + 1 < min_train:
            continue
        ahead = (years > origin) & (years <= origin + horizon)
        if not ahead.any():
            continue
        test = data[ahead]
        steps = test.index.to_numpy() - origin
        fitted, _ = fit_ladder(data.iloc[: i + 1], specs)
        for label, fit in fitted.items():
            fc = fit.forecast(int(steps.max()), level).loc[test.index]
            parts.append(_scored(label, origin, test, fc, fit.log_scale, level))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in _COLUMNS})
    return pd.concat(parts, ignore_index=True)[_COLUMNS]


def _scored(model: str, origin: int, test: pd.Series, forecast: pd.DataFrame, log_scale: bool,
            level: float) -> pd.DataFrame:
    """Rows of :func:`backtest`: one model's `forecast` from `origin` scored on the observed `test`."""
    actual = test.to_numpy(dtype=float)
    point, lower, upper = (forecast[c].to_numpy(dtype=float) for c in ("point", "lower", "upper"))
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.abs(point - actual) / np.abs(actual)
    return pd.DataFrame({
        "model": model, "origin": int(origin), "year": test.index.to_numpy(),
        "step": test.index.to_numpy() - origin, "actual": actual, "point": point, "lower": lower,
        "upper": upper, "ape": ape, "covered": (lower <= actual) & (actual <= upper),
        "error_ratio": _error_ratio(actual, point, lower, upper, log_scale),
        "level": float(level),
    })


def score(backtest_frame: pd.DataFrame) -> pd.DataFrame:
    """Accuracy and interval coverage per model.

    Parameters
    ----------
    backtest_frame : pandas.DataFrame
        Output of :func:`backtest` (or the ``frame`` of :func:`backtest_panel`).

    Returns
    -------
    pandas.DataFrame
        Indexed by model: ``n`` (forecasts scored), ``mape`` (mean APE, a
        fraction), ``coverage`` (share of actual values inside the interval),
        ``nominal`` (the interval's level [percent]) and ``scale_needed`` (the
        ``sigma_scale`` that would have made coverage nominal).

    Raises
    ------
    ParameterError
        If a required column is missing.

    Notes
    -----
    ``scale_needed`` is the empirical ``nominal`` quantile (inverse of the
    empirical CDF) of ``error_ratio`` = |error| / (q s), i.e. that of
    |error| / s divided by the nominal quantile q: the smallest
    ``sigma_scale`` with which at least the nominal share of the backtest
    forecasts would have been covered.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0, 121.0, 133.1], index=range(2013, 2017))
    >>> score(backtest(s, ["naive"], horizon=1))[["n", "mape", "coverage"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
           n   mape  coverage
    model
    naive  2  0.091       1.0
    """
    missing = [c for c in ("model", "ape", "covered", "error_ratio", "level")
               if c not in backtest_frame.columns]
    if missing:
        raise ParameterError(
            f"`backtest_frame` must have the columns of `backtest()`; missing {missing}."
        )
    if backtest_frame.empty:
        return pd.DataFrame(columns=_SCORE_COLUMNS, index=pd.Index([], name="model"))
    levels = backtest_frame["level"].unique()
    if len(levels) != 1:
        raise ParameterError(f"`backtest_frame` must hold one `level`; got {sorted(levels)}.")
    level = float(levels[0])
    grouped = backtest_frame.groupby("model", sort=False)
    out = pd.DataFrame({
        "n": grouped.size(),
        "mape": grouped["ape"].mean(),
        "coverage": grouped["covered"].mean(),
        "nominal": level,
        "scale_needed": grouped["error_ratio"].agg(
            lambda r: np.quantile(r.to_numpy(), level / 100, method="inverted_cdf")),
    })
    out.index.name = "model"
    return out[_SCORE_COLUMNS]


@dataclass(frozen=True, eq=False)
class PanelBacktest:
    """Backtest evidence pooled over many indicators.

    Attributes
    ----------
    frame : pandas.DataFrame
        Every scored forecast: an ``indicator`` column, then the columns of
        :func:`backtest`.
    pooled : pandas.DataFrame
        :func:`score` over all indicators' forecasts together, by model.
    by_indicator : pandas.DataFrame
        :func:`score` per indicator, indexed by (indicator, model).
    """

    frame: pd.DataFrame
    pooled: pd.DataFrame
    by_indicator: pd.DataFrame


def backtest_panel(series_by_id: Mapping[str, pd.Series],
                   names: Sequence[str | ModelSpec] | None = None, *, min_train: int = 2,
                   horizon: int = 3, level: float = 80) -> PanelBacktest:
    """Rolling-origin backtest of every series, scored pooled and per indicator.

    Parameters
    ----------
    series_by_id : mapping of str to pandas.Series
        Indicator id to its observations (each as for :func:`backtest`).
    names, min_train, horizon, level
        As for :func:`backtest`.

    Returns
    -------
    PanelBacktest
        All scored forecasts, pooled scores and per-indicator scores.

    Raises
    ------
    ParameterError
        If `series_by_id` is not a mapping or a series breaks a rule (the
        message names the indicator).

    Notes
    -----
    Pooled MAPE weights every scored forecast equally, so indicators with
    longer histories count for more; rungs with a high ``min_obs`` are
    scored on long series only.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = backtest_panel({
    ...     "a": pd.Series([100.0, 110.0, 121.0], index=[2014, 2015, 2016]),
    ...     "b": pd.Series([10.0, 12.0, 14.4], index=[2014, 2015, 2016]),
    ... }, ["drift"], horizon=1)
    >>> int(panel.pooled.loc["drift", "n"]), round(float(panel.pooled.loc["drift", "mape"]), 6)
    (2, 0.0)
    """
    if not isinstance(series_by_id, Mapping):
        raise ParameterError(
            f"`series_by_id` must be a mapping of indicator id to Series; got "
            f"{type(series_by_id).__name__}."
        )
    frames, per = [], {}
    for key, series in series_by_id.items():
        try:
            frame = backtest(series, names, min_train=min_train, horizon=horizon, level=level)
        except ParameterError as exc:
            raise ParameterError(f"series {key!r}: {exc}") from None
        if not frame.empty:
            frames.append(frame.assign(indicator=key))
            per[key] = score(frame)
    if frames:
        rows = pd.concat(frames, ignore_index=True)[["indicator", *_COLUMNS]]
        by_indicator = pd.concat(per, names=["indicator", "model"])
    else:
        rows = pd.DataFrame({c: pd.Series(dtype=float) for c in ["indicator", *_COLUMNS]})
        by_indicator = pd.DataFrame(columns=_SCORE_COLUMNS)
    return PanelBacktest(frame=rows, pooled=score(rows), by_indicator=by_indicator)


def choose(series: pd.Series, *, names: Sequence[str] | None = None,
           panel_scores: pd.DataFrame | None = None, level: float = 80, min_train: int = 2,
           horizon: int = 3, tolerance: float = 0.10, max_members: int = 3,
           min_evidence: int = 10) -> tuple[FittedModel, pd.DataFrame]:
    """Choose, calibrate and fit a model for `series` (``--model auto``), as the module says.

    Parameters
    ----------
    series : pandas.Series
        Observations [any units] on an increasing int year index.
    names : sequence of str, optional
        Candidate rungs (default the ladder); those the series cannot be fitted with drop out.
    panel_scores : pandas.DataFrame or PanelBacktest, optional
        Pooled scores at the same `level`, e.g. ``backtest_panel(...).pooled`` (a
        :class:`PanelBacktest` stands for it). None: the series' own backtest.
    level : float, default 80
        Interval coverage [percent].
    min_train, horizon
        As for :func:`backtest` (own backtest only).
    tolerance : float, default 0.10
        Models whose MAPE is within this fraction of the best are "close".
    max_members : int, default 3
        Largest number of models combined.
    min_evidence : int, default 10
        Fewest scored forecasts behind the best model below which the evidence is thin.

    Returns
    -------
    fitted : FittedModel
        The chosen model or combination, fitted with the calibrated ``sigma_scale``.
    table : pandas.DataFrame
        By model: the chosen one first (its ``reason`` says why and how it was calibrated),
        the other candidates by MAPE, then skipped rungs. Columns ``n``, ``mape``,
        ``coverage``, ``nominal``, ``scale_needed``, ``chosen``, ``sigma_scale``,
        ``evidence`` and ``reason``.

    Raises
    ------
    ParameterError
        If an argument breaks a rule or `panel_scores` has another level.
    ModelError
        If no candidate can be fitted to `series`.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0, 121.0, 133.1, 146.41], index=range(2012, 2017))
    >>> fit, table = choose(s, names=["naive", "drift"], min_evidence=5)
    >>> fit.name, float(table.loc[fit.name, "sigma_scale"])
    ('drift', 1.0)
    >>> table[["n", "mape", "coverage", "chosen"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
           n   mape  coverage  chosen
    model
    drift  6  0.000     1.000    True
    naive  6  0.145     0.667   False
    """
    data, level = check_series(series), check_level(level)
    max_members, min_evidence = check_int("max_members", max_members), check_int("min_evidence", min_evidence)
    if not (isinstance(tolerance, (int, float)) and 0 <= tolerance < math.inf):
        raise ParameterError(f"`tolerance` must be a finite number >= 0; got {tolerance!r}.")
    candidates, skipped, evidence_source, table = _candidate_scores(data, names, panel_scores, min_train, horizon,
                                                                   level)
    ranked = table[table["n"] > 0].sort_values(["mape", "n"], ascending=[True, False])
    members, why = _members(ranked, candidates, evidence_source, tolerance=tolerance, max_members=max_members,
                            min_evidence=min_evidence)
    members = sorted(members, key=LADDER.index)
    spec = as_spec(members[0]) if len(members) == 1 else Combination(members=tuple(members))

    mape, coverage, needed, n_cal, how = _calibration_evidence(
        spec, members, table, data, evidence_source, min_train, horizon, level)
    scale, calib = _calibration(coverage, needed, n_cal, how, level)
    final = dataclasses.replace(spec, sigma_scale=spec.sigma_scale * scale).fit(data)

    chosen = {"n": n_cal, "mape": mape, "coverage": coverage, "nominal": level,
              "scale_needed": needed, "chosen": True, "sigma_scale": final.spec.sigma_scale,
              "evidence": evidence_source, "reason": f"{why}. {calib}."}
    out = _choice_table(final.name, chosen, pd.concat([ranked, table[~(table["n"] > 0)]]), skipped, level,
                        evidence_source)
    _log.info("chose %s for %s: %s. %s.", final.name, series.name, why, calib)
    return final, out


def _candidate_scores(data, names, panel_scores, min_train, horizon, level):
    """The rungs `data` can be fitted with, those skipped and why, where the scores come from
    (``panel`` or ``own``) and each candidate's scores (:func:`choose` explains the arguments)."""
    fitted, skipped = fit_ladder(data, LADDER if names is None else names)
    if not fitted:
        reasons = "; ".join(f"{n}: {r}" for n, r in skipped)
        raise ModelError(f"no model can be fitted to this series ({reasons}).")
    candidates = [c for c in fitted if c in LADDER]
    panel_scores = _checked_panel_scores(panel_scores, level)
    if panel_scores is not None:
        evidence_source, scores = "panel", panel_scores
    else:
        evidence_source = "own"
        scores = score(backtest(data, candidates, min_train=min_train, horizon=horizon, level=level))
    table = scores.reindex(candidates)[_SCORE_COLUMNS].astype(float)
    table["nominal"] = level
    return candidates, skipped, evidence_source, table


def _checked_panel_scores(panel_scores, level: float) -> pd.DataFrame | None:
    """The pooled scores of :func:`choose` as a frame (a PanelBacktest stands for its ``pooled``), or raise."""
    if isinstance(panel_scores, PanelBacktest):
        panel_scores = panel_scores.pooled
    if panel_scores is None:
        return None
    if not isinstance(panel_scores, pd.DataFrame):
        raise ParameterError(
            "`panel_scores` must be a DataFrame from `score()` or a PanelBacktest; got "
            f"{type(panel_scores).__name__}."
        )
    missing = [c for c in _SCORE_COLUMNS if c not in panel_scores.columns]
    if missing:
        raise ParameterError(f"`panel_scores` must have the columns of `score()`; missing {missing}.")
    if len(panel_scores) and not np.allclose(panel_scores["nominal"].astype(float), level):
        raise ParameterError(
            f"`panel_scores` were computed at level {sorted(set(panel_scores['nominal']))}; "
            f"got level={level:g}."
        )
    return panel_scores


def _members(ranked: pd.DataFrame, candidates: list[str], evidence_source: str, *, tolerance: float,
             max_members: int, min_evidence: int) -> tuple[list[str], str]:
    """The models :func:`choose` takes (one, or a combination's members) and why, in words."""
    if ranked.empty:
        members = [m for m in _DEFAULT_MEMBERS if m in candidates] or candidates[:1]
        return members, (f"no backtest evidence ({evidence_source}); "
                         f"default members that fit: {', '.join(members)}")
    best, best_mape, best_n = ranked.index[0], ranked["mape"].iloc[0], int(ranked["n"].iloc[0])
    close = ranked.index[ranked["mape"] <= best_mape * (1 + tolerance)]
    if best_n < min_evidence:
        members = list(ranked.index[:max_members])
        return members, (f"thin evidence ({evidence_source}): best model {best} scored on {best_n} "
                         f"forecasts < min_evidence={min_evidence}; combination of the "
                         f"{len(members)} lowest MAPEs")
    if len(close) > 1:
        members = list(close[:max_members])
        return members, (f"{len(close)} models within {tolerance:.0%} of the best MAPE "
                         f"{best_mape:.3f} ({evidence_source}); combination of {', '.join(members)}")
    runner = (f", next {ranked.index[1]} {ranked['mape'].iloc[1]:.3f}"
              if len(ranked) > 1 else "")
    return [best], f"lowest backtest MAPE {best_mape:.3f} ({evidence_source}, n={best_n}{runner})"


def _calibration(coverage: float, needed: float, n_cal: int, how: str, level: float) -> tuple[float, str]:
    """The factor :func:`choose` widens intervals by, and how it was calibrated, in words."""
    if n_cal == 0:
        return 1.0, "no backtest evidence to calibrate; sigma_scale 1"
    if coverage < level / 100:
        # A handful of scored forecasts cannot justify more than tripling the spread.
        scale = min(max(1.0, needed), _MAX_WIDENING)
        capped = " (capped)" if needed > _MAX_WIDENING else ""
        return scale, (f"backtest coverage {coverage:.0%} < nominal {level:g}% ({how}, n={n_cal}): "
                       f"sigma_scale {scale:.2f}{capped}")
    return 1.0, (f"backtest coverage {coverage:.0%} >= nominal {level:g}% ({how}, n={n_cal}); "
                 "not narrowed")


def _choice_table(label: str, chosen: dict, others: pd.DataFrame, skipped: list[tuple[str, str]], level: float,
                  evidence_source: str) -> pd.DataFrame:
    """:func:`choose`'s table: the chosen model first, then the other candidates, then skipped rungs."""
    records = {label: chosen}
    for name, row in others.iterrows():
        if name not in records:
            records[name] = {**row.to_dict(), "nominal": level, "chosen": False,
                             "sigma_scale": math.nan, "evidence": evidence_source,
                             "reason": "" if row["n"] > 0 else "no backtest evidence"}
    for name, reason in skipped:
        records.setdefault(name, {"nominal": level, "chosen": False, "sigma_scale": math.nan,
                                  "evidence": "", "reason": f"skipped: {reason}"})
    out = pd.DataFrame.from_dict(records, orient="index")
    out = out.reindex(columns=[*_SCORE_COLUMNS, "chosen", "sigma_scale", "evidence", "reason"])
    out["n"] = out["n"].fillna(0).astype(int)
    out["chosen"] = out["chosen"].astype(bool)
    out.index.name = "model"
    return out


def _calibration_evidence(spec: ModelSpec, members: list[str], table: pd.DataFrame,
                          data: pd.Series, source: str, min_train: int, horizon: int,
                          level: float) -> tuple[float, float, float, int, str]:
    """MAPE, coverage, scale needed, number of forecasts and where they come from."""
    if len(members) == 1:
        row = table.loc[members[0]]
        n = 0 if not row["n"] > 0 else int(row["n"])
        return (float(row["mape"]), float(row["coverage"]), float(row["scale_needed"]), n,
                f"{members[0]}, {source}")
    if source == "own":
        own = score(backtest(data, [spec], min_train=min_train, horizon=horizon, level=level))
        if spec.label not in own.index:
            return math.nan, math.nan, math.nan, 0, "combination, own"
        row = own.loc[spec.label]
        return (float(row["mape"]), float(row["coverage"]), float(row["scale_needed"]),
                int(row["n"]), "the combination's own backtest")
    rows = table.loc[members].dropna(subset=["n"])
    if rows.empty:
        return math.nan, math.nan, math.nan, 0, "members, panel"
    return (math.nan, float(rows["coverage"].mean()), float(rows["scale_needed"].mean()),
            int(rows["n"].sum()), "members' panel scores, averaged")


def _backtest_auto(plan, indicator, history, level, *, min_train=2, horizon=3):
    """Rolling-origin backtest of what ``--model auto`` uses for one indicator.

    At each observed year with at least `min_train` observations up to it, the indicator's
    model is chosen and fitted as :func:`forecast` would with that year as origin (its
    structural model on its inputs up to then, or ``auto`` with that year's vintage) and
    scored on the observed years of the next `horizon`. Returns the rows of
    :func:`xmforecast.backtest.backtest` and the fit at the last observation (the one a
    forecast uses now), and why each origin not scored could not be fitted.
    """
    from .fitting import as_scenario, fit_indicator

    scenario = as_scenario(None, plan)
    years = history.index.to_numpy()
    parts, failed = [], []
    for i, origin in enumerate(years[:-1]):
        ahead = (years > origin) & (years <= origin + horizon)
        if i + 1 < min_train or not ahead.any():
            continue
        try:
            fit = fit_indicator(plan.with_origin(int(origin)), indicator, history[history.index <= origin], "auto",
                                scenario)
            test = history[ahead]
            steps = test.index.to_numpy() - origin
            extra = {"n_paths": 2000, "rng": 2017} if fit.fitted.intervals_from_paths else {}
            fc = fit.fitted.forecast(int(steps.max()), level=level, **extra).loc[test.index]
        except XMForecastError as err:  # an origin the model cannot fit from is not scored
            _log.info("%s: backtest origin %s skipped: %s", indicator, origin, err)
            # A model that said why as a catalog message keeps it, for a page to word in its language.
            said = err.args[0] if len(err.args) == 1 else None
            failed.append((int(origin), said if isinstance(said, Said) else str(err)))
            continue
        parts.append(_scored(fit.model, origin, test, fc, fit.fitted.log_scale, level))
    frame = pd.concat(parts, ignore_index=True)[_COLUMNS] if parts else pd.DataFrame(columns=_COLUMNS)
    return frame, fit_indicator(plan.with_origin(int(years[-1])), indicator, history, "auto", scenario), failed


def backtest_table(plan, *, level: float = 80) -> pd.DataFrame:
    """Rolling-origin backtest per indicator and model: a diagnostic of the growth models.

    Every indicator with at least three observations is backtested (origin moving one year
    at a time, forecasts scored against what followed): the model ``--model auto`` uses for
    it, and every rung of the ladder; the ladder's scores are also pooled over all of them.

    Parameters
    ----------
    plan : Plan
        The registry and observations; only data up to its ``origin`` is used.
    level : float
        Central interval level [%] whose coverage is scored.

    Returns
    -------
    DataFrame
        One row per (indicator, model): ``n`` scored forecasts, ``mape``, ``coverage`` of
        the ``nominal`` interval [%], ``scale_needed`` to reach it. Per indicator, the first
        row (``chosen`` True) is the model a forecast of it uses (``auto``, or its structural
        model), backtested as it forecasts: at each origin with that origin's data only (and
        ``auto``'s vintage of that year); its ``reason`` says what the model rests on and
        how it was backtested, in English, and ``evidence`` what it forecasts from; the same
        as data in :data:`WHY_COLUMNS` (``note``, ``backtested``, ``failed_origins``,
        ``first_failed_year``, ``first_failed_why``), empty on other rows. Rows with
        indicator ``all`` hold the ladder's pooled scores.
    """
    from .data import series

    check_level(level)
    observations = plan.all_observations
    by_id = {ind: s for ind in plan.registry["id"] if len(s := series(observations, ind, origin=plan.origin)) >= 3}
    panel = backtest_panel(by_id, level=level) if by_id else None
    columns = ["indicator", "model", "n", "mape", "coverage", "nominal", "scale_needed", "chosen",
               "sigma_scale", "evidence", "reason", *WHY_COLUMNS]
    if panel is None:
        return pd.DataFrame(columns=columns)
    frames = []
    for ind, s in by_id.items():
        own = panel.by_indicator.loc[ind].reset_index() if ind in panel.by_indicator.index.get_level_values(0) \
            else pd.DataFrame(columns=["model"])
        rows, used, failed = _backtest_auto(plan, ind, s, level)
        scored = score(rows)
        first = scored.iloc[0].to_dict() if len(scored) else {"n": 0, "nominal": float(level)}
        how = "backtested as it forecasts, from each origin's data" if len(scored) else "not backtested"
        if failed:
            how += f"; {len(failed)} origin(s) it cannot be fitted from (first {failed[0][0]}: {failed[0][1]})"
        # `reason` in one English sentence (the command line's); the same as data for the pages
        # to word in their language.
        why = {"note": used.note, "backtested": bool(len(scored)), "failed_origins": len(failed),
               "first_failed_year": failed[0][0] if failed else None, "first_failed_why": failed[0][1] if failed else ""}
        picked = pd.DataFrame([{**first, "model": used.model, "chosen": True,
                                "sigma_scale": used.fitted.spec.sigma_scale,
                                "evidence": used.evidence,
                                "reason": f"--model auto uses {used.model} ({used.note}); {how}", **why}])
        own = own[own["model"] != used.model].assign(chosen=False)
        frames.append(pd.concat([picked, own], ignore_index=True).assign(indicator=ind))
    pooled = panel.pooled.reset_index().assign(indicator="all", chosen=False)
    out = pd.concat(frames + [pooled], ignore_index=True)
    out["n"] = pd.to_numeric(out["n"], errors="coerce").fillna(0).astype(int)
    out["chosen"] = out["chosen"].astype(bool)
    out = out.reindex(columns=columns)
    out["failed_origins"] = out["failed_origins"].astype("Int64")
    out["first_failed_year"] = out["first_failed_year"].astype("Int64")
    return out
