"""Rule hints for the NER model: the rule tagger's BIO tag of every character, given to the
encoder through its token-type (segment) embeddings.

Why: the embedded encoder is small (4 layers, 312 wide) and the gold train split has about a
thousand entity paragraphs, too few to learn the gazetteer's thousands of place names or the
quantity patterns from scratch. With hints the model starts from what the rules know and learns from
the gold where to trust, extend, cut or relabel a rule span (a stacked model, in the manner of
gazetteer features in classic NER). Token-type embeddings are the one per-token input every
BERT-style encoder has, so the hints need no new module: the table grows from 2 rows to one
row per BIO label, each row starting as the pretrained type-0 vector, and the model saves and
loads with plain `save_pretrained` / `from_pretrained`.

The rules see the paragraph's section path and report year when the records carry them
(gold records do, `nlp predict` passes them from ingestion): they tell a target from a result
("2021年工作安排" vs "过去一年工作回顾"), which the paragraph text alone often does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from nlp.data import spans_to_bio

#: The hint "label" of a rule quantity whose tense no cue decided (`tense_cue` false).
UNDECIDED = "QUANTITY"


def hint_labels(labels: Sequence[str], undecided: bool) -> list[str]:
    """The hint vocabulary: the BIO labels, plus B-/I-QUANTITY with `undecided`.

    Why: without a section or year the rules call a quantity with no cue ACHIEVED by default,
    and a model fed that as an ACHIEVED hint copies it (goals in bare paragraphs lose their
    TARGET label). A hint of its own tells the model that the tense is not known and must be
    read from the text; with `data.context_dropout` it sees such paragraphs in training."""
    return [*labels, f"B-{UNDECIDED}", f"I-{UNDECIDED}"] if undecided else list(labels)


def hint_ids(texts: Sequence[str], found: Sequence[Sequence[dict]], labels: Sequence[str]) -> list[list[int]]:
    """Per text, the index in the hint vocabulary `labels` of the BIO tag that the entities
    `found` give each character (see `hint_labels`)."""
    index = {label: i for i, label in enumerate(labels)}
    undecided = f"B-{UNDECIDED}" in index

    def label(e: dict) -> str:
        return UNDECIDED if undecided and e.get("tense_cue") is False else e["label"]

    return [
        [index[tag] for tag in spans_to_bio(len(text), [(e["start"], e["end"], label(e)) for e in ents])]
        for text, ents in zip(texts, found)
    ]


def take_rule_regions(predicted: Sequence[dict], rules: Sequence[dict]) -> list[dict]:
    """`predicted` with its REGION spans replaced by the rules' (`model.regions: rules`).

    Why: the rules find places with a gazetteer of every division name; with the gold set's
    few hundred REGION examples the model adds fragments (中, 淮, 闽) and misses names the
    gazetteer knows (the dev figures are in the README results). A rule REGION that overlaps a model span of another label (a place inside a
    project name) is left out, so spans stay flat."""
    kept = [e for e in predicted if e["label"] != "REGION"]
    regions = [
        r for r in rules
        if r["label"] == "REGION" and not any(e["start"] < r["end"] and r["start"] < e["end"] for e in kept)
    ]
    return sorted(kept + regions, key=lambda e: (e["start"], e["end"]))


#: The shortest model REGION that `union_regions` adds: single-character ones were fragments on dev.
UNION_MIN_REGION = 2


def union_regions(predicted: Sequence[dict], rules: Sequence[dict]) -> list[dict]:
    """The rules' REGION spans (as `take_rule_regions`) plus the model's REGION spans of two
    characters or more that no span of those overlaps (`model.regions: union`).

    Why: the gazetteer knows every division but not the names a report uses that are not one
    (长三角, 闽台, 中部, villages such as 小岗), which the model learns from the gold; the
    model alone misses gazetteer names and adds single-character fragments. On dev the union
    beat both (figures in the README results)."""
    with_rules = take_rule_regions(predicted, rules)
    extra = [
        e for e in predicted
        if e["label"] == "REGION" and e["end"] - e["start"] >= UNION_MIN_REGION
        and not any(o["start"] < e["end"] and e["start"] < o["end"] for o in with_rules)
    ]
    return sorted(with_rules + extra, key=lambda e: (e["start"], e["end"]))


def token_hints(word_ids: Sequence[int | None], char_hints: Sequence[int]) -> list[int]:
    """Token-type ids of one encoded window: each token takes its character's hint, special
    and padding tokens 0 (the "O" row)."""
    return [0 if w is None else char_hints[w] for w in word_ids]


def widen_token_types(model: Any, n_types: int) -> torch.nn.Embedding:
    """Gives `model` `n_types` token-type embeddings, each initialised to its type-0 vector, so
    that before training the hints change nothing and the pretrained encoder is intact.
    Returns the new table (new parameters, trained at the head's learning rate)."""
    embeddings = getattr(model.base_model, "embeddings", None)
    old = getattr(embeddings, "token_type_embeddings", None)
    if old is None:
        raise ValueError(
            f"model.hints: the encoder {type(model.base_model).__name__} has no token-type embeddings "
            "to carry rule hints; use model.hints=none"
        )
    new = torch.nn.Embedding(n_types, old.embedding_dim)
    with torch.no_grad():
        new.weight.copy_(old.weight[0].expand(n_types, -1))
    embeddings.token_type_embeddings = new
    model.config.type_vocab_size = n_types
    return new
