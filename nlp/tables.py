"""The CSV tables of a predict run, built from the finished documents in input order:
targets.csv (one row per measure of a TARGET/ACHIEVED span, see nlp.normalize.measures),
regions.csv (one row per REGION mention with its division) and documents.csv (region code and
the share of each policy area per document). UTF-8 with BOM, so that spreadsheet programs read
the Chinese text. Region codes are 12-digit strings (统计用区划代码; 100000000000 for the whole
country): read the tables with `read_table`, which keeps them strings."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from nlp.io import atomic_writer
from nlp.spec import AREA_LABELS, QUANTITY_LABELS

TARGET_COLUMNS = (
    "doc_id", "title", "region", "region_code", "year", "para_id", "label", "span_text", "span_start", "span_end",
    "measure", "measure_text", "indicator", "indicator_id", "indicator_inherited", "kind", "change", "comparison",
    "values", "value", "value_to", "unit", "qualifier", "value_base", "unit_base", "period", "percent_missing",
)
REGION_COLUMNS = ("doc_id", "para_id", "text", "start", "end", "name", "code", "level", "parent", "parent_code")
DOCUMENT_COLUMNS = ("doc_id", "title", "region", "region_code", "year", "n_paragraphs", *(f"share_{a}" for a in AREA_LABELS))
#: Columns that hold codes or ids: strings, never numbers (pandas would read 340000000000 as a number).
STRING_COLUMNS = ("doc_id", "para_id", "region_code", "code", "parent_code", "indicator_id", "period", "values",
                  "value_base")
#: What a document's region is called when the report is the whole country's.
NATIONAL_NAMES = ("中华人民共和国", "全国", "中国", "国务院")
NATIONAL_CODE = "100000000000"


def _number_list(values: Sequence[float]) -> str:
    """`8.5;9` (lists of values in one CSV cell; whole numbers without `.0`)."""
    return ";".join(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in values)


def region_code(region: str | None) -> str | None:
    """The division code of a document's region as written (安徽省, 池州), None if unknown."""
    from nlp.rules.gazetteer import lookup_region

    if not region:
        return None
    if region in NATIONAL_NAMES:
        return NATIONAL_CODE
    found = lookup_region(region)
    return found["code"] if found else None


def _document(item: dict) -> dict:
    doc = item["document"]
    return {**doc, "region_code": region_code(doc.get("region"))}


def target_rows(done: Iterable[dict]) -> Iterator[dict]:
    """Per measure of a TARGET/ACHIEVED entity: its document, paragraph, span and the measure."""
    for item in done:
        doc = _document(item)
        for para in item["paragraphs"]:
            for ent in para["entities"]:
                if ent["label"] not in QUANTITY_LABELS:
                    continue
                for k, m in enumerate(ent["measures"], start=1):
                    yield {
                        **doc, "para_id": para["id"], "label": ent["label"], "span_text": ent["text"],
                        "span_start": ent["start"], "span_end": ent["end"], "measure": k,
                        "measure_text": ent["text"][m["start"] : m["end"]],
                        **{key: m[key] for key in ("indicator", "indicator_id", "indicator_inherited", "kind", "change",
                                                   "comparison", "value", "value_to", "unit", "qualifier", "unit_base",
                                                   "period", "percent_missing")},
                        "values": _number_list(m["values"]), "value_base": _number_list(m["value_base"]),
                    }


def region_rows(done: Iterable[dict]) -> Iterator[dict]:
    """Per REGION entity: its span and, when the gazetteer knows it, code, level and parent."""
    for item in done:
        for para in item["paragraphs"]:
            for ent in para["entities"]:
                if ent["label"] == "REGION":
                    norm = ent.get("normalized") or {}
                    yield {"doc_id": para["doc_id"], "para_id": para["id"], **{k: ent[k] for k in ("text", "start", "end")},
                           "name": norm.get("name"), "code": norm.get("code"), "level": norm.get("level"),
                           "parent": norm.get("parent_name"), "parent_code": norm.get("parent_code")}


def document_rows(done: Iterable[dict]) -> Iterator[dict]:
    """Per document: the share of its paragraphs whose primary (first) area is each area."""
    for item in done:
        primaries = [para["areas"][0]["label"] for para in item["paragraphs"]]
        n = len(primaries)
        shares = {f"share_{a}": round(primaries.count(a) / n, 4) for a in AREA_LABELS}
        yield {**_document(item), "n_paragraphs": n, **shares}


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Atomic CSV in UTF-8 with BOM (so that spreadsheet programs read the Chinese text);
    None becomes an empty cell, and a text cell a spreadsheet would run as a formula is
    neutralised (see `spreadsheet_safe`). Returns the number of rows."""
    n = 0
    with atomic_writer(path, newline="") as fh:
        fh.write("\ufeff")
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
            n += 1
    return n


#: Numbers and ;-lists of numbers may start with a minus sign: they are no formula.
_NUMERIC = re.compile(r"[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?(?:;[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)*")


def spreadsheet_safe(value: Any) -> Any:
    """A text starting with = + - @ (or a tab or CR) gets a leading apostrophe, so that a
    spreadsheet shows it instead of running it (`=HYPERLINK(…)` in a report title); numbers and
    other values are unchanged. paragraphs.jsonl keeps the exact text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMERIC.fullmatch(value):
        return "'" + value
    return value


def read_table(path: Path) -> Any:
    """A table of a predict run as a pandas DataFrame, with codes, ids and `;`-lists kept as
    strings and empty cells as missing (pandas' own guess turns 340000000000 into a float)."""
    import pandas as pd

    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    return pd.read_csv(path, encoding="utf-8-sig", dtype={c: str for c in STRING_COLUMNS if c in header},
                       keep_default_na=False, na_values=[""])
