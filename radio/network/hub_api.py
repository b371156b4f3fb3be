"""The hub's HTTP answers to its stations (`radio hub serve`). Stations ask, the hub answers:
every exchange starts at the station (3G/4G behind carrier NAT).

- GET  /v1/stations/{code}/state?since=R&wait=S  the desired state; with *since* the
  answer waits (long poll, up to S seconds) until it differs from revision R
- GET  /v1/stations/{code}/library              the hub's whole library: metadata and approvals
  (gzip when asked), fetched when the state's `library_revision` moves
- GET  /v1/media/{sha256}                        a media file, with HTTP Range for resume; only
  one the station's own desired state lists or a current item of the library (any other
  answers 404, as an unknown one does)
- POST /v1/stations/{code}/asrun                 as-run rows; answers the contiguous ack
- POST /v1/stations/{code}/heartbeat             health; answers the hub's time

A station is known by its token (`Authorization: Bearer …`, stored hashed); it may read
only its own state and write only its own rows: another station's path answers 403.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import re
from datetime import datetime, timezone

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from radio.domain.network import check_health, token_hash
from radio.network.hub_state import desired_state, library_catalog, media_allowed, topics_stamp

log = logging.getLogger("radio.hub")
CHUNK = 256 * 1024
MAX_WAIT_S = 60.0
MAX_ROWS = 5000
WATCH_INTERVAL_S = 0.5  # how often the hub looks for a change in its database
_SHA = re.compile(r"^[0-9a-f]{64}$")
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


class ChangeWatcher:
    """Wakes the long polls when the hub's queue or library changes (whoever changed it:
    the CLI, the console, another process), by a cheap query every WATCH_INTERVAL_S."""

    def __init__(self, app) -> None:
        self.app = app
        self.generation = 0
        self._changed: asyncio.Event | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def _watch(self) -> None:
        last = None
        while True:
            try:
                now = await run_in_threadpool(self.app.stations.fingerprint), topics_stamp(self.app)
            except Exception as err:  # the database away for a moment: keep serving what can be
                log.warning("cannot read the hub's database: %s", err)
                now = last
            if now != last:
                last = now
                self.generation += 1
                event, self._changed = self._changed, asyncio.Event()
                event.set()
            await asyncio.sleep(WATCH_INTERVAL_S)

    async def wait(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass


def _refuse(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


async def json_body(request: Request):
    """The request's JSON, or a 400 answer saying it is not JSON (never a 500)."""
    try:
        return json.loads(await request.body())
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested beyond reason
        return _refuse("the body is not JSON")


def build_hub_api(app) -> Starlette:
    watcher = ChangeWatcher(app)

    def station_of(request: Request) -> str | Response:
        """The code of the station whose token the request carries, if it is the path's."""
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        code = app.stations.by_token_hash(token_hash(token)) if token else None
        if code is None:
            return JSONResponse({"error": "unknown or revoked token"}, status_code=401)
        wanted = request.path_params.get("code")
        if wanted is not None and wanted != code:
            return JSONResponse({"error": "this token is not that station's"}, status_code=403)
        return code

    def state_of(code: str, generation: int | None) -> dict:
        """A station's desired state. A long poll (*generation*: the change it woke on) shares
        the read of the sessions with the others woken by the same change."""
        if generation is None:
            return desired_state(app, code)
        with app.stations.sharing(generation):
            return desired_state(app, code)

    async def state(request: Request) -> Response:
        code = await run_in_threadpool(station_of, request)
        if isinstance(code, Response):
            return code
        since = request.query_params.get("since")
        try:
            wait_s = min(MAX_WAIT_S, max(0.0, float(request.query_params.get("wait", "0"))))
        except ValueError:
            wait_s = 0.0
        deadline = asyncio.get_running_loop().time() + wait_s
        while True:
            generation = watcher.generation
            current = await run_in_threadpool(state_of, code, generation if since else None)
            left = deadline - asyncio.get_running_loop().time()
            if current["revision"] != since or left <= 0:
                current["hub_time"] = datetime.now(timezone.utc).isoformat()
                return JSONResponse(current)
            if watcher.generation == generation:
                await watcher.wait(left)

    async def media(request: Request) -> Response:
        code = await run_in_threadpool(station_of, request)
        if isinstance(code, Response):
            return code
        sha = request.path_params["sha"]
        allowed = _SHA.match(sha) and await run_in_threadpool(media_allowed, app, code, sha)
        item = await run_in_threadpool(app.library.find_by_sha256, sha) if allowed else None
        path = app.media.path(item.media_path) if item else None
        if path is None or not path.is_file():
            return JSONResponse({"error": "no such media"}, status_code=404)
        size = path.stat().st_size
        start, end = 0, size - 1
        status, headers = 200, {"Accept-Ranges": "bytes"}
        if match := _RANGE.match(request.headers.get("range", "")):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
            if start >= size or start > end:
                return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
            status, headers["Content-Range"] = 206, f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(end - start + 1)

        def chunks():
            with path.open("rb") as f:
                f.seek(start)
                left = end - start + 1
                while left > 0 and (data := f.read(min(CHUNK, left))):
                    left -= len(data)
                    yield data

        return StreamingResponse(chunks(), status_code=status, headers=headers,
                                 media_type="application/octet-stream")  # fmt: skip

    async def library(request: Request) -> Response:
        code = await run_in_threadpool(station_of, request)
        if isinstance(code, Response):
            return code
        catalog = await run_in_threadpool(library_catalog, app)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(catalog.body, media_type="application/json", headers={"Content-Encoding": "gzip"})
        return Response(gzip.decompress(catalog.body), media_type="application/json")

    async def asrun(request: Request) -> Response:
        code = await run_in_threadpool(station_of, request)
        if isinstance(code, Response):
            return code
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        rows = body.get("rows") if isinstance(body, dict) else None
        if not isinstance(rows, list) or len(rows) > MAX_ROWS:
            return _refuse("rows: a list of at most 5000")
        try:
            ingested = await run_in_threadpool(app.stations.ingest, code, rows)
        except ValueError as err:
            return _refuse(f"malformed row: {err}")
        answer = {"acked": ingested.acked}
        if ingested.next_seq is not None:
            answer["next_seq"] = ingested.next_seq
        return JSONResponse(answer)

    async def heartbeat(request: Request) -> Response:
        code = await run_in_threadpool(station_of, request)
        if isinstance(code, Response):
            return code
        health = await json_body(request)
        if isinstance(health, Response):
            return health
        try:
            check_health(health)
        except ValueError as err:
            return _refuse(f"malformed heartbeat: {err}")
        now = datetime.now(timezone.utc)
        online = await run_in_threadpool(app.stations.heartbeat, code, health, now)
        return JSONResponse({"hub_time": now.isoformat(), "online": online})

    routes = [
        Route("/v1/stations/{code}/state", state),
        Route("/v1/stations/{code}/library", library),
        Route("/v1/media/{sha}", media),
        Route("/v1/stations/{code}/asrun", asrun, methods=["POST"]),
        Route("/v1/stations/{code}/heartbeat", heartbeat, methods=["POST"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        await watcher.start()
        try:
            yield
        finally:
            await watcher.stop()

    return Starlette(routes=routes, lifespan=lifespan)
