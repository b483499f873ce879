"""Per-record feature blocks for the typology: profile, coded families, text.

Each record is described by blocks the analyst can switch on and weight:

``"profile"``
    The attributes of the interviewee. Categorical -> one indicator column per category;
    multi-select -> one indicator per option; ordinal -> level rank scaled to [0, 1];
    numeric -> min-max scaled to [0, 1]. Every attribute is first scaled to unit total variance
    so that a 13-level ``region`` does not outweigh a 3-level ``territory`` by its number of
    columns alone (this is what MCA does implicitly).
one block per code family (``"need"``, ``"barrier"``, ``"service"``, ``"channel"``, ...)
    The 0/1 columns of the code matrix whose name starts with ``<family>.``.
``"text"``
    TF-IDF of the record's ``terms`` (all answers joined), reduced by a truncated SVD with a
    fixed ``random_state`` (latent semantic analysis).

Block weighting follows multiple factor analysis: each centred block is divided by the square
root of its total inertia (``scaling="inertia"``, every block then has unit total variance) or
of its first eigenvalue (``scaling="mfa"``, Escofier & Pagès), so that no block dominates by its
number of columns. The analyst's weight then multiplies the block's *inertia*: a block of weight
2 counts twice as much as a block of weight 1 in the squared distances between records (its
columns are multiplied by ``sqrt(2)``).

Missing values (``NA``) and categories unseen at fit time are imputed by the column mean, which
is the centre of the cloud: a missing answer pulls the record towards no group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from ..themes import join_terms

ATTRIBUTE_TYPES = ("categorical", "ordinal", "multi", "numeric")
NOT_ATTRIBUTES = {"record_id", "wave", "date"}
MULTI_SEPARATOR = "|"


def code_family(code):
    """Family of a code id: the part before the first dot (``"need.cost"`` -> ``"need"``).

    A code without a dot belongs to the family ``"code"`` (one block for all such codes,
    rather than one block per code).
    """
    code = str(code)
    return code.split(".", 1)[0] if "." in code else "code"


def infer_attribute_types(records, columns=None):
    """Guess the type of each attribute column from its dtype.

    Ordered Categorical -> ``"ordinal"``; other Categorical -> ``"categorical"``; numbers ->
    ``"numeric"``; text containing ``"|"`` -> ``"multi"``; other text -> ``"categorical"``.
    ``record_id``, ``wave``, ``date``, datetimes, booleans are skipped, and so is text with more
    than 50 distinct values (identifiers, free text), unless named in ``columns``.

    Parameters
    ----------
    records : DataFrame
    columns : list of str, optional
        Columns to type; all of them by default.

    Returns
    -------
    dict
        column -> type, in column order.
    """
    explicit = columns is not None
    columns = list(records.columns) if columns is None else list(columns)
    types = {}
    for col in columns:
        s = records[col]
        if not explicit and (col in NOT_ATTRIBUTES or pd.api.types.is_datetime64_any_dtype(s)):
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            types[col] = "ordinal" if s.dtype.ordered else "categorical"
        elif pd.api.types.is_bool_dtype(s):
            if explicit:
                types[col] = "categorical"
        elif pd.api.types.is_numeric_dtype(s):
            types[col] = "numeric"
        else:
            values = s.dropna().astype(str)
            if not explicit and values.nunique() > 50:
                continue
            types[col] = (
                "multi"
                if values.str.contains(MULTI_SEPARATOR, regex=False).any()
                else ("categorical")
            )
    return types


def split_multi(series):
    """Options of a multi-select column as lists (``NA`` stays ``None``, ``""`` is ``[]``)."""
    return [None if pd.isna(v) else [o for o in str(v).split(MULTI_SEPARATOR) if o] for v in series]


class FeatureBuilder(BaseEstimator):
    """Build weighted per-record feature blocks (scikit-learn style transformer).

    Parameters
    ----------
    attributes : dict or list, optional
        Profile attributes: ``{column: type}`` with type in ``categorical, ordinal, multi,
        numeric``, or a list of columns whose type is inferred from the dtype
        (:func:`infer_attribute_types`); all attribute columns by default.
    families : list of str, optional
        Code families to use as blocks; every family of the code matrix by default.
    blocks : list of str, optional
        Blocks to switch on among ``"profile"``, the families and ``"text"``; all by default.
    weights : dict, optional
        ``{block: weight}``; 1 for blocks not named. Multiplies the block's share of inertia.
    scaling : {"inertia", "mfa"}
        Divide each centred block by sqrt of its total inertia, or of its first eigenvalue.
    n_text_components : int
        Dimensions kept by the SVD of the TF-IDF matrix.
    min_df : int
        Terms used by fewer records are ignored in the text block.
    random_state : int
        Seed of the randomized SVD.

    Attributes
    ----------
    attribute_types_ : dict
    blocks_ : dict
        block -> list of its feature columns (in output order).
    block_scale_ : dict
        block -> factor applied after centring (normalisation times sqrt(weight)).
    feature_names_out_ : list of str
    """

    def __init__(
        self,
        attributes=None,
        families=None,
        blocks=None,
        weights=None,
        scaling="inertia",
        n_text_components=20,
        min_df=2,
        random_state=0,
    ):
        self.attributes = attributes
        self.families = families
        self.blocks = blocks
        self.weights = weights
        self.scaling = scaling
        self.n_text_components = n_text_components
        self.min_df = min_df
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, records, code_matrix=None, terms=None):
        """Learn categories, text model, means and block scales; returns self."""
        self._fit(records, code_matrix, terms)
        return self

    def fit_transform(self, records, code_matrix=None, terms=None):
        """Fit, then return the features of the same records."""
        return self._fit(records, code_matrix, terms)

    def _fit(self, records, code_matrix, terms):
        if self.scaling not in ("inertia", "mfa"):
            raise ValueError(f"unknown scaling {self.scaling!r}: use 'inertia' or 'mfa'")
        on = None if self.blocks is None else set(self.blocks)
        self.attribute_types_ = {}
        if on is None or "profile" in on:
            self.attribute_types_ = self._attribute_types(records)
        self.levels_ = {}
        for col, kind in self.attribute_types_.items():
            self.levels_[col] = attribute_levels(records[col], kind)

        self.code_columns_ = {}
        if code_matrix is not None:
            fams = self.families
            for code in code_matrix.columns:
                fam = code_family(code)
                if (fams is None or fam in fams) and (on is None or fam in on):
                    self.code_columns_.setdefault(fam, []).append(str(code))

        self.vectorizer_ = self.svd_ = None
        if terms is not None and (on is None or "text" in on):
            self._fit_text(records, terms)

        raw, groups = self._raw(records, code_matrix, terms)
        self.means_ = raw.mean(axis=0).fillna(0.0)
        centred = raw.fillna(self.means_) - self.means_
        # Attribute-level scaling inside the profile block (see module notes).
        col_scale = pd.Series(1.0, index=raw.columns)
        for cols in groups.values():
            col_scale[cols] = _inverse_sqrt(centred[cols].var(axis=0, ddof=0).sum())
        centred = centred * col_scale
        self.blocks_, self.block_scale_ = {}, {}
        weights = self.weights or {}
        for block, cols in self._block_columns(groups).items():
            part = centred[cols].to_numpy()
            if self.scaling == "inertia":
                inertia = part.var(axis=0).sum()
            else:
                inertia = np.linalg.svd(part / np.sqrt(len(part)), compute_uv=False)[0] ** 2
            weight = float(weights.get(block, 1.0))
            if inertia <= 1e-12 or weight <= 0:
                continue  # a constant block carries no information
            self.blocks_[block] = cols
            self.block_scale_[block] = np.sqrt(weight / inertia)
            col_scale[cols] *= self.block_scale_[block]
        self.feature_names_out_ = [c for cols in self.blocks_.values() for c in cols]
        if not self.feature_names_out_:
            raise ValueError("no feature block with any variance: check attributes and blocks")
        self.col_scale_ = col_scale[self.feature_names_out_]
        return (centred[self.feature_names_out_] * self.block_scale_series()).astype(float)

    def block_scale_series(self):
        """Per-column block factor, aligned on ``feature_names_out_``."""
        return pd.Series(
            {c: self.block_scale_[b] for b, cols in self.blocks_.items() for c in cols}
        )

    def _attribute_types(self, records):
        if isinstance(self.attributes, dict):
            types = dict(self.attributes)
            bad = {c: t for c, t in types.items() if t not in ATTRIBUTE_TYPES}
            if bad:
                raise ValueError(f"unknown attribute types {bad}; use one of {ATTRIBUTE_TYPES}")
            missing = [c for c in types if c not in records.columns]
            if missing:
                raise KeyError(f"attributes not in records: {missing}")
            return types
        return infer_attribute_types(records, self.attributes)

    def _fit_text(self, records, terms):
        docs = self._documents(records, terms)
        vectorizer = TfidfVectorizer(
            analyzer=str.split, lowercase=False, min_df=self.min_df, sublinear_tf=True
        )
        try:
            tfidf = vectorizer.fit_transform(docs)
        except ValueError:  # empty vocabulary
            return
        n_comp = min(self.n_text_components, tfidf.shape[1] - 1, tfidf.shape[0] - 1)
        if n_comp < 1:
            return
        self.vectorizer_ = vectorizer
        self.svd_ = TruncatedSVD(n_components=n_comp, random_state=self.random_state).fit(tfidf)

    @staticmethod
    def _documents(records, terms):
        joined = join_terms(terms)
        ids = records["record_id"].astype(str)
        return joined.reindex(ids).fillna("").to_numpy()

    # -- transforming ----------------------------------------------------------------------
    def transform(self, records, code_matrix=None, terms=None):
        """Features of (possibly new) records, with the columns and scales learned in ``fit``.

        Returns
        -------
        DataFrame
            Indexed by ``record_id``, columns ``feature_names_out_``.
        """
        raw, _ = self._raw(records, code_matrix, terms)
        raw = raw.reindex(columns=self.feature_names_out_)
        means = self.means_[self.feature_names_out_]
        return ((raw.fillna(means) - means) * self.col_scale_).astype(float)

    def _raw(self, records, code_matrix, terms):
        """Uncentred, unscaled columns (``NA`` where unknown) and the profile sub-blocks."""
        index = pd.Index(records["record_id"].astype(str), name="record_id")
        parts, groups = [], {}
        for col, kind in self.attribute_types_.items():
            part = encode_attribute(records[col], kind, self.levels_[col], col)
            part.index = index
            groups[col] = list(part.columns)
            parts.append(part)
        for cols in self.code_columns_.values():
            if code_matrix is None:
                part = pd.DataFrame(np.nan, index=index, columns=cols)
            else:
                cm = code_matrix.copy(deep=False)  # its index replaced, its values never written
                cm.index = cm.index.astype(str)
                part = cm.reindex(index=index, columns=cols).astype(float)
            parts.append(part)
        if self.svd_ is not None:
            if terms is None:
                comps = np.full((len(index), self.svd_.n_components), np.nan)
            else:
                tfidf = self.vectorizer_.transform(self._documents(records, terms))
                comps = self.svd_.transform(tfidf)
            parts.append(pd.DataFrame(comps, index=index, columns=self._text_names()))
        raw = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=index)
        return raw.astype(float), groups

    def _block_columns(self, profile_groups):
        blocks = {}
        profile = [c for cols in profile_groups.values() for c in cols]
        if profile:
            blocks["profile"] = profile
        blocks.update(self.code_columns_)
        if self.svd_ is not None:
            blocks["text"] = self._text_names()
        return blocks

    def _text_names(self):
        return [f"text_{i + 1}" for i in range(self.svd_.n_components)]


def attribute_levels(series, kind):
    """Categories (categorical, multi, ordinal) or ``[min, max]`` (numeric) of an attribute."""
    if kind == "categorical":
        if isinstance(series.dtype, pd.CategoricalDtype):
            return [str(c) for c in series.cat.categories]
        return sorted(series.dropna().astype(str).unique())
    if kind == "multi":
        return sorted({o for opts in split_multi(series) if opts for o in opts})
    if kind == "ordinal":
        if isinstance(series.dtype, pd.CategoricalDtype):
            return [str(c) for c in series.cat.categories]
        return sorted(series.dropna().unique())
    values = pd.to_numeric(series, errors="coerce")
    return [float(values.min()), float(values.max())]


def encode_attribute(series, kind, levels, name):
    """Encode one attribute as float columns, ``NaN`` rows where missing or unseen.

    Categorical and multi -> one indicator column per level, named ``"<name>=<level>"``;
    ordinal -> rank / (number of levels - 1); numeric -> min-max scaled with ``levels``.
    """
    n = len(series)
    if kind in ("categorical", "multi"):
        out = np.zeros((n, len(levels)))
        position = {lev: j for j, lev in enumerate(levels)}
        options = (
            split_multi(series)
            if kind == "multi"
            else [None if pd.isna(v) else [str(v)] for v in series]
        )
        for i, opts in enumerate(options):
            if opts is None or (kind == "categorical" and opts[0] not in position):
                out[i] = np.nan
                continue
            for o in opts:
                if o in position:
                    out[i, position[o]] = 1.0
        return pd.DataFrame(out, columns=[f"{name}={lev}" for lev in levels])
    if kind == "ordinal":
        rank = {str(lev): j for j, lev in enumerate(levels)}
        values = [np.nan if pd.isna(v) else rank.get(str(v), np.nan) for v in series]
        scaled = np.asarray(values, dtype=float) / max(len(levels) - 1, 1)
        return pd.DataFrame({name: scaled})
    low, high = levels
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    return pd.DataFrame({name: (values - low) / (high - low if high > low else 1.0)})


def _inverse_sqrt(inertia):
    return 1.0 / np.sqrt(inertia) if inertia > 1e-12 else 0.0
