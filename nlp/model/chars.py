"""Character tokenisation shared by NER training and inference: one character is one token.

Texts are fed as `list(text)` with `is_split_into_words=True`, so every character is a "word"
and gets exactly one label (on its first sub-token), and a prediction maps back to exact
character offsets. Whitespace (and any character the tokenizer would drop) is replaced by a
placeholder token so that it keeps its position.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def save_char_level(tokenizer: Any, output_dir: Path) -> None:
    """Saves a copy of the tokenizer set to cut every character off on its own before
    WordPiece, so that a plain `tokenizer(text)` (e.g. in a transformers pipeline) gives the one
    token per character the model was trained on (`1200` becomes four tokens, not one);
    encode_chars gives the same ids either way, as it hands the characters over one by one.
    The folder names the generic fast tokenizer class, which loads tokenizer.json as it is
    (BertTokenizer would rebuild its own pre-tokenizer), with BERT's three model inputs."""
    import copy
    import json

    from tokenizers import Regex, pre_tokenizers

    tokenizer = copy.deepcopy(tokenizer)
    tokenizer.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.BertPreTokenizer(), pre_tokenizers.Split(Regex("."), behavior="isolated")])
    tokenizer.save_pretrained(output_dir)
    path = Path(output_dir) / "tokenizer_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config.update(tokenizer_class="PreTrainedTokenizerFast", model_input_names=["input_ids", "token_type_ids", "attention_mask"])
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def placeholder_token(tokenizer: Any) -> str:
    """Token standing for whitespace: "[unused1]" when the vocabulary keeps it whole, else UNK."""
    if tokenizer.tokenize("[unused1]") == ["[unused1]"]:
        return "[unused1]"
    return tokenizer.unk_token


def encode_chars(tokenizer: Any, texts: Sequence[str], max_length: int, **kwargs: Any) -> Any:
    """Encoding of texts as one word per character (a fast tokenizer's BatchEncoding; `kwargs`
    such as padding/return_tensors go to the tokenizer).

    Every character must come out as at least one token within `max_length`: texts have to be
    windowed to `max_length - specials` characters beforehand (see nlp.model.windows)."""
    placeholder = placeholder_token(tokenizer)
    words = [[placeholder if ch.isspace() else ch for ch in text] for text in texts]
    enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length, **kwargs)
    lost = [i for i, w in enumerate(words) if _lost_words(enc.word_ids(i), len(w))]
    if lost:  # characters the tokenizer normalises away (controls, zero-width marks)
        for i in lost:
            words[i] = [w if tokenizer.tokenize(w) else placeholder for w in words[i]]
        enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length, **kwargs)
    for i in lost:
        if _lost_words(enc.word_ids(i), len(words[i])):
            raise ValueError(
                f"text {i} ({len(words[i])} chars) does not fit max_length={max_length} as one token per "
                f"character: {texts[i][:30]!r}…"
            )
    return enc


def _lost_words(word_ids: list[int | None], n_words: int) -> bool:
    return len({w for w in word_ids if w is not None}) != n_words


def first_token_positions(word_ids: list[int | None]) -> list[int]:
    """Index of the first token of each word (character), in character order."""
    positions: list[int] = []
    previous = None
    for pos, word in enumerate(word_ids):
        if word is not None and word != previous:
            positions.append(pos)
        previous = word
    return positions


def align_labels(word_ids: list[int | None], label_ids: Sequence[int]) -> list[int]:
    """Token labels: the character's label on its first sub-token, -100 elsewhere (specials,
    continuation sub-tokens), so the loss and metrics see each character exactly once."""
    labels = [-100] * len(word_ids)
    for char, pos in enumerate(first_token_positions(word_ids)):
        labels[pos] = label_ids[char]
    return labels
