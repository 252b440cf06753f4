"""Conversions between the gold markup files, offset JSONL (the training format) and the
import/export formats of Label Studio and doccano, so that annotation can happen in either
tool and still end up as reviewed gold.

Every format is read into offset records and written from them; each reader validates what it
read against the spec, so a conversion never passes on data the project would reject.
Tool bookkeeping (Label Studio task metadata and users, doccano row ids and comments) is not
carried over: the paragraph id, text, entities, areas and the record's own extra keys are.
Label Studio: tasks carry pre-annotations as `predictions` and reviewed gold as `annotations`;
JSON and JSON_MIN exports are read; the primary area has a control of its own. doccano: both
project types, sequence labelling (`doccano`) and intent + slots (`doccano-intent`).
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nlp.annotate.markup import OFFSET_KEYS, offsets_to_gold
from nlp.annotate.validate import AnnotationError, load_gold, load_offsets, validate_records
from nlp.io import Row, read_jsonl_rows, write_jsonl
from nlp.spec import AREAS, ENTITY_LABELS

log = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("gold", "offsets", "labelstudio", "doccano", "doccano-intent")

#: Names tying Label Studio results to the controls of `label_studio_config()` (`areas`: the
#: one multiple-choice control of the older config, still read).
LS_TEXT, LS_LABELS, LS_PRIMARY, LS_SECONDARY, LS_AREAS = "text", "label", "primary_area", "secondary_areas", "areas"


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

#: Data keys renamed inside Label Studio: its JSON_MIN export writes the LS user's email under
#: `annotator`, which would overwrite the record's own annotator field.
LS_RENAMED = {"annotator": "gold_annotator"}
#: Bookkeeping keys of a JSON_MIN export row (not carried over).
LS_MIN_BOOKKEEPING = ("id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "drafts", "predictions")


def _ls_result(record: dict[str, Any]) -> list[dict[str, Any]]:
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
    areas = list(record["areas"])
    for name, chosen in ((LS_PRIMARY, areas[:1]), (LS_SECONDARY, areas[1:])):
        if chosen:
            result.append({"value": {"choices": chosen}, "from_name": name, "to_name": LS_TEXT, "type": "choices"})
    return result


def offsets_to_labelstudio(
    record: dict[str, Any], task_id: int, *, as_: str = "auto", model_version: str = "nlp-preannotation"
) -> dict[str, Any]:
    """A Label Studio task (JSON import format). The record's labels go in as an annotation
    (`as_="annotations"`: finished work, e.g. reviewed gold sent back for correction) or as a
    prediction (`as_="predictions"`: a pre-annotation the annotator accepts or edits, which LS
    does not count as done); `auto` takes annotations for reviewed records, else predictions."""
    if as_ not in ("auto", "annotations", "predictions"):
        raise ValueError(f"as_ must be auto, annotations or predictions, got {as_!r}")
    if as_ == "auto":
        as_ = "annotations" if record.get("reviewed") else "predictions"
    extras = {LS_RENAMED.get(k, k): v for k, v in _extras(record, OFFSET_KEYS).items()}
    data = _merge({"text": record["text"], "para_id": record["id"]}, extras)
    item: dict[str, Any] = {"result": _ls_result(record)}
    if as_ == "predictions":
        item["model_version"] = model_version
    return {"id": task_id, "data": data, as_: [item]}


def _chosen(value: Any) -> list[str]:
    """The choices of a Choices result, in any of the shapes exports use: {"choices": [...]}
    (JSON), a string or a list of strings (JSON_MIN)."""
    if isinstance(value, dict):
        value = value.get("choices", [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"choices must be strings, got {value!r}")
    return list(value)


def _areas(primary: list[str] | None, secondary: list[str], legacy: list[str] | None) -> list[str]:
    """[primary, *secondaries]: the primary has a single-choice control of its own because LS
    lists a multiple-choice control's ticks in config order, which loses "primary first"; a
    secondary ticked again as the primary is dropped. Exports of the older one-control config
    (`areas`, primary first as written) are read as they are."""
    if legacy is not None:
        if primary is not None or secondary:
            raise ValueError(f"both {LS_AREAS!r} and {LS_PRIMARY!r}/{LS_SECONDARY!r} results")
        return legacy
    if primary is None:
        if secondary:
            raise ValueError(f"secondary areas {secondary} but no {LS_PRIMARY!r}")
        return []  # reported by the validation as 0 areas
    if len(primary) != 1:
        raise ValueError(f"{LS_PRIMARY!r} needs one choice, got {primary}")
    return primary + [a for a in secondary if a != primary[0]]


def _latest(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The most recently updated of several annotations (or predictions) of one task."""
    return max(enumerate(items), key=lambda kv: (str(kv[1].get("updated_at") or kv[1].get("created_at") or ""), kv[0]))[1]


def _from_result(results: list[dict[str, Any]], text: str) -> tuple[list[dict[str, Any]], list[str]]:
    entities: list[dict[str, Any]] = []
    controls: dict[str, list[str]] = {}
    for item in results:
        kind, name, value = item.get("type"), item.get("from_name"), item.get("value", {})
        if kind == "labels":
            entities.append(_span(value, text))
        elif kind == "choices" and name in (LS_PRIMARY, LS_SECONDARY, LS_AREAS):
            if name in controls:
                raise ValueError(f"two {name!r} results")
            controls[name] = _chosen(value)
        else:
            raise ValueError(f"unexpected result {name!r} of type {kind!r}")
    return entities, _areas(controls.get(LS_PRIMARY), controls.get(LS_SECONDARY, []), controls.get(LS_AREAS))


def _span(value: dict[str, Any], text: str) -> dict[str, Any]:
    start, end, labels = value["start"], value["end"], value["labels"]
    if len(labels) != 1:
        raise ValueError(f"span [{start}, {end}) carries {len(labels)} labels, expected one")
    if "text" in value and value["text"] != text[start:end]:
        raise ValueError(f"span [{start}, {end}) claims {value['text']!r} but the text there is {text[start:end]!r}")
    return {"start": start, "end": end, "label": labels[0]}


def _record(data: dict[str, Any], entities: list[dict[str, Any]], areas: list[str], core: tuple[str, ...]) -> dict[str, Any]:
    entities.sort(key=lambda e: (e["start"], e["end"]))
    base = {"id": data["para_id"], "text": data["text"], "entities": entities, "areas": areas}
    renamed = {v: k for k, v in LS_RENAMED.items()}
    return _merge(base, {renamed.get(k, k): v for k, v in _extras(data, ("text", "para_id", *core)).items()})


def labelstudio_to_offsets(task: dict[str, Any], include_predictions: bool = False) -> dict[str, Any] | None:
    """Offset record of a task of a Label Studio JSON or JSON_MIN export, or None for a task
    nobody annotated. JSON: the most recently updated non-cancelled annotation wins; a task with
    predictions only is read from its latest prediction when `include_predictions` (a
    pre-annotation is not gold), else None; prediction ids (what LS exports in place of
    prediction objects) are ignored. JSON_MIN (a flat row per annotation, no `data`): the
    controls' values are top-level keys, LS's bookkeeping keys are dropped."""
    if "data" not in task:  # JSON_MIN
        if not isinstance(task.get("text"), str) or "para_id" not in task:
            raise ValueError("a JSON_MIN row needs text and para_id")
        spans = task.get(LS_LABELS) or []
        entities = [_span(v, task["text"]) for v in spans]
        areas = _areas(_chosen(task[LS_PRIMARY]) if LS_PRIMARY in task else None,
                       _chosen(task.get(LS_SECONDARY, [])), _chosen(task[LS_AREAS]) if LS_AREAS in task else None)
        return _record(task, entities, areas, (LS_LABELS, LS_PRIMARY, LS_SECONDARY, LS_AREAS, *LS_MIN_BOOKKEEPING))
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or "para_id" not in data:
        raise ValueError("task needs data.text and data.para_id")
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    if annotations:
        chosen = _latest(annotations)
    elif predictions and include_predictions:
        chosen = _latest(predictions)
    else:
        return None
    entities, areas = _from_result(chosen.get("result", []), data["text"])
    return _record(data, entities, areas, ())


def label_studio_config() -> str:
    """Labeling-config XML for a Label Studio project matching `offsets_to_labelstudio`: one
    span label per entity label, the primary area as a single choice and the secondary areas
    (0 to 2) as multiple choices of their own (hint: the Chinese name)."""
    view = ET.Element("View")
    labels = ET.SubElement(view, "Labels", name=LS_LABELS, toName=LS_TEXT)
    for label in ENTITY_LABELS:
        ET.SubElement(labels, "Label", value=label)
    ET.SubElement(view, "Text", name=LS_TEXT, value=f"${LS_TEXT}")
    for name, header, kind, required in ((LS_PRIMARY, "Primary policy area (one)", "single", "true"),
                                         (LS_SECONDARY, "Secondary policy areas (0 to 2)", "multiple", "false")):
        ET.SubElement(view, "Header", value=header)
        choices = ET.SubElement(view, "Choices", name=name, toName=LS_TEXT, choice=kind, showInline="true", required=required)
        for area, area_name in AREAS.items():
            ET.SubElement(choices, "Choice", value=area, hint=area_name)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


# --- doccano --------------------------------------------------------------------------------

def offsets_to_doccano(record: dict[str, Any]) -> dict[str, Any]:
    """A row for a doccano sequence-labelling project: spans as `label: [[start, end, LABEL]]`.
    Such a project has no document categories, so the areas travel as the metadata key
    `areas` (doccano keeps unknown keys as metadata and exports them back)."""
    base = {"text": record["text"], "label": [[e["start"], e["end"], e["label"]] for e in record["entities"]],
            "areas": list(record["areas"]), "para_id": record["id"]}
    return _merge(base, _extras(record, OFFSET_KEYS))


def offsets_to_doccano_intent(record: dict[str, Any]) -> dict[str, Any]:
    """A row for a doccano intent-detection-and-slot-filling project: spans as
    `entities: [[start, end, LABEL]]`, areas as the categories `cats`."""
    base = {"text": record["text"], "entities": [[e["start"], e["end"], e["label"]] for e in record["entities"]],
            "cats": list(record["areas"]), "para_id": record["id"]}
    return _merge(base, _extras(record, OFFSET_KEYS))


def _doccano_span(span: Any) -> dict[str, Any]:
    if isinstance(span, list) and len(span) == 3:
        return {"start": span[0], "end": span[1], "label": span[2]}
    if isinstance(span, dict) and {"start_offset", "end_offset", "label"} <= span.keys():
        return {"start": span["start_offset"], "end": span["end_offset"], "label": span["label"]}
    raise ValueError(f"a span must be [start, end, LABEL] or {{start_offset, end_offset, label}}, got {span!r}")


def doccano_to_offsets(row: dict[str, Any]) -> dict[str, Any]:
    """Offset record of a row of either doccano export: sequence labelling (spans under `label`,
    areas under the metadata key `areas`) or intent + slots (spans under `entities`, areas under
    `cats`). doccano's own row `id` and `Comments` are dropped. A sequence-labelling row without
    `areas` was imported without them: an error, not a record with no areas."""
    if not isinstance(row, dict) or not isinstance(row.get("text"), str) or "para_id" not in row:
        raise ValueError("a doccano row needs text and para_id")
    span_keys = [k for k in ("label", "entities") if k in row]
    area_keys = [k for k in ("cats", "areas") if k in row]
    if len(span_keys) > 1 or len(area_keys) > 1:
        raise ValueError(f"a doccano row carries both {' and '.join(map(repr, span_keys if len(span_keys) > 1 else area_keys))}")
    if not area_keys:
        raise ValueError("no areas: neither 'cats' (intent + slots) nor the metadata key 'areas' (sequence labelling)")
    spans = row[span_keys[0]] if span_keys else []
    if not isinstance(spans, list):
        raise ValueError(f"{span_keys[0]} must be a list of spans, got {spans!r}")
    base = {
        "id": row["para_id"],
        "text": row["text"],
        "entities": sorted(map(_doccano_span, spans), key=lambda e: (e["start"], e["end"])),
        "areas": list(row[area_keys[0]]),
    }
    return _merge(base, _extras(row, ("id", "text", "para_id", "Comments", *span_keys, *area_keys)))


# --- files ----------------------------------------------------------------------------------

def _converted(rows: list[Row], convert: Callable[[Any], dict[str, Any] | None], source: Path) -> list[dict[str, Any]]:
    """Apply a tool-format reader to located rows and validate the result as offset records,
    raising one AnnotationError that lists every problem. Rows the reader returns None for
    (tasks nobody annotated) are left out and counted in a warning."""
    problems: list[str] = []
    converted: list[Row] = []
    skipped = 0
    for where, row in rows:
        try:
            record = convert(row)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
        except (KeyError, TypeError, AttributeError) as exc:
            problems.append(f"{where}: malformed ({type(exc).__name__}: {exc})")
        else:
            if record is None:
                skipped += 1
            else:
                converted.append((where, record))
    problems += validate_records(converted, kind="offsets")
    if problems:
        raise AnnotationError(str(source), problems)
    if skipped:
        log.warning("%s: %d task(s) not annotated, left out (pre-annotations are read only with --include-predictions)",
                    source, skipped)
    return [rec for _, rec in converted]


def read_records(path: Path, fmt: str, *, include_predictions: bool = False) -> list[dict[str, Any]]:
    """Offset records of a file in any of FORMATS, validated (`include_predictions`: Label
    Studio tasks nobody annotated are read from their pre-annotation, see labelstudio_to_offsets)."""
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
        return _converted(rows, lambda task: labelstudio_to_offsets(task, include_predictions), path)
    if fmt in ("doccano", "doccano-intent"):  # either export is read, whichever of the two it is
        rows, bad_lines = read_jsonl_rows(path)
        if bad_lines:
            raise AnnotationError(str(path), bad_lines)
        return _converted(rows, doccano_to_offsets, path)
    raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def write_records(records: list[dict[str, Any]], path: Path, fmt: str, *, ls_as: str = "auto") -> None:
    """Write offset records (validated first) in any of FORMATS (`ls_as`: Label Studio tasks
    carry the labels as annotations or predictions, see offsets_to_labelstudio)."""
    problems = validate_records([(f"record {n}", rec) for n, rec in enumerate(records)], kind="offsets")
    if problems:
        raise AnnotationError(f"records for {path}", problems)
    if fmt == "gold":
        write_jsonl(path, map(offsets_to_gold, records))
    elif fmt == "offsets":
        write_jsonl(path, records)
    elif fmt == "doccano":
        write_jsonl(path, map(offsets_to_doccano, records))
    elif fmt == "doccano-intent":
        write_jsonl(path, map(offsets_to_doccano_intent, records))
    elif fmt == "labelstudio":
        tasks = [offsets_to_labelstudio(rec, n, as_=ls_as) for n, rec in enumerate(records, start=1)]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def convert_file(src: Path, dst: Path, *, from_fmt: str, to_fmt: str, ls_as: str = "auto",
                 include_predictions: bool = False) -> int:
    """Convert a file between two of FORMATS; returns the number of records written."""
    records = read_records(src, from_fmt, include_predictions=include_predictions)
    write_records(records, dst, to_fmt, ls_as=ls_as)
    return len(records)
