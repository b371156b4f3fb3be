"""Station settings: embedded defaults, overridden by radio.toml, validated into one frozen object.

The schema (``schema.py``: a dataclass per section, each field with its help and check)
and the file (``toml_file.py``: radio.toml read, validated, rendered) are two modules;
their public names are importable from here, as callers have always imported them.
"""

from radio.config.schema import (
    VOICES,
    AudioSettings,
    BackupSettings,
    PlayoutSettings,
    ScheduleSettings,
    Settings,
    StationSettings,
    StreamSettings,
    TtsSettings,
    UsbSettings,
    LibrarySettings,
    WebSettings,
    setting,
)
from radio.config.toml_file import (
    CONFIG_NAME,
    SECTION_HELP,
    SECTIONS,
    STREAM_TABLE,
    exposed_password,
    load_settings,
    render_config,
    settings_from_mapping,
)

__all__ = [
    "CONFIG_NAME", "SECTIONS", "SECTION_HELP", "STREAM_TABLE", "VOICES", "AudioSettings", "BackupSettings",
    "PlayoutSettings", "ScheduleSettings", "Settings", "StationSettings", "StreamSettings", "TtsSettings",
    "UsbSettings", "LibrarySettings", "WebSettings", "exposed_password", "load_settings", "render_config", "setting",
    "settings_from_mapping",
]
