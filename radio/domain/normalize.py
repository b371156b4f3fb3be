"""Vietnamese notice text -> the words a speech engine should say.

A commune notice ("Thông báo số 12/TB-UBND … lúc 7h30 ngày 15/3/2025 … mức hỗ trợ
1.500.000đ/người …") is written for the eye. A speech engine reads "UBND" as English
letters, drops the slashes of dates and reads "1.500.000" digit group by digit group. This
module rewrites the text into spoken Vietnamese words, in passes, each turning one kind of
written form into words (words never contain digits, so a later pass cannot re-read an
earlier one's output):

the end mark "./.", list marks -> word pairs (ông/bà, marked) -> document symbols -> phone
numbers -> abbreviations -> ranges -> dates -> quarters, times -> ordinals, months, weekdays,
Roman numerals -> slashes between numbers -> negative temperatures -> numbers with units,
money and percentages -> capitals glued to digits -> the remaining numbers -> "per" slashes
-> word pairs read ("hoặc"). (Document symbols, Roman numerals, marks and word pairs:
radio/domain/vi_documents.py.)

What no pass recognises is left exactly as written — except a run of capitals that is no
Vietnamese syllable (an abbreviation no table knows), spelled with Vietnamese letter names —
and nothing is ever dropped.
Already spoken text comes back unchanged. Pure: standard library only; the table of
abbreviations, document codes and units is data (config/abbreviations.toml).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from radio.domain.vi_numbers import (
    read_decimal,
    read_digits,
    read_integer_text,
    read_month,
    read_number,
    read_ordinal,
)
from radio.domain.vi_documents import (
    END_MARK,
    GLUED_LETTER,
    MARKS,
    QUARTER_YEAR,
    ADDRESS,
    CAPITALS,
    ROMAN_PASSES,
    SECTION_PASSES,
    EITHER,
    glued_letter,
    quarter_year,
    read_address,
    spell_unknown_capitals,
    symbol_pass,
    word_pair_pass,
)
from radio.errors import RadioError
from radio.i18n import _

SECTIONS = ("abbreviations", "document_codes", "units")


class NoticeError(RadioError):
    """A notice text that cannot be spoken (empty, nothing readable, too long, bad table)."""


@dataclass(frozen=True)
class Lexicon:
    """How abbreviations, document codes and units are read (config/abbreviations.toml)."""

    abbreviations: Mapping[str, str]
    document_codes: Mapping[str, str]
    units: Mapping[str, str]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str) -> Lexicon:
        tables: dict[str, dict[str, str]] = {}
        for section in SECTIONS:
            table = data.get(section, {})
            if not isinstance(table, Mapping):
                raise NoticeError(_("{path}: [{section}] must be a table").format(path=source, section=section))
            entries = {}
            for key, value in table.items():
                if not isinstance(value, str) or not value.strip() or not key.strip():
                    raise NoticeError(
                        _("{path}: [{section}] '{key}' must be a non-empty text").format(
                            path=source, section=section, key=key
                        )
                    )
                entries[unicodedata.normalize("NFC", key)] = unicodedata.normalize("NFC", value.strip())
            tables[section] = entries
        unknown = sorted(set(data) - set(SECTIONS))
        if unknown:
            raise NoticeError(
                _("{path}: unknown section [{section}] (expected: {sections})").format(
                    path=source, section=unknown[0], sections=", ".join(SECTIONS)
                )
            )
        return cls(**tables)


# --- building blocks -------------------------------------------------------------------

LETTER = r"[^\W\d_]"
NOT_AFTER_WORD = r"(?<![\w])"
NOT_BEFORE_WORD = r"(?![\w])"
# A number as written in Vietnam: dots group thousands, a comma marks decimals (1.500.000,5);
# also 1,500,000 (two or more comma groups cannot be a decimal) and 2.5 (a typed decimal).
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3}){2,}|\d+(?:[,.]\d+)?"
NUMBER_START = r"(?<![\w.,])"  # not inside another number or word
NUMBER_END = r"(?![.,]?\d)"
DASH = r"[-–—]"


def read_written_number(text: str) -> str:
    """'1.500.000' -> 'một triệu năm trăm nghìn', '2,5' -> 'hai phẩy năm'."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
        whole, _sep, fraction = text.partition(",")
        return read_decimal(whole.replace(".", ""), fraction or None)
    if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", text):
        return read_integer_text(text.replace(",", ""))
    whole, fraction = re.split(r"[,.]", text) if re.search(r"[,.]", text) else (text, None)
    return read_decimal(whole, fraction)


def _keys(table: Mapping[str, str]) -> str:
    return "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))


def _keep_case(written: str, word: str) -> str:
    """'Ngày' stays 'Ngày': the inserted word follows the written one's capital."""
    return written if written else word


# --- passes ------------------------------------------------------------------------------


PHONE_CONTEXT = re.compile(
    r"((?:số\s+)?(?:điện\s+thoại|ĐT|SĐT|ĐTDĐ|hotline|Hotline|HOTLINE|đường\s+dây\s+nóng|số\s+máy|Fax|fax|gọi)"
    r"(?:\s+số)?\s*:?\s*)(\+?\(?\d[\d\s.()-]{1,18}\d)(?![\d,]*\d)",
    re.IGNORECASE,
)
PHONE_SHAPE = re.compile(
    NOT_AFTER_WORD
    + r"(\+84[\s.]?\d{2,3}[\s.-]?\d{3}[\s.-]?\d{3,4}"
    r"|\(0\d{2,3}\)[\s.]?\d{3,4}[\s.-]?\d{3,4}"
    r"|0\d{2,4}(?:[\s.-]?\d{3,4}){2}"
    r"|1[89]00[\s.]?\d{4,6})"
    r"(?![\w]|[.,]\d)"
)


PHONE_GROUPS = {8: [4, 4], 9: [3, 3, 3], 10: [4, 3, 3], 11: [4, 3, 4], 12: [4, 4, 4]}


def _phone_groups(written: str) -> str:
    """Digit groups as written; unbroken runs in groups of 4-3-3(-…)."""
    text = written.strip()
    plus = text.startswith("+")
    groups = [g for g in re.split(r"[\s.()-]+", text.lstrip("+")) if g]
    if len(groups) == 1:
        run = groups[0]
        sizes = PHONE_GROUPS.get(len(run)) or [3] * (len(run) // 3) or [len(run)]
        groups, at = [], 0
        for size in sizes:
            groups.append(run[at : at + size])
            at += size
        if at < len(run):
            groups[-1] += run[at:]
    spoken = ", ".join(read_digits(g) for g in groups)
    return ("cộng " if plus else "") + spoken


def _is_phone(written: str) -> bool:
    digits = re.sub(r"\D", "", written)
    if written.startswith("+84"):
        return 10 <= len(digits) <= 12
    if digits.startswith(("1800", "1900")):
        return 8 <= len(digits) <= 10
    return digits.startswith("0") and 10 <= len(digits) <= 11


def _phone(m: re.Match) -> str:
    return _phone_groups(m[1]) if _is_phone(m[1]) else m[0]


def _phone_in_context(m: re.Match) -> str:
    if len(re.sub(r"\D", "", m[2])) < 3:
        return m[0]
    return m[1] + _phone_groups(m[2])


def _set_apart(m: re.Match, words: str) -> str:
    """Digits glued to letters (H5N1, 25h) become words set apart by spaces."""
    before = m.string[m.start() - 1] if m.start() else " "
    after = m.string[m.end()] if m.end() < len(m.string) else " "
    return (" " if before.isalpha() else "") + words + (" " if after.isalpha() else "")


DASHED_DATE = re.compile(NUMBER_START + r"(\d{1,2})([-.])(\d{1,2})\2(\d{4})" + r"(?![\w]|[.,]\d)")


def _dashed_date(m: re.Match) -> str:
    if _valid_day_month(int(m[1]), int(m[3])):
        return f"{m[1]}/{m[3]}/{m[4]}"
    return m[0]


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


RANGE = re.compile(r"(?<![\w.,:/])(\(?\d[\d.,/:]*(?:[hg]\d{0,2})?'?%?)\s*" + DASH + r"\s*(?=\d)")


def _range(m: re.Match) -> str:
    return m[1] + " đến "


DATE = re.compile(
    r"(?:\b(ngày|Ngày|NGÀY)\s+(?:(mùng|mồng)\s+)?)?"
    + NUMBER_START
    + r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?"
    + r"(?![\w/]|[.,]\d)"
)


def _date(m: re.Match) -> str:
    day, month = int(m[3]), int(m[4])
    if not _valid_day_month(day, month):
        return m[0]
    words = [_keep_case(m[1], "ngày")] + ([m[2]] if m[2] else []) + [read_number(day), "tháng", read_month(month)]
    if m[5]:
        words += ["năm", read_number(int(m[5]))]
    return " ".join(words)


MONTH_YEAR = re.compile(r"(?:\b(tháng|Tháng|THÁNG)\s+)?" + NUMBER_START + r"(\d{1,2})/(\d{4})(?![\w/]|[.,]\d)")


def _month_year(m: re.Match) -> str:
    month = int(m[2])
    if not 1 <= month <= 12:
        return m[0]
    return f"{_keep_case(m[1], 'tháng')} {read_month(month)} năm {read_number(int(m[3]))}"


TIME = re.compile(
    NUMBER_START
    + r"(\d{1,2})(?:\s?[hH](\d{2})?|g(\d{2})|:(\d{2})(?::(\d{2}))?)(?:['’])?"
    + r"(?![^\W\d_]|\d|[.,:]\d)"
)


DOT_TIME = re.compile(r"\b(lúc|Lúc|LÚC)\s+(\d{1,2})\.(\d{2})(?![\w]|[.,]\d)")  # lúc 7.30: a time, not 7,30


def _time(m: re.Match) -> str:
    hour = int(m[1])
    minute = m[2] or m[3] or m[4]
    if hour > 24 or (minute and int(minute) > 59) or (m[5] and int(m[5]) > 59):
        return m[0]
    words = [read_number(hour), "giờ"]
    if minute and int(minute):
        words += [read_number(int(minute)), "phút"]
    if m[5] and int(m[5]):
        words += [read_number(int(m[5])), "giây"]
    return " ".join(words)


ORDINAL = re.compile(r"\b(thứ|Thứ|THỨ)\s+(\d{1,3})" + NUMBER_END + NOT_BEFORE_WORD)
MONTH = re.compile(r"\b(tháng|Tháng|THÁNG)\s+(\d{1,2})" + NUMBER_END + r"(?![\w/])")
WEEKDAY = re.compile(NOT_AFTER_WORD + r"T([2-7])" + NOT_BEFORE_WORD)
def _ordinal(m: re.Match) -> str:
    return f"{m[1]} {read_ordinal(int(m[2]))}"


def _month(m: re.Match) -> str:
    month = int(m[2])
    return f"{m[1]} {read_month(month)}" if 1 <= month <= 12 else m[0]


NEGATIVE_TEMPERATURE = re.compile(r"(?<![\w.,])[-–](?=\d+(?:,\d+)?\s?(?:°|oC|℃|độ))")


def _units(lexicon: Lexicon) -> tuple[re.Pattern, Callable[[re.Match], str]]:
    pattern = re.compile(
        NUMBER_START + rf"({NUMBER})(\s?)({_keys(lexicon.units)})(?![^\W_]|²|³)"
    )

    def say(m: re.Match) -> str:
        return f"{read_written_number(m[1])} {lexicon.units[m[3]]}"

    return pattern, say


GENERIC_NUMBER = re.compile(NUMBER_START + rf"({NUMBER})" + NUMBER_END)
DIGIT_RUN = re.compile(r"\d+")
NUMBER_SLASH = re.compile(r"(?<=[\d%])/(?=\d)")  # what no date or symbol pass read: 45/3 "trên"
LETTER_DASH_DIGIT = re.compile(rf"(?<={LETTER}){DASH}(?=\d)")
COMPARISONS = [(re.compile(r"≥\s*|>=\s*(?=\d)"), "tối thiểu "), (re.compile(r"≤\s*|<=\s*(?=\d)"), "tối đa "),
               (re.compile(r">\s*(?=\d)"), "trên "), (re.compile(r"<\s*(?=\d)"), "dưới ")]  # fmt: skip
APPROXIMATELY = re.compile(r"(?<![\w])~\s?(?=\d)")
PER_WORDS = "người|tháng|năm|ngày|tuần|giờ|hộ|khẩu|suất|lượt|lần|con|cây|ha|sào|kg|tấn|lít|cái|chiếc"
PER = re.compile(rf"(?<={LETTER})/({PER_WORDS})" + NOT_BEFORE_WORD)
WEEKDAY_RANGE = re.compile(r"\b((?:[Tt]hứ|THỨ) \w+|chủ nhật)\s*" + DASH + r"\s*(?=(?:[Tt]hứ|THỨ|chủ nhật)\b)")
SPACES = re.compile(r"[ \t\u00a0]+")


def _abbreviations(lexicon: Lexicon) -> tuple[re.Pattern, Callable[[re.Match], str]]:
    if not lexicon.abbreviations:
        return re.compile(r"(?!x)x"), lambda m: m[0]
    # VOV1, TP2 are read too: the digits after the letters are read as a number later
    pattern = re.compile(r"(?<![\w&])(" + _keys(lexicon.abbreviations) + r")(?![^\W\d]|&)")
    return pattern, lambda m: lexicon.abbreviations[m[1]]


def _line(text: str, lexicon: Lexicon) -> str:
    pairs = word_pair_pass(frozenset(PER_WORDS.split("|")), lexicon.abbreviations, lexicon.units)
    passes: list[tuple[re.Pattern, Callable[[re.Match], str] | str]] = [
        (END_MARK, "."),
        (MARKS, ""),
        (ADDRESS, read_address),
        pairs,
        symbol_pass(lexicon.document_codes, lexicon.abbreviations),
        (PHONE_CONTEXT, _phone_in_context),
        (PHONE_SHAPE, _phone),
        _abbreviations(lexicon),
        (DOT_TIME, r"\1 \2h\3"),
        (DASHED_DATE, _dashed_date),
        *SECTION_PASSES,
        (RANGE, _range),
        (DATE, _date),
        (QUARTER_YEAR, quarter_year),
        (MONTH_YEAR, _month_year),
        (TIME, _time),
        (ORDINAL, _ordinal),
        (MONTH, _month),
        (WEEKDAY, lambda m: "thứ " + read_ordinal(int(m[1]))),
        *ROMAN_PASSES,
        (NUMBER_SLASH, " trên "),
        (NEGATIVE_TEMPERATURE, "âm "),
        (APPROXIMATELY, "khoảng "),
        *COMPARISONS,
        _units(lexicon),
        (LETTER_DASH_DIGIT, " "),
        (GLUED_LETTER, glued_letter),
        (GENERIC_NUMBER, lambda m: _set_apart(m, read_written_number(m[1]))),
        (DIGIT_RUN, lambda m: _set_apart(m, read_integer_text(m[0]))),
        (PER, r" một \1"),
        (WEEKDAY_RANGE, r"\1 đến "),
        (CAPITALS, spell_unknown_capitals),
        pairs,  # again: a slash left between two readings ("0:00/0") reads as a second pass would
        (re.compile(EITHER), " hoặc "),
    ]
    for pattern, replacement in passes:
        text = pattern.sub(replacement, text)
    return SPACES.sub(" ", text).strip()


def normalize(text: str, lexicon: Lexicon) -> str:
    """The spoken form of a notice: NFC, line by line, blank lines kept as paragraph breaks."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(_line(line, lexicon) for line in text.split("\n")).strip("\n")


def check_notice_text(text: str, max_chars: int) -> str:
    """The notice as NFC text, or NoticeError saying why it cannot be read aloud."""
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise NoticeError(_("the notice is empty"))
    if not any(c.isalnum() for c in text):
        raise NoticeError(_("the notice has nothing to read aloud (only punctuation or symbols)"))
    if len(text) > max_chars:
        raise NoticeError(
            _(
                "the notice has {n} characters, more than the {cap} one announcement may hold "
                "([tts] max_chars): split it into parts and announce each"
            ).format(n=len(text), cap=max_chars)
        )
    return text
