"""Stations (at a hub): the table `radio hub station list` prints, sortable by any column
by a link (no script: it works on the approver's phone)."""

from __future__ import annotations

from radio.home import StationHome
from radio.network.hub_state import SUMMARY_KEYS, station_summary
from radio.web.core import Ctx, page


def is_hub(app) -> bool:
    return StationHome(app.settings.home).hub_config.exists()


def _sort_key(column: str):
    def key(row: dict):
        value = row.get(column)
        return (value is None, value if not isinstance(value, bool) else not value)

    return key


def stations_page(ctx: Ctx):
    app = ctx.app
    rows = [station_summary(s, app.settings.zone) for s in app.stations.all()] if is_hub(app) else []
    column = ctx.request.query_params.get("sort", "code")
    column = column if column in SUMMARY_KEYS else "code"
    descending = ctx.request.query_params.get("desc") == "1"
    rows.sort(key=_sort_key(column), reverse=descending)
    online = sum(1 for r in rows if r["online"])
    return ctx.render("stations.html", rows=rows, column=column, descending=descending, online=online,
                      hub=is_hub(app))  # fmt: skip


def routes() -> list:
    return [page("/stations", stations_page)]
