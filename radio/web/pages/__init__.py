"""The console's pages, one module each; every route is made with `radio.web.core.page`."""

from __future__ import annotations


def routes() -> list:
    from radio.web.pages import asrun, library, login, media, onair, reports, schedule, stations, usb, users

    out = []
    for module in (login, onair, library, media, schedule, asrun, reports, usb, users, stations):
        out.extend(module.routes())
    return out
