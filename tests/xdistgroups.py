"""pytest plugin: under `--dist loadgroup`, fail at collection if pytest-xdist's grouping did
not take effect, instead of silently running the `realtime` tests on both workers at once.

pytest-xdist marks a grouped test by appending `@group` to its node id; pytest 9.2 made node
ids structured and that write is lost without an error (pytest-dev/pytest-xdist#1386), hence
the `pytest<9.2` pin in pyproject.toml. This check says so if it ever happens again.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)  # after xdist's own hook appended the group to the node ids
def pytest_collection_modifyitems(config, items):
    if not getattr(config.option, "loadgroup", False):
        return
    lost = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(
            f"--dist loadgroup did not group {len(lost)} tests marked xdist_group (e.g. {lost[0]}): "
            "this pytest and pytest-xdist do not work together (see tests/xdistgroups.py)"
        )
