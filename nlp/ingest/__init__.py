"""Ingestion: raw reports (txt/csv/jsonl, any supported encoding) -> cleaned paragraphs with
exact offsets back to the raw text. See `pipeline.ingest`."""

from nlp.ingest.pipeline import IngestResult, ingest, ingest_unit, read_jsonl, write_ingest, write_jsonl

__all__ = ["IngestResult", "ingest", "ingest_unit", "read_jsonl", "write_ingest", "write_jsonl"]
