"""Department pack layout: 附件1-1 基础数据表, 附件1-2 自评表 and the 计算结果 items, as data.

:func:`build_layout` turns a :class:`Shape` (how many 项目支出 rows, which 一级/二级 indicator groups with how
many 三级 rows) into a :class:`~perfeval.layout.Layout`. Model paths are dotted with list indices, e.g.
``basic.projects[3].amounts.budget`` or ``self_eval.indicators[0].secondaries[1].rows[0].score``.
"""

from __future__ import annotations

import functools

from pydantic import BaseModel, ConfigDict, Field

from perfeval import a1
from perfeval.forms.department.model import Report
from perfeval.layout import (
    MAX_ROW_HEIGHT,
    NA_TEXT,
    Builder,
    Cell,
    Layout,
    Role,
    SheetLayout,
    VType,
    execution_score_formula,
    goal_block,
    height_needed,
    indicator_block,
    rate_formula,
    total_row,
)
from perfeval.limits import check_shape
from perfeval.sheets import CALC_SHEET

FORM_NAME = "department"
BD_SHEET = "附件1-1 基础数据表"
ZP_SHEET = "附件1-2 自评表"
OFFICIAL_SHEETS = (BD_SHEET, ZP_SHEET)

BD_TITLE = "部门整体支出绩效评价基础数据表"
ZP_TITLE = "整体支出绩效自评表"

# 附件1-1 E holds the 填报日期 (2024年6月6日), 附件1-2 G the 执行率 (100.00%): numbers show #### when too narrow
BD_COLUMNS = {"A": 36.0, "B": 11.0, "C": 11.0, "D": 11.0, "E": 13.0, "F": 11.0, "G": 11.0}
ZP_COLUMNS = {"A": 6.0, "B": 11.0, "C": 10.0, "D": 18.0, "E": 12.0, "F": 12.0, "G": 9.0, "H": 7.5, "I": 18.0}
GOAL_WIDTH = min(sum(ZP_COLUMNS[c] for c in "BCDE"), sum(ZP_COLUMNS[c] for c in "FGHI"))


class Shape(BaseModel):
    """What varies between workbooks: the repeating blocks."""

    model_config = ConfigDict(frozen=True)
    year: int
    n_projects: int = Field(ge=0)
    # one entry per 一级: number of 三级 rows of each 二级, in order
    indicator_rows: tuple[tuple[int, ...], ...]
    goal_rows: int = Field(default=1, ge=1, description="rows merged for the 年度总体目标 texts")

    def __hash__(self) -> int:  # layouts are cached by shape (the frozen model's own hash, spelt out for pyright)
        return hash((self.year, self.n_projects, self.indicator_rows, self.goal_rows))

    @classmethod
    def of(cls, report: Report) -> Shape:
        zp = report.self_eval
        need = max(height_needed(zp.goal_expected, GOAL_WIDTH), height_needed(zp.goal_actual, GOAL_WIDTH))
        return cls(
            year=report.year,
            n_projects=len(report.basic.projects),
            indicator_rows=tuple(
                tuple(len(l2.rows) for l2 in l1.secondaries) for l1 in zp.indicators
            ),
            goal_rows=max(1, -(-int(need) // int(MAX_ROW_HEIGHT))),
        )



# 经费控制情况 columns: three amount columns over a 7-column grid, each a merged pair.
AMOUNT_COLS = (("prev_actual", "B", "C"), ("budget", "D", "E"), ("actual", "F", "G"))


def amount_col_captions(year: int) -> dict[str, str]:
    return {"prev_actual": f"{year - 1}年决算数", "budget": f"{year}年预算数", "actual": f"{year}年决算数"}


# Fixed rows of 经费控制情况 before the project rows: (key, printed label, derived?)
BD_FIXED_TOP = (
    ("three_public_stated", "三公经费", "sum3"),
    ("vehicle_stated", "   1.公务用车购置和维护经费", "sum2"),
    ("vehicle_purchase", "       其中：公车购置", None),
    ("vehicle_operation", "             公车运行维护", None),
    ("overseas", "   2.出国经费", None),
    ("reception", "   3.公务接待", None),
)
BD_FIXED_BOTTOM = (
    ("public_funds", "公用经费"),
    ("office", "    其中：办公费"),
    ("utilities_travel", "          水费、电费、差旅费"),
    ("meetings_training", "          会议费、培训费"),
    ("procurement", "政府采购金额"),
    ("basic_adjustment", "部门基本支出预算调整"),
)
BD_ANCHORS = ("财政供养人员情况", "经费控制情况", "三公经费", "项目支出", "公用经费", "政府采购金额",
              "部门基本支出预算调整", "楼堂馆所控制情况", "厉行节约保障措施")


def bd_rows(n_projects: int) -> dict[str, int]:
    """Row numbers of 附件1-1's blocks for a given number of project rows."""
    rows = {"title": 2, "unit": 3, "staff_head": 4, "staff": 5, "money_head": 6}
    for i, (key, _, _) in enumerate(BD_FIXED_TOP):
        rows[key] = 7 + i
    rows["projects_stated"] = 13
    rows["first_project"] = 14
    r = 14 + n_projects
    for i, (key, _) in enumerate(BD_FIXED_BOTTOM):
        rows[key] = r + i
    r += len(BD_FIXED_BOTTOM)
    rows["building_head"] = r
    rows["building"] = r + 1
    rows["frugality"] = r + 2
    rows["footer"] = r + 4
    return rows


def _bd_layout(y: int, n_projects: int) -> SheetLayout:
    b = Builder(BD_SHEET)
    rows = bd_rows(n_projects)
    caps = amount_col_captions(y)
    b.label("A1", "附件1-1", align="left", wrap=False)
    b.label("A2", BD_TITLE, merge="A2:G2", bold=True, size=16)
    b.label("A3", "填报单位：", align="right")
    b.input("B3", "basic.unit_name", VType.TEXT, "填报单位", merge="B3:G3", align="left")

    r = rows["staff_head"]
    b.label(f"A{r}", "财政供养人员情况", merge=f"A{r}:A{r + 1}", anchor=True, bold=True)
    b.label(f"B{r}", "编制数", merge=f"B{r}:C{r}")
    b.label(f"D{r}", f"{y}年实际在职人数", merge=f"D{r}:E{r}")
    b.label(f"F{r}", "控制率", merge=f"F{r}:G{r}")
    r = rows["staff"]
    b.input(f"B{r}", "basic.staff_authorized", VType.COUNT, "编制数", merge=f"B{r}:C{r}")
    b.input(f"D{r}", "basic.staff_actual", VType.COUNT, f"{y}年实际在职人数", merge=f"D{r}:E{r}")
    b.derived(f"F{r}", "basic.staff_control_rate_stated", "basic.staff_control_rate_stated",
              rate_formula(f"D{r}", f"B{r}"), VType.RATE, "控制率", merge=f"F{r}:G{r}")

    r = rows["money_head"]
    b.label(f"A{r}", "经费控制情况", anchor=True, bold=True)
    for key, c1, c2 in AMOUNT_COLS:
        b.label(f"{c1}{r}", caps[key], merge=f"{c1}{r}:{c2}{r}")

    def amount_row(row: int, base: str, label: str, caption: str, formula: dict[str, str] | None,
                   label_is_input: bool = False) -> None:
        if label_is_input:
            b.input(f"A{row}", f"{base}.name", VType.TEXT, f"第{row}行项目名称", align="left")
        else:
            b.label(f"A{row}", label, align="left", anchor=label.strip() in BD_ANCHORS)
        for key, c1, c2 in AMOUNT_COLS:
            cap = f"{caption}（{caps[key]}）"
            if formula is None:
                path = f"{base}.amounts.{key}" if label_is_input else f"{base}.{key}"
                b.input(f"{c1}{row}", path, VType.AMOUNT, cap, merge=f"{c1}{row}:{c2}{row}")
            else:
                path = f"{base}.{key}"
                b.derived(f"{c1}{row}", path, path, formula[c1], VType.AMOUNT, cap,
                          merge=f"{c1}{row}:{c2}{row}")

    for key, label, kind in BD_FIXED_TOP:
        row = rows[key]
        formula = None
        if kind == "sum3":
            v, o, rc = rows["vehicle_stated"], rows["overseas"], rows["reception"]
            formula = {c1: f"=N({c1}{v})+N({c1}{o})+N({c1}{rc})" for _, c1, _ in AMOUNT_COLS}
        elif kind == "sum2":
            p, op = rows["vehicle_purchase"], rows["vehicle_operation"]
            formula = {c1: f"=N({c1}{p})+N({c1}{op})" for _, c1, _ in AMOUNT_COLS}
        amount_row(row, f"basic.{key}", label, label.strip().split("：")[-1].lstrip("0123456789."),
                   formula)

    row = rows["projects_stated"]
    first, last = rows["first_project"], rows["first_project"] + n_projects - 1
    if n_projects:
        formula = {c1: f"=SUM({c1}{first}:{c1}{last})" for _, c1, _ in AMOUNT_COLS}
    else:
        formula = {c1: "=0" for _, c1, _ in AMOUNT_COLS}
    amount_row(row, "basic.projects_stated", "项目支出", "项目支出", formula)
    for i in range(n_projects):
        amount_row(first + i, f"basic.projects[{i}]", "", f"项目{i + 1}", None, label_is_input=True)

    for key, label in BD_FIXED_BOTTOM:
        amount_row(rows[key], f"basic.{key}", label, label.strip().replace("其中：", ""), None)

    r = rows["building_head"]
    b.label(f"A{r}", "楼堂馆所控制情况", merge=f"A{r}:A{r + 1}", anchor=True, bold=True)
    for col, text in zip("BCDEFG", ("批复规模\n（㎡）", "实际规模（㎡）", "规模控制", "预算投资（万元）",
                                    "实际投资（万元）", "投资概算控制率"), strict=True):
        b.label(f"{col}{r}", text)
    r = rows["building"]
    bp = "basic.building"
    b.input(f"B{r}", f"{bp}.approved_area", VType.AREA, "批复规模（㎡）")
    b.input(f"C{r}", f"{bp}.actual_area", VType.AREA, "实际规模（㎡）")
    b.derived(f"D{r}", f"{bp}.area_control_stated", f"{bp}.area_control_stated",
              rate_formula(f"C{r}", f"B{r}"), VType.RATE, "规模控制")
    b.input(f"E{r}", f"{bp}.budget_investment", VType.AMOUNT, "预算投资（万元）")
    b.input(f"F{r}", f"{bp}.actual_investment", VType.AMOUNT, "实际投资（万元）")
    b.derived(f"G{r}", f"{bp}.investment_control_stated", f"{bp}.investment_control_stated",
              rate_formula(f"F{r}", f"E{r}"), VType.RATE, "投资概算控制率")
    r = rows["frugality"]
    b.label(f"A{r}", "厉行节约保障措施", anchor=True, bold=True)
    b.input(f"B{r}", "basic.frugality_measures", VType.LONG_TEXT, "厉行节约保障措施", merge=f"B{r}:G{r}",
            align="left")
    r = rows["footer"]
    b.label(f"A{r}", "填表人：", align="right")
    b.input(f"B{r}", "basic.filler", VType.TEXT, "填表人", merge=f"B{r}:C{r}", align="left")
    b.label(f"D{r}", "填报日期：", align="right")
    b.input(f"E{r}", "basic.fill_date", VType.DATE, "填报日期", align="left")
    b.label(f"F{r}", "联系电话：", align="right")
    b.input(f"G{r}", "basic.phone", VType.TEXT, "联系电话", align="left")

    heights = {2: 30.0, rows["building_head"]: 30.0, rows["frugality"]: 48.0}
    return SheetLayout(
        name=BD_SHEET,
        columns=BD_COLUMNS,
        row_heights=heights,
        last_row=rows["footer"],
        last_col="G",
        table_top=rows["staff_head"],
        table_bottom=rows["frugality"],
        print_title_rows="1:3",
        cells=tuple(b.cells),
    )


ZP_INCOME = (
    ("income_general_public", "其中：一般公共预算："),
    ("income_gov_fund", "政府性基金拨款："),
    ("income_special_non_tax", "纳入专户管理的非税收入拨款："),
    ("income_other", "其他资金："),
)
ZP_EXPENDITURE = (("expenditure_basic", "其中：基本支出："), ("expenditure_project", "项目支出："))
ZP_ANCHORS = ("预算单位名称", "年度预算申请（万元）", "年度总体目标", "绩效指标", "总分")


def zp_rows(indicator_rows: tuple[tuple[int, ...], ...], goal_rows: int = 1) -> dict[str, int]:
    n = sum(sum(t) for t in indicator_rows)
    head = 12 + goal_rows
    return {"title": 2, "unit": 3, "funds_head": 4, "funds": 5, "income_head": 6, "income_first": 7,
            "goal_head": 11, "goal": 12, "goal_last": head - 1, "ind_head": head, "ind_first": head + 1,
            "total": head + 1 + n}


def _zp_layout(indicator_rows: tuple[tuple[int, ...], ...], goal_rows: int) -> SheetLayout:
    b = Builder(ZP_SHEET)
    rows = zp_rows(indicator_rows, goal_rows)
    b.label("A1", "附件1-2", align="left", wrap=False)
    b.label("A2", ZP_TITLE, merge="A2:I2", bold=True, size=16)
    b.label("A3", "预算单位名称", merge="A3:B3", anchor=True)
    b.input("C3", "self_eval.unit_name", VType.TEXT, "预算单位名称", merge="C3:I3", align="left")

    r = rows["funds_head"]
    b.label(f"A{r}", "年度预算申请（万元）", merge=f"A{r}:A{r + 6}", anchor=True)
    b.label(f"B{r}", "")
    for col, text in zip("CDEFG", ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率"), strict=True):
        b.label(f"{col}{r}", text)
    b.label(f"H{r}", "得分", merge=f"H{r}:I{r}")
    r = rows["funds"]
    fp = "self_eval.funds"
    b.label(f"B{r}", "年度资金总额")
    b.input(f"C{r}", f"{fp}.initial_budget", VType.AMOUNT, "年度资金总额（年初预算数）")
    b.input(f"D{r}", f"{fp}.full_year_budget", VType.AMOUNT, "年度资金总额（全年预算数）")
    b.input(f"E{r}", f"{fp}.executed", VType.AMOUNT, "年度资金总额（全年执行数）")
    b.input(f"F{r}", f"{fp}.weight", VType.SCORE, "年度资金总额（分值）")
    b.derived(f"G{r}", f"{fp}.execution_rate_stated", f"{fp}.execution_rate_stated",
              rate_formula(f"E{r}", f"D{r}"), VType.RATE, "执行率")
    b.derived(f"H{r}", f"{fp}.score_stated", f"{fp}.score_stated",
              execution_score_formula(f"E{r}", f"D{r}", f"F{r}"), VType.SCORE, "年度资金总额（得分）",
              merge=f"H{r}:I{r}")
    r = rows["income_head"]
    first = rows["income_first"]
    b.label(f"B{r}", "按收入性质分：", merge=f"B{r}:C{r}", align="left")
    b.derived(f"D{r}", "self_eval.income_total_stated", "self_eval.income_total_stated",
              f"=SUM(D{first}:D{first + 3})", VType.AMOUNT, "按收入性质分（合计）", merge=f"D{r}:E{r}")
    b.label(f"F{r}", "按支出性质分：", merge=f"F{r}:G{r}", align="left")
    b.derived(f"H{r}", "self_eval.expenditure_total_stated", "self_eval.expenditure_total_stated",
              f"=SUM(H{first}:H{first + 1})", VType.AMOUNT, "按支出性质分（合计）", merge=f"H{r}:I{r}")
    for i, (key, text) in enumerate(ZP_INCOME):
        row = first + i
        b.label(f"B{row}", text, merge=f"B{row}:C{row}", align="left")
        b.input(f"D{row}", f"self_eval.{key}", VType.AMOUNT, text.replace("其中：", "").rstrip("："),
                merge=f"D{row}:E{row}")
    for i in range(4):
        row = first + i
        if i < len(ZP_EXPENDITURE):
            key, text = ZP_EXPENDITURE[i]
            b.label(f"F{row}", text, merge=f"F{row}:G{row}", align="left")
            b.input(f"H{row}", f"self_eval.{key}", VType.AMOUNT, text.replace("其中：", "").rstrip("："),
                    merge=f"H{row}:I{row}")
        else:
            b.label(f"F{row}", "", merge=f"F{row}:I{row}")

    goal_block(b, rows["goal_head"], rows["goal_last"], "self_eval")
    indicator_block(b, rows["ind_head"], "self_eval", indicator_rows)
    total_row(b, rows["total"], rows["ind_first"], "self_eval", weight=f"F{rows['funds']}",
              score=f"H{rows['funds']}")

    total = rows["total"]
    heights = {2: 30.0, rows["funds_head"]: 30.0, rows["ind_head"]: 45.0}
    heights.update({r: 60.0 for r in range(rows["goal"], rows["goal_last"] + 1)})
    return SheetLayout(
        name=ZP_SHEET,
        columns=ZP_COLUMNS,
        row_heights=heights,
        last_row=total,
        last_col="I",
        table_top=rows["unit"],
        table_bottom=total,
        print_title_rows="1:2",
        cells=tuple(b.cells),
    )


#: 计算结果 items computed by native formulas: (calc key, label, description)
CALC_ITEMS = (
    ("calc.staff_over", "超编人数（人）", "在职人数 − 编制数"),
    ("calc.three_public_control", "“三公”经费控制率", "本年决算数 / 本年预算数（F3）"),
    ("calc.three_public_change", "“三公”经费变动率（决算口径）", "(本年决算 − 上年决算) / 上年决算（F2）"),
    ("calc.public_funds_control", "公用经费控制率", "本年决算数 / 本年预算数（F4）"),
    ("calc.procurement_rate", "政府采购执行率", "本年决算数 / 本年预算数（F5）"),
    ("calc.basic_adjustment_rate", "基本支出预算调整率", "(调整后 − 年初) / 年初（F8）"),
    ("calc.budget_adjustment_rate", "部门预算调整率", "(全年预算数 − 年初预算数) / 年初预算数（F8h）"),
    ("calc.total_score", "总分", "Σ三级得分 + 预算执行率得分"),
    ("calc.grade", "等级", "优 ≥90，良 ≥80，中 ≥60，差 <60"),
    ("calc.renormalised_total", "按适用指标折算的总分", "Σ适用得分 / Σ适用分值 × 100（§2.4）"),
    ("calc.profile", "评分口径", "计算时采用的评分口径（标题和名称；定稿中同样记录）"),
)


#: 计算结果 items whose value is a text spanning the table (no 计算方法 column)
WIDE_CALC_ITEMS = frozenset({"calc.profile"})
#: value type of each 计算结果 item (rates when not listed)
CALC_VTYPES = {"calc.staff_over": VType.COUNT, "calc.total_score": VType.SCORE, "calc.grade": VType.TEXT,
               "calc.renormalised_total": VType.SCORE, "calc.profile": VType.TEXT}


def _calc_layout(shape: Shape) -> SheetLayout:
    b = Builder(CALC_SHEET)
    rows = bd_rows(shape.n_projects)
    zr = zp_rows(shape.indicator_rows, shape.goal_rows)
    b.label("A1", "计算结果（供核对参考，不属于上报表格）", merge="A1:F1", bold=True, size=14)
    b.label("A2", "项目", bold=True)
    b.label("B2", "计算值", bold=True)
    b.label("C2", "计算方法", merge="C2:F2", bold=True)

    def bd(addr: str) -> str:
        return a1.ref(BD_SHEET, addr)

    def zp(addr: str) -> str:
        return a1.ref(ZP_SHEET, addr)

    s = rows["staff"]
    tp, pf, pr, ba = rows["three_public_stated"], rows["public_funds"], rows["procurement"], \
        rows["basic_adjustment"]
    fr, tot = zr["funds"], zr["total"]
    formulas = {
        "calc.staff_over": f'=IF(OR({bd(f"B{s}")}="",{bd(f"D{s}")}=""),"{NA_TEXT}",'
                           f'N({bd(f"D{s}")})-N({bd(f"B{s}")}))',
        "calc.three_public_control": rate_formula(bd(f"F{tp}"), bd(f"D{tp}")),
        "calc.three_public_change": f'=IF(N({bd(f"B{tp}")})=0,"{NA_TEXT}",'
                                    f'(N({bd(f"F{tp}")})-N({bd(f"B{tp}")}))/N({bd(f"B{tp}")}))',
        "calc.public_funds_control": rate_formula(bd(f"F{pf}"), bd(f"D{pf}")),
        "calc.procurement_rate": rate_formula(bd(f"F{pr}"), bd(f"D{pr}")),
        "calc.basic_adjustment_rate": f'=IF(OR(N({bd(f"D{ba}")})=0,{bd(f"F{ba}")}=""),"{NA_TEXT}",'
                                      f'(N({bd(f"F{ba}")})-N({bd(f"D{ba}")}))/N({bd(f"D{ba}")}))',
        "calc.budget_adjustment_rate": f'=IF(OR(N({zp(f"C{fr}")})=0,{zp(f"D{fr}")}=""),"{NA_TEXT}",'
                                       f'(N({zp(f"D{fr}")})-N({zp(f"C{fr}")}))/N({zp(f"C{fr}")}))',
        "calc.total_score": f"=N({zp(f'H{tot}')})",
        "calc.grade": f'=IF({zp(f"H{tot}")}="","{NA_TEXT}",IF(N({zp(f"H{tot}")})>=90,"优",'
                      f'IF(N({zp(f"H{tot}")})>=80,"良",IF(N({zp(f"H{tot}")})>=60,"中","差"))))',
        "calc.renormalised_total": None,
        "calc.profile": None,
    }
    vtypes = CALC_VTYPES
    row = 3
    for key, label, desc in CALC_ITEMS:
        b.label(f"A{row}", label, align="left")
        formula = formulas[key]
        if key in WIDE_CALC_ITEMS:  # a text the width of the table (评分口径: title and name), no description
            b.cells.append(Cell(sheet=CALC_SHEET, address=f"B{row}", role=Role.DERIVED, calc_key=key,
                                vtype=vtypes.get(key, VType.RATE), caption=label, merge=f"B{row}:F{row}",
                                align="left"))
            row += 1
            continue
        if formula is None:  # engine-only value, written by 计算
            b.cells.append(Cell(sheet=CALC_SHEET, address=f"B{row}", role=Role.DERIVED, calc_key=key,
                                vtype=vtypes.get(key, VType.RATE), caption=label))
        else:
            b.derived(f"B{row}", None, key, formula, vtypes.get(key, VType.RATE), label)
        b.label(f"C{row}", desc, merge=f"C{row}:F{row}", align="left")
        row += 1
    row += 1
    b.label(f"A{row}", "三级指标建议得分（引擎按正向/反向/定性规则计算，仅供参考）", merge=f"A{row}:F{row}",
            bold=True, align="left")
    row += 1
    for col, text in zip("ABCDEF", ("三级指标", "分值", "填报得分", "建议得分", "计分方式", "计算说明"),
                         strict=True):
        b.label(f"{col}{row}", text, bold=True)
    row += 1
    zrow = zr["ind_first"]
    for i1, l2_rows in enumerate(shape.indicator_rows):
        for i2, n2 in enumerate(l2_rows):
            for i3 in range(n2):
                key = f"calc.indicators[{i1}].secondaries[{i2}].rows[{i3}]"
                b.derived(f"A{row}", None, f"{key}.name", f'=IF({zp(f"D{zrow}")}="","",{zp(f"D{zrow}")})',
                          VType.TEXT, "三级指标", align="left")
                b.derived(f"B{row}", None, f"{key}.weight", f'=IF({zp(f"G{zrow}")}="","",{zp(f"G{zrow}")})',
                          VType.SCORE, "分值")
                b.derived(f"C{row}", None, f"{key}.score", f'=IF({zp(f"H{zrow}")}="","",{zp(f"H{zrow}")})',
                          VType.SCORE, "填报得分")
                for col, sub, vt in (("D", "suggested", VType.SCORE), ("E", "direction", VType.TEXT),
                                     ("F", "explanation", VType.TEXT)):
                    b.cells.append(Cell(sheet=CALC_SHEET, address=f"{col}{row}", role=Role.DERIVED,
                                        calc_key=f"{key}.{sub}", vtype=vt, caption=sub,
                                        align="left" if col == "F" else "center"))
                row += 1
                zrow += 1
    return SheetLayout(
        name=CALC_SHEET,
        columns={"A": 34.0, "B": 12.0, "C": 12.0, "D": 12.0, "E": 10.0, "F": 48.0},
        last_row=row - 1,
        last_col="F",
        table_top=2,
        table_bottom=row - 1,
        cells=tuple(b.cells),
    )


def build_layout(shape: Shape) -> Layout:
    """Every cell for ``shape``; raises :class:`~perfeval.limits.LimitError` above the largest report supported.

    A layout is immutable, so workbooks of one shape share it (``perfeval collect`` reads thousands), and shapes
    with as many 项目支出 rows, or the same indicator and goal rows, share that sheet. Only shapes of a usual size
    are kept (:data:`CACHED_ROWS`): the memory the caches hold stays small whatever the workbooks read."""
    n_rows = sum(sum(rows) for rows in shape.indicator_rows)
    check_shape(shape.n_projects, n_rows)
    if shape.n_projects <= CACHED_ROWS and n_rows <= CACHED_ROWS:
        return _cached_layout(shape)
    return _assemble(shape)


#: Layouts with at most this many 项目支出 rows and 三级 rows are cached (about 2,000 cells, 3 MB at most).
CACHED_ROWS = 100


def _assemble(shape: Shape) -> Layout:
    small_bd, small_zp = shape.n_projects <= CACHED_ROWS, sum(sum(r) for r in shape.indicator_rows) <= CACHED_ROWS
    bd = (_cached_bd if small_bd else _bd_layout)(shape.year, shape.n_projects)
    zp = (_cached_zp if small_zp else _zp_layout)(shape.indicator_rows, shape.goal_rows)
    calc = _calc_layout(shape)
    return Layout(form=FORM_NAME, year=shape.year, shape=shape, sheets={BD_SHEET: bd, ZP_SHEET: zp, CALC_SHEET: calc},
                  official=OFFICIAL_SHEETS)


_cached_layout = functools.lru_cache(maxsize=16)(_assemble)
_cached_bd = functools.lru_cache(maxsize=32)(_bd_layout)
_cached_zp = functools.lru_cache(maxsize=32)(_zp_layout)


def layout_for(report: Report) -> Layout:
    return build_layout(Shape.of(report))
