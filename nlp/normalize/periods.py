"""The period a measure refers to: one year (`2026`) or a span of years (`2026-2030`).

Read, first found wins: from the span itself, from the paragraph text before the span (the
nearest marker), from the section path; then the default of its label. Markers: a plan
period (十四五 = 2021-2025, 十五五 = 2026-2030, ...), 过去五年/五年来/近五年 (the five years before
the report), 今年/去年/过去一年, `到2030年`-style target years and `2021—2025年` ranges. A year
after 比/较/与/从/由 is a base of comparison, not the period; but a result compared with a
base year B (`比2002年增长65.5%` in the 2008 report) covers the years from B+1 to the year
before the report. Defaults: a TARGET refers to the report year, an ACHIEVED result to the
year before it (reports review the past year).
Without a report year only an explicit year or range can be read.
"""

from __future__ import annotations

import re

#: Five-year plans and their first year (the third began in 1966, after the 1963-1965 adjustment).
_PLANS = {"一五": 1953, "二五": 1958, **{name: 1966 + 5 * k for k, name in enumerate(
    ("三五", "四五", "五五", "六五", "七五", "八五", "九五", "十五", "十一五", "十二五", "十三五", "十四五", "十五五", "十六五"))}}
_PLAN = re.compile(r"[“\"‘]?(十[一二三四五六]五|[一二三四五六七八九]五|十五)[”\"’]?(?:规划|时期|期间|以来|末|计划)")
_RANGE = re.compile(r"((?:19|20)\d\d)\s*[—–\-~至到]\s*((?:19|20)\d\d)年")
_TO_YEAR = re.compile(r"(?<![比较与从由])(?:到|至|于|在)?((?:19|20)\d\d)年(?:底|末)?")
_BASE_YEAR = re.compile(r"(?:比|较|与)((?:19|20)\d\d)年")
_RELATIVE = (
    (re.compile(r"过去五年|五年来|近五年|这五年|五年间"), (-5, -1)),
    (re.compile(r"过去一年|去年|上一年|上年"), (-1, -1)),
    (re.compile(r"今年|本年|明年"), (0, 0)),  # 明年 in a report read at the start of the year it plans
)


def _explicit(text: str, report_year: int | None) -> str | None:
    """The period a marker in `text` names, the last marker winning (nearest to the span)."""
    found: list[tuple[int, str]] = []
    for m in _PLAN.finditer(text):
        start = _PLANS[m[1]]
        found.append((m.start(), f"{start}-{start + 4}"))
    for m in _RANGE.finditer(text):
        found.append((m.start(), f"{m[1]}-{m[2]}"))
    for m in _TO_YEAR.finditer(text):
        if not _RANGE.search(text[max(0, m.start() - 6) : m.end()]) and not _is_base(text, m.start()):
            found.append((m.start(), m[1]))
    if report_year is not None:
        for pattern, (lo, hi) in _RELATIVE:
            for m in pattern.finditer(text):
                if not _is_base(text, m.start()):
                    a, b = report_year + lo, report_year + hi
                    found.append((m.start(), str(a) if a == b else f"{a}-{b}"))
    return max(found)[1] if found else None


def _is_base(text: str, start: int) -> bool:
    """A year or 上年 right after 比/较/与/从/由 (or 比上年 style) is what a value is compared with."""
    return start > 0 and text[start - 1] in "比较与从由"


def measure_period(
    span_text: str, label: str, report_year: int | None, before: str = "", section: str = ""
) -> str | None:
    """The period of the measures of one span (see the module docstring); None when unknown."""
    period = _explicit(span_text, report_year) if span_text else None
    if period is not None:
        return period
    base = _BASE_YEAR.search(span_text)
    if base is not None and label == "ACHIEVED" and report_year is not None and int(base[1]) < report_year - 1:
        first, last = int(base[1]) + 1, report_year - 1
        return str(last) if first == last else f"{first}-{last}"
    for text in (before, section):
        period = _explicit(text, report_year) if text else None
        if period is not None:
            return period
    if report_year is None:
        return None
    return str(report_year) if label == "TARGET" else str(report_year - 1)
