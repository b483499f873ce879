"""Inductive themes: what people talk about beyond the codebook.

Themes come from a non-negative matrix factorisation (NMF) of the TF-IDF of each answer's analysis
terms. NMF is initialised by NNDSVD, which involves no random draw, and every ordering below is
broken by a stable key, so the same answers give the same themes in the same order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

from ..core import BLOCK, FIT_SAMPLE, fit_rows
from ..core.quotes import trim_quote
from ..core.rows_by_key import RowsByKey
from ._choice import (
    EVIDENCE_COLUMNS,
    MAX_SHARE,
    dominant_themes,
    fit_nmf,
    project,
    theme_range,
    top_terms,
)
from ._choice_cache import choose_n_themes_kept

KEY = ["record_id", "question_id"]


@dataclass(frozen=True)
class Themes:
    """Result of :func:`find_themes`.

    Attributes
    ----------
    summary : DataFrame
        One row per theme, largest first: ``theme`` (1..k), ``label``, ``top_terms`` (list of
        str), ``n_answers`` (answers whose dominant theme it is), ``share`` (of all answers given).
    assignments : DataFrame
        One row per answer: ``record_id``, ``question_id``, ``theme`` (``<NA>`` when no term of
        the answer is in the vocabulary), ``weight`` (share of the answer's weight on that theme).
    quotes : DataFrame
        ``theme``, ``rank``, ``record_id``, ``question_id``, ``text``: the answers most typical of
        each theme, from different records.
    term_weights : DataFrame
        Theme x term weights of the factorisation (for inspection).
    k_evidence : DataFrame
        Why this number of themes: one row per number tried (``k``, ``stability``,
        ``coherence``, ``largest_share``, ``within_share``, ``chosen``); empty when the number
        was given.
    n_fitted : int
        Answers the themes were found on: all of them, or a sample drawn by key in a large
        corpus (every answer is then weighed on the themes).
    n_sampled : int
        Answers the vocabulary (TF-IDF) and the themes were drawn from: every answer, or at
        most ``max_fit`` of them drawn by key (:func:`~dialogue_analysis.core.fit_rows`).
    """

    summary: pd.DataFrame
    assignments: pd.DataFrame
    quotes: pd.DataFrame
    term_weights: pd.DataFrame
    k_evidence: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=EVIDENCE_COLUMNS))
    n_fitted: int = 0
    n_sampled: int = 0


# Words that name nothing: a theme labelled "pas · plus · mieux" tells the reader nothing.
# Negation particles and bare adverbs are added to spaCy's stop words, which miss some.
_NEGATIONS = {"non", "pas", "ne", "n", "aucun", "aucune", "jamais", "rien", "ni",
              "not", "no", "never", "none", "nothing"}
# Negations that answer a question on their own ("which services improved?" "aucun").
_NONE = {"aucun", "aucune", "rien", "jamais", "none", "nothing", "never"}
_BARE_ADVERBS = {
    "plus", "moins", "mieux", "pire", "trop", "très", "bien", "mal", "aussi", "encore",
    "toujours", "souvent", "vraiment", "notamment", "surtout", "déjà", "beaucoup", "peu",
    "assez", "tout", "tous", "toute", "toutes", "actuellement", "seulement", "davantage",
    "ailleurs", "ensuite", "enfin", "ici", "là", "partout", "parfois", "forcément",
    "more", "less", "better", "worse", "too", "very", "well", "also", "still", "always",
    "often", "really", "only", "already", "much",
}


def _function_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.fr.stop_words import STOP_WORDS as FR

    # "personne" and "gens" are the people the answers speak of, not function words here.
    return frozenset((FR | EN | _NEGATIONS | _BARE_ADVERBS) - {"personne", "gens"})


FUNCTION_WORDS = _function_words()


def _function_term(term: str) -> bool:
    """Whether a term is made of function words only and says nothing on its own ("plus",
    "an", "peut-être"). A negation stays: an answer "aucun" or "rien" to "which services have
    improved?" is an answer."""
    words = [w.lower() for w in term.split("_")]
    return all(w in FUNCTION_WORDS for w in words) and not any(w in _NEGATIONS for w in words)


def _label(top_terms: list[str], n: int = 3) -> str:
    """The first ``n`` top terms that name something: no stop word, negation particle or bare
    adverb, and no term repeating the content word of one already kept ("non internet" after
    "internet"). Falls back to the top terms when fewer than one remains. A theme whose
    heaviest term is a negation ("aucun") is named by it first: its answers say "none"."""
    kept, seen = [], set()
    if top_terms and all(w.lower() in _NONE for w in top_terms[0].split("_")):
        kept.append(top_terms[0])
    for term in top_terms:
        words = term.split("_")
        content = tuple(w for w in words if w.lower() not in FUNCTION_WORDS)
        if not content or content in seen:
            continue
        seen.add(content)
        kept.append(term)
        if len(kept) == n:
            break
    return " · ".join(t.replace("_", " ") for t in (kept or top_terms[:n]))


def find_themes(
    terms: pd.DataFrame,
    answers: pd.DataFrame | None = None,
    *,
    n_themes: int | str = "auto",
    n_top_terms: int = 8,
    n_quotes: int = 3,
    min_df: int | float = 3,
    max_df: float = 0.5,
    min_terms: int = 1,
    exclude_terms: set[str] | None = None,
    random_state: int = 0,
    max_share: float = MAX_SHARE,
    cache_dir: str | os.PathLike | None = None,
    max_fit: int | None = FIT_SAMPLE,
) -> Themes:
    """Find inductive themes in answers.

    Parameters
    ----------
    terms : DataFrame
        The ``terms`` table of the NLP stage: ``record_id``, ``question_id``, ``terms``.
    answers : DataFrame, optional
        The (pseudonymised) ``answers`` table, used for the quotes; without it no quote is given.
    n_themes : int or "auto"
        Number of themes; ``"auto"`` chooses it from the data (see
        :func:`~dialogue_analysis.themes._choice.choose_n_themes`), a number is reduced when the
        vocabulary is too small for it.
    n_top_terms : int
        Terms listed per theme.
    n_quotes : int
        Quotes per theme, each from a different record.
    min_df, max_df :
        Terms kept: in at least ``min_df`` answers and at most ``max_df`` of them (very common
        words such as "internet" in a survey about internet say nothing about a theme).
    min_terms : int
        Answers with fewer known terms get no theme. With the default (1) only the answers with
        no term of the vocabulary stay without a theme: a weak theme is still the answer's theme.
    exclude_terms : set of str, optional
        Terms left out of the vocabulary (e.g. the words of the question itself), besides the
        terms made of function words only ("plus", "peut-être"), which are always left out
        (negations such as "aucun" or "rien" stay: they answer some questions).
    random_state : int
        Passed to NMF (its coordinate-descent solver is deterministic with NNDSVD init).
    max_share : float
        With ``"auto"``: the largest share of the answers one theme may hold, when some number
        of themes allows it.
    cache_dir : path, optional
        With ``"auto"``: a folder where the choice of the number of themes is kept by the
        content hash of its inputs (:mod:`._choice_cache`); a rerun on the same answers reads
        it back instead of fitting again. None: nothing is kept.
    max_fit : int or None
        A wave of more answers is fitted (vocabulary, themes) on about this many, drawn by key
        whatever their order, and every answer is then weighed on the themes a block at a
        time, so memory stays flat as the corpus grows. None: every answer.

    Returns
    -------
    Themes
    """
    docs = terms.loc[:, [*KEY, "terms"]].sort_values(KEY, kind="stable").reset_index(drop=True)
    docs["terms"] = docs["terms"].fillna("").astype(str)
    # Terms made of function words only ("plus", "peut-être") name no theme: left out, with the
    # terms the caller excludes.
    present = {t for text in docs["terms"] for t in text.split()}
    drop = set(exclude_terms or ()) | {t for t in present if _function_term(t)}
    del present
    vectorizer = TfidfVectorizer(
        tokenizer=str.split, token_pattern=None, lowercase=False,
        min_df=min_df, max_df=max_df, sublinear_tf=True,
    )
    # A large wave: the vocabulary and the themes come from a sample drawn by key, and every
    # answer is weighed on them a block at a time (the TF-IDF of the whole wave never built).
    sample = fit_rows(docs.loc[:, KEY], max_fit)
    fitted = docs if sample is None else docs.iloc[sample]
    try:
        x = vectorizer.fit_transform(_without(fitted["terms"], drop))
    except ValueError as exc:  # empty vocabulary after min_df / max_df
        raise ValueError(
            f"no term is frequent enough to find themes ({len(docs)} answers, min_df={min_df}, "
            f"max_df={max_df}): lower min_df or give more answers"
        ) from exc
    vocab = vectorizer.get_feature_names_out()
    # One BLAS thread: the fits' matrices (a few thousand answers x a few thousand terms, up to
    # 20 themes) gain nothing from a second thread, whose busy-waiting cost up to 20 times the
    # CPU on a shared machine; and the weights no longer depend on the machine's cores.
    with threadpool_limits(limits=1):
        if n_themes == "auto":
            k, evidence, (w, h), n_fitted = choose_n_themes_kept(
                x, fitted.loc[:, KEY], cache_dir=cache_dir, k_range=theme_range(*x.shape),
                random_state=random_state, max_share=max_share)
        else:
            k = max(1, min(int(n_themes), x.shape[1] - 1, x.shape[0] - 1))
            evidence = pd.DataFrame(columns=EVIDENCE_COLUMNS)
            w, h = fit_nmf(x, k, random_state)
            n_fitted = x.shape[0]
        if sample is None:
            if w is None:  # themes found on a sample: every answer is weighed on them
                w = project(x, h)
            known, dominant, weight, totals = _weighed(x, w, h)
        else:
            del x
            blocks = [_weighed(xb, project(xb, h), h) for xb in (
                vectorizer.transform(_without(docs["terms"].iloc[i:i + BLOCK], drop))
                for i in range(0, len(docs), BLOCK))]
            known, dominant, weight = (np.concatenate([b[j] for b in blocks]) for j in range(3))
            totals = np.sum([b[3] for b in blocks], axis=0)
    dominant = np.where(known >= min_terms, dominant, -1)
    usable = dominant >= 0

    # Order themes by how many answers they dominate, then by total weight, then by index.
    counts = np.bincount(dominant[usable], minlength=k)
    order = sorted(range(k), key=lambda t: (-counts[t], -totals[t], t))
    rank_of = {old: new + 1 for new, old in enumerate(order)}

    rows = []
    for old in order:
        # Ties between equal weights are broken alphabetically so the listing is stable.
        idx = sorted(range(len(vocab)), key=lambda j: (-h[old, j], vocab[j]))[:n_top_terms]
        top = [str(vocab[j]) for j in idx if h[old, j] > 0]
        # The label is drawn from the terms that weigh in the theme, not from its noise tail.
        weighty = {str(vocab[j]) for j in top_terms(h[old:old + 1], n_top_terms)[0]}
        rows.append({
            "theme": rank_of[old], "label": _label([t for t in top if t in weighty]),
            "top_terms": top,
            "n_answers": int(counts[old]), "share": counts[old] / len(docs) if len(docs) else 0.0,
        })
    summary = pd.DataFrame(rows)

    assignments = docs.loc[:, KEY].copy()
    assignments["theme"] = pd.array(
        [rank_of[d] if d >= 0 else pd.NA for d in dominant], dtype="Int64")
    assignments["weight"] = np.where(usable, weight, 0.0)

    term_weights = pd.DataFrame(h[order], index=pd.Index(range(1, k + 1), name="theme"),
                                columns=vocab)
    quotes = _quotes(assignments, answers, n_quotes) if answers is not None else pd.DataFrame(
        columns=["theme", "rank", *KEY, "text"])
    return Themes(summary, assignments, quotes, term_weights, evidence.reset_index(drop=True),
                  n_fitted, len(docs) if sample is None else len(sample))


def _without(texts: pd.Series, drop: set[str]) -> list[str]:
    """The answers' terms without those in ``drop``."""
    if not drop:
        return texts.tolist()
    return [" ".join(t for t in s.split() if t not in drop) for s in texts]


def _weighed(x, w: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, ...]:
    """Of answers ``x`` weighed ``w`` on themes ``h``: their known terms, dominant theme,
    its share of their weight, and each theme's total weight."""
    known = np.asarray((x > 0).sum(axis=1)).ravel()
    dominant, weight = dominant_themes(x, w, h)
    return known, dominant, weight, np.array([w[:, t].sum() for t in range(h.shape[0])])


def _quotes(assignments: pd.DataFrame, answers: pd.DataFrame, n_quotes: int) -> pd.DataFrame:
    """Each theme's quotes: its answers by weight, then in key order (``assignments`` are in
    key order, as :func:`find_themes` makes them), from different records, of 8 words or more.

    The candidates are ordered by their row in ``assignments``, not by their keys, and their
    texts are looked up a few hundred at a time: a national consultation's keys and texts are
    neither merged nor copied for a few quotes a theme."""
    theme = assignments["theme"]
    rows_with = np.flatnonzero(theme.notna().to_numpy())
    themes = theme.iloc[rows_with].to_numpy(dtype=np.int64)
    weights = assignments["weight"].iloc[rows_with].to_numpy(dtype=float)
    ordered = rows_with[np.lexsort((rows_with, -weights, themes))]
    record_ids, question_ids = assignments["record_id"], assignments["question_id"]
    texts = answers["text"]
    answers_of = RowsByKey(answers["record_id"], answers["question_id"])
    rows = []
    sorted_themes = np.sort(themes, kind="stable")
    bounds = np.flatnonzero(np.diff(sorted_themes)) + 1
    for t0, t1 in zip(np.r_[0, bounds], np.r_[bounds, len(sorted_themes)], strict=True):
        if t0 == t1:  # no answer has a theme
            continue
        theme_no, seen = int(sorted_themes[t0]), set()
        for rid, qid, row in _candidates(ordered[t0:t1], record_ids, question_ids, answers_of):
            text = texts.iloc[row]
            if len(text.split()) < 8 or rid in seen:  # short answers make poor quotes
                continue
            seen.add(rid)
            rows.append({"theme": theme_no, "rank": len(seen), "record_id": rid,
                         "question_id": qid, "text": trim_quote(text)})
            if len(seen) == n_quotes:
                break
    return pd.DataFrame(rows, columns=["theme", "rank", *KEY, "text"])


_LOOKED_UP = 500  # candidates whose answers are looked up at a time


def _candidates(ordered: np.ndarray, record_ids: pd.Series, question_ids: pd.Series,
                answers_of: RowsByKey) -> Iterator[tuple[str, str, int]]:
    """Each candidate's key and answer rows, in the candidates' order, looked up a few hundred
    at a time (a theme's quotes are found among its first candidates)."""
    for c0 in range(0, len(ordered), _LOOKED_UP):
        batch = ordered[c0:c0 + _LOOKED_UP]
        rids, qids = record_ids.iloc[batch].tolist(), question_ids.iloc[batch].tolist()
        for rid, qid, rows in zip(rids, qids, answers_of.all(rids, qids), strict=True):
            for row in rows.tolist():
                yield rid, qid, row


def uncovered_answers(answers: pd.DataFrame, passages: pd.DataFrame) -> pd.DataFrame:
    """Answers that no code of the codebook covers (a view for reviewing the codebook).

    Parameters
    ----------
    answers : DataFrame
        ``record_id``, ``question_id``, ``text``.
    passages : DataFrame
        The coding stage's passages (``record_id``, ``question_id``, ...).

    Returns
    -------
    DataFrame
        The uncovered answers, in record and question order, with ``n_words``.
    """
    coded = passages.loc[:, KEY].drop_duplicates()
    out = answers.merge(coded, on=KEY, how="left", indicator=True)
    out = out[out["_merge"] == "left_only"].drop(columns="_merge")
    out = out.sort_values(KEY, kind="stable").reset_index(drop=True)
    out["n_words"] = out["text"].str.split().str.len()
    return out
