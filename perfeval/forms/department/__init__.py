"""Department pack: 附件1-1 部门整体支出绩效评价基础数据表 + 附件1-2 （部门）整体支出绩效自评表.

Model (:mod:`.model`), layout (:mod:`.layout`), derived quantities (:mod:`.compute`), reading (:mod:`.reading`)
and rules (:mod:`.rules`) of the form; :data:`FORM` is all the rest of the code base sees.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from perfeval.forms.base import BlankOptions, FormPack, ListedProject, TableRef

if TYPE_CHECKING:
    from pydantic import BaseModel

    from perfeval.compute import Computed
    from perfeval.config import Config
    from perfeval.layout import Layout
    from perfeval.reading import BookGrid, ReadResult
    from perfeval.rules.base import Rule, RuleInfo


class DepartmentForm(FormPack):
    name = "department"
    title = "部门整体支出绩效自评表（附件1-1、附件1-2）"
    description = "附件1-1 部门整体支出绩效评价基础数据表与附件1-2 整体支出绩效自评表，一个工作簿两张表"
    template_filename = "部门整体支出绩效自评表_{year}年度模板.xlsx"
    template_id = "perfeval-zhengti-2023"
    template_version = "1"
    new_suffix = "_{year}年部门整体支出绩效自评表.xlsx"
    final_suffix = "_{year}年部门整体支出绩效自评表_定稿.xlsx"
    default_projects = 10

    @property
    def model(self) -> type[BaseModel]:  # type: ignore[override]
        from perfeval.forms.department.model import Report

        return Report

    def blank(self, options: BlankOptions, config: Config) -> BaseModel:
        from perfeval.forms.department.model import Project, blank_report
        from perfeval.model import default_indicators

        listed = [p for p in options.projects if p.name.strip()]
        n = options.n_projects if options.n_projects is not None else max(len(listed), self.default_projects)
        report = blank_report(year=options.year, unit_name=options.unit_name, n_projects=n)
        report.self_eval.indicators = default_indicators(config.level1_weights)
        report.self_eval.funds.weight = config.funds_weight
        for i, project in enumerate(listed[:n]):
            report.basic.projects[i] = Project(name=project.name.strip())
        return report

    def layout_for(self, report: Any) -> Layout:
        from perfeval.forms.department.layout import layout_for

        return layout_for(report)

    def unit_name(self, report: Any) -> str:
        return str(report.basic.unit_name or report.self_eval.unit_name).strip()

    def compute(self, report: Any, config: Config) -> Computed:
        from perfeval.forms.department.compute import compute

        return compute(report, config)

    def rules(self) -> tuple[Rule, ...]:
        from perfeval.forms.department.rules import RULES

        return RULES

    def reader_rules(self) -> tuple[RuleInfo, ...]:
        from perfeval.forms.department.rules import READER_RULES

        return READER_RULES

    def indicator_tables(self, report: Any) -> list[TableRef]:
        return [TableRef(prefix="self_eval", table=report.self_eval, required=("unit_name",))]

    def report_rules(self) -> tuple[Rule, ...]:
        from perfeval.report.rules import DEPARTMENT_RULES

        return DEPARTMENT_RULES

    def listed_projects(self, report: Any) -> list[ListedProject]:
        """附件1-1's 项目支出 rows: Y年预算数 as ``budget``, Y年决算数 as ``actual``."""
        return [ListedProject(name=p.name, budget=p.amounts.budget, actual=p.amounts.actual,
                              prev_actual=p.amounts.prev_actual, path=f"basic.projects[{i}].name")
                for i, p in enumerate(report.basic.projects) if p.name.strip()]

    def receiver_figures(self, report: Any, computed: Computed) -> dict[str, Decimal | None]:
        stated = report.basic.three_public_stated

        def amount(col: str) -> Decimal | None:  # as the table states it, else as the engine computes it
            value = getattr(stated, col)
            value = value if isinstance(value, Decimal) else computed.get(f"basic.three_public_stated.{col}")
            return value if isinstance(value, Decimal) else None

        rate = computed.get("calc.three_public_control")
        return {"control_rate": rate if isinstance(rate, Decimal) else None,
                "three_public_actual": amount("actual"), "three_public_budget": amount("budget")}

    def summary_lines(self, report: Any, computed: Computed, config: Config) -> list[tuple[str, str]]:
        from perfeval.forms.department.compute import summary_lines

        return summary_lines(report, computed, config)

    def recognise(self, book: BookGrid) -> bool:
        from perfeval.forms.department.reading import recognise

        return recognise(book)

    def read(self, book: BookGrid) -> ReadResult:
        from perfeval.forms.department.reading import read

        return read(book)


FORM = DepartmentForm()
