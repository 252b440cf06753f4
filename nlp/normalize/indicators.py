"""Canonical indicators: the reviewed vocabulary of nlp/resources/indicators.tsv (id, Chinese
and English name, which way is better, surface forms). A measure's indicator gets an id only
by an exact match of one of the surface forms, after its leading scope word is dropped
(全省地区生产总值 is 地区生产总值); an indicator not in the vocabulary gets none, never a guess."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nlp.io import resource_lines

#: Scope words before an indicator that do not change what it measures.
_SCOPE = re.compile(r"^(?:全国|全省|全市|全区|全县|全州|全盟|全旗|我省|我市|我区|我县|本市|本省|全年|今年|当年)")
#: Quote marks are written either way: “小巨人” and "小巨人" are the same name.
_QUOTES = str.maketrans({'"': "“", "＂": "“", "”": "“", "‘": "“", "’": "“"})


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    better: str  # "up", "down" or "-" (a plan, not a bound)
    forms: tuple[str, ...]


@cache
def vocabulary() -> dict[str, Indicator]:
    """id -> Indicator, in file order; a malformed line is an error naming it."""
    out: dict[str, Indicator] = {}
    for n, line in enumerate(resource_lines("indicators.tsv"), start=1):
        fields = line.split("\t")
        if len(fields) != 5 or fields[3] not in ("up", "down", "-"):
            raise ValueError(f"nlp/resources/indicators.tsv: entry {n} ({line[:30]!r}): expected id, name_zh, "
                             "name_en, better (up/down/-) and surface forms, tab-separated")
        ident, name_zh, name_en, better, forms = fields
        out[ident] = Indicator(ident, name_zh, name_en, better, tuple(f for f in forms.split("|") if f))
    return out


@cache
def _forms() -> dict[str, str]:
    """Normalised surface form -> id; a form listed under two ids is an error."""
    index: dict[str, str] = {}
    for ident, indicator in vocabulary().items():
        for form in indicator.forms:
            key = _key(form)
            if index.get(key, ident) != ident:
                raise ValueError(f"nlp/resources/indicators.tsv: {form!r} is a form of both {index[key]} and {ident}")
            index[key] = ident
    return index


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(_QUOTES).upper()


def indicator_id(indicator: str | None) -> str | None:
    """The vocabulary id of an indicator as a measure names it, or None when it is not listed."""
    if not indicator:
        return None
    key = _key(indicator)
    forms = _forms()
    if key in forms:
        return forms[key]
    stripped = _SCOPE.sub("", key)
    return forms.get(stripped) if stripped else None
