"""The members of a zip archive read one at a time, the archive's directory never held whole.

``zipfile.ZipFile`` reads the whole central directory when it opens an archive and keeps an
object per member (about 550 bytes each): a national consultation's REFI-QDA project holds one
source file per answer, so reading it back for the publication scan took 165 MB at 300,000
answers before the first member was read. Here the directory is read entry by entry as the
members are read. Stored and deflated members (what ``zipfile``, openpyxl, python-docx and
python-pptx write) are read here, with their CRC checked; any other compression method is left
to ``zipfile``.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# the records of the zip format (PKWARE's APPNOTE.TXT), little-endian
_END = struct.Struct("<4s4H2LH")  # end of central directory
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # a member's central directory entry
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # a member's local header
_ZIP64_EXTRA = 0x0001
_UTF8_NAME = 0x800
_ENCRYPTED = 0x1
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_READ = 1 << 16


@dataclass(frozen=True)
class Member:
    """One member of an archive: its name, its size once read, and where its data lie."""

    path: Path
    name: str
    file_size: int
    compress_size: int
    compress_type: int
    crc: int
    header_offset: int
    flags: int

    @property
    def _read_here(self) -> bool:
        return self.compress_type in (_STORED, _DEFLATED) and not self.flags & _ENCRYPTED

    def open(self) -> BinaryIO:
        """The member's bytes as a stream (decompressed, checked against its CRC)."""
        if not self._read_here:
            return io.BytesIO(self.read())
        return io.BufferedReader(_MemberStream(self), _READ)

    def read(self) -> bytes:
        """The member's bytes at once (a small member: no stream to set up)."""
        if not self._read_here:
            with zipfile.ZipFile(self.path) as archive:  # rare: read whole by zipfile
                return archive.read(self.name)
        with self.path.open("rb") as f:
            _at_data(f, self)
            raw = f.read(self.compress_size)
        if len(raw) < self.compress_size:
            raise zipfile.BadZipFile(f"{self.path}: {self.name}: truncated")
        data = zlib.decompress(raw, -15) if self.compress_type == _DEFLATED else raw
        if zlib.crc32(data) != self.crc or len(data) != self.file_size:
            raise zipfile.BadZipFile(f"{self.path}: {self.name}: bad CRC or size")
        return data


def zip_members(path: str | os.PathLike) -> Iterator[Member]:
    """The members of the archive at ``path``, in the order of its central directory (that of
    ``zipfile.ZipFile.infolist()``); raises ``zipfile.BadZipFile`` on a damaged archive."""
    path = Path(path)
    with path.open("rb") as f:
        count, size, offset = _directory(f)
        f.seek(offset)
        directory = io.BufferedReader(_Bounded(f, size), _READ)
        for _ in range(count):
            yield _member(path, directory)


def _directory(f: BinaryIO) -> tuple[int, int, int]:
    """``(members, size, offset)`` of the central directory, from the end records."""
    f.seek(0, io.SEEK_END)
    length = f.tell()
    tail_start = max(0, length - _END.size - 0xFFFF)  # the end record, then a comment
    f.seek(tail_start)
    tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        raise zipfile.BadZipFile(f"{f.name}: not a zip archive (no end of central directory)")
    _, _, _, _, count, size, offset, _ = _END.unpack_from(tail, at)
    if count == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        locator = at - _END64_LOCATOR.size
        sig, _, end64, _ = _END64_LOCATOR.unpack_from(tail, locator) if locator >= 0 else (
            b"", 0, 0, 0)
        if sig != b"PK\x06\x07":
            raise zipfile.BadZipFile(f"{f.name}: zip64 end record not found")
        f.seek(end64)
        record = f.read(_END64.size)
        if len(record) < _END64.size or record[:4] != b"PK\x06\x06":
            raise zipfile.BadZipFile(f"{f.name}: zip64 end record damaged")
        count, size, offset = _END64.unpack(record)[7:10]
    return count, size, offset


def _member(path: Path, directory: BinaryIO) -> Member:
    head = directory.read(_CENTRAL.size)
    if len(head) < _CENTRAL.size or head[:4] != b"PK\x01\x02":
        raise zipfile.BadZipFile(f"{path}: central directory damaged")
    (_, _, _, _, _, flags, method, _, _, crc, csize, usize, name_len, extra_len, comment_len,
     _, _, _, offset) = _CENTRAL.unpack(head)
    raw_name = directory.read(name_len)
    extra = directory.read(extra_len)
    directory.read(comment_len)
    name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437")
    usize, csize, offset = _zip64_sizes(extra, usize, csize, offset)
    return Member(path, name, usize, csize, method, crc, offset, flags)


def _zip64_sizes(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    """The sizes and offset the zip64 extra field gives for those marked 0xFFFFFFFF."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, at)
        if kind == _ZIP64_EXTRA:
            values = iter(struct.unpack_from(f"<{length // 8}Q", extra, at + 4))
            if usize == 0xFFFFFFFF:
                usize = next(values)
            if csize == 0xFFFFFFFF:
                csize = next(values)
            if offset == 0xFFFFFFFF:
                offset = next(values)
            break
        at += 4 + length
    return usize, csize, offset


def _at_data(f: BinaryIO, member: Member) -> None:
    """Move ``f`` past ``member``'s local header, to its data."""
    f.seek(member.header_offset)
    head = f.read(_LOCAL.size)
    if len(head) < _LOCAL.size or head[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{member.path}: {member.name}: local header damaged")
    name_len, extra_len = _LOCAL.unpack(head)[10:12]
    f.seek(name_len + extra_len, io.SEEK_CUR)


class _Bounded(io.RawIOBase):
    """At most ``size`` bytes of ``f`` from where it stands."""

    def __init__(self, f: BinaryIO, size: int):
        self.f, self.left = f, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.f.read(min(len(buffer), self.left))
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)


class _MemberStream(io.RawIOBase):
    """A stored or deflated member's bytes, read from its local header on."""

    def __init__(self, member: Member):
        self.member = member
        self.f = member.path.open("rb")
        try:
            _at_data(self.f, member)
        except zipfile.BadZipFile:
            self.f.close()
            raise
        self.left = member.compress_size
        self.inflate = zlib.decompressobj(-15) if member.compress_type == _DEFLATED else None
        self.pending, self.crc, self.size = b"", 0, 0

    def readable(self) -> bool:
        return True

    def _more(self) -> bytes:
        """The member's next bytes, b"" at its end."""
        while self.left:
            data = self.f.read(min(_READ, self.left))
            if not data:
                raise zipfile.BadZipFile(f"{self.member.path}: {self.member.name}: truncated")
            self.left -= len(data)
            out = self.inflate.decompress(data) if self.inflate else data
            if out:
                return out
        return self.inflate.flush() if self.inflate else b""

    def readinto(self, buffer) -> int:
        if not self.pending:
            self.pending = self._more()
        n = min(len(buffer), len(self.pending))
        chunk, self.pending = self.pending[:n], self.pending[n:]
        buffer[:n] = chunk
        self.crc, self.size = zlib.crc32(chunk, self.crc), self.size + n
        if n == 0 and (self.crc != self.member.crc or self.size != self.member.file_size):
            raise zipfile.BadZipFile(f"{self.member.path}: {self.member.name}: bad CRC or size")
        return n

    def close(self) -> None:
        self.f.close()
        super().close()
