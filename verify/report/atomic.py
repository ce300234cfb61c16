"""Write a report directory atomically: a failed run leaves the previous report intact.

The new tree is written into a hidden sibling directory; only when every file is written is it
swapped with the old one — by one ``renameat2(RENAME_EXCHANGE)`` call on Linux, else by two
renames (with the old tree restored if the second fails). Files in the old directory that the
report does not write (``.gitkeep``, a demo graph) are carried over.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_tree"]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one system call; False where the platform cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _carry_over(old: Path, new: Path) -> None:
    for entry in old.iterdir():
        target = new / entry.name
        if target.exists() or target.is_symlink():
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target, follow_symlinks=False)


def write_tree(out: str | os.PathLike[str], files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) as the directory ``out``, atomically.

    Returns the absolute path of ``out``. Raises ``ValueError`` for a path leaving ``out``.
    """
    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel, data in files.items():
            path = (tmp / rel).resolve()
            if tmp.resolve() not in path.parents:
                raise ValueError(f"report file {rel!r} would be written outside {out}")
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8")
            else:
                path.write_bytes(data)
        if out.is_dir():
            _carry_over(out, tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700
        if not out.exists():
            os.rename(tmp, out)
            return out
        if _exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old report
            return out
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        try:
            os.rename(tmp, out)
        except OSError:
            os.rename(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return out
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
