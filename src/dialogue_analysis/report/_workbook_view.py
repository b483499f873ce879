"""The workbooks as an Excel user reads them: sheet names and column headers in the report's
language, code, family and attribute labels instead of their ids, toolkit words translated, and a
``columns`` sheet that gives, for every column of every sheet, its header, the identifier of the
same column in the analysis tables (``data/processed/<wave>/analysis/``) and what it holds.

The tables themselves (:func:`~dialogue_analysis.report.workbook_tables`) keep the identifiers,
so code reading them is not tied to a language; only what is written to Excel is translated.
"""

from __future__ import annotations

import pandas as pd

from ..analysis import Analysis
from ._columns import HEADERS, SHEET_TITLES, VALUE_WORDS, column_description

# Sheets that are the dictionary from ids to labels: their ids stay.
KEEP_IDS = {"codebook"}
# Sheets whose ``label`` column names the code of the row (redundant once the code is a label).
CODE_LABEL_SHEETS = {"findings", "prevalence", "crosstabs", "group_codes", "priority",
                     "passages"}


def presented(tables: dict[str, pd.DataFrame], a: Analysis,
              language: str) -> list[tuple[str, pd.DataFrame, list[str]]]:
    """``(sheet title, table with headers and labels, column identifiers)`` for each sheet.

    The ``README`` and ``columns`` sheets of ``tables`` are rebuilt for what is written.
    """
    i = 0 if language == "fr" else 1
    words = _Words(a, language)
    body = {name: words.table(name, df) for name, df in tables.items()
            if name not in ("README", "columns")}
    title = {name: SHEET_TITLES.get(name, (name, name))[i][:31] for name in
             ["README", "columns", *body]}
    readme = tables.get("README", pd.DataFrame(columns=["sheet", "description"]))
    readme = readme.assign(sheet=readme["sheet"].map(lambda s: title.get(s, s)))
    frames = {"README": readme, **body}
    described = {**{c: words.attribute(c) for c in a.records.columns}, **a.code_labels(language)}
    rows = []
    for name in ["README", "columns", *body]:
        ids = (["sheet", "column", "identifier", "description"] if name == "columns"
               else [str(c) for c in frames[name].columns])
        rows += [{"sheet": title[name], "column": words.header(c), "identifier": c,
                  "description": column_description(c, language, described)} for c in ids]
    frames["columns"] = pd.DataFrame(rows, columns=["sheet", "column", "identifier",
                                                    "description"])
    out = []
    for name in ["README", "columns", *body]:
        df = frames[name]
        ids = [str(c) for c in df.columns]
        out.append((title[name], df.set_axis(_unique([words.header(c) for c in ids], ids),
                                             axis=1), ids))
    # The columns sheet must name each header as it is written.
    headers = {t: dict(zip(ids, df.columns, strict=True)) for t, df, ids in out}
    cols = out[1][1]
    cols.iloc[:, 1] = [headers.get(t, {}).get(i, h) for t, h, i in
                       zip(cols.iloc[:, 0], cols.iloc[:, 1], cols.iloc[:, 2], strict=True)]
    return out


def _unique(headers: list[str], ids: list[str]) -> list[str]:
    """Headers made unique within a sheet (a filter or a read-back needs one per column)."""
    seen = {h for h in headers if headers.count(h) == 1}
    return [h if h in seen else f"{h} ({i})" for h, i in zip(headers, ids, strict=True)]


class _Words:
    """Labels of the analysis in one language: codes, families, attributes, questions."""

    def __init__(self, a: Analysis, language: str):
        self.a, self.language, self.i = a, language, 0 if language == "fr" else 1
        self.codes = a.code_labels(language)
        cb = a.codebook
        col = f"family_label_{language}"
        self.families = (dict(zip(cb["family"].astype(str), cb[col].fillna(cb["family"])
                                  .astype(str), strict=True)) if len(cb) and col in cb else {})
        q = a.questions
        short = q["short_label"] if "short_label" in q else q.get("label")
        self.questions = ({str(k): (str(k) if str(v) in ("", str(k), "nan", "None")
                                    else f"{k} – {v}")
                           for k, v in zip(q["question_id"], short, strict=True)}
                          if len(q) and short is not None else {})

    def attribute(self, name: str) -> str:
        return "all" if name == "all" else self.a.attribute_label(name, self.language)

    def header(self, column: str) -> str:
        if column in HEADERS:
            return HEADERS[column][self.i]
        return self.codes.get(column) or (self.attribute(column)
                                          if column in self.a.records.columns else column)

    def _map(self, series: pd.Series, table: dict[str, str]) -> pd.Series:
        return series.map(lambda v: v if pd.isna(v) else table.get(str(v), v))

    def table(self, name: str, df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        if name in KEEP_IDS:
            return df
        if name == "code_matrix":
            return df
        if name in CODE_LABEL_SHEETS:
            df = df.drop(columns=[c for c in ("label", "label_en") if c in df and "code" in df])
        if name == "groups" and "group" in df:
            df["label"] = [self.a.group_label(g, self.language) for g in df["group"]]
            df = df.drop(columns=[c for c in ("label_en",) if c in df])
        if "code" in df:
            df["code"] = self._map(df["code"], self.codes)
        if "family" in df:
            df["family"] = self._map(df["family"], self.families)
        for col in ("dimension", "attribute"):
            if col in df:
                df[col] = df[col].map(lambda v: v if pd.isna(v) else (
                    VALUE_WORDS["category"]["all"][self.i] if v == "all"
                    else self.attribute(str(v))))
        if "question_id" in df:
            df["question_id"] = self._map(df["question_id"], self.questions)
        for col, words in VALUE_WORDS.items():
            if col in df:
                df[col] = self._map(df[col], {k: v[self.i] for k, v in words.items()})
        return df


def read_sheet(path, sheet: str) -> pd.DataFrame:
    """Read back sheet ``sheet`` (its id, e.g. ``"prevalence"``) of a workbook written by
    :func:`~dialogue_analysis.report.write_workbook`, with the identifiers as column names.

    The ``columns`` sheet (always the second) says which identifier each header stands for;
    the values stay as written (labels, not ids).
    """
    sheets = pd.read_excel(path, sheet_name=None)
    names = list(sheets)
    columns = sheets[names[1]].set_axis(["sheet", "column", "identifier", "description"], axis=1)
    titles = [t for t in SHEET_TITLES.get(sheet, (sheet, sheet)) if t in names] or [sheet]
    if titles[0] not in sheets:
        raise KeyError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(names)})")
    mine = columns[columns["sheet"] == titles[0]]
    return sheets[titles[0]].rename(columns=dict(zip(mine["column"], mine["identifier"],
                                                     strict=True)))
