"""`nlp render` and `nlp predict --html`: the pages against the predictions they show (entity
elements and offsets, exact text, area badges, targets table links), escaping, errors on bad
input, and the page's script in headless Chromium (skipped when no browser is installed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_predict import ANHUI, GUICHI, ROOT, make_tfidf_model

from nlp.cli import main
from nlp.io import read_jsonl, write_jsonl
from nlp.render import HTML_DIR, INDEX, Report, render_dir
from nlp.tables import DOCUMENT_COLUMNS, TARGET_COLUMNS, write_csv
from nlp.tracking import read_targets


class Page(HTMLParser):
    """What a test reads of a page: per paragraph element its text nodes and entity elements,
    the area badges, every element id, the links, and the targets table's cells."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[dict] = []  # {"anchor", "areas", "text", "marks", "badges", "back"}
        self.ids: set[str] = set()
        self.rows: list[dict] = []  # {"id", "cells", "href"}
        self.title = ""
        self._para: dict | None = None
        self._in: list[str] = []
        self._mark: dict | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        cls = a.get("class", "")
        if cls == "para":
            self._para = {"anchor": a["id"], "areas": a["data-areas"], "text": "", "marks": [], "badges": [], "back": []}
            self.paragraphs.append(self._para)
        elif cls.startswith("badge"):
            self._para["badges"].append(a["data-area"])
        elif cls == "row-link":
            self._para["back"].append(a["href"])
        elif tag == "mark":
            assert "text" in self._in, "an entity element outside the paragraph text"
            self._mark = {"label": a["data-label"], "start": int(a["data-start"]), "end": int(a["data-end"]), "text": ""}
            self._para["marks"].append(self._mark)
        elif tag == "tr" and "id" in a:
            self.rows.append({"id": a["id"], "cells": [], "href": None})
        elif tag == "td" and self.rows:
            self.rows[-1]["cells"].append("")
        elif cls == "para-link":
            self.rows[-1]["href"] = a["href"]
        self._in.append(cls if tag == "p" else tag)

    def handle_endtag(self, tag: str) -> None:
        self._in.pop()
        if tag == "mark":
            self._mark = None

    def handle_data(self, data: str) -> None:
        if "text" in self._in:
            self._para["text"] += data
            if self._mark is not None:
                self._mark["text"] += data
        elif "td" in self._in and self.rows:
            self.rows[-1]["cells"][-1] += data
        elif self._in[-1:] == ["h1"]:
            self.title += data


def _target(href: str) -> str:
    from urllib.parse import unquote

    assert href.startswith("#")
    return unquote(href[1:])


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A predict folder of two sample reports (rule tagger, TF-IDF areas) written with --html."""
    tmp = tmp_path_factory.mktemp("render")
    make_tfidf_model(tmp / "tfidf")
    argv = ["predict", "--config", str(ROOT / "configs" / "predict-baseline.yaml"), "--set", f"areas.path={tmp / 'tfidf'}",
            "--input", str(GUICHI), str(ANHUI), "--output", str(tmp / "out"), "--no-progress", "--html"]
    assert main(argv) == 0
    return tmp / "out"


def _by_doc(out: Path) -> dict[str, list[dict]]:
    docs: dict[str, list[dict]] = {}
    for rec in read_jsonl(out / "paragraphs.jsonl"):
        docs.setdefault(rec["doc_id"], []).append(rec)
    return docs


def test_pages_show_every_paragraph_and_entity_exactly(run):
    docs = _by_doc(run)
    assert len(docs) == 2
    for doc_id, records in docs.items():
        page = Page((run / HTML_DIR / Report(doc_id).page).read_text(encoding="utf-8"))
        assert [p["anchor"] for p in page.paragraphs] == [f"p-{r['id']}" for r in records]
        for para, rec in zip(page.paragraphs, records):
            assert para["text"] == rec["text"]  # the text nodes joined give back the paragraph text
            expected = sorted(((e["label"], e["start"], e["end"], e["text"]) for e in rec["entities"]), key=lambda m: m[1])
            assert [(m["label"], m["start"], m["end"], m["text"]) for m in para["marks"]] == expected
            assert para["badges"] == [a["label"] for a in rec["areas"]] == para["areas"].split()
        assert sum(len(p["marks"]) for p in page.paragraphs) == sum(len(r["entities"]) for r in records) > 0
    headings = (run / HTML_DIR / Report(next(iter(docs))).page).read_text(encoding="utf-8")
    assert '<h2 class="section">一、2020年工作及“十三五”发展回顾</h2>' in headings


def test_targets_table_links_to_paragraphs_and_back(run):
    targets = read_targets(run / "targets.csv")
    for doc_id in _by_doc(run):
        page = Page((run / HTML_DIR / Report(doc_id).page).read_text(encoding="utf-8"))
        rows = [r for r in targets if r["doc_id"] == doc_id]
        assert len(page.rows) == len(rows) > 0
        anchors = {p["anchor"]: p for p in page.paragraphs}
        for shown, row in zip(page.rows, rows):
            columns = ("indicator", "values", "unit", "qualifier", "period", "label", "para_id")
            assert shown["cells"] == [row[c] for c in columns]
            para = anchors[_target(shown["href"])]
            assert para["anchor"] == f"p-{row['para_id']}"
            assert f"#{shown['id']}" in para["back"]  # the paragraph links back to its row
        assert all(_target(h) in page.ids for p in page.paragraphs for h in p["back"])


def test_index_lists_the_reports_and_render_writes_the_same_pages(run, tmp_path, capsys):
    index = (run / HTML_DIR / INDEX).read_text(encoding="utf-8")
    documents = read_targets(run / "documents.csv")
    for doc in documents:
        assert f'href="{Report(doc["doc_id"]).page}"' in index and doc["title"] in index and doc["year"] in index
    assert main(["render", str(run), "--output", str(tmp_path / "html")]) == 0
    assert json.loads(capsys.readouterr().out)["reports"] == len(documents)
    for path in (run / HTML_DIR).iterdir():
        markup = path.read_text(encoding="utf-8")
        assert (tmp_path / "html" / path.name).read_text(encoding="utf-8") == markup
        assert "src=" not in markup and "<link" not in markup and "//" not in re.sub(r"<script>.*</script>", "", markup, flags=re.S)
    assert len(list((tmp_path / "html").iterdir())) == len(documents) + 1


# --- hand-written predict folders ---------------------------------------------------------------


def _para(pid: str, text: str, entities: list[tuple[str, int, int]], section: str = "一、总体要求") -> dict:
    return {"id": pid, "doc_id": "d<1>", "text": text, "section": section, "areas": [{"label": "macro", "score": 0.9}],
            "entities": [{"label": lab, "start": s, "end": e, "text": text[s:e]} for lab, s, e in entities]}


def _folder(tmp_path: Path, records: list[dict], title: str = "报告", targets: list[dict] = ()) -> Path:
    write_jsonl(tmp_path / "paragraphs.jsonl", records)
    write_csv(tmp_path / "documents.csv", DOCUMENT_COLUMNS, [{"doc_id": "d<1>", "title": title, "region": "池州", "year": 2021}])
    write_csv(tmp_path / "targets.csv", TARGET_COLUMNS, targets)
    return tmp_path


def test_text_and_titles_are_escaped(tmp_path):
    text = '<b>增长6%</b> & "引号" \'单\' \r末尾'
    title = '<script>alert("x")</script> & 报告'
    out = _folder(tmp_path, [_para("p<0>", text, [("TARGET", 3, 7), ("PROJECT", 0, 3)], section='一、<i>"要求"</i>')], title,
                  [{"doc_id": "d<1>", "para_id": "p<0>", "indicator": "<指标>", "label": "TARGET", "values": "6"}])
    pages = render_dir(out)
    markup = pages[1].read_text(encoding="utf-8")
    assert "<script>alert" not in markup and "<b>" not in markup and "<i>" not in markup and "<指标>" not in markup
    page = Page(markup)
    assert page.title == title and page.paragraphs[0]["text"] == text
    assert [(m["label"], m["text"]) for m in page.paragraphs[0]["marks"]] == [("PROJECT", "<b>"), ("TARGET", "增长6%")]
    assert _target(page.rows[0]["href"]) == page.paragraphs[0]["anchor"] == "p-p<0>"
    index = pages[0].read_text(encoding="utf-8")  # the index escapes the title too
    assert "<script>alert" not in index and "&lt;script&gt;alert" in index


@pytest.mark.parametrize("entities", [[("TARGET", 0, 4), ("REGION", 2, 6)], [("TARGET", 0, 6), ("REGION", 1, 3)]])
def test_overlapping_entities_are_an_error_not_markup(tmp_path, entities):
    out = _folder(tmp_path, [_para("p0", "今年增长6%左右", []), _para("p1", "池州市增长6%左右", entities)])
    with pytest.raises(ValueError, match=r"paragraphs\.jsonl:2: .*overlap"):
        render_dir(out)
    assert not (out / HTML_DIR).exists()


def test_bad_inputs_are_one_line_naming_the_file(tmp_path, capsys):
    def error(folder: Path) -> str:
        assert main(["render", str(folder)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.count("\n") == 1
        return err

    assert str(tmp_path / "missing") in error(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    assert f"{tmp_path / 'empty' / 'paragraphs.jsonl'}: missing" in error(tmp_path / "empty")
    out = _folder(tmp_path / "bad", [_para("p0", "今年增长6%左右", [("TARGET", 2, 6)])])
    with (out / "paragraphs.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": "p1", "text": \n')
    assert "paragraphs.jsonl:2: invalid JSON" in error(out)
    write_jsonl(out / "paragraphs.jsonl", [_para("p0", "今年增长6%左右", [("TARGET", 2, 9)])])
    assert "paragraphs.jsonl:1: entity" in error(out)
    write_jsonl(out / "paragraphs.jsonl", [{"id": "p0", "text": "今年"}])
    assert "paragraphs.jsonl:1: not a paragraph record" in error(out)
    _folder(out, [_para("p0", "今年增长6%左右", [])], targets=[{"doc_id": "d<1>", "para_id": "p9", "label": "TARGET"}])
    assert "targets.csv: row 1: paragraph 'p9'" in error(out)


def test_a_later_predict_run_removes_the_html_of_the_earlier_one(run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(run, out)
    argv = ["predict", "--config", str(ROOT / "configs" / "predict-baseline.yaml"), "--set",
            f"areas.path={run.parent / 'tfidf'}", "--input", str(GUICHI), "--output", str(out), "--no-progress"]
    assert (out / HTML_DIR / INDEX).is_file() and main(argv) == 0
    assert not (out / HTML_DIR).exists()


# --- in a browser -------------------------------------------------------------------------------


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.skip("no Chromium installed (apt-get install chromium fonts-noto-cjk)")


def test_page_in_headless_chromium(run, tmp_path):
    browser = _browser()
    doc_id, records = next(iter(_by_doc(run).items()))
    url = (run / HTML_DIR / Report(doc_id).page).resolve().as_uri()
    common = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout
    assert re.search(r'<body[^>]*data-ready="1"', dom), "the page's script did not run to its end"
    assert len(re.findall(r'<mark class="ent" data-label="', dom)) == sum(len(r["entities"]) for r in records) > 0
    shot = tmp_path / "page.png"
    subprocess.run([*common, f"--screenshot={shot}", "--window-size=1280,2000", url], capture_output=True, timeout=120,
                   check=True)
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
