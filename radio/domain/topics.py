"""The topic taxonomy (chủ đề): codes for the command line, Vietnamese names for reports."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from radio.errors import RadioError
from radio.i18n import _
from radio.text import fold_ascii, nfc


class UnknownTopicError(RadioError):
    pass


@dataclass(frozen=True)
class Topic:
    code: str
    name: str
    poverty: bool


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Topic, ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str) -> Taxonomy:
        entries = data.get("topic")
        if not isinstance(entries, list) or not entries:
            raise RadioError(_("{path}: no [[topic]] entries").format(path=source))
        topics = []
        for n, entry in enumerate(entries, start=1):
            try:
                topics.append(
                    Topic(code=nfc(entry["code"]), name=nfc(entry["name"]), poverty=bool(entry.get("poverty", False)))
                )
            except (KeyError, TypeError, AttributeError):
                raise RadioError(
                    _("{path}: topic #{n} needs a code and a name").format(path=source, n=n)
                ) from None
        codes = [t.code for t in topics]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise RadioError(
                _("{path}: duplicate topic codes: {codes}").format(path=source, codes=", ".join(duplicates))
            )
        return cls(tuple(topics))

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics)

    def get(self, code: str) -> Topic | None:
        return next((t for t in self.topics if t.code == code), None)

    def name(self, code: str) -> str:
        """The Vietnamese name of *code*, or the code itself for a topic no longer listed."""
        topic = self.get(code)
        return topic.name if topic else code

    def merged_with(self, others: Iterable[Topic]) -> Taxonomy:
        """This taxonomy with *others* (a hub's) laid over it: a topic of the same code takes
        the other's name and flag, a new one is added at the end, and one only here stays
        (a station's own topics keep working)."""
        by_code = {t.code: t for t in self.topics}
        added = []
        for topic in others:
            if topic.code not in by_code:
                added.append(topic)
            by_code[topic.code] = topic
        return Taxonomy(tuple(by_code[t.code] for t in self.topics) + tuple(added))

    def to_toml(self, header: str = "") -> str:
        """The taxonomy as a topics.toml that `from_mapping` reads back (JSON strings are TOML
        basic strings)."""
        lines = [f"# {line}" for line in header.splitlines()]
        for t in self.topics:
            lines += ["", "[[topic]]", f"code = {json.dumps(t.code, ensure_ascii=False)}",
                      f"name = {json.dumps(t.name, ensure_ascii=False)}", f"poverty = {str(t.poverty).lower()}"]  # fmt: skip
        return "\n".join(lines).lstrip("\n") + "\n"

    def resolve(self, text: str) -> Topic:
        """The topic for a code typed by the user; an unknown one lists the nearest codes."""
        text = nfc(text)
        topic = self.get(text) or self.get(text.lower())
        if topic:
            return topic
        folded = fold_ascii(text)
        by_name = [t for t in self.topics if fold_ascii(t.name) == folded]
        if by_name:
            return by_name[0]
        candidates = {t.code: t.code for t in self.topics}
        candidates.update({fold_ascii(t.name): t.code for t in self.topics})
        near = difflib.get_close_matches(folded, list(candidates), n=len(candidates), cutoff=0.0)
        codes = list(dict.fromkeys(candidates[c] for c in near))[:3]
        raise UnknownTopicError(
            _("unknown topic '{topic}'; nearest: {codes} (see 'radio topics')").format(
                topic=text, codes=", ".join(codes)
            )
        )
