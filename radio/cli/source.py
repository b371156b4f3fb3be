"""`radio source …`: the streams and inputs the station relays (tiếp sóng), and a test that
listens to one before a slot relays it.

A relay slot names its source by code (`radio slot add … --relay vov1`). The daemon notices
every change within a second or two.
"""

from __future__ import annotations

import click

from radio.cli.base import Group, json_option, option, print_json, print_table, stdin_secret, warn
from radio.cli.context import pass_ctx
from radio.cli.params import TEXT
from radio.i18n import _, ngettext
from radio.scheduler import relay_service as service

RESUME = click.Choice(["item-end", "now"])


def _settings_options(command):
    """The options `add` and `edit` share (the source's thresholds and topic)."""
    for decorator in reversed([
        option("--topic", type=TEXT, help="Topic its airtime is reported under (default: tiep-song; see 'radio topics')."),
        option("--buffer", "buffer_s", type=float, help="Seconds of audio held ahead of the air (0.5-30, default 4)."),
        option("--no-data", "no_data_s", type=float,
               help="Nothing received this many seconds is dead air: the fallback airs (1-120, default 5)."),
        option("--silence", "silence_s", type=float,
               help="Below the silence level this many seconds is dead air (1-600, default 20)."),
        option("--silence-level", "silence_dbfs", type=float, help="The silence level in dBFS (-90 to -10, default -50)."),
        option("--resume", type=RESUME,
               help="When the relay takes the air back from the fallback: item-end (default) or now."),
    ]):  # fmt: skip
        command = decorator(command)
    return command


@click.group(cls=Group, help="Relay sources (tiếp sóng): streams and receivers a slot can relay.")
def source() -> None:
    pass


def _warn_password_in(url: str | None) -> None:
    """Said once the source is saved: the address was typed with its password, which is kept
    (the operator's choice) but showed in the process list while this command ran."""
    from urllib.parse import urlsplit

    try:
        password = urlsplit(url).password if url else None
    except ValueError:
        return  # the service says what is wrong with the address
    if password:
        warn(_("the password typed in the address showed in the process list to other users of this PC: "
               "next time give it with --password-stdin"))  # fmt: skip


PASSWORD_STDIN = option(
    "--password-stdin", is_flag=True,
    help="Read the source's password from the first line of standard input (the address names its user).")


@source.command(name="add", help="Add a source: a stream address (http(s)://, rtmp://, …) or alsa:DEVICE.")
@click.argument("code")
@click.argument("url", type=TEXT)
@option("--name", required=True, type=TEXT, help="Its name, for example \"VOV1 – Đài Tiếng nói Việt Nam\".")
@_settings_options
@PASSWORD_STDIN
@json_option
@pass_ctx
def source_add(ctx, code, url, name, password_stdin, as_json, **settings) -> None:
    password = stdin_secret() if password_stdin else None
    made = service.add_source(ctx.app, code, url, name, password=password, **settings)
    _warn_password_in(url)
    if as_json:
        print_json(service.source_json(made))
    else:
        click.echo(_("added source {code}: {name} ({url})").format(code=made.code, name=made.name,
                                                                   url=service.source_json(made)["url"]))  # fmt: skip


@source.command(name="list", help="List the sources (addresses without their passwords).")
@json_option
@pass_ctx
def source_list(ctx, as_json) -> None:
    sources = [service.source_json(s) for s in ctx.app.sources.all()]
    if as_json:
        print_json(sources)
        return
    if not sources:
        click.echo(_("No sources yet: add one with 'radio source add'."))
        return
    rows = [[s["code"], s["name"], s["url"], s["topic"], f"{s['buffer_s']:g}", f"{s['no_data_s']:g}",
             f"{s['silence_s']:g}", f"{s['silence_dbfs']:g}", s["resume"]] for s in sources]  # fmt: skip
    print_table([_("Code"), _("Name"), _("Address"), _("Topic"), _("Buffer s"), _("No data s"), _("Silence s"),
                 _("Silence dBFS"), _("Resume")], rows)  # fmt: skip


@source.command(name="edit", help="Change a source.")
@click.argument("code")
@option("--name", type=TEXT, help="New name.")
@option("--url", type=TEXT, help="New address.")
@_settings_options
@PASSWORD_STDIN
@json_option
@pass_ctx
def source_edit(ctx, code, password_stdin, as_json, **changes) -> None:
    if all(v is None for v in changes.values()) and not password_stdin:
        raise click.UsageError(_("nothing to change: give at least one option (see --help)"))
    password = stdin_secret() if password_stdin else None
    edited = service.edit_source(ctx.app, code, password=password, **changes)
    _warn_password_in(changes.get("url"))
    if as_json:
        print_json(service.source_json(edited))
    else:
        click.echo(_("updated source {code}").format(code=edited.code))


@source.command(name="remove", help="Remove a source no slot relays (the as-run log keeps its history).")
@click.argument("code")
@pass_ctx
def source_remove(ctx, code) -> None:
    old = service.remove_source(ctx.app, code)
    click.echo(_("removed source {code}").format(code=old.code))


def _channels(n: int | None) -> str:
    if n is None:
        return "?"
    return {1: _("mono"), 2: _("stereo")}.get(n) or ngettext("{n} channel", "{n} channels", n).format(n=n)


def _known(value, form: str = "{}") -> str:
    return "?" if value is None else form.format(value)


@source.command(name="test", help="Listen to a source for a few seconds: its format, its level, or why it fails.")
@click.argument("code")
@option("--seconds", type=click.FloatRange(1.0, 60.0), default=5.0, show_default=True, help="How long to listen.")
@json_option
@pass_ctx
def source_test(ctx, code, seconds, as_json) -> None:
    result = service.test_source(ctx.app, code, seconds)
    h = result.heard
    if as_json:
        print_json(result.as_json())
    elif h.codec is not None:
        click.echo(_("{code}: {codec}, {bitrate} kb/s, {rate} Hz, {channels}").format(
            code=result.source.code, codec=h.codec, bitrate=_known(h.bitrate_kbps), rate=_known(h.sample_rate),
            channels=_channels(h.channels)))  # fmt: skip
        if h.rms_dbfs is not None:
            click.echo(_("heard {seconds:g} s: RMS {rms:g} dBFS, peak {peak:g} dBFS; {share:.0%} of the seconds below "
                         "{level:g} dBFS").format(seconds=h.seconds, rms=h.rms_dbfs, peak=h.peak_dbfs,
                                                  share=h.silent_share, level=result.source.silence_dbfs))  # fmt: skip
    if not result.ok:
        raise service.failure(result)
