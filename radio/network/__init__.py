"""The network of stations: the hub's server side (hub_*.py) and a station's sync side
(station_sync.py, outbox.py, sync_loop.py). Their rules are pure, in domain/network.py."""
