"""File-level operations behind the command line: new, fill, extract, compute, templates.

Each takes paths, never modifies its input, and writes its output atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from perfeval.compute import Computed, compute, compute_with_formulas
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.findings import FindingReport
from perfeval.flagging import FlagPlan
from perfeval.layout import Layout, layout_for
from perfeval.limits import check_shape
from perfeval.model import Report, blank_report
from perfeval.xlsx.io import ensure_distinct, open_workbook, save_atomic
from perfeval.xlsx.reader import ReadResult, read_workbook, read_workbook_obj
from perfeval.xlsx.writer import build_workbook, rebuild_calc_sheet, restore_formulas

TEMPLATE_YEAR = 2025
TEMPLATE_FILENAME = "部门整体支出绩效自评表_{year}年度模板.xlsx"


def template_report(year: int = TEMPLATE_YEAR, unit_name: str = "", n_projects: int = 10) -> Report:
    return blank_report(year=year, unit_name=unit_name, n_projects=n_projects)


def write_new(out: Path, *, year: int = TEMPLATE_YEAR, unit_name: str = "", n_projects: int = 10,
              deterministic: bool = False) -> Path:
    """An empty official workbook (what the 新建 button and ``perfeval new`` produce)."""
    check_shape(n_projects)  # before building a report of that many rows
    report = template_report(year, unit_name, n_projects)
    layout = layout_for(report)
    wb = build_workbook(report, layout, compute(report))
    save_atomic(wb, out, deterministic=deterministic)
    return out


def build_templates(out_dir: Path, year: int = TEMPLATE_YEAR) -> Path:
    """The committed template in ``workbook_templates/``; byte-reproducible."""
    path = out_dir / TEMPLATE_FILENAME.format(year=year)
    return write_new(path, year=year, deterministic=True)


@dataclass
class FillResult:
    report: Report
    layout: Layout
    computed: Computed


def fill(report: Report, out: Path, config: Config = DEFAULT_CONFIG) -> FillResult:
    """Write a report into a fresh official workbook; stated values stay as typed (errors included)."""
    layout = layout_for(report)
    computed = compute(report, config)
    save_atomic(build_workbook(report, layout, computed), out)
    return FillResult(report, layout, computed)


def extract(path: Path) -> ReadResult:
    return read_workbook(path)


@dataclass
class ComputeResult:
    read: ReadResult
    computed: Computed
    restored: list[str]
    converted: list[str] = field(default_factory=list)  # "sheet!A1：“原文” → 数值" of each text number converted


@dataclass
class ValidateResult:
    read: ReadResult
    findings: FindingReport
    plan: FlagPlan | None


def validate_file(src: Path, out: Path | None = None, config: Config = DEFAULT_CONFIG) -> ValidateResult:
    """校验: run the rule catalogue; with ``out``, write a copy with findings flagged in place."""
    from perfeval.rules import RULESET_VERSION, run_rules
    from perfeval.xlsx.flags import flag_workbook

    if out is not None:
        ensure_distinct(src, out)
    wb = open_workbook(src)
    read = read_workbook_obj(wb, src)
    findings = run_rules(read.report, read.layout, config=config, read_issues=read.issues).sorted()
    plan = None
    if out is not None:
        plan = flag_workbook(wb, findings, ruleset_version=RULESET_VERSION, sheet_names=read.sheet_names)
        save_atomic(wb, out)
    return ValidateResult(read, findings, plan)


def clear_file(src: Path, out: Path) -> int:
    """清除标记: remove every flag this tool added; returns the number of cells restored."""
    from perfeval.xlsx.flags import clear_workbook

    ensure_distinct(src, out)
    wb = open_workbook(src)
    n = clear_workbook(wb)
    save_atomic(wb, out)
    return n


def compute_file(src: Path, out: Path, config: Config = DEFAULT_CONFIG) -> ComputeResult:
    """计算: restore every derived cell's native formula (also where the unit typed over it) and fill the
    engine-only figures of 计算结果; everything else of the workbook is kept as it was."""
    ensure_distinct(src, out)
    wb = open_workbook(src)
    result = read_workbook_obj(wb, src)
    for official, actual in result.sheet_names.items():
        if official != actual:  # formulas refer to the official sheet names
            wb[actual].title = official
    converted = convert_text_numbers(wb, result, {name: name for name in result.sheet_names})
    restored = restore_formulas(wb, result.layout)
    computed = compute_with_formulas(result.report, result.layout, config)
    rebuild_calc_sheet(wb, result.layout, computed)
    save_atomic(wb, out)
    return ComputeResult(result, computed, restored, converted)


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
