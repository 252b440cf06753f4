"""Targets against results (`nlp track`): from a predict run's targets.csv, one row per
(region, indicator, unit, year) with the target a report set for its year and the result a
later report gave for that year, and whether the target was met.

Which rows take part: measures with an `indicator_id`, a number and a single-year `period`,
of kind level, growth or share (comparisons and ranks are not targets). The target of year Y
is the first such TARGET measure of a report of year Y whose period is Y; the actual is the
first ACHIEVED measure with period Y from the earliest later report. Region is the
document's region code (its name where no code is known); the unit is the base unit, so a GDP
growth rate (%) and a GDP level (元) are two series.

`met`, by the target's qualifier and the indicator's better direction (the vocabulary's
`better`: up, down, or - for a plan figure):
- 以上: actual >= target; 以下 / 以内: actual <= target;
- range lo-hi: up: actual >= lo; down: actual <= hi; -: lo <= actual <= hi;
- 左右: up: actual >= target - 5% of it; down: actual <= target + 5% of it; -: within 5% of it;
- point: up: actual >= target; down: actual <= target; -: actual == target.
Empty when the target or the actual is missing.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nlp.normalize.indicators import vocabulary
from nlp.tables import write_csv

TRACKING_COLUMNS = (
    "region", "region_code", "indicator_id", "indicator", "unit", "year",
    "target_values", "target_value", "target_value_to", "target_qualifier", "target_doc_id", "target_para_id",
    "target_text", "actual_values", "actual_value", "actual_doc_id", "actual_para_id", "actual_text", "met",
)
TRACKED_KINDS = ("level", "growth", "share")
#: How far from a 左右 target a result may fall and still meet it, as a share of the target.
ABOUT = 0.05


def _number(cell: str) -> float | None:
    return float(cell) if cell not in ("", None) else None


def read_targets(path: Path) -> list[dict[str, str]]:
    """Rows of a targets.csv (UTF-8 with or without BOM) as dicts of strings."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _tracked(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["indicator_id"] and r["value"] and re.fullmatch(r"\d{4}", r["period"] or "")
            and r["kind"] in TRACKED_KINDS and r["year"]]


def tracking_rows(rows: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
    """tracking.csv rows of the targets.csv `rows`, sorted by region, indicator, unit, year."""
    targets: dict[tuple, dict[str, str]] = {}
    actuals: dict[tuple, tuple[int, dict[str, str]]] = {}
    for row in _tracked(rows):
        key = (row["region_code"] or row["region"], row["indicator_id"], row["unit_base"], int(row["period"]))
        report = int(row["year"])
        if row["label"] == "TARGET" and report == key[3]:
            targets.setdefault(key, row)
        elif row["label"] == "ACHIEVED" and report > key[3] and (key not in actuals or report < actuals[key][0]):
            actuals[key] = (report, row)
    out = []
    for key in sorted(set(targets) | set(actuals)):
        target, actual = targets.get(key), actuals.get(key, (None, None))[1]
        any_row = target or actual
        indicator = vocabulary()[key[1]]
        out.append({
            "region": any_row["region"], "region_code": any_row["region_code"], "indicator_id": key[1],
            "indicator": indicator.name_zh, "unit": key[2], "year": key[3],
            **_side("target", target, ("values", "value", "value_to", "qualifier")),
            **_side("actual", actual, ("values", "value")),
            "met": _met(target, actual, indicator.better),
        })
    return out


def _side(prefix: str, row: dict[str, str] | None, fields: Sequence[str]) -> dict[str, Any]:
    keys = (*fields, "doc_id", "para_id")
    side = {f"{prefix}_{k}": (row[k] if row else "") for k in keys}
    side[f"{prefix}_text"] = row["measure_text"] if row else ""
    return side


def met(qualifier: str, target: float, target_to: float | None, actual: float, better: str) -> bool:
    """Whether `actual` meets a target (see the module docstring for the rule)."""
    if qualifier == "以上":
        return actual >= target
    if qualifier in ("以下", "以内"):
        return actual <= target
    if qualifier == "range" and target_to is not None:
        lo, hi = min(target, target_to), max(target, target_to)
        return actual >= lo if better == "up" else actual <= hi if better == "down" else lo <= actual <= hi
    slack = ABOUT * abs(target) if qualifier == "左右" else 0.0
    if better == "up":
        return actual >= target - slack
    if better == "down":
        return actual <= target + slack
    return abs(actual - target) <= slack


def _met(target: dict[str, str] | None, actual: dict[str, str] | None, better: str) -> bool | None:
    if target is None or actual is None:
        return None
    return met(target["qualifier"], float(target["value"]), _number(target["value_to"]), float(actual["value"]), better)


def several_years(rows: Iterable[dict[str, str]]) -> bool:
    """Whether the rows come from reports of more than one year of one region."""
    years: dict[str, set[str]] = {}
    for row in rows:
        years.setdefault(row["region_code"] or row["region"], set()).add(row["year"])
    return any(len(y - {""}) > 1 for y in years.values())


def track(predict_dir: Path, output_dir: Path | None = None) -> dict[str, Any]:
    """tracking.csv and one PNG per (region, indicator, unit) series with two or more years,
    from `predict_dir`/targets.csv, into `output_dir` (default: `predict_dir`)."""
    from nlp.plots import target_vs_actual, use_cjk_font

    predict_dir = Path(predict_dir)
    source = predict_dir / "targets.csv"
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no targets.csv (run `nlp predict` with output.formats csv first)")
    output_dir = Path(output_dir or predict_dir)
    rows = tracking_rows(read_targets(source))
    n = write_csv(output_dir / "tracking.csv", TRACKING_COLUMNS, rows)
    series: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        series.setdefault((row["region_code"] or row["region"], row["indicator_id"], row["unit"]), []).append(row)
    plots = []
    shutil.rmtree(output_dir / "tracking", ignore_errors=True)  # no plot of an earlier run stays behind
    chinese = use_cjk_font()
    for (region, ident, unit), points in series.items():
        if len(points) > 1:
            name = f"{region}_{ident}_{_slug(unit)}.png"
            indicator = vocabulary()[ident]
            if chinese:
                title = f"{points[0]['region'] or region} {indicator.name_zh}（{unit or '无单位'}）"
            else:
                title = f"{indicator.name_en} ({_UNIT_EN.get(unit, _slug(unit))}), region {region}"
            plots.append(target_vs_actual(points, output_dir / "tracking" / name, title))
    return {"tracking.csv": n, "plots": len(plots), "output": str(output_dir)}


#: Base units in plot titles where no CJK font is installed.
_UNIT_EN = {"%": "%", "个百分点": "pp", "元": "yuan", "美元": "USD", "人": "persons", "人次": "visits", "吨": "t",
            "平方米": "m2", "米": "m", "千瓦": "kW", "千瓦时": "kWh", "户": "households", "个": "units", "家": "firms"}


def _slug(unit: str) -> str:
    """A file-name part for a unit: pct, pp, yuan, … (hex code points for one not listed)."""
    named = {"%": "pct", "个百分点": "pp"}.get(unit) or _UNIT_EN.get(unit)
    return named or "".join(f"{ord(c):x}" if not c.isascii() else c for c in unit) or "none"
