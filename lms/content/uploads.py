"""Uploaded content zips kept between the check and the apply step of a browser import.

The apply step never trusts the browser with the content: the zip stays in the instance folder
under a random token, bound to the person who uploaded it, and expires after `UPLOAD_TTL`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

UPLOAD_DIR = "content-uploads"
UPLOAD_TTL_SECONDS = 60 * 60
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass(frozen=True)
class Upload:
    token: str
    user_id: int
    filename: str
    data: bytes


def upload_dir(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / UPLOAD_DIR


def _paths(folder: Path, token: str) -> tuple[Path, Path]:
    return folder / f"{token}.zip", folder / f"{token}.json"


def expire_uploads(instance_path: str | os.PathLike, *, now: float | None = None) -> int:
    """Delete uploads older than UPLOAD_TTL_SECONDS; return how many files went."""
    folder = upload_dir(instance_path)
    if not folder.is_dir():
        return 0
    limit = (now if now is not None else time.time()) - UPLOAD_TTL_SECONDS
    removed = 0
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def save_upload(
    instance_path: str | os.PathLike, *, user_id: int, filename: str, data: bytes
) -> str:
    """Keep `data` for `user_id` and return its token."""
    folder = upload_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    expire_uploads(instance_path)
    token = secrets.token_urlsafe(32)
    zip_path, meta_path = _paths(folder, token)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    with os.fdopen(os.open(meta_path, flags, 0o600), "w", encoding="utf-8") as handle:
        json.dump({"user_id": user_id, "filename": filename[:200]}, handle)
    with os.fdopen(os.open(zip_path, flags, 0o600), "wb") as handle:
        handle.write(data)
    return token


def _read(folder: Path, token: str, user_id: int, zip_path: Path) -> Upload | None:
    meta_path = _paths(folder, token)[1]
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("user_id") != user_id:
            return None
        if zip_path.stat().st_mtime < time.time() - UPLOAD_TTL_SECONDS:
            return None
        return Upload(token, user_id, str(meta.get("filename", "")), zip_path.read_bytes())
    except (OSError, ValueError):
        return None


def get_upload(instance_path: str | os.PathLike, token: str, *, user_id: int) -> Upload | None:
    """The upload `token` of `user_id`, or None if unknown, expired or someone else's."""
    if not TOKEN_RE.match(token):
        return None
    folder = upload_dir(instance_path)
    return _read(folder, token, user_id, _paths(folder, token)[0])


def claim_upload(instance_path: str | os.PathLike, token: str, *, user_id: int) -> Upload | None:
    """Take the upload for applying it: it is removed, so a second submit finds nothing."""
    upload = get_upload(instance_path, token, user_id=user_id)
    if upload is None:
        return None
    folder = upload_dir(instance_path)
    zip_path, meta_path = _paths(folder, token)
    claimed = folder / f"{token}.claimed"
    try:
        os.rename(zip_path, claimed)  # atomic: of two submits, one wins
    except FileNotFoundError:
        return None
    claimed.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)
    return upload


def discard_upload(instance_path: str | os.PathLike, token: str, *, user_id: int) -> bool:
    """Delete the upload `token` of `user_id`; False if there was none."""
    if get_upload(instance_path, token, user_id=user_id) is None:
        return False
    for path in _paths(upload_dir(instance_path), token):
        path.unlink(missing_ok=True)
    return True
