"""One policy for output files: an existing file is replaced only with --overwrite (a 定稿 never silently),
the input is never the output, and a write that fails (read-only, locked, disk full, bad name) or is
interrupted exits with a Chinese message and leaves no partial or temp file."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.cli import ROOT, run_cli, temp_files

from perfeval.cli import main
from perfeval.xlsx.io import OutputExistsError, OutputWriteError, atomic_write_bytes, output_guard
from perfeval.xlsx.workflow import TEMPLATE_FILENAME, TEMPLATE_YEAR, fill
from tests.conftest import EXAMPLES, load_example

OLD = b"old contents, not a workbook"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A filled workbook with errors, a corrected one, its data file and a config file."""
    seed, ok = tmp_path / "seed.xlsx", tmp_path / "ok.xlsx"
    fill(load_example(), seed)
    fill(load_example("huaihua-2023-corrected.json"), ok)
    data = tmp_path / "data.json"
    shutil.copy(EXAMPLES / "huaihua-2023.json", data)
    conf = tmp_path / "conf.json"
    conf.write_text('{"over_achievement_ratio": 1.2}', encoding="utf-8")
    return {"seed": seed, "ok": ok, "data": data, "conf": conf}


# each writing command: (arguments with OUT for the output file, exit code when it works)
WRITERS: dict[str, tuple[Callable[[dict[str, Path], Path], list[str]], int]] = {
    "new": (lambda f, out: ["new", "-o", str(out), "--unit", "测试单位", "--projects", "2"], 0),
    "fill": (lambda f, out: ["fill", str(f["data"]), "-o", str(out)], 0),
    "extract": (lambda f, out: ["extract", str(f["seed"]), "-o", str(out)], 0),
    "compute": (lambda f, out: ["compute", str(f["seed"]), "-o", str(out)], 0),
    "validate": (lambda f, out: ["validate", str(f["seed"]), "-o", str(out)], 1),
    "clear": (lambda f, out: ["clear", str(f["seed"]), "-o", str(out)], 0),
    "export": (lambda f, out: ["export", str(f["ok"]), "-o", str(out)], 0),
    "schema": (lambda f, out: ["schema", "-o", str(out)], 0),
    "templates": (lambda f, out: ["templates", "-o", str(out.parent)], 0),
}


def target(command: str, tmp_path: Path) -> Path:
    if command == "templates":
        return tmp_path / "tpl" / TEMPLATE_FILENAME.format(year=TEMPLATE_YEAR)
    return tmp_path / ("out.json" if command in ("extract", "schema") else "out.xlsx")


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_an_existing_output_is_replaced_only_with_overwrite(command: str, files: dict[str, Path], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    make_args, ok_code = WRITERS[command]
    out = target(command, tmp_path)
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(OLD)
    inputs = {name: sha(path) for name, path in files.items()}
    assert main(make_args(files, out)) == 2
    err = capsys.readouterr().err
    assert f"文件已存在：{out}" in err and "--overwrite" in err
    assert out.read_bytes() == OLD
    assert main([*make_args(files, out), "--overwrite"]) == ok_code
    assert out.read_bytes() != OLD and out.stat().st_size > 1000
    assert {name: sha(path) for name, path in files.items()} == inputs  # inputs never change
    assert temp_files(tmp_path) == []


def test_demo_replaces_nothing_without_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "-o", str(out)]) == 0
    before = {p.name: sha(p) for p in out.iterdir()}
    assert len(before) == 4  # a template and an example workbook for each form
    workbook = out / "huaihua-2023.xlsx"
    workbook.write_bytes(OLD)
    assert main(["demo", "-o", str(out)]) == 2
    assert "文件已存在" in capsys.readouterr().err
    assert workbook.read_bytes() == OLD  # and the template was not rewritten either
    assert main(["demo", "-o", str(out), "--overwrite"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    template = TEMPLATE_FILENAME.format(year=TEMPLATE_YEAR)
    assert sha(out / template) == before[template]  # byte-reproducible, so the same file again
    assert workbook.read_bytes() != OLD


@pytest.mark.parametrize("args", [
    ["extract", "{seed}", "-o", "{seed}"],
    ["fill", "{data}", "-o", "{data}"],
    ["compute", "{seed}", "-o", "{seed}"],
    ["validate", "{seed}", "-o", "{seed}"],
    ["clear", "{seed}", "-o", "{seed}"],
    ["export", "{ok}", "-o", "{ok}"],
    ["validate", "{seed}", "-o", "{conf}", "--config", "{conf}"],
    ["compute", "{seed}", "-o", "{dir}/./seed.xlsx"],  # another spelling of the same file
    ["compute", "{seed}", "-o", "{dir}/link.xlsx"],  # a link to it
])
def test_the_input_is_never_the_output_even_with_overwrite(args: list[str], files: dict[str, Path],
                                                           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "link.xlsx").symlink_to(files["seed"])
    before = {name: sha(path) for name, path in files.items()}
    names = {**{k: str(v) for k, v in files.items()}, "dir": str(tmp_path)}
    argv = [a.format(**names) for a in args]
    assert main(argv) == 2
    assert main([*argv, "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert "输出文件不能与输入文件相同" in err
    assert {name: sha(path) for name, path in files.items()} == before


def test_export_never_replaces_a_final_file_silently(files: dict[str, Path],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    final = files["ok"].parent / "怀化市城乡建设事务中心_2023年部门整体支出绩效自评表_定稿.xlsx"
    assert main(["export", str(files["ok"])]) == 0
    first = sha(final)
    capsys.readouterr()
    assert main(["export", str(files["ok"])]) == 2  # the default name, known only after reading the unit
    err = capsys.readouterr().err
    assert f"定稿文件已存在：{final}" in err and "不会被静默替换" in err and "--overwrite" in err
    assert sha(final) == first
    assert main(["export", str(files["ok"]), "-o", str(final)]) == 2
    assert "定稿文件已存在" in capsys.readouterr().err
    final.write_bytes(OLD)  # (the same content within a second gives the same bytes: make a change visible)
    assert main(["export", str(files["ok"]), "--overwrite"]) == 0
    assert final.read_bytes() != OLD  # replaced on request
    from perfeval.xlsx.verify import verify_file

    assert verify_file(final).intact
    assert temp_files(final.parent) == []


def test_new_default_name_stays_in_the_current_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for unit in ("../x", "A:B*", "CON", "a\x01b", "..", "/etc/passwd"):
        r = run_cli("new", "--unit", unit, "--projects", "1", cwd=work)
        assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in work.iterdir()) == sorted([
        "_x_2025年部门整体支出绩效自评表.xlsx", "A_B__2025年部门整体支出绩效自评表.xlsx",
        "_CON_2025年部门整体支出绩效自评表.xlsx", "ab_2025年部门整体支出绩效自评表.xlsx",
        "新建_2025年部门整体支出绩效自评表.xlsx", "_etc_passwd_2025年部门整体支出绩效自评表.xlsx"])


# --------------------------------------------------------------------------- write failures


def fail_replace(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    def replace(src: str, dst: str) -> None:
        raise exc

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize(("exc", "words"), [
    (PermissionError(errno.EACCES, "Permission denied"), "请先在 Excel 中关闭该文件"),  # Windows: file open
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), "磁盘空间不足"),
    (OSError(errno.EINVAL, "Invalid argument"), "文件名无效"),
    (OSError(errno.ENAMETOOLONG, "File name too long"), "文件路径太长"),
    (OSError(errno.EROFS, "Read-only file system"), "正被占用或是只读的"),
])
def test_write_failures_at_the_rename_exit_2_in_chinese(exc: OSError, words: str, files: dict[str, Path],
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(OLD)
    fail_replace(monkeypatch, exc)
    assert main(["compute", str(files["seed"]), "-o", str(out), "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"错误：无法写入 {out}：") and words in err and "Traceback" not in err
    assert out.read_bytes() == OLD and temp_files(tmp_path) == []


def test_a_read_only_folder(files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    import tempfile

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)  # what a read-only folder does (also for root)
    out = tmp_path / "ro" / "out.xlsx"
    assert main(["fill", str(files["data"]), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "文件夹只读或没有写入权限" in err and not out.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_really_read_only_folder_and_file(files: dict[str, Path], tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "old.xlsx").write_bytes(OLD)
    (ro / "old.xlsx").chmod(0o444)
    ro.chmod(0o555)
    try:
        r = run_cli("fill", str(files["data"]), "-o", str(ro / "new.xlsx"))
        assert r.returncode == 2 and "文件夹只读或没有写入权限" in r.stderr
        ro.chmod(0o755)
        r = run_cli("fill", str(files["data"]), "-o", str(ro / "old.xlsx"), "--overwrite")
        assert r.returncode == 2 and "请先在 Excel 中关闭该文件" in r.stderr
        assert (ro / "old.xlsx").read_bytes() == OLD and temp_files(ro) == []
    finally:
        ro.chmod(0o755)


def test_read_only_target_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "old.xlsx"
    out.write_bytes(OLD)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == out else real_access(p, mode))
    with pytest.raises(OutputWriteError, match="请先在 Excel 中关闭该文件"):
        atomic_write_bytes(out, b"new")
    assert out.read_bytes() == OLD and temp_files(tmp_path) == []


def test_disk_full_while_writing_the_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OutputWriteError, match="磁盘空间不足"):
        atomic_write_bytes(tmp_path / "x.xlsx", b"data")
    assert list(tmp_path.iterdir()) == []


def test_disk_full_injected_before_the_rename(tmp_path: Path) -> None:
    def full(tmp: Path) -> None:
        assert tmp.exists()
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputWriteError, match="磁盘空间不足") as info:
        atomic_write_bytes(tmp_path / "x.xlsx", b"data", before_rename=full)
    assert isinstance(info.value, OSError)  # callers catching OSError keep working
    assert list(tmp_path.iterdir()) == []


def test_real_failures_without_injection(files: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "a folder.xlsx"
    folder.mkdir()
    r = run_cli("fill", str(files["data"]), "-o", str(folder))
    assert r.returncode == 2 and "文件夹" in r.stderr and "Traceback" not in r.stderr
    with pytest.raises(OutputWriteError, match="同名的文件夹"):
        atomic_write_bytes(folder, b"x")
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    for out in (a_file / "x.xlsx", a_file / "sub" / "x.xlsx"):
        r = run_cli("fill", str(files["data"]), "-o", str(out))
        assert r.returncode == 2 and "文件夹不存在或无法创建" in r.stderr, r.stderr
    long_name = tmp_path / ("很长" * 100 + ".xlsx")
    r = run_cli("fill", str(files["data"]), "-o", str(long_name))
    assert r.returncode == 2 and "文件路径太长" in r.stderr, r.stderr
    assert temp_files(tmp_path) == []


def test_guard_refuses_a_file_that_appeared_while_writing(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"

    def someone_else(tmp: Path) -> None:
        out.write_bytes(OLD)

    with output_guard(overwrite=False) as guard, pytest.raises(OutputExistsError):
        atomic_write_bytes(out, b"new", before_rename=someone_else)
    assert out.read_bytes() == OLD and guard.written == [] and temp_files(tmp_path) == []
    atomic_write_bytes(out, b"new")  # without a guard (library callers) the file is replaced
    assert out.read_bytes() == b"new"


# --------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_in_process(files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    fail_replace(monkeypatch, KeyboardInterrupt())
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(files["seed"]), "-o", str(out)]) == 130
    assert capsys.readouterr().err == "已中断，未写入任何文件。\n"
    assert not out.exists() and temp_files(tmp_path) == []


def test_ctrl_c_after_the_first_of_two_files_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import perfeval.xlsx.workflow as workflow

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workflow, "fill", interrupted)
    assert main(["demo", "-o", str(tmp_path)]) == 130
    from perfeval import forms

    templates = [tmp_path / p.template_filename.format(year=TEMPLATE_YEAR) for p in forms.all_forms()]
    assert templates[0] == tmp_path / TEMPLATE_FILENAME.format(year=TEMPLATE_YEAR)
    assert capsys.readouterr().err == f"已中断。中断前已完整写入：{'、'.join(map(str, templates))}；其余文件未写入。\n"
    assert sorted(tmp_path.iterdir()) == sorted(templates)


SELF_INTERRUPT = """
import os, signal, sys
import perfeval.xlsx.io as io
real = os.replace
def replace(src, dst):
    os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, through Python's own handler
    real(src, dst)
os.replace = replace
from perfeval.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to oneself")
def test_real_sigint_at_the_rename(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    r = subprocess.run([sys.executable, "-c", SELF_INTERRUPT, "fill", str(files["data"]), "-o", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 130, r.stderr
    assert r.stderr == "已中断，未写入任何文件。\n"
    assert not out.exists() and temp_files(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="SIGINT")
def test_real_sigint_during_a_slow_fill(tmp_path: Path) -> None:
    from perfeval.forms.department.model import Project

    report = load_example()
    template = report.basic.projects[0]
    projects = [template.model_copy(update={"name": f"项目{i}"}) for i in range(3000)]
    big = report.model_copy(update={"basic": report.basic.model_copy(update={"projects": projects})})
    assert isinstance(projects[0], Project)
    data = tmp_path / "big.json"
    data.write_text(big.model_dump_json(), encoding="utf-8")
    out = tmp_path / "big.xlsx"
    proc = subprocess.Popen([sys.executable, "-m", "perfeval.cli", "fill", str(data), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=300)
    if proc.returncode == 0:
        pytest.skip("the fill finished before the signal arrived")
    assert proc.returncode == 130, stderr.decode("utf-8")
    assert stderr.decode("utf-8") == "已中断，未写入任何文件。\n" and stdout == b""
    assert not out.exists() and temp_files(tmp_path) == []
