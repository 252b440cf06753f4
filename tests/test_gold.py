"""The shipped gold set: valid records, document-level splits, texts identical to what
`nlp ingest` produces, and a data card whose counts are the command's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.annotate.splits import iter_gold_files, load_splits
from nlp.annotate.stats import format_stats, gold_stats
from nlp.annotate.validate import load_gold_files, validate_files

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "annotations" / "gold"
SPLITS = ROOT / "annotations" / "splits.yaml"
CARD = ROOT / "annotations" / "README.md"


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return load_gold_files(list(iter_gold_files(GOLD)))


def test_every_gold_file_validates() -> None:
    files = list(iter_gold_files(GOLD))
    assert files, "no gold file shipped"
    assert validate_files(files) == []


def test_splits_are_by_document(gold: list[dict]) -> None:
    splits = load_splits(SPLITS)
    seen: dict[str, str] = {}
    for split, docs in splits.items():
        for doc in docs:
            assert doc not in seen, f"{doc} in {seen.get(doc)} and {split}"
            seen[doc] = split
    missing = {r["doc_id"] for r in gold} - set(seen)
    assert not missing, f"gold documents in no split: {missing}"
    assert all(r["reviewed"] for r in gold), "every gold record must be reviewed"


def test_data_card_counts_come_from_the_command() -> None:
    card = CARD.read_text(encoding="utf-8")
    table = format_stats(gold_stats(GOLD, load_splits(SPLITS))).strip()
    assert table in card, "annotations/README.md is out of date: paste `nlp annotate stats` output"


@pytest.mark.shared
def test_gold_texts_identical_to_ingest(shared_dir: Path, gold: list[dict]) -> None:
    from nlp.ingest import ingest

    corpus = shared_dir / "corpus"
    result = ingest([corpus / "seeds", corpus / "provincial-2026", corpus / "national"])
    texts = {p["para_id"]: p["text"] for p in result.paragraphs}
    for rec in gold:
        assert rec["id"] in texts, f"{rec['id']} not produced by nlp ingest"
        assert texts[rec["id"]] == rec["text"], rec["id"]
