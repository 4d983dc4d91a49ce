"""The explore notebook's live chart: widgets in, :func:`explore`'s figure out.

:func:`explore` re-evaluates one target with changed assumptions and draws it; it lives on
this, the presentation, side so that the computing modules never import drawing.

:func:`interactive_output` does what :func:`ipywidgets.interactive_output` does, with one
difference that matters to unattended runs: the figure is *put* into the Output widget's
state (``append_display_data``) instead of being captured from the running cell (``with out:``).

Why: a captured output makes a headless runner (nbclient, under papermill or ``xmforecast
run``) play the part of the browser's Output widget, which sends the captured outputs back to
the kernel on the shell channel, from the task that reads IOPub, while another task waits on
that same socket for the cell's ``execute_reply``. The send can take the socket's
edge-triggered wake-up with it; the reply then sits unread until the cell's timeout (nbclient
issue 312: 4 runs of explore in 18 hung, one for more than 10 minutes). With the figure
put into the widget's state no output is captured, the runner never sends, and nothing waits.
In JupyterLab the chart under the sliders looks and behaves the same.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .exceptions import XMForecastError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["explore", "interactive_output"]


def _show(out: Any, figure: Any) -> None:
    """Replace what `out` shows with `figure` (a matplotlib Figure), then close the figure.

    Closing it keeps the inline backend from drawing it a second time below the cell.
    """
    import matplotlib.pyplot as plt

    out.outputs = ()
    out.append_display_data(figure)
    plt.close(figure)


def interactive_output(update: Callable[..., Any], controls: Mapping[str, Any]) -> Any:
    """An Output widget that shows ``update(**values)`` now and after every change of a control.

    Parameters
    ----------
    update : callable
        Takes one keyword per control (its ``value``) and returns a matplotlib Figure, e.g.
        :func:`xmforecast.explore` with the plan bound.
    controls : mapping of str to widget
        ipywidgets with a ``value`` (sliders, dropdowns, checkboxes).

    Returns
    -------
    ipywidgets.Output
        Display it beside the controls. A value the scenario schema refuses shows its one-line
        message in place of the chart.
    """
    import ipywidgets as widgets

    out = widgets.Output()

    def draw(change: Any = None) -> None:
        try:
            figure = update(**{key: control.value for key, control in controls.items()})
        except XMForecastError as err:
            out.outputs = ()
            out.append_stdout(f"{err}\n")
            return
        _show(out, figure)

    for control in controls.values():
        control.observe(draw, "value")
    draw()
    return out


def explore(plan=None, indicator: str | None = None, *, scenario, observations: pd.DataFrame | None = None,
            indicators: pd.DataFrame | None = None, origin: int | None = None, n_paths: int = 2000,
            implied_renewal: bool = False, projected_new: bool = False, **assumptions):
    """Re-evaluate one target with changed assumptions and draw it (for notebook widgets).

    Parameters
    ----------
    plan : Plan, optional
        The registry and observations, as of its ``origin``. Without one, the plan of
        ``observations``, ``indicators`` and ``origin`` (:func:`xmforecast.plan.as_plan`), and
        ``explore(indicator, scenario=...)`` is read as before plans were the argument.
    indicator : str
        Registry id of the target.
    scenario : Scenario
        The starting assumptions; ``assumptions`` override its fields and are validated by
        the same schema as a params file.
    implied_renewal, projected_new : bool
        Set ``recertification_rate`` / ``new_certifications`` to None (solved from the data,
        projected from history): widgets cannot hold None themselves.
    **assumptions
        Scenario fields, e.g. ``growth_shift=0.05``.

    Returns
    -------
    Figure
        The probability of attainment and the fan chart (:func:`xmforecast.plots.target_panel`).
    """
    from .evaluation import evaluate_targets
    from .fitting import as_scenario
    from .plan import as_plan
    from .plots import target_panel
    from .scenarios import scenario_from_parameters

    if isinstance(plan, str):  # explore(indicator, ...), the form before plans were the argument
        plan, indicator = None, plan
    plan = as_plan(plan, observations=observations, indicators=indicators, origin=origin)
    base = as_scenario(scenario, plan)
    if implied_renewal:
        assumptions["recertification_rate"] = None
    if projected_new:
        assumptions["new_certifications"] = None

    changed = scenario_from_parameters({**base.to_parameters(), **assumptions}, where="explore")
    evaluation = evaluate_targets(plan, scenario=changed, n_paths=n_paths, ids=[indicator])
    # The observations' own grades draw derived and grade-C points hollow, a user's file's too.
    observations = plan.all_observations
    flags = [c for c in ("year", "quality", "status") if c in observations.columns]
    quality = (observations.loc[observations["indicator"] == indicator, flags] if len(flags) == 3 else None)
    return target_panel(evaluation, indicator, plan.registry, lang=changed.lang, level=changed.level, quality=quality)
