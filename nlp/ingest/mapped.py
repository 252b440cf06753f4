"""Text that remembers where each character came from.

Cleaning only ever deletes characters, so every cleaned character keeps the offset of the
raw character it is (raw[offsets[i]] == text[i]); the map is stored run-length encoded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class MappedText:
    text: str
    offsets: tuple[int, ...]

    @classmethod
    def from_raw(cls, raw: str, start: int = 0) -> "MappedText":
        return cls(raw, tuple(range(start, start + len(raw))))

    def __len__(self) -> int:
        return len(self.text)

    def delete(self, spans: Iterable[tuple[int, int]]) -> "MappedText":
        """Drop the given [start, end) spans (any order, overlaps merged)."""
        keep_text: list[str] = []
        keep_offsets: list[int] = []
        pos = 0
        for start, end in sorted(spans):
            start = max(start, pos)
            if end <= start:
                continue
            keep_text.append(self.text[pos:start])
            keep_offsets.extend(self.offsets[pos:start])
            pos = end
        keep_text.append(self.text[pos:])
        keep_offsets.extend(self.offsets[pos:])
        return MappedText("".join(keep_text), tuple(keep_offsets))

    def delete_matches(self, pattern: re.Pattern[str], group: int | str = 0) -> "MappedText":
        """Delete every match of `pattern` (or of one of its groups)."""
        return self.delete(m.span(group) for m in pattern.finditer(self.text) if m.group(group))

    def slice(self, start: int, end: int) -> "MappedText":
        return MappedText(self.text[start:end], self.offsets[start:end])


def encode_runs(offsets: Iterable[int]) -> list[list[int]]:
    """Run-length encode an offset map as [[clean_index, raw_offset, length], ...]."""
    runs: list[list[int]] = []
    for i, raw in enumerate(offsets):
        if runs and runs[-1][1] + runs[-1][2] == raw and runs[-1][0] + runs[-1][2] == i:
            runs[-1][2] += 1
        else:
            runs.append([i, raw, 1])
    return runs


def decode_runs(runs: Iterable[Iterable[int]]) -> list[int]:
    """Inverse of encode_runs: the raw offset of every cleaned character."""
    out: list[int] = []
    for _clean, raw, length in runs:
        out.extend(range(raw, raw + length))
    return out
