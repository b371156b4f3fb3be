"""What a speech engine would still read as letters, digits or symbols in a normalised text.

espeak-ng reads an upper-case run (UBND) as English letter names, digits digit by digit or
as numbers of its own, and symbols (%, &, §, the dot of "./.") by name. The test of the
normaliser and the benchmark that compares it with other Vietnamese normalisers count
these leftovers the same way.
"""

from __future__ import annotations

import re

# Meant to be spelled (or said as written) by an announcer.
SPELLED = frozenset({"USB", "VOV", "VTV", "SMS", "QR", "Zalo", "Facebook", "Internet", "Wi-Fi", "ID"})
VOWELS = "aăâeêioôơuưyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
TOKEN = re.compile(r"[^\W_]+(?:-[^\W\d_]+)*|[^\w\s]")
SYMBOLS = set("%&@#+=*°§~^<>|\\_$€/[]{}")


def leftovers(spoken: str) -> list[str]:
    """The tokens of *spoken* that are not Vietnamese words: digits, all-capital runs,
    single capitals, words with no vowel, symbols read by name, the dot of './.'."""
    found = []
    caps_line = not any(c.islower() for c in spoken)  # a heading in capitals: its words are words
    for m in TOKEN.finditer(spoken):
        token = m[0]
        if token in SPELLED:
            continue
        if any(c.isdigit() for c in token) or token in SYMBOLS:
            found.append(token)
        elif token[0].isalpha() and not any(c in VOWELS for c in token.lower()):
            found.append(token)  # KH, CT, ĐT: no Vietnamese syllable without a vowel
        elif not caps_line and len(token) >= 2 and sum(c.isupper() for c in token) >= 2:
            found.append(token)  # UBND, TU, VX, MTQG
        elif not caps_line and len(token) == 1 and token.isupper():
            found.append(token)  # a lone capital: C (độ C), I (a numeral left)
    found += re.findall(r"\./\.|\.\s*/", spoken)
    return found
