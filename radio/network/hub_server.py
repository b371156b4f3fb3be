"""`radio hub serve`: the hub's HTTP(S) server for its stations, on uvicorn."""

from __future__ import annotations

import logging

from radio.errors import RadioError
from radio.i18n import _


def parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise RadioError(_("--listen takes HOST:PORT, e.g. 0.0.0.0:8470: {value!r}").format(value=listen))
    return host.strip("[]") or "0.0.0.0", int(port)


def serve_hub(app, listen: str, tls_cert: str | None = None, tls_key: str | None = None) -> None:
    """Answer the stations until stopped (SIGTERM/SIGINT). TLS when a certificate is given."""
    import uvicorn

    from radio.network.hub_api import build_hub_api

    if bool(tls_cert) != bool(tls_key):
        raise RadioError(_("give --tls-cert and --tls-key together"))
    host, port = parse_listen(listen)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = uvicorn.Config(
        build_hub_api(app), host=host, port=port, log_level="warning", access_log=False,  # no headers, no tokens
        ssl_certfile=tls_cert, ssl_keyfile=tls_key, timeout_keep_alive=75, backlog=2048,
    )  # fmt: skip
    server = uvicorn.Server(config)
    logging.getLogger("radio.hub").info("hub listening on %s:%d%s", host, port, " (TLS)" if tls_cert else "")
    server.run()
    if not server.started:
        raise RadioError(_("cannot listen on {listen}").format(listen=listen))
