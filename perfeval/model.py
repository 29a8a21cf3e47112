"""Report model: every field of 附件1-1 基础数据表 and 附件1-2 自评表, as in the seed.

Conventions
- Amounts are ``Decimal`` 万元; rates are fractions (``Decimal("0.95")`` is 95%).
- Cells the official form computes (控制率, totals, 执行率, 得分 of 年度资金总额, 总分) are *stated* values:
  what the unit typed or printed, kept apart from what the engine computes (``perfeval.compute``).
  A stated value is a number, a text such as ``"—"``, or ``None`` (left to the formula).
- Texts typed by the unit (names, indicator values, goals) are kept verbatim.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from perfeval.numbers import NumberParseError, is_blank, normalise_text, to_decimal

SCHEMA_VERSION = "1"


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, Decimal) or value is None:
        return value
    return to_decimal(value)


def _stated(value: Any) -> Decimal | str | None:
    """A stated value: numbers (also numeric text such as "95%") become Decimal, other text stays."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, str) and is_blank(value):
        return None
    try:
        return to_decimal(value)
    except NumberParseError:
        return str(value).strip()


def _count(value: Any) -> int | None:
    number = _amount(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"人数应为整数：{value}")
    return int(number)


_CN_DATE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    text = normalise_text(str(value))
    if text == "":
        return None
    match = _CN_DATE.match(text)
    if not match:
        raise ValueError(f"无法识别的日期：{value}")
    year, month, day = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def _dec_json(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _stated_json(value: Decimal | str | None) -> str | None:
    return None if value is None else str(value)


Amount = Annotated[
    Decimal | None, BeforeValidator(_amount), PlainSerializer(_dec_json, when_used="json")
]
Stated = Annotated[
    Decimal | str | None, BeforeValidator(_stated), PlainSerializer(_stated_json, when_used="json")
]
Count = Annotated[int | None, BeforeValidator(_count)]
Date = Annotated[dt.date | None, BeforeValidator(_date)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Amounts(_Model):
    """One row of 经费控制情况: (Y−1)年决算数, Y年预算数, Y年决算数."""

    prev_actual: Amount = Field(default=None, description="上年决算数")
    budget: Amount = Field(default=None, description="本年预算数")
    actual: Amount = Field(default=None, description="本年决算数")


class StatedAmounts(_Model):
    """A total row the form computes; what the unit stated in each column."""

    prev_actual: Stated = None
    budget: Stated = None
    actual: Stated = None


class Project(_Model):
    """One 项目支出 row of 附件1-1 (one per project; the seed has 10)."""

    name: str = ""
    amounts: Amounts = Field(default_factory=Amounts)


class Building(_Model):
    """楼堂馆所控制情况."""

    approved_area: Amount = Field(default=None, description="批复规模（㎡）")
    actual_area: Amount = Field(default=None, description="实际规模（㎡）")
    area_control_stated: Stated = Field(default=None, description="规模控制 (stated)")
    budget_investment: Amount = Field(default=None, description="预算投资（万元）")
    actual_investment: Amount = Field(default=None, description="实际投资（万元）")
    investment_control_stated: Stated = Field(default=None, description="投资概算控制率 (stated)")


class BasicData(_Model):
    """附件1-1 部门整体支出绩效评价基础数据表."""

    unit_name: str = Field(default="", description="填报单位")
    staff_authorized: Count = Field(default=None, description="编制数")
    staff_actual: Count = Field(default=None, description="实际在职人数")
    staff_control_rate_stated: Stated = Field(default=None, description="控制率 (stated)")

    three_public_stated: StatedAmounts = Field(default_factory=StatedAmounts, description="三公经费")
    vehicle_stated: StatedAmounts = Field(
        default_factory=StatedAmounts, description="1.公务用车购置和维护经费"
    )
    vehicle_purchase: Amounts = Field(default_factory=Amounts, description="其中：公车购置")
    vehicle_operation: Amounts = Field(default_factory=Amounts, description="公车运行维护")
    overseas: Amounts = Field(default_factory=Amounts, description="2.出国经费")
    reception: Amounts = Field(default_factory=Amounts, description="3.公务接待")

    projects_stated: StatedAmounts = Field(default_factory=StatedAmounts, description="项目支出")
    projects: list[Project] = Field(default_factory=list)

    public_funds: Amounts = Field(default_factory=Amounts, description="公用经费")
    office: Amounts = Field(default_factory=Amounts, description="其中：办公费")
    utilities_travel: Amounts = Field(default_factory=Amounts, description="水费、电费、差旅费")
    meetings_training: Amounts = Field(default_factory=Amounts, description="会议费、培训费")
    procurement: Amounts = Field(default_factory=Amounts, description="政府采购金额")
    basic_adjustment: Amounts = Field(
        default_factory=Amounts, description="部门基本支出预算调整 (budget = 年初, actual = 调整后/决算)"
    )

    building: Building = Field(default_factory=Building)
    frugality_measures: str = Field(default="", description="厉行节约保障措施")

    filler: str = Field(default="", description="填表人")
    fill_date: Date = Field(default=None, description="填报日期")
    phone: str = Field(default="", description="联系电话")


class FundsRow(_Model):
    """年度资金总额 row of 附件1-2."""

    initial_budget: Amount = Field(default=None, description="年初预算数")
    full_year_budget: Amount = Field(default=None, description="全年预算数")
    executed: Amount = Field(default=None, description="全年执行数")
    weight: Amount = Field(default=Decimal("10"), description="分值")
    execution_rate_stated: Stated = Field(default=None, description="执行率 (stated)")
    score_stated: Stated = Field(default=None, description="得分 (stated)")


class Level3(_Model):
    """One 三级指标 row."""

    name: str = Field(default="", description="三级指标")
    target: str = Field(default="", description="年度指标值 (raw text)")
    actual: str = Field(default="", description="实际完成值 (raw text)")
    weight: Amount = Field(default=None, description="分值")
    score: Amount = Field(default=None, description="得分 (the unit's)")
    deviation: str = Field(default="", description="偏差原因分析及改进措施")

    def parsed_target(self) -> Any:
        from perfeval.indicators import parse_value

        return parse_value(self.target)

    def parsed_actual(self) -> Any:
        from perfeval.indicators import parse_value

        return parse_value(self.actual)


class Level2(_Model):
    name: str = Field(min_length=1, description="二级指标, e.g. 数量指标")
    rows: list[Level3] = Field(default_factory=lambda: [Level3()], min_length=1)


class Level1(_Model):
    name: str = Field(min_length=1, description="一级指标, e.g. 产出指标")
    weight: Amount = Field(default=None, description="declared weight printed in the label, e.g. （50分）")
    secondaries: list[Level2] = Field(min_length=1)


class SelfEvaluation(_Model):
    """附件1-2 部门整体支出绩效自评表."""

    unit_name: str = Field(default="", description="预算单位名称")
    funds: FundsRow = Field(default_factory=FundsRow)
    income_total_stated: Stated = Field(default=None, description="按收入性质分 (stated total)")
    income_general_public: Amount = Field(default=None, description="其中：一般公共预算")
    income_gov_fund: Amount = Field(default=None, description="政府性基金拨款")
    income_special_non_tax: Amount = Field(default=None, description="纳入专户管理的非税收入拨款")
    income_other: Amount = Field(default=None, description="其他资金")
    expenditure_total_stated: Stated = Field(default=None, description="按支出性质分 (stated total)")
    expenditure_basic: Amount = Field(default=None, description="其中：基本支出")
    expenditure_project: Amount = Field(default=None, description="项目支出")
    goal_expected: str = Field(default="", description="年度总体目标 — 预期目标")
    goal_actual: str = Field(default="", description="年度总体目标 — 实际完成情况")
    indicators: list[Level1] = Field(default_factory=list)
    total_weight_stated: Stated = Field(default=None, description="总分 — 分值 (stated)")
    total_score_stated: Stated = Field(default=None, description="总分 — 得分 (stated)")

    def rows(self) -> list[tuple[int, int, int, Level1, Level2, Level3]]:
        """Every 三级 row with its indices (i1, i2, i3) and parents, in sheet order."""
        out = []
        for i1, l1 in enumerate(self.indicators):
            for i2, l2 in enumerate(l1.secondaries):
                for i3, row in enumerate(l2.rows):
                    out.append((i1, i2, i3, l1, l2, row))
        return out


class Report(_Model):
    """One unit's annual 部门整体支出绩效自评: both official tables."""

    schema_version: str = SCHEMA_VERSION
    year: int = Field(description="评价年度 Y: columns read (Y−1)年决算数, Y年预算数, Y年决算数", ge=2000, le=2100)
    basic: BasicData = Field(default_factory=BasicData)
    self_eval: SelfEvaluation = Field(default_factory=SelfEvaluation)


DEFAULT_INDICATORS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("产出指标", 50, ("数量指标", "质量指标", "时效指标", "成本指标")),
    ("效益指标", 30, ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
    ("满意度指标", 10, ("服务对象满意度指标",)),
)


def default_indicators() -> list[Level1]:
    """The official 一级/二级 skeleton, one empty 三级 row each."""
    return [
        Level1(name=n1, weight=Decimal(w), secondaries=[Level2(name=n2) for n2 in n2s])
        for n1, w, n2s in DEFAULT_INDICATORS
    ]


def blank_report(year: int, unit_name: str = "", n_projects: int = 10) -> Report:
    """An empty report with the official skeleton (what ``perfeval new`` writes)."""
    return Report(
        year=year,
        basic=BasicData(unit_name=unit_name, projects=[Project() for _ in range(n_projects)]),
        self_eval=SelfEvaluation(unit_name=unit_name, indicators=default_indicators()),
    )
