"""An older database is upgraded by Alembic without data loss, after a backup."""

from __future__ import annotations

import sqlite3

from radio.storage import migrate
from radio.storage.db import create_sqlite_engine
from tests.conftest import Radio


def _database_at_first_revision(home) -> None:
    """A station database as the first release made it, holding one approved-era item."""
    home.mkdir(parents=True)
    (home / "media").mkdir()
    engine = create_sqlite_engine(home / "radio.db")
    migrate.upgrade(engine, home / "radio.db", home / "backups", to="0001")
    engine.dispose()
    con = sqlite3.connect(home / "radio.db")
    con.execute(
        "INSERT INTO items (id, sha256, title, topic, language, source, priority, status, duration_s,"
        " loudness_lufs, true_peak_dbtp, sample_rate, channels, codec, media_path, original_name, added_at)"
        " VALUES (7, ?, 'Bản tin cũ', 'chinh-sach', 'vi', 'UBND huyện', 'normal', 'draft', 65.5,"
        " -19.5, -2.0, 44100, 1, 'mp3', 'ab/old.mp3', 'cu.mp3', '2025-06-01 03:00:00.000000')",
        ("ab" * 32,),
    )
    con.commit()
    con.close()


def test_an_older_database_is_backed_up_then_upgraded_keeping_its_data(tmp_path):
    home = tmp_path / "home"
    _database_at_first_revision(home)
    radio = Radio(home)

    (item,) = radio.json("library", "list")
    assert (item["id"], item["title"], item["duration_s"]) == (7, "Bản tin cũ", 65.5)
    assert item["source"] == "UBND huyện"
    assert item["approved_by"] is None and item["valid_until"] is None

    con = sqlite3.connect(home / "radio.db")
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == migrate.head_revision()
    con.close()
    (backup,) = (home / "backups").iterdir()
    assert backup.name.startswith("radio-0001-")
    old = sqlite3.connect(backup)
    assert old.execute("SELECT title FROM items").fetchall() == [("Bản tin cũ",)]
    assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    old.close()

    # the upgraded database is fully usable: the new columns work
    assert radio("library", "approve", "7", "--by", "Chủ tịch xã").exit_code == 0
    assert radio.json("library", "show", "7")["approved_by"] == "Chủ tịch xã"
    # and opening it again changes nothing and makes no new backup
    radio("library", "list")
    assert len(list((home / "backups").iterdir())) == 1


def test_a_new_database_needs_no_backup(radio):
    assert not (radio.home / "backups").exists()


def test_every_revision_downgrades_and_upgrades_again(tmp_path):
    """Each migration is reversible, so a bad release can be rolled back."""
    from alembic import command

    db = tmp_path / "radio.db"
    engine = create_sqlite_engine(db)
    migrate.upgrade(engine, db, tmp_path / "b")
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine, db, tmp_path / "b")
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_the_head_constant_names_the_newest_revision():
    assert migrate.HEAD == migrate.head_revision()
