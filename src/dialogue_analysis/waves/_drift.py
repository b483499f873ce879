"""Schema drift between the survey configs of two waves (attributes, levels, questions)."""

from __future__ import annotations

import pandas as pd

from ..core.text import label_key
from ..ingest import raw_headers
from ..typology import split_multi

DRIFT_COLUMNS = ["kind", "item", "wave_a", "wave_b", "detail"]



def schema_drift(project_a, project_b, records_a=None, records_b=None, *,
                 headers_a=None, headers_b=None) -> pd.DataFrame:
    """Differences between the schemas of two waves, from their survey configs and raw headers.

    Parameters
    ----------
    project_a, project_b : Project
        The two waves' projects (:func:`~dialogue_analysis.ingest.load_project`).
    records_a, records_b : DataFrame, optional
        Their records, to list the category values observed in one wave only.
    headers_a, headers_b : list of str, optional
        Raw headers; read from the files (:func:`raw_headers`) when not given.

    Returns
    -------
    DataFrame
        ``kind, item, wave_a, wave_b, detail``; kinds: ``layout`` (file, sheet, header row,
        shape), ``attribute_new`` / ``attribute_missing``, ``column_renamed``,
        ``type_changed``, ``value_new`` / ``value_removed`` (declared values),
        ``spelling_new`` (new synonyms), ``question_new`` / ``question_missing`` /
        ``question_renamed``, ``raw_column_new`` / ``raw_column_missing``, ``column_order``,
        ``observed_value_new`` / ``observed_value_gone``.
    """
    sa, sb = project_a.survey, project_b.survey
    rows = []

    def add(kind, item, a, b, detail=""):
        rows.append((kind, item, "" if a is None else str(a), "" if b is None else str(b), detail))

    ta, tb = sa.tables[0], sb.tables[0]
    if sa.shape != sb.shape:
        add("layout", "shape", sa.shape, sb.shape)
    for key in ("label", "sheet", "header_row"):
        va, vb = getattr(ta, key), getattr(tb, key)
        if va != vb:
            add("layout", "file" if key == "label" else key, va, vb)
    if (sa.record_id or "") != (sb.record_id or "") and label_key(sa.record_id or "") != label_key(
            sb.record_id or ""):
        add("column_renamed", "record_id", sa.record_id, sb.record_id)
    attrs_a = {a.name: a for a in sa.attributes}
    attrs_b = {a.name: a for a in sb.attributes}
    for name, b in attrs_b.items():
        if name not in attrs_a:
            add("attribute_new", name, None, b.column, f"{b.type}: {', '.join(b.values)}")
    for name, a in attrs_a.items():
        if name not in attrs_b:
            add("attribute_missing", name, a.column, None, a.type)
            continue
        b = attrs_b[name]
        if label_key(a.column) != label_key(b.column):
            add("column_renamed", name, a.column, b.column)
        if a.type != b.type:
            add("type_changed", name, a.type, b.type)
        for v in b.values:
            if v not in a.values:
                add("value_new", name, None, v)
        for v in a.values:
            if v not in b.values:
                add("value_removed", name, v, None)
        written = _synonyms_as_written(project_b, name)
        for key, canonical in b.lookup.items():
            if key not in a.lookup and key != label_key(canonical):
                add("spelling_new", name, None, written.get(key, key), f"→ {canonical}")
    qa = {q.id: q for q in sa.questions}
    qb = {q.id: q for q in sb.questions}
    for qid, q in qb.items():
        if qid not in qa:
            add("question_new", qid, None, q.column or q.code, q.wording)
        elif label_key(qa[qid].column or qa[qid].code or "") != label_key(q.column or q.code or ""):
            add("question_renamed", qid, qa[qid].column or qa[qid].code, q.column or q.code)
    for qid, q in qa.items():
        if qid not in qb:
            add("question_missing", qid, q.column or q.code, None, q.wording)
    ha = headers_a if headers_a is not None else raw_headers(project_a)
    hb = headers_b if headers_b is not None else raw_headers(project_b)
    if ha is not None and hb is not None:
        fa, fb = [label_key(h) for h in ha], [label_key(h) for h in hb]
        for h, f in zip(hb, fb, strict=True):
            if f not in fa:
                add("raw_column_new", h, None, f"col {fb.index(f) + 1}")
        for h, f in zip(ha, fa, strict=True):
            if f not in fb:
                add("raw_column_missing", h, f"col {fa.index(f) + 1}", None)
        common_a = [f for f in fa if f in fb]
        common_b = [f for f in fb if f in fa]
        if common_a != common_b:
            moved = sum(1 for x, y in zip(common_a, common_b, strict=True) if x != y)
            add("column_order", "columns", None, None,
                f"{moved} of {len(common_a)} shared columns at another place")
    if records_a is not None and records_b is not None:
        for name, a in attrs_a.items():
            if name not in attrs_b or a.type not in ("categorical", "multi", "ordinal"):
                continue
            if name not in records_a or name not in records_b:
                continue
            oa, ob = _observed(records_a[name], a.type), _observed(records_b[name], a.type)
            for v in sorted(ob - oa):
                add("observed_value_new", name, None, v)
            for v in sorted(oa - ob):
                add("observed_value_gone", name, v, None)
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS)


def _synonyms_as_written(project, attribute: str) -> dict[str, str]:
    """The synonyms of an attribute as the analyst wrote them in the YAML (folded -> written)."""
    try:
        import yaml

        data = yaml.safe_load(project.config_path.read_text(encoding="utf-8-sig"))
        synonyms = data["attributes"][attribute].get("synonyms") or {}
        return {label_key(str(v)): str(v) for values in synonyms.values()
                for v in (values if isinstance(values, list) else [values])}
    except Exception:  # noqa: BLE001 - the folded form is shown instead
        return {}


def _observed(series: pd.Series, kind: str) -> set[str]:
    if kind == "multi":
        return {o for opts in split_multi(series) if opts for o in opts}
    return {str(v) for v in series.dropna()}

