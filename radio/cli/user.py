"""`radio user …`: the web console's accounts (there is no default account or password)."""

from __future__ import annotations


import click

from radio.cli.base import Group, actor, json_option, option, print_json, print_table, stdin_secret
from radio.cli.context import pass_ctx
from radio.cli.params import TEXT
from radio.domain.users import ROLE_LABELS, Role
from radio.i18n import _

ROLE = click.Choice([r.value for r in Role])


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return stdin_secret()
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))


@click.group(cls=Group, help="Accounts of the web console: add, list, change passwords, disable.")
def user() -> None:
    pass


@user.command(name="add", help="Add a console user (asks for the password).")
@click.argument("name", type=TEXT)
@option("--role", required=True, type=ROLE, help="What the user may do: admin, approver, operator or viewer.")
@option("--display", type=TEXT, help="Full name and title, recorded on approvals (e.g. 'Nguyễn Văn An, Chủ tịch UBND xã').")
@option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@json_option
@pass_ctx
def user_add(ctx, name, role, display, password_stdin, as_json) -> None:
    from radio.accounts import add_user
    from radio.domain.users import check_password, check_user_name

    app = ctx.app
    check_user_name(name.lower())
    password = check_password(_read_password(password_stdin))
    made = add_user(app.users, app.audit, actor(), name, Role(role), display, password)
    if as_json:
        from radio.accounts import user_json

        print_json(user_json(made))
    else:
        click.echo(_("added user '{name}' ({role}, {display})").format(
            name=made.name, role=_(ROLE_LABELS[made.role]), display=made.display))  # fmt: skip


@user.command(name="list", help="List the console users.")
@json_option
@pass_ctx
def user_list(ctx, as_json) -> None:
    from radio.accounts import user_json

    users = ctx.app.users.list()
    if as_json:
        print_json([user_json(u) for u in users])
        return
    if not users:
        click.echo(_("No users yet: add one with 'radio user add NAME --role admin'."))
        return
    zone = ctx.app.settings.zone
    rows = [[u.name, u.display, _(ROLE_LABELS[u.role]), _("disabled") if u.disabled else _("active"),
             u.created_at.astimezone(zone).strftime("%d/%m/%Y")] for u in users]  # fmt: skip
    print_table([_("Name"), _("Display name"), _("Role"), _("State"), _("Added")], rows)


@user.command(name="passwd", help="Set a user's password (their open sessions end).")
@click.argument("name", type=TEXT)
@option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@pass_ctx
def user_passwd(ctx, name, password_stdin) -> None:
    from radio.accounts import set_password
    from radio.domain.users import check_password

    app = ctx.app
    app.users.named(name.lower())  # a missing user is reported before asking for a password
    password = check_password(_read_password(password_stdin))
    made = set_password(app.users, app.audit, actor(), name, password)
    click.echo(_("password of '{name}' changed").format(name=made.name))


@user.command(name="disable", help="Disable a user: they can no longer log in, open sessions end.")
@click.argument("name", type=TEXT)
@pass_ctx
def user_disable(ctx, name) -> None:
    from radio.accounts import set_disabled

    app = ctx.app
    made = set_disabled(app.users, app.audit, actor(), name)
    click.echo(_("disabled user '{name}'").format(name=made.name))
