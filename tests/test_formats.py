"""Input formats of `nlp ingest` / `nlp predict`: PDF, web pages and Word files built here from
a sample report, with exact offsets into the extracted text; damaged files; standard input,
--text and `-o -` (JSON lines on standard output) through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.ingest import ingest
from nlp.ingest.clean import TERMINAL
from nlp.ingest.formats import docx_text, extract_text, html_text
from nlp.ingest.mapped import decode_runs
from nlp.ingest.readers import STDIN, TextInput, resolve_inputs

ROOT = Path(__file__).resolve().parents[1]
GUICHI = ROOT / "nlp" / "resources" / "samples" / "guichi-2021.txt"
HEADER = "池州市贵池区人民政府"
FONT = "STSong-Light"


def report_lines() -> list[str]:
    """The first lines of a sample report that end a sentence or are short: lines the cleaning
    keeps apart however a PDF wraps them (a long unterminated line is joined to the next)."""
    lines = GUICHI.read_text(encoding="utf-8").split("\n")[:24]
    return [line for line in lines if line.strip() and (len(line) < 30 or line[-1] in TERMINAL)]


REPORT = "\n".join(report_lines()) + "\n"


def check_offsets(paragraphs: list[dict], raw: str) -> None:
    """Every paragraph character is the raw character its offset names (as for .txt files)."""
    assert paragraphs
    for p in paragraphs:
        offsets = decode_runs(p["raw_map"])
        assert "".join(raw[o] for o in offsets) == p["text"]
        assert (offsets[0], offsets[-1] + 1) == (p["raw_start"], p["raw_end"])


def texts(paragraphs: list[dict]) -> list[str]:
    return [p["text"] for p in paragraphs]


@pytest.fixture(scope="module")
def txt_paragraphs(tmp_path_factory) -> list[str]:
    path = tmp_path_factory.mktemp("txt") / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return texts(ingest([path]).paragraphs)


def wrap(line: str, width: float, indent: float = 0, avoid_sentence_end: bool = True) -> list[str]:
    """`line` in rows at most `width` points wide in 10 pt STSong-Light (the first `indent`
    points narrower), as a PDF export breaks them; with `avoid_sentence_end`, one character
    fewer where a row would end in a sentence end while the line goes on."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rows: list[str] = []
    while stringWidth(line, FONT, 10) > (room := width - (0 if rows else indent)):
        cut = 1
        while stringWidth(line[: cut + 1], FONT, 10) <= room:
            cut += 1
        cut -= avoid_sentence_end and line[cut - 1] in TERMINAL
        rows.append(line[:cut])
        line = line[cut:]
    return rows + [line]


def make_pdf(path: Path, lines: list[str], per_line: int = 40, per_page: int = 40, indent: bool = False) -> int:
    """A PDF of `lines` wrapped at `per_line` Chinese characters' width, with a
    running header and a `- n -` page number on each page; returns the page count. Without
    `indent` (paragraphs not indented, so the layout cannot tell a paragraph's end from a
    full line), a row does not end in 。 or another sentence end when its line goes on."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    rows = [(k == 0 and indent, row) for line in lines
            for k, row in enumerate(wrap(line, 10 * per_line, 20 * indent, not indent))]
    pdf = canvas.Canvas(str(path))
    pages = [rows[i : i + per_page] for i in range(0, len(rows), per_page)]
    for number, page in enumerate(pages, start=1):
        pdf.setFont(FONT, 10)
        pdf.drawString(60, 800, HEADER)
        for k, (first, row) in enumerate(page):
            pdf.drawString(60 + 20 * first, 770 - 17 * k, row)
        pdf.drawString(290, 40, f"- {number} -")
        pdf.showPage()
    pdf.save()
    return len(pages)


def test_pdf_paragraphs_are_those_of_the_text_with_exact_offsets(tmp_path, txt_paragraphs):
    path = tmp_path / "report.pdf"
    n_pages = make_pdf(path, report_lines())
    assert n_pages >= 3
    raw = extract_text(path)
    if "池州市贵池区" not in raw:
        pytest.skip("pdfplumber did not extract the STSong-Light CID font back to Unicode")
    assert HEADER not in raw and "- 2 -" not in raw  # running header and page numbers left out
    result = ingest([path])
    assert result.errors == [] and result.documents[0]["source"] == {"path": str(path), "format": "pdf", "pages": n_pages}
    check_offsets(result.paragraphs, raw)
    # the page-width breaks are joined again; a PDF keeps no runs of spaces (区长  崩兴宇)
    assert texts(result.paragraphs) == ["".join(t.split()) for t in txt_paragraphs]


def test_narrow_indented_pdf_lines_are_joined_by_their_layout(tmp_path, txt_paragraphs):
    """26 characters a line (a report's 16 pt type on A4 gives about 28), some rows ending in
    。 inside a paragraph: lines too short for the cleaning's rule, joined by the layout."""
    path = tmp_path / "narrow.pdf"
    make_pdf(path, report_lines(), per_line=26, indent=True)
    assert any(row[-1] in TERMINAL for line in report_lines() for row in wrap(line, 260, 20, False)[:-1])
    result = ingest([path])
    check_offsets(result.paragraphs, extract_text(path))
    assert texts(result.paragraphs) == ["".join(t.split()) for t in txt_paragraphs]


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_池州市人民政府</title>
<style>.menu {{ color: red }}</style><script>var nav = "首页|政务公开";</script></head>
<body>
<div class="header"><ul class="menu"><li><a href="/">首页</a></li><li>政务公开</li><li>办事服务</li></ul></div>
<nav><a href="/">互动交流</a></nav>
<div class="breadcrumb">您的位置：首页 &gt; 政务公开</div>
<div class="main-wrap"><h1>{title}</h1>
<div class="share">分享到：微信 微博</div>
<div id="zoom" class="TRS_Editor">
{body}
</div>
<aside><ul><li>相关链接：池州市统计公报</li></ul></aside></div>
<div class="footer">版权所有：池州市人民政府办公室 皖ICP备05000001号</div>
<script>trackPage("report");</script>
</body></html>
"""


def make_page(lines: list[str]) -> str:
    """A government site's page: the report's first line as <h1>, the rest in the content
    block, one <p> each, long ones broken in the HTML source between two characters."""
    body = "\n".join(f"<p>{line[:20]}\n  {line[20:]}</p>" if len(line) > 40 else f"<p>{line}</p>" for line in lines[1:])
    return PAGE.format(title=lines[0], body=body)


def test_html_main_text_without_site_chrome(tmp_path, txt_paragraphs):
    path = tmp_path / "report.html"
    path.write_text(make_page(report_lines()), encoding="utf-8")
    raw = extract_text(path)
    for chrome in ("政务公开", "办事服务", "互动交流", "您的位置", "分享到", "相关链接", "版权所有", "trackPage", "color", "_池州市人民政府"):
        assert chrome not in raw, chrome
    result = ingest([path])
    assert result.errors == [] and result.documents[0]["source"]["format"] == "html"
    check_offsets(result.paragraphs, raw)
    assert texts(result.paragraphs) == txt_paragraphs
    assert result.documents[0]["title"] == ingest([TextInput.from_text(REPORT)]).documents[0]["title"]


def test_html_saved_as_txt_is_read_as_html(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(make_page(report_lines()), encoding="utf-8")
    result = ingest([path])
    assert result.errors == [] and result.documents[0]["source"]["format"] == "html"
    assert "版权所有" not in "".join(texts(result.paragraphs))


def test_html_inline_markup_entities_and_unclosed_tags():
    page = ("<body><nav><ul><li>首页<li>政务公开</ul></nav><div class=menu><p>办事<p>互动</div>"
            "<div class='content'><p>增长<b>5</b>&nbsp;%，<br>二、任务<p>三、<img src=x>措施</div><div class=footer>版权</div></body>")
    text, encoding = html_text(page.encode(), "x.html")
    assert (text, encoding) == ("增长5\xa0%，\n二、任务\n三、措施", "utf-8")


def make_docx(path: Path, lines: list[str], table: list[list[str]] | None = None) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    document.save(str(path))


def test_docx_paragraphs_are_those_of_the_text(tmp_path, txt_paragraphs):
    path = tmp_path / "report.docx"
    make_docx(path, report_lines())
    raw = extract_text(path)
    assert raw == REPORT.rstrip("\n")
    result = ingest([path])
    assert result.errors == [] and result.documents[0]["source"] == {"path": str(path), "format": "docx"}
    check_offsets(result.paragraphs, raw)
    assert texts(result.paragraphs) == txt_paragraphs


def test_docx_tables_in_document_order(tmp_path):
    path = tmp_path / "t.docx"
    make_docx(path, ["主要指标："], [["指标", "目标"], ["地区生产总值", "增长8.5%"]])
    assert docx_text(path.read_bytes()) == "主要指标：\n指标\t目标\n地区生产总值\t增长8.5%"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("bad.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "not a readable PDF"),
    ("bad.docx", b"PK\x03\x04 not a zip at all", "not a readable Word .docx file"),
    ("scan.txt", b"%PDF-1.4\n%%EOF", "not a readable PDF"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Word (.doc) is not read"),
    ("sheet.xlsx", b"PK\x03\x04", "Excel is not read"),
])
def test_damaged_or_legacy_file_is_one_error_and_the_batch_goes_on(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "ok.txt").write_text(REPORT, encoding="utf-8")
    result = ingest([tmp_path / name, tmp_path / "ok.txt"])
    assert len(result.documents) == 1 and len(result.errors) == 1
    assert result.errors[0].startswith(f"{tmp_path / name}: ") and message in result.errors[0]
    assert "Traceback" not in result.errors[0]


def test_a_folder_holds_every_format(tmp_path, txt_paragraphs):
    make_docx(tmp_path / "a.docx", report_lines())
    (tmp_path / "b.html").write_text(make_page(report_lines()[:-1]), encoding="utf-8")
    result = ingest([tmp_path])
    assert [d["source"]["format"] for d in result.documents] == ["docx", "html"]


def test_resolve_inputs_reads_stdin_once(tmp_path):
    import io

    inputs = resolve_inputs([Path("a.txt"), Path(STDIN)], ["第一", "第二"], io.BytesIO("报告".encode()))
    assert inputs == [Path("a.txt"), TextInput("<stdin>", "报告".encode()), TextInput.from_text("第一", "<text 1>"),
                      TextInput.from_text("第二", "<text 2>")]
    with pytest.raises(ValueError, match="more than once"):
        resolve_inputs([Path(STDIN), Path(STDIN)], [], io.BytesIO(b""))
    with pytest.raises(ValueError, match="no input"):
        resolve_inputs([], [])


def nlp(*argv: str, stdin: bytes = b"", cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m nlp ARGV` in a fresh process (this checkout's package), bytes in and out."""
    return subprocess.run([sys.executable, "-m", "nlp", *argv], input=stdin, capture_output=True, cwd=cwd, timeout=300)


def test_ingest_stdin_text_and_stdout(tmp_path):
    folder = nlp("ingest", str(GUICHI), "-o", str(tmp_path / "out"))
    assert folder.returncode == 0, folder.stderr.decode()
    expected = (tmp_path / "out" / "paragraphs.jsonl").read_bytes()
    piped = nlp("ingest", STDIN, "-o", "-", stdin=GUICHI.read_bytes())
    assert piped.returncode == 0, piped.stderr.decode()
    assert piped.stdout == expected and "standard output" in piped.stderr.decode()
    gbk = nlp("ingest", "-", "-o", str(tmp_path / "gbk"), stdin=REPORT.encode("gb18030"))
    assert gbk.returncode == 0
    doc = json.loads((tmp_path / "gbk" / "documents.jsonl").read_text(encoding="utf-8"))
    assert doc["source"]["path"] == "<stdin>" and doc["source"]["encoding"] == "gb18030"
    text = nlp("ingest", "--text", REPORT, "-o", "-")
    assert text.returncode == 0
    records = [json.loads(line) for line in text.stdout.decode("utf-8").splitlines()]
    check_offsets(records, REPORT)
    none = nlp("ingest", "-o", "-")
    assert none.returncode == 2 and "no input" in none.stderr.decode() and not none.stdout


@pytest.fixture(scope="module")
def tfidf(tmp_path_factory) -> Path:
    from test_predict import make_tfidf_model

    return make_tfidf_model(tmp_path_factory.mktemp("tfidf") / "tfidf")


def test_predict_stdin_text_and_stdout(tmp_path, tfidf):
    config = ["--config", str(ROOT / "configs" / "predict-baseline.yaml"), "--set", f"areas.path={tfidf}", "--no-progress"]
    folder = nlp("predict", *config, "--input", str(GUICHI), "--output", str(tmp_path / "out"))
    assert folder.returncode == 0, folder.stderr.decode()
    expected = (tmp_path / "out" / "paragraphs.jsonl").read_bytes()
    piped = nlp("predict", *config, "--input", "-", "--output", "-", stdin=GUICHI.read_bytes())
    assert piped.returncode == 0, piped.stderr.decode()
    assert piped.stdout == expected
    summary = json.loads(piped.stderr.decode()[piped.stderr.decode().index("{"):])
    assert summary["documents"] == 1 and summary["errors"] == 0
    text = nlp("predict", *config, "--text", GUICHI.read_text(encoding="utf-8"), "-o", "-")
    assert text.returncode == 0 and text.stdout == expected
    for flag in ("--resume", "--html"):
        bad = nlp("predict", *config, "--text", "报告", "-o", "-", flag)
        assert bad.returncode == 2 and flag in bad.stderr.decode() and not bad.stdout
    none = nlp("predict", *config, "-o", "-")
    assert none.returncode == 2 and "no input" in none.stderr.decode()


def test_ray_engine_reads_text_inputs_on_the_driver(tmp_path):
    """A text input is no file a Ray task could open: the driver reads it, in its place."""
    pytest.importorskip("ray")
    from test_predict import fakes, make_cfg

    from nlp.ingest.documents import read_documents
    from nlp.predict.ray_engine import RayEngine

    inputs = [TextInput.from_text(REPORT), GUICHI]
    cfg = make_cfg(tmp_path)
    engine = RayEngine(cfg, fakes())
    try:
        got = [d.doc_id for d in engine.documents(inputs)]
    finally:
        engine.close()
    assert got == [d.doc_id for d in read_documents(inputs, cfg.max_paragraph_chars)] and len(got) == 2
