"""`RuleAnnotator`: the rule-based pre-annotator and baseline, merging the span finders of
this package into flat, non-overlapping spans as the annotation spec requires."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from nlp.rules import make_span
from nlp.rules.projects import LABEL as PROJECT
from nlp.rules.projects import find_projects
from nlp.rules.quantities import find_quantities
from nlp.rules.regions import LABEL as REGION
from nlp.rules.regions import find_regions
from nlp.spec import QUANTITY_LABELS


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _after_projects(text: str, span: dict, projects: list[dict]) -> dict:
    """A quantity whose indicator opens with a project (应流航空产业园18万平方米) starts after it."""
    for project in projects:
        if project["start"] <= span["start"] < project["end"] < span["end"]:
            return make_span(text, project["end"], span["end"], span["label"])
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


class RuleAnnotator:
    """Pre-annotates paragraphs with REGION, PROJECT, TARGET and ACHIEVED spans.

    Stateless apart from cached word lists; `fit` exists only so that the baseline can sit
    where a trained model does."""

    def fit(self, records: Iterable[Mapping] = (), y: object = None) -> RuleAnnotator:
        return self

    def annotate(self, text: str, *, section: str = "", report_year: int | None = None) -> list[dict]:
        """Sorted, non-overlapping entity dicts {start, end, label, text, score} for `text`."""
        regions = find_regions(text)
        places = [(r["start"], r["end"]) for r in regions]
        spans = regions + find_projects(text, places) + find_quantities(
            text, section=section, report_year=report_year
        )
        return resolve_overlaps(text, spans)

    def predict(self, records: Iterable[Mapping], *, report_year: int | None = None) -> list[list[dict]]:
        """Entity lists for records {"text", "section"?, "report_year"?}, in order."""
        results = []
        for i, record in enumerate(records):
            text = record.get("text")
            if not isinstance(text, str):
                raise ValueError(f"record {record.get('id', i)!r} has no text string")
            year = record.get("report_year", report_year)
            results.append(self.annotate(text, section=record.get("section") or "", report_year=year))
        return results
