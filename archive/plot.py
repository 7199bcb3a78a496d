"""Plot articles per day per site (matplotlib, the optional ``plot`` extra).

Drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas: no pyplot, no GUI backend,
no global state changed in the caller's process.  Days without articles count as zero, so a site
that stopped publishing (or a crawl that broke) shows as a drop, not as a line across the gap.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import ArchiveError

__all__ = ["MissingMatplotlib", "NothingToPlot", "daily_counts", "plot_per_day"]


class MissingMatplotlib(ArchiveError):
    """Plots need the optional ``matplotlib`` package."""


class NothingToPlot(ArchiveError):
    """No article has a usable publication date."""


def daily_counts(db: sqlite_utils.Database, *, since: str | None = None,
                 until: str | None = None) -> dict[str, dict[date, int]]:
    """Articles per site and publication day (UTC date of ``published``), as ``{site: {day: n}}``."""
    where, params = ["published IS NOT NULL", "length(published) >= 10"], []
    if since:
        where.append("published >= ?")
        params.append(since)
    if until:
        where.append("published <= ?")
        params.append(until + ("T23:59:59Z" if len(until) == 10 else ""))
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for site, day, n in db.execute(
            f"SELECT coalesce(site, '-'), substr(published, 1, 10) AS day, count(*) FROM articles "
            f"WHERE {' AND '.join(where)} GROUP BY 1, 2 ORDER BY 1, 2", params):
        try:
            counts[site][date.fromisoformat(day)] = n
        except ValueError:
            continue  # a malformed date is counted by `stats`, not plotted
    return dict(counts)


def _matplotlib() -> tuple[Any, Any, Any, Any]:
    try:
        from matplotlib import dates as mdates
        from matplotlib import ticker
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MissingMatplotlib("plots need matplotlib: pip install newscrawl[plot]") from exc
    return Figure, FigureCanvasAgg, mdates, ticker


def plot_per_day(db: sqlite_utils.Database, path: str | Path, *, since: str | None = None,
                 until: str | None = None, title: str = "Articles per day") -> dict[str, Any]:
    """Write a line chart of articles per day per site to *path* (format from its suffix: png,
    svg, pdf …); returns what was drawn (sites, first and last day).

    :raises MissingMatplotlib: matplotlib is not installed.
    :raises NothingToPlot: no dated article in range.
    :raises ValueError: the file suffix is not an image format matplotlib writes.
    """
    Figure, FigureCanvasAgg, mdates, ticker = _matplotlib()
    path = Path(path)
    fig = Figure(figsize=(11, 5), dpi=100, layout="constrained")
    canvas = FigureCanvasAgg(fig)
    suffix = path.suffix.lstrip(".").lower()
    if suffix not in canvas.get_supported_filetypes():
        raise ValueError(f"cannot write a .{suffix or '(no suffix)'} image: use one of "
                         + ", ".join(sorted(canvas.get_supported_filetypes())))
    counts = daily_counts(db, since=since, until=until)
    if not counts:
        raise NothingToPlot("no article has a publication date in range: nothing to plot")
    first = min(min(days) for days in counts.values())
    last = max(max(days) for days in counts.values())
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    ax = fig.add_subplot()
    for site in sorted(counts, key=lambda s: -sum(counts[s].values())):
        ax.plot(span, [counts[site].get(day, 0) for day in span], label=site, linewidth=1.2,
                marker="." if len(span) <= 60 else None)
    # Ticks on whole days (never hours: the data is daily), integers on the y axis.
    locator = mdates.DayLocator() if len(span) <= 14 else mdates.AutoDateLocator(minticks=4, maxticks=12)
    if len(span) > 14:
        locator.intervald[mdates.HOURLY] = []
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    half_day = timedelta(hours=12)
    ax.set_xlim(datetime.combine(first, time()) - half_day, datetime.combine(last, time()) + half_day)
    ax.set_ylabel("articles")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small", ncols=max(1, len(counts) // 12))
    fig.savefig(path)
    return {"path": str(path), "sites": sorted(counts), "first_day": first.isoformat(),
            "last_day": last.isoformat(), "days": len(span)}
