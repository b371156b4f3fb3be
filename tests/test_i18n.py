"""Vietnamese is first-class: a complete catalog, and the CLI speaks it under LANG=vi_VN.UTF-8."""

from __future__ import annotations

import re
import string

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from radio.i18n import LOCALE_DIR
from radio.i18n_catalog import PO_PATH, template

VI = {"LANG": "vi_VN.UTF-8"}


def _fields(text: str) -> set[str]:
    """The {placeholders} of a format string (and %(name)s ones)."""
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    return names | set(re.findall(r"%\((\w+)\)s", text))


def _translated(message) -> bool:
    s = message.string
    return all(s) if isinstance(s, tuple | list) else bool(s)


def test_every_message_radio_can_show_has_a_vietnamese_translation():
    with PO_PATH.open("rb") as f:
        catalog = read_po(f, locale="vi")
    missing = []
    for message in template():
        if not message.id:
            continue
        entry = catalog.get(message.id)
        if entry is None or not _translated(entry) or "fuzzy" in entry.flags:
            missing.append(message.id)
    assert not missing, f"untranslated (run scripts/update-catalog): {missing}"


def test_translations_keep_every_placeholder():
    with PO_PATH.open("rb") as f:
        catalog = read_po(f, locale="vi")
    wrong = []
    for m in catalog:
        if not m.id or not _translated(m):
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        expected = set().union(*(_fields(i) for i in ids))
        for s in strings:
            # a plural form may drop the count placeholder, never invent one
            if not _fields(s) <= expected or (len(ids) == 1 and _fields(s) != expected):
                wrong.append((m.id, s))
    assert not wrong


def test_the_compiled_catalog_is_installed():
    mo = LOCALE_DIR / "vi" / "LC_MESSAGES" / "radio.mo"
    with mo.open("rb") as f:
        compiled = read_mo(f)
    assert compiled.get("Usage:").string == "Cách dùng:"


def test_help_speaks_vietnamese(radio):
    out = radio("--help", env=VI).stdout
    assert "Cách dùng:" in out
    assert "Lập lịch và phát sóng cho đài truyền thanh xã." in out
    assert "Hiện hướng dẫn này rồi thoát." in out
    add_help = radio("library", "add", "--help", env=VI).stdout
    assert "Mã chủ đề (xem 'radio topics')." in add_help
    assert "Usage" not in add_help


def test_errors_and_results_speak_vietnamese(radio, tone):
    result = radio("library", "add", tone(seconds=1.0), "--topic", "khong-co", env=VI)
    assert result.exit_code == 1
    assert result.stderr.startswith("radio: lỗi: không có chủ đề 'khong-co'; gần nhất:")
    usage = radio("library", "add", env=VI)
    assert usage.exit_code == 2
    assert "Lỗi: Thiếu tham số 'PATHS...'." in usage.stderr
    ok = radio("library", "add", tone(seconds=1.0), "--topic", "y-te", env=VI)
    assert ok.stdout.startswith("đã thêm #1 ")
    assert "Thư viện" not in radio("library", "list", env=VI).stdout
    assert "Trạng thái" in radio("library", "list", env=VI).stdout


def test_english_is_the_default(radio):
    assert "Usage:" in radio("--help").stdout
