"""A real PostgreSQL for the hub's tests: a cluster made by initdb in a temporary directory,
started by pg_ctl as an unprivileged user (the test user; `postgres` when the tests run as
root, which PostgreSQL refuses), listening only on a Unix socket in that directory.
One cluster per test session; each test gets a database of its own (`pg_database`)."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

USER = "radio"


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class PgCluster:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.socket_dir = root
        self._names = itertools.count(1)
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL never runs as root: as its own system user
            os.chown(root, *_ids("postgres"))
            root.chmod(0o755)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *cmd], capture_output=True, text=True, timeout=120, check=True)

    def start(self) -> None:
        self.run(_binary("initdb"), "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses='' -k {self.socket_dir} -c fsync=off -c max_connections=400"
        self.run(_binary("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "pg.log"), "-w", "start")

    def stop(self) -> None:
        subprocess.run([*self.as_user, _binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)  # fmt: skip

    def new_database(self) -> str:
        """A fresh, empty database; its postgresql:// URL."""
        name = f"hub{next(self._names)}"
        self.run(_binary("createdb"), "-h", str(self.socket_dir), "-U", USER, name)
        return f"postgresql://{USER}@/{name}?host={self.socket_dir}"


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


@pytest.fixture(scope="session")
def pg_cluster():
    if _binary("initdb") is None:
        pytest.fail("PostgreSQL is not installed (scripts/ensure-system-deps installs it)")
    root = Path(tempfile.mkdtemp(prefix="radio-pg-"))
    cluster = PgCluster(root)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_database(pg_cluster) -> str:
    return pg_cluster.new_database()
