"""Plots for the HTML report: matplotlib (Agg) figures as inline SVG, or base64 PNG when a
plot has so many points that SVG would bloat the file. Output is byte-for-byte
deterministic: fixed hash salt, no date metadata."""
from __future__ import annotations

import base64
import html
import io
import math
import multiprocessing
import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib import ticker  # noqa: E402

#: above this many points a plot is embedded as PNG rather than SVG
PNG_ABOVE_POINTS = 3000
_STYLE = {"svg.hashsalt": "odl-verify", "svg.fonttype": "none", "font.size": 9,
          "font.family": "DejaVu Sans", "axes.spines.top": False, "axes.spines.right": False}


def _numbers(values) -> list[float]:
    """Finite floats of a series (JSON may carry 'inf'/'nan' strings and None)."""
    out = []
    for value in values or []:
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            out.append(number)
    return out


def _pairs(series: dict) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for x, y in zip(series.get("x") or [], series.get("y") or []):
        fx, fy = _numbers([x]), _numbers([y])
        if fx and fy:
            xs.append(fx[0])
            ys.append(fy[0])
    return xs, ys


#: line styles by series: a later series drawn dashed over an earlier one stays visible where
#: the two coincide (a tight bound drawn over the observed curve), so no legend entry names a
#: curve hidden under another
_LINE_STYLES = ("-", (0, (5, 3)), (0, (1, 2)), "-.")
#: a "linear" axis becomes logarithmic when its data span more than this ratio (two decades)
LOG_ABOVE_RATIO = 100.0
#: a symlog axis shows at most this many decades below its largest magnitude
SYMLOG_DECADES = 8
#: plots a forked worker must have to be worth starting (one plot takes about 0.1 s)
PLOTS_PER_WORKER = 8


def axis_scale(values: list[float], requested: str = "linear") -> tuple[str, dict]:
    """The scale of an axis and its options: the requested one, except that a linear axis whose
    data span more than two decades becomes log (all positive) or symlog (signs mixed, linear
    within the smallest nonzero magnitude or eight decades below the largest), where points would
    otherwise pile up at 0."""
    if requested != "linear" or not values:
        return requested, {}
    magnitudes = [abs(v) for v in values if v != 0]
    if not magnitudes or max(magnitudes) <= LOG_ABOVE_RATIO * min(magnitudes):
        return "linear", {}
    if min(values) > 0:
        return "log", {}
    # linear within the smallest magnitude, but over at most SYMLOG_DECADES below the largest:
    # float64 roundoff (1e-190 beside 1e-6) belongs at 0, not on decades of empty axis
    floor = max(min(magnitudes), max(magnitudes) * 10.0 ** -SYMLOG_DECADES)
    return "symlog", {"linthresh": 10 ** math.floor(math.log10(floor))}


def _draw(ax, spec: dict) -> int:
    """Draw one plot spec (as ``Verdict.add_plot`` stores it); returns the number of points.
    A series may carry its own ``kind`` (a reference line in a scatter plot, say)."""
    kind, points = spec.get("kind", "line"), 0
    all_x, all_y = [], []
    for index, series in enumerate(spec.get("series", [])):
        label = str(series.get("label", "")) or None
        if kind == "hist":
            xs = _numbers(series.get("x"))
            if xs:
                scale, _ = axis_scale(xs, spec.get("xscale", "linear"))
                bins = min(30, max(5, len(set(xs))))
                if scale == "log":
                    bins = [min(xs) * (max(xs) / min(xs)) ** (i / bins) for i in range(bins + 1)]
                ax.hist(xs, bins=bins, alpha=0.6, label=label)
                all_x += xs
            points += len(xs)
            continue
        xs, ys = _pairs(series)
        all_x += xs
        all_y += ys
        if series.get("kind", kind) == "scatter":
            ax.scatter(xs, ys, s=9, alpha=0.7, label=label, zorder=3)
        else:
            ax.plot(xs, ys, marker="o" if len(xs) <= 60 else None, markersize=3, label=label,
                    linestyle=_LINE_STYLES[index % len(_LINE_STYLES)], linewidth=1.6, zorder=2 + index)
        points += len(xs)
    for axis, values in (("x", all_x), ("y", all_y if kind != "hist" else [])):
        scale, options = axis_scale(values, spec.get(f"{axis}scale", "linear"))
        if scale in ("linear", "log", "symlog", "logit"):
            getattr(ax, f"set_{axis}scale")(scale, **options)
        target = getattr(ax, f"{axis}axis")
        if scale == "log":  # a label every few decades, not one per decade over twenty
            target.set_major_locator(ticker.LogLocator(base=10, numticks=6))
        elif scale == "symlog":
            locator = ticker.SymmetricalLogLocator(linthresh=options["linthresh"], base=10)
            locator.set_params(numticks=6)
            target.set_major_locator(locator)
        if axis == "y" and scale == "log":  # say so in the legend rather than name an invisible curve
            for line in ax.get_lines():
                if line.get_label() and not any(y > 0 for y in line.get_ydata()):
                    line.set_label(f"{line.get_label()} (not > 0: off the log axis)")
    ax.set_title(str(spec.get("title", "")), fontsize=9)
    ax.set_xlabel(str(spec.get("xlabel", "")))
    ax.set_ylabel(str(spec.get("ylabel", "")))
    if any(series.get("label") for series in spec.get("series", [])):
        ax.legend(fontsize=7, frameon=False)
    return points


def render(spec: dict, uid: str, *, width: float = 4.2, height: float = 2.9) -> str:
    """One plot as an HTML fragment (``<svg>`` or ``<img>``), or '' when it has no data.

    ``uid`` prefixes the SVG's element ids, which must be unique in the whole page."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(width, height))
        try:
            points = _draw(ax, spec)
            if points == 0:
                return ""
            fig.tight_layout()
            buffer = io.BytesIO()
            if points > PNG_ABOVE_POINTS:
                fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
                data = base64.b64encode(buffer.getvalue()).decode("ascii")
                return f'<img class="plot" alt="{_attr(spec.get("title", ""))}" src="data:image/png;base64,{data}">'
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            plt.close(fig)
    svg = buffer.getvalue().decode("utf-8")
    svg = re.sub(r'(id="|href="#|url\(#)', rf"\g<1>{uid}-", svg[svg.index("<svg"):])
    return f'<div class="plot">{svg}</div>'



def render_all(tasks: list[tuple[dict, str]]) -> list[str]:
    """:func:`render` of every (spec, uid), in order. matplotlib's text layout makes a plot cost
    about 0.1 s, and a suite's report holds hundreds: with more than a few, they are drawn in
    forked processes, one per core (the same bytes as drawn here; serial where fork is missing)."""
    workers = min(os.cpu_count() or 1, len(tasks) // PLOTS_PER_WORKER)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [render(spec, uid) for spec, uid in tasks]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.starmap(render, tasks, chunksize=max(1, len(tasks) // (4 * workers)))


def _attr(text) -> str:
    return html.escape(str(text), quote=True)


def bound_against_observed(samples: dict, tight: bool) -> dict | None:
    """Plot spec of a sympy claim's two sides: each point is one example's closest instance."""
    xs, ys = _pairs({"x": samples.get("bound"), "y": samples.get("observed")})
    if not xs:
        return None
    low, high = min(xs + ys), max(xs + ys)
    return {"title": "observed against bound" + (" (tight: meets the line)" if tight else ""),
            "kind": "scatter", "xlabel": "bound side", "ylabel": "observed side",
            "series": [{"label": "examples", "x": xs, "y": ys},
                       {"label": "observed = bound", "kind": "line", "x": [low, high], "y": [low, high]}]}


def tightness_histogram(samples: dict) -> dict | None:
    """Histogram of each example's tightness (the smaller side over the larger; 1 = attained),
    or None when every example has the same tightness (one bar says nothing the table does not)."""
    ratios = _numbers(samples.get("tightness"))
    if len(set(ratios)) < 2:
        return None
    return {"title": "tightness per example (1 = the bound is attained)", "kind": "hist", "xlabel": "tightness",
            "ylabel": "examples", "xscale": "linear", "yscale": "linear",
            "series": [{"label": "", "x": ratios}]}


def numeric_values(values) -> list[float] | None:
    """Every number in a coverage list (entries may be lists, e.g. layer widths), or None
    when it holds anything else (family names)."""
    flat = []
    for value in values or []:
        if isinstance(value, (list, tuple)):
            inner = numeric_values(value)
            if inner is None:
                return None
            flat += inner
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            flat.append(value)
        else:
            return None
    return flat
