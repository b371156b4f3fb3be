"""The console's pages, one module each; every route is made with `radio.web.core.page`."""

from __future__ import annotations


def routes() -> list:
    from radio.web.pages import asrun, library, login, media, notices, onair, reports, schedule, sources, usb, users

    out = []
    for module in (login, onair, library, media, notices, schedule, sources, asrun, reports, usb, users):
        out.extend(module.routes())
    return out
