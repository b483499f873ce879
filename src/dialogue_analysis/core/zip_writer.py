"""A zip archive written member by member, its directory kept on disk until the end.

``zipfile.ZipFile`` keeps an object per member until it closes, to write the archive's central
directory from them (about 450 bytes each): a national consultation's REFI-QDA project holds a
source file per answer, 130 MB at 300,000 answers. Here each member's directory entry is
written to a temporary file beside the archive as soon as the member is, and copied to the
archive's end when it closes. Members are deflated and dated 1980-01-01 (the same bytes on
every run); zip64 records are written where the format needs them (more than 65,535 members, a
size or an offset beyond 4 GiB), and nowhere else. :mod:`.zip_members` reads such archives back the same way.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import tempfile
import zlib
from pathlib import Path

from .zip_members import _CENTRAL, _END, _END64, _END64_LOCATOR, _LOCAL, _UTF8_NAME, _ZIP64_EXTRA

__all__ = ["ZipWriter"]

_DEFLATED = 8
_DOS_DATE, _DOS_TIME = (0 << 9) | (1 << 5) | 1, 0  # 1980-01-01 00:00, the format's first day
_UNIX, _REGULAR_FILE = 3, 0o100644 << 16  # made on a Unix system, rw-r--r--
_VERSION, _VERSION64 = 20, 45  # deflate; zip64
_LIMIT = 0xFFFFFFFF  # a size or offset at or beyond it is in a zip64 field
_MEMBERS_LIMIT = 0xFFFF


class ZipWriter:
    """Write the archive at ``path`` (replaced) a member at a time; use as a context manager.

    ``write(name, data)`` adds a member whose bytes are at hand; ``open(name)`` returns a
    stream for one written as it is made, deflated into a temporary file until it is closed
    (at most one open at a time, nothing else written meanwhile). Leaving the ``with`` block on an error leaves the archive unfinished: write it
    under a temporary name (``core.storage.atomic_path``).
    """

    def __init__(self, path: str | os.PathLike):
        path = Path(path)
        self._out = path.open("wb")
        self._directory = tempfile.TemporaryFile(prefix=f".{path.name}.", dir=path.parent)
        self._count = 0
        self._streaming = False

    def write(self, name: str, data: bytes) -> None:
        """Add the member ``name`` holding ``data``."""
        self._check_free()
        packer = _packer()
        packed = packer.compress(data) + packer.flush()
        self._member(name, zlib.crc32(data), len(data), len(packed), [packed])

    def _member(self, name: str, crc: int, usize: int, csize: int, packed) -> None:
        """Write a member's local header and its deflated bytes (``packed``: an iterable of
        bytes), and keep its directory entry."""
        offset = self._out.tell()
        raw_name, flags = _name(name)
        zip64 = max(usize, csize, offset) >= _LIMIT
        extra = _zip64_extra(usize, csize) if zip64 else b""
        self._out.write(_LOCAL.pack(
            b"PK\x03\x04", _VERSION64 if zip64 else _VERSION, 0, flags, _DEFLATED, _DOS_TIME,
            _DOS_DATE, crc, *((_LIMIT, _LIMIT) if zip64 else (csize, usize)),
            len(raw_name), len(extra)))
        self._out.write(raw_name + extra)
        for block in packed:
            self._out.write(block)
        self._entry(raw_name, flags, crc, csize, usize, offset)

    def open(self, name: str) -> io.BufferedIOBase:
        """A stream that adds the member ``name`` with what is written to it (closed: done)."""
        self._check_free()
        self._streaming = True
        return io.BufferedWriter(_MemberStream(self, name), 1 << 16)

    def _check_free(self) -> None:
        if self._streaming:
            raise ValueError("a member of the archive is still being written")

    def _entry(self, raw_name: bytes, flags: int, crc: int, csize: int, usize: int,
               offset: int) -> None:
        """The member's central directory entry, kept in the temporary file."""
        big = [v for v in (usize, csize, offset) if v >= _LIMIT]
        extra = struct.pack(f"<2H{len(big)}Q", _ZIP64_EXTRA, 8 * len(big), *big) if big else b""
        version = _VERSION64 if big else _VERSION
        self._directory.write(_CENTRAL.pack(
            b"PK\x01\x02", version, _UNIX, version, 0, flags, _DEFLATED, _DOS_TIME, _DOS_DATE,
            crc, min(csize, _LIMIT), min(usize, _LIMIT), len(raw_name), len(extra), 0, 0, 0,
            _REGULAR_FILE, min(offset, _LIMIT)))
        self._directory.write(raw_name + extra)
        self._count += 1

    def close(self) -> None:
        """Write the central directory and the end records, and close the archive."""
        if self._out.closed:
            return
        try:
            self._check_free()
            start = self._out.tell()
            self._directory.seek(0)
            shutil.copyfileobj(self._directory, self._out, 1 << 20)
            size = self._out.tell() - start
            if self._count >= _MEMBERS_LIMIT or size >= _LIMIT or start >= _LIMIT:
                end64 = self._out.tell()
                self._out.write(_END64.pack(b"PK\x06\x06", _END64.size - 12, _VERSION64,
                                            _VERSION64, 0, 0, self._count, self._count, size,
                                            start))
                self._out.write(_END64_LOCATOR.pack(b"PK\x06\x07", 0, end64, 1))
            count = min(self._count, _MEMBERS_LIMIT)
            self._out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, min(size, _LIMIT),
                                      min(start, _LIMIT), 0))
        finally:
            self._abandon()

    def _abandon(self) -> None:
        self._directory.close()
        self._out.close()

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(self, exc_type, *exc) -> bool:
        if exc_type is None:
            self.close()
        else:
            self._abandon()
        return False


class _MemberStream(io.RawIOBase):
    """A member written as it is made: deflated into a temporary file beside the archive, and
    added whole once closed (its sizes and CRC then known, its headers those of any member)."""

    def __init__(self, archive: ZipWriter, name: str):
        self.archive, self.name = archive, name
        out = Path(archive._out.name)
        self.spool = tempfile.TemporaryFile(prefix=f".{out.name}.", dir=out.parent)
        self.packer = _packer()
        self.crc = self.usize = self.csize = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = memoryview(data).cast("B")
        self.crc = zlib.crc32(data, self.crc)
        self.usize += len(data)
        self._put(self.packer.compress(data))
        return len(data)

    def _put(self, packed: bytes) -> None:
        self.spool.write(packed)
        self.csize += len(packed)

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        try:
            self._put(self.packer.flush())
            self.spool.seek(0)
            self.archive._streaming = False
            self.archive._member(self.name, self.crc, self.usize, self.csize,
                                 iter(lambda: self.spool.read(1 << 20), b""))
        finally:
            self.spool.close()


def _packer():
    """A raw deflate compressor, as ``zipfile`` makes one for a deflated member."""
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)


def _name(name: str) -> tuple[bytes, int]:
    """A member's name as written, and the flag saying it is UTF-8 (when not ASCII)."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


def _zip64_extra(usize: int, csize: int) -> bytes:
    """A local header's zip64 extra field: the member's sizes."""
    return struct.pack("<2H2Q", _ZIP64_EXTRA, 16, usize, csize)
