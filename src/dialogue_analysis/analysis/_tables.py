"""The analysis contract: :class:`Analysis`, every table of a wave the reports are built from.

Every number a report shows is a cell of one of these tables: the report only formats them.
:func:`~dialogue_analysis.analysis.load_analysis` reads them back without recomputing anything
(no spaCy model is loaded), which is what notebooks and the report writers use.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..core.i18n import Words

if TYPE_CHECKING:  # the typology is imported only by the stages that fit one
    pass


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
    theme_k_evidence: pd.DataFrame = field(default_factory=lambda: _empty(
        "k", "stability", "coherence", "largest_share", "within_share", "chosen"))
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

    def __getattr__(self, name: str):
        # a table of a saved analysis not read yet (:func:`~._store.read_analysis_dir`): read
        # now, once. Only asked for when the attribute is not set, so a table read or assigned
        # is never read again.
        unread = self.__dict__.get("_unread") or {}
        if name in unread:
            value = unread[name]()
            object.__setattr__(self, name, value)
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def columns(self, table: str, *names: str) -> pd.DataFrame:
        """Columns ``names`` of ``table``; from the saved file alone when the table has not
        been read yet, so that a notebook counting the answers per question does not read
        every text of a national consultation."""
        unread = self.__dict__.get("_unread") or {}
        if table not in self.__dict__ and table in unread:
            return unread[table](columns=list(names))
        return getattr(self, table).loc[:, list(names)]

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
        return code_labels(self.codebook, language or self.language).get(code, str(code))

    def code_labels(self, language: str | None = None) -> dict[str, str]:
        return code_labels(self.codebook, language or self.language)

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


def code_labels(codebook: pd.DataFrame | None, language: str = "fr") -> dict[str, str]:
    """code -> label in ``language`` (``label_en`` or ``label_fr``); the French label, else the
    code, where that label is missing."""
    if codebook is None or len(codebook) == 0 or "code" not in codebook:
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



