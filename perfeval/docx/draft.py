"""Writing the draft 自评报告 as a Word document (python-docx), formatted as Chinese government documents are
(GB/T 9704 and the habits reviewers check, ``../shared/domain/wave2.md`` §4):

* A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; page number centred in the footer (``— 1 —``);
* title 方正小标宋简体 二号 (22 pt), centred; body 仿宋_GB2312 三号 (16 pt); 一级 headings 黑体, 二级 headings
  楷体_GB2312 bold (both 三号); every paragraph with a fixed line spacing of 30 磅 (exact) and a first-line indent
  of two characters (the title excepted);
* digits and Latin letters in Times New Roman: every run has ``w:rFonts`` ascii/hAnsi/cs = Times New Roman and
  eastAsia = its Chinese font, with ``w:hint="eastAsia"`` so that the Chinese quotation marks “” stay full width;
* fallback fonts named in the file: the font table (``word/fontTable.xml``) lists each Chinese font with
  ``w:altName`` (ECMA-376 §17.8.3.1: the names an application tries when the font itself is missing) — 宋体 for
  方正小标宋简体, 仿宋 for 仿宋_GB2312, 楷体 for 楷体_GB2312 — and with the GB2312 charset (86), so Word on a machine
  without the 方正/GB2312 fonts shows 宋体/仿宋/楷体. LibreOffice replaces a missing font by its own replacement
  table and fontconfig (a CJK font of the same kind), so the text stays readable there too;
* 【请填写：…】 markers highlighted in yellow, so a person finds what is left to write.

:func:`render` turns outlines (:mod:`perfeval.report.draft`) into the document's bytes; :func:`draft_file` is the
``perfeval report`` command: read the workbook, compute through its form pack, run its rules (the draft is
written also when they find errors, with the numbers as the tables state them), write the .docx atomically.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfeval.report.draft import Heading, Outline, Paragraph, Placeholder, Table, Title

if TYPE_CHECKING:
    from perfeval.config import Config
    from perfeval.findings import FindingReport
    from perfeval.reading import ReadResult

FONT_LATIN = "Times New Roman"
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING1 = "黑体"
FONT_HEADING2 = "楷体_GB2312"
FONT_TABLE = FONT_BODY

#: fonts tried when the named font is missing (written as ``w:altName``); names as Windows installs them
FALLBACKS: dict[str, tuple[str, ...]] = {
    FONT_TITLE: ("宋体", "SimSun"),
    FONT_BODY: ("仿宋", "FangSong"),
    FONT_HEADING1: ("SimHei",),
    FONT_HEADING2: ("楷体", "KaiTi"),
}
#: ``w:family`` of each Chinese font in the font table
_FAMILY = {FONT_TITLE: "roman", FONT_BODY: "modern", FONT_HEADING1: "modern", FONT_HEADING2: "modern"}

SIZE_TITLE_PT = 22  # 二号
SIZE_BODY_PT = 16  # 三号
SIZE_TABLE_PT = 12  # 小四
LINE_PT = 30  # fixed line spacing, 磅
TABLE_LINE_PT = 20
INDENT_CHARS = 2

PAGE_MM = (210, 297)  # A4
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# --------------------------------------------------------------------------- formatting helpers


def _name_fonts(fonts: Any, east_asia: str) -> None:
    """A ``w:rFonts`` element: Latin and digits in Times New Roman, CJK in ``east_asia``; theme fonts removed
    (they would win over the named ones)."""
    from docx.oxml.ns import qn

    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    fonts.set(qn("w:ascii"), FONT_LATIN)
    fonts.set(qn("w:hAnsi"), FONT_LATIN)
    fonts.set(qn("w:cs"), FONT_LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def _set_fonts(rpr: Any, east_asia: str) -> None:
    """The run properties' fonts (:func:`_name_fonts`), with quotes and the like shown full width."""
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    _name_fonts(fonts, east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _format_run(run: Any, east_asia: str, size_pt: float, *, bold: bool = False, highlight: bool = False) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor

    _set_fonts(run._element.get_or_add_rPr(), east_asia)
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(0, 0, 0)
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _format_paragraph(paragraph: Any, *, line_pt: float, indent_pt: float | None, centred: bool = False,
                      outline_level: int | None = None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
    ppr = paragraph._p.get_or_add_pPr()
    if indent_pt is not None:
        fmt.first_line_indent = Pt(indent_pt)
        ppr.get_or_add_ind().set(qn("w:firstLineChars"), str(INDENT_CHARS * 100))  # 2 characters, any font size
    else:
        fmt.first_line_indent = Pt(0)
    if outline_level is not None:  # headings show in Word's navigation pane without the built-in heading styles
        ppr.append(_element(f'<w:outlineLvl w:val="{outline_level}"/>'))


def _add_text(paragraph: Any, text: str, east_asia: str, size_pt: float, *, bold: bool = False,
              highlight: bool = False) -> None:
    if text:
        _format_run(paragraph.add_run(text), east_asia, size_pt, bold=bold, highlight=highlight)


def _setup_document(document: Any) -> None:
    """A4 and the margins; the Normal style and the document defaults in the body font (no theme fonts)."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    for section in document.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.header_distance, section.footer_distance = Mm(15), Mm(25)
    normal = document.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), FONT_BODY)
    normal.font.size = Pt(SIZE_BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for fonts in defaults.iter(qn("w:rFonts")):
            _name_fonts(fonts, FONT_BODY)
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), "zh-CN")
    document.settings.element.append(_element('<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'))


def _element(xml: str) -> Any:
    from docx.oxml import parse_xml

    return parse_xml(f'<root xmlns:w="{W_NS}">{xml}</root>')[0]


def _page_number_footer(document: Any) -> None:
    """``— 1 —`` centred in the footer (宋体 四号, as GB/T 9704 prints page numbers)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _add_text(paragraph, "— ", "宋体", 14)
        field = _element('<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
        _format_run_element(field[0])
        paragraph._p.append(field)
        _add_text(paragraph, " —", "宋体", 14)


def _format_run_element(r: Any) -> None:
    from docx.text.run import Run

    _format_run(Run(r, None), "宋体", 14)  # type: ignore[arg-type]


def _font_table(document: Any) -> None:
    """Add the Chinese fonts, each with its ``w:altName`` fallbacks and the GB2312 charset, to fontTable.xml."""
    part = next((rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")),
                None)
    if part is None:  # pragma: no cover - python-docx's default template has one
        return
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml import parse_xml

    root = parse_xml(part.blob)
    for font in list(root.findall(_w("font"))):
        if font.get(_w("name")) in FALLBACKS:
            root.remove(font)
    for name, alternatives in FALLBACKS.items():
        root.append(_element(f'<w:font w:name="{name}"><w:altName w:val="{",".join(alternatives)}"/>'
                             f'<w:charset w:val="86"/><w:family w:val="{_FAMILY[name]}"/>'
                             '<w:pitch w:val="variable"/></w:font>'))
    part._blob = serialize_part_xml(root)


# --------------------------------------------------------------------------- blocks


def _title(document: Any, block: Title) -> None:
    from docx.shared import Pt

    for i, line in enumerate(block.lines):
        paragraph = document.add_paragraph()
        _format_paragraph(paragraph, line_pt=LINE_PT + 6, indent_pt=None, centred=True)
        _add_text(paragraph, line, FONT_TITLE, SIZE_TITLE_PT)
        if i == len(block.lines) - 1:
            paragraph.paragraph_format.space_after = Pt(LINE_PT)  # one blank line under the title


def _heading(document: Any, block: Heading) -> None:
    paragraph = document.add_paragraph()
    _format_paragraph(paragraph, line_pt=LINE_PT, indent_pt=INDENT_CHARS * SIZE_BODY_PT,
                      outline_level=block.level - 1)
    paragraph.paragraph_format.keep_with_next = True
    if block.level == 1:
        _add_text(paragraph, block.text, FONT_HEADING1, SIZE_BODY_PT)
    else:
        _add_text(paragraph, block.text, FONT_HEADING2, SIZE_BODY_PT, bold=True)


def _paragraph(document: Any, block: Paragraph) -> None:
    paragraph = document.add_paragraph()
    _format_paragraph(paragraph, line_pt=LINE_PT, indent_pt=INDENT_CHARS * SIZE_BODY_PT if block.indent else None)
    for segment in block.segments:
        if isinstance(segment, Placeholder):
            _add_text(paragraph, segment.text, FONT_BODY, SIZE_BODY_PT, highlight=True)
        else:
            _add_text(paragraph, segment, FONT_BODY, SIZE_BODY_PT)


def _table(document: Any, block: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    n_cols = max(len(row) for row in block.rows)
    table = document.add_table(rows=len(block.rows), cols=n_cols)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(block.rows):
        for c in range(n_cols):
            cell = table.cell(r, c)
            paragraph = cell.paragraphs[0]
            numeric = c >= n_cols - 2 or r == 0
            _format_paragraph(paragraph, line_pt=TABLE_LINE_PT, indent_pt=None, centred=numeric)
            _add_text(paragraph, row[c] if c < len(row) else "", FONT_TABLE, SIZE_TABLE_PT, bold=(r == 0))
    spacer = document.add_paragraph()  # a table is followed by a paragraph (Word requires one before a section end)
    _format_paragraph(spacer, line_pt=LINE_PT, indent_pt=None)


def render(outlines: Sequence[Outline]) -> bytes:
    """The .docx bytes of ``outlines`` (several — the project form's — each start on a new page)."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    _setup_document(document)
    _font_table(document)
    _page_number_footer(document)
    for n, outline in enumerate(outlines):
        if n:
            document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        for block in outline.blocks:
            if isinstance(block, Title):
                _title(document, block)
            elif isinstance(block, Heading):
                _heading(document, block)
            elif isinstance(block, Paragraph):
                _paragraph(document, block)
            else:
                _table(document, block)
    props = document.core_properties
    first = outlines[0] if outlines else None
    if first is not None:
        props.title = "".join(first.title.lines)
    props.author = "perfeval 绩效自评助手（草稿）"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(outlines: Sequence[Outline], out: Path) -> None:
    """Render and write ``out`` atomically (an existing file is replaced only under ``--overwrite``)."""
    from perfeval.xlsx.io import atomic_write_bytes

    atomic_write_bytes(out, render(outlines))


# --------------------------------------------------------------------------- the command


@dataclass
class DraftResult:
    read: ReadResult
    outlines: list[Outline]
    findings: FindingReport
    config: Config


def draft_file(src: Path, out: Path, config: Config | None = None) -> DraftResult:
    """``perfeval report``: the draft of workbook ``src`` written to ``out`` (``src`` is only read). The rules
    run too, so the command can say when 校验 finds errors (the draft then states the tables as they are)."""
    from perfeval import forms
    from perfeval.config import DEFAULT_CONFIG
    from perfeval.report.draft import build_outlines
    from perfeval.rules import run_rules
    from perfeval.xlsx.io import ensure_distinct, open_workbook
    from perfeval.xlsx.reader import read_workbook_obj
    from perfeval.xlsx.writer import workbook_config

    ensure_distinct(src, out)
    wb = open_workbook(src)
    read = read_workbook_obj(wb, src)
    config = config or workbook_config(wb) or DEFAULT_CONFIG
    computed = forms.get(read.layout.form).compute(read.report, config)
    findings = run_rules(read.report, read.layout, computed=computed, config=config, read_issues=read.issues)
    outlines = build_outlines(read.report, config, computed)
    write_docx(outlines, out)
    return DraftResult(read, outlines, findings, config)


__all__ = ["FALLBACKS", "FONT_BODY", "FONT_HEADING1", "FONT_HEADING2", "FONT_LATIN", "FONT_TITLE", "LINE_PT",
           "MARGINS_MM", "PAGE_MM", "SIZE_BODY_PT", "SIZE_TITLE_PT", "DraftResult", "draft_file", "render",
           "write_docx"]
