"""An archive written member by member: what ``zipfile`` and the scan's reader read back."""

import zipfile

import pytest

from dialogue_analysis.core.zip_members import zip_members
from dialogue_analysis.core.zip_writer import ZipWriter


def _write(path, members, streamed=None):
    with ZipWriter(path) as zf:
        if streamed is not None:
            name, parts = streamed
            with zf.open(name) as stream:
                for part in parts:
                    stream.write(part)
        for name, data in members:
            zf.write(name, data)


def test_members_read_back_by_zipfile_and_by_the_scan_with_their_crc_checked(tmp_path):
    path = tmp_path / "project.qdpx"
    long_text = ("Le dossier CAF est en ligne et je n'ai pas d'ordinateur. " * 5000).encode()
    parts = [b"<?xml version='1.0'?>\n<Project>\n", long_text, b"</Project>\n"]
    members = [("sources/a.txt", "réponse accentuée".encode()), ("sources/vide.txt", b""),
               ("sources/é-nom.txt", b"x" * 100_000)]
    _write(path, members, streamed=("project.qde", parts))
    expected = {"project.qde": b"".join(parts), **dict(members)}
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every CRC checked
        assert archive.namelist() == list(expected)
        assert {n: archive.read(n) for n in archive.namelist()} == expected
        info = archive.getinfo("sources/é-nom.txt")
        assert info.flag_bits & 0x800 and info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size < 1000
        assert (archive.getinfo("sources/a.txt").external_attr >> 16) & 0o777 == 0o644
    assert {m.name: m.read() for m in zip_members(path)} == expected
    # the streamed member's headers are those of any member: version 2.0, no zip64 field
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("project.qde")
        assert (info.extract_version, info.extra) == (20, b"")
        assert info.file_size == len(expected["project.qde"])
    head = path.read_bytes()[:30]
    assert head[:4] == b"PK\x03\x04" and head[4] == 20 and head[28:30] == b"\x00\x00"


def test_the_same_members_give_the_same_bytes(tmp_path):
    members = [(f"sources/{i}.txt", f"réponse {i}".encode()) for i in range(50)]
    _write(tmp_path / "a.zip", members, streamed=("project.qde", [b"<Project/>"]))
    _write(tmp_path / "b.zip", members, streamed=("project.qde", [b"<Project/>"]))
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_more_than_65535_members_get_zip64_end_records(tmp_path):
    path = tmp_path / "big.zip"
    n = 70_000
    _write(path, ((f"s/{i:05d}.txt", str(i).encode()) for i in range(n)))
    assert b"PK\x06\x06" in path.read_bytes()[-200:]  # the zip64 end record
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert len(names) == n and names[-1] == "s/69999.txt"
        assert archive.read("s/65536.txt") == b"65536"
    members = list(zip_members(path))
    assert len(members) == n and members[66_000].read() == b"66000"


def test_nothing_is_written_while_a_member_is_streamed_and_no_temporary_file_remains(tmp_path):
    path = tmp_path / "p.zip"
    with ZipWriter(path) as zf:
        stream = zf.open("project.qde")
        stream.write(b"<Project>")
        with pytest.raises(ValueError, match="still being written"):
            zf.write("sources/a.txt", b"a")
        stream.close()
        zf.write("sources/a.txt", b"a")
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["project.qde", "sources/a.txt"]
    with pytest.raises(RuntimeError), ZipWriter(tmp_path / "failed.zip") as zf:
        zf.write("sources/a.txt", b"a")
        raise RuntimeError("the export failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failed.zip", "p.zip"]
