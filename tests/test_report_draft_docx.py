"""The draft 自评报告 as a Word document: re-read with python-docx it has the government-document format (A4, GB/T
9704 margins, fonts with Times New Roman digits, sizes, bold, alignment, exact 30 磅 line spacing, fallback
fonts named in the font table); LibreOffice opens it and its PDF shows the tables' figures; ``perfeval report``
writes it, refuses to overwrite and says what is wrong in Chinese."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import EXAMPLES, load_example
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from hypothesis import HealthCheck, given, settings
from lxml import etree
from strategies import reports
from support.cli import ENGLISH, run_cli, temp_files
from support.libreoffice import convert, find_soffice, pdf_pages, require_libreoffice

from perfeval.docx.draft import render
from perfeval.report.draft import Heading, Paragraph, Title, build_outline, build_outlines, outline_text


@pytest.fixture(scope="module")
def outline() -> Any:
    return build_outline(load_example("huaihua-2023-corrected.json"))


@pytest.fixture(scope="module")
def document(outline: Any) -> Any:
    return docx.Document(io.BytesIO(render([outline])))


def fonts_of(run: Any) -> dict[str, str | None]:
    rfonts = run._element.rPr.rFonts
    return {k: rfonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "hint")}


def body_paragraphs(document: Any) -> list[Any]:
    """The document's paragraphs with text (the spacer after a table has none)."""
    return [p for p in document.paragraphs if p.text]


def mm(length: Any) -> float:
    return length / Mm(1)


# --------------------------------------------------------------------------- format, re-read with python-docx


def test_page_is_a4_with_the_gbt9704_margins(document: Any) -> None:
    section = document.sections[0]
    assert round(mm(section.page_width), 1) == 210.0 and round(mm(section.page_height), 1) == 297.0
    assert (round(mm(section.top_margin)), round(mm(section.bottom_margin)), round(mm(section.left_margin)),
            round(mm(section.right_margin))) == (37, 35, 28, 26)


def test_paragraphs_follow_the_outline_in_order(document: Any, outline: Any) -> None:
    assert [p.text for p in body_paragraphs(document)] == outline_text(outline, tables=False)
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                                                     "分值", "得分"]
    assert [c.text for c in table.rows[-1].cells][-2:] == ["100", "98"]


def test_title_body_and_heading_fonts_sizes_bold_alignment(document: Any, outline: Any) -> None:
    kinds = []
    for block in outline.blocks:
        if isinstance(block, Title):
            kinds += ["title"] * len(block.lines)
        elif isinstance(block, Heading):
            kinds.append(f"h{block.level}")
        elif isinstance(block, Paragraph):
            kinds.append("body")
    paragraphs = body_paragraphs(document)
    assert len(paragraphs) == len(kinds)
    expected = {"title": ("方正小标宋简体", 22, False), "h1": ("黑体", 16, False), "h2": ("楷体_GB2312", 16, True),
                "body": ("仿宋_GB2312", 16, False)}
    for paragraph, kind in zip(paragraphs, kinds, strict=True):
        east_asia, size, bold = expected[kind]
        assert paragraph.runs, paragraph.text
        for run in paragraph.runs:
            assert fonts_of(run) == {"ascii": "Times New Roman", "hAnsi": "Times New Roman", "eastAsia": east_asia,
                                     "hint": "eastAsia"}, (kind, run.text)
            assert run.font.size == Pt(size), (kind, run.text)
            assert bool(run.font.bold) is bold, (kind, run.text)
        fmt = paragraph.paragraph_format
        if kind == "title":
            assert fmt.alignment == WD_ALIGN_PARAGRAPH.CENTER
            assert not fmt.first_line_indent
        else:
            assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
            assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing == Pt(30)
            ind = paragraph._p.pPr.find(qn("w:ind"))
            assert fmt.first_line_indent == Pt(32) and ind.get(qn("w:firstLineChars")) == "200"  # 2 × 16 pt
    # headings carry an outline level (Word's navigation pane) without the built-in heading styles
    h1 = next(p for p, k in zip(paragraphs, kinds, strict=True) if k == "h1")
    assert h1._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "0"


def test_placeholders_are_highlighted_and_only_they(document: Any, outline: Any) -> None:
    highlighted = [r.text for p in document.paragraphs for r in p.runs
                   if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert highlighted == [ph.text for ph in outline.placeholders()]
    assert all(t.startswith("【请填写：") for t in highlighted)


def test_the_normal_style_has_no_theme_fonts_and_the_font_table_names_fallbacks(outline: Any) -> None:
    data = render([outline])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
        fonts = etree.fromstring(z.read("word/fontTable.xml"))
    document = docx.Document(io.BytesIO(data))
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312" and normal.get(qn("w:ascii")) == "Times New Roman"
    assert "asciiTheme" not in styles.split("</w:docDefaults>")[0]
    alt = {f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
           for f in fonts.findall(qn("w:font")) if f.find(qn("w:altName")) is not None}
    assert alt == {"方正小标宋简体": "宋体,SimSun", "仿宋_GB2312": "仿宋,FangSong", "黑体": "SimHei",
                   "楷体_GB2312": "楷体,KaiTi"}
    charsets = {f.get(qn("w:name")): f.find(qn("w:charset")).get(qn("w:val")) for f in fonts.findall(qn("w:font"))}
    assert charsets["仿宋_GB2312"] == "86"


def test_several_project_reports_start_on_new_pages() -> None:
    from perfeval import forms

    book = forms.get("project").parse_json((EXAMPLES / "huaihua-2023-projects.json").read_text(encoding="utf-8"))
    outlines = build_outlines(book)
    document = docx.Document(io.BytesIO(render(outlines)))
    breaks = document.element.body.findall(".//" + qn("w:br"))
    assert len([b for b in breaks if b.get(qn("w:type")) == "page"]) == len(outlines) - 1
    titles = [p.text for p in document.paragraphs if p.text.endswith("年项目支出绩效自评报告")]
    assert len(titles) == len(outlines)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_any_report_renders_and_reads_back_as_its_outline(report: Any) -> None:
    outline = build_outline(report)
    document = docx.Document(io.BytesIO(render([outline])))
    expected = [t for t in outline_text(outline, tables=False) if t]
    assert [p.text for p in body_paragraphs(document)] == expected


# --------------------------------------------------------------------------- LibreOffice


def require_writer() -> None:
    """LibreOffice and its Writer module (the .docx import); skipped with the reason where they are missing,
    failed as root or in CI where scripts/run-tests installs them."""
    require_libreoffice()
    soffice = find_soffice()
    program = Path(os.path.realpath(soffice)).parent if soffice else None
    if program is not None and any(program.glob("libswlo.*")):
        return
    reason = "LibreOffice Writer missing (Debian: apt-get install libreoffice-writer-nogui)"
    geteuid = getattr(os, "geteuid", None)
    if (geteuid is not None and geteuid() == 0) or os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def pdf_text(pdf: Path, tmp_path: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                              timeout=60).stdout.decode("utf-8")
    return convert(pdf, "txt:Text (encoded):UTF8", tmp_path / "txt").read_text(encoding="utf-8")  # pragma: no cover


@pytest.mark.libreoffice
def test_the_draft_opens_in_libreoffice_and_its_pdf_shows_the_figures(tmp_path: Path, outline: Any) -> None:
    require_writer()
    source = tmp_path / "自评报告.docx"
    source.write_bytes(render([outline]))
    pdf = convert(source, "pdf", tmp_path / "pdf")
    pages = pdf_pages(pdf)
    assert pages and all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in pages)  # A4 portrait
    text = "".join(pdf_text(pdf, tmp_path).split())
    for figure in ("怀化市城乡建设事务中心", "年度资金总额781.06万元", "一般公共预算675.92万元", "政府性基金104.81万元",
                   "其他资金0.33万元", "基本支出483.19万元", "项目支出297.87万元", "公用经费控制率52.44%",
                   "实际得分98分", "等级为优", "【请填写："):
        assert figure in text, figure


# --------------------------------------------------------------------------- the command


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    out = tmp_path / "自评表.xlsx"
    r = run_cli("fill", str(EXAMPLES / "huaihua-2023-corrected.json"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_writes_the_draft_and_leaves_the_workbook(tmp_path: Path, workbook: Path) -> None:
    before = digest(workbook)
    out = tmp_path / "自评报告.docx"
    r = run_cli("report", str(workbook), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"已生成自评报告草稿：{out}" in r.stdout and "11 处【请填写：…】" in r.stdout
    assert r.stderr == ""  # the corrected copy has no error: no 校验 note
    assert digest(workbook) == before
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "年度资金总额781.06万元，其中：一般公共预算675.92万元，政府性基金104.81万元，其他资金0.33万元" in text
    assert temp_files(tmp_path) == []


def test_report_refuses_to_overwrite_unless_asked(tmp_path: Path, workbook: Path) -> None:
    out = tmp_path / "自评报告.docx"
    out.write_bytes(b"mine")
    r = run_cli("report", str(workbook), "-o", str(out))
    assert r.returncode == 2 and "已存在" in r.stderr and "--overwrite" in r.stderr
    assert out.read_bytes() == b"mine"
    r = run_cli("report", str(workbook), "-o", str(out), "--overwrite")
    assert r.returncode == 0, r.stderr
    assert zipfile.is_zipfile(out)


@pytest.mark.parametrize("case", ["missing", "not_a_workbook", "not_docx", "folder"])
def test_report_bad_input_is_a_chinese_message_and_exit_2(tmp_path: Path, workbook: Path, case: str) -> None:
    src, out = workbook, tmp_path / "报告.docx"
    if case == "missing":
        src = tmp_path / "没有.xlsx"
    elif case == "not_a_workbook":
        src = tmp_path / "假的.xlsx"
        src.write_text("这不是工作簿", encoding="utf-8")
    elif case == "not_docx":
        out = tmp_path / "报告.xlsx"
    else:
        out = tmp_path / "目录.docx"
        out.mkdir()
    before = src.read_bytes() if src.exists() else None
    r = run_cli("report", str(src), "-o", str(out))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("错误：") and not ENGLISH.search(r.stderr) and "Traceback" not in r.stderr
    if before is not None:
        assert src.read_bytes() == before
    assert not (tmp_path / "报告.docx").exists() and temp_files(tmp_path) == []


def test_a_workbook_with_errors_still_gets_a_draft_and_a_note(tmp_path: Path) -> None:
    src = tmp_path / "原表.xlsx"
    assert run_cli("fill", str(EXAMPLES / "huaihua-2023.json"), "-o", str(src)).returncode == 0
    out = tmp_path / "草稿.docx"
    r = run_cli("report", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "校验发现" in r.stderr and "项错误" in r.stderr and "perfeval validate" in r.stderr
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    # the seed as printed: 年初 568.61 as stated; 控制率 computed 40 / 38 = 105.26%
    assert "2023年年初预算数568.61万元" in text and "人员控制率105.26%" in text


def test_project_workbook_gets_one_report_per_project(tmp_path: Path) -> None:
    src = tmp_path / "项目表.xlsx"
    assert run_cli("fill", str(EXAMPLES / "huaihua-2023-projects.json"), "-o", str(src)).returncode == 0
    out = tmp_path / "项目报告.docx"
    r = run_cli("report", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    from perfeval import forms

    book = forms.get("project").parse_json((EXAMPLES / "huaihua-2023-projects.json").read_text(encoding="utf-8"))
    assert f"（{len(book.projects)} 份报告；" in r.stdout
