"""Each cleaning rule on real snippets from the seed reports, and the offset map."""

from __future__ import annotations

import pytest

from nlp.ingest import clean
from nlp.ingest.mapped import MappedText, decode_runs, encode_runs


def run(rule, raw: str) -> MappedText:
    out = rule(MappedText.from_raw(raw))
    assert all(raw[o] == ch for o, ch in zip(out.offsets, out.text)), "offset map broken"
    return out


@pytest.mark.parametrize(
    "mark",
    ["【更多公文素材，微信：dadawk01】", "【更多公文素材，微信：dadaw k01】", "【更多公文 素材，微信：dadawk01】",
     "【更多公文素材 ，微信：dadawk01】", "【更多公文素材，微信：d adawk01】"],
)
def test_watermark_removed_also_with_stray_spaces(mark: str) -> None:
    raw = f"请区政协委员和其他列席人员提出意见。{mark}\n一、2020年工作"
    assert run(clean.remove_watermarks, raw).text == "请区政协委员和其他列席人员提出意见。\n一、2020年工作"


def test_site_prefix_removed_but_title_kept() -> None:
    raw = "-\n【宝兴县招商】2021年宝兴县政府工作报告\n2021年宝兴县政府工作报告各位代表:"
    assert run(clean.remove_site_prefixes, raw).text == "-\n2021年宝兴县政府工作报告\n2021年宝兴县政府工作报告各位代表:"


def test_paid_markers_removed() -> None:
    raw = "——2021年1月11日在池州市贵池区\n##paidbegin##第十六届人民代表大会第六次会议上##paidend##"
    assert "paid" not in run(clean.remove_paid_markers, raw).text


def test_web_chrome_lines_removed() -> None:
    raw = "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n2026年上海市政府工作报告\n来源：解放日报\n时间：2026-02-09\n各位代表：\n"
    assert run(clean.remove_chrome_lines, raw).text == "2026年上海市政府工作报告\n各位代表：\n"
    raw = "年六安市金安区人民政府工作报告(全文)\n\n| 浏览次数:\n\n 2020 年"
    assert "浏览次数" not in run(clean.remove_chrome_lines, raw).text
    raw = "以优异成绩迎接建党100周年!\n2025-07-08\n有想补充的信息?点我投稿\n\n- 联系我们\n- 企业入驻\n"
    assert run(clean.remove_chrome_lines, raw).text == "以优异成绩迎接建党100周年!\n\n"


def test_link_tail_cut() -> None:
    raw = "各位代表！蓝图已经绘就，实干创造未来。\n相关报道：\n解读省政府工作报告：在服务大局中担难担重\n"
    assert run(clean.cut_link_tail, raw).text == "各位代表！蓝图已经绘就，实干创造未来。\n"


def test_front_matter_caption_dropped_meeting_line_kept() -> None:
    raw = ("2026年北京市政府工作报告\n——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n北京市市长 殷勇\n"
           "殷勇同志作政府工作报告。本报记者 戴冰摄\n各位代表：\n")
    out = run(clean.remove_front_matter_noise, raw).text
    assert "记者" not in out and "殷勇\n各位代表" in out and "会议上" in out


def test_pdf_line_breaks_rejoined() -> None:
    raw = " 一年来,我们狠抓项目稳投资,经济动能持续增强。核心平台日益完善。前进大桥顺利通车,园区内跨淠干大桥达到 5 座,三\n\n  十铺一小西校区建成投用。\n 一年来,我们优化结构促转型。"
    out = run(clean.rejoin_broken_lines, raw).text
    assert "5 座,三十铺一小西校区" in out
    assert "建成投用。\n" in out  # a sentence end keeps its break


def test_a_short_line_ending_in_a_number_joins_the_unit_on_the_next_line() -> None:
    raw = "——经济运行缓中趋稳。国内生产总值达到74.4\n\u200b\n万亿元，增长6.7%。\n2.城镇新增就业1314\n万人。\n全年完成3\n项改革。"
    doc = clean.clean_document(MappedText.from_raw(raw))
    assert "国内生产总值达到74.4万亿元，增长6.7%。\n2.城镇新增就业1314万人。\n" in doc.text
    assert "完成3\n项改革" in doc.text  # 项 is no unit that a number cannot end before: the break stays
    assert all(raw[doc.offsets[i]] == ch for i, ch in enumerate(doc.text))  # deletions only: offsets exact


def test_cjk_digit_spaces_removed() -> None:
    out = run(clean.remove_cjk_digit_spaces, "全年实现地区生产总值 230 亿元、增长 9%,刚刚过去的 2019 年")
    assert out.text == "全年实现地区生产总值230亿元、增长9%,刚刚过去的2019年"


def test_no_width_conversion() -> None:
    raw = "增长８．５％，ＧＤＰ　达到（一）"
    assert clean.clean_document(MappedText.from_raw(raw)).text == raw


def test_runs_roundtrip() -> None:
    offsets = [0, 1, 2, 5, 6, 9, 10, 11]
    assert decode_runs(encode_runs(offsets)) == offsets
    assert encode_runs(offsets) == [[0, 0, 3], [3, 5, 2], [5, 9, 3]]
