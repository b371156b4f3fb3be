"""How administrative text is read aloud: document symbols, Roman numerals, section numbers,
the end mark and list marks, word pairs, addresses, and capitals no table knows.

A provincial or commune plan cites its sources by symbol: "Kế hoạch 98/KH-UBND" (number /
type - issuing body, the State's style), "Chỉ thị số 05-CT/TW" (number - type / body, the
Party's style), "Thông tư 39/2020/TT-BTTTT" (with the year). An announcer reads the number
and then the type and the body as words: "chín mươi tám, kế hoạch ủy ban nhân dân". A code
that no table knows is spelled with Vietnamese letter names — inside a symbol it can only be
an abbreviation — so the speech engine never reads it as English letters.

Roman numerals count congresses, terms, chapters, quarters and zones ("khóa XIII", "Chương
II", "quý IV/2026", "khu vực III"); a single I, V or X is a numeral only after such a word
(not in "tia X" or "Vitamin A"); two or more (XIII, IV) are, except beside a word in
capitals (a heading: "XỬ LÝ VI PHẠM", "XI MĂNG").

Section numbers take "chấm" (mục 2.1, 1.1. Mục đích), not a decimal comma. A document ends
with "./." (nothing follows) and lists begin with "*" or "•": written for the eye, not read.
"ông/bà" is "ông hoặc bà". A web or mail address is read part by part (chấm, a còng), its
names cut into syllables (thai nguyen) or spelled. Capitals that are no Vietnamese syllable
and that no table knows (THT) are spelled with Vietnamese letter names, never left to the
speech engine's English ones; a heading's words in capitals are syllables and stay.

Pure: standard library only. The tables come from the caller (the Lexicon).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from radio.domain.vi_numbers import read_integer_text, read_number, read_ordinal, roman_value

CODE = r"[A-ZĐ][A-Za-zĐđ&]*\d*"  # QH14: the 14th National Assembly
CODES = rf"{CODE}(?:[-/]{CODE})*"
# number[/year]/TYPE-BODY (State) or number-TYPE/BODY (Party); not inside a word or number
SYMBOL = re.compile(
    rf"(?<![\w.,/])(\d+)(?:/(\d{{4}}))?(?:/({CODES})|-({CODE}/{CODES}))(?![\w&])"
)

LETTER_NAMES = {
    "A": "a", "Ă": "á", "Â": "ớ", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "Ê": "ê",
    "F": "ép", "G": "giê", "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "lờ", "M": "mờ", "N": "nờ",
    "O": "o", "Ô": "ô", "Ơ": "ơ", "P": "pê", "Q": "quy", "R": "rờ", "S": "ét", "T": "tê", "U": "u",
    "Ư": "ư", "V": "vê", "W": "vê kép", "X": "ích", "Y": "i", "Z": "dét", "&": "và",
}  # fmt: skip


VOWELS = "aăâeêioôơuưyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
# onset, one to three vowels (glides included), a final consonant: the shape of every syllable
SYLLABLE = re.compile(rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[{VOWELS}]{{1,3}}(?:ng|nh|ch|[cmnpt])?")
CAPITALS = re.compile(r"(?<![\w&/.-])[A-ZĐ]{2,}(?![\w&]|[/.-]\w)")


def spell_unknown_capitals(m: re.Match) -> str:
    """What no table knows, in capitals and no Vietnamese syllable (NSTW, THT): spelled with
    Vietnamese letter names rather than left to the speech engine's English ones. A word of a
    heading in capitals (QUYẾT ĐỊNH, TRONG) is a syllable and stays."""
    word = m[0]
    if SYLLABLE.fullmatch(word.lower()) or roman_value(word) is not None:
        return word
    return spell(word)


def spell(code: str) -> str:
    """'XYZ' -> 'ích i dét': letter by letter, as Vietnamese announcers name the letters."""
    return " ".join(LETTER_NAMES.get(c.upper(), c) for c in code)


def symbol_pass(document_codes: Mapping[str, str], abbreviations: Mapping[str, str]):
    """The pass that reads document symbols: (pattern, replacement)."""

    def part(code: str) -> str:
        letters, digits = re.fullmatch(r"(.*?)(\d*)", code).groups()
        if digits:
            return f"{part(letters)} {read_integer_text(digits)}"
        known = document_codes.get(code) or abbreviations.get(code)
        if known:
            return known
        if "&" in code:  # TN&MT read as its halves when only those are known
            return " và ".join(part(half) for half in code.split("&") if half)
        return spell(code)

    def say(m: re.Match) -> str:
        words = [read_integer_text(m[1])]
        if m[2]:
            words.append("năm " + read_number(int(m[2])))
        codes = m[3] or m[4]
        return " ".join(words) + ", " + " ".join(part(c) for c in re.split(r"[-/]", codes))

    return SYMBOL, say


ROMAN_AFTER = (
    r"quý|khóa|khoá|thế\s+kỷ|thế\s+kỉ|đại\s+hội|chương|phần|mục|kỳ|kì|thứ|giai\s+đoạn|cấp|cấp\s+độ|"
    r"hạng|loại|tập|đợt|vòng|lần|phụ\s+lục|nhiệm\s+kỳ|khu\s+vực|vùng|nhóm|bậc|quyển|bài|học\s+kỳ|"
    r"học\s+kì|khối|cụm|hội\s+nghị\s+trung\s+ương|tiểu\s+mục|điểm"
)
YEAR_AFTER = r"(?:/(\d{4})(?![\w/]|[.,]\d))?"
ROMAN_IN_CONTEXT = re.compile(r"\b(" + ROMAN_AFTER + r")(\s+)([IVXLC]+)(?![\w])" + YEAR_AFTER, re.IGNORECASE)
# Two or more numeral letters are a numeral wherever they stand (khóa XIII, Đại hội XXV).
ROMAN_ALONE = re.compile(r"(?<![\w&/-])([IVX]{2,})(?![\w&]|[-/][^\W\d_])" + YEAR_AFTER)
# quý 3/2026, đợt 1/2026: a period of the year, not a month
QUARTER_YEAR = re.compile(r"\b(quý|đợt|kỳ|kì|phiên|lần)\s+(\d{1,2})/(\d{4})(?![\w/]|[.,]\d)", re.IGNORECASE)


def _with_year(spoken: str, year: str | None) -> str:
    return f"{spoken} năm {read_number(int(year))}" if year else spoken


def _roman_in_context(m: re.Match) -> str:
    value = roman_value(m[3]) if m[3].isupper() else None
    if value is None:
        return m[0]
    spoken = read_ordinal(value) if m[1].lower() == "thứ" else read_number(value)
    return _with_year(f"{m[1]}{m[2]}{spoken}", m[4])


CAPS_WORD = re.compile(r"[^\W\d_]*[A-ZĐ][^\W\d_]*")


def _in_capitals(m: re.Match) -> bool:
    """A heading in capitals ("XỬ LÝ VI PHẠM", "GIÁ XI MĂNG"): VI and XI are words there."""
    before = m.string[: m.start()].split()
    after = m.string[m.end() :].split()
    return any(
        len(word) > 1 and word.isupper() and roman_value(word) is None
        for word in (before[-1:] + after[:1])
        if CAPS_WORD.fullmatch(word)
    )


def _roman_alone(m: re.Match) -> str:
    value = roman_value(m[1])
    if value is None or _in_capitals(m):
        return m[0]
    return _with_year(read_number(value), m[2])


def quarter_year(m: re.Match) -> str:
    return f"{m[1]} {read_number(int(m[2]))} năm {read_number(int(m[3]))}"


# A capital glued to digits: QL1A, thôn 5B, H5N1 -> the letter's Vietnamese name.
GLUED_LETTER = re.compile(r"(?<=\d)([A-ZĐ])(?![^\W\d_])|(?<![^\W\d_])([A-ZĐ])(?=\d)")


def glued_letter(m: re.Match) -> str:
    after = m.string[m.end() : m.end() + 1]
    return f" {LETTER_NAMES[m[1] or m[2]]}" + (" " if after.isalnum() else "")


# ông/bà, nam/nữ, xã/phường: either one. Marked first (with a fraction slash, which no other
# pass reads), read last: between two written words only, not in a unit (km/h), a "per"
# (đồng/người) or an abbreviation (V/v, HIV/AIDS), never between the words of a number.
WORD_PAIR = re.compile(r"(?<![\w/&.-])[^\W\d_]+(?:/[^\W\d_]+)+(?![\w/&])")
EITHER = "\u2044"


def word_pair_pass(per_words: frozenset[str], abbreviations: Mapping[str, str], units: Mapping[str, str]):
    def mark(m: re.Match) -> str:
        if m[0] in abbreviations or m[0] in units:
            return m[0]
        words = m[0].split("/")
        out = words[0]
        for left, right in zip(words, words[1:]):
            apart = left in units or right in per_words or right in units
            out += ("/" if apart else EITHER) + right
        return out

    return WORD_PAIR, mark
# list marks and footnote stars, written for the eye: "* Lưu ý:", "• …", "(*)"
MARKS = re.compile(r"^\s*[*•·+]\s+|\(\*+\)|(?<=\w)\*+(?!\w)")

# "./." (also "./", "/.", doubled and spaced forms: a run of "." and "/" holding both) at the
# end of a line: the end of the document. The whole run at once, so that normalising again
# finds nothing more to take ("//." once gave "/.", then ".").
END_MARK = re.compile(r"\s*(?=[./\s]*/)(?=[./\s]*\.)[./](?:\s*[./])*\s*$")

# "I. MỤC ĐÍCH" at the start of a line: the heading's numeral
ROMAN_LEAD = re.compile(r"^(\s*)([IVXL]+)(?=\.(?:\s|$))")


def _roman_lead(m: re.Match) -> str:
    value = roman_value(m[2])
    return m[0] if value is None else m[1] + read_number(value)


ROMAN_PASSES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (ROMAN_LEAD, _roman_lead),
    (ROMAN_IN_CONTEXT, _roman_in_context),
    (ROMAN_ALONE, _roman_alone),
]

# Section numbers are read with "chấm", not as decimals: mục 2.1, chỉ tiêu 18.1, 2.1.3, and
# "1.1. Mục đích" at the start of a line; also công nghiệp 4.0.
SECTION_WORDS = (
    r"mục|tiểu\s+mục|điểm|khoản|chỉ\s+tiêu|tiêu\s+chí|tiết|phần|chương|điều|nội\s+dung|nhiệm\s+vụ|"
    r"công\s+nghiệp|phiên\s+bản"
)
DOTTED = r"\d{1,2}(?:\.\d{1,2})+"
SECTION = re.compile(rf"\b({SECTION_WORDS})(\s+)({DOTTED})(?![\w]|[.,]\d)", re.IGNORECASE)
SECTION_ALONE = re.compile(r"(?<![\w.,])\d{1,2}(?:\.\d{1,2}){2,}(?![\w]|[.,]\d)")
SECTION_LEAD = re.compile(rf"^(\s*)({DOTTED})(\.?)(?=\s+(\S))")


def _dots(numbers: str) -> str:
    return " chấm ".join(read_number(int(n)) for n in numbers.split("."))


def _section_lead(m: re.Match) -> str:
    if not m[3] and not m[4][0].isupper():  # "1.5 triệu đồng …" is a number
        return m[0]
    return m[1] + _dots(m[2]) + m[3]


SECTION_PASSES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (SECTION_LEAD, _section_lead),
    (SECTION, lambda m: m[1] + m[2] + _dots(m[3])),
    (SECTION_ALONE, lambda m: _dots(m[0])),
]

# Web and mail addresses: dongtam.gov.vn, ubnd@thaibinh.gov.vn
ADDRESS = re.compile(
    r"(?<![\w@.])(?:https?://)?(?:www\.)?(?:[\w-]+\.)+(?:vn|com|net|org|gov|edu|info)(?:/[\w./-]*)?(?![\w.])"
    r"|(?<![\w.])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
ADDRESS_WORDS = {"@": "a còng", ".": "chấm", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới", "www": "vê kép vê kép vê kép",
                 "gov": "gờ o vê", "vn": "vê nờ", "com": "com", "net": "nét", "org": "o rờ giê", "edu": "e đu"}  # fmt: skip


SPELLED_OTHERWISE = re.compile(r"ng[ieê]|c[ieêy]|g[eê]")  # written ngh-, k-, gh- in Vietnamese


def syllables(word: str) -> list[str] | None:
    """'thainguyen' -> ['thai', 'nguyen'] (a name written without tones), None if it is not
    made of syllables ('ubnd'). Of the ways to cut it, the fewest syllables, then the fewest
    that begin with a vowel (thai nguyen, not thaing uyen)."""

    def cost(parts: list[str]) -> tuple[int, int]:
        return len(parts), sum(p[0] in VOWELS for p in parts[1:])

    def best(at: int) -> list[str] | None:
        if at == len(word):
            return []
        found = None
        for end in range(at + 1, min(len(word), at + 7) + 1):
            part = word[at:end]
            if SYLLABLE.fullmatch(part) and not SPELLED_OTHERWISE.match(part) and (rest := best(end)) is not None:
                parts = [part, *rest]
                if found is None or cost(parts) < cost(found):
                    found = parts
        return found

    return best(0) if len(word) <= 24 else None


def _address_part(part: str) -> str:
    if part.lower() in ADDRESS_WORDS:
        return ADDRESS_WORDS[part.lower()]
    if part.isdigit():
        return read_integer_text(part)
    split = syllables(part.lower())
    return " ".join(split) if split else spell(part)


def read_address(m: re.Match) -> str:
    text = re.sub(r"^https?://", "", m[0]).rstrip("/")
    return " ".join(_address_part(p) for p in re.findall(r"[@./_-]|[^\W\d_]+|\d+", text))
