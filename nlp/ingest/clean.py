"""Cleaning rules for raw reports. Every rule only deletes characters (watermarks, site
prefixes, paywall markers, web chrome, PDF line breaks), so the offset map back to the raw
text stays exact; no character of the report itself is ever rewritten (no full/half-width
conversion). Each rule is a named function so tests can exercise it alone."""

from __future__ import annotations

import re
from typing import Callable

from nlp.ingest.mapped import MappedText

TERMINAL = "。！？!?；;：:”’」』)）"
# Line starts that open a new paragraph even after an unterminated line.
HEADING_START = re.compile(
    r"^[\s\u3000]*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、](?!\d)|——|各位代表)"
)

INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
WATERMARK = re.compile(r"【[^【】\n]{0,30}?微\s*信[^【】\n]{0,30}?】")
SITE_PREFIX = re.compile(r"(?m)^[ \t\u3000]*(【[^【】\n]{1,15}(?:招商|网)】)")
PAID_MARKER = re.compile(r"##\s*paid\s*(?:begin|end)\s*##", re.IGNORECASE)

_CHROME_LINES = [
    r"下载", r"打印", r"全屏", r"收藏", r"加大", r"还原", r"减小", r"[大中小]", r"[【】>|×\-]",
    r"首页", r"分享(?:到)?[:：]?", r"分享到(?:微信|微博|QQ空间)", r"【字[号体][:：]?",
    r"(?:您的|当前)位置[:：]?", r"打印本页", r"关闭窗口", r"相关(?:报道|文档|推荐|链接)[:：]?",
    r"推荐访问[:：].*", r"工作总结最新推荐", r"阅读量[:：].*", r"发表时间[:：]?.*",
    r"来源[:：].*", r"时间[:：].*", r"有想补充的信息[?？]\s*点我投稿", r"-\s*(?:联系我们|企业入驻)",
    r"\|\s*浏览次数[:：]?.*", r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?",
    r"\d{4}年\d{1,2}月\d{1,2}日\s+\d{1,2}时\d{1,2}分", r"[0-9a-f]{24,}", r"》》点击图片进入专题《《",
    r"【[^】]*】相关推荐",
]
CHROME_LINE = re.compile(r"(?m)^[ \t\u3000]*(?:" + "|".join(_CHROME_LINES) + r")[ \t\u3000]*(?:\n|$)")
# Anything after these in the tail of a page is a list of links, not the report.
TAIL_CUT = re.compile(r"(?m)^[ \t\u3000]*(?:相关(?:报道|文档|推荐|链接)|推荐访问|【[^】\n]*】相关推荐)")
OPENING = re.compile(r"(?m)^[ \t\u3000|]*各位代表")
CJK = "\u4e00-\u9fff"
CJK_DIGIT_SPACE = re.compile(
    rf"(?<=[{CJK}])[ \t\u3000\xa0]+(?=[0-9０-９])|(?<=[0-9０-９%％])[ \t\u3000\xa0]+(?=[{CJK}])"
)
REJOIN_MIN_LINE = 30
#: A number at a line's end and its unit at the next line's start (`国内生产总值达到74.4` / `万亿元，`,
#: a web copy's break): never a paragraph end, however short the line.
NUMBER_END = re.compile(r"[0-9０-９][.．]?[0-9０-９]*\Z")
UNIT_START = re.compile(r"[万亿%％‰元倍]")


def remove_invisible(doc: MappedText) -> MappedText:
    """Zero-width joiners/spaces from web copies carry no content."""
    return doc.delete_matches(INVISIBLE)


def remove_watermarks(doc: MappedText) -> MappedText:
    """`【更多公文素材，微信：dadawk01】`, also with stray spaces inside."""
    return doc.delete_matches(WATERMARK)


def remove_site_prefixes(doc: MappedText) -> MappedText:
    """`【宝兴县招商】2021年宝兴县政府工作报告`: the site's tag before the title."""
    return doc.delete_matches(SITE_PREFIX, 1)


def remove_paid_markers(doc: MappedText) -> MappedText:
    return doc.delete_matches(PAID_MARKER)


def remove_chrome_lines(doc: MappedText) -> MappedText:
    """Whole lines of web-page chrome (toolbar words, view counters, sources, dates)."""
    return doc.delete_matches(CHROME_LINE)


def cut_link_tail(doc: MappedText) -> MappedText:
    """Drop 相关报道/推荐访问 blocks that follow the last paragraph of the report."""
    last_opening = 0
    for m in OPENING.finditer(doc.text):
        last_opening = m.end()
    m = TAIL_CUT.search(doc.text, last_opening)
    return doc.delete([(m.start(), len(doc))]) if m else doc


def _is_front_matter_keeper(line: str) -> bool:
    """Before 各位代表 a report has only its title, the meeting line and the speaker; news
    captions, navigation and lead sentences from the web page are dropped."""
    s = line.strip(" \t\u3000|")
    if not s or s.endswith("。") or "记者" in s or "作政府工作报告" in s:
        return False
    if "工作报告" in s or re.search(r"\d+\s*月\s*\d+\s*日|会议上|人民代表大会", s):
        return True
    return bool(re.search(r"(?:长|主席|总理)", s) or re.fullmatch(rf"[{CJK}·\s\u3000;；]{{2,8}}", s)) and len(s) <= 30


def remove_front_matter_noise(doc: MappedText) -> MappedText:
    m = OPENING.search(doc.text)
    if not m or m.start() > 2000:
        return doc
    spans = []
    pos = 0
    for line in doc.text[: m.start()].split("\n"):
        if line.strip() and not _is_front_matter_keeper(line):
            spans.append((pos, pos + len(line) + 1))
        pos += len(line) + 1
    return doc.delete(spans)


def rejoin_broken_lines(doc: MappedText) -> MappedText:
    """A PDF export breaks paragraphs at the page width (`001_*.txt`): a long line that does not
    end a sentence continues on the next non-empty line unless that line opens a heading; so
    does a line of any length that ends in a number whose unit opens the next line."""
    spans = []
    for m in re.finditer(r"[ \t\u3000]*\n[\s\u3000]*", doc.text):
        line_start = doc.text.rfind("\n", 0, m.start()) + 1
        prev = doc.text[line_start : m.start()].strip(" \t\u3000")
        rest = doc.text[m.end() : m.end() + 12]
        if prev and NUMBER_END.search(prev) and UNIT_START.match(rest):
            spans.append(m.span())
        elif (
            len(prev) >= REJOIN_MIN_LINE
            and prev[-1] not in TERMINAL
            and rest
            and not HEADING_START.match(rest)
        ):
            spans.append(m.span())
    return doc.delete(spans)


def remove_cjk_digit_spaces(doc: MappedText) -> MappedText:
    """`230 亿元` -> `230亿元`, `2020 年` -> `2020年` (spaces a PDF/web copy put around digits)."""
    return doc.delete_matches(CJK_DIGIT_SPACE)


#: Document-level rules, in order. CJK/digit spaces are removed per paragraph after
#: segmentation, because a space between a heading and a body starting with a year is a
#: paragraph boundary.
DOCUMENT_RULES: tuple[Callable[[MappedText], MappedText], ...] = (
    remove_invisible,
    remove_watermarks,
    remove_site_prefixes,
    remove_paid_markers,
    remove_chrome_lines,
    cut_link_tail,
    remove_front_matter_noise,
    rejoin_broken_lines,
)


def clean_document(doc: MappedText) -> MappedText:
    for rule in DOCUMENT_RULES:
        doc = rule(doc)
    return doc
