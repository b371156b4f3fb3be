"""A station's as-run outbox: every finished row goes up once, in order, with the UUID and
sequence number the station gave it; the hub stores each once and acknowledges the
highest contiguous sequence it holds. Acknowledged rows stay here 30 days. A station whose
home was rebuilt (and numbers from 1 again) is told by the hub where its numbers go on:
the rows not yet acknowledged are renumbered from there, keeping their UUIDs."""

from __future__ import annotations

from datetime import timedelta

from radio.domain.network import KEEP_ACKED_DAYS
from radio.network.client import HubClient

BATCH = 500


def send_outbox(app, client: HubClient) -> int:
    """Queue the rows finished since last time and send what the hub has not acknowledged;
    returns how many rows are still unacknowledged. Raises HubUnreachable when cut (the
    rows stay and go at the next round)."""
    link = app.link
    link.enqueue_finished()
    reopened = renumbered = False
    while rows := link.pending(BATCH):
        acked, next_seq = client.send_rows(rows)
        if next_seq is not None:  # the hub holds other rows under these numbers (this home was rebuilt)
            if renumbered:
                break
            link.renumber_unacked(next_seq)
            renumbered = True
            continue
        link.acknowledge(acked)
        if acked < rows[0]["seq"] - 1 and not reopened:  # the hub lost rows it had acked (restored): again
            link.reopen_after(acked)
            reopened = True
            continue
        if acked < rows[-1]["seq"]:
            break  # a gap the hub is still waiting for: try again next round
    link.prune_acked(timedelta(days=KEEP_ACKED_DAYS))
    return link.unacked()
