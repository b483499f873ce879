"""Publication: the HTML report, the workbook, the figures, the comparison report.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_columns': ['ANALYST_WORKBOOK', 'number_format', 'column_description', 'COLUMN_DOCS', 'PERCENT_COLUMNS', 'P_VALUE_COLUMNS', 'DECIMAL_COLUMNS', 'NUMBER_FORMATS', 'DATE_FORMATS', 'HEADERS', 'SHEET_TITLES', 'VALUE_WORDS'],
    '_compare_disclosure': ['wave_report_cells', 'prevalence_key', 'comparison_counts', 'comparison_plan', 'comparison_suppression', 'masked_prevalence', 'masked_group_sizes', 'masked_moves', 'masked_reinterviews', 'published_group_test'],
    '_compare_figures': ['COMPARE_FIGURES', 'figure_groups', 'figure_moves', 'figure_prevalence', 'figure_vocabulary', 'write_compare_figures'],
    '_compare_words': [],
    '_compare': ['analysed_wave', 'run_compare', 'compare_context', 'published_tables', 'publish_comparison', 'render_compare_html', 'write_compare_workbook'],
    '_disclosure': ['mask_mark', 'Suppression', 'suppress', 'lone_unknowns', 'pinned_down', 'table_lines', 'nesting', 'holding', 'code_key', 'people_key', 'count_key', 'table_total_key', 'typology_key', 'complement_key', 'published_counts', 'wave_suppression', 'hidden_codes', 'hidden_people', 'hidden_typology', 'MASK_MARK', 'PEOPLE_DIMENSIONS'],
    '_docx': ['report_markup', 'write_docx', 'HEADINGS', 'NOTE_STYLE', 'TABLE_STYLE', 'FIGURE_WIDTH_CM', 'TOC_INSTRUCTION'],
    '_exports': ['write_analyst_exports', 'build_analyst_exports', 'export_one', 'EXPORTS_DIR', 'FORMATS'],
    '_figures': ['figure_consulted', 'figure_group_territory', 'figure_family', 'figure_codes_by', 'figure_themes', 'figure_k_choice', 'figure_map', 'figure_priority', 'make_figures', 'write_figures', 'typology_is_clear', 'FAMILY_TITLES', 'FIGURES'],
    '_format': ['fmt_number', 'fmt_pct', 'fmt_int', 'fmt_tv', 'fmt_p', 'fmt_date', 'fmt_ratio', 'study', 'unit_words', 'NNBSP', 'MONTHS'],
    '_html': ['render_html', 'write_html', 'context', 'typology_verdict'],
    '_iramuteq': ['variable_name', 'modality', 'corpus_text', 'write_iramuteq', 'SKIPPED'],
    '_method': ['question_bases', 'attribute_names', 'consulted_facts', 'STAGE_TEXT'],
    '_masked_tests': ['published_tests', 'p_band', 'fmt_band', 'band_pins_a_cell', 'BANDS', 'EXACT', 'MAX_FILLINGS'],
    '_notebook_tables': ['key_findings', 'tests_table', 'family_table', 'consulted_table', 'group_cards_markdown'],
    '_plots': ['plot_bars', 'plot_grouped_counts', 'plot_heatmap', 'plot_k_evidence', 'plot_map', 'plot_priority_matrix', 'plot_count_heatmap', 'save_figure', 'PALETTE', 'SEQUENTIAL', 'LEADER', 'FIGSIZE', 'STYLE'],
    '_pptx': ['write_pptx', 'WIDE', 'FAMILY_FIGURE', 'DIMENSION_FIGURE'],
    '_publish': ['publish', 'keep_or_draw_figures', 'REPORT_FILES', 'REPORT_INPUTS', 'notebook_inputs', 'preload_notebook_modules', 'notebook_parameters', 'execute_notebooks', 'start_kernel'],
    '_qdc_import': ['CodebookImportError', 'import_codebook', 'codebook_yaml', 'write_imported_codebook', 'QDA_NAMESPACES', 'REVIEW_MARK'],
    '_rows': [],
    '_qdpx': ['guid', 'project_xml', 'write_qdpx', 'codebook_xml', 'write_qdc', 'PROJECT_NS', 'CODEBOOK_NS', 'CODEBOOK_USER', 'FAMILY_COLOURS'],
    '_qdpx_import': ['read_qdpx_decisions', 'NS'],
    '_reuse': ['published_manifest', 'inputs_hash', 'extended', 'files_hash', 'kept_files', 'unchanged', 'reuse', 'record_inputs', 'INPUTS_FILE', 'RUN_KEYS', 'STAGE_RUN_KEYS', 'WORK_PARAMS'],
    '_sections': ['french_spacing', 'finding_sentence', 'quote_speakers', 'quotes_table', 'TOP_PHRASE'],
    '_workbook': ['fit_excel_cell', 'write_sheet', 'workbook_tables', 'analyst_workbook_tables', 'write_workbook', 'write_analyst_workbook', 'write_tables', 'HEADER_FILL', 'HEADER_FONT', 'WRAP_COLUMNS', 'WIDE', 'SHEETS', 'PERSON_SHEETS', 'EXCEL_CELL_LIMIT', 'CUT_MARKER'],
    '_workbook_view': ['presented', 'read_sheet', 'KEEP_IDS', 'CODE_LABEL_SHEETS'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
