"""The gold markup format: entities written inline as `[text]{LABEL}`.

Gold files keep entities inline so that annotators can read, edit and diff them in any text
editor; training needs character offsets. This module converts between the two, both for a
single string and for whole records. Literal `[ ] { } \\` in the paragraph text are written
with a backslash in front, so every paragraph can be written and read back unchanged.
"""

from __future__ import annotations

import re
from typing import Any

#: Characters that carry meaning in markup and must be backslash-escaped in plain text.
ESCAPED = frozenset("[]{}\\")
_LABEL_RE = re.compile(r"\w+")
_PARA_ID_RE = re.compile(r"(?P<doc_id>.+)-p\d{4,}")

#: Keys of a gold record in the order they are written (see the data contracts).
GOLD_KEYS: tuple[str, ...] = ("id", "doc_id", "areas", "markup", "reviewed", "annotator")
#: Keys every offset record (the training format) carries; any other key is passed through.
OFFSET_KEYS: tuple[str, ...] = ("id", "text", "entities", "areas")


class MarkupError(ValueError):
    """Malformed markup. `position` is the index in the markup string where the problem is, so
    an annotator can find it in a long paragraph."""

    def __init__(self, message: str, markup: str, position: int) -> None:
        self.position = position
        near = markup[max(0, position - 12) : position + 12]
        super().__init__(f"{message} at position {position} (near {near!r})")


def escape(text: str) -> str:
    """Backslash-escape the markup characters of plain text."""
    return "".join("\\" + char if char in ESCAPED else char for char in text)


def parse_markup(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities ({start, end, label, text}, in text order) of a markup string.

    Raises `MarkupError` for an unclosed or unmatched bracket, a missing or malformed label,
    a nested or empty span, a stray brace or a backslash that escapes nothing."""
    chars: list[str] = []
    entities: list[dict[str, Any]] = []
    open_at: int | None = None  # markup index of the "[" of the span being read
    span_start = 0
    i = 0
    while i < len(markup):
        char = markup[i]
        if char == "\\":
            if i + 1 == len(markup) or markup[i + 1] not in ESCAPED:
                raise MarkupError("a backslash must escape one of [ ] { } \\", markup, i)
            chars.append(markup[i + 1])
            i += 2
        elif char == "[":
            if open_at is not None:
                raise MarkupError(f"nested span: '[' inside the span opened at position {open_at}", markup, i)
            open_at, span_start = i, len(chars)
            i += 1
        elif char == "]":
            if open_at is None:
                raise MarkupError("unmatched ']'", markup, i)
            if len(chars) == span_start:
                raise MarkupError("empty span", markup, open_at)
            label, i = _read_label(markup, i + 1)
            text = "".join(chars[span_start:])
            entities.append({"start": span_start, "end": len(chars), "label": label, "text": text})
            open_at = None
        elif char in "{}":
            raise MarkupError(f"unescaped '{char}' outside a label", markup, i)
        else:
            chars.append(char)
            i += 1
    if open_at is not None:
        raise MarkupError("unclosed '['", markup, open_at)
    return "".join(chars), entities


def _read_label(markup: str, i: int) -> tuple[str, int]:
    """The `{LABEL}` that must follow a closing bracket at index i, and the index after it."""
    if i == len(markup) or markup[i] != "{":
        raise MarkupError("label missing: ']' must be followed by '{LABEL}'", markup, i)
    close = markup.find("}", i + 1)
    if close < 0:
        raise MarkupError("unclosed '{'", markup, i)
    label = markup[i + 1 : close]
    if not label:
        raise MarkupError("label missing: empty '{}'", markup, i)
    if not _LABEL_RE.fullmatch(label):
        raise MarkupError(f"malformed label {label!r}", markup, i)
    return label, close + 1


def render_markup(text: str, entities: list[dict[str, Any]]) -> str:
    """Markup for `text` with `entities` ({start, end, label}, optional text) inline.

    Raises ValueError for a span that is empty, out of range, overlapping another, carries a
    label markup cannot hold, or whose `text` differs from the characters it points at."""
    parts: list[str] = []
    pos = 0
    for ent in sorted(entities, key=lambda e: (e["start"], e["end"])):
        start, end, label = ent["start"], ent["end"], ent["label"]
        span = f"[{start}, {end}) {label}"
        if not 0 <= start < end <= len(text):
            raise ValueError(f"span {span} is empty or outside the text (length {len(text)})")
        if start < pos:
            raise ValueError(f"span {span} overlaps the previous span (which ends at {pos})")
        if not _LABEL_RE.fullmatch(label):
            raise ValueError(f"span {span} has a label markup cannot hold")
        if "text" in ent and ent["text"] != text[start:end]:
            raise ValueError(f"span {span} claims {ent['text']!r} but the text there is {text[start:end]!r}")
        parts += [escape(text[pos:start]), "[", escape(text[start:end]), "]{", label, "}"]
        pos = end
    parts.append(escape(text[pos:]))
    return "".join(parts)


def doc_id_of(para_id: str) -> str:
    """The doc_id a paragraph id belongs to (para_id = f"{doc_id}-p{index:04d}")."""
    match = _PARA_ID_RE.fullmatch(para_id)
    if not match:
        raise ValueError(f"paragraph id {para_id!r} is not of the form '<doc_id>-p<index:04d>'")
    return match["doc_id"]


def gold_to_offsets(record: dict[str, Any]) -> dict[str, Any]:
    """Offset record of a gold record; keys other than the markup pass through unchanged."""
    text, entities = parse_markup(record["markup"])
    out: dict[str, Any] = {
        "id": record["id"],
        "text": text,
        "entities": [{"start": e["start"], "end": e["end"], "label": e["label"]} for e in entities],
        "areas": list(record["areas"]),
    }
    out.update((k, v) for k, v in record.items() if k not in out and k != "markup")
    return out


def offsets_to_gold(record: dict[str, Any]) -> dict[str, Any]:
    """Gold record of an offset record. A record without doc_id gets the one its id names;
    one without review information is marked `reviewed: false` by an unknown (`""`) annotator."""
    out: dict[str, Any] = {
        "id": record["id"],
        "doc_id": record["doc_id"] if "doc_id" in record else doc_id_of(record["id"]),
        "areas": list(record["areas"]),
        "markup": render_markup(record["text"], record["entities"]),
        "reviewed": record.get("reviewed", False),
        "annotator": record.get("annotator", ""),
    }
    out.update((k, v) for k, v in record.items() if k not in out and k not in OFFSET_KEYS)
    return out
