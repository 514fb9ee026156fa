"""Uploaded files: checked by name and content, kept under ``instance/uploads`` by a random name, read safely.

An upload is an XLSX workbook, a ZIP of the CSV files, or one CSV file. Its type is
checked by extension *and* by content (XLSX and ZIP must start with the ZIP magic);
a ZIP whose member names climb out of their folder, that has too many members, or
whose members unpack too large is refused before anything reads it. Every refusal is
an :class:`ImportFileError`, which the views and commands show as a message.
"""
from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path, PurePosixPath

from flask import current_app

from .reader import FILES, ImportSet, Problem, RawTable, parse_set, problems_text, read_csv, read_workbook

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ImportFileError",
    "check_upload",
    "delete_expired_uploads",
    "read_upload",
    "stored_path",
    "store_upload",
    "upload_folder",
]

ALLOWED_EXTENSIONS = (".xlsx", ".zip", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
#: Limits for a ZIP of CSV files and for the ZIP inside an XLSX workbook.
MAX_MEMBERS = {".zip": 20, ".xlsx": 2000}
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024


class ImportFileError(ValueError):
    """An uploaded or given file is refused as a whole (wrong type, unsafe or unreadable); the message says why."""


def extension(filename: str) -> str:
    """The lower-case extension of ``filename`` (``""`` when it has none)."""
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def check_upload(filename: str, data: bytes, *, allowed: tuple[str, ...] = ALLOWED_EXTENSIONS) -> str:
    """Return the extension of an acceptable upload.

    Raises
    ------
    ImportFileError
        Empty file, an extension not in ``allowed``, content that does not match the
        extension, or an unsafe ZIP (see :func:`_check_zip`).
    """
    ext = extension(filename)
    if ext not in allowed:
        shown = ext or "a file without extension"
        raise ImportFileError(f"only {', '.join(allowed)} files can be imported, not {shown}")
    if not data:
        raise ImportFileError("the file is empty")
    if ext in (".xlsx", ".zip"):
        if not data.startswith(ZIP_MAGIC):
            raise ImportFileError(f"the file is not a real {ext} file (its content is not a ZIP archive)")
        _check_zip(data, ext)
    elif data.startswith(ZIP_MAGIC) or b"\x00" in data[:4096]:
        raise ImportFileError("the file is not a CSV text file")
    return ext


def _check_zip(data: bytes, ext: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(f"the {ext} file is damaged: {exc}") from exc
    if len(members) > MAX_MEMBERS[ext]:
        raise ImportFileError(f"the archive has {len(members)} files; at most {MAX_MEMBERS[ext]} are allowed")
    total = 0
    for info in members:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            raise ImportFileError(f"the archive has an unsafe file name: {info.filename!r}")
        if info.file_size > MAX_MEMBER_BYTES:
            raise ImportFileError(f"{info.filename!r} unpacks to {info.file_size} bytes; too large")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ImportFileError(f"the archive unpacks to {total} bytes; too large")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # The declared size was checked; read no more than it in case the header lies.
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise ImportFileError(f"{info.filename!r} unpacks larger than its header says")
    return data


def read_tables(filename: str, data: bytes) -> dict[str, RawTable]:
    """Raw tables of an organization upload (checked first with :func:`check_upload`).

    Raises
    ------
    ImportFileError
        The file is refused or cannot be read at all.
    """
    ext = check_upload(filename, data)
    if ext == ".xlsx":
        try:
            tables, problems = read_workbook(io.BytesIO(data))
        except ImportFileError:
            raise
        except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
            raise ImportFileError(f"the workbook cannot be read: {type(exc).__name__}") from exc
        if problems:  # formula cells without a saved value: refused by name, nothing read as blank
            raise ImportFileError(problems_text(problems))
        if not tables:
            raise ImportFileError("the workbook has no sheet named departments, contracts, ratings or periods")
        return tables
    if ext == ".zip":
        tables = {}
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    name = PurePosixPath(info.filename.replace("\\", "/")).name.lower()
                    if info.is_dir() or name not in FILES or "__macosx" in info.filename.lower():
                        continue
                    if name in tables:
                        raise ImportFileError(f"the archive has {name} twice")
                    tables[name] = read_csv(name, _read_member(archive, info), stream=True)
        except ImportFileError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise ImportFileError(f"the archive cannot be read: {exc}") from exc
        if not tables:
            raise ImportFileError("the archive has none of " + ", ".join(FILES))
        return tables
    name = PurePosixPath(filename.replace("\\", "/")).name.lower()
    if name not in FILES:
        raise ImportFileError("a single CSV file must be named " + ", ".join(FILES)
                              + "; upload a workbook or a ZIP for a whole organization")
    return {name: read_csv(name, data, stream=True)}


def read_upload(filename: str, data: bytes) -> ImportSet:
    """Typed rows of an organization upload (XLSX, ZIP of CSVs or one CSV), with the problems found reading.

    Raises
    ------
    ImportFileError
        The file is refused or cannot be read at all.
    """
    try:
        tables = read_tables(filename, data)
        return parse_set(tables, source=PurePosixPath(filename.replace("\\", "/")).name)
    except ImportFileError:
        raise
    except (UnicodeError, ValueError, LookupError) as exc:  # csv.Error is an Exception subclass below
        raise ImportFileError(f"the file cannot be read: {exc}") from exc
    except Exception as exc:
        import csv

        if isinstance(exc, csv.Error):
            raise ImportFileError(f"the file cannot be read as CSV: {exc}") from exc
        raise


def upload_folder() -> Path:
    """``instance/uploads`` of the current app (created if needed)."""
    folder = Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(filename: str, data: bytes, *, allowed: tuple[str, ...] = ALLOWED_EXTENSIONS) -> str:
    """Check ``data`` and keep it under a random name in :func:`upload_folder`; return that name.

    Raises
    ------
    ImportFileError
        See :func:`check_upload`.
    """
    ext = check_upload(filename, data, allowed=allowed)
    name = secrets.token_hex(16) + ext
    (upload_folder() / name).write_bytes(data)
    return name


def delete_expired_uploads(retention_hours: float, *, now: float | None = None) -> int:
    """Delete kept uploads older than ``retention_hours`` (by file time); return how many were deleted.

    A preview keeps its upload for the apply; one never applied must not stay on the
    server for ever. A job whose upload was deleted says so and asks for it again.
    """
    return delete_older_than(upload_folder(), retention_hours, now=now, ours=_is_stored_name)


def _is_stored_name(name: str) -> bool:
    try:
        stored_path(name)
    except ImportFileError:
        return False
    return True


def delete_older_than(folder: Path, hours: float, *, now: float | None = None, ours=lambda name: True) -> int:
    """Delete the files of ``folder`` (those ``ours(name)`` accepts) older than ``hours`` by file time; return how many.

    The one retention rule of kept files: uploads, and the files made for download (:mod:`tracker.downloads`).
    """
    import time

    limit = (time.time() if now is None else now) - hours * 3600
    deleted = 0
    for path in folder.iterdir():
        if path.is_file() and ours(path.name) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def stored_path(stored_name: str) -> Path:
    """The path of a stored upload; only names this module made (hex and an allowed extension) are accepted.

    Raises
    ------
    ImportFileError
        ``stored_name`` is not such a name.
    """
    stem, ext = stored_name[:32], stored_name[32:]
    if len(stem) != 32 or any(c not in "0123456789abcdef" for c in stem) or ext not in ALLOWED_EXTENSIONS:
        raise ImportFileError("unknown upload")
    return upload_folder() / stored_name


def problem_for(exc: ImportFileError, filename: str) -> Problem:
    """A whole-file refusal as a :class:`Problem` (line 0) for the preview's list."""
    return Problem(PurePosixPath(filename.replace("\\", "/")).name or "upload", 0, str(exc))
