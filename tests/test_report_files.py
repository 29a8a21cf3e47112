"""Reading a 自评报告 file: .docx (paragraphs and tables in order), .txt (UTF-8 / GBK) and a text-layer .pdf give
the same findings; a file that is not a report, empty, corrupt or foreign gets a Chinese ReportFileError."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document

from perfeval.report.files import ReportFileError, read_report
from tests.support.libreoffice import convert, require_libreoffice
from tests.test_report_seed import findings_for

SHORT = [
    "怀化市城乡建设事务中心",
    "2023年部门整体支出绩效自评报告",
    "（二）人员编制情况",
    "根据人员编制规定，2023年度怀化市城乡建设事务中心在职在册人员为40人，全为财政全额拨款事业编制人员，离退休人员共14人。",
    "1.收入预算",
    "2023年年初预算数 568.61 万元，其中，一般公共预算拨款568.61万元。"
    "压减公用经费和专项支出后，同口径对比，收入较上年增加167.68万元。",
    "2.支出预算",
    "2023年年初预算数568.61万元，其中主要是人员支出408.11 万元，公用经费40.50万元，特定目标类项目支出40 万元，"
    "其他运转类项目支出80万元。压减公用经费和专项支出后，同口径对比，支出较上年增加167.88 万元。",
    "2.项目支出情况",
    "城乡建设事务中心项目支出包括专项（业务）费58.14万元，鹤中一体化燃气规划专项经费27.99万元。",
]
#: by hand: 40 编制 staff vs 编制数 38 (X-011 B5); 167.68 vs 167.88 (TX-001 C5); 鹤中 vs 鹤城 (X-005 A19)
EXPECTED = {("X-011", "B5"), ("TX-001", "C5"), ("X-005", "A19")}


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
        document.add_paragraph("（表后的段落）")
    document.save(str(path))
    return path


def keys(path: Path) -> set[tuple[str, str]]:
    return {(f.code, f.cell) for f in findings_for(read_report(path))}


def test_docx_txt_gbk_and_pdf_give_the_same_findings(tmp_path: Path) -> None:
    docx = write_docx(tmp_path / "报告.docx", SHORT)
    assert keys(docx) == EXPECTED
    txt = tmp_path / "报告.txt"
    txt.write_text("\n".join(SHORT) + "\n", encoding="utf-8")
    assert keys(txt) == EXPECTED
    gbk = tmp_path / "报告-gbk.txt"
    gbk.write_bytes("\r\n".join(SHORT).encode("gbk"))
    assert keys(gbk) == EXPECTED
    require_libreoffice()
    pdf = convert(docx, "pdf", tmp_path / "pdf")
    doc = read_report(pdf)
    assert "鹤中一体化燃气规划专项经费27.99万元" in doc.text.replace(" ", "")  # the wrapped line joined again
    assert keys(pdf) == EXPECTED


def test_docx_tables_are_read_in_document_order(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "t.docx", SHORT[:2], table=[["项目", "金额"], ["污泥干化处置费", "72.81"]])
    doc = read_report(path)
    kinds = [(p.kind, p.text) for p in doc.paragraphs]
    assert kinds == [("p", SHORT[0]), ("p", SHORT[1]), ("table", "项目\t金额\n污泥干化处置费\t72.81"),
                     ("p", "（表后的段落）")]
    assert doc.paragraphs[2].rows == (("项目", "金额"), ("污泥干化处置费", "72.81"))
    assert len(doc.sha256) == 64


@pytest.mark.parametrize(("name", "content", "words"), [
    ("空.docx", None, "没有文字"),
    ("无关.docx", ["会议通知", "请于周一上午九点参加会议。"], "不像是绩效自评报告"),
    ("空.txt", b"", "是空的"),
    ("乱码.txt", b"\xff\xfe\x00\xd8\x00\xdc\x81", "不是文本文件"),
    ("坏.docx", b"PK\x03\x04 not really a zip", "不是有效的 Word 文档"),
    ("网页.docx", "<html><body>2023年部门整体支出绩效自评报告</body></html>".encode(), "不是有效的 Word 文档"),
    ("旧版.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Word 文档"),
    ("坏.pdf", b"%PDF-1.4 broken", "PDF"),
    ("表格.xlsx", b"PK", "应为 Word 文档"),
])
def test_unusable_files_get_a_chinese_message(tmp_path: Path, name: str, content: object, words: str) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write_docx(path, content or [])  # type: ignore[arg-type]
    with pytest.raises(ReportFileError, match=words) as info:
        read_report(path)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError, match="找不到"):
        read_report(tmp_path / "没有.docx")


def test_the_fixture_script_rebuilds_the_same_text(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
    from make_seed_report import OUT, PARAGRAPHS, build

    again = build(tmp_path / "again.docx")
    assert [p.text for p in read_report(again).paragraphs] == [p.text for p in read_report(OUT).paragraphs]
    assert [p.text for p in read_report(OUT).paragraphs] == list(PARAGRAPHS)
    shutil.rmtree(tmp_path, ignore_errors=True)
