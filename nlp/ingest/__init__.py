"""Ingestion: raw reports (txt/csv/jsonl, any supported encoding) -> cleaned paragraphs with
exact offsets back to the raw text. See `pipeline.ingest`."""

from nlp.ingest.pipeline import IngestResult, ingest, ingest_unit, write_ingest

__all__ = ["IngestResult", "ingest", "ingest_unit", "write_ingest"]
