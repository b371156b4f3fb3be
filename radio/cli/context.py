"""What every command receives: the station home, and the App built from it on first use."""

from __future__ import annotations

from pathlib import Path

import click


class AppContext:
    def __init__(self, home: Path) -> None:
        self.home = home
        self._app = None

    @property
    def app(self):  # -> radio.app.App
        if self._app is None:
            from radio.app import open_app

            self._app = open_app(self.home)
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


pass_ctx = click.make_pass_decorator(AppContext)
