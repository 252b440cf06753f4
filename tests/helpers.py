"""Helpers the tests share (and the package does not ship): a tiny random encoder, so that
the suite never needs the 23 MB default encoder."""

from __future__ import annotations

from pathlib import Path

from nlp.model.encoder import SPECIAL_TOKENS, write_bert_tokenizer


def tiny_encoder(output_dir: Path, vocab: list[str] | None = None) -> Path:
    """A tiny random BERT (2 layers, hidden 32) with a character vocabulary, for tests.

    `vocab` lists the tokens (characters) to know; the special tokens are added in front.
    Weights are seeded and the global RNG is left untouched, so the folder is reproducible."""
    import torch
    from transformers import BertConfig, BertModel

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    tokens = list(SPECIAL_TOKENS.values()) + list(vocab if vocab is not None else _TINY_CHARS)
    tokens = list(dict.fromkeys(tokens))  # specials first, no repeats
    config = BertConfig(vocab_size=len(tokens), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = BertModel(config)
    model.save_pretrained(output_dir)
    write_bert_tokenizer(output_dir, tokens, config.max_position_embeddings)
    return output_dir


#: Default tiny vocabulary: ASCII (with ## pieces so numbers and words split into known
#: pieces), common punctuation and the characters of typical report phrases.
_TINY_CHARS = (
    [chr(c) for c in range(33, 127)]
    + [f"##{chr(c)}" for c in range(33, 127) if chr(c).isalnum()]
    + list("，。、；：？！“”‘’（）《》【】—…％．")
    + list(dict.fromkeys(
        "全年地区生产总值增长以上左右城镇新增就业人粮食总产稳定在万吨研发投入强度提高个百分点"
        "空气质量优良率达晋级全省开发区强稳居全国第位新建高标准农田亩实现亿元一般公共预算收入"
        "市县区镇村乡高速铁路项目工程建设产业园基地经济社会发展改革创新政府工作报告"))
)
