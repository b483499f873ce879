"""dialogue-analysis: from stakeholder-dialogue interviews to an evidence-based findings report.

Public names are loaded on first use (PEP 562), so ``import dialogue_analysis as da`` stays
quick: spaCy, scikit-learn and matplotlib are imported only by the stages that need them.
"""

from importlib import import_module

__version__ = "0.1.0"

# name -> the stage package (or module) whose public face holds it
_EXPORTS = {
    "ingest": ["Attribute", "Project", "Question", "Settings", "SurveyConfig", "TableSpec", "load_project", "InputFile", "Wave", "load_wave", "read_wave", "write_wave", "Problem", "ValidationFailed", "ValidationReport", "summary_markdown", "summary_tables"],
    "core": ["ConfigError", "DialogueAnalysisError", "PrivacyError", "mask_counts", "neutralise_formula", "scan_published"],
    "pipeline": ["publishing", "run", "run_ingest", "run_summary"],
    "anonymise": ["AnonymisedAnswers", "anonymise_answers", "anonymise_text", "detect_identifiers", "load_ner_model", "write_mapping"],
    "nlp": ["ModelNotInstalledError", "ParsedAnswers", "load_multiword_terms", "load_nlp", "load_stopwords", "parse_answers"],
    "coding": ["Codebook", "Coding", "code_answers", "evaluate_coding", "gold_sample", "load_codebook", "load_gold"],
    "themes": ["specific_terms", "Themes", "find_themes", "uncovered_answers"],
    "typology": ["FeatureBuilder", "infer_attribute_types", "Typology", "choose_k", "seed_agreement", "Characterisation", "GroupDescription", "describe_groups", "correspondence_analysis", "multiple_correspondence_analysis", "typology_map", "Crosstab", "adjusted_residuals", "code_crosstab", "contingency_test", "crosstab"],
    "analysis": ["Analysis", "load_analysis", "run_analysis"],
    "report": ["publish", "render_html", "write_figures", "workbook_tables", "publish_comparison", "run_compare"],
    "waves": ["Comparison", "PooledWaves", "ReferenceTypology", "analyse_pooled", "compare_waves", "match_groups", "match_labels", "pool_waves", "refit_and_match", "schema_drift"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
# modules once at the top of the package, still reachable as dialogue_analysis.<name>
_SUBMODULES = {"plots": "report._plots", "stats": "core.stats", "storage": "core.storage",
               "quotes": "core.quotes"}

__all__ = ["__version__", *sorted(_WHERE), *_SUBMODULES]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _SUBMODULES:
        return import_module(f".{_SUBMODULES[name]}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
