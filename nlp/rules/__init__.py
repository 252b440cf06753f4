"""Rule-based pre-annotator: the pre-annotation that annotators correct into the gold set,
and the baseline every model must beat.

Modules: `gazetteer` (administrative divisions from cpca's data file), `regions`, `projects`,
`quantities` (span finders, one label family each) and `annotator` (`RuleAnnotator`, which
merges them into flat, non-overlapping spans)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

__all__ = ["RuleAnnotator", "resource_lines"]


@cache
def resource_lines(name: str) -> tuple[str, ...]:
    """Non-empty lines of `nlp/resources/<name>`, `#` comments removed.

    Word lists live in resource files so that annotators can extend them without touching code."""
    path = resources.files("nlp") / "resources" / name
    if not path.is_file():
        raise FileNotFoundError(f"rule resource missing: nlp/resources/{name}")
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return tuple(lines)


def __getattr__(name: str) -> Any:
    # Lazy so that `nlp.rules.gazetteer` can be imported without building the annotator.
    if name == "RuleAnnotator":
        from nlp.rules.annotator import RuleAnnotator

        return RuleAnnotator
    raise AttributeError(f"module 'nlp.rules' has no attribute {name!r}")
