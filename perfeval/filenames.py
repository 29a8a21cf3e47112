"""Safe file names made from user text (a unit name becomes part of a default output file name).

The result is one file name, never a path: no separators, nothing Windows rejects (``<>:"/\\|?*``, control
characters, a trailing dot or space, a reserved device name such as ``CON`` or ``COM1``), no leading dot
(hidden file, ``..`` traversal), no invisible format characters (a right-to-left override could disguise
the extension), and short enough for every common file system once the fixed suffix is added.
"""

from __future__ import annotations

import re
import unicodedata

#: characters Windows forbids in a file name; each becomes "_" so the name keeps its shape
FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
#: device names Windows reserves, with or without an extension (checked case-insensitively)
RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
#: longest user part of a name, in characters and in UTF-8 bytes (a file name is at most 255 bytes on
#: Linux and macOS, 255 UTF-16 units on Windows; a CJK character takes 3 bytes in UTF-8)
MAX_CHARS = 60
MAX_BYTES = 150


def _keep(char: str) -> bool:
    """Drop control, format, surrogate, unassigned and line/paragraph-separator characters."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def safe_stem(text: str, fallback: str = "未命名单位") -> str:
    """``text`` made safe to use as (part of) a single file name; ``fallback`` when nothing is left."""
    spaced = "".join(" " if c in "\t\n\r\x0b\x0c" or unicodedata.category(c) == "Zs" else c for c in text)
    name = "".join(c for c in spaced if _keep(c))
    name = FORBIDDEN.sub("_", name)
    name = " ".join(part for part in name.split(" ") if part)  # tabs, line breaks, ideographic space: one space
    name = name[:MAX_CHARS]
    while len(name.encode("utf-8")) > MAX_BYTES:
        name = name[:-1]
    name = name.strip(" .")
    if not name:
        return fallback
    if name.split(".")[0].strip().upper() in RESERVED:
        name = f"_{name}"
    return name


def safe_filename(stem: str, suffix: str, fallback: str = "未命名单位") -> str:
    """``safe_stem(stem) + suffix``; ``suffix`` is the program's own fixed text (e.g. ``"_2025年….xlsx"``)."""
    return safe_stem(stem, fallback) + suffix


__all__ = ["FORBIDDEN", "MAX_BYTES", "MAX_CHARS", "RESERVED", "safe_filename", "safe_stem"]
