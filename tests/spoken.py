"""What a speech engine would still read as letters, digits or symbols in a normalised text.

espeak-ng reads an upper-case run (UBND) as English letter names, digits digit by digit or
as numbers of its own, and symbols (%, &, §, the dot of "./.") by name. The test of the
normaliser and the benchmark that compares it with other Vietnamese normalisers count
these leftovers the same way.
"""

from __future__ import annotations

import re

# Meant to be spelled (or said as written) by an announcer.
SPELLED = frozenset({"usb", "vov", "vtv", "sms", "qr", "zalo", "facebook", "internet", "wi-fi", "id"})  # any case
VOWELS = "aăâeêioôơuưyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
VOWEL = f"[{VOWELS}]"
# onset, one to three vowels (the glides i/y/o/u included), a final consonant
SYLLABLE = re.compile(rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?{VOWEL}{{1,3}}(?:ng|nh|ch|[cmnpt])?")
TOKEN = re.compile(r"[^\W_]+(?:-[^\W\d_]+)*|[^\w\s]")
SYMBOLS = set("%&@#+=*°§~^<>|\\_$€/[]{}")


def leftovers(spoken: str) -> list[str]:
    """The tokens of *spoken* that are not Vietnamese words: digits, all-capital runs,
    single capitals, words that are no Vietnamese syllable, symbols read by name
    (the slash of './.' included)."""
    found = []
    caps_line = not any(c.islower() for c in spoken)  # a heading in capitals: its words are words
    for m in TOKEN.finditer(spoken):
        token = m[0]
        if token.lower() in SPELLED:
            continue
        if any(c.isdigit() for c in token) or token in SYMBOLS:
            found.append(token)
        elif token[0].isalpha() and not all(SYLLABLE.fullmatch(w) for w in token.lower().split("-")):
            found.append(token)  # kh, ubnd, mtqg: not a Vietnamese syllable (a lower-cased code)
        elif not caps_line and sum(c.isupper() for c in token) >= 2 and not SYLLABLE.fullmatch(token.lower()):
            found.append(token)  # UBND, VX, MTQG, TTg (XỬ LÝ, QUÝ in a heading are words: espeak reads them so)
        elif not caps_line and len(token) == 1 and token.isupper():
            found.append(token)  # a lone capital: C (độ C), I (a numeral left)
    return found
