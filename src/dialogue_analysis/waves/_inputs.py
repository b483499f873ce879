"""Wave-like inputs: anything with the tables of an Analysis.

A wave has ``wave`` (its name), ``records`` (``record_id`` + attributes, optionally
``typology_group``), ``code_matrix`` (0/1, index ``record_id``), ``terms`` and ``answers``;
``codebook``, ``attributes`` (declared types), ``groups`` (typology labels) and ``settings`` are
used when present. An ``Analysis`` read back by :func:`~dialogue_analysis.analysis.load_analysis`
fits.
"""

from __future__ import annotations

import pandas as pd

HELPER_COLUMNS = ("typology_group", "wave", "source_record_id")




def wave_name(wave) -> str:
    """Name of a wave-like object (``wave`` or ``name`` attribute)."""
    return str(getattr(wave, "wave", None) or getattr(wave, "name", None) or "?")


def profile_records(records: pd.DataFrame) -> pd.DataFrame:
    """Records without the columns added by the toolkit (typology group, wave, source id)."""
    return records.drop(columns=[c for c in HELPER_COLUMNS if c in records.columns])


def _code_matrix(wave) -> pd.DataFrame:
    cm = getattr(wave, "code_matrix", None)
    if cm is None or (isinstance(cm, pd.DataFrame) and cm.shape[1] == 0):
        return pd.DataFrame(index=pd.Index(wave.records["record_id"].astype(str), name="record_id"))
    cm = cm.copy()
    cm.index = cm.index.astype(str)
    cm.index.name = "record_id"
    return cm.reindex(wave.records["record_id"].astype(str)).fillna(0).astype(int)


def _terms(wave):
    terms = getattr(wave, "terms", None)
    return None if terms is None or len(terms) == 0 else terms


def _group_labels(wave) -> dict[int, str]:
    groups = getattr(wave, "groups", None)
    if groups is None or len(groups) == 0 or "label" not in groups:
        return {}
    return {int(g): str(lab) for g, lab in zip(groups["group"], groups["label"], strict=True)
            if pd.notna(g)}


