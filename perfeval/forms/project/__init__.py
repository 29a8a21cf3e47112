"""Project pack: the 项目支出绩效自评表 (MOF 2020 layout), one sheet per project of a unit.

Model (:mod:`.model`), layout (:mod:`.layout`), derived quantities (:mod:`.compute`), reading (:mod:`.reading`)
and rules (:mod:`.rules`: XM-* and the cross-form X-005); :data:`FORM` is all the rest of the code base sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from perfeval.forms.base import BlankOptions, FormPack, ListedProject, TableRef

if TYPE_CHECKING:
    from pydantic import BaseModel

    from perfeval.compute import Computed
    from perfeval.config import Config
    from perfeval.layout import Layout
    from perfeval.reading import BookGrid, ReadResult
    from perfeval.rules.base import Rule, RuleInfo


class ProjectForm(FormPack):
    name = "project"
    title = "项目支出绩效自评表"
    description = "项目支出绩效自评表（财政部2020年格式），一个项目一张工作表，一个单位的项目可放在同一工作簿"
    template_filename = "项目支出绩效自评表_{year}年度模板.xlsx"
    template_id = "perfeval-xiangmu-2020"
    template_version = "1"
    new_suffix = "_{year}年项目支出绩效自评表.xlsx"
    final_suffix = "_{year}年项目支出绩效自评表_定稿.xlsx"
    default_projects = 1

    @property
    def model(self) -> type[BaseModel]:  # type: ignore[override]
        from perfeval.forms.project.model import ProjectBook

        return ProjectBook

    def blank(self, options: BlankOptions, config: Config) -> BaseModel:
        """One sheet per project of ``options.projects`` (another form's list, e.g. 附件1-1's 项目支出 rows) that has
        a name and figures in the 评价年度 — a row with only (Y−1)年决算数 is a closed project and gets no sheet —
        named as listed without its row number (``6.鹤城…`` → ``鹤城…``); the amounts are left for the unit to
        type. Without such projects, ``options.n_projects`` (default 1) blank sheets. Every sheet: 实施单位 =
        ``options.unit_name``, 年度资金总额 分值 = ``config.funds_weight``, the official 一级/二级 skeleton with the
        一级 weights of ``config.level1_weights``."""
        from perfeval.forms.project.model import ProjectBook, ProjectTable
        from perfeval.model import FundsRow, default_indicators
        from perfeval.names import strip_ordinal

        listed = [p for p in options.projects if p.name.strip() and p.current]
        names = [strip_ordinal(p.name) for p in listed]
        if not names:
            names = [""] * (options.n_projects if options.n_projects is not None else self.default_projects)
        projects = [ProjectTable(name=name, implementer=options.unit_name.strip(),
                                 funds=FundsRow(weight=config.funds_weight),
                                 indicators=default_indicators(config.level1_weights))
                    for name in names]
        return ProjectBook(year=options.year, projects=projects)

    def layout_for(self, report: Any) -> Layout:
        from perfeval.forms.project.layout import layout_for

        return layout_for(report)

    def unit_name(self, report: Any) -> str:
        """The 实施单位 of the first project that names one (else its 主管部门)."""
        for table in report.projects:
            if table.implementer.strip():
                return str(table.implementer).strip()
        return next((str(t.department).strip() for t in report.projects if t.department.strip()), "")

    def compute(self, report: Any, config: Config) -> Computed:
        from perfeval.forms.project.compute import compute

        return compute(report, config)

    def rules(self) -> tuple[Rule, ...]:
        from perfeval.forms.project.rules import RULES as OWN
        from perfeval.rules import table
        from perfeval.rules.base import code_key

        return tuple(sorted((*table.RULES, *OWN), key=lambda r: code_key(r.code)))

    def cross_rules(self) -> tuple[Rule, ...]:
        from perfeval.forms.project.rules import CROSS_RULES

        return CROSS_RULES

    def reader_rules(self) -> tuple[RuleInfo, ...]:
        from perfeval.forms.project.rules import READER_RULES

        return READER_RULES

    def indicator_tables(self, report: Any) -> list[TableRef]:
        return [TableRef(prefix=f"projects[{i}]", table=p, required=("name", "department", "implementer"),
                         label=p.name.strip() or f"项目{i + 1}", calc_prefix=f"calc.projects[{i}]")
                for i, p in enumerate(report.projects)]

    def report_rules(self) -> tuple[Rule, ...]:
        from perfeval.report.rules import COMMON_RULES

        return COMMON_RULES

    def listed_projects(self, report: Any) -> list[ListedProject]:
        """One per project sheet with a name: 全年预算数 as ``budget``, 全年执行数 as ``actual``, 年初预算数 as
        ``initial_budget``."""
        return [ListedProject(name=p.name, budget=p.funds.full_year_budget, actual=p.funds.executed,
                              initial_budget=p.funds.initial_budget, path=f"projects[{i}].name")
                for i, p in enumerate(report.projects) if p.name.strip()]

    def summary_lines(self, report: Any, computed: Computed, config: Config) -> list[tuple[str, str]]:
        from perfeval.forms.project.compute import summary_lines

        return summary_lines(report, computed, config)

    def recognise(self, book: BookGrid) -> bool:
        from perfeval.forms.project.titles import project_sheets  # not the reader: cheap for other forms' books

        return bool(project_sheets(book))

    def read(self, book: BookGrid) -> ReadResult:
        from perfeval.forms.project.reading import read

        return read(book)


FORM = ProjectForm()
