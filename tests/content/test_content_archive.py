"""Unpacking uploaded content zips: every refusal, with crafted archives; the layouts accepted."""

from __future__ import annotations

import io
import os
import random
import stat
import string
import zipfile
from pathlib import Path

import pytest

from lms.content import archive
from lms.content.archive import ArchiveError, extract_content, extracted_zip

FIXTURE = Path(__file__).parent / "fixtures" / "valid"


def make_zip(entries: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def zip_of_folder(folder: Path, prefix: str = "") -> bytes:
    entries = {
        prefix + path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    return make_zip(entries)


def refusal(data: bytes, tmp_path: Path) -> str:
    target = tmp_path / "out"
    target.mkdir(exist_ok=True)
    with pytest.raises(ArchiveError) as caught:
        extract_content(data, target)
    return str(caught.value)


def files_under(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def noise(size: int, seed: int = 1) -> bytes:
    """Text that barely compresses."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(size)).encode()


# --- layouts -----------------------------------------------------------------------------------


def test_courses_and_scenarios_at_the_top(app, tmp_path):
    folders = extract_content(zip_of_folder(FIXTURE), tmp_path)
    assert folders == ("courses", "scenarios")
    assert "courses/skills.yaml" in files_under(tmp_path)
    assert (tmp_path / "scenarios/price-too-high.yaml").read_bytes() == (
        FIXTURE / "scenarios/price-too-high.yaml"
    ).read_bytes()


def test_a_zipped_folder_is_unwrapped(app, tmp_path):
    data = zip_of_folder(FIXTURE, prefix="my-content/export/")
    assert extract_content(data, tmp_path) == ("courses", "scenarios")
    assert "courses/time-management/course.yaml" in files_under(tmp_path)


def test_the_contents_of_courses(app, tmp_path):
    assert extract_content(zip_of_folder(FIXTURE / "courses"), tmp_path) == ("courses",)
    assert "courses/paths/new-sales-rep.yaml" in files_under(tmp_path)


def test_the_contents_of_scenarios(app, tmp_path):
    assert extract_content(zip_of_folder(FIXTURE / "scenarios"), tmp_path) == ("scenarios",)
    assert files_under(tmp_path) == ["scenarios/price-too-high.yaml"]


def test_mac_resource_folders_and_other_top_folders_are_left_out(app, tmp_path):
    data = make_zip(
        {
            "__MACOSX/scenarios/._x.yaml": b"\x00\x05\x16\x07",
            "scenarios/x.yaml": "id: x\n",
            "notes/todo.txt": "later",
        }
    )
    assert extract_content(data, tmp_path) == ("scenarios",)
    assert files_under(tmp_path) == ["scenarios/x.yaml"]


def test_utf8_names_without_the_utf8_flag_are_read_as_utf8(app, tmp_path):
    data = make_zip({"scenarios/XXXXXX.yaml": "id: x\n"})
    data = data.replace(b"XXXXXX", "价格".encode())  # 6 bytes; flag 0x800 stays unset
    extract_content(data, tmp_path)
    assert files_under(tmp_path) == ["scenarios/价格.yaml"]


def test_neither_courses_nor_scenarios(app, tmp_path):
    message = refusal(make_zip({"photos/cat.jpg": b"\xff\xd8"}), tmp_path)
    assert "neither courses/ nor scenarios/" in message


def test_an_empty_zip(app, tmp_path):
    assert "empty" in refusal(make_zip({}), tmp_path)


# --- not a zip, damaged ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, not a zip", b"PK\x03\x04" + b"\x00" * 40, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100],
)
def test_not_a_zip(app, tmp_path, data):
    assert refusal(data, tmp_path) == "This is not a zip file, or the zip is damaged."


def test_a_truncated_zip(app, tmp_path):
    data = zip_of_folder(FIXTURE)
    assert "not a zip file" in refusal(data[: len(data) // 2], tmp_path)


def test_a_corrupt_entry(app, tmp_path):
    data = bytearray(make_zip({"scenarios/x.yaml": noise(5000)}, compression=zipfile.ZIP_STORED))
    start = data.index(b"scenarios/x.yaml") + len("scenarios/x.yaml") + 100
    data[start : start + 10] = b"!" * 10  # the CRC no longer matches
    message = refusal(bytes(data), tmp_path)
    assert message == "The zip is damaged: scenarios/x.yaml cannot be unpacked."


def test_a_header_that_understates_the_size_does_not_let_more_through(app, tmp_path):
    payload = noise(300_000)
    data = bytearray(make_zip({"scenarios/x.yaml": payload}, compression=zipfile.ZIP_STORED))
    # rewrite the uncompressed size in the local header and the central directory to 100 bytes
    size = len(payload).to_bytes(4, "little")
    assert data.count(size) >= 2
    data = bytes(data).replace(size, (100).to_bytes(4, "little"))
    refusal(data, tmp_path)
    assert not (tmp_path / "out/scenarios/x.yaml").exists() or (
        (tmp_path / "out/scenarios/x.yaml").stat().st_size <= 100
    )


def test_an_encrypted_entry(app, tmp_path):
    data = bytearray(make_zip({"scenarios/x.yaml": "id: x\n"}))
    # set the "encrypted" bit in the central directory's general purpose flags
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x01
    assert "encrypted" in refusal(bytes(data), tmp_path)


# --- zip bombs and sizes -----------------------------------------------------------------------


def test_a_zip_bomb_is_refused_while_unpacking(app, tmp_path):
    data = make_zip({"scenarios/bomb.yaml": b"0" * (50 * 1024 * 1024)})
    assert len(data) < 100_000
    message = refusal(data, tmp_path)
    assert "scenarios/bomb.yaml unpacks to more than 100 times its packed size" in message
    assert "zip bomb" in message
    written = tmp_path / "out/scenarios/bomb.yaml"
    assert not written.exists() or written.stat().st_size <= 1024 * 1024


def test_a_bomb_with_a_lying_header_is_still_refused(app, tmp_path):
    payload = b"0" * (20 * 1024 * 1024)
    data = make_zip({"scenarios/bomb.yaml": payload})
    data = data.replace(len(payload).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    refusal(data, tmp_path)
    written = tmp_path / "out/scenarios/bomb.yaml"
    assert not written.exists() or written.stat().st_size <= 1024 * 1024


def test_the_ratio_is_checked_on_the_bytes_unpacked(app, tmp_path, monkeypatch):
    # a header may claim anything: the limits hold on what actually comes out
    monkeypatch.setattr(
        archive,
        "_check_entry",
        lambda info: archive.Entry(info, tuple(info.filename.split("/")), False),
    )
    data = make_zip({"scenarios/bomb.yaml": b"0" * (4 * 1024 * 1024)})
    assert "zip bomb" in refusal(data, tmp_path)


def test_a_file_over_the_size_limit(app, tmp_path):
    data = make_zip({"scenarios/big.yaml": noise(archive.MAX_ENTRY_BYTES + 1)})
    assert refusal(data, tmp_path) == (
        "scenarios/big.yaml is larger than 2 MiB; content files must be smaller."
    )


def test_the_total_size_is_capped(app, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 1024 * 1024)
    data = make_zip({f"scenarios/s{index}.yaml": noise(400_000, index) for index in range(3)})
    assert refusal(data, tmp_path) == "The zip unpacks to more than 1 MiB."


def test_a_zip_over_the_upload_limit(app, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ZIP_BYTES", 1000)
    assert "larger than" in refusal(make_zip({"scenarios/x.yaml": noise(5000)}), tmp_path)


def test_too_many_files(app, tmp_path):
    entries = {f"scenarios/s{index}.yaml": "" for index in range(archive.MAX_ENTRIES + 1)}
    assert refusal(make_zip(entries), tmp_path) == "The zip holds more than 5000 files."


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("../evil.yaml", "leads outside its folder: ../evil.yaml"),
        ("scenarios/../../evil.yaml", "leads outside its folder"),
        ("courses/x/../../../etc/cron.d/evil", "leads outside its folder"),
        ("/etc/passwd", "absolute path: /etc/passwd"),
        ("C:/Windows/evil.yaml", "absolute path: C:/Windows/evil.yaml"),
        ("c:evil.yaml", "absolute path"),
        ("scenarios\\..\\..\\evil.yaml", "backslash"),
        ("scenarios/./x.yaml", "odd file name"),
        ("scenarios//x.yaml", "odd file name"),
        ("scenarios/x\x07.yaml", "control characters"),
        ("scenarios/x\n.yaml", "control characters"),
        ("/".join(["d"] * 12) + "/x.yaml", "too deep"),
    ],
)
def test_dangerous_names(app, tmp_path, name, fragment):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo("scenarios/ok.yaml"), "id: ok\n")
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # ZipInfo would normalise some of these; write them as given
        zf.writestr(info, "id: evil\n")
    message = refusal(buffer.getvalue(), tmp_path)
    assert fragment in message
    assert not (tmp_path / "evil.yaml").exists()
    assert files_under(tmp_path / "out") == []


def test_a_name_that_is_not_utf8(app, tmp_path):
    data = make_zip({"scenarios/XXXX.yaml": "id: x\n"}).replace(b"XXXX", b"\xff\xfe\xfd\xfc")
    assert "not UTF-8" in refusal(data, tmp_path)


def test_a_name_flagged_utf8_that_is_not(app, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("scenarios/价.yaml", "id: x\n")  # zipfile sets the UTF-8 flag
    data = buffer.getvalue().replace("价".encode(), b"\xff\xfe\xfd")
    assert "not UTF-8" in refusal(data, tmp_path)


def test_duplicate_names(app, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("scenarios/x.yaml", "id: x\n")
        with pytest.warns(UserWarning):
            zf.writestr("scenarios/x.yaml", "id: y\n")
    assert "same name twice: scenarios/x.yaml" in refusal(buffer.getvalue(), tmp_path)


def test_a_symbolic_link(app, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        link = zipfile.ZipInfo("scenarios/passwd.yaml")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("scenarios/ok.yaml", "id: ok\n")
    message = refusal(buffer.getvalue(), tmp_path)
    assert message == "The zip holds a symbolic link: scenarios/passwd.yaml"
    assert not os.path.lexists(tmp_path / "out/scenarios/passwd.yaml")


def test_a_device_file(app, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        fifo = zipfile.ZipInfo("scenarios/pipe.yaml")
        fifo.create_system = 3
        fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
        zf.writestr(fifo, "")
    assert "special file" in refusal(buffer.getvalue(), tmp_path)


def test_a_file_and_a_folder_of_the_same_name(app, tmp_path):
    data = make_zip({"scenarios/x.yaml": "id: x\n", "scenarios/x.yaml/y.yaml": "id: y\n"})
    assert "clashes" in refusal(data, tmp_path)


# --- the scratch folder ------------------------------------------------------------------------


def test_the_scratch_folder_is_removed_after_use_and_after_a_refusal(app):
    with extracted_zip(zip_of_folder(FIXTURE)) as (scratch, folders):
        assert folders == ("courses", "scenarios") and (scratch / "courses").is_dir()
    assert not scratch.exists()

    made = []
    real_mkdtemp = archive.tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        made.append(real_mkdtemp(*args, **kwargs))
        return made[-1]

    archive.tempfile.mkdtemp = recording_mkdtemp
    try:
        with pytest.raises(ArchiveError):
            with extracted_zip(make_zip({"../evil.yaml": "x"})):
                pass
    finally:
        archive.tempfile.mkdtemp = real_mkdtemp
    assert made and not Path(made[0]).exists()
