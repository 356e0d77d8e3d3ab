"""Importing content in the browser: check first, then apply; refusals of bad uploads."""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEvent
from lms.content.models import ContentItem
from lms.content.store import current_version
from lms.content.uploads import UPLOAD_TTL_SECONDS, upload_dir
from lms.people.models import Role
from tests.content.conftest import Workspace
from tests.helpers import login_as

FIXTURE = Path(__file__).parent / "fixtures" / "valid"
TOKEN_RE = re.compile(r'action="/author/import/([A-Za-z0-9_-]{20,})"')


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.writestr(prefix + path.relative_to(folder).as_posix(), path.read_bytes())
    return buffer.getvalue()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart body in memory (the test client spools big bodies to unclosed temp files)."""
    boundary = "----lms-test-boundary-7f3a9c"
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/zip\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(client, data: bytes, name: str = "content.zip", **fields: str):
    body, content_type = multipart(fields, {"archive": (name, data)})
    return client.post("/author/import", data=body, content_type=content_type)


def token_in(response) -> str:
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match, "no apply form in the page"
    return match.group(1)


def items(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ContentItem))


def uploads_kept(app) -> list[str]:
    folder = upload_dir(app.instance_path)
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def trainer(make_user):
    return make_user(roles={Role.TRAINER})


@pytest.fixture
def trainer_client(client, trainer):
    login_as(client, trainer)
    return client


def test_the_page_explains_the_upload(trainer_client):
    page = trainer_client.get("/author/import")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text and 'name="archive"' in text
    assert "Stored now" in text


def test_check_then_apply(app, db, trainer_client, trainer):
    checked = upload(trainer_client, zip_folder(FIXTURE))

    assert checked.status_code == 200
    text = checked.get_data(as_text=True)
    assert "The files are valid. Nothing has changed yet." in text
    assert "<code>price-too-high</code>" in text
    assert items(db) == 0  # the check changes nothing
    token = token_in(checked)
    assert len(uploads_kept(app)) == 2

    applied = trainer_client.post(f"/author/import/{token}")

    assert applied.status_code == 200
    text = applied.get_data(as_text=True)
    assert "Content imported: 6 added, 0 changed, 0 retired." in text
    assert current_version("scenario", "price-too-high") is not None
    assert current_version("quiz", "time-basics").created_by_id == trainer.id
    assert uploads_kept(app) == []
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "content.import"))
    assert event.actor_id == trainer.id and event.details["added"] == 6

    again = trainer_client.post(f"/author/import/{token}")
    assert again.status_code == 302
    followed = trainer_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "expired or was already imported" in followed
    assert items(db) == 6


def test_errors_are_listed_by_file_and_nothing_is_kept(app, db, trainer_client, tmp_path):
    ws = Workspace(tmp_path / "content")
    ws.replace("scenarios/price-too-high.yaml", "next: clarify", "next: clarfy")
    ws.replace("courses/time-management/time-basics.quiz.yaml", "pass_score: 80", "pass_score: 180")

    response = upload(trainer_client, zip_folder(ws.root))

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "7 problems: nothing was imported" in text
    assert "Correct the 2 files below" in text
    assert "<code>scenarios/price-too-high.yaml</code>" in text
    assert "<code>courses/time-management/time-basics.quiz.yaml</code>" in text
    assert "unknown node &#39;clarfy&#39;" in text
    assert not TOKEN_RE.search(text)
    assert uploads_kept(app) == [] and items(db) == 0


def test_unchanged_content_offers_nothing_to_apply(app, db, trainer_client):
    data = zip_folder(FIXTURE)
    trainer_client.post(f"/author/import/{token_in(upload(trainer_client, data))}")

    response = upload(trainer_client, data)

    text = response.get_data(as_text=True)
    assert "Nothing would change" in text and not TOKEN_RE.search(text)
    assert uploads_kept(app) == []


def test_a_zip_of_scenarios_alone_retires_no_course(db, trainer_client, tmp_path):
    trainer_client.post(f"/author/import/{token_in(upload(trainer_client, zip_folder(FIXTURE)))}")
    ws = Workspace(tmp_path / "content")
    ws.replace("scenarios/price-too-high.yaml", "pass_score: 70", "pass_score: 60")

    checked = upload(trainer_client, zip_folder(ws.path("scenarios")))
    text = checked.get_data(as_text=True)
    assert "Retired" in text  # the column heading
    assert "<code>price-too-high</code>" in text and "<code>time-management</code>" not in text
    trainer_client.post(f"/author/import/{token_in(checked)}")

    assert current_version("scenario", "price-too-high").number == 2
    assert current_version("course", "time-management") is not None


def test_an_upload_belongs_to_its_uploader(app, db, client, make_user):
    admin = make_user(roles={Role.ADMIN})
    login_as(client, admin)
    token = token_in(upload(client, zip_folder(FIXTURE)))

    other = app.test_client()
    login_as(other, make_user(roles={Role.TRAINER}))
    response = other.post(f"/author/import/{token}")

    assert response.status_code == 302
    assert items(db) == 0
    assert client.post(f"/author/import/{token}").status_code == 200
    assert items(db) == 6


def test_an_expired_upload_cannot_be_applied(app, db, trainer_client):
    token = token_in(upload(trainer_client, zip_folder(FIXTURE)))
    old = time.time() - UPLOAD_TTL_SECONDS - 60
    for path in upload_dir(app.instance_path).iterdir():
        os.utime(path, (old, old))

    response = trainer_client.post(f"/author/import/{token}")

    assert response.status_code == 302 and items(db) == 0
    upload(trainer_client, zip_folder(FIXTURE))  # a new upload sweeps the old ones away
    assert len(uploads_kept(app)) == 2


def test_a_discarded_upload_is_gone(app, db, trainer_client):
    token = token_in(upload(trainer_client, zip_folder(FIXTURE)))
    response = trainer_client.post(f"/author/import/{token}/discard")
    assert response.status_code == 302
    assert uploads_kept(app) == []
    assert trainer_client.post(f"/author/import/{token}").status_code == 302
    assert items(db) == 0


@pytest.mark.parametrize("token", ["..%2F..%2Fsecret_key", "short", "a" * 200, "x" * 42 + "!"])
def test_odd_tokens_find_nothing(db, trainer_client, token):
    response = trainer_client.post(f"/author/import/{token}")
    assert response.status_code in (302, 404)
    assert items(db) == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_apply_needs_the_csrf_token(app, db, trainer_client):
    page = trainer_client.get("/author/import").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    checked = upload(trainer_client, zip_folder(FIXTURE), csrf_token=csrf)
    token = token_in(checked)
    assert trainer_client.post(f"/author/import/{token}").status_code == 400
    assert items(db) == 0
    assert (
        trainer_client.post(f"/author/import/{token}", data={"csrf_token": csrf}).status_code == 200
    )
    assert items(db) == 6


# --- refusals ----------------------------------------------------------------------------------


def crafted(name: str, data: bytes = b"id: x\n", *, mode: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("placeholder")
        info.filename = name
        info.compress_type = zipfile.ZIP_DEFLATED
        if mode is not None:
            info.create_system = 3
            info.external_attr = mode << 16
        zf.writestr(info, data)
    return buffer.getvalue()


REFUSALS = {
    "not a zip": (b"just some text", "This is not a zip file, or the zip is damaged."),
    "corrupt": (zip_folder(FIXTURE)[:300], "This is not a zip file, or the zip is damaged."),
    "zip bomb": (
        crafted("scenarios/bomb.yaml", b"\n" * (40 * 1024 * 1024)),
        "unpacks to more than 100 times its packed size",
    ),
    "traversal": (crafted("../../instance/secret_key"), "leads outside its folder"),
    "absolute": (crafted("/etc/cron.d/evil"), "absolute path"),
    "backslash": (crafted("scenarios\\..\\evil.yaml"), "backslash"),
    "drive letter": (crafted("D:/evil.yaml"), "absolute path"),
    "symlink": (
        crafted("scenarios/link.yaml", b"/etc/passwd", mode=stat.S_IFLNK | 0o777),
        "symbolic link",
    ),
    "too large": (crafted("scenarios/big.yaml", os.urandom(3 * 1024 * 1024)), "larger than 2 MiB"),
    "not utf-8": (
        crafted("scenarios/XXXX.yaml").replace(b"XXXX", b"\xff\xfe\xfd\xfc"),
        "not UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_bad_uploads_are_refused_clearly(app, db, trainer_client, case):
    data, message = REFUSALS[case]
    before = set(os.listdir(tempfile.gettempdir()))

    response = upload(trainer_client, data)

    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'class="field__error"' in text
    assert message.replace("'", "&#39;") in text
    assert items(db) == 0 and uploads_kept(app) == []
    left = {name for name in set(os.listdir(tempfile.gettempdir())) - before}
    assert not [name for name in left if name.startswith("lms-upload-")]


def test_too_many_files(db, trainer_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for index in range(5001):
            zf.writestr(f"scenarios/s{index}.yaml", "")
    response = upload(trainer_client, buffer.getvalue())
    assert response.status_code == 400
    assert "more than 5000 files" in response.get_data(as_text=True)


def test_no_file(trainer_client):
    response = trainer_client.post("/author/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a zip file to upload." in response.get_data(as_text=True)


def test_learners_and_managers_cannot_import(client, make_user):
    login_as(client, make_user(roles={Role.MANAGER}))
    assert upload(client, zip_folder(FIXTURE)).status_code == 403
