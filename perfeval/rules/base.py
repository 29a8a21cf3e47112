"""Rule machinery: :class:`Rule` (one small unit per check), :func:`rule` (the decorator that makes one) and
:class:`Context` (what a check sees, and the helpers that turn a model path into a located :class:`Finding`).

A rule reads like a frictionless check::

    @rule("BD-001", Severity.ERROR, "在职人员控制率 = 实际在职人数 / 编制数",
          "控制率填报为{stated}，按 在职人数/编制数 = {actual}/{authorized} 计算应为{computed}")
    def staff_control_rate(r: Rule, ctx: Context) -> Iterator[Finding]:
        ...
        yield ctx.finding(r, "basic.staff_control_rate_stated", stated=..., computed=..., actual=40, authorized=38)

The check never names a cell address: :meth:`Context.finding` resolves the model path through the layout
(``layout.find(path)``), fills sheet/cell and formats the rule's Chinese message template with the values used.
``stated``/``computed`` are display strings (:func:`perfeval.compare.display`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

from perfeval.compare import agrees, display
from perfeval.compute import Computed, Value
from perfeval.config import Config
from perfeval.findings import Finding, Severity
from perfeval.forms.base import TableRef
from perfeval.indicators import format_decimal
from perfeval.layout import Cell, Layout, VType
from perfeval.model import Level3
from perfeval.numbers import fmt_amount, fmt_number, fmt_rate, money, rate_display
from perfeval.paths import get_path
from perfeval.scoring import IndicatorScore, score_row

Source = Literal["model", "reader"]
CheckFn = Callable[["Rule", "Context"], Iterable[Finding]]

ZERO = Decimal(0)
_NO_FIELDS: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True)
class Rule:
    """One check of the catalogue: stable code, default severity, one-line Chinese title, message template(s)."""

    code: str
    severity: Severity
    title: str
    template: str
    check_fn: CheckFn = field(repr=False, compare=False)
    variants: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    description: str = ""

    def check(self, ctx: Context) -> Iterator[Finding]:
        yield from self.check_fn(self, ctx)

    def info(self) -> RuleInfo:
        return RuleInfo(code=self.code, severity=self.severity, title=self.title, source="model",
                        template=self.template, description=self.description)


@dataclass(frozen=True)
class RuleInfo:
    """What ``perfeval rules`` lists. ``source="reader"``: detected by the workbook reader, not by a rule."""

    code: str
    severity: Severity
    title: str
    source: Source
    template: str = ""
    description: str = ""


def rule(code: str, severity: Severity, title: str, template: str, **variants: str) -> Callable[[CheckFn], Rule]:
    """Decorator: turn ``def check(r: Rule, ctx: Context) -> Iterator[Finding]`` into a :class:`Rule`.

    ``variants`` are extra message templates for the rare rule that reports two kinds of problem
    (``ctx.finding(r, path, variant="over", ...)``). The function's docstring becomes the description
    (what is checked, and what is deliberately left out).
    """

    def wrap(fn: CheckFn) -> Rule:
        return Rule(code=code, severity=severity, title=title, template=template, check_fn=fn,
                    variants=MappingProxyType(dict(variants)), description=inspect.cleandoc(fn.__doc__ or ""))

    return wrap


def code_key(code: str) -> tuple[str, int]:
    """Order of rule codes: by prefix, then number (ZP-9 before ZP-10)."""
    prefix, _, number = code.partition("-")
    return prefix, int(number) if number.isdigit() else 0


def is_number(value: object) -> bool:
    return isinstance(value, Decimal)


def nz(value: Decimal | None) -> Decimal:
    """Blank counts as 0 (like the template's N()/SUM)."""
    return ZERO if value is None else value


def text_blank(value: str | None) -> bool:
    return value is None or value.strip() == ""


@dataclass
class Context:
    """What a check sees: the report, its layout, the engine's computed values and the config."""

    report: Any  # the form pack's report model
    layout: Layout
    computed: Computed
    config: Config
    extra: Mapping[str, Any] = field(default_factory=dict)  # what cross-form rules compare with (``validate --with``)
    _cells: dict[str, Cell] = field(init=False, repr=False)
    _scores: dict[str, IndicatorScore] = field(init=False, repr=False, default_factory=dict)
    _memo: dict[str, Any] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._cells = self.layout.by_path()

    # ----------------------------------------------------------------- values

    def cell(self, path: str) -> Cell:
        return self._cells[path]

    def value(self, path: str) -> Any:
        return get_path(self.report, path)

    def calc(self, key: str) -> Value:
        return self.computed.get(key)

    def shown(self, path: str) -> Decimal | None:
        """The number a derived cell shows: the stated number, or the formula's (computed) value."""
        stated = self.value(path)
        if isinstance(stated, Decimal):
            return stated
        value = self.calc(path)
        return value if isinstance(value, Decimal) else None

    def agrees(self, stated: Value, computed: Value, vtype: VType) -> bool:
        return agrees(stated, computed, vtype, self.config)

    def same_amount(self, a: Decimal | None, b: Decimal | None) -> bool:
        return agrees(money(nz(a)), money(nz(b)), VType.AMOUNT, self.config)

    @property
    def tables(self) -> list[TableRef]:
        """The 自评表 tables of the report (its form's :meth:`~perfeval.forms.base.FormPack.indicator_tables`)."""
        from perfeval import forms

        tables: list[TableRef] = self.memo("tables", lambda: forms.get(self.layout.form).indicator_tables(self.report))
        return tables

    def scored(self, path: str, row: Level3) -> IndicatorScore:
        """The engine's score of the 三级 row at model path ``path`` (computed once per run)."""
        if path not in self._scores:
            self._scores[path] = score_row(row, self.config)
        return self._scores[path]

    def memo(self, key: str, factory: Callable[[], Any]) -> Any:
        """A value computed once per run and shared by the rules (e.g. the status of every 三级 row)."""
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]

    # ----------------------------------------------------------------- display

    def show(self, value: Value, where: str | Cell | VType) -> str:
        """Display text of a value in the number format of a cell (path, Cell or VType)."""
        if isinstance(where, VType):
            vtype = where
        else:
            vtype = (where if isinstance(where, Cell) else self.cell(where)).vtype
        return display(value, vtype, self.config)

    def shown_text(self, path: str) -> str:
        """Display text of what a derived cell shows: the stated value, or the formula's value."""
        stated = self.value(path)
        return self.show(stated if stated is not None else self.calc(path), path)

    def amt(self, value: Decimal | None) -> str:
        return fmt_amount(nz(value))

    def pct(self, value: Decimal | None) -> str:
        return fmt_rate(value, self.config.rate_display_decimals)

    def limit(self, ratio: Decimal) -> str:
        """A configured threshold as written: 0.3 → "30%", 1.2 → "120%"."""
        return f"{format_decimal((ratio * 100).normalize())}%"

    def num(self, value: Decimal | int | None) -> str:
        return "空" if value is None else fmt_number(value)

    def rate_shown(self, value: Decimal) -> Decimal:
        """A rate at display precision (rules.md §4: compare rates as shown)."""
        shown = rate_display(value, self.config.rate_display_decimals)
        assert shown is not None
        return shown

    # ----------------------------------------------------------------- findings

    def finding(self, rule: Rule, where: str | Cell, *, stated: str | None = None, computed: str | None = None,
                variant: str | None = None, severity: Severity | None = None,
                fields: Mapping[str, object] = _NO_FIELDS, **named: object) -> Finding:
        """A finding of ``rule`` at the cell of model path ``where`` (or at a Cell).

        The message is the rule's template (or ``variant``) formatted with ``stated``, ``computed``, the cell's
        ``caption``, the mapping ``fields`` and the ``named`` keywords; ``severity`` overrides the rule's default
        for a milder/harsher case. A mapping goes in ``fields`` (not ``**``) so that its keys can never be taken
        for this method's own parameters.
        """
        cell = where if isinstance(where, Cell) else self.cell(where)
        template = rule.template if variant is None else rule.variants[variant]
        message = template.format(stated=stated, computed=computed, caption=cell.caption, **fields, **named)
        return Finding(code=rule.code, severity=severity or rule.severity, sheet=cell.sheet, cell=cell.address,
                       message=message, stated=stated, computed=computed)
