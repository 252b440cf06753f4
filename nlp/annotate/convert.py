"""Conversions between the gold markup files, offset JSONL (the training format) and the
import/export formats of Label Studio and doccano, so that annotation can happen in either
tool and still end up as reviewed gold.

Every format is read into offset records and written from them; each reader validates what it
read against the spec, so a conversion never passes on data the project would reject.
Tool bookkeeping (Label Studio task metadata, doccano row ids) is not carried over: the
paragraph id, text, entities, areas and the record's own extra keys are.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nlp.annotate.markup import OFFSET_KEYS, offsets_to_gold
from nlp.annotate.validate import AnnotationError, load_gold, load_offsets, validate_records
from nlp.io import Row, read_jsonl_rows, write_jsonl
from nlp.spec import AREAS, ENTITY_LABELS

FORMATS: tuple[str, ...] = ("gold", "offsets", "labelstudio", "doccano")

#: Names tying Label Studio results to the controls of `label_studio_config()`.
LS_TEXT, LS_LABELS, LS_AREAS = "text", "label", "areas"


def _extras(record: dict[str, Any], core: Iterable[str]) -> dict[str, Any]:
    core = set(core)
    return {k: v for k, v in record.items() if k not in core}


def _merge(base: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    """`base` plus pass-through keys, refusing a key that would overwrite a converted one."""
    clash = sorted(base.keys() & extras.keys())
    if clash:
        raise ValueError(f"pass-through keys {clash} clash with keys of the target format")
    return {**base, **extras}


# --- Label Studio -------------------------------------------------------------------------

def offsets_to_labelstudio(record: dict[str, Any], task_id: int) -> dict[str, Any]:
    """A Label Studio task (tasks export format) with the record as its one annotation."""
    text = record["text"]
    result: list[dict[str, Any]] = [
        {
            "value": {"start": e["start"], "end": e["end"], "text": text[e["start"] : e["end"]], "labels": [e["label"]]},
            "from_name": LS_LABELS,
            "to_name": LS_TEXT,
            "type": "labels",
        }
        for e in record["entities"]
    ]
    result.append({"value": {"choices": list(record["areas"])}, "from_name": LS_AREAS, "to_name": LS_TEXT, "type": "choices"})
    data = _merge({"text": text, "para_id": record["id"]}, _extras(record, OFFSET_KEYS))
    return {"id": task_id, "data": data, "annotations": [{"result": result}]}


def labelstudio_to_offsets(task: dict[str, Any]) -> dict[str, Any]:
    """Offset record of a Label Studio task. Its one non-cancelled annotation is used, or its
    one prediction when it has no annotation; several of either are an error (split them per
    annotator first), as are unknown result types and span texts that do not match."""
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or "para_id" not in data:
        raise ValueError("task needs data.text and data.para_id")
    text = data["text"]
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    results = annotations or task.get("predictions") or []
    if len(results) != 1:
        raise ValueError(f"expected one annotation (or one prediction), found {len(results)}")
    entities: list[dict[str, Any]] = []
    areas: list[str] | None = None
    for item in results[0].get("result", []):
        kind, value = item.get("type"), item.get("value", {})
        if kind == "labels":
            start, end, labels = value["start"], value["end"], value["labels"]
            if len(labels) != 1:
                raise ValueError(f"span [{start}, {end}) carries {len(labels)} labels, expected one")
            if "text" in value and value["text"] != text[start:end]:
                raise ValueError(f"span [{start}, {end}) claims {value['text']!r} but the text there is {text[start:end]!r}")
            entities.append({"start": start, "end": end, "label": labels[0]})
        elif kind == "choices" and item.get("from_name") == LS_AREAS:
            if areas is not None:
                raise ValueError(f"two {LS_AREAS!r} results")
            areas = list(value["choices"])
        else:
            raise ValueError(f"unexpected result {item.get('from_name')!r} of type {kind!r}")
    entities.sort(key=lambda e: (e["start"], e["end"]))
    base = {"id": data["para_id"], "text": text, "entities": entities, "areas": areas or []}
    return _merge(base, _extras(data, ("text", "para_id")))


def label_studio_config() -> str:
    """Labeling-config XML for a Label Studio project matching `offsets_to_labelstudio`:
    one span label per entity label, the policy areas as multiple choices (hint: Chinese name)."""
    view = ET.Element("View")
    labels = ET.SubElement(view, "Labels", name=LS_LABELS, toName=LS_TEXT)
    for label in ENTITY_LABELS:
        ET.SubElement(labels, "Label", value=label)
    ET.SubElement(view, "Text", name=LS_TEXT, value=f"${LS_TEXT}")
    ET.SubElement(view, "Header", value="Policy areas: 1 to 3, primary first")
    choices = ET.SubElement(view, "Choices", name=LS_AREAS, toName=LS_TEXT, choice="multiple", showInline="true")
    for area, name in AREAS.items():
        ET.SubElement(choices, "Choice", value=area, hint=name)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


# --- doccano --------------------------------------------------------------------------------

def offsets_to_doccano(record: dict[str, Any]) -> dict[str, Any]:
    """A doccano JSONL row: spans as [start, end, LABEL], areas as `cats`."""
    base = {
        "text": record["text"],
        "label": [[e["start"], e["end"], e["label"]] for e in record["entities"]],
        "cats": list(record["areas"]),
        "para_id": record["id"],
    }
    return _merge(base, _extras(record, OFFSET_KEYS))


def doccano_to_offsets(row: dict[str, Any]) -> dict[str, Any]:
    """Offset record of a doccano row (areas under `cats` or `areas`; doccano's own integer
    `id` is a row number and is dropped)."""
    if not isinstance(row, dict) or not isinstance(row.get("text"), str) or "para_id" not in row:
        raise ValueError("a doccano row needs text and para_id")
    area_keys = [k for k in ("cats", "areas") if k in row]
    if len(area_keys) > 1:
        raise ValueError("a doccano row carries both 'cats' and 'areas'")
    spans = row.get("label", [])
    if not all(isinstance(s, list) and len(s) == 3 for s in spans):
        raise ValueError(f"label must be a list of [start, end, LABEL], got {spans!r}")
    base = {
        "id": row["para_id"],
        "text": row["text"],
        "entities": sorted(({"start": s, "end": e, "label": lab} for s, e, lab in spans), key=lambda e: (e["start"], e["end"])),
        "areas": list(row[area_keys[0]]) if area_keys else [],
    }
    return _merge(base, _extras(row, ("id", "text", "label", "para_id", *area_keys)))


# --- files ----------------------------------------------------------------------------------

def _converted(rows: list[Row], convert: Callable[[Any], dict[str, Any]], source: Path) -> list[dict[str, Any]]:
    """Apply a tool-format reader to located rows and validate the result as offset records,
    raising one AnnotationError that lists every problem."""
    problems: list[str] = []
    converted: list[Row] = []
    for where, row in rows:
        try:
            converted.append((where, convert(row)))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
        except (KeyError, TypeError, AttributeError) as exc:
            problems.append(f"{where}: malformed ({type(exc).__name__}: {exc})")
    problems += validate_records(converted, kind="offsets")
    if problems:
        raise AnnotationError(str(source), problems)
    return [rec for _, rec in converted]


def read_records(path: Path, fmt: str) -> list[dict[str, Any]]:
    """Offset records of a file in any of FORMATS, validated."""
    path = Path(path)
    if fmt == "gold":
        return load_gold(path)
    if fmt == "offsets":
        return load_offsets(path)
    if fmt == "labelstudio":
        try:
            tasks = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise AnnotationError(str(path), [f"invalid JSON: {exc}"]) from exc
        if not isinstance(tasks, list):
            raise AnnotationError(str(path), ["a Label Studio export must be a JSON list of tasks"])
        rows = [(f"{path}: task {t.get('id', n) if isinstance(t, dict) else n}", t) for n, t in enumerate(tasks)]
        return _converted(rows, labelstudio_to_offsets, path)
    if fmt == "doccano":
        rows, bad_lines = read_jsonl_rows(path)
        if bad_lines:
            raise AnnotationError(str(path), bad_lines)
        return _converted(rows, doccano_to_offsets, path)
    raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def write_records(records: list[dict[str, Any]], path: Path, fmt: str) -> None:
    """Write offset records (validated first) in any of FORMATS."""
    problems = validate_records([(f"record {n}", rec) for n, rec in enumerate(records)], kind="offsets")
    if problems:
        raise AnnotationError(f"records for {path}", problems)
    if fmt == "gold":
        write_jsonl(path, map(offsets_to_gold, records))
    elif fmt == "offsets":
        write_jsonl(path, records)
    elif fmt == "doccano":
        write_jsonl(path, map(offsets_to_doccano, records))
    elif fmt == "labelstudio":
        tasks = [offsets_to_labelstudio(rec, n) for n, rec in enumerate(records, start=1)]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def convert_file(src: Path, dst: Path, *, from_fmt: str, to_fmt: str) -> int:
    """Convert a file between two of FORMATS; returns the number of records written."""
    records = read_records(src, from_fmt)
    write_records(records, dst, to_fmt)
    return len(records)
