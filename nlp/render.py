"""The HTML view of a predict run (`nlp render`, `nlp predict --html`): one self-contained page
per report and an index, so that a reader checks the predictions in a browser, from file://,
without a server or any download.

A report's page shows its section headings and paragraphs in order, each entity one
`<mark class="ent" data-label=… data-start=… data-end=…>` with the entity's offsets in the
paragraph text of paragraphs.jsonl, the paragraph's policy areas (primary first) as badges,
and the report's rows of targets.csv, each linked to its paragraph and back. Inline JS
switches the highlighting per entity label and shows only the paragraphs of one policy area.

The text of a paragraph element is exactly the paragraph text (escaped, entity by entity):
entities that overlap cannot be marked up without changing it, so they are an error naming
the file and line, never a silently wrong page.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from nlp.ingest.segment import SECTION_SEPARATOR
from nlp.io import atomic_writer, read_jsonl_rows
from nlp.spec import AREAS, ENTITY_LABELS
from nlp.tracking import read_targets

#: Where `nlp predict --html` (and `nlp render` by default) writes the pages, in the predict folder.
HTML_DIR = "html"
INDEX = "index.html"
#: Highlight colour per entity label (light enough for black text on it).
LABEL_COLOURS: dict[str, str] = {"REGION": "#bfdcff", "PROJECT": "#c9efc0", "TARGET": "#ffd79a", "ACHIEVED": "#f7bfd0"}
#: The columns of targets.csv a report page shows, in order.
TARGET_VIEW_COLUMNS = ("indicator", "values", "unit", "qualifier", "period", "label")
PARAGRAPH_KEYS = ("id", "doc_id", "text", "areas", "entities")


@dataclass
class Report:
    """One document of a predict run: documents.csv's metadata, its paragraph records in
    order, and its rows of targets.csv."""

    doc_id: str
    title: str = ""
    region: str = ""
    year: str = ""
    paragraphs: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)

    @property
    def page(self) -> str:
        """File name of the report's page: the doc_id where it is a safe file name (ingested
        ids are hashes), else its safe characters and a hash, so that no two ids share a page."""
        name = re.sub(r"[^0-9A-Za-z_-]", "_", self.doc_id)[:80]
        if name != self.doc_id or not name:
            name += "-" + hashlib.sha1(self.doc_id.encode("utf-8")).hexdigest()[:10]
        return f"doc-{name}.html"

    @property
    def n_entities(self) -> int:
        return sum(len(p["entities"]) for p in self.paragraphs)


# --- reading the predict folder ----------------------------------------------------------------


def read_reports(predict_dir: Path) -> list[Report]:
    """The reports of a predict folder in input order (first appearance in paragraphs.jsonl),
    with documents.csv and targets.csv where the run wrote CSV. Bad input is a ValueError
    naming the file (and line or row); entity markup problems are found here too, before any
    page is written."""
    predict_dir = Path(predict_dir)
    if not predict_dir.is_dir():
        raise ValueError(f"{predict_dir}: no such folder (expected an output folder of `nlp predict`)")
    path = predict_dir / "paragraphs.jsonl"
    if not path.is_file():
        raise ValueError(f"{path}: missing: not an output folder of `nlp predict`, or one written without the jsonl format")
    rows, errors = read_jsonl_rows(path)
    if errors:
        raise ValueError(errors[0])
    reports: dict[str, Report] = {}
    for where, rec in rows:
        _check_paragraph(rec, where)
        reports.setdefault(rec["doc_id"], Report(rec["doc_id"])).paragraphs.append(rec)
    documents = predict_dir / "documents.csv"
    for k, row in enumerate(_csv_rows(documents, ("doc_id", "title", "region", "year")), start=1):
        if (report := reports.get(row["doc_id"])) is None:
            raise ValueError(f"{documents}: row {k}: document {row['doc_id']!r} has no paragraph in {path}")
        report.title, report.region, report.year = row["title"], row["region"], row["year"]
    targets = predict_dir / "targets.csv"
    para_ids = {(p["doc_id"], p["id"]) for r in reports.values() for p in r.paragraphs}
    for k, row in enumerate(_csv_rows(targets, ("doc_id", "para_id", *TARGET_VIEW_COLUMNS)), start=1):
        if (row["doc_id"], row["para_id"]) not in para_ids:
            raise ValueError(f"{targets}: row {k}: paragraph {row['para_id']!r} of {row['doc_id']!r} is not in {path}")
        reports[row["doc_id"]].targets.append(row)
    return list(reports.values())


def _csv_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a table of the run; none when the run wrote no CSV (output.formats: [jsonl])."""
    if not path.is_file():
        return []
    rows = read_targets(path)
    missing = [c for c in columns if rows and c not in rows[0]]
    if missing:
        raise ValueError(f"{path}: not a table of `nlp predict` (no column {', '.join(missing)})")
    return rows


def _check_paragraph(rec: object, where: str) -> None:
    """A paragraph record as `nlp predict` writes it, and entities that can be marked up:
    known labels, offsets inside the text that match the entity's text, no overlaps."""
    if not isinstance(rec, dict) or (missing := [k for k in PARAGRAPH_KEYS if k not in rec]):
        raise ValueError(f"{where}: not a paragraph record of `nlp predict` (missing {missing or PARAGRAPH_KEYS})")
    text = rec["text"]
    if not isinstance(text, str) or not all(isinstance(x, list) and all(isinstance(i, dict) for i in x)
                                            for x in (rec["entities"], rec["areas"])):
        raise ValueError(f"{where}: not a paragraph record of `nlp predict` (text, entities or areas of another type)")
    end_before = 0
    for ent in _sorted_entities(rec["entities"]):
        start, end, label = ent.get("start"), ent.get("end"), ent.get("label")
        if label not in ENTITY_LABELS or type(start) is not int or type(end) is not int \
                or not 0 <= start < end <= len(text) or ent.get("text", text[start:end]) != text[start:end]:
            raise ValueError(f"{where}: entity {ent!r} does not match the paragraph text")
        if start < end_before:
            raise ValueError(f"{where}: entity {label} [{start}, {end}) overlaps the entity before it, ending at "
                             f"{end_before}: overlapping entities cannot be marked up")
        end_before = end
    if not rec["areas"] or any(a.get("label") not in AREAS or not isinstance(a.get("score"), (int, float))
                               for a in rec["areas"]):
        raise ValueError(f"{where}: areas {rec['areas']!r} are not scored policy areas")


def _sorted_entities(entities: Sequence[dict]) -> list[dict]:
    return sorted(entities, key=lambda e: (e.get("start", 0), e.get("end", 0)))


# --- markup --------------------------------------------------------------------------------------


def _text(value: str) -> str:
    """Text escaped for HTML; a carriage return as a character reference, since a browser turns
    a raw CR in the page into a line feed, and the text would no longer be the paragraph's."""
    return html.escape(value).replace("\r", "&#13;")


def _anchor(para_id: str) -> str:
    return f"p-{para_id}"


def _href(fragment: str) -> str:
    return html.escape("#" + quote(fragment, safe=""))


def paragraph_markup(para: dict) -> str:
    """The paragraph text with each entity as one <mark>; its text nodes joined are the text."""
    text, parts, pos = para["text"], [], 0
    for ent in _sorted_entities(para["entities"]):
        start, end, label = ent["start"], ent["end"], ent["label"]
        parts.append(_text(text[pos:start]))
        parts.append(f'<mark class="ent" data-label="{label}" data-start="{start}" data-end="{end}" '
                     f'title="{label}">{_text(text[start:end])}</mark>')
        pos = end
    parts.append(_text(text[pos:]))
    return "".join(parts)


def _headings(previous: list[str], section: str) -> tuple[list[str], str]:
    """The heading path of `section` and the headings to open where it leaves `previous`."""
    path = section.split(SECTION_SEPARATOR) if section else []
    same = 0
    while same < min(len(path), len(previous)) and path[same] == previous[same]:
        same += 1
    return path, "".join(f'<h{min(level + 2, 6)} class="section">{_text(title)}</h{min(level + 2, 6)}>\n'
                         for level, title in enumerate(path) if level >= same)


def _paragraph_block(para: dict, target_rows: list[int]) -> str:
    areas = " ".join(a["label"] for a in para["areas"])
    badges = "".join(f'<span class="badge{" primary" if k == 0 else ""}" data-area="{a["label"]}" '
                     f'title="{a["label"]} {a["score"]:.2f}">{_text(AREAS[a["label"]])}</span>'
                     for k, a in enumerate(para["areas"]))
    back = "".join(f'<a class="row-link" href="{_href(f"t-{k}")}">目标 {k}</a>' for k in target_rows)
    anchor = _anchor(para["id"])
    return (f'<div class="para" id="{html.escape(anchor)}" data-areas="{areas}">\n'
            f'<div class="meta"><a class="pid" href="{_href(anchor)}">{_text(para["id"])}</a> {badges} {back}</div>\n'
            f'<p class="text">{paragraph_markup(para)}</p>\n</div>\n')


def _targets_table(report: Report) -> str:
    if not report.targets:
        return '<p class="empty">No target or result rows for this report in targets.csv.</p>\n'
    head = "".join(f"<th>{c}</th>" for c in (*TARGET_VIEW_COLUMNS, "paragraph"))
    body = "".join(
        f'<tr id="t-{k}">' + "".join(f"<td>{_text(row[c])}</td>" for c in TARGET_VIEW_COLUMNS)
        + f'<td><a class="para-link" href="{_href(_anchor(row["para_id"]))}">{_text(row["para_id"])}</a></td></tr>\n'
        for k, row in enumerate(report.targets, start=1))
    return f'<table class="targets">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n'


_CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; line-height: 1.7; color: #222; }
header.controls { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ccc; padding: .4rem 0; z-index: 1; }
.legend label { margin-right: 1rem; white-space: nowrap; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: middle; border-radius: 2px; }
.para { margin: .6rem 0 1rem; }
.para:target { outline: 2px solid #f90; }
.meta { font-size: .8rem; color: #666; }
.text { margin: .2rem 0; white-space: pre-wrap; }
.badge { display: inline-block; padding: 0 .4rem; margin-right: .2rem; border-radius: .6rem; background: #eee; }
.badge.primary { background: #555; color: #fff; }
mark.ent { padding: 0 1px; border-radius: 2px; }
a.row-link { margin-left: .4rem; }
table { border-collapse: collapse; font-size: .85rem; }
td, th { border: 1px solid #ccc; padding: .15rem .4rem; text-align: left; }
tr:target { background: #ffefc2; }
"""

_JS = """
(function () {
  var body = document.body;
  document.querySelectorAll("input[data-filter-label]").forEach(function (box) {
    var apply = function () { body.classList.toggle("hide-" + box.dataset.filterLabel, !box.checked); };
    box.addEventListener("change", apply);
    apply();
  });
  var select = document.getElementById("area-filter");
  var applyArea = function () {
    document.querySelectorAll(".para").forEach(function (para) {
      para.hidden = select.value !== "" && para.dataset.areas.split(" ").indexOf(select.value) < 0;
    });
  };
  select.addEventListener("change", applyArea);
  applyArea();
  body.dataset.ready = "1";
})();
"""


def _style() -> str:
    colours = "".join(f'mark.ent[data-label="{label}"] {{ background: {colour}; }}\n'
                      f'body.hide-{label} mark.ent[data-label="{label}"] {{ background: none; }}\n'
                      for label, colour in LABEL_COLOURS.items())
    return f"<style>{_CSS}{colours}</style>"


def _page(title: str, body: str, script: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n<title>{_text(title)}</title>\n'
            f'{_style()}\n</head>\n<body>\n{body}{f"<script>{script}</script>" if script else ""}\n</body>\n</html>\n')


def _label(report: Report) -> str:
    return report.title or report.doc_id


def render_report(report: Report) -> str:
    """The page of one report (checked by `read_reports`): headings, paragraphs with entities
    and area badges, the targets table, and the filters."""
    rows_of: dict[str, list[int]] = {}
    for k, row in enumerate(report.targets, start=1):
        rows_of.setdefault(row["para_id"], []).append(k)
    legend = "".join(f'<label><input type="checkbox" checked data-filter-label="{label}"> '
                     f'<span class="swatch" style="background: {colour}"></span> {label}</label>'
                     for label, colour in LABEL_COLOURS.items())
    present = {a["label"] for p in report.paragraphs for a in p["areas"]}
    options = "".join(f'<option value="{a}">{_text(name)}</option>' for a, name in AREAS.items() if a in present)
    controls = (f'<header class="controls"><a href="{INDEX}">← index</a>\n<div class="legend">{legend}\n'
                f'<label>policy area <select id="area-filter"><option value="">all</option>{options}</select></label>'
                f'</div></header>\n')
    meta = " · ".join(_text(v) for v in (report.region, report.year, report.doc_id) if v)
    parts, path = [], []
    for para in report.paragraphs:
        path, headings = _headings(path, para.get("section") or "")  # records of older runs lack it
        parts.append(headings + _paragraph_block(para, rows_of.get(para["id"], [])))
    body = (f"{controls}<h1>{_text(_label(report))}</h1>\n<p class=\"meta\">{meta}</p>\n{''.join(parts)}"
            f'<h2 id="targets">Targets and results ({len(report.targets)})</h2>\n{_targets_table(report)}')
    return _page(_label(report), body, _JS)


def render_index(reports: Sequence[Report]) -> str:
    """The page listing the reports with links to their pages and their counts."""
    rows = "".join(
        f'<tr><td><a href="{html.escape(quote(r.page))}">{_text(_label(r))}</a></td><td>{_text(r.region)}</td>'
        f"<td>{_text(r.year)}</td><td>{len(r.paragraphs)}</td><td>{r.n_entities}</td><td>{len(r.targets)}</td></tr>\n"
        for r in reports)
    body = ("<h1>Reports</h1>\n<table>\n<thead><tr><th>title</th><th>region</th><th>year</th><th>paragraphs</th>"
            f"<th>entities</th><th>target rows</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n")
    return _page("Reports", body)


def render_dir(predict_dir: Path, output: Path | None = None) -> list[Path]:
    """Writes a page per report of `predict_dir` and index.html into `output` (default
    PREDICT_DIR/html), each atomically; report pages an earlier render left there are removed,
    so that the folder shows this run only. Returns the paths written, index first."""
    reports = read_reports(predict_dir)
    output = Path(output) if output is not None else Path(predict_dir) / HTML_DIR
    written = [output / INDEX]
    with atomic_writer(written[0]) as fh:
        fh.write(render_index(reports))
    for report in reports:
        written.append(output / report.page)
        with atomic_writer(written[-1]) as fh:
            fh.write(render_report(report))
    for stale in set(output.glob("doc-*.html")) - set(written):
        stale.unlink()
    return written
