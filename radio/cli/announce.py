"""`radio announce`: a typed notice (thông báo) spoken, with chime, read twice, into the library."""

from __future__ import annotations

import click

from radio.cli.base import json_option, option, print_json
from radio.cli.context import pass_ctx
from radio.cli.notice import NoticeCommand, notice_options, read_notice, voice_options
from radio.cli.params import DATE, TEXT
from radio.i18n import _

PRIORITIES = ("normal", "priority", "emergency")


@click.command(cls=NoticeCommand, help="Speak a typed notice (with a chime, read twice by default) and import it into the library as a draft.")
@notice_options
@option("--topic", required=True, type=TEXT, help="Topic code (see 'radio topics').")
@option("--title", required=True, type=TEXT, help="Title of the notice in the library.")
@voice_options
@option("--repeat", type=click.IntRange(1, 5), help="How many times the notice is read (default: [tts] repeat, 2).")
@option("--chime", help="Chime before the notice: a file, a library item id, or none (default: [tts] chime).")
@option("--source", type=TEXT, help="Who issues the notice (default: none).")
@option("--priority", type=click.Choice(PRIORITIES), default="normal", show_default=True, help="Broadcast priority.")
@option("--valid-from", type=DATE, help="First day it may air.")
@option("--valid-until", type=DATE, help="Last day it may air.")
@json_option
@pass_ctx
def announce(ctx, text, file, topic, title, voice, rate, repeat, chime, source, priority, valid_from, valid_until, as_json):
    from radio.domain.library import Priority
    from radio.library.catalog import item_json
    from radio.text import format_duration
    from radio.tts.service import create_notice

    rendering, result = create_notice(
        ctx.app, read_notice(text, file), topic=topic, title=title, voice=voice, rate=rate, repeat=repeat,
        chime=chime, source=source, priority=Priority(priority), valid_from=valid_from, valid_until=valid_until,
    )  # fmt: skip
    item = result.item
    if as_json:
        entry = item_json(item)
        entry["path"] = str(file) if file else None
        entry["duplicate"] = result.duplicate
        print_json([entry])
    elif result.duplicate:
        click.echo(_("already in the library as #{id}: {path}").format(id=item.id, path=item.title))
    else:
        click.echo(
            _("added #{id} {title} ({topic}, {length}, {lufs} LUFS)").format(
                id=item.id, title=item.title, topic=item.topic, length=format_duration(item.duration_s),
                lufs="-" if item.loudness_lufs is None else f"{item.loudness_lufs:.1f}",
            )
        )  # fmt: skip
