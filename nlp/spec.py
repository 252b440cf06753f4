"""The label contract (`annotation-spec.md`) as code: the single source of entity labels and
policy areas, so that validators, models and reports never disagree on the inventory."""

from __future__ import annotations

ENTITY_LABELS: tuple[str, ...] = ("REGION", "PROJECT", "TARGET", "ACHIEVED")
QUANTITY_LABELS: frozenset[str] = frozenset({"TARGET", "ACHIEVED"})

#: Span boundaries (GUIDELINES): no span starts or ends on a separator or sentence punctuation,
#: none ends on an opening bracket or quote, and a quantity never cuts a number. One home for
#: the characters, read by the decoder (which tidies spans) and by `nlp annotate check`.
EDGE_PUNCTUATION: frozenset[str] = frozenset("、，,。；;：:！!？? \u3000\t")
OPENERS: frozenset[str] = frozenset("（(“《【「")
NUMBER_CHARS: frozenset[str] = frozenset("0123456789.．０１２３４５６７８９%％")

#: Policy areas in spec order, with their Chinese names.
AREAS: dict[str, str] = {
    "macro": "宏观经济与总体目标",
    "industry": "产业发展",
    "innovation": "科技创新与人才",
    "investment": "项目建设与招商引资",
    "reform": "改革与营商环境",
    "opening": "对外开放与区域合作",
    "rural": "农业农村与乡村振兴",
    "urban": "城乡建设与基础设施",
    "ecology": "生态环保与绿色低碳",
    "livelihood": "民生与社会事业",
    "culture_tourism": "文化与旅游",
    "safety": "安全稳定与社会治理",
    "government": "政府自身建设",
    "other": "其他",
}
AREA_LABELS: tuple[str, ...] = tuple(AREAS)
MIN_AREAS, MAX_AREAS = 1, 3


def bio_labels() -> list[str]:
    """BIO tag inventory in a fixed order (O first) shared by training and inference."""
    tags = ["O"]
    for label in ENTITY_LABELS:
        tags += [f"B-{label}", f"I-{label}"]
    return tags
