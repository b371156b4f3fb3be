"""Listening in the browser: an item's stored file, by its id only, with HTTP Range (seeking).

Served only as the audio type the import measured (its codec), never as a type guessed from
a name: an MP3 with a page appended, uploaded as "x.html", must not become a page of the
console's own origin. `nosniff`, a sandboxing CSP and an ASCII file name of our own make sure
of it, for files stored before the store dropped foreign suffixes too.
"""

from __future__ import annotations

import os
import re

from starlette.responses import Response, StreamingResponse

from radio.domain.library import DOWNLOAD, served_as
from radio.web.core import Ctx, page

CHUNK = 64 * 1024
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
MAX_DIGITS = 18  # past any file's size; a longer number is a range outside the file
MEDIA_CSP = "default-src 'none'; sandbox"


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(first, last) inclusive for one satisfiable range; None: serve the whole file (no or
    several ranges); "unsatisfiable" for a range outside the file."""
    match = _RANGE.fullmatch(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if len(first) > MAX_DIGITS:
        return "unsatisfiable"
    last = last if len(last) <= MAX_DIGITS else str(10**MAX_DIGITS)  # past the end: up to the end
    if not first:  # the last N bytes
        n = int(last)
        if n == 0:
            return "unsatisfiable"
        return max(0, size - n), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, end


def _read(path, start: int, length: int):
    with open(path, "rb") as f:
        f.seek(start)
        while length > 0:
            chunk = f.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def media(ctx: Ctx):
    app = ctx.app
    item = app.library.get(ctx.request.path_params["item_id"])
    root = app.media.root.resolve()
    path = app.media.path(item.media_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    size = os.stat(path).st_size
    media_type, suffix = served_as(item.codec)
    disposition = "attachment" if (media_type, suffix) == DOWNLOAD else "inline"
    headers = {
        "Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'{disposition}; filename="item-{item.id}{suffix}"', "Content-Security-Policy": MEDIA_CSP,
    }  # fmt: skip
    wanted = parse_range(ctx.request.headers.get("range", ""), size)
    if wanted == "unsatisfiable":
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}", **headers})
    if wanted is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(_read(path, 0, size), media_type=media_type, headers=headers)
    start, end = wanted
    headers["Content-Length"] = str(end - start + 1)
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return StreamingResponse(_read(path, start, end - start + 1), status_code=206, media_type=media_type,
                             headers=headers)  # fmt: skip


def routes() -> list:
    return [page("/media/{item_id:int}", media)]
