"""Output on a Chinese-Windows console or pipe (GBK) never crashes and keeps JSON exact; terminal tables
line up by display width (a CJK character takes two columns)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.cli import run_cli

from perfeval.cli import main
from perfeval.console import display_width, encodable_json, ljust, rjust, table, truncate, wrap
from perfeval.forms.department.model import Report
from tests.conftest import load_example

#: characters GBK cannot encode (✗, emoji, a CJK Extension B character) next to ones it can (≥ ≤ “” —)
HOSTILE = "✗😀𠀀≥≤“”—"
UNIT = f"怀化市{HOSTILE}建设事务中心"


def hostile_report(name: str = "huaihua-2023-corrected.json") -> Report:
    report = load_example(name)
    basic = report.basic.model_copy(update={"unit_name": UNIT})
    self_eval = report.self_eval.model_copy(update={"unit_name": UNIT})
    first = self_eval.indicators[0]
    second = first.secondaries[0]
    row = second.rows[0].model_copy(update={"name": f"重点工作{HOSTILE}完成数"})
    second = second.model_copy(update={"rows": [row, *second.rows[1:]]})
    first = first.model_copy(update={"secondaries": [second, *first.secondaries[1:]]})
    self_eval = self_eval.model_copy(update={"indicators": [first, *self_eval.indicators[1:]]})
    return report.model_copy(update={"basic": basic, "self_eval": self_eval})


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, Path]:
    from perfeval.xlsx.workflow import fill

    data = tmp_path / "hostile.json"
    data.write_text(hostile_report("huaihua-2023.json").model_dump_json(indent=2), encoding="utf-8")
    workbook = tmp_path / "hostile.xlsx"
    fill(hostile_report("huaihua-2023.json"), workbook)
    return {"data": data, "workbook": workbook, "dir": tmp_path}


# --------------------------------------------------------------------------- GBK


@pytest.mark.parametrize("args", [
    ("demo", "-o", "{dir}/demo", "--example", "{data}"),
    ("validate", "{workbook}"),
    ("compute", "{workbook}", "-o", "{dir}/c.xlsx"),
    ("rules",),
    ("fill", "{dir}/缺失{hostile}.json", "-o", "{dir}/x.xlsx"),
    ("validate", "{dir}/缺失{hostile}.xlsx"),
])
def test_text_output_on_a_gbk_pipe_does_not_crash(args: tuple[str, ...], hostile: dict[str, Path]) -> None:
    argv = [a.format(hostile=HOSTILE, **{k: str(v) for k, v in hostile.items()}) for a in args]
    r = run_cli(*argv, encoding="gbk")  # decoding the pipe as strict GBK proves every byte is GBK
    assert r.returncode in (0, 1, 2), r.stderr
    assert "Traceback" not in r.stderr and "UnicodeEncodeError" not in r.stderr and "内部错误" not in r.stderr
    if r.returncode == 2:
        assert r.stderr.startswith("错误：") and "缺失" in r.stderr
    else:
        assert r.stdout


def test_the_unencodable_characters_show_as_question_marks(hostile: dict[str, Path]) -> None:
    r = run_cli("validate", str(hostile["workbook"]), encoding="gbk")
    assert r.returncode == 1
    shown = "重点工作" + "".join(c if c in "≥≤“”—" else "?" for c in HOSTILE) + "完成数"
    assert shown in r.stdout


@pytest.mark.parametrize("args", [
    ("extract", "{workbook}"),
    ("validate", "{workbook}", "--format", "json"),
    ("schema",),
])
def test_json_on_a_gbk_pipe_is_exact(args: tuple[str, ...], hostile: dict[str, Path]) -> None:
    argv = [a.format(**{k: str(v) for k, v in hostile.items()}) for a in args]
    gbk = run_cli(*argv, encoding="gbk")
    utf8 = run_cli(*argv)
    assert gbk.returncode == utf8.returncode and gbk.returncode in (0, 1)
    assert json.loads(gbk.stdout) == json.loads(utf8.stdout)  # the same data, escapes where GBK has no glyph
    if args[0] == "extract":
        assert Report.model_validate_json(gbk.stdout).basic.unit_name == UNIT


def test_encodable_json_escapes_only_what_the_stream_cannot_encode() -> None:
    class Gbk:
        encoding = "gbk"

    text = json.dumps({"名称": UNIT}, ensure_ascii=False)
    out = encodable_json(text, Gbk())  # type: ignore[arg-type]
    out.encode("gbk")
    assert json.loads(out) == {"名称": UNIT}
    assert "怀化市" in out and "\\ud840\\udc00" in out  # 𠀀 as a surrogate pair, CJK kept readable


# --------------------------------------------------------------------------- display width


def test_display_width_counts_cjk_and_fullwidth_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("中文") == 4
    assert display_width("ＡＢ１") == 6  # fullwidth forms
    assert display_width("é") == 1  # e + combining acute
    assert display_width("“三公”") == 6  # the quotes are East Asian ambiguous: one column
    assert display_width("附件1-1 基础数据表!F5") == 4 + 3 + 1 + 10 + 3
    assert ljust("中", 4) == "中  " and rjust("中", 4) == "  中"
    assert truncate("一二三四五", 7) == "一二三…" and display_width(truncate("一二三四五", 7)) == 7
    assert truncate("abc", 3) == "abc"
    lines = wrap("校验：列出问题；加 -o 时在副本中就地标记并生成“校验结果”工作表", 20)
    assert len(lines) > 1 and all(display_width(line) <= 20 for line in lines)
    assert "".join(wrap("abc defg 中文字符", 6)).replace(" ", "") == "abcdefg中文字符"


def spans(line: str) -> list[tuple[int, int]]:
    """(start, end) display columns of each cell of a table line (cells are separated by two or more spaces)."""
    out = []
    for m in re.finditer(r"\S+(?: \S+)*", line):
        start = display_width(line[:m.start()])
        out.append((start, start + display_width(m.group())))
    return out


def assert_aligned(lines: list[str], align: str) -> None:
    """Left-aligned columns start, right-aligned columns end, at the same display offset in every line."""
    assert len(lines) >= 2
    rows = [spans(line) for line in lines]
    for i, kind in enumerate(align):
        edges = {row[i][0] if kind == "<" else row[i][1] for row in rows if len(row) > i}
        assert len(edges) == 1, (i, kind, lines)


def test_table_pads_by_display_width() -> None:
    lines = table([["代码", "说明", "值"], ["BD-001", "控制率", "95.00%"], ["X", "“三公”经费", "1"]],
                  ("<", "<", ">"))
    assert_aligned(lines, "<<>")
    assert lines[1] == "BD-001  控制率      95.00%"


def section(out: str, title: str) -> list[str]:
    lines = out.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_demo_tables_line_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "hostile.json"
    data.write_text(hostile_report("huaihua-2023.json").model_dump_json(), encoding="utf-8")
    assert main(["demo", "-o", str(tmp_path / "d"), "--example", str(data)]) == 0
    out = capsys.readouterr().out
    pairs = section(out, "派生数据：填报值与计算值对照")
    assert len(pairs) > 10 and any("不一致" in line for line in pairs)
    assert_aligned(pairs, "<<>><")
    assert_aligned(section(out, "计算结果（补充指标）"), "<>")
    indicators = section(out, "三级指标建议得分")
    assert any("重点工作" in line for line in indicators)
    assert_aligned(indicators, "<>><")


def test_validate_and_rules_tables_line_up(capsys: pytest.CaptureFixture[str], seed_xlsx: Path) -> None:
    assert main(["validate", str(seed_xlsx)]) == 1
    out = capsys.readouterr().out
    rows = out.split("\n\n")[0].splitlines()
    assert rows[0].split() == ["级别", "规则", "位置", "说明"] and len(rows) > 10
    assert_aligned(rows, "<<<<")
    assert main(["rules"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert len(rows) > 40
    assert_aligned(rows, "<<<")


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(alphabet="中文校验，。、；：“”（）《》abc -1", max_size=120), st.integers(min_value=6, max_value=40))
def test_wrap_keeps_every_character_and_the_width(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    longest_word = max((display_width(w) for w in re.findall(r"[\x21-\x7e]+", text)), default=0)
    if longest_word + 4 <= width:  # an ASCII word longer than a line cannot be broken
        assert all(display_width(line) <= width for line in lines), lines
    if not re.search(r"[\x21-\x7e，。、；：”）》 ][，。、；：”）》]", text):  # a lone mark after a CJK character
        assert not any(line[:1] in "，。、；：”）》" for line in lines[1:]), lines
