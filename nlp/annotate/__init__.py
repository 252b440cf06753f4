"""Gold annotation tooling: the inline markup format, validation against the spec,
conversion to and from Label Studio / doccano, inter-annotator agreement, the splits and
statistics, and rule pre-annotation."""

from nlp.annotate.agreement import format_agreement, score_agreement
from nlp.annotate.convert import FORMATS, convert_file, label_studio_config, read_records, write_records
from nlp.annotate.markup import MarkupError, parse_markup, render_markup
from nlp.annotate.splits import iter_gold_files, load_splits
from nlp.annotate.stats import gold_stats
from nlp.annotate.validate import AnnotationError, load_gold, load_offsets, validate_file, validate_record

__all__ = [
    "FORMATS",
    "AnnotationError",
    "MarkupError",
    "convert_file",
    "format_agreement",
    "gold_stats",
    "iter_gold_files",
    "label_studio_config",
    "load_gold",
    "load_offsets",
    "load_splits",
    "parse_markup",
    "read_records",
    "render_markup",
    "score_agreement",
    "validate_file",
    "validate_record",
    "write_records",
]
