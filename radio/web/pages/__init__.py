"""The console's pages, one module each; every route is made with `radio.web.core.page`."""

from __future__ import annotations


def routes() -> list:
    from radio.web import live
    from radio.web.pages import (asrun, library, login, media, notices, onair, reports, schedule, sources, stations,
                                 usb, users)

    out = live.routes()
    for module in (login, onair, library, media, notices, schedule, sources, asrun, reports, usb, users, stations):
        out.extend(module.routes())
    return out
