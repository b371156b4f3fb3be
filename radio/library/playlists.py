"""Named playlists: files in the station's playlists/ folder (StationHome.playlists_dir), used
for USB packages and as the fallback of relays without their own.

Two formats, both listing library items by id in play order:

- ``NAME.toml``: ``title = "…"`` (optional) and ``items = [12, 7, 31]``;
- ``NAME.txt``: one item id per line; anything after ``#`` is a comment.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from radio.errors import NotFoundError, RadioError
from radio.i18n import _


@dataclass(frozen=True)
class Playlist:
    name: str
    title: str
    item_ids: tuple[int, ...]
    path: Path


def available(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted({p.stem for p in folder.iterdir() if p.suffix in (".toml", ".txt")})


def load_playlist(folder: Path, name: str) -> Playlist:
    base = Path(name).name
    candidates = [folder / base] if base.endswith((".toml", ".txt")) else [folder / f"{base}.toml", folder / f"{base}.txt"]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        names = ", ".join(available(folder)) or _("none")
        raise NotFoundError(
            _("no playlist named {name} in {folder} (available: {names})").format(name=name, folder=folder, names=names)
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise RadioError(_("{path}: cannot be read: {reason}").format(path=path, reason=err)) from err
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise RadioError(_("{path}: not valid TOML: {reason}").format(path=path, reason=err)) from err
        items = data.get("items")
        if not isinstance(items, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
            raise RadioError(_("{path}: 'items' must be a list of item ids, e.g. items = [12, 7]").format(path=path))
        title = str(data.get("title") or path.stem)
        ids = items
    else:
        ids = []
        for n, line in enumerate(text.splitlines(), start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if not re.fullmatch(r"\d+", line):
                raise RadioError(_("{path}, line {line}: not an item id: {text}").format(path=path, line=n, text=line))
            ids.append(int(line))
        title = path.stem
    if not ids:
        raise RadioError(_("{path}: the playlist lists no items").format(path=path))
    return Playlist(path.stem, title, tuple(ids), path)
