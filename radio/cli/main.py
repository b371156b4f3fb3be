"""The `radio` command: the root group, and the one place errors become messages.

Every user error is one line on stderr and exit code 1 (click's usage errors: 2).
A traceback means a bug.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import click

from radio import __version__
from radio.cli.base import Group, Option, option
from radio.cli.context import AppContext
from radio.errors import RadioError
from radio.home import default_home, keep_private
from radio.i18n import _


def _database_error(err: BaseException) -> bool:
    """An SQLite operational error, raw or wrapped by SQLAlchemy (if it was ever imported)."""
    if isinstance(err, sqlite3.OperationalError):
        return True
    exc = sys.modules.get("sqlalchemy.exc")
    return exc is not None and isinstance(err, exc.OperationalError)


class RootGroup(Group):
    """The root group maps errors to one line and an exit code, for the console script and
    for click's test runner alike (both call ``main``). Subcommands are imported when
    used (radio.cli.commands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from radio.cli.commands import COMMANDS

        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from radio.cli.commands import COMMANDS

        if name not in self.commands and name in COMMANDS:
            import importlib

            module, attribute = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name or "radio", complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as done:
            code = done.exit_code
        except click.Abort:
            click.echo(_("Aborted!"), err=True)
            code = 130
        except click.ClickException as err:
            err.show()
            code = err.exit_code
        except RadioError as err:
            click.echo(_("radio: error: {message}").format(message=err), err=True)
            code = err.exit_code
        except KeyboardInterrupt:
            click.echo(_("Interrupted."), err=True)
            code = 130
        except BrokenPipeError:
            code = 1
        except OSError as err:  # a full disk anywhere a command writes: one line, not a traceback
            from radio.faults import disk_full, is_enospc

            if not is_enospc(err):
                raise
            click.echo(_("radio: error: {message}").format(message=disk_full(err.filename or os.getcwd())), err=True)
            code = 1
        except Exception as err:
            if not _database_error(err):
                raise
            reason = getattr(err, "orig", err)
            click.echo(
                _(
                    "radio: database error: {reason} "
                    "(check the permissions and free space of the station home)"
                ).format(reason=reason),
                err=True,
            )
            code = 1
        if not isinstance(code, int):
            code = 0
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(name="radio", cls=RootGroup, help="Scheduling and playout for the commune loudspeaker radio.")
@option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Station home directory (default: $RADIO_HOME or ~/.local/share/radio).",
)
@click.version_option(__version__, prog_name="radio", cls=Option, help="Show the version and exit.")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    state = AppContext(home or default_home(os.environ))
    ctx.obj = state
    ctx.call_on_close(state.close)


def main() -> None:
    """Console entry point. The umask is set here, in the process, not in `cli` (which the
    tests also call inside their own process)."""
    keep_private()
    cli.main()
