"""Paragraph segmentation with section paths.

Works on the cleaned document (a MappedText) and only chooses cut points and trims
whitespace, so each paragraph is an exact slice of the cleaned text. Handles both
newline-separated reports and reports that arrive as one 54,000-character line, where
headings (一、 （一） (一) 1. ——) and spaces after sentence ends are the only boundaries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.ingest.clean import remove_cjk_digit_spaces
from nlp.ingest.mapped import MappedText
from nlp.normalize.numbers import parse_number

NUM = "一二三四五六七八九十"
LEVEL_PATTERNS = (
    (1, re.compile(rf"[{NUM}]+、")),
    (2, re.compile(rf"[（(][{NUM}]+[）)]")),
    (3, re.compile(r"\d{1,2}[.．、](?![\d%])")),
)
BULLET = re.compile(r"——(?!\d)")
SENTENCE_END = "。！？!?；;"
BREAK_AFTER = SENTENCE_END + "：:”"
HEADING_MAX = 60
#: Between the headings of a section path (`三、2021年工作安排 > （一）着力壮产业…`).
SECTION_SEPARATOR = " > "
ITEM_HEADING_MAX = 40
DEFAULT_MAX_CHARS = 500
#: The smallest paragraph limit: below it a sentence cannot be cut into pieces that make sense.
MIN_MAX_CHARS = 20
SPACE = " \t\u3000\xa0"

# A marker opens a new paragraph at the start of a line, after whitespace, or right after
# a sentence end glued to it (`…工作。(一)坚持…`).
_MARKERS = "|".join(p.pattern for _, p in LEVEL_PATTERNS) + "|" + BULLET.pattern + "|各位代表"
SPLIT_BEFORE = re.compile(rf"(?:(?<=[{BREAK_AFTER}])|(?<=[{SPACE}]))(?={_MARKERS})")
SPLIT_SPACE = re.compile(rf"(?<=[{BREAK_AFTER}])[{SPACE}]+(?=\S)|[{SPACE}]+(?={_MARKERS})")
# Inside one-line reports a very short sentence glued between two sentences is the report's
# run-in heading (`…新台阶。发展方向更加明晰。全面贯彻…`).
RUN_IN = re.compile(rf"(?<=[。！？])(?=[^{SENTENCE_END}，,、：:“”\s]{{4,14}}。.{{20}})")


@dataclass
class Paragraph:
    text: MappedText
    is_heading: bool
    section: str


def heading_level(text: str) -> int | None:
    for level, pattern in LEVEL_PATTERNS:
        if pattern.match(text):
            return level
    return None


def _cut(piece: MappedText, positions: list[int]) -> list[MappedText]:
    out, prev = [], 0
    for pos in sorted(set(positions)) + [len(piece)]:
        if pos > prev:
            out.append(piece.slice(prev, pos))
        prev = pos
    return out


def _strip(piece: MappedText) -> MappedText | None:
    text = piece.text
    start = len(text) - len(text.lstrip(SPACE + "\n\r|"))
    end = len(text.rstrip(SPACE + "\n\r|"))
    return piece.slice(start, end) if end > start else None


def _split_block(block: MappedText, max_chars: int) -> list[MappedText]:
    """Cut one line at heading markers and at spaces that follow a sentence end."""
    cuts: list[tuple[int, int]] = [m.span() for m in SPLIT_SPACE.finditer(block.text)]
    cuts += [(m.start(), m.start()) for m in SPLIT_BEFORE.finditer(block.text)]
    if len(block) > max_chars:
        cuts += [(m.start(), m.start()) for m in RUN_IN.finditer(block.text)]
    pieces: list[MappedText] = []
    prev = 0
    for start, end in sorted(cuts):
        if start < prev:
            continue
        pieces.append(block.slice(prev, start))
        prev = end
    pieces.append(block.slice(prev, len(block)))
    return [p for p in pieces if p.text.strip(SPACE)]


def _split_heading(piece: MappedText) -> tuple[MappedText | None, MappedText | None]:
    """Separate a run-in heading (`（一）着力壮产业。body…`) from the body that follows."""
    level = heading_level(piece.text)
    if level is None:
        return None, piece
    limit = ITEM_HEADING_MAX if level == 3 else HEADING_MAX
    enders = "。" if level == 3 else "。！？"
    for i, ch in enumerate(piece.text[: limit + 1]):
        if ch in SPACE:
            return piece.slice(0, i), piece.slice(i, len(piece))
        if ch in enders:
            return piece.slice(0, i + 1), piece.slice(i + 1, len(piece))
    if len(piece) <= limit:
        return piece, None
    return None, piece


def _split_long(piece: MappedText, max_chars: int) -> list[MappedText]:
    """Split at the last sentence end before the limit, else a comma, else hard."""
    out = []
    while len(piece) > max_chars:
        window = piece.text[: max_chars]
        cut = max(window.rfind(ch) for ch in SENTENCE_END) + 1
        floor = max(1, max_chars // 3)  # every cut moves forward, whatever the limit
        if cut < floor:
            cut = max(window.rfind(ch) for ch in "，,、") + 1
        if cut < floor:
            cut = max_chars
        out.append(piece.slice(0, cut))
        piece = piece.slice(cut, len(piece))
    out.append(piece)
    return out


def top_level_number(text: str) -> int | None:
    """The number of a top-level marker (`三、` -> 3) at the start of `text`, else None."""
    match = LEVEL_PATTERNS[0][1].match(text)
    return int(parse_number(match.group()[:-1])) if match else None


def opened_chapter(text: str, is_heading: bool, current: int) -> int | None:
    """The number of the top-level section a paragraph opens after chapter number `current`
    (0 before the first), None when it opens none.

    Why: one-line reports glue a chapter title to its first sentence with no stop between them
    (`一、盘点“十三五”,…新跨越过去五年,面对…`): the paragraph cannot be cut, but it still opens
    the chapter whose title tells a review from a plan. Chapters only count up, so a list item
    that looks like a marker (`建设一、二级交通劝导站。`, numbered points `一、…二、…` inside a
    chapter five) does not replace the chapter it stands in."""
    number = top_level_number(text)
    if number is None or number <= current or not (is_heading or number == current + 1):
        return None
    return number


def segment(doc: MappedText, max_chars: int = DEFAULT_MAX_CHARS) -> list[Paragraph]:
    """Cleaned document -> paragraphs (each <= max_chars) with section paths."""
    if max_chars < MIN_MAX_CHARS:
        raise ValueError(f"the paragraph limit must be at least {MIN_MAX_CHARS} characters, got {max_chars}")
    stack: list[tuple[int, str]] = []
    paragraphs: list[Paragraph] = []
    chapter = 0  # number of the current top-level section

    def emit(piece: MappedText | None, is_heading: bool) -> None:
        nonlocal chapter
        if piece is None:
            return
        piece = _strip(remove_cjk_digit_spaces(piece))
        if piece is None:
            return
        opened = opened_chapter(piece.text, is_heading, chapter)
        if opened is not None:
            chapter = opened
            stack[:] = [(1, piece.text[:HEADING_MAX])]
        elif is_heading and (level := heading_level(piece.text) or 9) > 1:
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, piece.text[:HEADING_MAX]))
        section = SECTION_SEPARATOR.join(title for _, title in stack)
        for part in _split_long(piece, max_chars):
            part = _strip(part)
            if part is not None:
                paragraphs.append(Paragraph(part, is_heading, section))

    pos = 0
    for line in doc.text.split("\n"):
        block = doc.slice(pos, pos + len(line))
        pos += len(line) + 1
        for piece in _split_block(block, max_chars):
            stripped = _strip(piece)
            if stripped is None:
                continue
            heading, body = _split_heading(stripped)
            emit(heading, True)
            emit(body, False)
    return paragraphs
