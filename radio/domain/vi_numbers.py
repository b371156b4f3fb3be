"""Numbers read aloud in Vietnamese, as a commune announcer reads them (Northern usage).

The rules that a naive reader gets wrong, and that this module encodes:

- 1 after a tens word is *mốt* (21 hai mươi mốt), but *một* after *mười* (11 mười một);
- 5 after any tens word is *lăm* (15 mười lăm, 25 hai mươi lăm), but *năm* after *linh*
  (105 một trăm linh năm);
- 10 is *mười*, 20 *hai mươi*;
- a zero tens digit before a unit is *linh* (105 một trăm linh năm);
- a group of three digits after the first one keeps its hundreds, even zero
  (1001 một nghìn không trăm linh một), and an all-zero group is skipped
  (1.500.000 một triệu năm trăm nghìn);
- the groups are nghìn, triệu, tỷ; beyond that tỷ repeats (nghìn tỷ).

Pure functions, standard library only.
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUPS = ("", "nghìn", "triệu")
BILLION = 10**9
MAX_READ = 10**15 - 1  # larger numbers (account numbers, codes) are read digit by digit


def _under_hundred(n: int, after_hundreds: bool) -> list[str]:
    tens, unit = divmod(n, 10)
    if tens == 0:
        if unit == 0:
            return []
        return (["linh"] if after_hundreds else []) + [DIGITS[unit]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if unit == 1:
        words.append("một" if tens == 1 else "mốt")
    elif unit == 5:
        words.append("lăm")
    elif unit:
        words.append(DIGITS[unit])
    return words


def _group(n: int, full: bool) -> list[str]:
    """Three digits; *full*: not the leading group, so a zero hundreds is read."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not full:
        return _under_hundred(rest, after_hundreds=False)
    return [DIGITS[hundreds], "trăm"] + _under_hundred(rest, after_hundreds=True)


def _below_billion(n: int, full: bool) -> list[str]:
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        g = groups[index]
        if g == 0:
            continue
        words += _group(g, full=full or index < top) + ([GROUPS[index]] if GROUPS[index] else [])
    return words


def _words(n: int, full: bool = False) -> list[str]:
    if n >= BILLION:
        high, low = divmod(n, BILLION)
        words = _words(high) + ["tỷ"]
        if low:
            words += _below_billion(low, full=True)
        return words
    return _below_billion(n, full)


def read_number(n: int) -> str:
    """The spoken form of a whole number: 1001 -> 'một nghìn không trăm linh một'."""
    if n < 0:
        return "âm " + read_number(-n)
    if n == 0:
        return DIGITS[0]
    if n > MAX_READ:
        return read_digits(str(n))
    return " ".join(_words(n))


def read_digits(digits: str) -> str:
    """Digit by digit: '0912' -> 'không chín một hai' (phone numbers, codes)."""
    return " ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def read_ordinal(n: int) -> str:
    """After *thứ*: 1 -> 'nhất', 4 -> 'tư', else the cardinal (thứ hai, thứ mười)."""
    return {1: "nhất", 4: "tư"}.get(n) or read_number(n)


def read_month(n: int) -> str:
    """After *tháng*: 4 -> 'tư' (tháng tư), else the cardinal (tháng một, tháng mười hai)."""
    return "tư" if n == 4 else read_number(n)


def read_integer_text(digits: str) -> str:
    """A run of digits as written: a leading zero in a long run means a code, read by digits."""
    if len(digits) > 2 and digits.startswith("0"):
        return read_digits(digits)
    value = int(digits)
    return read_number(value) if value <= MAX_READ else read_digits(digits)


def read_fraction(digits: str) -> str:
    """The part after the decimal comma: '5' -> 'năm', '25' -> 'hai mươi lăm', '05' -> 'không năm'."""
    if len(digits) <= 2 and not digits.startswith("0"):
        return read_number(int(digits))
    return read_digits(digits)


def read_decimal(whole: str, fraction: str | None) -> str:
    """'2', '5' -> 'hai phẩy năm'."""
    spoken = read_integer_text(whole)
    return f"{spoken} phẩy {read_fraction(fraction)}" if fraction else spoken


ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(text: str) -> int | None:
    """The value of a well-formed upper-case Roman numeral (I … MMMCMXCIX), else None."""
    if not text or any(c not in ROMAN_VALUES for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        v = ROMAN_VALUES[c]
        nxt = ROMAN_VALUES[text[i + 1]] if i + 1 < len(text) else 0
        total += -v if v < nxt else v
    return total if 0 < total < 4000 and to_roman(total) == text else None


def to_roman(n: int) -> str:
    out = []
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)
