"""Moved to radio/library/playlists.py (a playlist is a named list of library items, used by
USB packages and by the daemon's relay fallback). This name stays until
radio/scheduler/airing.py imports it from there."""

from radio.library.playlists import Playlist, available, load_playlist  # noqa: F401
