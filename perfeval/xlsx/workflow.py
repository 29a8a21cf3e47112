"""File-level operations behind the command line: new, fill, extract, compute, templates.

Each takes paths, never modifies its input, and writes its output atomically.

openpyxl (and the modules built on it: reader, writer, flags) is imported inside the functions that write or need
it, so that ``validate`` without ``-o`` reads through the fast reader (:mod:`perfeval.xlsx.fast`) without loading
openpyxl at all (a test checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfeval import forms
from perfeval.compute import Computed, compute_with_formulas
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.findings import FindingReport
from perfeval.forms.base import BlankOptions, ListedProject
from perfeval.layout import Layout
from perfeval.limits import check_shape
from perfeval.reading import ReadResult, StructureError
from perfeval.xlsx.io import WorkbookError, ensure_distinct, open_workbook, save_atomic

if TYPE_CHECKING:
    from openpyxl import Workbook

    from perfeval.flagging import FlagPlan

TEMPLATE_YEAR = 2025
TEMPLATE_FILENAME = forms.get(forms.DEFAULT_FORM).template_filename


def template_report(year: int = TEMPLATE_YEAR, unit_name: str = "", n_projects: int | None = None, *,
                    form: str = forms.DEFAULT_FORM, projects: Sequence[ListedProject] = (),
                    config: Config = DEFAULT_CONFIG) -> Any:
    """An empty report of ``form`` with its official skeleton."""
    return forms.get(form).blank(BlankOptions(year=year, unit_name=unit_name, n_projects=n_projects,
                                              projects=tuple(projects)), config)


def write_new(out: Path, *, year: int = TEMPLATE_YEAR, unit_name: str = "", n_projects: int | None = None,
              deterministic: bool = False, form: str = forms.DEFAULT_FORM,
              projects: Sequence[ListedProject] = (), config: Config | None = None) -> Path:
    """An empty official workbook of ``form`` (what the 新建 buttons and ``perfeval new`` produce); a ``config``
    (scoring profile) sets the template's 分值 and is recorded for the later commands."""
    if n_projects is not None:
        check_shape(n_projects)  # before building a report of that many rows
    from perfeval.xlsx.writer import build_workbook

    pack = forms.get(form)
    used = config or DEFAULT_CONFIG
    report = template_report(year, unit_name, n_projects, form=form, projects=projects, config=used)
    layout = pack.layout_for(report)
    wb = build_workbook(report, layout, pack.compute(report, used), config)
    save_atomic(wb, out, deterministic=deterministic)
    return out


def build_templates(out_dir: Path, year: int = TEMPLATE_YEAR, form: str | None = None) -> list[Path]:
    """The committed templates in ``workbook_templates/`` (every form, or ``form``); byte-reproducible."""
    packs = forms.all_forms() if form is None else [forms.get(form)]
    return [write_new(out_dir / pack.template_filename.format(year=year), year=year, deterministic=True,
                      form=pack.name) for pack in packs]


@dataclass
class FillResult:
    report: Any
    layout: Layout
    computed: Computed


def fill(report: Any, out: Path, config: Config | None = None) -> FillResult:
    """Write a report into a fresh official workbook; stated values stay as typed (errors included). A ``config``
    (scoring profile) is recorded for the later commands."""
    from perfeval.xlsx.writer import build_workbook

    pack = forms.for_report(report)
    layout = pack.layout_for(report)
    computed = pack.compute(report, config or DEFAULT_CONFIG)
    save_atomic(build_workbook(report, layout, computed, config), out)
    return FillResult(report, layout, computed)


def extract(path: Path) -> ReadResult:
    from perfeval.xlsx.reader import read_workbook

    return read_workbook(path)


@dataclass
class ComputeResult:
    read: ReadResult
    computed: Computed
    restored: list[str]
    converted: list[str] = field(default_factory=list)  # "sheet!A1：“原文” → 数值" of each text number converted
    config: Config = DEFAULT_CONFIG  # the configuration used (given, or recorded in the workbook)


@dataclass
class ValidateResult:
    read: ReadResult
    findings: FindingReport  # every finding: the tables', then (with a report) the report's, sorted together
    plan: FlagPlan | None
    config: Config = DEFAULT_CONFIG  # the configuration used (given, or recorded in the workbook)
    report: Any = None  # the ReportDocument checked (``--report``), or None
    report_findings: list[Any] = field(default_factory=list)  # its findings (also in ``findings``)


def validate_file(src: Path, out: Path | None = None, config: Config | None = None,
                  companion: Path | None = None, report: Path | None = None) -> ValidateResult:
    """校验: run the rule catalogue; with ``out``, write a copy with findings flagged in place. With
    ``companion`` (another form's workbook, e.g. the 附件1-1 for project tables), the form's cross-form rules
    compare the two. With ``report`` (a 自评报告 .docx/.txt/.pdf), the form's report rules check its text against
    the tables; their findings are listed with the others and, with ``out``, written to the 报告核对 sheet (they
    flag no cell of the official sheets)."""
    from perfeval.rules import RULESET_VERSION, run_rules

    if out is not None:
        ensure_distinct(src, out)
        if report is not None:
            ensure_distinct(report, out)
    doc = None
    if report is not None:  # the report modules only when a report is checked (a plain validate starts faster)
        from perfeval.report.files import read_report

        doc = read_report(report)
    wb: Workbook | None = None
    if out is None:  # nothing written: the values-only path, openpyxl only when the fast reader cannot read src
        read, recorded = read_values(src)
    else:
        from perfeval.xlsx.reader import read_workbook_obj
        from perfeval.xlsx.writer import workbook_config

        wb = open_workbook(src)
        read, recorded = read_workbook_obj(wb, src), workbook_config(wb)
    config = config or recorded or DEFAULT_CONFIG
    extra, context = (), {}
    if companion is not None:
        extra = cross_rules_for(read, src)
        other = read_companion(companion)
        if other.layout.form == read.layout.form:
            raise WorkbookError(f"{companion.name} 与 {src.name} 是同一种表格（{forms.get(read.layout.form).title}），"
                                "无法交叉核对：--with 后应是另一种表格的工作簿")
        context = {"companion": (forms.get(other.layout.form), other.report)}
    pack = forms.get(read.layout.form)
    computed = pack.compute(read.report, config)
    findings = run_rules(read.report, read.layout, computed, config=config, read_issues=read.issues, extra=extra,
                         context=context).sorted()
    reported: list[Any] = []
    if doc is not None:
        from perfeval.report.check import check_report, merged

        reported = check_report(read.report, read.layout, computed, config, doc, read.issues)
        findings_all = merged(findings, reported)
    else:
        findings_all = findings  # already sorted: what merged(findings, []) gives
    plan = None
    if out is not None and wb is not None:
        from perfeval.xlsx.flags import flag_workbook

        plan = flag_workbook(wb, findings, ruleset_version=RULESET_VERSION, sheet_names=read.sheet_names)
        if doc is not None:
            from perfeval.xlsx.report_sheet import write_report_sheet

            write_report_sheet(wb, reported, doc.name, read.sheet_names)
        save_atomic(wb, out)
    return ValidateResult(read, findings_all, plan, config, doc, reported)


def read_values(src: Path) -> tuple[ReadResult, Config | None]:
    """``src`` read for its values, and the configuration it recorded (None: none, or unusable): through the fast
    reader, or openpyxl where that cannot read the file (which then explains any problem in Chinese). Raises
    :class:`WorkbookError` or :class:`StructureError` as :func:`perfeval.xlsx.reader.read_workbook` does."""
    from perfeval.config import recorded_config
    from perfeval.sheets import META_SHEET
    from perfeval.xlsx.fast import open_values

    opened = open_values(src)
    recorded = recorded_config(opened.rows(META_SHEET, 2)) if META_SHEET in opened.sheetnames else None
    return opened.read(), recorded


def cross_rules_for(read: ReadResult, src: Path) -> tuple[Any, ...]:
    """The cross-form rules of ``read``'s form; a Chinese WorkbookError when it has none (``--with`` would
    silently compare nothing)."""
    pack = forms.get(read.layout.form)
    rules = pack.cross_rules()
    if not rules:
        others = "、".join(p.title for p in forms.all_forms() if p.cross_rules())
        raise WorkbookError(f"{src.name} 是{pack.title}，它没有与其他工作簿交叉核对的规则，不能使用 --with"
                            + (f"（--with 用于：{others}，写在 validate 后面的应是这种表格）" if others else ""))
    return rules


def read_companion(path: Path) -> ReadResult:
    """The other workbook of ``validate --with``; its structure errors say which file they are about."""
    try:
        return read_values(path)[0]
    except StructureError as exc:
        named = StructureError(f"用于交叉核对的工作簿 {path.name}：{exc}")
        named.differences = exc.differences
        raise named from exc


def clear_file(src: Path, out: Path) -> int:
    """清除标记: remove every flag this tool added; returns the number of cells restored."""
    from perfeval.xlsx.flags import clear_workbook

    ensure_distinct(src, out)
    wb = open_workbook(src)
    n = clear_workbook(wb)
    save_atomic(wb, out)
    return n


def compute_file(src: Path, out: Path, config: Config | None = None) -> ComputeResult:
    """计算: restore every derived cell's native formula (also where the unit typed over it) and fill the
    engine-only figures of 计算结果; everything else of the workbook is kept as it was. Without ``config`` the
    workbook's recorded one (or the defaults) is used; a given one is recorded."""
    from perfeval.xlsx.reader import read_workbook_obj
    from perfeval.xlsx.writer import rebuild_calc_sheet, record_config, restore_formulas, workbook_config

    ensure_distinct(src, out)
    wb = open_workbook(src)
    result = read_workbook_obj(wb, src)
    if config is not None:
        record_config(wb, config)
    config = config or workbook_config(wb) or DEFAULT_CONFIG
    for official, actual in result.sheet_names.items():
        if official != actual:  # formulas refer to the official sheet names
            wb[actual].title = official
    converted = convert_text_numbers(wb, result, {name: name for name in result.sheet_names})
    restored = restore_formulas(wb, result.layout)
    computed = compute_with_formulas(result.report, result.layout, config)
    rebuild_calc_sheet(wb, result.layout, computed)
    save_atomic(wb, out)
    return ComputeResult(result, computed, restored, converted, config)


def convert_text_numbers(wb: Workbook, read: ReadResult, sheet_names: dict[str, str] | None = None) -> list[str]:
    """Numbers stored as text in numeric input cells (RD-002) → real numbers, so that the sheet's own formulas
    count them; the cell's number format and style stay. ``sheet_names`` maps official names to the names in
    ``wb`` (default: as read). Returns "sheet!A1：“原文” → 数值" for each cell converted."""
    names = sheet_names if sheet_names is not None else read.sheet_names
    done = []
    for item in read.text_numbers:
        sheet = names.get(item.cell.sheet, item.cell.sheet)
        wb[sheet][item.cell.address].value = item.cell_value
        done.append(item.describe(sheet))
    return done
