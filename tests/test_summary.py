"""The 汇总 workbook (perfeval.xlsx.summary): a hand-built batch written and read back with openpyxl, its zip
inspected for the native charts, and LibreOffice recomputing the 复核 formulas.

Every expected value below is derived by hand from the batch built in :func:`batch`.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from perfeval.receiving import (
    CollectResult,
    Duplicate,
    FileStatus,
    MissingUnit,
    ScoreEntry,
    Skipped,
    Submission,
    SubmittedFinding,
)
from perfeval.xlsx.summary import (
    DUPLICATES_SHEET,
    FINDINGS_SHEET,
    MISSING_SHEET,
    REVIEW_SHEET,
    SKIPPED_SHEET,
    STATS_SHEET,
    SUMMARY_SHEET,
    bucket_labels,
    link_target,
    write_summary,
)

FP_A = "ab" * 32
FP_B = "0123456789abcdef" * 4
FP_C = "fe" * 32
FP_OLD = "cd" * 32

SUMMARY_HEADER = ["序号", "单位", "年度", "表种", "项目名称", "核验结果", "核验说明", "指纹（SHA-256 前16位）", "总分",
                  "等级", "执行率", "“三公”经费控制率", "“三公”经费决算数（万元）", "“三公”经费预算数（万元）",
                  "错误", "警告", "提示", "强制导出理由", "文件名", "收到时间"]

CHANGED_MESSAGE = ("核验未通过（内容与文件中记录的指纹不符（导出后被改动））："
                   "丙所 2023年度，导出时间 2024-03-02T11:00:00。\n"
                   "导出后官方表格中有 1 个单元格的内容被改动（原值 → 现值）：\n  - 附件1-1!C8：80.00 → 90.00")
UNREADABLE_MESSAGE = "无法读取工作簿 损坏的文件.xlsx：文件内容已损坏，或含有本工具不支持的内容（BadZipFile）。"
NOT_EXPORT_MESSAGE = "无法核验：文件中没有可用的导出信息"


def _sub(folder: Path, name: str, **kw: object) -> Submission:
    base: dict[str, object] = dict(path=str(folder / name), name=name, sha256="0" * 64, size=1000,
                                   received_at="2024-03-05T09:30:00+08:00", status=FileStatus.INTACT,
                                   status_message="核验通过：……")
    base.update(kw)
    return Submission(**base)  # type: ignore[arg-type]


def batch(root: Path, *, expected: bool = True) -> CollectResult:
    """Five current submissions (department, project form with two projects, values changed, unreadable,
    not an export), one superseded resubmission, one skipped file, two missing units (one near-miss)."""
    folder = root / "报送"
    a = _sub(folder, "甲局_2023年部门整体支出绩效自评表.xlsx", form="department", form_title="部门整体支出绩效自评表",
             unit="甲局", year=2023, fingerprint=FP_A, exported_at="2024-03-01T10:00:00",
             entries=[ScoreEntry(score=Decimal("92.50"), grade="优", execution_rate=Decimal("0.9512"),
                                 budget=Decimal("1234.56"), actual=Decimal("1174.31"), sheet="附件1-2")],
             control_rate=Decimal("0.85"), three_public_actual=Decimal("12.30"), three_public_budget=Decimal("15.00"),
             findings=[SubmittedFinding("ZP-003", "warning", "附件1-2", "E12", "实际完成值低于年度指标值，但得分为满分",
                                        note="指标值已按调整后的年度计划执行"),
                       SubmittedFinding("BD-015", "info", "附件1-1", "C9", "在职人数与编制数相差较大")])
    b = _sub(folder, "乙中心 项目#2.xlsx", form="project", form_title="项目支出绩效自评表", unit="乙中心", year=2023,
             fingerprint=FP_B, exported_at="2024-03-03T15:20:00", forced_reason="上级要求按期报送",
             received_at="2024-03-06T08:00:00",
             entries=[ScoreEntry(project="道路维护项目", score=Decimal("85"), grade="良",
                                 execution_rate=Decimal("0.75"), budget=Decimal("300"), sheet="项目1"),
                      ScoreEntry(project="绿化提质项目", score=Decimal("58"), grade="差",
                                 execution_rate=Decimal("1.02"), budget=Decimal("120"), sheet="项目2")],
             findings=[SubmittedFinding("XM-001", "error", "项目2", "D7", "全年执行数大于全年预算数",
                                        project="绿化提质项目"),
                       SubmittedFinding("ZP-001", "warning", "项目1", "H20", "权重合计不是 100", note="按省厅口径"),
                       SubmittedFinding("X-005", "info", "", "", "项目名称与部门表不一致")])
    c = _sub(folder, "丙所.xlsx", form="department", form_title="部门整体支出绩效自评表", unit="丙所", year=2023,
             status=FileStatus.VALUES_CHANGED, status_message=CHANGED_MESSAGE, fingerprint=FP_C,
             exported_at="2024-03-02T11:00:00",
             entries=[ScoreEntry(score=Decimal("70"), grade="中", execution_rate=Decimal("0.5"),
                                 budget=Decimal("80"), sheet="附件1-2")])
    d = _sub(folder, "损坏的文件.xlsx", status=FileStatus.UNREADABLE, status_message=UNREADABLE_MESSAGE,
             received_at="2024-03-07T16:45:10")
    e = _sub(folder, "丁站.xlsx", form="department", form_title="部门整体支出绩效自评表", unit="丁站", year=2023,
             status=FileStatus.NOT_EXPORT, status_message=NOT_EXPORT_MESSAGE, entries=[ScoreEntry(sheet="附件1-2")],
             read_error="附件1-2 的总分无法读取")
    old = _sub(folder / "旧", "甲局_旧.xlsx", form="department", unit="甲局", year=2023, fingerprint=FP_OLD,
               exported_at="2024-02-20T08:00:00", received_at="2024-02-21T09:00:00",
               entries=[ScoreEntry(score=Decimal("90"), grade="优")])
    return CollectResult(
        submissions=[a, b, c, d, e], duplicates=[Duplicate(old, a)],
        skipped=[Skipped(str(folder / "说明.docx"), "不是 .xlsx 工作簿")],
        expected=["甲局", "乙中心", "丙研究所", "丁站", "戊局"] if expected else None,
        missing=[MissingUnit("丙研究所", "丙所", 0.8), MissingUnit("戊局")] if expected else [],
        year=2023, generated_at="2024-03-08T10:00:00",
    )


CHART_NS = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def _charts(xlsx: Path) -> list[tuple[str, list[str]]]:
    """(chart type, the cell ranges it references) of each chart part in the file, in part order."""
    out = []
    with zipfile.ZipFile(xlsx) as z:
        names = sorted((n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)),
                       key=lambda n: int(re.findall(r"\d+", n)[0]))
        for name in names:
            root = ElementTree.fromstring(z.read(name))
            plot = root.find(f"{CHART_NS}chart/{CHART_NS}plotArea")
            assert plot is not None, name
            kinds = [child.tag.removeprefix(CHART_NS) for child in plot if child.tag.endswith("Chart")]
            assert len(kinds) == 1, (name, kinds)
            out.append((kinds[0], [f.text or "" for f in root.iter(f"{CHART_NS}f")]))
    return out


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, CollectResult]:
    result = batch(tmp_path)
    out = write_summary(result, tmp_path / "汇总.xlsx")
    return out, result


def _rows(ws, min_row: int = 1, max_col: int | None = None) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [list(r) for r in ws.iter_rows(min_row=min_row, max_col=max_col or ws.max_column, values_only=True)]


def test_sheets_in_order(written: tuple[Path, CollectResult]) -> None:
    wb = load_workbook(written[0])
    assert wb.sheetnames == [SUMMARY_SHEET, FINDINGS_SHEET, MISSING_SHEET, DUPLICATES_SHEET, REVIEW_SHEET,
                             STATS_SHEET, SKIPPED_SHEET]


def test_summary_rows(written: tuple[Path, CollectResult]) -> None:
    wb = load_workbook(written[0])
    ws = wb[SUMMARY_SHEET]
    rows = _rows(ws)
    assert rows[0] == SUMMARY_HEADER
    a_name, b_name = "甲局_2023年部门整体支出绩效自评表.xlsx", "乙中心 项目#2.xlsx"
    t_a = dt.datetime(2024, 3, 5, 9, 30)
    expected = [
        [1, "甲局", 2023, "部门整体", None, "完好", None, "abababababababab…", 92.5, "优", 0.9512, 0.85, 12.3, 15,
         0, 1, 1, None, a_name, t_a],
        # 乙中心: the warning on sheet 项目1 and the file-wide info go to the first project; the error to 绿化提质
        [2, "乙中心", 2023, "项目支出", "道路维护项目", "完好", None, "0123456789abcdef…", 85, "良", 0.75, None, None,
         None, 0, 1, 1, "上级要求按期报送", b_name, dt.datetime(2024, 3, 6, 8, 0)],
        [3, "乙中心", 2023, "项目支出", "绿化提质项目", "完好", None, "0123456789abcdef…", 58, "差", 1.02, None, None,
         None, 1, 0, 0, "上级要求按期报送", b_name, dt.datetime(2024, 3, 6, 8, 0)],
        [4, "丙所", 2023, "部门整体", None, "导出后被改动", CHANGED_MESSAGE, "fefefefefefefefe…", 70, "中", 0.5, None,
         None, None, 0, 0, 0, None, "丙所.xlsx", t_a],
        [5, None, None, None, None, "无法读取", UNREADABLE_MESSAGE, None, None, None, None, None, None, None, 0, 0, 0,
         None, "损坏的文件.xlsx", dt.datetime(2024, 3, 7, 16, 45, 10)],
        [6, "丁站", 2023, "部门整体", None, "不是导出的定稿",
         NOT_EXPORT_MESSAGE + "\n数值读取失败：附件1-2 的总分无法读取", None, None, None, None, None, None, None,
         0, 0, 0, None, "丁站.xlsx", t_a],
    ]
    assert rows[1:] == expected
    # formats: amounts with 2 decimals, rates as 0.00%, times as dates
    assert ws["I2"].number_format == "0.00" and ws["K2"].number_format == "0.00%"
    assert ws["L2"].number_format == "0.00%" and ws["M2"].number_format == "#,##0.00"
    assert ws["T2"].is_date
    # the whole fingerprint in the note of the shortened cell
    assert ws["H2"].comment is not None and FP_A in ws["H2"].comment.text
    # highlighting: a warning row light orange, an error row / not intact / unreadable light red, a clean one none
    fills = {r: ws.cell(row=r, column=2).fill.fgColor.rgb for r in range(2, 8)}
    assert fills[2] == "FFFCD5B4"  # 甲局: one warning
    assert fills[3] == "FFFCD5B4"  # 乙中心 道路维护项目: one warning
    assert fills[4] == "FFFFC7CE"  # 绿化提质项目: one error
    assert fills[5] == fills[6] == fills[7] == "FFFFC7CE"  # changed, unreadable, not an export (+ read error)


def test_summary_links(written: tuple[Path, CollectResult]) -> None:
    out, _ = written
    ws = load_workbook(out)[SUMMARY_SHEET]
    links = {ws.cell(row=r, column=19).value: ws.cell(row=r, column=19).hyperlink.target for r in range(2, 8)}
    # relative to the 汇总's folder; Chinese kept, space and # escaped (a # would start a fragment)
    assert links["甲局_2023年部门整体支出绩效自评表.xlsx"] == "报送/甲局_2023年部门整体支出绩效自评表.xlsx"
    assert links["乙中心 项目#2.xlsx"] == "报送/乙中心%20项目%232.xlsx"
    for name, target in links.items():
        resolved = (out.parent / unquote(target)).resolve()
        assert resolved == (out.parent / "报送" / name).resolve()
    # the link in the zip: an external relationship with that target
    with zipfile.ZipFile(out) as z:
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode("utf-8")
    assert 'Target="报送/乙中心%20项目%232.xlsx"' in rels and 'TargetMode="External"' in rels


def test_link_target_forms(tmp_path: Path) -> None:
    out_dir = tmp_path / "汇总"
    assert link_target(str(tmp_path / "收件" / "乙 局.xlsx"), out_dir) == "../收件/乙%20局.xlsx"
    assert link_target(str(out_dir / "a%b.xlsx"), out_dir) == "a%25b.xlsx"


def test_link_target_other_drive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No relative path (Windows: another drive): an absolute file: URI."""
    import os

    def no_relative(*_: object) -> str:
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(os.path, "relpath", no_relative)
    target = link_target("/data/收件/甲 局.xlsx", tmp_path)
    assert target == "file:///data/收件/甲%20局.xlsx"


def test_findings_rows(written: tuple[Path, CollectResult]) -> None:
    ws = load_workbook(written[0])[FINDINGS_SHEET]
    a, b = "甲局_2023年部门整体支出绩效自评表.xlsx", "乙中心 项目#2.xlsx"
    assert _rows(ws) == [
        ["单位", "项目名称", "文件名", "代码", "级别", "工作表", "单元格", "问题说明", "单位说明"],
        ["甲局", None, a, "ZP-003", "警告", "附件1-2", "E12", "实际完成值低于年度指标值，但得分为满分",
         "指标值已按调整后的年度计划执行"],
        ["甲局", None, a, "BD-015", "提示", "附件1-1", "C9", "在职人数与编制数相差较大", None],
        ["乙中心", "绿化提质项目", b, "XM-001", "错误", "项目2", "D7", "全年执行数大于全年预算数", None],
        ["乙中心", None, b, "ZP-001", "警告", "项目1", "H20", "权重合计不是 100", "按省厅口径"],
        ["乙中心", None, b, "X-005", "提示", None, None, "项目名称与部门表不一致", None],
    ]
    assert ws["E4"].fill.fgColor.rgb == "FFFFC7CE" and ws["E2"].fill.fgColor.rgb == "FFFCD5B4"
    assert ws["C2"].hyperlink.target == "报送/" + a


def test_missing_rows(written: tuple[Path, CollectResult]) -> None:
    ws = load_workbook(written[0])[MISSING_SHEET]
    assert _rows(ws) == [
        ["单位名称", "情况", "可能对应的单位", "名称相似度"],
        ["丙研究所", "未报送", "丙所", 0.8],
        ["戊局", "未报送", None, None],
        ["丙所", "已报送，但不在名单中", "丙研究所", 0.8],  # submitted, not on the list: the near-miss is named
    ]


def test_duplicate_rows(written: tuple[Path, CollectResult]) -> None:
    ws = load_workbook(written[0])[DUPLICATES_SHEET]
    rows = _rows(ws)
    assert rows[0] == ["单位", "年度", "表种", "项目名称", "文件名（未计入汇总）", "核验结果", "导出时间", "收到时间",
                       "保留的文件", "保留的文件导出时间", "保留原因"]
    assert rows[1:] == [["甲局", 2023, "部门整体", None, "甲局_旧.xlsx", "完好", dt.datetime(2024, 2, 20, 8, 0),
                         dt.datetime(2024, 2, 21, 9, 0), "甲局_2023年部门整体支出绩效自评表.xlsx",
                         dt.datetime(2024, 3, 1, 10, 0), "保留导出时间较新的文件"]]
    assert ws["E2"].hyperlink.target == "报送/旧/甲局_旧.xlsx"
    assert ws["I2"].hyperlink.target == "报送/甲局_2023年部门整体支出绩效自评表.xlsx"


def test_skipped_sheet(written: tuple[Path, CollectResult]) -> None:
    ws = load_workbook(written[0])[SKIPPED_SHEET]
    assert _rows(ws) == [["文件", "原因"], ["说明.docx", "不是 .xlsx 工作簿"]]


def test_review_sheet(written: tuple[Path, CollectResult]) -> None:
    ws = load_workbook(written[0])[REVIEW_SHEET]
    rows = _rows(ws)
    assert rows[0] == ["序号", "单位", "表种", "项目名称", "自评得分", "复核得分", "偏差", "主要偏差原因"]
    # one row per scored table: 甲局, 乙中心 ×2, 丙所, 丁站 (no 总分); the unreadable file has no table
    assert [r[:6] for r in rows[1:6]] == [
        [1, "甲局", "部门整体", None, 92.5, None], [2, "乙中心", "项目支出", "道路维护项目", 85, None],
        [3, "乙中心", "项目支出", "绿化提质项目", 58, None], [4, "丙所", "部门整体", None, 70, None],
        [5, "丁站", "部门整体", None, None, None]]
    for r in range(2, 7):
        assert ws[f"G{r}"].value == f'=IF(OR(F{r}="",E{r}=""),"",F{r}-E{r})'
        assert ws[f"F{r}"].protection.locked is False and ws[f"H{r}"].protection.locked is False
        assert ws[f"E{r}"].protection.locked is True
    assert [ws[f"D{r}"].value for r in (8, 9, 10)] == ["合计", "平均", "有得分的表数"]
    assert ws["E8"].value == "=SUM(E2:E6)" and ws["F8"].value == "=SUM(F2:F6)"
    assert ws["F9"].value == '=IF(COUNT(F2:F6)=0,"",AVERAGE(F2:F6))'
    assert ws["F10"].value == "=COUNT(F2:F6)"
    assert ws.auto_filter.ref == "A1:H6"  # the totals stay out of the filtered table
    assert str(ws.data_validations.dataValidation[0].sqref) == "F2:F6"


def test_every_sheet_prints_and_filters(written: tuple[Path, CollectResult]) -> None:
    wb = load_workbook(written[0])
    refs = {SUMMARY_SHEET: "A1:T7", FINDINGS_SHEET: "A1:I6", MISSING_SHEET: "A1:D4", DUPLICATES_SHEET: "A1:K2",
            REVIEW_SHEET: "A1:H6", SKIPPED_SHEET: "A1:B2"}
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert ps.orientation == "landscape" and int(ps.paperSize) == 9, ws.title
        # fitToWidth left out means 1 (the file format's default; XlsxWriter, as Excel, writes only fitToHeight)
        assert int(ps.fitToWidth or 1) == 1 and int(ps.fitToHeight) == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        if ws.title in refs:
            assert ws.auto_filter.ref == refs[ws.title], ws.title
            assert ws.print_title_rows == "$1:$1", ws.title
            assert ws.freeze_panes == ("C2" if ws.title == SUMMARY_SHEET else "A2"), ws.title
            header = ws["A1"]
            assert header.font.b and header.fill.fgColor.rgb == "FFD9E1F2", ws.title
    # widths follow the content: the 单位 column of 汇总 is wider than 序号, the long texts wrap
    ws = wb[SUMMARY_SHEET]
    # 序号: the header's 2 em of 10 pt over 5.25 pt per unit, + 1 unit padding + 0.4 spare + 2.2 for the filter button
    # (stored on Excel's grid of 7 px per unit, as Excel shows it: within half a pixel)
    assert ws.column_dimensions["A"].width == pytest.approx(2 * 10 / 5.25 + 1 + 0.4 + 2.2, abs=0.5 / 7)
    # 核验说明 and 文件名 hold texts longer than their caps (30, 36 units): capped
    assert ws.column_dimensions["G"].width == 30 and ws.column_dimensions["S"].width == 36
    assert ws["G5"].alignment.wrap_text
    assert ws.row_dimensions[5].height and ws.row_dimensions[5].height > 15  # the 3-line message shows whole


def test_stats_tables_and_charts(written: tuple[Path, CollectResult]) -> None:
    out, _ = written
    ws = load_workbook(out)[STATS_SHEET]
    cells = {(r[0], r[1]) for r in _rows(ws, max_col=2) if r[0] is not None}
    counts = {
        "收到的 .xlsx 文件": 6, "计入汇总的文件": 5, "重复报送（未计入汇总）": 1, "核验完好": 2,
        "核验未通过（非完好）": 2, "无法读取": 1, "有错误的文件": 2, "有警告的文件": 2, "自评表（汇总行）": 5,
        "未报送单位": 2, "跳过的非 .xlsx 文件": 1,
    }
    assert set(counts.items()) <= cells
    # 等级: 甲局 优, 乙 良 + 差, 丙 中, 丁 without 总分
    assert {("优", 1), ("良", 1), ("中", 1), ("差", 1), ("无总分", 1)} <= cells
    # 执行率: 0.9512 → 90–100, 0.75 → 60–80, 1.02 → ≥100, 0.5 → <60, 丁 none
    labels = bucket_labels()
    assert labels == ["<60%", "60%–<80%", "80%–<90%", "90%–<100%", "≥100%"]
    assert {(labels[0], 1), (labels[1], 1), (labels[2], 0), (labels[3], 1), (labels[4], 1), ("无执行率", 1)} <= cells
    points = [r for r in _rows(ws, max_col=4) if isinstance(r[2], int | float) and isinstance(r[3], int | float)]
    assert points == [["甲局", None, 1234.56, 92.5], ["乙中心", "道路维护项目", 300, 85],
                      ["乙中心", "绿化提质项目", 120, 58], ["丙所", None, 80, 70]]

    charts = _charts(out)
    assert [kind for kind, _ in charts] == ["barChart", "barChart", "scatterChart"]
    header_rows = {r[0]: i for i, r in enumerate(_rows(ws, max_col=1), start=1) if r[0] in ("等级", "执行率", "单位")}
    g, e, p = header_rows["等级"], header_rows["执行率"], header_rows["单位"]
    refs = [r for _, r in charts]
    assert all(ref.startswith("'统计'!") for rs in refs for ref in rs)
    assert f"'统计'!$B${g + 1}:$B${g + 4}" in refs[0] and f"'统计'!$A${g + 1}:$A${g + 4}" in refs[0]  # 优…差
    assert f"'统计'!$B${e + 1}:$B${e + 5}" in refs[1]  # the five buckets, not 无执行率
    assert f"'统计'!$C${p + 1}:$C${p + 4}" in refs[2] and f"'统计'!$D${p + 1}:$D${p + 4}" in refs[2]


def test_empty_batch(tmp_path: Path) -> None:
    """No files at all: every sheet says 无, the bar charts plot zeros, the scatter chart is left out with a note."""
    out = write_summary(CollectResult(submissions=[]), tmp_path / "汇总.xlsx")
    wb = load_workbook(out)
    assert MISSING_SHEET not in wb.sheetnames and SKIPPED_SHEET not in wb.sheetnames
    assert wb[SUMMARY_SHEET]["A2"].value == "无（没有收到可汇总的 .xlsx 文件）"
    assert wb[FINDINGS_SHEET]["A2"].value == "无（本批定稿的校验没有发现问题）"
    assert wb[DUPLICATES_SHEET]["A2"].value == "无（没有重复报送）"
    assert wb[REVIEW_SHEET]["A2"].value == "无（没有可复核的自评表）" and wb[REVIEW_SHEET].max_row == 2
    texts = [c for r in _rows(wb[STATS_SHEET]) for c in r if isinstance(c, str)]
    assert any("未绘制“得分与资金”散点图" in t for t in texts)
    assert [kind for kind, _ in _charts(out)] == ["barChart", "barChart"]


def test_no_findings_still_has_sheet(tmp_path: Path) -> None:
    result = batch(tmp_path, expected=False)
    for sub in result.submissions:
        sub.findings.clear()
    wb = load_workbook(write_summary(result, tmp_path / "汇总.xlsx"))
    assert MISSING_SHEET not in wb.sheetnames
    assert _rows(wb[FINDINGS_SHEET])[1][0] == "无（本批定稿的校验没有发现问题）"
    assert wb[FINDINGS_SHEET].auto_filter.ref == "A1:I2"


def test_all_missing_listed_with_nothing_missing(tmp_path: Path) -> None:
    result = batch(tmp_path)
    result.expected = ["甲局", "乙中心", "丙所", "丁站"]
    result.missing = []
    ws = load_workbook(write_summary(result, tmp_path / "汇总.xlsx"))[MISSING_SHEET]
    assert _rows(ws)[1][0] == "无（名单上的 4 个单位均已报送）"


def test_written_atomically_over_an_old_file(tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"old")
    write_summary(batch(tmp_path), out)
    assert load_workbook(out).sheetnames[0] == SUMMARY_SHEET
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.libreoffice
def test_libreoffice_opens_and_recomputes(tmp_path: Path) -> None:
    """LibreOffice opens the 汇总 and computes the 复核 formulas: typed 复核得分 → 偏差, Σ, 平均 (blanks not
    counted)."""
    from tests.support.libreoffice import recalc_values, require_libreoffice

    require_libreoffice()
    out = write_summary(batch(tmp_path), tmp_path / "汇总.xlsx")
    wb = load_workbook(out)
    ws = wb[REVIEW_SHEET]
    ws["F2"] = 90  # 甲局 self 92.5 → −2.5
    ws["F4"] = 60  # 绿化提质项目 self 58 → +2
    ws["F6"] = 50  # 丁站 has no 自评得分: 偏差 stays empty
    typed = tmp_path / "复核.xlsx"
    wb.save(typed)
    values = recalc_values(typed, [REVIEW_SHEET, SUMMARY_SHEET])
    review = values[REVIEW_SHEET]
    assert review["G2"] == pytest.approx(-2.5) and review["G4"] == pytest.approx(2.0)
    assert review.get("G3") == "" and review.get("G6") == ""
    assert review["E8"] == pytest.approx(92.5 + 85 + 58 + 70) and review["F8"] == pytest.approx(200)
    assert review["F9"] == pytest.approx(200 / 3)  # AVERAGE ignores the two empty 复核 cells
    assert review["E9"] == pytest.approx((92.5 + 85 + 58 + 70) / 4)
    assert review["F10"] == 3 and review["E10"] == 4
    assert values[SUMMARY_SHEET]["B2"] == "甲局"
    # untouched, the average of 复核 is empty rather than #DIV/0!
    untouched = recalc_values(out, [REVIEW_SHEET])[REVIEW_SHEET]
    assert untouched.get("F9", "") == "" and untouched["F8"] == 0


@pytest.mark.libreoffice
def test_libreoffice_keeps_charts_and_links(tmp_path: Path) -> None:
    """A round trip through LibreOffice keeps the three charts and resolves the Chinese hyperlinks to the files."""
    from tests.support.libreoffice import convert, require_libreoffice

    require_libreoffice()
    out = write_summary(batch(tmp_path), tmp_path / "汇总.xlsx")
    again = convert(out, "xlsx", tmp_path / "lo")
    assert sorted(kind for kind, _ in _charts(again)) == ["barChart", "barChart", "scatterChart"]
    ws = load_workbook(again)[SUMMARY_SHEET]
    target = ws["S3"].hyperlink.target
    assert target is not None
    # LibreOffice writes the link relative to its own output folder (or absolute): either way it names the file
    resolved = Path(unquote(target.removeprefix("file://"))) if target.startswith("file:") \
        else (again.parent / unquote(target)).resolve()
    assert resolved == (tmp_path / "报送" / "乙中心 项目#2.xlsx").resolve()


def test_quick_cell_writer_writes_xlsxwriters_own_xml(tmp_path: Path) -> None:
    """The 汇总's quicker writer of plain cells gives byte for byte the XML XlsxWriter's own writer gives, also for
    texts it leaves to XlsxWriter (markup look-alikes, control characters, leading spaces, ``_xHHHH_``)."""
    import dataclasses
    import io

    from xlsxwriter.worksheet import Worksheet

    from perfeval.xlsx import summary

    result = batch(tmp_path)
    result.submissions[0].unit = " 甲局 & <x> _x0041_ 尾 "
    found = result.submissions[0].findings
    found[0] = dataclasses.replace(found[0], message="<r>文字</r>", note=" 前有空格")
    found[1] = dataclasses.replace(found[1], message="a\rb\x01c\td\u3000", note="x\ufffe")

    def parts() -> dict[str, bytes]:
        buffer = io.BytesIO()
        summary.build_summary(result, tmp_path, buffer)
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # (core.xml: the time)

    quick = parts()
    own = summary._Sheet._write_cell
    summary._Sheet._write_cell = Worksheet._write_cell  # type: ignore[method-assign]
    try:
        slow = parts()
    finally:
        summary._Sheet._write_cell = own  # type: ignore[method-assign]
    assert quick.keys() == slow.keys()
    assert [n for n in quick if quick[n] != slow[n]] == []
    assert "文字" in quick["xl/worksheets/sheet2.xml"].decode("utf-8")
