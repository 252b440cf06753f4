"""Windows over long paragraphs: coverage, merge rule and exact offsets after merging."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.model.windows import best_bio_path, best_bio_paths, decode_entities, make_windows, merge_windows, tag_texts, tidy_span

LABELS = ["O", "B-TARGET", "I-TARGET", "B-REGION", "I-REGION"]


@pytest.mark.parametrize("length", [1, 30, 31, 50, 97, 200])
def test_windows_cover_text_with_overlap(length):
    size, stride = 30, 8
    windows = make_windows(length, size, stride)
    assert windows[0][0] == 0 and windows[-1][1] == length
    assert all(e - s == min(size, length) for s, e in windows)
    for (s1, e1), (s2, _) in zip(windows, windows[1:]):
        assert s1 < s2 and e1 - s2 >= stride  # consecutive windows overlap by at least stride


def test_merge_takes_window_farthest_from_edge():
    length, windows = 100, make_windows(100, 30, 10)
    scores = [np.full((e - s, 1), float(k)) for k, (s, e) in enumerate(windows)]
    merged = merge_windows(length, windows, scores)[:, 0]
    for i in range(length):
        margins = [min(i - s, e - 1 - i) if s <= i < e else -1 for s, e in windows]
        assert merged[i] == int(np.argmax(margins)), i


def digit_scorer(calls: list[int]):
    """Fake model: digit runs are TARGET (B on a run's first digit in the window), "区" runs
    REGION; the 3 characters at each window edge are scored as a REGION (edge noise)."""

    def score(chunks: list[str], hints: list[list[int]] | None) -> list[np.ndarray]:
        calls.append(len(chunks))
        out = []
        for chunk in chunks:
            probs = np.full((len(chunk), len(LABELS)), 0.025)
            for i, ch in enumerate(chunk):
                prev = chunk[i - 1] if i else ""
                if min(i, len(chunk) - 1 - i) < 3:
                    tag = 3 if i in (0, len(chunk) - 3) else 4
                elif ch.isdigit():
                    tag = 2 if prev.isdigit() else 1
                elif ch == "区":
                    tag = 4 if prev == "区" else 3
                else:
                    tag = 0
                probs[i, tag] = 0.9
            out.append(probs)
        return out

    return score


def test_long_paragraph_spans_have_exact_offsets():
    filler = "推进高质量发展"
    text = "起始" + filler * 3 + "1234567" + filler * 2 + "区区区" + filler * 4 + "89" + filler + "2021" + "终了末尾"
    size, stride = 40, 12
    windows = make_windows(len(text), size, stride)
    assert len(windows) == 3
    calls: list[int] = []
    [entities] = tag_texts([text], digit_scorer(calls), LABELS, size, stride)
    assert calls == [len(windows)]  # one batched call
    cuts = {s for s, _ in windows[1:]} | {e for _, e in windows[:-1]}
    # edge noise survives only at the paragraph's own ends, where no other window is better
    expected = [("起始推", "REGION"), ("1234567", "TARGET"), ("区区区", "REGION"), ("89", "TARGET"),
                ("2021", "TARGET"), ("了末尾", "REGION")]
    assert [(e["text"], e["label"]) for e in entities] == expected
    for ent in entities:
        assert text[ent["start"]:ent["end"]] == ent["text"]
        assert ent["score"] == pytest.approx(0.9)
    assert any(e["start"] < cut < e["end"] for e in entities for cut in cuts)  # a span crosses a window edge
    [short] = tag_texts(["12区"], digit_scorer([]), LABELS, size, stride)
    assert short == [{"start": 0, "end": 3, "label": "REGION", "text": "12区", "score": 0.9}]


def test_empty_and_short_texts():
    out = tag_texts(["", "甲"], digit_scorer([]), LABELS, 40, 12)
    assert out[0] == [] and len(out[1]) == 1


def _valid(tags: list[str]) -> bool:
    return all(
        not t.startswith("I-") or (i > 0 and tags[i - 1] in (f"B-{t[2:]}", t)) for i, t in enumerate(tags)
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_best_bio_path_is_the_best_valid_sequence(n, seed):
    probs = np.random.default_rng(seed).dirichlet(np.ones(len(LABELS)), size=n)
    path = best_bio_path(probs, LABELS)
    assert _valid([LABELS[i] for i in path])
    best = max(
        (seq for seq in itertools.product(range(len(LABELS)), repeat=n) if _valid([LABELS[i] for i in seq])),
        key=lambda seq: np.log(probs[np.arange(n), list(seq)]).sum(),
    )
    assert np.isclose(np.log(probs[np.arange(n), path]).sum(), np.log(probs[np.arange(n), list(best)]).sum())


def test_decode_repairs_a_name_broken_by_argmax():
    # argmax gives B-TARGET O I-TARGET (an orphan I-); the constrained path keeps one three-char span
    probs = np.array([[0.1, 0.8, 0.05, 0.03, 0.02], [0.45, 0.05, 0.4, 0.05, 0.05], [0.1, 0.05, 0.8, 0.03, 0.02]])
    assert [(e["start"], e["end"], e["label"]) for e in decode_entities("凤阳县", probs, LABELS)] == [(0, 3, "TARGET")]
    assert decode_entities("", np.zeros((0, len(LABELS))), LABELS) == []
    # a span shorter than its label's minimum length is a fragment and goes; others stay
    assert decode_entities("凤阳县", probs, LABELS, {"TARGET": 4}) == []
    assert len(decode_entities("凤阳县", probs, LABELS, {"TARGET": 3, "REGION": 9})) == 1


def test_hints_are_cut_into_the_same_windows_as_the_text():
    text = "".join(chr(0x4E00 + i) for i in range(100))
    hints = [[i % 7 for i in range(len(text))], [1, 2]]
    seen: list[tuple[str, list[int]]] = []

    def scorer(chunks, chunk_hints):
        seen.extend(zip(chunks, chunk_hints))
        return [np.tile([1.0, 0, 0, 0, 0], (len(c), 1)) for c in chunks]

    tag_texts([text, "甲乙"], scorer, LABELS, 40, 12, hints=hints)
    starts = [s for s, _ in make_windows(len(text), 40, 12)]
    assert [c for c, _ in seen] == [text[s:s + 40] for s in starts] + ["甲乙"]
    assert [h for _, h in seen] == [hints[0][s:s + 40] for s in starts] + [[1, 2]]


@pytest.mark.parametrize(("text", "span", "label", "expected"), [
    ("完成棚户区改造47.63万户（套）、新建", (0, 17), "ACHIEVED", "完成棚户区改造47.63万户（套）"),
    ("，地区生产总值增长8.5%左右。", (0, 12), "TARGET", "地区生产总值增长8.5%左右"),
    ("地区生产总值增长8.5%左右。", (0, 9), "TARGET", "地区生产总值增长8.5%左右"),
    ("粮食产量达到1.37万亿斤", (0, 8), "TARGET", "粮食产量达到1.37万亿斤"),
    ("建设“智慧城市”工程（", (0, 11), "PROJECT", "建设“智慧城市”工程"),
    ("增长5，比上年", (0, 4), "ACHIEVED", "增长5"),
    ("国内生产总值达到74.4万亿元，增长6.7%", (0, 12), "ACHIEVED", "国内生产总值达到74.4万亿元"),
    ("新增就业120万人以上，", (0, 7), "ACHIEVED", "新增就业120万人以上"),
    ("增长5.5%以上，比上年", (0, 3), "ACHIEVED", "增长5.5%以上"),
    ("合肥、", (0, 3), "REGION", "合肥"),
])
def test_tidy_span_trims_punctuation_and_finishes_numbers(text, span, label, expected):
    start, end = tidy_span(text, *span, label)
    assert text[start:end] == expected


def test_decoded_spans_never_end_on_a_separator():
    text = "合肥、芜湖"
    labels = ["O", "B-REGION", "I-REGION"]
    probs = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=float) * 0.98 + 0.01
    ents = decode_entities(text, probs, labels)
    assert [(e["text"], e["start"], e["end"]) for e in ents] == [("合肥", 0, 2), ("芜湖", 3, 5)]
    assert all(text[e["start"]:e["end"]] == e["text"] for e in ents)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 7), min_size=1, max_size=9), st.integers(0, 2**32 - 1))
def test_batched_viterbi_equals_one_text_at_a_time(lengths, seed):
    rng = np.random.default_rng(seed)
    probs = [rng.dirichlet(np.ones(len(LABELS)), size=n) for n in lengths]
    together = best_bio_paths(probs, LABELS)
    assert [p.tolist() for p in together] == [best_bio_paths([p], LABELS)[0].tolist() for p in probs]
    assert [len(p) for p in together] == lengths
