"""Shared look and arithmetic of the plots: colours per carrier, monthly sums, PNG output.

Figures are built on `matplotlib.figure.Figure` directly (no pyplot), so they hold no
global state, need no display and render with the Agg canvas whatever backend is active
(a notebook keeps its own; a Figure shows inline there).
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib as mpl
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from vakhsh.results.metrics import WINTER

# Colours that tell carriers apart (Tableau-like, colour-blind friendly where possible).
CARRIER_COLOURS = {
    "hydro": "#4e79a7",
    "coal": "#5b4636",
    "lignite": "#7f6a55",
    "gas": "#f28e2b",
    "oil": "#a0522d",
    "nuclear": "#b07aa1",
    "solar": "#f1ce3a",
    "wind": "#59a14f",
    "biomass": "#9c755f",
    "geothermal": "#ff9da7",
    "other": "#bab0ac",
    "storage": "#9467bd",
    "imports": "#76b7b2",
    "exports": "#2f6f6a",
    "unserved": "#e15759",
}
HYDRO_CMAP = "Blues"
LOAD_COLOUR = "black"
WINTER_SHADE = "#ececec"
SERIES_COLOURS = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]
WINTER_MONTHS = WINTER  # October to March (vakhsh.results.metrics)
DPI = 100

# The look of every page vakhsh writes (report.html, the plan report, compare.html).
CSS = """
:root { --ink:#1d2733; --muted:#5a6673; --line:#d9dee4; --accent:#4e79a7; --bad:#c0392b;
        --good:#2e7d32; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: var(--ink); margin: 0; background: #f6f7f9; line-height: 1.45; }
main { max-width: 1240px; margin: 0 auto; padding: 1.2rem 1.6rem 3rem; background: white; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.2rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.5rem; border-bottom: 2px solid var(--line);
     padding-bottom: 0.2rem; }
.sub { color: var(--muted); margin: 0 0 1rem; }
nav { font-size: 0.9rem; margin: 0.6rem 0 1rem; }
nav a { color: var(--accent); margin-right: 0.9rem; text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr));
         gap: 0.8rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.7rem 0.9rem;
        background: #fbfcfd; }
.card .label { font-size: 0.8rem; color: var(--muted); text-transform: uppercase;
               letter-spacing: 0.04em; }
.card .value { font-size: 1.55rem; font-weight: 650; margin: 0.15rem 0; }
.card .note { font-size: 0.82rem; color: var(--muted); }
.card.bad { border-color: var(--bad); } .card.bad .value { color: var(--bad); }
.card.good .value { color: var(--good); }
figure { margin: 0.6rem 0 1.4rem; }
figure img { max-width: 100%; height: auto; display: block; border: 1px solid var(--line); }
figure .svg svg { display: block; border: 1px solid var(--line); }
figcaption { font-size: 0.88rem; color: var(--muted); margin-top: 0.3rem; }
table { border-collapse: collapse; font-size: 0.86rem; margin: 0.4rem 0 1.2rem;
        width: auto; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid var(--line); }
th { text-align: left; background: #eef1f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
.scroll { overflow-x: auto; max-width: 100%; }
.error { color: var(--bad); border: 1px solid var(--bad); padding: 0.5rem; }
footer { color: var(--muted); font-size: 0.8rem; margin-top: 2rem; }
@media print {
  body { background: white; } main { max-width: none; padding: 0; }
  nav { display: none; } figure, table, .cards { page-break-inside: avoid; }
  h2 { page-break-after: avoid; }
}
"""


def carrier_colour(carrier: str) -> str:
    return CARRIER_COLOURS.get(str(carrier).lower(), CARRIER_COLOURS["other"])


def hydro_shades(n: int) -> list:
    """n distinguishable blues for hydro plants, darkest first."""
    cmap = mpl.colormaps[HYDRO_CMAP]
    return [cmap(x) for x in np.linspace(0.9, 0.35, max(n, 1))][:n]


def new_figure(width: float, height: float) -> Figure:
    """A figure with fixed margins (set by `arrange`): constrained layout costs more time
    than the whole rest of a report on large runs."""
    return Figure(figsize=(width, height), dpi=DPI)


def arrange(
    fig: Figure,
    left: float = 0.8,
    right: float = 0.3,
    top: float = 0.6,
    bottom: float = 0.55,
    hgap: float = 0.75,
    wgap: float = 1.0,
) -> None:
    """Margins and gaps between axes in inches."""
    width, height = fig.get_size_inches()
    rows, cols = _grid_of(fig)
    axes_h = max((height - top - bottom - hgap * (rows - 1)) / rows, 0.3)
    axes_w = max((width - left - right - wgap * (cols - 1)) / cols, 0.3)
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        hspace=hgap / axes_h,
        wspace=wgap / axes_w,
    )


def _grid_of(fig: Figure) -> tuple[int, int]:
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is not None:
            return spec.get_gridspec().get_geometry()
    return 1, 1


def bars(ax, x, heights, bottom=0.0, width: float = 0.8, label: str | None = None, **style) -> None:
    """Bars as one PolyCollection: the same picture as `ax.bar`, many times faster."""
    from matplotlib.collections import PolyCollection

    x = np.asarray(x, dtype=float)
    low = np.broadcast_to(np.asarray(bottom, dtype=float), x.shape)
    high = low + np.asarray(heights, dtype=float)
    half = width / 2
    verts = [
        [(xi - half, lo), (xi + half, lo), (xi + half, hi), (xi - half, hi)]
        for xi, lo, hi in zip(x, low, high, strict=True)
    ]
    style.setdefault("linewidth", 0)
    collection = PolyCollection(verts, label=label, **style)
    ax.add_collection(collection)
    ax.update_datalim(np.c_[np.r_[x - half, x + half], np.r_[low, high]])
    ax.autoscale_view()


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG, without the metadata chunk (which names a web address)."""
    buffer = io.BytesIO()
    fig.savefig(
        buffer, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 3}
    )  # zlib level 3: a third faster than 6
    return buffer.getvalue()


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG with live text (the reader's sans-serif font), no metadata and no
    DOCTYPE line: vector for print, text that can be searched and copied, and writing it
    takes less than half the time of a PNG. Artists given a `tooltip` carry it as an SVG
    <title> (shown on hover where the SVG is inline or opened on its own)."""
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "vakhsh"}):
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    text = buffer.getvalue()
    start = text.find(b"<svg")
    text = text[start:] if start >= 0 else text
    return _with_titles(text, getattr(fig, TOOLTIPS, {}))


TOOLTIPS = "vakhsh_tooltips"  # Figure attribute: {gid: text}


def tooltip(fig: Figure, artist, text: str) -> None:
    """Give `artist` (drawn on `fig`) a hover text: its group in the SVG gets a <title>."""
    tips = getattr(fig, TOOLTIPS, None)
    if tips is None:
        tips = {}
        setattr(fig, TOOLTIPS, tips)
    gid = f"vk-tip-{len(tips)}"
    artist.set_gid(gid)
    tips[gid] = text


def _with_titles(svg: bytes, tips: dict[str, str]) -> bytes:
    if not tips:
        return svg
    from xml.sax.saxutils import escape

    def title(match: re.Match) -> bytes:
        text = tips.get(match.group(1).decode())
        if text is None:
            return match.group(0)
        return match.group(0) + b"<title>" + escape(text).encode("utf-8") + b"</title>"

    return re.sub(rb'<g id="(vk-tip-\d+)"[^>]*>', title, svg)


def inline_svg(fig: Figure) -> str:
    """The figure as an <svg> element to put in a page (tooltips work there, not in an
    <img>): as wide as its container, never wider than its own size."""
    svg = svg_bytes(fig).decode("utf-8")
    width_pt = fig.get_size_inches()[0] * 72
    head_end = svg.find(">")
    # in HTML the svg element needs no namespace declarations (and names no address)
    head = re.sub(r'\s(width|height|xmlns(:\w+)?)="[^"]*"', "", svg[:head_end])
    head += f' width="100%" style="max-width:{width_pt * 4 / 3:.0f}px;height:auto"'
    return head + svg[head_end:]


def data_uri(fig: Figure, kind: str = "svg") -> str:
    """A `data:` URI of the figure (SVG by default, or PNG), to inline in HTML."""
    if kind == "png":
        return "data:image/png;base64," + base64.b64encode(png_bytes(fig)).decode("ascii")
    return "data:image/svg+xml;base64," + base64.b64encode(svg_bytes(fig)).decode("ascii")


# ---- time arithmetic (the step length comes from the Network: `run.net.step_hours`) ----
def monthly_sum(da: xr.DataArray, factor: float) -> pd.DataFrame:
    """Sum over each calendar month times `factor` (e.g. hours/1e3 turns MW into GWh).

    Returns a DataFrame indexed by month start, one column per component.
    """
    frame = _frame(da)
    return frame.resample("MS").sum() * factor


def monthly_mean(da: xr.DataArray) -> pd.DataFrame:
    return _frame(da).resample("MS").mean()


def thinned(hours: float) -> bool:
    """Whether `for_lines` averages arrays of steps of `hours` to days."""
    return hours < 24


def for_lines(da: xr.DataArray, hours: float) -> pd.DataFrame:
    """A time series thinned for a line plot: daily means when steps are shorter."""
    frame = _frame(da)
    if thinned(hours):
        return frame.resample("D").mean()
    return frame


def _frame(da: xr.DataArray) -> pd.DataFrame:
    other = [d for d in da.dims if d != "time"]
    if not other:
        return da.to_series().to_frame(da.name or "value")
    return da.transpose("time", other[0]).to_pandas()


def gwh(da: xr.DataArray, hours: float) -> pd.DataFrame:
    """Monthly energy in GWh from a power array in MW over steps of `hours`."""
    return monthly_sum(da, hours / 1e3)


def hm3(da: xr.DataArray, hours: float) -> pd.DataFrame:
    """Monthly volume in hm3 from a flow array in m3/s over steps of `hours`."""
    return monthly_sum(da, hours * 3600 / 1e6)


def month_labels(index: pd.DatetimeIndex) -> list[str]:
    """'Oct\\n2024' for the first month and every January, 'Nov' otherwise."""
    labels = []
    for i, stamp in enumerate(index):
        first = i == 0 or stamp.month == 1
        labels.append(f"{stamp:%b}\n{stamp:%Y}" if first else f"{stamp:%b}")
    return labels


def shade_winter_bars(ax, index: pd.DatetimeIndex) -> None:
    """Shade the bar slots of October-March months, one span per winter (no seams)."""
    winter = [stamp.month in WINTER_MONTHS for stamp in index] + [False]
    start = None
    for i, inside in enumerate(winter):
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            ax.axvspan(start - 0.5, i - 0.5, color=WINTER_SHADE, zorder=0, lw=0)
            start = None


def date_axis(ax) -> None:
    """Month names on a date axis ('Nov', 'Dec', '2025', ...)."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def shade_winter_dates(ax, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Shade October-March on a date axis (and format the axis with month names)."""
    date_axis(ax)
    for year in range(start.year - 1, end.year + 1):
        lo, hi = pd.Timestamp(year, 10, 1), pd.Timestamp(year + 1, 4, 1)
        lo, hi = max(lo, start), min(hi, end)
        if lo < hi:
            ax.axvspan(lo, hi, color=WINTER_SHADE, zorder=0, lw=0)


def grid_shape(n: int, columns: int = 2) -> tuple[int, int]:
    columns = min(columns, max(n, 1))
    return int(np.ceil(max(n, 1) / columns)), columns


def axes_grid(fig: Figure, n: int, columns: int = 2, sharex: bool = True) -> list:
    rows, cols = grid_shape(n, columns)
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=sharex, squeeze=False)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return list(axes[:n])


def empty_figure(message: str) -> Figure:
    fig = new_figure(6, 1.2)
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color="#555")
    return fig


def format_thousands(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
