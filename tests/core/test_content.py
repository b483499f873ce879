"""The one framed hash behind every content key (stages kept, numbers kept, report reuse)."""

import hashlib

import numpy as np

from dialogue_analysis.core.content import framed_digest
from dialogue_analysis.core.kept import content_key


def test_parts_are_framed_so_that_regrouped_bytes_differ():
    assert framed_digest(["ab", "c"]) != framed_digest(["a", "bc"])
    assert framed_digest(["abc"]) != framed_digest(["abc", ""])


def test_text_and_its_utf8_bytes_hash_alike_and_the_framing_is_the_documented_one():
    assert framed_digest(["é", b"x"]) == framed_digest([b"\xc3\xa9", "x"])
    expected = hashlib.sha256(len(b"abc").to_bytes(8, "little") + b"abc").hexdigest()
    assert framed_digest(["abc"]) == expected


def test_content_key_follows_array_values_shapes_and_types(tmp_path):
    (tmp_path / "m.py").write_text("x = 1\n")
    a = np.arange(6, dtype="int64")
    key = content_key(tmp_path, a)
    assert key == content_key(tmp_path, a.copy())
    assert key != content_key(tmp_path, a.reshape(2, 3))
    assert key != content_key(tmp_path, a.astype("int32"))
    (tmp_path / "m.py").write_text("x = 2\n")
    assert key != content_key(tmp_path, a)
