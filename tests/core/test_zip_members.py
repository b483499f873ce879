"""Members of a zip archive read one at a time: the same names and bytes as zipfile reads."""

import os
import zipfile

import pytest

from dialogue_analysis.core.zip_members import zip_members


def _as_zipfile_reads(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.file_size, z.read(i)) for i in z.infolist()]


def _as_read_here(path):
    return [(m.name, m.file_size, m.read()) for m in zip_members(path)]


def test_stored_deflated_large_empty_and_accented_members(tmp_path):
    path = tmp_path / "a.zip"
    big = os.urandom(300_000) + "réponse répétée ".encode() * 50_000  # read in many pieces
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("stored.txt", b"tel 06 12 34 56 78", compress_type=zipfile.ZIP_STORED)
        z.writestr("sources/dé.txt", "Réponse accentuée".encode(), zipfile.ZIP_DEFLATED)
        z.writestr("empty.xml", b"", zipfile.ZIP_DEFLATED)
        with z.open("big.qde", "w") as f:  # written as a stream, as the project is
            f.write(big)
        z.comment = b"a comment after the end record"
    read = _as_read_here(path)
    assert read == _as_zipfile_reads(path)
    assert [n for n, _, _ in read] == ["stored.txt", "sources/dé.txt", "empty.xml", "big.qde"]
    assert read[3][2] == big
    for member, (_, _, data) in zip(zip_members(path), read, strict=True):
        with member.open() as stream:  # read as a stream, a piece at a time
            assert b"".join(iter(lambda s=stream: s.read(4096), b"")) == data


def test_an_archive_of_more_members_than_the_classic_format_counts(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(70_000):  # above 65,535: zip64 end records
            z.writestr(f"sources/{i:05d}.txt", f"réponse {i}")
    read = _as_read_here(path)
    assert len(read) == 70_000
    assert read[-1] == ("sources/69999.txt", len("réponse 69999".encode()),
                        "réponse 69999".encode())
    assert read == _as_zipfile_reads(path)


def test_another_compression_is_read_by_zipfile(tmp_path):
    path = tmp_path / "lzma.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("part.xml", b"<a>texte</a>" * 100, zipfile.ZIP_LZMA)
        z.writestr("next.xml", b"<b/>", zipfile.ZIP_DEFLATED)
    assert _as_read_here(path) == _as_zipfile_reads(path)


def test_members_come_as_the_directory_is_read(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(3):
            z.writestr(f"m{i}.txt", f"texte {i}")
    data = bytearray(path.read_bytes())
    last = data.rindex(b"PK\x01\x02")  # the last member's directory entry, damaged
    data[last:last + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    members = zip_members(path)
    assert [next(members).read() for _ in range(2)] == [b"texte 0", b"texte 1"]
    with pytest.raises(zipfile.BadZipFile, match="central directory"):
        next(members)


def test_damaged_data_and_a_file_that_is_no_archive_are_refused(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("m.txt", b"0612345678")
    data = bytearray(path.read_bytes())
    at = data.index(b"0612345678")
    data[at] = ord("9")
    path.write_bytes(bytes(data))
    (member,) = zip_members(path)
    with pytest.raises(zipfile.BadZipFile, match="m.txt: bad CRC"):
        member.read()
    with pytest.raises(zipfile.BadZipFile, match="m.txt: bad CRC"), member.open() as stream:
        stream.read()
    other = tmp_path / "b.xlsx"
    other.write_text("not an archive")
    with pytest.raises(zipfile.BadZipFile, match="b.xlsx"):
        list(zip_members(other))
