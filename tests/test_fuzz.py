"""Fuzzing the readers with hypothesis: whatever bytes or lines arrive, ingestion and the
pre-segmented reader either keep what is readable or report it by file and line; nothing else
escapes (no traceback), and every paragraph kept maps back to its raw characters."""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.ingest import ingest
from nlp.ingest.decode import NotTextError, decode_bytes
from nlp.ingest.documents import Document, Failure, read_documents

REPORT = "池州市2021年政府工作报告\n各位代表：\n过去一年，全市地区生产总值增长5%，粮食产量达到1.37万亿斤。\n"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=400))
def test_decode_returns_text_or_names_the_file(data):
    try:
        text, encoding = decode_bytes(data, "f.txt")
    except NotTextError as exc:
        assert str(exc).startswith("f.txt: ")
    else:
        assert isinstance(text, str) and encoding


@FUZZ
@given(st.binary(max_size=60), st.integers(0, len(REPORT.encode("utf-8"))))
def test_damaged_reports_are_ingested_or_reported(tmp_path, junk, at):
    data = REPORT.encode("utf-8")
    path = tmp_path / "r.txt"
    path.write_bytes(data[:at] + junk + data[at:])
    result = ingest([path])
    assert result.documents or any("r.txt" in e for e in result.errors)
    if result.documents:
        raw = decode_bytes(path.read_bytes())[0]
        for p in result.paragraphs:
            assert p["text"] == "".join(raw[i] for i in _offsets(p["raw_map"]))


def _offsets(runs):
    return [raw + k for _, raw, length in runs for k in range(length)]


@FUZZ
@given(st.lists(st.one_of(
    st.builds(lambda i, t: json.dumps({"id": f"x{i}", "text": t}, ensure_ascii=False), st.integers(0, 9), st.text(min_size=1, max_size=20)),
    st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
    st.just('{"id": "bad"'), st.just('"\\ud800"'),
), min_size=1, max_size=12))
def test_presegmented_lines_are_kept_or_reported_one_by_one(tmp_path, lines):
    path = tmp_path / "p.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
    out = list(read_documents([path], 500))
    assert all(isinstance(item, (Document, Failure)) for item in out)
    for item in out:
        if isinstance(item, Failure):
            assert "p.jsonl" in item.source or "p.jsonl" in item.error


@FUZZ
@given(st.lists(st.tuples(st.text(alphabet="池州年报告\"',\n ", max_size=8), st.sampled_from(["", '"', '""', ',', '\n'])),
                min_size=1, max_size=6))
def test_csv_with_random_quoting_is_read_row_by_row_or_reported(tmp_path, cells):
    """Random quotes, commas and line breaks in the cells of a CSV: ingestion never raises; every
    problem is an error naming the file and its line or row, and every paragraph kept maps back
    to the characters of the cell it came from."""
    body = "".join(f'{t}{junk},"{REPORT.strip()}"\n' for t, junk in cells)
    path = tmp_path / "c.csv"
    path.write_text("title,content\n" + body, encoding="utf-8")
    result = ingest([path])
    assert all(re.search(r"c\.csv:(?:row |.*line )?\d+", e) for e in result.errors), result.errors
    cells_of_row = {}
    try:
        for n, row in enumerate(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""), strict=True), start=2):
            cells_of_row[n] = row
    except csv.Error:
        pass  # the rows before a malformed one are what ingestion keeps
    sources = {d["doc_id"]: d["source"] for d in result.documents}
    for p in result.paragraphs:
        source = sources[p["doc_id"]]
        raw = cells_of_row[source["row"]][source["field"]]
        assert p["text"] == "".join(raw[i] for i in _offsets(p["raw_map"]))
