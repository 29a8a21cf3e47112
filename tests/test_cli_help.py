"""Usage, help and argument errors are Chinese: no argparse English anywhere, a description for every
command, every option explained, argument errors exit 2 with a Chinese message; ``--help`` starts fast."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time

import pytest
from support.cli import ENGLISH, ROOT, run_cli

from perfeval.cli import MAX_PROJECT_ROWS, YEAR_MAX, YEAR_MIN, build_parser

CJK = re.compile(r"[\u4e00-\u9fff]")


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


COMMANDS = sorted(subparsers())


def help_text(*args: str) -> str:
    r = run_cli(*args, "--help")
    assert r.returncode == 0 and r.stderr == ""
    return r.stdout


def ascii_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z_]*", text))


def allowed_words() -> set[str]:
    """ASCII a help text may hold: option names, command names, choices, file suffixes, product names."""
    words = {"perfeval", "h", "o", "xlsx", "json", "py", "JSON", "Schema", "SHA", "UTF", "Excel", "WPS", "Ctrl",
             "C", "config", "workbook_templates", "export_password", "intact", "values_changed", "table",
             "department", "project", "sqlite", "docx", "Word", "txt", "PDF", "csv"}  # docx/txt/PDF: the 自评报告
    for parser in (build_parser(), *subparsers().values()):
        for action in parser._actions:
            for option in action.option_strings:
                words |= ascii_words(option)
            words |= ascii_words(" ".join(str(c) for c in (action.choices or [])))
    return words


def test_commands_are_the_known_set() -> None:
    assert COMMANDS == sorted(["demo", "new", "templates", "fill", "extract", "compute", "validate", "clear",
                               "rules", "profiles", "export", "verify", "schema", "forms", "history", "collect",
                               "report"])


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese(command: str | None) -> None:
    text = help_text(*([command] if command else []))
    assert text.startswith(f"用法：perfeval{' ' + command if command else ''} ")
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert ascii_words(text) <= allowed_words(), ascii_words(text) - allowed_words()
    assert "选项" in text and "显示本帮助并退出" in text


def test_every_command_has_a_description_line_in_the_overview_and_its_own_help() -> None:
    overview = help_text()
    for command, parser in subparsers().items():
        line = next(x for x in overview.splitlines() if x.split()[:1] == [command])
        assert CJK.search(line), line  # the summary sits on the command's line
        assert parser.description and CJK.search(parser.description)
        own = help_text(command)
        assert parser.description.splitlines()[0] in own


def test_every_option_and_argument_is_explained_in_chinese() -> None:
    for command, parser in subparsers().items():
        for action in parser._actions:
            assert action.help and CJK.search(action.help), (command, action.option_strings or action.dest)
            if action.metavar is not None or action.nargs == 0:
                continue
            assert action.choices, (command, action.dest, "needs a Chinese metavar")


def test_help_lines_up_after_chinese_metavars() -> None:
    from perfeval.console import display_width

    text = help_text("new")
    rows = [x for x in text.splitlines() if x.startswith("  -") and "  " in x.strip()]
    offsets = set()
    for row in rows:
        tail = row.strip().partition("  ")[2]
        offsets.add(display_width(row) - display_width(tail.strip()))
    assert len(rows) >= 4 and len(offsets) == 1, rows


@pytest.mark.parametrize(("args", "words"), [
    (("new", "--year", "abc"), ("--year", "年度须为整数", "abc")),
    (("new", "--year", "1999"), ("--year", f"{YEAR_MIN} 到 {YEAR_MAX}", "1999")),
    (("new", "--year", "2101"), ("2101",)),
    (("new", "--projects", "-3"), ("--projects", f"0 到 {MAX_PROJECT_ROWS}", "-3")),
    (("new", "--projects", str(MAX_PROJECT_ROWS + 1)), (str(MAX_PROJECT_ROWS + 1),)),
    (("new", "--year"), ("--year", "后面须跟一个值")),
    (("fill",), ("缺少必需的参数", "数据.json", "-o/--output")),
    (("nonsense",), ("无效的选择", "nonsense", "demo")),
    (("rules", "--bogus"), ("无法识别的参数", "--bogus")),
    (("validate", "x.xlsx", "--format", "xml"), ("无效的选择", "xml", "table")),
    (("export", "x.xlsx", "--pass"), ("--password", "后面须跟一个值")),
])
def test_argument_errors_are_chinese_and_exit_2(args: tuple[str, ...], words: tuple[str, ...]) -> None:
    r = run_cli(*args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("用法：perfeval") and "错误：" in r.stderr and "查看帮助" in r.stderr
    for word in words:
        assert word in r.stderr
    stripped = r.stderr
    for word in ("nonsense", "xml", "abc", "bogus"):  # the user's own words may be English
        stripped = stripped.replace(word, "")
    assert not ENGLISH.search(stripped), r.stderr


def test_year_and_projects_bounds_are_inclusive_and_match_the_model() -> None:
    from annotated_types import Ge, Le

    from perfeval.forms.department.model import Report

    meta = Report.model_fields["year"].metadata
    assert next(m.ge for m in meta if isinstance(m, Ge)) == YEAR_MIN
    assert next(m.le for m in meta if isinstance(m, Le)) == YEAR_MAX
    parser = build_parser()
    for year in (YEAR_MIN, YEAR_MAX):
        assert parser.parse_args(["new", "--year", str(year)]).year == year
    for projects in (0, MAX_PROJECT_ROWS):
        assert parser.parse_args(["new", "--projects", str(projects)]).projects == projects
    for bad in (["new", "--year", str(YEAR_MIN - 1)], ["new", "--year", str(YEAR_MAX + 1)],
                ["new", "--projects", "-1"], ["new", "--projects", str(MAX_PROJECT_ROWS + 1)],
                ["templates", "--year", "1999"]):
        with pytest.raises(SystemExit) as info:
            parser.parse_args(bad)
        assert info.value.code == 2


def test_no_command_prints_the_chinese_help_and_exits_2() -> None:
    r = run_cli()
    assert r.returncode == 2 and r.stdout.startswith("用法：perfeval") and not ENGLISH.search(r.stdout)


def test_argparse_is_left_english_for_other_programs() -> None:
    build_parser().format_help()
    other = argparse.ArgumentParser(prog="other")
    assert other.format_usage().startswith("usage: other")


def test_help_starts_fast_and_imports_nothing_heavy() -> None:
    code = ("import sys\nfrom perfeval.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('openpyxl', 'pydantic', 'perfeval.model') if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "HEAVY []" in r.stderr, r.stderr
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "perfeval.cli", "--help"], capture_output=True, cwd=ROOT, timeout=60,
                       check=True)
        best = min(best, time.perf_counter() - start)
    assert best < 0.3, f"perfeval --help took {best:.3f} s"
