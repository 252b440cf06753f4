"""TARGET / ACHIEVED spans: an indicator, a verb or comparator, a number, its unit and a
qualifier (地区生产总值增长8.5%以上, 实现地区生产总值360亿元、增长5, 开工建设8个抽水蓄能电站).

A value is a number (arabic, full-width, 百分之八, 两千万) with an optional range, unit and
qualifier. Its span reaches left over a comparator verb (增长, 达到, 控制在…) to the start
of the indicator — the clause start, minus the scope and cue words of
`rules_quantity_scope.txt` and a leading region (spec span rules) — and right over further
values of the same indicator (、增长5; ，年均增长8.3%; ，高于全国1.7个百分点; 分别增长8%和9%左右;
由12%提高到15%). A value with a classifier directly after a verb takes its object
(培育3户百亿级企业). Years, dates, ordinals, 十四五-style numbers and counts of tasks
(`rules_quantity_stop.txt`) are skipped.

The label comes from the nearest cue on the left in the same sentence (力争/目标/今年 →
TARGET; 一年来/去年/累计/预计 → ACHIEVED), then a year compared with the report year, then
the section path (…回顾 → ACHIEVED, …安排/目标/任务 → TARGET), then a goal's qualifier or verb in
the span (左右, 以内, 控制在 → TARGET)."""

from __future__ import annotations

import re
from functools import cache

from nlp.io import resource_lines
from nlp.rules.common import CJK, make_span
from nlp.rules.regions import find_regions

TARGET, ACHIEVED = "TARGET", "ACHIEVED"

_NUM = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|[０-９]+(?:[．.][０-９]+)?)"
_CN_NUM = r"(?:[一二三四五六七八九十两][一二三四五六七八九十百千万亿点〇零]*|[百千万])"
_MAGNITUDE = r"(?:万亿|千亿|百亿|亿|千万|百万|十万|万|千|百)"
_MEASURE = (
    r"(?:美元|元|人次|人|吨标准煤|吨|亩|公顷|平方公里|公里|千米|平方米|立方米|千瓦时|千瓦|兆瓦|"
    r"标准箱|标箱|千克|公斤|斤|度|架次)"
)
_CLASSIFIER = r"(?:个|家|项|所|座|条|套|台|辆|户|件|栋|间|张|名|支|艘|头|只|株|处|批|床|部|列|班)"
_PERCENT = r"(?:个百分点|百分点|[%％‰])"
_UNIT = (
    rf"(?:{_PERCENT}|{_MAGNITUDE}?{_MEASURE}|{_MAGNITUDE}?{_CLASSIFIER}|{_MAGNITUDE}|倍|位|强|"
    r"个工作日|天|小时|分钟)"
)
_QUALIFIER = r"(?:以上|左右|以内|以下|之内|上下)"
#: A unit and qualifier right after a number (a decoded span that stops at 74.4 before 万亿元).
UNIT_AFTER_NUMBER = re.compile(rf"(?:{_UNIT})(?:{_QUALIFIER})?")
_DASH = r"\s*(?:[%％]?\s*[-—–~～至到])\s*"
_ARABIC_VALUE = rf"第?{_NUM}(?:{_DASH}{_NUM})?\s*(?:{_UNIT})?{_QUALIFIER}?"
_VALUE = re.compile(
    rf"(?:百分之{_CN_NUM}|{_ARABIC_VALUE}|{_CN_NUM}{_MAGNITUDE}?(?:{_MEASURE}|{_PERCENT}))(?:{_QUALIFIER})?"
)
_COMPARATOR = (
    r"(?:分别|均|同比|比上年|较上年|年均|累计|平均)?(?:增长|下降|降低|提高|提升|增加|减少|扩大|缩小|缩短|压缩|"
    r"达到|达|突破|超过|超|逾|近|约|新增|净增|控制在|稳定在|保持在|保持|稳定|实现|完成|占比|占|"
    r"增至|降至|提高到|提升至|提高至|缩短至|压缩至|居|位居|稳居|跃居|排名|排|晋级|跻身|进入|跃升至|为)"
    r"(?:至|到|在|为)?\s*"
)
_COMPARATOR_END = re.compile(rf"{_COMPARATOR}$")
_CONTINUATION = re.compile(
    rf"(?:[、和及与]|，?分别)\s*(?:{_COMPARATOR})?(?={_NUM}|百分之|第)"
    rf"|(?:提高|提升|下降|降低|增加|减少|增长|扩大|缩小|优化)(?:到|至|为)\s*(?={_NUM})"
    rf"|[，,]\s*(?:同比|年均|比上年|较上年)?(?:增长|下降|增加|减少|提高|(?:高于|低于|快于)(?:全国|全省|全市)?)\s*"
    rf"(?={_NUM}|百分之)"
)
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?、（）()《》\n]|\s{2,}")
_SENTENCE_BREAK = re.compile(r"[。；;！!？?\n]")
_CLASSIFIER_END = re.compile(rf"{_CLASSIFIER}$")
_OBJECT = re.compile(rf"{CJK}{{1,12}}")
_BAD_FOLLOWER = re.compile(r"年|月|日|号|届|次会议|次全会|周年|亿级|级|多年|种|岁|民|\d|[∶:：×/]")
_BAD_BEFORE = frozenset("∶:：×/*")
_INDICATOR_MAX = 20
_VERB_MAX = 4

_TARGET_CUES = r"力争|确保|预期|目标|计划|争取|努力|今年|明年|到20\d\d年|将达到|将实现|要达到|要实现"
_ACHIEVED_CUES = r"一年来|过去一年|去年|上年|五年来|过去五年|累计|已经|预计|初步统计|初步核算|同比|比上年|较上年|刚刚过去"
_CUE = re.compile(rf"(?P<t>{_TARGET_CUES})|(?P<a>{_ACHIEVED_CUES})")
_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
_SECTION_ACHIEVED = re.compile(r"回顾|过去|总结|成就|成绩|回眸|主要工作")
_SECTION_TARGET = re.compile(r"安排|目标|任务|计划|十四五|十五五|打算|思路|展望|重点工作|建议")


@cache
def _scope_words() -> tuple[str, ...]:
    return tuple(sorted(resource_lines("rules_quantity_scope.txt"), key=len, reverse=True))


@cache
def _task_words() -> tuple[str, ...]:
    return resource_lines("rules_quantity_stop.txt")


def _strip_scope(text: str, start: int, end: int) -> int:
    """Move `start` past leading scope/cue words and a leading region (全省, 池州高新区)."""
    changed = True
    while changed and start < end:
        changed = False
        for word in _scope_words():
            if text.startswith(word, start) and start + len(word) <= end:
                start += len(word)
                changed = True
                break
        regions = find_regions(text[start:end])
        if regions and regions[0]["start"] == 0 and regions[0]["end"] < end - start:
            start += regions[0]["end"]
            changed = True
    return start


def _clause_start(text: str, pos: int) -> int:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, pos)]
    return breaks[-1] if breaks else 0


def _is_value(text: str, match: re.Match[str]) -> bool:
    """Reject years, dates, ordinals in names, numbers inside quotes and bare digits."""
    value, start, end = match.group(), match.start(), match.end()
    before = text[start - 1] if start > 0 else ""
    if _BAD_FOLLOWER.match(text, end) or before in _BAD_BEFORE:
        return False
    if before and re.match(r"[\w.．%％]", before) and not re.fullmatch(CJK, before):
        return False  # part of a code or a longer number: G318, 5G
    if value.startswith("第") and not value.endswith(("位", "名")):
        return False
    if text[start - 1:start] in "“\"‘「" and text[end:end + 1] in "”\"’」":
        return False
    return True


def _has_unit(value: str) -> bool:
    return not re.fullmatch(rf"第?{_NUM}(?:{_DASH}{_NUM})?{_QUALIFIER}?", value.strip())


def _value_end(text: str, end: int) -> int:
    """Extend over further values of the same indicator."""
    while True:
        more = _CONTINUATION.match(text, end)
        if not more:
            return end
        value = _VALUE.match(text, more.end())
        if not value or not _is_value(text, value):
            return end
        end = value.end()


#: In the span itself, when nothing else tells: a goal's qualifier or verb (左右, 以内, 控制在:
#: about nine in ten such train spans are goals; 以上 is not, results exceed too).
_SPAN_TARGET = re.compile(r"左右|以内|控制在")


def _label(text: str, start: int, end: int, section: str, report_year: int | None) -> tuple[str, bool]:
    """The span's label and whether a cue decided it (False: no cue in the sentence, no year,
    no telling section, no goal qualifier in the span; the label is then ACHIEVED by default,
    and the NER hints say so)."""
    sentence_starts = [m.end() for m in _SENTENCE_BREAK.finditer(text, 0, start)]
    sentence_start = sentence_starts[-1] if sentence_starts else 0
    cues = list(_CUE.finditer(text, sentence_start, start))
    if cues:
        return (TARGET if cues[-1].group("t") else ACHIEVED), True
    if report_year is not None:
        years = [int(y) for y in _YEAR.findall(text, sentence_start, start)]
        if years:
            return (TARGET if years[-1] >= report_year else ACHIEVED), True
    for part in reversed([p for p in re.split(r"\s*>\s*", section) if p]):
        achieved, target = _SECTION_ACHIEVED.search(part), _SECTION_TARGET.search(part)
        if report_year is not None:
            years = [int(y) for y in _YEAR.findall(part)]
            if years and not (achieved and target):
                return (TARGET if max(years) >= report_year else ACHIEVED), True
        if achieved and not target:
            return ACHIEVED, True
        if target and not achieved:
            return TARGET, True
    if _SPAN_TARGET.search(text, start, end):
        return TARGET, True
    return ACHIEVED, False


def _span_for(text: str, match: re.Match[str]) -> tuple[int, int] | None:
    """Span around one value, or None when the number is no indicator value."""
    clause = _clause_start(text, match.start())
    left = text[clause:match.start()]
    comparator = _COMPARATOR_END.search(left)
    value = match.group()
    if comparator is None and not _has_unit(value):
        return None  # a bare number needs a comparator: 增长6.9, 达95
    start = _strip_scope(text, clause, match.start())
    end = _value_end(text, match.end())
    left_part = text[start:match.start()]
    counted = _CLASSIFIER_END.search(value.rstrip("以上左右以内以下")) and end == match.end()
    if counted and 2 <= len(left_part) <= _VERB_MAX and not left_part.endswith("等"):
        obj = _OBJECT.match(text, end)
        if obj:  # 开工建设8个抽水蓄能电站: the counted object follows the verb and the number
            if any(word in obj.group() for word in _task_words()):
                return None
            return start, obj.end()
    # Only a comparator left (、增长5): a continuation, taken by the value it continues.
    only_comparator = comparator is not None and clause + comparator.start() <= start
    indicator = "" if only_comparator else left_part
    if len(indicator) < 2 or len(indicator) > _INDICATOR_MAX or indicator.startswith("的"):
        return None
    if indicator.endswith("等") or any(indicator.endswith(word) for word in _task_words()):
        return None
    return start, end


def find_quantities(text: str, *, section: str = "", report_year: int | None = None) -> list[dict]:
    """TARGET/ACHIEVED entity dicts for `text`, sorted and non-overlapping; `tense_cue` says
    whether the label was read from a cue, a year or the section (see `_label`)."""
    spans: list[dict] = []
    covered_to = 0
    for match in _VALUE.finditer(text):
        if match.start() < covered_to or not _is_value(text, match):
            continue
        span = _span_for(text, match)
        if span is None:
            continue
        start, end = span
        if start < covered_to:
            continue
        label, decided = _label(text, start, end, section, report_year)
        spans.append(make_span(text, start, end, label) | {"tense_cue": decided})
        covered_to = end
    return spans
