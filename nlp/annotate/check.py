"""`nlp annotate check`: mechanical boundary violations in gold spans, listed for review.

Why: exact-match F1 punishes every character of a boundary, and a gold set whose spans follow
its conventions only most of the time teaches the model both ways. The checks are the ones a
machine can decide without judgement (annotation spec, annotations/GUIDELINES.md): a span that
starts or ends on punctuation, ends on an opening bracket or quote, has unbalanced brackets,
cuts a number (a digit, decimal point or % on the other side of its edge), or starts with a
scope word (全年, 全省, 累计: not part of a TARGET/ACHIEVED span). Each finding names the file,
line, paragraph and span; the annotator decides, nothing is changed here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.spec import EDGE_PUNCTUATION, NUMBER_CHARS, OPENERS, QUANTITY_LABELS

PAIRS = {"（": "）", "(": ")", "“": "”", "《": "》", "【": "】", "「": "」"}


@dataclass(frozen=True)
class Finding:
    where: str  # file:line
    para_id: str
    start: int
    end: int
    label: str
    text: str
    rule: str

    def line(self) -> str:
        return f"{self.where}: {self.para_id} [{self.start}, {self.end}) {self.label} {self.text!r}: {self.rule}"


#: The spec's scope words, not part of a TARGET/ACHIEVED span (全国 is not: 全国重点实验室).
SCOPE_WORDS = ("全年", "累计", "其中", "全省", "全市", "全区", "全县", "全州")
#: A rank keeps its scope (spec: 晋级全省开发区20强, 稳居全国第4位).
_RANK_ENDINGS = ("强", "位", "名")


def span_problems(text: str, start: int, end: int, label: str, scope_words: Sequence[str] = SCOPE_WORDS) -> list[str]:
    """The rules one span [start, end) of `text` breaks (empty when none)."""
    span = text[start:end]
    problems = []
    if span[0] in EDGE_PUNCTUATION:
        problems.append(f"starts on punctuation {span[0]!r}")
    if span[-1] in EDGE_PUNCTUATION:
        problems.append(f"ends on punctuation {span[-1]!r}")
    if span[-1] in OPENERS:
        problems.append(f"ends on an opener {span[-1]!r}")
    for opener, closer in PAIRS.items():
        if span.count(opener) != span.count(closer):
            problems.append(f"unbalanced {opener}{closer}")
    if start > 0 and text[start - 1] in NUMBER_CHARS and span[0] in NUMBER_CHARS and text[start - 1] not in "%％":
        problems.append("starts inside a number")
    after = text[end:end + 2]
    if span[-1] in NUMBER_CHARS - {"%", "％"} and after and (after[0].isdigit() or (after[0] in ".．" and after[1:].isdigit())):
        problems.append("ends inside a number")
    if end < len(text) and span[-1].isdigit() and text[end] in "%％":
        problems.append("ends before its %")
    if label in QUANTITY_LABELS and not span.endswith(_RANK_ENDINGS):
        word = next((w for w in scope_words if span.startswith(w) and len(span) > len(w)), None)
        if word:
            problems.append(f"starts with the scope word {word!r}")
    return problems


def check_records(rows: Iterable[tuple[str, dict]]) -> list[Finding]:
    """Findings of every entity span of (file:line, offset record) rows, in file order."""
    findings = []
    for where, rec in rows:
        text = rec["text"]
        for ent in rec.get("entities") or []:
            start, end, label = ent["start"], ent["end"], ent["label"]
            for rule in span_problems(text, start, end, label):
                findings.append(Finding(where, rec.get("id", "?"), start, end, label, text[start:end], rule))
    return findings


def check_files(paths: Iterable[Path]) -> list[Finding]:
    """Findings of valid gold files (invalid ones raise, naming file and line: validate first)."""
    from nlp.annotate.validate import load_gold_rows

    return check_records(load_gold_rows(paths))
