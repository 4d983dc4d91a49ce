from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xmforecast.backtest import PanelBacktest, backtest, backtest_panel, choose, score
from xmforecast.exceptions import ModelError, ParameterError
from xmforecast.models import Drift

GEOMETRIC = pd.Series(100 * 1.1 ** np.arange(7), index=range(2010, 2017))


def test_exact_geometric_growth_drift_is_exact_and_covered():
    frame = backtest(GEOMETRIC, ["drift", "naive"], horizon=3, level=80)
    drift = frame[frame["model"] == "drift"]
    assert drift["ape"].max() < 1e-12
    assert drift["covered"].all()
    # naive carries the origin value: APE = 1 - 1.1^-step
    naive = frame[frame["model"] == "naive"]
    assert naive["ape"].to_numpy() == pytest.approx(1 - 1.1 ** -naive["step"].to_numpy(), rel=1e-12)
    scores = score(frame)
    assert scores.loc["drift", "coverage"] == 1.0
    assert scores.loc["drift", "mape"] < 1e-12
    # origins 2011..2015 have 2..6 points; 3 + 3 + 3 + 2 + 1 scored years
    assert scores.loc["drift", "n"] == 12
    assert scores.loc["naive", "mape"] == pytest.approx(np.mean(1 - 1.1 ** -naive["step"].to_numpy()))


def test_rolling_origins_on_a_gappy_series():
    s = pd.Series([10.0, 11.0, 13.0, 14.0], index=[2010, 2011, 2013, 2014])
    frame = backtest(s, ["drift", "loglinear"], min_train=2, horizon=2)
    rows = frame[["model", "origin", "year", "step"]].to_numpy().tolist()
    assert rows == [
        ["drift", 2011, 2013, 2],
        ["drift", 2013, 2014, 1],
        ["loglinear", 2013, 2014, 1],
    ]
    first = frame.iloc[0]
    expected = 11.0 * 1.1**2  # drift fitted to 2010-2011 only
    assert first["point"] == pytest.approx(expected, rel=1e-12)
    assert first["ape"] == pytest.approx(abs(expected - 13) / 13, rel=1e-12)
    assert list(frame.columns[:10]) == ["model", "origin", "year", "step", "actual", "point",
                                        "lower", "upper", "ape", "covered"]


def test_backtest_with_nothing_to_score_is_empty():
    frame = backtest(pd.Series([1.0, 2.0], index=[2015, 2016]), ["drift"])
    assert frame.empty
    assert score(frame).empty


def test_score_by_hand():
    frame = pd.DataFrame({
        "model": ["a", "a", "a", "a", "a", "b"],
        "ape": [0.1, 0.2, 0.0, 0.3, 0.4, 0.05],
        "covered": [True, True, True, False, False, True],
        "error_ratio": [0.5, 1.0, 0.0, 2.0, 3.0, 0.1],
        "level": 80.0,
    })
    out = score(frame)
    assert out.loc["a", "n"] == 5 and out.loc["b", "n"] == 1
    assert out.loc["a", "mape"] == pytest.approx(0.2)
    assert out.loc["a", "coverage"] == pytest.approx(0.6)
    assert out.loc["a", "nominal"] == 80.0
    # smallest scale covering >= 80 % of the five: the 4th smallest ratio
    assert out.loc["a", "scale_needed"] == 2.0


def test_scale_needed_restores_nominal_coverage_and_no_smaller_scale_does():
    noisy = pd.Series([100.0, 130.0, 118.0, 160.0, 150.0, 210.0, 190.0, 260.0],
                      index=range(2009, 2017))
    scores = score(backtest(noisy, [Drift()], horizon=2))
    assert scores.loc["drift", "coverage"] < 0.8
    needed = scores.loc["drift", "scale_needed"]
    wide = score(backtest(noisy, [Drift(sigma_scale=needed)], horizon=2))
    narrower = score(backtest(noisy, [Drift(sigma_scale=needed * 0.999)], horizon=2))
    assert wide.loc["drift", "coverage"] >= 0.8
    assert narrower.loc["drift", "coverage"] < 0.8


def test_panel_pools_over_indicators():
    panel = backtest_panel({
        "geo": GEOMETRIC,
        "rd": pd.Series([96.4, 103.4, 117.7], index=[2014, 2015, 2016]),
        "single": pd.Series([5.0], index=[2016]),
    }, ["drift", "naive"], horizon=2)
    assert isinstance(panel, PanelBacktest)
    assert set(panel.frame["indicator"]) == {"geo", "rd"}
    per = panel.by_indicator
    assert panel.pooled.loc["drift", "n"] == per.loc[("geo", "drift"), "n"] + per.loc[("rd", "drift"), "n"]
    weights = per.xs("naive", level="model")["n"]
    pooled_mape = (per.xs("naive", level="model")["mape"] * weights).sum() / weights.sum()
    assert panel.pooled.loc["naive", "mape"] == pytest.approx(pooled_mape, rel=1e-12)


def test_panel_names_the_bad_series():
    with pytest.raises(ParameterError, match="series 'bad': `series` years must be strictly increasing"):
        backtest_panel({"bad": pd.Series([1.0, 2.0], index=[2016, 2015])})


def _scores(rows: dict[str, tuple[int, float, float, float]], level: float = 80) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["n", "mape", "coverage", "scale_needed"])
    frame["nominal"] = level
    return frame


def test_choose_single_best_and_widens_short_coverage():
    panel = _scores({"drift": (40, 0.05, 0.5, 1.7), "loglinear": (40, 0.09, 0.9, 0.8),
                     "naive": (40, 0.20, 0.9, 0.7)})
    fitted, table = choose(GEOMETRIC.iloc[-3:], panel_scores=panel)
    assert fitted.name == "drift"
    assert fitted.spec.sigma_scale == pytest.approx(1.7)
    assert table.index[0] == "drift" and table["chosen"].tolist().count(True) == 1
    assert table.loc["drift", "coverage"] == 0.5 and table.loc["drift", "nominal"] == 80
    assert "lowest backtest MAPE 0.050" in table.loc["drift", "reason"]
    assert "coverage 50% < nominal 80%" in table.loc["drift", "reason"]
    assert table.loc["ets", "reason"] == "skipped: needs at least 8 observations; got 3"


def test_choose_never_narrows():
    panel = _scores({"drift": (40, 0.05, 0.95, 0.6), "naive": (40, 0.20, 0.9, 0.7)})
    fitted, table = choose(GEOMETRIC.iloc[-3:], panel_scores=panel)
    assert fitted.spec.sigma_scale == 1.0
    assert "not narrowed" in table.loc["drift", "reason"]


def test_choose_combines_close_models_and_thin_evidence():
    close = _scores({"drift": (40, 0.050, 0.8, 1.0), "loglinear": (40, 0.052, 0.8, 1.0),
                     "naive": (40, 0.20, 0.8, 1.0)})
    fitted, table = choose(GEOMETRIC.iloc[-3:], panel_scores=close)
    assert fitted.name == "combination[drift+loglinear]"
    assert "within 10% of the best MAPE" in table.loc[fitted.name, "reason"]
    thin = _scores({"drift": (4, 0.05, 0.8, 1.0), "loglinear": (4, 0.09, 0.8, 1.0),
                    "naive": (4, 0.20, 0.8, 1.0), "cagr": (4, 0.3, 0.8, 1.0)})
    fitted, table = choose(GEOMETRIC.iloc[-3:], panel_scores=thin)
    assert fitted.name == "combination[naive+drift+loglinear]"  # ladder order
    assert "thin evidence" in table.loc[fitted.name, "reason"]


def test_choose_accepts_a_panel_backtest_and_checks_its_level():
    panel = backtest_panel({"geo": GEOMETRIC}, ["drift", "naive"], level=80)
    fitted, _ = choose(GEOMETRIC, names=["drift", "naive"], panel_scores=panel, min_evidence=5)
    assert fitted.name == "drift"
    with pytest.raises(ParameterError, match=r"`panel_scores` were computed at level \[80.0\]; got level=90"):
        choose(GEOMETRIC, panel_scores=panel, level=90)


def test_choose_own_backtest_and_no_evidence():
    fitted, table = choose(GEOMETRIC, names=["naive", "drift"], min_evidence=5)
    assert fitted.name == "drift" and table.loc["drift", "evidence"] == "own"
    two = pd.Series([1000.0, 1225.0], index=[2015, 2016])
    fitted, table = choose(two)
    assert fitted.name == "combination[drift+additive_drift]" and fitted.spec.sigma_scale == 1.0
    assert "no backtest evidence" in table.loc[fitted.name, "reason"]
    with pytest.raises(ModelError, match="no model can be fitted"):
        choose(pd.Series([-1.0], index=[2016]), names=["drift", "naive"])


def test_backtest_argument_errors():
    with pytest.raises(ParameterError, match="`horizon` must be a positive integer; got 0."):
        backtest(GEOMETRIC, horizon=0)
    with pytest.raises(ParameterError, match="`level` must be a percentage strictly between 0 and 100"):
        backtest(GEOMETRIC, level=120)
    with pytest.raises(ParameterError, match="missing"):
        score(pd.DataFrame({"model": ["a"]}))


# --------------------------------------------------------------------------- why, as data


def test_each_chosen_row_says_why_in_columns_not_only_in_an_english_sentence():
    import xmforecast

    scores = xmforecast.Plan.default().backtest(level=80)
    chosen = scores[scores["chosen"]].set_index("indicator")
    patents = chosen.loc["invention_patents_per_10k"]
    assert (patents["note"].kind, patents["backtested"], patents["failed_origins"]) == ("structural", False, 1)
    assert str(patents["note"]) == "structural model"
    assert patents["first_failed_year"] == 2015 and patents["first_failed_why"].key == "error_lapse_rate_unknown"
    assert str(patents["first_failed_why"]).startswith("`lapse_rate` cannot be")
    stock = chosen.loc["hightech_enterprises"]
    assert (stock["backtested"], stock["failed_origins"], stock["first_failed_why"]) == (True, 0, "")
    note = chosen.loc["rd_spend", "note"]
    assert (note.kind, note.reference_class, note.family, note.vintage) == ("auto", "china_regions", "rd_money", 2016)
    assert str(note) == "calibrated on Chinese provinces, family rd_money, vintage 2016"
    assert scores.loc[~scores["chosen"], "note"].isna().all()


def test_the_pages_word_the_reason_from_its_columns_and_the_english_reads_as_the_sentence():
    """The words come from the columns (no sentence to parse); in English they read as `reason` does."""
    import xmforecast
    from xmforecast.phrases import backtest_reason_words

    lakeside = Path(__file__).resolve().parent.parent / "examples" / "lakeside"
    for plan in (xmforecast.Plan.default(), xmforecast.Plan.from_files(
            lakeside / "indicators.yaml", lakeside / "observations.csv")):
        scores = plan.backtest(level=80)
        for rec in scores[scores["chosen"]].to_dict("records"):
            sentence = rec.pop("reason")
            assert backtest_reason_words(rec, "en") == sentence.removeprefix("--model auto uses ")
            # In Chinese no English sentence is left: not the note, not a model's own error.
            assert not re.search(r"[a-z]+ [a-z]+", backtest_reason_words(rec, "zh")), rec
