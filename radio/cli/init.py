"""`radio init`: create a station home (radio.toml, database, media store)."""

from __future__ import annotations

import click

from radio.cli.base import Command, option
from radio.cli.context import pass_ctx
from radio.cli.params import TEXT
from radio.config import render_config
from radio.home import StationHome
from radio.i18n import _


def init_station(home, name: str | None, commune: str | None) -> list[str]:
    """Create what is missing at *home*; never overwrite an existing radio.toml. Returns what was made."""
    from radio.app import is_initialized, open_app

    made = []
    home.mkdir(parents=True, exist_ok=True)
    config_path = StationHome(home).config_file
    if not config_path.exists():
        station = {k: v for k, v in (("name", name), ("commune", commune)) if v}
        config_path.write_text(render_config({"station": station} if station else None), encoding="utf-8")
        made.append(str(config_path))
    existed = is_initialized(home)
    app = open_app(home, create=True)
    app.close()
    if not existed:
        made.append(str(app.settings.database_path))
        made.append(str(app.settings.media_dir))
    return made


@click.command(cls=Command, help="Create a station home: radio.toml, the database and the media store.")
@option("--name", type=TEXT, help="Station name for a new radio.toml.")
@option("--commune", type=TEXT, help="Commune name for a new radio.toml.")
@pass_ctx
def init(ctx, name: str | None, commune: str | None) -> None:
    made = init_station(ctx.home, name, commune)
    if made:
        for path in made:
            click.echo(_("created {path}").format(path=path))
    else:
        click.echo(_("station home {home} is ready (nothing to create)").format(home=ctx.home))
