#!/usr/bin/env bash
# Builds an offline wheelhouse for installing perfeval (engine + Excel add-in code) on users' PCs.
#
#   scripts/build-wheelhouse.sh [-o DIR] [--mac] [--python-version 3.11] [--no-addins] [--force]
#
# Writes into DIR (default dist/wheelhouse):
#   perfeval-<ver>-py3-none-any.whl      `pip wheel --no-deps` of this repository (built from a temp copy)
#   <deps>.whl                           `pip download --only-binary=:all: --platform win_amd64
#                                        --python-version X.Y --implementation cp` of perfeval's runtime
#                                        dependencies (openpyxl, pydantic(+core), xlwings==0.37.8, defusedxml, rapidfuzz,
#                                        their own dependencies) plus pywin32; with --mac also for
#                                        macosx_11_0_arm64 and macosx_10_12_x86_64 plus psutil, appscript
#   requirements.txt                     every wheel pinned (==), platform wheels with a sys_platform marker
#   install.bat                          Windows installer (GBK, CRLF): %LOCALAPPDATA%\perfeval\.venv via
#                                        `py -X.Y -m venv`, `pip install --no-index --find-links .`, add-ins
#                                        copied to %LOCALAPPDATA%\perfeval\addin
#   install-mac.sh                       (--mac) the same for macOS: ~/perfeval/.venv, ~/perfeval/addin
#   addin/                               `python -m addin.build -o DIR/addin` (six pe_*.xlam + pe_*.py +
#                                        README.txt), unless --no-addins
#
# pip evaluates platform markers (platform_system == 'Windows') on *this* machine even with --platform, so
# the Windows-only pywin32 and the macOS-only psutil/appscript of xlwings are named explicitly.
# The Windows CPython itself is not on PyPI: users get Python X.Y from IT or python.org (docs/install.zh.md).
#
# Environment: PERFEVAL_BUILD_PYTHON (interpreter that runs pip; default .venv/bin/python, else python3).
# Needs network access to PyPI (or a configured mirror) and to build the wheel (setuptools, build isolation).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/dist/wheelhouse"
PYVER="3.11"
MAC=0
ADDINS=1
FORCE=0
WIN_PLATFORM="win_amd64"
MAC_PLATFORMS=("macosx_11_0_arm64" "macosx_10_12_x86_64")

log() { printf '[wheelhouse] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    -o|--out) [ $# -ge 2 ] || die "$1 needs a directory"; OUT="$2"; shift 2 ;;
    --mac) MAC=1; shift ;;
    --python-version) [ $# -ge 2 ] || die "$1 needs a version like 3.11"; PYVER="$2"; shift 2 ;;
    --no-addins) ADDINS=0; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

[[ "$PYVER" =~ ^3\.[0-9]+$ ]] || die "--python-version must look like 3.11, got '$PYVER'"
PYTAG="cp${PYVER/./}"

PY="${PERFEVAL_BUILD_PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PY="$ROOT/.venv/bin/python"; else PY="$(command -v python3)"; fi
fi
"$PY" -m pip --version >/dev/null 2>&1 || die "no pip for $PY (set PERFEVAL_BUILD_PYTHON)"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
case "$OUT" in "$ROOT"|"$ROOT/perfeval"*|"$ROOT/addin"*|"$ROOT/udfs"*) die "refusing to write into $OUT" ;; esac
if [ -n "$(ls -A "$OUT")" ]; then
  [ "$FORCE" = 1 ] || die "$OUT is not empty (use --force to replace a previous wheelhouse there)"
  [ -f "$OUT/requirements.txt" ] || [ -f "$OUT/install.bat" ] \
    || die "$OUT is not empty and does not look like a wheelhouse; not touching it"
  log "--force: removing the previous wheelhouse files in $OUT"
  rm -f "$OUT"/*.whl "$OUT/requirements.txt" "$OUT/install.bat" "$OUT/install-mac.sh"
  rm -rf "$OUT/addin"
fi

TMP="$(mktemp -d -t perfeval-wheelhouse.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT

# 1. perfeval itself, built from a copy of the working tree (pip builds in-tree and would leave build/ and
#    egg-info in the repository). Uncommitted files ARE included: build from a clean checkout for a release.
log "building the perfeval wheel ($PY)"
mkdir -p "$TMP/src"
tar -C "$ROOT" \
  --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist --exclude=./out \
  --exclude='*.egg-info' --exclude=__pycache__ --exclude=.pytest_cache --exclude=.ruff_cache \
  --exclude=.hypothesis -cf - . | tar -C "$TMP/src" -xf -
"$PY" -m pip wheel --quiet --no-deps -w "$OUT" "$TMP/src"
PERFEVAL_WHEEL="$(ls "$OUT"/perfeval-*.whl)"
[ "$(printf '%s\n' "$PERFEVAL_WHEEL" | wc -l)" = 1 ] || die "expected one perfeval wheel in $OUT"

# 2. runtime dependencies, binary only, for the users' platforms. The perfeval wheel is passed as a
#    requirement so its own metadata (pyproject.toml dependencies) decides what is fetched.
download() { # platform, extra requirements...
  local platform="$1"; shift
  log "downloading dependencies for $platform / CPython $PYVER"
  "$PY" -m pip download --quiet --only-binary=:all: --platform "$platform" --python-version "$PYVER" \
    --implementation cp --abi "$PYTAG" --abi abi3 --abi none -d "$OUT" "$PERFEVAL_WHEEL" "$@"
}
download "$WIN_PLATFORM" pywin32
if [ "$MAC" = 1 ]; then
  for platform in "${MAC_PLATFORMS[@]}"; do
    download "$platform" psutil appscript
  done
fi

# 3. the add-ins (the xlwings template comes from the installed xlwings; same version as the wheels)
if [ "$ADDINS" = 1 ]; then
  log "building the add-ins (python -m addin.build)"
  (cd "$ROOT" && "$PY" -m addin.build -o "$OUT/addin" >/dev/null)
fi

# 4. requirements.txt, install.bat (+ install-mac.sh)
"$PY" - "$OUT" "$PYVER" "$MAC" <<'PYTHON'
import re
import sys
from collections import defaultdict
from pathlib import Path

out, pyver, mac = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
wheels = sorted(out.glob("*.whl"))
kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
for wheel in wheels:
    name, version, *_, platform_tag = wheel.stem.split("-")
    kind = "win" if platform_tag.startswith("win") else "mac" if platform_tag.startswith("macosx") else "any"
    kinds[(re.sub(r"[-_.]+", "-", name).lower(), version)].add(kind)

marker = {"win": 'sys_platform == "win32"', "mac": 'sys_platform == "darwin"'}
wanted = {"win", "mac"} if mac else {"win"}
lines = [
    "# 绩效自评助手离线安装清单（由 scripts/build-wheelhouse.sh 生成，请勿手工修改）",
    "# 安装：pip install --no-index --find-links . -r requirements.txt",
]
for (name, version), found in sorted(kinds.items(), key=lambda item: (item[0][0] != "perfeval", item[0])):
    line = f"{name}=={version}"
    if "any" not in found and found != wanted:
        line += " ; " + " or ".join(marker[k] for k in sorted(found))
    lines.append(line)
(out / "requirements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

xlwings_version = next(v for (n, v) in kinds if n == "xlwings")
perfeval_version = next(v for (n, v) in kinds if n == "perfeval")

install_bat = rf"""@echo off
setlocal EnableExtensions
rem ======================================================================
rem  绩效自评助手 perfeval {perfeval_version} 离线安装（Windows）
rem  由 scripts/build-wheelhouse.sh 生成。本文件须与全部 .whl 文件、
rem  requirements.txt 放在同一文件夹中运行（双击即可，不需要管理员权限）。
rem
rem  做三件事：
rem    1. 用 Python {pyver}（py 启动器）在 %LOCALAPPDATA%\perfeval\.venv
rem       建立独立的 Python 环境（已存在则沿用）；
rem    2. 从本文件夹离线安装 perfeval 及其依赖，不联网；重复运行即修复安装；
rem    3. 如本文件夹有 addin 子文件夹，把加载项复制到
rem       %LOCALAPPDATA%\perfeval\addin（即加载项配置中的 PYTHONPATH）。
rem  之后仍须在 Excel 中添加加载项，见 docs\install.zh.md。
rem  可用环境变量 PERFEVAL_PYTHON 指定 python.exe 的完整路径（须为 {pyver} 版）。
rem ======================================================================
set "HERE=%~dp0"
set "PE_HOME=%LOCALAPPDATA%\perfeval"
set "VENV=%PE_HOME%\.venv"
set "VPY=%VENV%\Scripts\python.exe"

rem ---- 1. 找到 Python {pyver} ----
set "BASEPY="
if defined PERFEVAL_PYTHON set "BASEPY="%PERFEVAL_PYTHON%""
if defined BASEPY goto :check_python
where py >nul 2>nul
if errorlevel 1 goto :try_python
py -{pyver} -c "import sys" >nul 2>nul
if errorlevel 1 goto :try_python
set "BASEPY=py -{pyver}"
goto :check_python
:try_python
set "BASEPY=python"
:check_python
%BASEPY% -c "import sys; sys.exit(0 if sys.version_info[:2] == ({pyver.replace('.', ', ')}) else 1)" >nul 2>nul
if errorlevel 1 goto :no_python
echo 使用的 Python：%BASEPY%

rem ---- 2. 建立虚拟环境 ----
if exist "%VPY%" goto :have_venv
echo 正在创建 Python 环境：%VENV%
%BASEPY% -m venv "%VENV%"
if errorlevel 1 goto :failed
:have_venv

rem ---- 3. 离线安装（--no-index：只用本文件夹中的文件）----
echo 正在安装 perfeval 及其依赖（离线）……
"%VPY%" -m pip install --disable-pip-version-check --no-index --find-links "%HERE%." --force-reinstall -r "%HERE%requirements.txt"
if errorlevel 1 goto :failed
"%VPY%" -c "import perfeval, udfs, addin, xlwings; print('xlwings', xlwings.__version__)"
if errorlevel 1 goto :failed
rem xlwings 的 DLL 随 Windows 版 xlwings 安装在环境根目录，VBA 从 pythonw.exe 的上一级目录加载它
if not exist "%VENV%\xlwings64-{xlwings_version}.dll" echo 警告：未找到 %VENV%\xlwings64-{xlwings_version}.dll，Excel 中调用 Python 可能失败。

rem ---- 4. 复制加载项 ----
if not exist "%HERE%addin\pe_new.xlam" goto :done
echo 正在复制加载项到 %PE_HOME%\addin
xcopy "%HERE%addin" "%PE_HOME%\addin" /E /I /Y /Q >nul
if errorlevel 1 goto :failed
rem 从网络或邮件得到的文件带“来自 Internet”标记，Excel 会拦截其中的宏；尝试解除（失败不影响安装，可在文件属性中手工“解除锁定”）
powershell -NoProfile -Command "Get-ChildItem -LiteralPath (Join-Path $env:LOCALAPPDATA 'perfeval\addin') | Unblock-File" >nul 2>nul

:done
echo.
echo 安装完成。
echo   Python 环境：%VENV%
echo   加载项文件夹：%PE_HOME%\addin
echo 下一步：把加载项文件夹加入 Excel 受信任位置，再按 README.txt 的顺序添加 6 个加载项。
echo 不用 Excel（如 WPS）时，可在命令行使用："%VENV%\Scripts\perfeval.exe" --help
pause
exit /b 0

:no_python
echo 错误：没有找到 Python {pyver}。请向信息化部门申请安装 Python {pyver}（64 位，勾选“py launcher”），
echo 或用环境变量 PERFEVAL_PYTHON 指定 python.exe 的完整路径后重新运行本文件。
pause
exit /b 1

:failed
echo 错误：安装没有完成，请把本窗口中的提示截图发给技术支持。
pause
exit /b 1
"""
# cmd.exe reads a .bat in the console code page (936 = GBK on Chinese Windows); CRLF line ends.
(out / "install.bat").write_bytes(install_bat.replace("\n", "\r\n").encode("gbk"))

if mac:
    install_mac = f"""#!/bin/bash
# 绩效自评助手 perfeval {perfeval_version} 离线安装（macOS）。由 scripts/build-wheelhouse.sh 生成。
# 用法：在“终端”中运行  bash install-mac.sh   （本文件须与全部 .whl 文件在同一文件夹）
# 1. 用 Python {pyver}（python.org 安装包）在 ~/perfeval/.venv 建立环境；2. 离线安装；
# 3. 复制加载项到 ~/perfeval/addin；4. 安装 RunPython 所需的 AppleScript（xlwings runpython install）。
# macOS 上只能用按钮（RunPython），不能用工作表函数（UDF）。
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PE_HOME="$HOME/perfeval"
VENV="$PE_HOME/.venv"
BASEPY="${{PERFEVAL_PYTHON:-python{pyver}}}"
if ! "$BASEPY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == ({pyver.replace('.', ', ')}) else 1)'; then
  echo "错误：没有找到 Python {pyver}（可用环境变量 PERFEVAL_PYTHON 指定）" >&2
  exit 1
fi
[ -x "$VENV/bin/python" ] || "$BASEPY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-index --find-links "$HERE" \\
  --force-reinstall -r "$HERE/requirements.txt"
"$VENV/bin/python" -c "import perfeval, udfs, addin, xlwings; print('xlwings', xlwings.__version__)"
if [ -f "$HERE/addin/pe_new.xlam" ]; then
  mkdir -p "$PE_HOME/addin"
  cp -f "$HERE"/addin/* "$PE_HOME/addin/"
  xattr -dr com.apple.quarantine "$PE_HOME/addin" 2>/dev/null || true
fi
"$VENV/bin/xlwings" runpython install
echo "安装完成：$VENV ；加载项：$PE_HOME/addin"
"""
    path = out / "install-mac.sh"
    path.write_text(install_mac, encoding="utf-8")
    path.chmod(0o755)
PYTHON

# 5. self-check: the folder alone (no index) satisfies requirements.txt for each target platform
check() { # platform
  log "checking that the wheelhouse installs offline for $1"
  "$PY" -m pip install --quiet --dry-run --ignore-installed --no-index --find-links "$OUT" \
    --only-binary=:all: --platform "$1" --python-version "$PYVER" --implementation cp \
    --target "$TMP/target-$1" -r "$OUT/requirements.txt" \
    || die "the wheelhouse does not satisfy requirements.txt for $1"
}
check "$WIN_PLATFORM"
if [ "$MAC" = 1 ]; then
  for platform in "${MAC_PLATFORMS[@]}"; do check "$platform"; done
fi

# 6. report
count="$(find "$OUT" -maxdepth 1 -name '*.whl' | wc -l | tr -d ' ')"
log "done: $OUT"
printf '%s\n' "wheelhouse: $OUT"
printf '  %-60s %10s\n' "file" "bytes"
find "$OUT" -type f | sort | while read -r f; do
  printf '  %-60s %10s\n' "${f#"$OUT"/}" "$(wc -c <"$f" | tr -d ' ')"
done
printf '%s\n' "$count wheels, total $(du -sh "$OUT" | cut -f1)"
printf '%s\n' "Windows: copy the folder to the PC and run install.bat (Python $PYVER 64-bit needed)."
[ "$MAC" = 1 ] && printf '%s\n' "macOS: bash install-mac.sh (Python $PYVER from python.org needed)."
exit 0
