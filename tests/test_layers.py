"""The layers hold: every import of every module under radio/ — at the top, inside a
function, under TYPE_CHECKING — is checked against the table in docs/architecture.md.

The table is the one place the rule lives: this test parses it (a row's first column
names its modules, its last column the rows it may import), so the drawing and the code
cannot drift apart. Function-level imports (kept for start-up speed) hide arrows from the
eye; ast sees them all.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "radio"
DOC = ROOT / "docs" / "architecture.md"

# Imports the table does not allow yet, each to be removed (a stale entry fails a test).
PENDING: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Row:
    name: str
    modules: tuple[str, ...]  # "radio.domain" (a package: itself and below) or "radio.app" (a module)
    packages: tuple[bool, ...]
    allowed: frozenset[str]
    stdlib_only: bool

    def holds(self, module: str) -> int:
        """How specifically this row holds *module* (0: not at all), longest match wins."""
        best = 0
        for name, is_package in zip(self.modules, self.packages):
            if module == name or (is_package and module.startswith(name + ".")):
                best = max(best, len(name))
        return best


def _dotted(path: str) -> tuple[str, bool]:
    """`radio/domain/` -> (radio.domain, package); `radio/app.py` -> (radio.app, module)."""
    if path.endswith("/"):
        return path.rstrip("/").replace("/", "."), True
    if path.endswith("/__init__.py"):
        return path[: -len("/__init__.py")].replace("/", "."), False
    return path.removesuffix(".py").replace("/", "."), False


def read_table(text: str) -> list[Row]:
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| package") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, f"a row of the Layers table must have 3 cells: {line}"
        first, _what, may = cells
        paths = re.findall(r"`(radio/[^`]*)`", first)
        assert paths, f"a row of the Layers table names no path: {line}"
        label = re.match(r"\*\*(\w+)\*\*", first)
        dotted = [_dotted(p) for p in paths]
        name = label[1] if label else dotted[0][0].rsplit(".", 1)[-1]
        allowed = frozenset(re.findall(r"`([a-z_0-9]+)`", may))
        rows.append(Row(name, tuple(d for d, _ in dotted), tuple(p for _, p in dotted), allowed,
                        "standard library only" in may))  # fmt: skip
    return rows


TABLE = read_table(DOC.read_text(encoding="utf-8"))
BY_NAME = {row.name: row for row in TABLE}


def row_of(module: str) -> Row | None:
    scored = [(row.holds(module), row) for row in TABLE]
    score, row = max(scored, key=lambda s: s[0])
    return row if score else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, wherever it is."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


def imports_in(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from radio.reports import airtime`: the module imported is radio.reports.airtime
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                is_module = (ROOT / Path(*sub.split("."))).with_suffix(".py").exists() or (
                    ROOT / Path(*sub.split(".")) / "__init__.py").exists()  # fmt: skip
                found.append((node.lineno, sub if target.startswith("radio") and is_module else target))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_the_table_is_read_and_names_only_its_own_rows():
    """A typo in the doc's table must fail here, not silently allow nothing (or everything)."""
    assert {"foundation", "domain", "home", "config", "storage", "scheduler", "web", "cli", "reports"} <= set(BY_NAME)
    for row in TABLE:
        unknown = row.allowed - set(BY_NAME)
        assert not unknown, f"row {row.name} may import {sorted(unknown)}, which no row of the table names"
    assert BY_NAME["domain"].stdlib_only and not BY_NAME["storage"].stdlib_only
    assert "cli" not in BY_NAME["web"].allowed and "web" not in BY_NAME["domain"].allowed


def test_every_module_belongs_to_a_row():
    homeless = [module_name(p) for p in MODULES if row_of(module_name(p)) is None]
    assert not homeless, f"modules with no row in the Layers table of docs/architecture.md: {homeless}"


def test_no_import_breaks_the_layers():
    broken = []
    stdlib = set(sys.stdlib_module_names)
    for path in MODULES:
        module = module_name(path)
        row = row_of(module)
        assert row is not None
        for line, target in imports(path):
            where = f"{path.relative_to(ROOT)}:{line}: {module} imports {target}"
            if target == "radio" or target.startswith("radio."):
                other = row_of(target)
                if other is None:
                    broken.append(f"{where} (which has no row)")
                elif other is not row and other.name not in row.allowed and (module, target) not in PENDING:
                    broken.append(f"{where} ({row.name} may not import {other.name})")
            elif row.stdlib_only and target.split(".")[0] not in stdlib:
                broken.append(f"{where} ({row.name} is standard library only)")
    assert not broken, "imports the Layers table of docs/architecture.md does not allow:\n" + "\n".join(broken)


def test_pending_exceptions_are_still_needed():
    """An entry of PENDING that no longer matches an import is stale: remove it."""
    seen = {(module_name(p), target) for p in MODULES for _line, target in imports(p)}
    assert PENDING <= seen, f"stale PENDING entries: {sorted(PENDING - seen)}"


@pytest.mark.parametrize("source, expected", [
    ("from radio.scheduler.control import socket_address\n", "radio.scheduler.control"),
    ("def f():\n    from radio.app import open_app\n", "radio.app"),
    ("def f():\n    import radio.web.server\n", "radio.web.server"),
    ("if TYPE_CHECKING:\n    from radio.cli.main import cli\n", "radio.cli.main"),
    ("from ..scheduler import control\n", "radio.scheduler.control"),
])  # fmt: skip
def test_the_reader_sees_every_kind_of_import_and_the_table_refuses_an_upward_one(source, expected):
    """The checker itself: an import at the top, in a function, dotted, relative — all seen,
    and each of these, in a streams module, is an arrow the table refuses."""
    assert expected in [t for _line, t in imports_in(source, "radio.streams.feed")]
    assert row_of(expected).name not in row_of("radio.streams.feed").allowed
    assert [t for _line, t in imports_in("from radio.reports import airtime\n", "radio.cli.report")] == [
        "radio.reports.airtime"]


STATION_FILE = re.compile(r"\.(lock|json|db|sock|key|crt|toml|pid)$")  # what a station keeps in its home
LAYOUT_PENDING: set[tuple[str, str]] = set()  # file names spelled outside home.py, to be removed


def test_the_station_home_is_laid_out_in_radio_home_only():
    """A file or folder of the station home is named in radio/home.py and asked for elsewhere:
    no other module spells "radio.db", "daemon.sock", "backups" ... (a file name anywhere, a
    folder name where a path is joined with /)."""
    import radio.home as layout

    names = {v for k, v in vars(layout).items() if k.endswith("_NAME") and isinstance(v, str)}
    assert {"radio.db", "radio.toml", "daemon.sock", "streams.sock", "backups", "media"} <= names
    files = {n for n in names if "." in n or "-" in n}
    found = []
    for path in MODULES:
        where = path.relative_to(ROOT / "radio").as_posix()
        if where == "home.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        joined = {id(n.right) for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                node.value in files or (node.value in names and id(node) in joined)
            ) and (f"radio/{where}", node.value) not in LAYOUT_PENDING:  # fmt: skip
                found.append(f"radio/{where}:{node.lineno}: {node.value!r}")
        for node in ast.walk(tree):  # a station file home.py does not name yet, joined onto a path
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant) \
                    and isinstance(node.right.value, str) and STATION_FILE.search(node.right.value):  # fmt: skip
                found.append(f"radio/{where}:{node.lineno}: {node.right.value!r}")
    assert not found, "the station home's layout spelled outside radio/home.py:\n" + "\n".join(found)
