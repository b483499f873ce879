"""Folders published together: a Ctrl-C during the swap waits for it to finish cleanly."""

import os
import signal

import pytest

from dialogue_analysis.core import storage
from dialogue_analysis.core.storage import staged_dirs


@pytest.fixture
def ctrl_c_raises():
    """Ctrl-C as in a terminal (a job started in the background ignores SIGINT)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_ctrl_c_during_the_swap_interrupts_after_it_with_no_trash_left(tmp_path, monkeypatch,
                                                                         ctrl_c_raises):
    final = tmp_path / "reports"
    final.mkdir()
    (final / "old.txt").write_text("old")
    real_rmtree = storage.shutil.rmtree
    sent = []

    def rmtree_hit_by_ctrl_c(path, *args, **kwargs):
        if str(path).endswith(".trash") and not sent:
            sent.append(path)
            os.kill(os.getpid(), signal.SIGINT)  # arrives while the old folder is being removed
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(storage.shutil, "rmtree", rmtree_hit_by_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        with staged_dirs([final]) as (stage,):
            (stage / "new.txt").write_text("new")
    assert sent, "the swap removed no trash folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]  # no .trash, no .staging
    assert [p.name for p in final.iterdir()] == ["new.txt"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
