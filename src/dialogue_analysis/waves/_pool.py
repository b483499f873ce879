"""Pooling waves into one analysis (record ids made unique, a ``wave`` column).

The NLP stage caches its parse by text hash under ``<root>/data/processed/_nlp_cache/``, shared
by every wave of the project: a new wave parses only the texts not seen before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..analysis import Analysis, analyse_tables
from ._inputs import _code_matrix, _terms, wave_name

ID_SEPARATOR = "@"
# Pooling waves
# ----------------------------------------------------------------------------------------------


@dataclass
class PooledWaves:
    """Several waves as one: every table has a ``wave`` column (records) or key.

    ``record_id`` is made unique: an id already used by an earlier wave becomes
    ``<id>@<wave>`` (e.g. ``E18-012@sample-2019``); ``ids`` maps every pooled id to its wave and
    original id (``source_record_id``).
    """

    records: pd.DataFrame
    answers: pd.DataFrame
    code_matrix: pd.DataFrame
    terms: pd.DataFrame
    ids: pd.DataFrame
    waves: list[str] = field(default_factory=list)
    passages: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["record_id", "question_id", "code", "family", "start", "end", "evidence"]))

    @property
    def wave(self) -> str:
        return "+".join(self.waves)


def pool_waves(*waves, names: Sequence[str] | None = None) -> PooledWaves:
    """Stack several waves into one set of tables, with the wave as an attribute.

    Parameters
    ----------
    *waves
        Wave-like objects (an ``Analysis``, a ``Wave``...), in chronological order.
    names : sequence of str, optional
        Wave names (default: each wave's ``wave`` / ``name``).

    Returns
    -------
    PooledWaves
        Columns absent from a wave are NA in its rows; an ordinal attribute keeps its order
        (levels of later waves appended); code columns absent from a wave are 0. Each wave's
        own ``typology_group`` is left out: the numbers of two typologies are not comparable
        (assign to a reference, or analyse the pooled waves: :func:`analyse_pooled`).
    """
    names = list(names) if names is not None else [wave_name(w) for w in waves]
    if len(set(names)) != len(names):
        raise ValueError(f"wave names must differ: {names}")
    seen: set[str] = set()
    id_maps, records, answers, terms, matrices, passages = [], [], [], [], [], []
    for w, name in zip(waves, names, strict=True):
        ids = w.records["record_id"].astype(str)
        pooled = [f"{i}{ID_SEPARATOR}{name}" if i in seen else i for i in ids]
        seen.update(pooled)
        mapping = dict(zip(ids, pooled, strict=True))
        id_maps.append(pd.DataFrame({"record_id": pooled, "wave": name,
                                     "source_record_id": ids.to_numpy()}))
        rec = w.records.drop(columns=[c for c in ("wave", "typology_group")
                                      if c in w.records]).copy()
        rec["record_id"] = pooled
        rec.insert(1, "wave", name)
        records.append(rec)
        for table, out in ((getattr(w, "answers", None), answers), (_terms(w), terms),
                           (getattr(w, "passages", None), passages)):
            if table is not None and len(table):
                t = table.copy()
                t["record_id"] = t["record_id"].astype(str).map(mapping)
                t.insert(1, "wave", name)
                out.append(t)
        cm = _code_matrix(w)
        cm.index = pd.Index(pooled, name="record_id")
        matrices.append(cm)
    codes = list(dict.fromkeys(c for cm in matrices for c in cm.columns))
    code_matrix = pd.concat([cm.reindex(columns=codes) for cm in matrices])
    code_matrix = code_matrix.fillna(0).astype(int)
    return PooledWaves(
        records=_concat_records(records),
        answers=pd.concat(answers, ignore_index=True) if answers else
        pd.DataFrame(columns=["record_id", "wave", "question_id", "text"]),
        code_matrix=code_matrix,
        terms=pd.concat(terms, ignore_index=True) if terms else
        pd.DataFrame(columns=["record_id", "wave", "question_id", "terms"]),
        ids=pd.concat(id_maps, ignore_index=True),
        waves=names,
        **({"passages": pd.concat(passages, ignore_index=True)} if passages else {}),
    )


def analyse_pooled(*waves, names: Sequence[str] | None = None, settings: dict | None = None):
    """Analyse several waves as one (typology, characterisation, cross tables, findings).

    The waves are pooled (:func:`pool_waves`) and analysed by
    :func:`~dialogue_analysis.analysis.analyse_tables` with the first wave's settings and
    codebook (override with ``settings``). The typology is built on the profile, codes and
    words, not on the wave, so that a group can gather people of both waves; the ``wave``
    column of ``records`` then tells how each group's mix changed, e.g.
    ``pd.crosstab(a.records["typology_group"], a.records["wave"])``.

    Returns
    -------
    Analysis
        Named ``"<wave A>+<wave B>"``; ``records`` has the ``wave`` column and unique ids.
    """
    pooled = pool_waves(*waves, names=names)
    first = waves[0]
    settings = {**(getattr(first, "settings", None) or {}), **(settings or {})}
    codebook = getattr(first, "codebook", None)
    codebook = Analysis().codebook if codebook is None else codebook
    declared = [getattr(w, "attributes", None) for w in waves]
    declared = [d for d in declared if d is not None and len(d)]
    attributes = (pd.concat(declared, ignore_index=True).drop_duplicates("attribute")
                  if declared else None)
    answers = pooled.answers.loc[:, ["record_id", "question_id", "text"]]
    terms = pooled.terms.drop(columns=["wave"])
    tables, params = analyse_tables(pooled.records, answers, terms, pooled.passages,
                                    pooled.code_matrix, codebook, settings=settings,
                                    attributes=attributes)
    extra = {"attributes": attributes} if attributes is not None else {}
    questions = getattr(first, "questions", None)
    if questions is not None:
        extra["questions"] = questions
    return Analysis(wave=pooled.wave, settings=settings,
                    manifest={"pooled": pooled.waves, "stages": params}, **extra, **tables)


def _concat_records(parts: list[pd.DataFrame]) -> pd.DataFrame:
    columns = list(dict.fromkeys(c for p in parts for c in p.columns))
    out = {}
    for col in columns:
        series = [p[col] if col in p else pd.Series(pd.NA, index=p.index) for p in parts]
        cats = [s.dtype for s in series if isinstance(s.dtype, pd.CategoricalDtype)]
        if cats and any(c.ordered for c in cats):
            levels = list(dict.fromkeys(v for c in cats for v in c.categories))
            series = [pd.Series(pd.Categorical(s.astype(object).where(s.notna(), None),
                                               categories=levels, ordered=True), index=s.index)
                      for s in series]
            out[col] = pd.concat(series, ignore_index=True)
        elif cats:
            out[col] = pd.concat([s.astype(object) for s in series], ignore_index=True)
            out[col] = out[col].astype("str").where(out[col].notna(), pd.NA)
        else:
            out[col] = pd.concat([s for s in series], ignore_index=True)
    return pd.DataFrame(out)


