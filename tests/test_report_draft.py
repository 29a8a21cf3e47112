"""The draft 自评报告's outline (perfeval.report.draft): every figure equals the tables', worded as the seed words
it; placeholders where only a person can write. Expected values are derived by hand from
examples/huaihua-2023-corrected.json (the arithmetic is in the comments)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from conftest import EXAMPLES, load_example
from hypothesis import HealthCheck, given, settings
from strategies import reports

from perfeval import forms
from perfeval.config import DEFAULT_CONFIG
from perfeval.names import strip_ordinal
from perfeval.numbers import money
from perfeval.report.draft import (
    PLACEHOLDER_OPEN,
    Heading,
    Outline,
    Paragraph,
    Placeholder,
    Table,
    Title,
    build_outline,
    build_outlines,
    outline_text,
)


@pytest.fixture(scope="module")
def corrected() -> Outline:
    return build_outline(load_example("huaihua-2023-corrected.json"))


@pytest.fixture(scope="module")
def text(corrected: Outline) -> str:
    return "\n".join(outline_text(corrected))


def paragraph_after(outline: Outline, heading: str) -> list[str]:
    """The paragraph texts under ``heading`` up to the next heading."""
    out: list[str] = []
    inside = False
    for block in outline.blocks:
        if isinstance(block, Heading):
            if inside:
                break
            inside = block.text == heading
        elif inside and isinstance(block, Paragraph):
            out.append(block.text)
    assert inside or out, f"no heading {heading}"
    return out


# --------------------------------------------------------------------------- outline and wording


def test_the_outline_has_the_usual_sections_in_order(corrected: Outline) -> None:
    level1 = [b.text for b in corrected.blocks if isinstance(b, Heading) and b.level == 1]
    assert level1 == ["一、部门概况", "二、部门整体支出管理及使用情况", "三、绩效目标实现情况",
                      "四、存在的问题及原因", "五、下一步改进措施"]
    assert corrected.blocks[0] == Title(("怀化市城乡建设事务中心", "2023年部门整体支出绩效自评报告"))
    level2 = [b.text for b in corrected.blocks if isinstance(b, Heading) and b.level == 2]
    assert "（三）“三公”经费使用和管理情况" in level2 and "（五）政府采购情况" in level2


def test_funds_by_source_are_the_tables_figures(corrected: Outline) -> None:
    income = paragraph_after(corrected, "（一）收入情况")
    # 年度资金总额 row of 附件1-2: 年初 620.00, 全年 781.06, 执行 781.06; 执行率 781.06 / 781.06 = 100.00%
    assert income[0] == "2023年年初预算数620.00万元，全年预算数781.06万元，全年执行数781.06万元，预算执行率100.00%。"
    # 按收入性质分: 781.06 = 675.92 + 104.81 + 0.33 (纳入专户管理的非税收入 blank: not mentioned)
    assert income[1] == ("按收入性质分，年度资金总额781.06万元，其中：一般公共预算675.92万元，政府性基金104.81万元，"
                         "其他资金0.33万元。")
    assert Decimal("675.92") + Decimal("104.81") + Decimal("0.33") == Decimal("781.06")
    assert "非税收入" not in income[1]


def test_expenditure_split_and_projects(corrected: Outline) -> None:
    spending = paragraph_after(corrected, "（二）支出情况")
    # 按支出性质分: 781.06 = 483.19 + 297.87
    assert spending[0].startswith("按支出性质分，年度支出总额781.06万元，其中：基本支出483.19万元，"
                                  "项目支出297.87万元。")
    # 附件1-1 部门基本支出预算调整: 本年预算数 500.00 (the corrected copy), 本年决算数 483.19; 附件1-2 基本支出 483.19
    assert spending[1].startswith("1.基本支出情况。2023年基本支出年初预算数为500.00万元，全年预算数483.19万元，"
                                  "实际支出483.19万元。")
    # 项目支出 本年预算数 120.00 = 80.00 + 40.00; the six projects with a 本年决算数 above 0, ordinals dropped:
    # 58.14 + 25.13 + 32.00 + 72.81 + 81.80 + 27.99 = 297.87
    assert spending[2].startswith(
        "2.项目支出情况。2023年项目支出年初预算数为120.00万元，实际支出297.87万元，其中：专项（业务）经费58.14万元，"
        "污水处理专项业务费25.13万元，城市基础设施配套征收经费32.00万元，污泥干化处置费72.81万元，"
        "污水截污干管费用81.80万元，鹤城一体化燃气规划专项经费27.99万元。")
    assert sum(map(Decimal, ["58.14", "25.13", "32.00", "72.81", "81.80", "27.99"])) == Decimal("297.87")
    # closed projects (only a 上年决算数) are not listed
    assert "医疗救助补助" not in "\n".join(spending)


def test_staff_and_goal_setting(corrected: Outline) -> None:
    staff = paragraph_after(corrected, "（二）人员编制情况")[0]
    # 编制数 40, 实际在职人数 40 (corrected copy); 控制率 40 / 40 = 100.00%
    assert staff.startswith("2023年度怀化市城乡建设事务中心编制数为40人，实际在职人数为40人，人员控制率100.00%。")
    goals = paragraph_after(corrected, "（四）绩效目标设定情况")[0]
    # 年初: projects with a 本年预算数 and a 本年决算数 (专项（业务）经费 80.00, 鹤城… 40.00) = 2; 年中追加: 6 − 2 = 4
    assert "整体支出全年预算数781.06万元" in goals
    assert "年初编报绩效目标的项目2个，年中追加编报绩效目标4个，涉及项目支出297.87万元" in goals


def test_three_public_public_funds_procurement(corrected: Outline) -> None:
    three = paragraph_after(corrected, "（三）“三公”经费使用和管理情况")
    # 预算 1.00 = 出国 0.00 + 购置 0.00 + 运行 0.00 + 接待 1.00
    assert three[0] == ("2023年怀化市城乡建设事务中心“三公”经费预算数为1.00万元，其中：因公出国（境）费0.00万元，"
                        "公务用车购置费0.00万元，公务用车运行维护费0.00万元，公务接待费1.00万元。")
    # 决算 0.00; 控制率 0.00 / 1.00 = 0.00%
    assert three[1].startswith("2023年“三公”经费实际支出0.00万元，其中：")
    assert three[1].endswith("；“三公”经费控制率0.00%。")
    # the previous year's 0.11 is not worded (the report checks read a 三公 决算数 as the 评价年度's)
    assert three[2] == "【请填写：“三公”经费与上年相比的增减情况及原因（2022年决算数见附件1-1）】"
    assert "0.11" not in "\n".join(outline_text(corrected, quoted=False))
    public = paragraph_after(corrected, "（四）公用经费使用情况")
    # 21.24 / 40.50 = 0.52444… → 52.44%
    assert public[0] == "2023年公用经费预算数40.50万元，实际支出21.24万元，公用经费控制率52.44%。"
    assert public[1] == "其中：办公费预算数1.00万元，实际支出0.04万元。"
    procurement = paragraph_after(corrected, "（五）政府采购情况")
    assert procurement == ["2023年政府采购预算金额2.59万元，实际政府采购金额2.59万元，政府采购执行率100.00%。"]


def test_indicators_total_and_grade(corrected: Outline) -> None:
    conclusion = paragraph_after(corrected, "（一）综合评价结论")[0]
    # 分值 10 + 20 + 10 + 10 + 10 + 15 + 15 + 10 = 100; 得分 10 + 20 + 10 + 10 + 10 + 13 + 15 + 10 = 98 → 优 (≥ 90)
    assert "总评分为100分，实际得分98分，2023年度部门整体支出绩效评价等级为优。" in conclusion
    rows = paragraph_after(corrected, "（三）各项绩效指标完成情况")
    assert rows[0] == "预算资金执行情况：预算执行率100.00%，分值10分，得分10分。"
    assert "1.重点工作完成数（产出指标—数量指标）：年度指标值≥2次，实际完成值4次，分值20分，得分20分。" in rows
    assert ("5.及时调解，妥善化解纠纷（效益指标—社会效益指标）：年度指标值效果明显，实际完成值效果明显，"
            "分值15分，得分13分。") in rows
    # the two "无" rows (经济效益, 生态效益) are not applicable: 7 numbered rows, not 9
    numbered = [r for r in rows if re.match(r"^\d+\.", r)]
    assert len(numbered) == 7 and numbered[-1].startswith("7.社会公众满意度")
    table = next(b for b in corrected.blocks if isinstance(b, Table))
    assert table.rows[0] == ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
    assert table.rows[-1] == ("总分", "", "", "", "", "100", "98")
    assert len(table.rows) == 1 + 7 + 2


def test_placeholders_where_a_person_must_write(corrected: Outline) -> None:
    whats = [p.what for p in corrected.placeholders()]
    for needed in ("机构设置", "人员构成", "主要职能职责", "收入与上年相比", "支出与上年相比", "基本支出的主要构成",
                   "年中追加预算的原因", "“三公”经费与上年相比", "综合评价情况", "存在的问题", "改进措施"):
        assert any(needed in w for w in whats), needed
    assert len(whats) == 11
    assert all(p.text.startswith(PLACEHOLDER_OPEN) and p.text.endswith("】") for p in corrected.placeholders())
    # a row that lost points with its 偏差原因 written gets no placeholder; without one, it does
    report = load_example("huaihua-2023-corrected.json")
    report.self_eval.indicators[1].secondaries[1].rows[0].deviation = ""
    whats = [p.what for p in build_outline(report).placeholders()]
    assert "“及时调解，妥善化解纠纷”未得满分的原因及改进措施" in whats


def test_the_seed_as_printed_rates_come_from_the_calculation() -> None:
    """The seed states 控制率 95% and 年初 568.61: the draft words the computed rate 40 / 38 = 105.26% (as
    计算结果 shows it) and the amounts as the tables state them."""
    outline = build_outline(load_example())
    text = "\n".join(outline_text(outline))
    assert "编制数为38人，实际在职人数为40人，人员控制率105.26%" in text
    assert "2023年年初预算数568.61万元" in text
    assert "基本支出年初预算数为448.61万元" in text


def test_blank_table_figures_become_placeholders() -> None:
    report = load_example("huaihua-2023-corrected.json")
    report.self_eval.funds.full_year_budget = None
    report.basic.staff_authorized = None
    outline = build_outline(report)
    whats = [p.what for p in outline.placeholders()]
    assert "附件1-2 年度资金总额 全年预算数（表中未填写，请先补填表格）" in whats
    assert "编制数（附件1-1未填写）" in whats
    assert "人员控制率" not in "\n".join(outline_text(outline))  # no rate without its denominator


def test_outline_text_lists_paragraphs_and_optionally_tables_and_quoted_text(corrected: Outline) -> None:
    full = outline_text(corrected)
    bare = outline_text(corrected, tables=False, quoted=False)
    assert full[:2] == ["怀化市城乡建设事务中心", "2023年部门整体支出绩效自评报告"]
    assert "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分" in full
    assert not any("\t" in line for line in bare)
    quoted = [b.text for b in corrected.blocks if isinstance(b, Paragraph) and b.quoted]
    assert quoted and all(q in full and q not in bare for q in quoted)
    assert any("招投标事务" in q for q in quoted)  # 年度总体目标 copied from 附件1-2


def test_project_form_gives_one_report_per_project_sheet() -> None:
    pack = forms.get("project")
    book = pack.parse_json((EXAMPLES / "huaihua-2023-projects.json").read_text(encoding="utf-8"))
    outlines = build_outlines(book)
    assert len(outlines) == len(book.projects) >= 2
    for table, outline in zip(book.projects, outlines, strict=True):
        assert outline.kind == "project"
        assert outline.blocks[0] == Title((table.name.strip(), f"{book.year}年项目支出绩效自评报告"))
        text = "\n".join(outline_text(outline))
        f = table.funds
        assert f"全年预算数{money(f.full_year_budget):.2f}万元" in text
        assert f"全年执行数{money(f.executed):.2f}万元" in text
        assert "四、存在的问题及原因" in text and "五、下一步改进措施" in text


# --------------------------------------------------------------------------- any valid report


def _shown(stated: Any, computed: Any) -> Decimal | None:
    return stated if isinstance(stated, Decimal) else computed if isinstance(computed, Decimal) else None


def _fmt(value: Decimal) -> str:
    return f"{money(value):.2f}"


def _table_amounts(report: Any, computed: dict[str, Any]) -> set[str]:
    """Every amount the tables hold or show (typed, or computed by a total's formula), as printed, and every
    number written in an indicator's 年度指标值 / 实际完成值 text."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, Decimal):
            found.add(_fmt(value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(report.model_dump())
    walk({k: v for k, v in computed.items() if isinstance(v, Decimal)})
    for *_, row in report.self_eval.rows():
        for number in re.findall(r"\d+(?:\.\d+)?", f"{row.target} {row.actual} {row.name}"):
            found.add(_fmt(Decimal(number)))
    return found


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_any_report_drafts_and_every_amount_is_a_table_value(report: Any) -> None:
    computed = forms.get("department").compute(report, DEFAULT_CONFIG)
    outline = build_outline(report, DEFAULT_CONFIG, computed)
    assert isinstance(outline.blocks[0], Title)
    text = "\n".join(outline_text(outline, tables=False, quoted=False))
    amounts = _table_amounts(report, computed)
    # every "…万元" figure the draft words is one the tables hold
    for figure in re.findall(r"(?<![\d.])(\d+\.\d{2})万元", text):
        assert figure in amounts, figure
    zp, bd = report.self_eval, report.basic
    # the keyword-bound figures equal their own cell
    expected = {
        "一般公共预算": zp.income_general_public, "政府性基金": zp.income_gov_fund,
        "纳入专户管理的非税收入": zp.income_special_non_tax, "其他资金": zp.income_other,
        "年度资金总额": _shown(zp.income_total_stated, computed["self_eval.income_total_stated"]),
        "年度支出总额": _shown(zp.expenditure_total_stated, computed["self_eval.expenditure_total_stated"]),
        "全年执行数": zp.funds.executed, "“三公”经费预算数为": _shown(bd.three_public_stated.budget,
                                                                computed["basic.three_public_stated.budget"]),
        "“三公”经费实际支出": _shown(bd.three_public_stated.actual, computed["basic.three_public_stated.actual"]),
        "公用经费预算数": bd.public_funds.budget, "政府采购预算金额": bd.procurement.budget,
        "实际政府采购金额": bd.procurement.actual,
    }
    for keyword, value in expected.items():
        stated = re.findall(re.escape(keyword) + r"(\d+\.\d{2})万元", text)
        if value is None:
            assert stated == [], keyword
        else:
            assert stated and set(stated) == {_fmt(value)}, (keyword, stated, value)
    for project in bd.projects:
        if project.name.strip() and project.amounts.actual is not None and project.amounts.actual > 0:
            name = strip_ordinal(project.name)
            glue = "：" if name[-1].isdigit() or name[-1] in ".．" else ""  # digits never run into the figure
            assert f"{name}{glue}{_fmt(project.amounts.actual)}万元" in text
    total = _shown(zp.total_score_stated, computed["self_eval.total_score_stated"])
    assert total is not None
    match = re.search(r"实际得分([\d.]+)分", text)
    assert match and Decimal(match.group(1)) == total.quantize(Decimal("0.01")).normalize()
    for placeholder in outline.placeholders():
        assert isinstance(placeholder, Placeholder) and placeholder.text in text


def test_project_counts_follow_the_table_rows() -> None:
    """年初编报 = rows with a 本年预算数 above 0 (spent or not); 年中追加 = rows spent in the year without one."""
    report = load_example("huaihua-2023-corrected.json")
    report.basic.projects[6].amounts.budget = Decimal("5.00")  # 7.燃气专项整治费: budgeted, nothing spent
    goals = paragraph_after(build_outline(report), "（四）绩效目标设定情况")[0]
    # 年初: 80.00, 40.00, 5.00 → 3; 年中追加: 25.13, 32.00, 72.81, 81.80 without a budget → 4
    assert "年初编报绩效目标的项目3个，年中追加编报绩效目标4个" in goals
