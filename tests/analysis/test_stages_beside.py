"""The themes found in a process of their own beside the typology and the stages after it."""

import pandas as pd
import pytest

from dialogue_analysis.analysis._run import analyse_tables
from dialogue_analysis.core import StageTimer
from tests.synthetic import CODES, make_wave


def _inputs():
    w = make_wave(160, 4, seed=3)
    codebook = pd.DataFrame({"code": CODES, "family": [c.split(".")[0] for c in CODES],
                             "label_fr": CODES, "label_en": CODES})
    first = w.answers.drop_duplicates("record_id").set_index("record_id")["text"]
    passages = pd.DataFrame(
        [{"record_id": rid, "question_id": "q1", "code": c, "family": c.split(".")[0],
          "start": 0, "end": len(first[rid]), "evidence": first[rid]}
         for rid, row in w.code_matrix.iterrows() for c in CODES if row[c]])
    settings = {"seed": 0, "n_clusters": "auto", "k_range": [2, 5], "min_cell_count": 5}
    return (w.records, w.answers, w.terms, passages, w.code_matrix, codebook), settings


def test_the_themes_are_those_found_in_this_process():
    from dialogue_analysis.themes import find_themes

    tables, settings = _inputs()
    seen = []
    timer = StageTimer(lambda stage, secs: seen.append((stage, secs is None)))
    out, params = analyse_tables(*tables, settings=settings, timer=timer)
    here = find_themes(tables[2], tables[1], n_themes="auto", min_df=3, max_df=0.5,
                       random_state=0)
    pd.testing.assert_frame_equal(out["themes"], here.summary)
    pd.testing.assert_frame_equal(out["theme_assignments"], here.assignments)
    pd.testing.assert_frame_equal(out["theme_quotes"], here.quotes)
    assert params["themes"]["n_themes_"] == len(here.summary)
    # reported as a stage: started first, its CPU counted in it alone
    assert seen[0] == ("themes", True) and ("themes", False) in seen
    assert timer.usage["themes"]["cpu_seconds"] > 0 and timer.timings["themes"] > 0
    again, _ = analyse_tables(*tables, settings=settings, timer=StageTimer())
    for name in ("themes", "theme_assignments", "groups", "findings"):
        pd.testing.assert_frame_equal(again[name], out[name])


@pytest.mark.parametrize(("module", "name"), [
    ("dialogue_analysis.themes", "find_themes"),  # in the themes' process
    ("dialogue_analysis.typology", "typology_from_settings"),  # beside it, which ends it
])
def test_a_failure_on_either_side_fails_the_analysis_and_ends_the_themes(monkeypatch, module,
                                                                          name):
    import importlib
    import multiprocessing

    def broken(*args, **kwargs):
        raise RuntimeError(f"{name} is broken")

    monkeypatch.setattr(importlib.import_module(module), name, broken)
    tables, settings = _inputs()
    with pytest.raises(RuntimeError, match=f"{name} is broken"):
        analyse_tables(*tables, settings=settings)
    assert not multiprocessing.active_children()  # the themes' process has ended
