"""What the span finders share: the CJK alphabet, the entity dict every finder returns, and
the walk back to the start of a name."""

from __future__ import annotations

import re
from functools import cache

from nlp.io import resource_lines

#: One CJK ideograph (basic block plus 〇), the alphabet of names in the reports.
CJK = "[\u4e00-\u9fff〇]"


def make_span(text: str, start: int, end: int, label: str) -> dict:
    """Entity dict in the rule/model contract; its `text` is always `text[start:end]`."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"bad span [{start}, {end}) for a text of {len(text)} chars")
    return {"start": start, "end": end, "label": label, "text": text[start:end], "score": 1.0}


#: Single characters that never occur inside a place or project name in report prose.
_NAME_BREAKS = frozenset("以的在和与及了是为将把对从向由于给让使被就也都又还已再更最个其各我本该每并或之所共要届第批类项座户次条种件")


def name_start(
    text: str, end: int, *, max_len: int, extra: str = "", stop: str = "", bounded: bool = False
) -> int | None:
    """Start of the name that ends at `end`: walk left over CJK chars (and `extra` chars) up to
    `max_len`, stopping at punctuation, a function character or one of `stop`, then drop everything up to
    and including the last bounding verb of `rules_verbs.txt` (推进殷汇镇 → 殷汇镇).

    With `bounded`, a walk that ran into `max_len` inside a run of name characters with no
    verb to cut at gives None: where such a name starts cannot be told."""
    start = end
    while start > 0 and end - start < max_len:
        char = text[start - 1]
        if char in stop or not _is_name_char(char, extra):
            break
        start -= 1
    hit_limit = end - start >= max_len and start > 0 and text[start - 1] not in stop and _is_name_char(text[start - 1], extra)
    run = text[start:end]
    cut = 0
    for verb in _verbs():
        pos = run.rfind(verb)
        if pos >= 0:
            cut = max(cut, pos + len(verb))
    if bounded and hit_limit and cut == 0:
        return None
    return start + cut


def _is_name_char(char: str, extra: str) -> bool:
    return char not in _NAME_BREAKS and (bool(re.fullmatch(CJK, char)) or char in extra)


@cache
def _verbs() -> tuple[str, ...]:
    return tuple(sorted(set(resource_lines("rules_verbs.txt")), key=len, reverse=True))
