"""Unpacking an uploaded zip of content safely.

`extracted_zip(data)` checks every entry and unpacks the content into a fresh temporary folder
that is always removed afterwards. It refuses, with a message naming the entry:

- data that is not a zip, or a zip that is corrupt (bad headers, bad CRC, truncated);
- more than `MAX_ENTRIES` entries; an entry larger than `MAX_ENTRY_BYTES`; more than
  `MAX_TOTAL_BYTES` unpacked in all; an entry that unpacks to more than `MAX_RATIO` times its
  compressed size (a zip bomb). Sizes are counted on the bytes actually unpacked, while
  unpacking, not taken from the headers;
- names that could land outside the folder or mean something else on another system: `..`,
  absolute paths, backslashes, drive letters, control characters, empty or `.` parts, names
  that are not UTF-8, duplicates;
- symbolic links and other special files; encrypted entries.

The zip holds `courses/` and/or `scenarios/` (possibly inside one wrapping folder, as when a
folder is zipped), or the contents of one of them (`skills.yaml` and course folders, or
scenario files), which are put back under the right folder name.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from lms.content.yamlsafe import MAX_FILE_BYTES

MAX_ZIP_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 5_000
MAX_ENTRY_BYTES = MAX_FILE_BYTES
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 128 * 1024  # below this much output an entry's ratio is not judged
MAX_DEPTH = 8
MAX_PART_LENGTH = 128
CHUNK = 64 * 1024

FOLDERS = ("courses", "scenarios")
IGNORED_TOP = ("__MACOSX",)

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


class ArchiveError(Exception):
    """The upload is refused; `str(error)` says why, for the person who uploaded it."""


@dataclass(frozen=True)
class Entry:
    info: zipfile.ZipInfo
    parts: tuple[str, ...]
    is_dir: bool


def _name_of(info: zipfile.ZipInfo) -> str:
    """The entry's name as UTF-8, whether or not the zip set the UTF-8 flag."""
    name = info.filename
    if info.flag_bits & _UTF8_FLAG or name.isascii():
        return name
    try:  # many tools write UTF-8 names without the flag; zipfile decoded them as cp437
        return name.encode("cp437").decode("utf-8")
    except UnicodeError:
        raise ArchiveError(
            _l(
                "A file name in the zip is not UTF-8: %(name)s",
                name=name.encode("cp437", "replace").decode("ascii", "replace"),
            )
        ) from None


def _check_entry(info: zipfile.ZipInfo) -> Entry:
    name = _name_of(info)
    shown = _CONTROL.sub("?", name)[:200]
    if _CONTROL.search(name):
        raise ArchiveError(
            _l("A file name in the zip holds control characters: %(name)s", name=shown)
        )
    if "\\" in name:
        raise ArchiveError(_l("A file name in the zip holds a backslash: %(name)s", name=shown))
    if name.startswith("/") or _DRIVE.match(name):
        raise ArchiveError(_l("The zip holds an absolute path: %(name)s", name=shown))
    is_dir = name.endswith("/")
    parts = tuple(name.rstrip("/").split("/")) if name.rstrip("/") else ()
    if ".." in parts:
        raise ArchiveError(
            _l("The zip holds a path that leads outside its folder: %(name)s", name=shown)
        )
    if not parts or any(part in ("", ".") for part in parts):
        raise ArchiveError(_l("The zip holds an odd file name: %(name)s", name=shown))
    if len(parts) > MAX_DEPTH or any(len(part) > MAX_PART_LENGTH for part in parts):
        raise ArchiveError(_l("A path in the zip is too deep or too long: %(name)s", name=shown))
    mode = info.external_attr >> 16
    file_type = stat.S_IFMT(mode)
    if file_type == stat.S_IFLNK:
        raise ArchiveError(_l("The zip holds a symbolic link: %(name)s", name=shown))
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise ArchiveError(_l("The zip holds a special file: %(name)s", name=shown))
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise ArchiveError(_l("The zip holds an encrypted file: %(name)s", name=shown))
    if file_type == stat.S_IFDIR:
        is_dir = True
    if (
        not is_dir
        and info.file_size > RATIO_FLOOR_BYTES
        and info.file_size > MAX_RATIO * max(info.compress_size, 1)
    ):
        raise _bomb(shown)
    if not is_dir and info.file_size > MAX_ENTRY_BYTES:
        raise _too_large(shown)
    return Entry(info, parts, is_dir)


def _too_large(name: str) -> ArchiveError:
    return ArchiveError(
        _l(
            "%(name)s is larger than %(limit)d MiB; content files must be smaller.",
            name=name,
            limit=MAX_ENTRY_BYTES // (1024 * 1024),
        )
    )


def _bomb(name: str) -> ArchiveError:
    return ArchiveError(
        _l(
            "%(name)s unpacks to more than %(ratio)d times its packed size: "
            "the zip looks like a zip bomb.",
            name=name,
            ratio=MAX_RATIO,
        )
    )


def _open(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveError(
            _l("The zip is larger than %(limit)d MiB.", limit=MAX_ZIP_BYTES // (1024 * 1024))
        )
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError:
        raise ArchiveError(_l("A file name in the zip is not UTF-8.")) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ArchiveError(_l("This is not a zip file, or the zip is damaged.")) from None


def _entries(archive: zipfile.ZipFile) -> list[Entry]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ArchiveError(_l("The zip holds more than %(limit)d files.", limit=MAX_ENTRIES))
    entries: list[Entry] = []
    seen: set[str] = set()
    for info in infos:
        entry = _check_entry(info)
        key = "/".join(entry.parts).casefold()
        if key in seen and not entry.is_dir:
            raise ArchiveError(
                _l("The zip holds the same name twice: %(name)s", name="/".join(entry.parts))
            )
        seen.add(key)
        entries.append(entry)
    return entries


def _layout(files: list[Entry]) -> tuple[int, str | None]:
    """How names map into the scratch folder: the number of wrapping folders to drop and the
    top folder to put the rest under (None when the zip already holds courses/ or scenarios/)."""
    parts_list = [entry.parts for entry in files]
    strip = 0
    while True:
        tops = {parts[strip] for parts in parts_list if len(parts) > strip}
        has_top_files = any(len(parts) == strip + 1 for parts in parts_list)
        if (
            len(tops) == 1
            and not has_top_files
            and next(iter(tops)) not in FOLDERS
            and strip < MAX_DEPTH
        ):
            strip += 1
            continue
        break
    rest = [parts[strip:] for parts in parts_list]
    tops = {parts[0] for parts in rest if parts}
    if tops & set(FOLDERS):
        return strip, None
    if (
        ("skills.yaml",) in rest
        or "paths" in tops
        or any(len(parts) == 2 and parts[1] == "course.yaml" for parts in rest)
    ):
        return strip, "courses"
    if any(len(parts) == 1 and parts[0].endswith(".yaml") for parts in rest):
        return strip, "scenarios"
    raise ArchiveError(
        _l(
            "The zip holds neither courses/ nor scenarios/ (nor their contents: skills.yaml and "
            "course folders, or scenario files)."
        )
    )


def _target(parts: tuple[str, ...], strip: int, under: str | None) -> tuple[str, ...] | None:
    rest = parts[strip:]
    if not rest:
        return None
    if under is not None:
        return (under, *rest)
    return rest if rest[0] in FOLDERS else None


def _unpack(archive: zipfile.ZipFile, entry: Entry, target: Path, budget: list[int]) -> None:
    name = "/".join(entry.parts)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    written = 0
    try:
        with (
            archive.open(entry.info) as source,
            os.fdopen(os.open(target, flags, 0o600), "wb") as out,
        ):
            while chunk := source.read(CHUNK):
                written += len(chunk)
                budget[0] -= len(chunk)
                if written > RATIO_FLOOR_BYTES and written > MAX_RATIO * max(
                    entry.info.compress_size, 1
                ):
                    raise _bomb(name)
                if written > MAX_ENTRY_BYTES:
                    raise _too_large(name)
                if budget[0] < 0:
                    raise ArchiveError(
                        _l(
                            "The zip unpacks to more than %(limit)d MiB.",
                            limit=MAX_TOTAL_BYTES // (1024 * 1024),
                        )
                    )
                out.write(chunk)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        raise ArchiveError(
            _l("The zip is damaged: %(name)s cannot be unpacked.", name=name)
        ) from None


def extract_content(data: bytes, destination: Path) -> tuple[str, ...]:
    """Check the zip in `data` and unpack its content into the empty folder `destination`;
    return the top folders found (`courses`, `scenarios`). Raises ArchiveError."""
    with _open(data) as archive:
        entries = [
            entry
            for entry in _entries(archive)
            if entry.parts and entry.parts[0] not in IGNORED_TOP
        ]
        files = [entry for entry in entries if not entry.is_dir]
        if not files:
            raise ArchiveError(_l("The zip is empty."))
        strip, under = _layout(files)
        root = destination.resolve()
        budget = [MAX_TOTAL_BYTES]
        folders: set[str] = set()
        for entry in files:
            parts = _target(entry.parts, strip, under)
            if parts is None:
                continue
            target = root.joinpath(*parts)
            if not target.resolve().is_relative_to(root) or target.resolve() == root:
                raise ArchiveError(
                    _l(
                        "The zip holds a path that leads outside its folder: %(name)s",
                        name="/".join(entry.parts),
                    )
                )
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                _unpack(archive, entry, target, budget)
            except OSError:
                raise ArchiveError(
                    _l(
                        "%(name)s cannot be unpacked: its name clashes with another entry.",
                        name="/".join(entry.parts),
                    )
                ) from None
            folders.add(parts[0])
    return tuple(folder for folder in FOLDERS if folder in folders)


@contextlib.contextmanager
def extracted_zip(data: bytes) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """Unpack the zip into a temporary folder (see `extract_content`), yield the folder and the
    top folders found, and remove it afterwards, whatever happens."""
    scratch = Path(tempfile.mkdtemp(prefix="lms-upload-"))
    try:
        folders = extract_content(data, scratch)
        yield scratch, folders
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
