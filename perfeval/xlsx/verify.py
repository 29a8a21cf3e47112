"""核验: is this the final workbook (定稿) perfeval exported, unchanged and still protected?

:func:`verify_file` reads the metadata that :func:`perfeval.xlsx.export.export_file` stored, recomputes the
fingerprint of the official sheets from the cells as they are now and compares. Statuses, worst last:

- ``intact`` — the official sheets' contents match the fingerprint recorded in the same file, every sheet
  and the workbook structure protected: no change since export *that the file itself can reveal*;
- ``protection_removed`` — values as exported, but a sheet or the structure is no longer protected;
- ``values_changed`` — at least one value of the official sheets differs (the cells are named, old → new);
- ``template_mismatch`` — exported with a template this version of perfeval does not know;
- ``not_export`` — no (readable) export metadata: not a file exported by perfeval.

Several problems can apply at once (``problems``); ``status`` is the worst. The check detects changes, it
does not prevent them, and it proves nothing about who sent the file: the fingerprint is an unkeyed SHA-256
stored in the file it describes, so whoever changes a value and recomputes it (or exports a new file with
perfeval) gets ``intact``. The messages say so; the English status codes appear only in JSON output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfeval.fingerprint import FINGERPRINT_VERSION, CellChange, canonical_cells, diff, fingerprint_of_cells
from perfeval.sheets import EXPORT_SHEET
from perfeval.xlsx.exportmeta import CUSTOM_PROP_PREFIX, EXPORT_FORMAT, known_templates, parse_export_meta

if TYPE_CHECKING:
    from openpyxl import Workbook

    from perfeval.xlsx.fast import FastBook


class VerifyStatus(StrEnum):
    INTACT = "intact"
    PROTECTION_REMOVED = "protection_removed"
    VALUES_CHANGED = "values_changed"
    TEMPLATE_MISMATCH = "template_mismatch"
    NOT_EXPORT = "not_export"


STATUS_LABELS = {
    VerifyStatus.INTACT: "未发现改动（内容与文件中记录的指纹一致）",
    VerifyStatus.PROTECTION_REMOVED: "工作表保护已被解除",
    VerifyStatus.VALUES_CHANGED: "内容与文件中记录的指纹不符（导出后被改动）",
    VerifyStatus.TEMPLATE_MISMATCH: "模板版本不符，无法核验",
    VerifyStatus.NOT_EXPORT: "无法核验：文件中没有可用的导出信息",
}
_RANK = {s: i for i, s in enumerate(VerifyStatus)}
MAX_LISTED = 50


@dataclass
class VerifyResult:
    path: Path
    status: VerifyStatus
    message: str
    problems: list[VerifyStatus] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    unprotected_sheets: list[str] = field(default_factory=list)
    structure_protected: bool | None = None
    expected_fingerprint: str | None = None
    actual_fingerprint: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.status == VerifyStatus.INTACT

    def meta(self, key: str) -> str | None:
        return self.metadata.get(key) or None

    @property
    def unit(self) -> str | None:
        return self.meta("unit")

    @property
    def year(self) -> int | None:
        year = self.meta("year")
        return int(year) if year and year.isdigit() else None

    @property
    def exported_at(self) -> str | None:
        return self.meta("exported_at")

    @property
    def template_id(self) -> str | None:
        return self.meta("template_id")

    @property
    def template_version(self) -> str | None:
        return self.meta("template_version")

    @property
    def perfeval_version(self) -> str | None:
        return self.meta("perfeval_version")

    @property
    def ruleset_version(self) -> str | None:
        return self.meta("ruleset_version")

    @property
    def profile(self) -> str | None:
        """The scoring profile recorded at export, ``title（name）``; None for an export that predates profiles."""
        name = self.meta("profile")
        if name is None:
            return None
        title = self.meta("profile_title")
        return f"{title}（{name}）" if title else name

    @property
    def forced_reason(self) -> str | None:
        return self.meta("forced_reason")

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "status": self.status.value,
            "status_label": STATUS_LABELS[self.status],
            "problems": [p.value for p in self.problems],
            "message": self.message,
            "changes": [c.to_json_dict() for c in self.changes],
            "unprotected_sheets": self.unprotected_sheets,
            "structure_protected": self.structure_protected,
            "expected_fingerprint": self.expected_fingerprint,
            "actual_fingerprint": self.actual_fingerprint,
            "unit": self.unit,
            "year": self.year,
            "exported_at": self.exported_at,
            "template_id": self.template_id,
            "template_version": self.template_version,
            "perfeval_version": self.perfeval_version,
            "ruleset_version": self.ruleset_version,
            "profile": self.meta("profile"),
            "profile_title": self.meta("profile_title"),
            "forced_reason": self.forced_reason,
        }


def _not_export(path: Path, why: str) -> VerifyResult:
    return VerifyResult(path, VerifyStatus.NOT_EXPORT, f"核验未通过：{why}", problems=[VerifyStatus.NOT_EXPORT])


@dataclass
class Package:
    """What 核验 reads from a file, whichever reader read it (openpyxl or the fast path)."""

    sheetnames: list[str]
    export_rows: Callable[[], Sequence[Sequence[object]]]  # the export sheet's rows, three columns
    grid: Callable[[list[str]], dict[str, dict[str, object]]]  # official sheets → {address: value}, formulas marked
    custom: dict[str, str]  # custom document properties
    unprotected: list[str]  # worksheets without sheet protection
    structure: bool  # workbook structure locked


def _openpyxl_package(wb: Workbook) -> Package:
    from perfeval.xlsx.export import custom_doc_props, official_grid

    props = custom_doc_props(wb)
    return Package(
        sheetnames=wb.sheetnames,
        export_rows=lambda: list(wb[EXPORT_SHEET].iter_rows(max_col=3, values_only=True)),
        grid=lambda sheets: official_grid(wb, {s: s for s in sheets}, sheets),
        custom={name: str(props[name].value) for name in props.names if props[name].value is not None},
        unprotected=[ws.title for ws in wb.worksheets if not ws.protection.sheet],
        structure=wb.security is not None and bool(wb.security.lockStructure))


def fast_package(book: FastBook) -> Package:
    """:class:`Package` of a workbook read by :mod:`perfeval.xlsx.fast`."""

    def grid(sheets: list[str]) -> dict[str, dict[str, object]]:
        out: dict[str, dict[str, object]] = {}
        for name in sheets:
            cells = book[name].cells() if name in book.sheetnames else {}
            formulas = book[name].formulas if name in book.sheetnames else {}
            out[name] = {a: ("〔公式〕" + str(v) if a in formulas else v) for a, v in cells.items()}
        return out

    return Package(
        sheetnames=list(book.sheetnames),
        export_rows=lambda: book.rows(EXPORT_SHEET, 3),
        grid=grid,
        custom=book.custom_properties,
        unprotected=[name for name in book.sheetnames if not book[name].protected],
        structure=book.structure_locked)


def _official_sheets(meta: dict[str, str]) -> list[str]:
    """The official sheets the 定稿 recorded, in order (``sheets``; a 0.1 定稿 recorded ``bd_sheet``/``zp_sheet``)."""
    if meta.get("sheets"):
        try:
            names = json.loads(meta["sheets"])
        except ValueError:
            return []
        return [str(n) for n in names] if isinstance(names, list) and all(names) else []
    return [meta[k] for k in ("bd_sheet", "zp_sheet") if meta.get(k)][:2] if meta.get("zp_sheet") else []


def verify_workbook(wb: Workbook, path: Path) -> VerifyResult:
    """Verify a workbook opened by openpyxl (see :func:`verify_file`)."""
    return verify_package(_openpyxl_package(wb), path)


def verify_package(wb: Package, path: Path) -> VerifyResult:
    """Verify what a reader read of a file (see :func:`verify_file`)."""
    if EXPORT_SHEET not in wb.sheetnames:
        return _not_export(path, "文件中没有绩效自评助手的导出信息：它不是用“导出”生成的定稿，"
                                 "或者导出信息已被删除、定稿内容被复制到了新文件。请向报送单位索取导出的定稿原件。")
    try:
        meta, stored = parse_export_meta(wb.export_rows())
    except (ValueError, TypeError) as exc:
        return _not_export(path, f"导出信息不完整或已损坏（{exc}），无法核验。请向报送单位索取导出的定稿原件。")
    template = (meta.get("template_id", ""), meta.get("template_version", ""))
    known_set = known_templates()
    if template not in known_set or meta.get("export_format") != EXPORT_FORMAT \
            or meta.get("fingerprint_version") != FINGERPRINT_VERSION:
        known = "、".join(f"{t}（版本 {v}）" for t, v in sorted(known_set))
        return VerifyResult(
            path, VerifyStatus.TEMPLATE_MISMATCH,
            f"无法核验：该文件由绩效自评助手 {meta.get('perfeval_version', '未知版本')} 按模板 {template[0] or '未知'}"
            f"（版本 {template[1] or '未知'}，导出格式 {meta.get('export_format', '未知')}）导出，"
            f"本工具只能核验模板 {known}。请使用与报送单位相同版本的绩效自评助手核验。",
            problems=[VerifyStatus.TEMPLATE_MISMATCH], expected_fingerprint=meta.get("fingerprint"), metadata=meta)
    sheets = _official_sheets(meta)
    missing = [k for k, v in (("fingerprint", meta.get("fingerprint")), ("sheets", sheets)) if not v]
    if missing:
        return _not_export(path, f"导出信息不完整（缺少 {'、'.join(missing)}），无法核验。"
                                 "请向报送单位索取导出的定稿原件。")
    expected = meta["fingerprint"]

    current = canonical_cells(wb.grid(sheets), sheets)
    actual = fingerprint_of_cells(current)
    problems: list[VerifyStatus] = []
    lines: list[str] = []
    changes: list[CellChange] = []
    prop_fp = wb.custom.get(CUSTOM_PROP_PREFIX + "fingerprint")
    if actual != expected or (prop_fp is not None and prop_fp != expected):
        problems.append(VerifyStatus.VALUES_CHANGED)
        changes = diff(stored, current)
        if actual != expected:
            lines.append(f"导出后官方表格中有 {len(changes)} 个单元格的内容被改动（原值 → 现值）：")
            lines += [f"  - {c.describe()}" for c in changes[:MAX_LISTED]]
            if len(changes) > MAX_LISTED:
                lines.append(f"  …… 另有 {len(changes) - MAX_LISTED} 处")
        if fingerprint_of_cells(stored) != expected:
            lines.append("文件中保存的单元格清单与指纹不符（导出信息也被改动），上面列出的单元格可能不完整。")
        if prop_fp is not None and prop_fp != expected:
            lines.append("文档属性中的指纹与导出信息不一致（导出信息可能被改动）。")
    unprotected, structure = wb.unprotected, wb.structure
    if unprotected or not structure:
        problems.append(VerifyStatus.PROTECTION_REMOVED)
        if unprotected:
            lines.append(f"以下工作表的保护已被解除：{'、'.join(unprotected)}。")
        if not structure:
            lines.append("工作簿结构保护已被解除（可增删、重命名、显示隐藏的工作表）。")
    status = max(problems, key=lambda p: _RANK[p]) if problems else VerifyStatus.INTACT
    who = f"{meta.get('unit', '')} {meta.get('year', '')}年度，导出时间 {meta.get('exported_at', '')}"
    if status == VerifyStatus.INTACT:
        message = (f"核验通过：官方表格的内容与文件中记录的指纹一致，工作表保护完好（{who}）。"
                   "自导出以来，没有发现文件本身能反映出的改动。\n"
                   f"指纹：{expected}\n"
                   "说明：指纹是不带密钥的 SHA-256，与内容保存在同一个文件中。它能发现导出后的一般改动，"
                   "但不能证明文件是谁发出的，也不能排除有人改动内容后重新计算了指纹。"
                   "如需确认来源，请与报送单位另行（电话、公文）核对上面的指纹。")
        if meta.get("forced_reason"):
            message += f"\n注意：该定稿为强制导出，理由：{meta['forced_reason']}（详见“校验摘要”）。"
    else:
        labels = "、".join(STATUS_LABELS[p] for p in problems)
        message = f"核验未通过（{labels}）：{who}。\n" + "\n".join(lines)
    return VerifyResult(path, status, message, problems=problems, changes=changes, unprotected_sheets=unprotected,
                        structure_protected=structure, expected_fingerprint=expected, actual_fingerprint=actual,
                        metadata=meta)


def verify_file(path: Path) -> VerifyResult:
    """核验 a final workbook (through the fast reader where it can read the file, else openpyxl). Raises
    :class:`~perfeval.xlsx.io.WorkbookError` when it cannot be opened."""
    from perfeval.xlsx.fast import open_values

    return open_values(Path(path)).verify()


__all__ = ["STATUS_LABELS", "Package", "VerifyResult", "VerifyStatus", "fast_package", "verify_file", "verify_package",
           "verify_workbook"]
