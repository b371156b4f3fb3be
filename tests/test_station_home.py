"""`radio init`, radio.toml validation, the home's defaults, and the database it creates."""

from __future__ import annotations

import sqlite3
import tomllib

from radio.config import load_settings
from radio.home import default_home
from radio.storage.migrate import head_revision


def test_init_creates_a_commented_config_the_database_in_wal_mode_and_the_store(radio):
    home = radio.home
    text = (home / "radio.toml").read_text(encoding="utf-8")
    assert "# timezone = \"Asia/Ho_Chi_Minh\"" in text
    assert "loudness_target_lufs" in text
    parsed = tomllib.loads(text)
    assert {"station", "audio"} <= set(parsed)
    assert all(section == {} for section in parsed.values())  # everything commented: defaults
    assert (home / "media").is_dir()
    con = sqlite3.connect(home / "radio.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    con.close()


def test_init_twice_keeps_the_existing_config(radio):
    (radio.home / "radio.toml").write_text('[station]\nname = "Đài xã Tân Lập"\n', encoding="utf-8")
    result = radio("init")
    assert result.exit_code == 0
    assert "nothing to create" in result.stdout
    assert load_settings(radio.home).station.name == "Đài xã Tân Lập"


def test_init_with_name_writes_it(tmp_path):
    from tests.conftest import Radio

    r = Radio(tmp_path / "h")
    assert r("init", "--name", "Đài truyền thanh xã Đồng Tâm").exit_code == 0
    assert load_settings(r.home).station.name == "Đài truyền thanh xã Đồng Tâm"


def test_every_config_error_is_reported_at_once_with_key_and_reason(radio):
    (radio.home / "radio.toml").write_text(
        "[station]\n"
        'timezone = "Asia/Hanoi_City"\n'
        "nmae = 3\n"
        "[audio]\n"
        'loudness_target_lufs = "loud"\n'
        "true_peak_max_dbtp = 3.0\n"
        "[stations]\n",
        encoding="utf-8",
    )
    result = radio("library", "list")
    assert result.exit_code == 1
    err = result.stderr
    assert "Traceback" not in err
    assert "station.timezone' unknown time zone" in err
    assert "unknown setting 'station.nmae' (did you mean 'name'?)" in err
    assert "'audio.loudness_target_lufs' must be number" in err
    assert "'audio.true_peak_max_dbtp' must be between -12.0 and 0.0" in err
    assert "unknown section [stations] (did you mean 'station'?)" in err


def test_invalid_toml_is_one_clear_error(radio):
    (radio.home / "radio.toml").write_text("[station\nname=", encoding="utf-8")
    result = radio("library", "list")
    assert result.exit_code == 1
    assert "radio.toml: not valid TOML" in result.stderr


def test_commands_on_a_missing_home_say_to_run_init(tmp_path):
    from tests.conftest import Radio

    result = Radio(tmp_path / "nowhere")("library", "list")
    assert result.exit_code == 1
    assert "run 'radio init' first" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_default_home_follows_env_then_systemd_then_user(tmp_path):
    assert default_home({"RADIO_HOME": "/srv/radio"}).as_posix() == "/srv/radio"
    assert default_home({"STATE_DIRECTORY": "/var/lib/radio"}).as_posix() == "/var/lib/radio"
    assert default_home({"XDG_DATA_HOME": "/x"}).as_posix() == "/x/radio"
    assert default_home({}).as_posix().endswith(".local/share/radio")


def test_radio_home_env_is_used(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from radio.cli.main import cli

    result = CliRunner().invoke(cli, ["init"], env={"RADIO_HOME": str(tmp_path / "envhome")})
    assert result.exit_code == 0
    assert (tmp_path / "envhome" / "radio.db").exists()


def _run_under_umask_022(radio_bin, env, home, *args):
    import os
    import subprocess

    return subprocess.run([radio_bin, "--home", str(home), *args], env=env, capture_output=True, text=True,
                          preexec_fn=lambda: os.umask(0o022), timeout=60)  # fmt: skip


def test_a_station_made_by_hand_is_not_readable_by_other_users(tmp_path, radio_bin, subprocess_env):
    """Run by hand under the usual umask 022, the station's files are still closed to other users
    (issue 17): the database holds password hashes and the audit log, radio.toml may hold passwords."""
    import stat

    home = tmp_path / "home"
    for args in (("init",), ("backup", "now")):
        result = _run_under_umask_022(radio_bin, subprocess_env, home, *args)
        assert result.returncode == 0, result.stderr
    backups = list((home / "backups").iterdir())
    assert backups
    for path in [home, home / "radio.toml", home / "radio.db", home / "media", home / "backups", *backups]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, f"{path.name}: {oct(mode)}"
    assert stat.S_IMODE((home / "radio.db").stat().st_mode) & 0o600 == 0o600


def test_an_older_open_station_is_closed_when_opened(tmp_path, radio_bin, subprocess_env):
    import os
    import stat

    home = tmp_path / "home"
    assert _run_under_umask_022(radio_bin, subprocess_env, home, "init").returncode == 0
    for path in (home, home / "radio.toml", home / "radio.db"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)  # as a station made before the fix
    assert _run_under_umask_022(radio_bin, subprocess_env, home, "init").returncode == 0
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in (home, home / "radio.toml", home / "radio.db")} == {
        "home": 0o750, "radio.toml": 0o640, "radio.db": 0o640}  # fmt: skip
