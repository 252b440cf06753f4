"""PROJECT spans: named undertakings built, invested in or operated at a site.

* <name> + a facility suffix (池黄高铁, 德上高速, 池州长江公路大桥, 马栏山视频文创产业园,
  海螺四期), extended by a phase (一期…) or a stretch (芦山至宝兴灵关段);
* road codes (G318池州至殷汇段);
* items listed before 等…项目 (中建材新材料等一批重大项目): each item its own span.
Names stop at punctuation, function characters, numbers with a classifier (5条道路) and
the verbs of `rules_verbs.txt`; generic mentions and campaigns (`rules_project_stop.txt`)
are dropped. 工程/项目 need a concrete word or a place in the name, and schools, hospitals
and venues a construction verb in the clause, since both suffixes also name programmes."""

from __future__ import annotations

import re
from functools import cache

from nlp.io import resource_lines
from nlp.rules.common import CJK, make_span, name_start
from nlp.rules.regions import find_regions, longest_first

LABEL = "PROJECT"

_NAME_MAX = 12
_NAME_EXTRA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz—-·"
_PHASE = r"(?:[一二三四五六七八九十\d]+期)"
_FACILITY = (
    "高速公路", "高速铁路", "城际铁路", "城际轨道", "轨道交通", "高铁", "铁路", "高速", "快速路",
    "快速通道", "公路大桥", "长江大桥", "特大桥", "大桥", "隧道", "国际机场", "通用机场", "机场",
    "码头", "港区", "作业区", "航道整治工程", "航道整治", "航道", "水利枢纽", "枢纽", "引水工程",
    "抽水蓄能电站", "水电站", "光伏电站", "电站", "电厂", "风电场", "变电站", "水库", "灌区",
    "产业园", "科技园", "物流园", "创业园", "基地", "项目", "工程",
)
_INSTITUTION = (
    "医院", "院区", "中学", "小学", "学校", "幼儿园", "体育馆", "体育中心", "体育场", "图书馆",
    "博物馆", "纪念馆", "文化中心", "会展中心", "综合体", "污水处理厂", "水厂",
)
_SUFFIX = re.compile(
    "|".join(sorted(map(re.escape, _FACILITY + _INSTITUTION), key=len, reverse=True)) + f"|{_PHASE}"
)
#: 工程/项目 name a site only with one of these in the name (or a place, or a list before 等).
_CONCRETE = (
    "机场", "铁路", "高铁", "高速", "公路", "大桥", "桥", "隧道", "港", "码头", "航道", "水库", "电站",
    "电厂", "枢纽", "管网", "管道", "特高压", "输变电", "水厂", "污水", "供水", "引水", "调水", "引江",
    "济淮", "堤", "闸", "棚改", "安置房", "厂房", "生产线", "新材料", "新能源", "储能", "光伏", "风电",
    "氢能", "数据中心", "算力", "地铁", "轨道", "大道", "路", "站", "园", "厂", "城", "馆", "中心", "期",
)
_BUILD = re.compile(r"建成|新建|开工|竣工|投用|扩建|迁建|改建|完工|启用|交付|投入使用|建设|主体")
_ROAD_CODE = re.compile(
    rf"(?<![A-Za-z])[GS]\d{{2,4}}(?:{CJK}{{2,8}}?至{CJK}{{2,8}}?段|{CJK}{{2,6}}段)?"
    r"(?:改扩建工程|改建工程|改造工程|扩容工程|工程|项目)?"
)
_STRETCH = re.compile(rf"[（(]?{CJK}{{2,6}}至{CJK}{{2,8}}?段[)）]?")
_LIST_TAIL = re.compile(
    rf"等(?:一批|多个|\d+个|[一二三四五六七八九十两几]+个)?({CJK}{{0,6}}?)(?:项目|工程|道路|路网)"
)
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")


@cache
def _stop_words() -> tuple[frozenset[str], tuple[str, ...]]:
    words = resource_lines("rules_project_stop.txt")
    return frozenset(words), tuple(sorted(words, key=len, reverse=True))


@cache
def _titles() -> tuple[str, ...]:
    return resource_lines("rules_project_titles.txt")


def _is_generic(name: str, whole: str) -> bool:
    """Generic mention, campaign or title rather than a named site."""
    exact, by_length = _stop_words()
    if whole in exact or name in exact or any(title in whole for title in _titles()):
        return True
    rest = name
    for word in by_length:
        rest = rest.replace(word, "")
    return len(rest) < 2


def _clause(text: str, pos: int) -> str:
    starts = [m.end() for m in _CLAUSE_END.finditer(text, 0, pos)]
    end = _CLAUSE_END.search(text, pos)
    return text[starts[-1] if starts else 0:end.start() if end else len(text)]


def _extend(text: str, end: int) -> int:
    """Take a following phase (一期) and a stretch (芦山至宝兴灵关段)."""
    phase = re.compile(_PHASE + r"(?:工程|项目)?").match(text, end)
    if phase:
        end = phase.end()
    stretch = _STRETCH.match(text, end)
    return stretch.end() if stretch else end


def _suffix_matches(text: str, places: list[tuple[int, int]]) -> list[tuple[int, int]]:
    place_spans = set(places)
    found = []
    for match in _SUFFIX.finditer(text):
        start = name_start(text, match.start(), max_len=_NAME_MAX, extra=_NAME_EXTRA, bounded=True)
        if start is None or text.startswith("群", match.end()):  # 机场群 is a cluster
            continue
        name, suffix = text[start:match.start()], match.group()
        if len(name) < 2 or name[0].isdigit() or name.endswith("宅") or _is_generic(name, name + suffix):
            continue
        if suffix in ("工程", "项目") and not (
            any(word in name for word in _CONCRETE)
            or any(start <= s and e <= match.start() for s, e in place_spans)
        ):
            continue
        if suffix in _INSTITUTION and not _BUILD.search(_clause(text, match.start())):
            continue
        found.append((start, _extend(text, match.end())))
    return found


def _list_matches(text: str) -> list[tuple[int, int]]:
    """中建材新材料、上达电子等一批重大项目 → one span per listed name."""
    found = []
    for tail in _LIST_TAIL.finditer(text):
        if tail.group(1) and not _is_generic(tail.group(1), ""):
            continue  # 等特色种植项目 lists crops, not projects
        end = tail.start()
        while end > 0:
            start = name_start(text, end, max_len=_NAME_MAX, extra=_NAME_EXTRA)
            if end - start < 2 or _is_generic(text[start:end], text[start:end]):
                break
            found.append((start, end))
            if start == 0 or text[start - 1] != "、":
                break
            end = start - 1
    return found


def find_projects(text: str, places: list[tuple[int, int]] | None = None) -> list[dict]:
    """PROJECT entity dicts for `text`, sorted and non-overlapping.

    `places` (REGION spans) lets 工程/项目 names qualify by containing a place; found here
    when not given."""
    if places is None:
        places = [(r["start"], r["end"]) for r in find_regions(text)]
    spans = _suffix_matches(text, places) + _list_matches(text)
    spans += [(m.start(), _extend(text, m.end())) for m in _ROAD_CODE.finditer(text)]
    return [make_span(text, start, end, LABEL) for start, end in longest_first(spans)]
