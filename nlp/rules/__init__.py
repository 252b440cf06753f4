"""Rule-based entity tagger: the pre-annotation that annotators correct into the gold set,
the baseline every model must beat, and the hints the NER model reads.

Modules: `common` (shared helpers and word-list resources), `gazetteer` (administrative
divisions from cpca's data file), `regions`, `projects`, `quantities` (span finders, one label
family each) and `tagger` (`RuleTagger`, which merges them into flat, non-overlapping spans)."""
