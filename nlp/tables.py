"""The CSV tables of a predict run, built from the finished documents in input order:
targets.csv (one row per TARGET/ACHIEVED span with its normalised values), regions.csv (one
row per REGION mention with its division code) and documents.csv (the share of each policy
area per document). UTF-8 with BOM, so that spreadsheet programs read the Chinese text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from nlp.io import atomic_writer
from nlp.spec import AREA_LABELS, QUANTITY_LABELS

TARGET_COLUMNS = (
    "doc_id", "title", "region", "year", "para_id", "label", "text", "start", "end", "indicator", "change",
    "values", "unit", "qualifier", "value_base", "unit_base", "percent_missing",
)
REGION_COLUMNS = ("doc_id", "para_id", "text", "start", "end", "code", "level", "parent")
DOCUMENT_COLUMNS = ("doc_id", "title", "region", "year", "n_paragraphs", *(f"share_{a}" for a in AREA_LABELS))


def _number_list(values: Sequence[float]) -> str:
    """`8.5;9` (lists of values in one CSV cell; whole numbers without `.0`)."""
    return ";".join(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in values)


def target_rows(done: Iterable[dict]) -> Iterator[dict]:
    """Per TARGET/ACHIEVED entity: its document, paragraph, span and normalised fields."""
    for item in done:
        for para in item["paragraphs"]:
            for ent in para["entities"]:
                if ent["label"] in QUANTITY_LABELS:
                    norm = ent["normalized"]
                    yield {
                        **item["document"], "para_id": para["id"],
                        **{k: ent[k] for k in ("label", "text", "start", "end")},
                        **{k: norm[k] for k in ("indicator", "change", "unit", "qualifier", "unit_base", "percent_missing")},
                        "values": _number_list(norm["values"]), "value_base": _number_list(norm["value_base"]),
                    }


def region_rows(done: Iterable[dict]) -> Iterator[dict]:
    """Per REGION entity: its span and, when the gazetteer knows it, code, level and parent."""
    for item in done:
        for para in item["paragraphs"]:
            for ent in para["entities"]:
                if ent["label"] == "REGION":
                    norm = ent.get("normalized") or {}
                    yield {"doc_id": para["doc_id"], "para_id": para["id"], **{k: ent[k] for k in ("text", "start", "end")},
                           "code": norm.get("code"), "level": norm.get("level"), "parent": norm.get("parent_name")}


def document_rows(done: Iterable[dict]) -> Iterator[dict]:
    """Per document: the share of its paragraphs whose primary (first) area is each area."""
    for item in done:
        primaries = [para["areas"][0]["label"] for para in item["paragraphs"]]
        n = len(primaries)
        shares = {f"share_{a}": round(primaries.count(a) / n, 4) for a in AREA_LABELS}
        yield {**item["document"], "n_paragraphs": n, **shares}


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Atomic CSV in UTF-8 with BOM (so that spreadsheet programs read the Chinese text);
    None becomes an empty cell. Returns the number of rows."""
    n = 0
    with atomic_writer(path, newline="") as fh:
        fh.write("\ufeff")
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
    return n
