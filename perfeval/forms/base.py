"""The form protocol: everything the file layer, the command line, flagging, export, verify and the add-in know
about a form.

A form pack (a sub-package of :mod:`perfeval.forms`) exposes one :class:`FormPack` instance, ``FORM``. It owns
its model, its layout (cell addresses), its derived quantities and its rules; the rest of the code base reaches
it only through the methods below (and the generic :class:`~perfeval.layout.Layout` it returns), so a new form is
a new folder plus one line in :data:`perfeval.forms.BUILTIN`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from perfeval.compute import Computed
    from perfeval.config import Config
    from perfeval.layout import Layout
    from perfeval.model import IndicatorTable
    from perfeval.reading import BookGrid, ReadResult
    from perfeval.receiving import ScoreEntry
    from perfeval.rules.base import Rule, RuleInfo


@dataclass(frozen=True)
class ListedProject:
    """A project as a form lists it (附件1-1 one row per project; the project form one sheet per project):
    what ``new --projects-from`` starts from and what the cross-form check X-005 compares."""

    name: str
    budget: Decimal | None = None  # 全年预算数 (project form) / Y年预算数 (附件1-1)
    actual: Decimal | None = None  # 全年执行数 / Y年决算数
    initial_budget: Decimal | None = None  # 年初预算数 (project form only)
    prev_actual: Decimal | None = None  # (Y−1)年决算数 (附件1-1 only)
    path: str | None = None  # model path of the name (its cell through the layout)

    @property
    def current(self) -> bool:
        """Whether the project has figures in the 评价年度 (a row with only Y−1 figures is a closed project)."""
        return any(v not in (None, Decimal(0)) for v in (self.budget, self.actual, self.initial_budget))


@dataclass(frozen=True)
class TableRef:
    """One 自评表 inside a report: where it lives (model path prefix) and which header texts it requires.
    The shared 自评表 rules (:mod:`perfeval.rules.table`) check every table a form lists."""

    prefix: str  # e.g. "self_eval" or "projects[2]"
    table: IndicatorTable
    required: tuple[str, ...] = ()  # header fields (relative to prefix) that must not be blank (ZP-019)
    label: str = ""  # how messages name the table when a workbook has several, e.g. the project name
    calc_prefix: str = "calc"  # 计算结果 keys of its 三级 rows: {calc_prefix}.indicators[i1].secondaries[i2].rows[i3]


@dataclass
class BlankOptions:
    """What ``perfeval new`` / the 新建 buttons may ask of a fresh workbook."""

    year: int
    unit_name: str = ""
    n_projects: int | None = None  # repeating project rows (附件1-1) or project sheets (project form)
    projects: Sequence[ListedProject] = field(default_factory=tuple)  # start from another form's projects


class FormPack(ABC):
    """One official form (a set of sheets sent upward together)."""

    #: the ``--form`` value, e.g. "department"
    name: str
    #: Chinese title shown by ``perfeval forms`` and in messages
    title: str
    #: Chinese one-line description
    description: str
    #: the report model (pydantic)
    model: type[BaseModel]
    #: committed template's file name, with ``{year}``
    template_filename: str
    #: recorded in every workbook and 定稿 (``template_id``/``template_version`` metadata)
    template_id: str
    template_version: str = "1"
    #: what ``perfeval new`` names a fresh workbook: {unit}{suffix} (suffix has ``{year}``)
    new_suffix: str = "_{year}年绩效自评表.xlsx"
    #: what ``导出`` names the 定稿: {unit}{suffix}
    final_suffix: str = "_{year}年绩效自评表_定稿.xlsx"
    #: default number of repeating rows/sheets of a fresh workbook
    default_projects: int = 10

    # ------------------------------------------------------------------ model and layout
    @abstractmethod
    def blank(self, options: BlankOptions, config: Config) -> BaseModel:
        """An empty report with the official skeleton (what ``perfeval new`` writes)."""

    @abstractmethod
    def layout_for(self, report: Any) -> Layout:
        """Every cell of the workbook for ``report``'s shape (raises LimitError above the limits)."""

    def parse_json(self, text: str) -> BaseModel:
        """A report from its JSON (``perfeval fill``); pydantic's ValidationError on a bad file."""
        return self.model.model_validate_json(text)

    def year(self, report: Any) -> int:
        return int(report.year)

    @abstractmethod
    def unit_name(self, report: Any) -> str:
        """The budget unit the workbook belongs to (output names, 定稿 metadata)."""

    # ------------------------------------------------------------------ engine
    @abstractmethod
    def compute(self, report: Any, config: Config) -> Computed:
        """Every derived quantity, keyed like the layout's ``calc_key``s (see :mod:`perfeval.compute`)."""

    @abstractmethod
    def rules(self) -> tuple[Rule, ...]:
        """The rule catalogue of this form (shared 自评表 rules included)."""

    def indicator_tables(self, report: Any) -> list[TableRef]:
        """The 自评表 tables of ``report`` the shared rules check."""
        return []

    def listed_projects(self, report: Any) -> list[ListedProject]:
        """The projects this form lists (``new --projects-from`` and X-005)."""
        return []

    def reader_rules(self) -> tuple[RuleInfo, ...]:
        """Codes this form's reader reports (listed by ``perfeval rules``; the core reader's RD-* are listed once)."""
        return ()

    def cross_rules(self) -> tuple[Rule, ...]:
        """Rules that compare this form with another workbook (``validate --with``)."""
        return ()

    def report_rules(self) -> tuple[Rule, ...]:
        """Rules that compare a 自评报告's text with this form's tables (``validate --report``)."""
        return ()

    def summary_lines(self, report: Any, computed: Computed, config: Config) -> list[tuple[str, str]]:
        """(label, value) lines ``perfeval demo`` prints for a computed report."""
        return []

    def score_entries(self, report: Any, layout: Layout, computed: Computed, config: Config) -> list[ScoreEntry]:
        """What the receiver's 汇总 shows of each scored table (``perfeval collect``): one per
        :meth:`indicator_tables` entry, with its 总分 (Σ得分 as the table states it), 等级 by ``config``,
        预算执行率 and 全年预算数/执行数 of its 年度资金总额 row."""
        from perfeval.receiving import ScoreEntry
        from perfeval.scoring import grade

        out = []
        for ref in self.indicator_tables(report):
            score = computed.get(f"{ref.prefix}.total_score_stated")
            scored = any(row.score is not None for *_, row in ref.table.rows())
            score = score if isinstance(score, Decimal) and scored else None  # a table nobody scored has no 总分
            rate = computed.get(f"{ref.prefix}.funds.execution_rate_stated")
            funds = ref.table.funds
            try:
                sheet = layout.find(f"{ref.prefix}.funds.executed").sheet
            except KeyError:
                sheet = ""
            out.append(ScoreEntry(project=ref.label, score=score, grade=grade(score, config),
                                  execution_rate=rate if isinstance(rate, Decimal) else None,
                                  budget=funds.full_year_budget, actual=funds.executed, sheet=sheet))
        return out

    def receiver_figures(self, report: Any, computed: Computed) -> dict[str, Decimal | None]:
        """Further figures of the 汇总 row, by :class:`perfeval.receiving.Submission` field name
        (the department form: “三公”经费 控制率, 决算, 预算)."""
        return {}

    # ------------------------------------------------------------------ workbooks
    @abstractmethod
    def recognise(self, book: BookGrid) -> bool:
        """Whether ``book`` holds this form (by the printed titles of its sheets; cheap)."""

    @abstractmethod
    def read(self, book: BookGrid) -> ReadResult:
        """Read ``book`` back into the model; StructureError (Chinese) when it does not match the form."""
