"""`RuleTagger`: the rules as an EntityTagger, merging the span finders of this package into
flat, non-overlapping spans as the annotation spec requires. The one way the rules run: for
pre-annotation (`nlp baseline`), as the evaluation baseline, and for the NER model's hints."""

from __future__ import annotations

from collections.abc import Sequence

from nlp.rules.common import make_span
from nlp.rules.projects import LABEL as PROJECT
from nlp.rules.projects import find_projects
from nlp.rules.quantities import find_quantities
from nlp.rules.regions import LABEL as REGION
from nlp.rules.regions import find_regions, most_named_division, own_region_names
from nlp.spec import QUANTITY_LABELS


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _after_projects(text: str, span: dict, projects: list[dict]) -> dict:
    """A quantity whose indicator opens with a project (应流航空产业园18万平方米) starts after it."""
    for project in projects:
        if project["start"] <= span["start"] < project["end"] < span["end"]:
            return span | make_span(text, project["end"], span["end"], span["label"])
    return span


def resolve_overlaps(text: str, spans: list[dict]) -> list[dict]:
    """Flat spans: a REGION touching a PROJECT goes (places inside a project belong to it), a
    quantity opening with a project starts after it; otherwise longer spans win, then earlier."""
    projects = [s for s in spans if s["label"] == PROJECT]
    kept = [
        _after_projects(text, s, projects) if s["label"] in QUANTITY_LABELS else s
        for s in spans
        if not (s["label"] == REGION and any(_overlaps(s, p) for p in projects))
    ]
    chosen: list[dict] = []
    for span in sorted(kept, key=lambda s: (s["start"] - s["end"], s["start"])):
        if not any(_overlaps(span, other) for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s["start"])


class RuleTagger:
    """EntityTagger over the span finders: REGION, PROJECT, TARGET and ACHIEVED spans, each
    with score 1.0 (rule spans carry no probability). Stateless apart from cached word lists.

    `sections` and `years` (a paragraph's heading path and report year) tell a target from a
    result where the sentence has no cue of its own; `report_regions` (the report's region as
    its metadata writes it) lets the short form of that region count as a place everywhere.
    A text of no known region (a bare paragraph) takes the division it names most often: a
    paragraph that says 凤阳县 means the county by 凤阳 too."""

    def predict(
        self, texts: Sequence[str], *, sections: Sequence[str | None] | None = None,
        years: Sequence[int | None] | None = None, report_regions: Sequence[str | None] | None = None,
        batch_size: int = 16,
    ) -> list[list[dict]]:
        """Sorted, non-overlapping entity dicts {start, end, label, text, score} per text."""
        sections = sections or [""] * len(texts)
        years = years or [None] * len(texts)
        report_regions = report_regions or [None] * len(texts)
        return [
            self._tag(text, section or "", year, region)
            for text, section, year, region in zip(texts, sections, years, report_regions)
        ]

    @staticmethod
    def _tag(text: str, section: str, report_year: int | None, report_region: str | None) -> list[dict]:
        if not isinstance(text, str):
            raise ValueError(f"expected a text string, got {type(text).__name__}")
        regions = find_regions(text, own_region_names(report_region or most_named_division(text)))
        places = [(r["start"], r["end"]) for r in regions]
        spans = regions + find_projects(text, places) + find_quantities(text, section=section, report_year=report_year)
        return resolve_overlaps(text, spans)
