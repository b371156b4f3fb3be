"""A bar chart of minutes aired per topic (matplotlib, Agg backend: no display needed).

Labels are the Vietnamese topic names; DejaVu Sans, which matplotlib ships, covers them.
The image is always WIDTH x HEIGHT pixels so it fits the same place in a document.
"""

from __future__ import annotations

import io

from radio.reports import vn

WIDTH, HEIGHT, DPI = 1200, 700, 100


def topic_chart_png(minutes_by_topic: list[tuple[str, float]], title: str, subtitle: str) -> bytes:
    """*minutes_by_topic*: (Vietnamese topic name, seconds) in the order to draw, largest first."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    fig.set_layout_engine("constrained")
    ax = fig.subplots()
    names = [name for name, _ in minutes_by_topic][::-1]
    values = [seconds / 60.0 for _, seconds in minutes_by_topic][::-1]
    bars = ax.barh(names, values, color="#2E75B6")
    for bar, value in zip(bars, values):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {vn.minutes(value * 60)}",
                va="center", fontsize=9)  # fmt: skip
    ax.set_xlabel("Số phút phát sóng")
    ax.set_title(f"{title}\n{subtitle}", fontsize=12)
    ax.tick_params(axis="y", labelsize=10)
    if not values:
        ax.text(0.5, 0.5, "Không có dữ liệu trong kỳ.", transform=ax.transAxes, ha="center")
    ax.margins(x=0.12)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()
