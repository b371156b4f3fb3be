"""`radio hub …`: a home with the hub role — its database (PostgreSQL, or SQLite for a small
commune), its server for the stations, and the stations that may join it."""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime

import click

from radio.cli.base import Group, json_option, option, print_json, print_table
from radio.cli.context import pass_ctx
from radio.cli.params import TEXT
from radio.errors import RadioError
from radio.home import StationHome
from radio.i18n import _


@click.group(cls=Group, help="The hub of a network of stations (a commune's sites, a province).")
def hub() -> None:
    pass


def init_hub(home, url: str | None) -> list[str]:
    """Make *home* a hub: hub.json names its database (PostgreSQL by URL, else SQLite in the home)."""
    from radio.cli.init import init_station

    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise RadioError(_("--db takes a postgresql:// URL (without --db the hub keeps SQLite in its home)"))
    home.mkdir(parents=True, exist_ok=True)
    config = StationHome(home).hub_config
    if url is not None:  # the URL may hold a password: readable by the hub's user only
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"database": url}, f)
    made = init_station(home, None, None)
    if url is None:
        config.write_text(json.dumps({"database": None}), encoding="utf-8")
    return made + [str(config)]


@hub.command(name="init", help="Make this home a hub, on PostgreSQL (--db) or on SQLite in the home.")
@option("--db", "url", help="The hub's database: postgresql://USER[:PASSWORD]@HOST[:PORT]/NAME (or ?host=/socket/dir).")
@pass_ctx
def hub_init(ctx, url) -> None:
    for path in init_hub(ctx.home, url):
        click.echo(_("created {path}").format(path=path))
    click.echo(_("hub ready: add stations with 'radio hub station add', then 'radio hub serve'"))


@hub.command(name="serve", help="Answer the stations over HTTP (HTTPS with --tls-cert and --tls-key).")
@option("--listen", default="0.0.0.0:8470", show_default=True, help="HOST:PORT to listen on.")
@option("--tls-cert", type=click.Path(exists=True, dir_okay=False), help="TLS certificate (PEM).")
@option("--tls-key", type=click.Path(exists=True, dir_okay=False), help="TLS private key (PEM).")
@pass_ctx
def hub_serve(ctx, listen, tls_cert, tls_key) -> None:
    from radio.network.hub_server import serve_hub

    require_hub(ctx.home)
    serve_hub(ctx.app, listen, tls_cert, tls_key)


def require_hub(home) -> None:
    if not StationHome(home).hub_config.exists():
        raise RadioError(_("{home} is not a hub (run 'radio hub init' first)").format(home=home))


@hub.group(name="station", cls=Group, help="The stations that may join this hub.")
def station() -> None:
    pass


@station.command(name="add", help="Add a station; prints the token it joins with (shown once, stored hashed).")
@click.argument("code")
@option("--name", type=TEXT, required=True, help="The station's name, e.g. the former commune's.")
@option("--commune", type=TEXT, help="The commune or ward it serves, for reports by commune (--by commune).")
@json_option
@pass_ctx
def station_add(ctx, code, name, commune, as_json) -> None:
    from radio.domain.network import check_station_code, token_hash

    require_hub(ctx.home)
    token = secrets.token_urlsafe(32)
    made = ctx.app.stations.add(check_station_code(code), _bounded(name), token_hash(token), _commune(commune))
    if as_json:
        print_json({"code": made.code, "name": made.name, "commune": made.commune, "token": token})
        return
    click.echo(_("added station {code} ({name}); its join token (shown only now):").format(code=made.code, name=name))
    click.echo(token)


def _bounded(text: str, limit: int = 128) -> str:
    text = text.strip()
    if not text or len(text) > limit:
        raise RadioError(_("a station's name and commune have 1 to {n} characters").format(n=limit))
    return text


def _commune(commune: str | None) -> str | None:
    return None if commune is None else _bounded(commune)


@station.command(name="edit", help="Change a station's name or the commune it serves.")
@click.argument("code")
@option("--name", type=TEXT, help="Its new name.")
@option("--commune", type=TEXT, help="The commune or ward it serves ('' clears it).")
@json_option
@pass_ctx
def station_edit(ctx, code, name, commune, as_json) -> None:
    from radio.network.hub_state import station_summary

    require_hub(ctx.home)
    if name is None and commune is None:
        raise click.UsageError(_("nothing to change: give at least one option (see --help)"))
    edited = ctx.app.stations.edit(code, None if name is None else _bounded(name),
                                   None if commune is None else (commune.strip() and _bounded(commune)))  # fmt: skip
    if as_json:
        print_json(station_summary(edited, ctx.app.settings.zone))
    else:
        click.echo(_("updated station {code}").format(code=edited.code))


@station.command(name="token", help="Give a station a new token (the old one stops working).")
@click.argument("code")
@json_option
@pass_ctx
def station_token(ctx, code, as_json) -> None:
    from radio.domain.network import token_hash

    require_hub(ctx.home)
    token = secrets.token_urlsafe(32)
    ctx.app.stations.set_token(code, token_hash(token))
    print_json({"code": code, "token": token}) if as_json else click.echo(token)


@station.command(name="revoke", help="Revoke a station's token: it cannot sync until given a new one.")
@click.argument("code")
@pass_ctx
def station_revoke(ctx, code) -> None:
    require_hub(ctx.home)
    ctx.app.stations.set_token(code, None)
    click.echo(_("revoked the token of station {code}").format(code=code))


@station.command(name="list", help="The stations, online or not, with their last heartbeat's health.")
@json_option
@pass_ctx
def station_list(ctx, as_json) -> None:
    from radio.network.hub_state import station_summary

    require_hub(ctx.home)
    zone = ctx.app.settings.zone
    rows = [station_summary(s, zone) for s in ctx.app.stations.all()]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo(_("No stations yet: add one with 'radio hub station add'."))
        return
    table = []
    for r in rows:
        seen = datetime.fromisoformat(r["last_seen"]).strftime("%d/%m %H:%M:%S") if r["last_seen"] else "-"
        state = _("revoked") if r["revoked"] else _("online") if r["online"] else _("offline")
        offset = f"{r['clock_offset_s']:+.1f}" if r["clock_offset_s"] is not None else "-"
        table.append([r["code"], r["name"], r["commune"] or "", state, seen, r["on_air"] or "", r["device"] or "", offset,
                      r["unacked_rows"] if r["unacked_rows"] is not None else "-",
                      r["missing_media"] if r["missing_media"] is not None else "-"])  # fmt: skip
    print_table([_("Code"), _("Name"), _("Commune"), _("State"), _("Last seen"), _("On air"), _("Device"), _("Clock (s)"),
                 _("Unacked"), _("Missing media")], table)  # fmt: skip
