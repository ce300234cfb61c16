"""Write a report directory atomically, owning only what the report wrote.

:func:`check_out` decides, before any work starts, where a report may go: a symlinked ``out`` is
followed (its target gets the report, the link stays); a regular file, the current directory
(or one holding it), a home directory and a git work tree's root are refused; a non-empty
directory that is not a gradproof report — no ``.gradproof-report`` marker — is refused unless
``force``. :func:`write_tree` writes the new tree into a hidden sibling directory (marker
first, so a killed run's leftover is recognisable and removed by the next run) and swaps it in
with one ``renameat2(RENAME_EXCHANGE)`` call on Linux, else two renames. Files in the old
directory that the previous report did not write (its marker lists them) are carried over;
a user's file where the new report writes one is refused unless ``force``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from verify.errors import UsageError

__all__ = ["MARKER", "check_out", "write_tree"]

MARKER = ".gradproof-report"
PLACEHOLDERS = {".gitkeep", ".keep"}  # a directory holding only these counts as empty
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _refusal(target: Path) -> str | None:
    """Why ``target`` (a resolved path) may never be replaced by a report, or None."""
    cwd, home = Path.cwd().resolve(), Path.home().resolve()
    if target == cwd:
        return "is the current directory; write the report to a directory of its own"
    if target in cwd.parents:
        return "contains the current directory"
    if target == home or target in home.parents or target == Path(target.anchor):
        return "is a home directory or above one"
    if (target / ".git").exists():
        return "is the root of a git work tree"
    return None


def _owned(target: Path) -> set[str] | None:
    """The files (relative paths) a previous report in ``target`` wrote; None: not a report."""
    try:
        listing = json.loads((target / MARKER).read_text(encoding="utf-8"))
        files = listing["files"]
        if isinstance(files, list) and all(isinstance(f, str) for f in files):
            return set(files)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:  # a report written before markers existed: its sidecar says what it is
        legacy = json.loads((target / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # Only the report sidecar of before markers: a results document (gradproof.verify/...) in a
    # user's directory says nothing about who wrote the files beside it.
    if not (isinstance(legacy, dict) and str(legacy.get("schema", "")).startswith(
            "gradproof.report/") and (target / "index.html").is_file()):
        return None
    names = ["index.html", "claims.html", "report.json"]
    names += [p.relative_to(target).as_posix() for sub in ("static", "ops")
              for p in (target / sub).rglob("*") if p.is_file() or p.is_symlink()]
    return set(names)


def check_out(out: str | os.PathLike[str], *, force: bool = False) -> Path:
    """The directory the report for ``out`` goes to, or a ``UsageError`` saying why not."""
    given = Path(out).absolute()
    target = Path(os.path.realpath(given))  # a symlink (or one on the way) is followed
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {out}: is a file, not a directory")
    why = _refusal(target)
    if why:
        raise UsageError(f"--out {out}: {why}")
    if target.is_dir() and not force:
        try:
            entries = set(os.listdir(target)) - PLACEHOLDERS
        except OSError as e:
            raise UsageError(f"--out {out}: cannot read it ({e.strerror})") from e
        if entries and _owned(target) is None:
            raise UsageError(f"--out {out}: a non-empty directory that is not a gradproof "
                             f"report (no {MARKER} marker); choose another or pass --force")
    return target


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _clean_leftovers(target: Path) -> None:
    """Remove what killed runs left beside ``target``: marked temporary trees of dead processes."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(new|old)-(\d+)-.*")
    for entry in target.parent.iterdir():
        m = pattern.fullmatch(entry.name)
        if (m and entry.is_dir() and not entry.is_symlink() and not _alive(int(m.group(2)))
                and ((entry / MARKER).is_file() or not any(entry.iterdir()))):
            shutil.rmtree(entry, ignore_errors=True)


def _carry_over(old: Path, new: Path, files: Mapping[str, object], force: bool) -> None:
    """Copy the entries of ``old`` the previous report did not write into ``new``."""
    owned = (_owned(old) or set()) | {MARKER}
    for top, dirs, names in os.walk(old):
        here = Path(top)
        for name in names + [d for d in dirs if (here / d).is_symlink()]:
            entry = here / name
            rel = entry.relative_to(old).as_posix()
            if rel in owned:
                continue
            target = new / rel
            if rel in files or target.exists() or target.is_symlink() or any(
                    p.is_file() for p in target.parents if new in p.parents):
                if force:
                    continue  # --force: the report's file replaces the user's
                raise UsageError(f"--out {old}: {rel} is not the report's file but the new report "
                                 "writes there; move it away or pass --force")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(entry, target, follow_symlinks=False)
        if not names and not dirs and here != old:  # keep the user's empty directories
            (new / here.relative_to(old)).mkdir(parents=True, exist_ok=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one system call; False where the platform cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def write_tree(target: str | os.PathLike[str], files: Mapping[str, str | bytes], *,
               force: bool = False) -> Path:
    """Write ``files`` (relative path -> text or bytes) as the directory ``target`` (checked by
    :func:`check_out`), atomically; return its absolute path. A path leaving it is refused."""
    out = Path(target).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    try:
        (tmp / MARKER).write_text(json.dumps({"schema": "gradproof.report-dir/1",
                                              "files": sorted(files)}), encoding="utf-8")
        for rel, data in files.items():
            path = (tmp / rel).resolve()
            if tmp.resolve() not in path.parents or rel == MARKER:
                raise ValueError(f"report file {rel!r} would be written outside {out}")
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8")
            else:
                path.write_bytes(data)
        if out.is_dir():
            _carry_over(out, tmp, files, force)
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700
        if not out.exists():
            os.rename(tmp, out)
            return out
        if _exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old report
            return out
        old = out.parent / f".{out.name}.old-{os.getpid()}-x"
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
