"""REGION spans: divisions of the gazetteer, named areas, towns/villages and zones.

Four sources, merged longest-first:
* fixed strings — gazetteer full names and safe short forms, `named_areas.txt` — found by a
  leftmost-longest scan in which `rules_region_block.txt` entries swallow their characters
  (中国式现代化, 长江 as a bare river, 珠江西岸 which is not 江西);
* towns, townships, streets, villages, communities: a name of 2-4 chars before
  镇|乡|街道|村|社区, rejected when generic (重点镇, 美丽乡村, 中心村);
* development zones with administrative status: a place or a bounded name before
  高新区|开发区|经开区|新区|综保区|…, and 自贸试验区 片区 forms;
* a place directly followed by 都市圈|城市群|经济圈… (合肥都市圈).
Deictic words (全省, 我区) are never matched: they are in no list."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from nlp.io import resource_lines
from nlp.rules.common import CJK, make_span, name_start
from nlp.rules.gazetteer import lookup_region, matchable_names, short_form

LABEL = "REGION"

_TOWN_SUFFIX = re.compile(r"街道|社区|镇|乡|村")
#: A suffix character followed by one of these is part of a common word (乡村, 村民, 镇级).
_TOWN_SUFFIX_NOT_BEFORE = {
    "镇": "级区域村",
    "乡": "村镇土愁贤风亲情音里间野",
    "村": "民庄落级容镇居集委干务",
    "社区": "化",
    "街道": "办",
}
_TOWN_MAX = 4

_ZONE_SUFFIX = re.compile(
    r"经济技术开发区|高新技术产业开发区|高新技术开发区|经济开发区|高新区|经开区|开发区|综合保税区|综保区"
    r"|保税港区|保税区|工业园区|产业集聚区|自由贸易试验区|自贸试验区|新区"
)
_ZONE_MAX = 6
_FTZ = re.compile(
    rf"中国[（(]{CJK}{{2,4}}[)）](?:自由贸易试验区|自贸试验区)(?:{CJK}{{2,4}}片区)?"
    rf"|(?:自由贸易试验区|自贸试验区|自贸区){CJK}{{2,4}}片区"
)
_AREA_AFTER_PLACE = re.compile(r"都市圈|城市群|经济圈|经济带|城市圈|经济区")


#: A short form followed by one of these names a street or a business (集贤路, 温泉酒店).
_NOT_AFTER_SHORT = frozenset("路街巷道店")
#: What may follow a two-character county short form for it to count as the place: a
#: non-CJK char, a function char, a division/zone/segment char, or a place-like word.
_COUNTY_NEXT_CHARS = frozenset("和与及等的是为在将把对也都就到至县区市镇乡村段站港片")
_COUNTY_NEXT_WORDS = (
    "人民", "发展", "改革", "经济", "工作", "全域", "特色", "建设", "县域", "城区", "新城", "园区",
    "开发", "高新", "经开", "综保", "现代", "作为", "成为", "获评", "入选", "获批", "荣获", "创建",
    "成功", "境内", "地区", "两地", "三地", "等地", "一带", "籍",
)


@cache
def _fixed_strings() -> dict[str, str]:
    """Every fixed string → "full", "short", "named" or "block" (swallows, never tagged)."""
    table = dict(matchable_names())
    table.update({name: "named" for name in resource_lines("named_areas.txt")})
    table.update({name: "block" for name in resource_lines("rules_region_block.txt")})
    for verb in resource_lines("rules_verbs.txt"):  # words too: 创建水平 holds no 建水
        table.setdefault(verb, "block")
    return table


@cache
def _lengths_by_first_char() -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for name in _fixed_strings():
        lengths.setdefault(name[0], set()).add(len(name))
    return {char: tuple(sorted(ls, reverse=True)) for char, ls in lengths.items()}


@cache
def _generic_name_parts() -> tuple[str, ...]:
    return resource_lines("rules_region_generic.txt")


def _fixed_matches(text: str, own: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Leftmost-longest scan over the fixed strings; blocks consume but emit nothing. A county
    short form in `own` (the report's own region) needs no place-like context."""
    table, by_first = _fixed_strings(), _lengths_by_first_char()
    found, i = [], 0
    while i < len(text):
        for length in by_first.get(text[i], ()):
            if i + length > len(text):
                continue
            kind = table.get(text[i:i + length])
            if kind == "county_short" and text[i:i + length] in own:
                kind = "short"
            if kind in ("short", "county_short") and not _short_form_fits(text, i + length, kind, length):
                continue  # a shorter string at i, or one at i + 1, may still match
            if kind is not None:
                if kind != "block":
                    found.append((i, i + length))
                i += length
                break
        else:
            i += 1
    return found


def _short_form_fits(text: str, end: int, kind: str, length: int) -> bool:
    following = text[end:end + 1]
    if following in _NOT_AFTER_SHORT:
        return False
    if kind == "short" or length > 2 or not following or not re.fullmatch(CJK, following):
        return True
    return following in _COUNTY_NEXT_CHARS or text.startswith(_COUNTY_NEXT_WORDS, end)


def _is_generic(name: str) -> bool:
    return any(part in name for part in _generic_name_parts())


def _town_matches(text: str) -> list[tuple[int, int]]:
    found = []
    for match in _TOWN_SUFFIX.finditer(text):
        suffix = match.group()
        following = text[match.end():match.end() + 1]
        if following and following in _TOWN_SUFFIX_NOT_BEFORE[suffix]:
            continue
        # A preceding division or town (贵池区乌沙镇灯塔村) also ends the name.
        start = name_start(text, match.start(), max_len=_TOWN_MAX, bounded=True, stop="镇乡村区县市省")
        if start is None:
            continue
        name = text[start:match.start()]
        if len(name) >= 2 and not _is_generic(name + suffix):
            found.append((start, match.end()))
    return found


def _zone_matches(text: str, places: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Zones: a known place, or a bounded non-generic name, directly before a zone suffix."""
    place_ending_at = {end: start for start, end in places}
    found = []
    for match in _ZONE_SUFFIX.finditer(text):
        if match.start() in place_ending_at:
            found.append((place_ending_at[match.start()], match.end()))
            continue
        start = name_start(text, match.start(), max_len=_ZONE_MAX, bounded=True)
        if start is not None and match.start() - start >= 2 and not _is_generic(text[start:match.end()]):
            found.append((start, match.end()))
    found += [m.span() for m in _FTZ.finditer(text)]
    for start, end in places:
        area = _AREA_AFTER_PLACE.match(text, end)
        if area:
            found.append((start, area.end()))
    return found


def longest_first(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Greedy non-overlapping selection: longer spans first, then earlier ones."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(set(spans), key=lambda s: (s[0] - s[1], s[0])):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return sorted(chosen)


@cache
def own_region_names(region: str | None) -> frozenset[str]:
    """The names by which a report calls its own region (as its metadata writes it): each
    division in it and its short form (池州市贵池区 → 池州市, 池州, 贵池区, 贵池). Cached: every
    paragraph of a report asks for the same region.

    Why: a two-character county short form is often an everyday word elsewhere (see
    `matchable_names`), but in its own county's report it is the place (宝兴, 斗门; the gold
    counts are in the README results)."""
    if not region:
        return frozenset()
    names = [region[start:end] for start, end in _fixed_matches(region)]
    return frozenset(names + [short for short in map(short_form, names) if short])


def find_regions(text: str, own: frozenset[str] = frozenset()) -> list[dict]:
    """REGION entity dicts for `text`, sorted and non-overlapping; `own` as `own_region_names`
    gives it for the report's region."""
    places = _fixed_matches(text, own)
    spans = places + _town_matches(text) + _zone_matches(text, places)
    return [make_span(text, start, end, LABEL) for start, end in longest_first(spans)]


def most_named_division(text: str) -> str | None:
    """The division below province level that `text` names most often, as its official name
    (六安 x17 -> 六安市), or None: the report's own region when nothing else says it.

    Why not provinces: a city or county report names its province often; a provincial report
    gains nothing, as its short forms are places anyway."""
    counts = Counter(e["text"] for e in find_regions(text))
    for name, _ in counts.most_common():
        found = lookup_region(name)
        if found and found["level"] != "province":
            return found["name"]
    return None
