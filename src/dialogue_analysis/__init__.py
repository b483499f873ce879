"""dialogue-analysis: from stakeholder-dialogue interviews to an evidence-based findings report.

Public names are loaded on first use (PEP 562), so ``import dialogue_analysis as da`` stays
quick: spaCy, scikit-learn and matplotlib are imported only by the stages that need them.
"""

from importlib import import_module

__version__ = "0.1.0"

# name -> submodule defining it
_EXPORTS = {
    "ingest._config": ["Attribute", "Project", "Question", "Settings", "SurveyConfig", "TableSpec",
               "load_project"],
    "core.errors": ["ConfigError", "DialogueAnalysisError"],
    "ingest._wave": ["InputFile", "Wave", "load_wave", "read_wave", "write_wave"],
    "ingest._validation": ["Problem", "ValidationFailed", "ValidationReport"],
    "pipeline": ["run", "run_ingest", "run_summary", "summary_markdown", "summary_tables"],
    "anonymise._detect": ["AnonymisedAnswers", "anonymise_answers", "anonymise_text",
                  "detect_identifiers", "load_ner_model", "write_mapping"],
    "nlp._parse": ["ModelNotInstalledError", "ParsedAnswers", "load_multiword_terms", "load_nlp",
            "load_stopwords", "parse_answers"],
    "coding._codebook": ["Codebook", "Coding", "code_answers", "evaluate_coding", "gold_sample",
               "load_codebook", "load_gold"],
    "themes._vocabulary": ["specific_terms"],
    "themes._topics": ["Themes", "find_themes", "uncovered_answers"],
    "typology._features": ["FeatureBuilder", "infer_attribute_types"],
    "typology._model": ["Typology", "choose_k", "seed_agreement"],
    "typology._describe": ["Characterisation", "GroupDescription", "describe_groups"],
    "typology._mapping": ["correspondence_analysis", "multiple_correspondence_analysis", "typology_map"],
    "typology._crosstabs": ["Crosstab", "adjusted_residuals", "code_crosstab", "contingency_test",
                  "crosstab"],
    "analysis._tables": ["Analysis", "load_analysis", "run_analysis"],
    "report._html": ["publish", "render_html", "write_figures"],
    "report._workbook": ["workbook_tables"],
    "core.privacy": ["PrivacyError", "mask_counts", "neutralise_formula", "scan_published"],
    "waves._compare": ["Comparison", "PooledWaves", "ReferenceTypology", "analyse_pooled",
              "compare_waves", "match_groups", "match_labels", "pool_waves", "refit_and_match",
              "schema_drift"],
    "report._compare": ["publish_comparison", "run_compare"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
# modules once at the top of the package, still reachable as dialogue_analysis.<name>
_SUBMODULES = {"plots": "report.plots", "stats": "core.stats", "storage": "core.storage",
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
