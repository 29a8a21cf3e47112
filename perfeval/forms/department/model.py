"""Department pack model: every field of 附件1-1 基础数据表 and 附件1-2 自评表, as in the seed.

Value types, the indicator rows and :class:`~perfeval.model.IndicatorTable` come from the shared core
(:mod:`perfeval.model`); see there for the conventions (amounts, stated values).
"""

from __future__ import annotations

from pydantic import Field

from perfeval.model import (
    Amount,
    Count,
    Date,
    IndicatorTable,
    Stated,
    _Model,
    default_indicators,
)

SCHEMA_VERSION = "1"


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


class SelfEvaluation(IndicatorTable):
    """附件1-2 部门整体支出绩效自评表."""

    unit_name: str = Field(default="", description="预算单位名称")
    income_total_stated: Stated = Field(default=None, description="按收入性质分 (stated total)")
    income_general_public: Amount = Field(default=None, description="其中：一般公共预算")
    income_gov_fund: Amount = Field(default=None, description="政府性基金拨款")
    income_special_non_tax: Amount = Field(default=None, description="纳入专户管理的非税收入拨款")
    income_other: Amount = Field(default=None, description="其他资金")
    expenditure_total_stated: Stated = Field(default=None, description="按支出性质分 (stated total)")
    expenditure_basic: Amount = Field(default=None, description="其中：基本支出")
    expenditure_project: Amount = Field(default=None, description="项目支出")


class Report(_Model):
    """One unit's annual 部门整体支出绩效自评: both official tables."""

    schema_version: str = SCHEMA_VERSION
    year: int = Field(description="评价年度 Y: columns read (Y−1)年决算数, Y年预算数, Y年决算数", ge=2000, le=2100)
    basic: BasicData = Field(default_factory=BasicData)
    self_eval: SelfEvaluation = Field(default_factory=SelfEvaluation)


def blank_report(year: int, unit_name: str = "", n_projects: int = 10) -> Report:
    """An empty report with the official skeleton (what ``perfeval new`` writes)."""
    return Report(
        year=year,
        basic=BasicData(unit_name=unit_name, projects=[Project() for _ in range(n_projects)]),
        self_eval=SelfEvaluation(unit_name=unit_name, indicators=default_indicators()),
    )
