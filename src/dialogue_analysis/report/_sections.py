"""The content of the report's sections: finding sentences, count and cross tables, family and
test rows, group cards, and the quotes with who said them."""

from __future__ import annotations

import re

import pandas as pd

from ..analysis import Analysis
from ..core.i18n import Words
from ..core.privacy import small_cells
from ..core.quotes import WHO, attribution
from ._disclosure import hidden_codes, hidden_people, hidden_typology, mask_mark
from ._figures import (
    _by_block,
    _order,
    _prev,
)
from ._format import (
    fmt_int,
    fmt_number,
    fmt_p,
    fmt_pct,
    fmt_ratio,
    fmt_tv,
    study,
    unit_words,
)
from ._masked_tests import fmt_band, published_tests

# -- report content ---------------------------------------------------------------------------


def _who(dimension: str, category: str, language: str) -> str:
    if language == "fr":
        return {
            "stakeholder_group": f"personnes du groupe « {category} »",
            "profile": f"personnes au profil « {category} »",
            "territory": f"personnes en territoire {category}",
            "age_band": f"personnes de {category} ans",
            "region": f"personnes de la région {category}",
        }.get(dimension, f"personnes « {category} »")
    return {
        "stakeholder_group": f"the “{category}” stakeholder group",
        "profile": f"people with the “{category}” profile",
        "territory": f"people in {category} areas",
        "age_band": f"people aged {category}",
        "region": f"people in the {category} region",
    }.get(dimension, f"“{category}” people")


TOP_PHRASE = {
    "service": ("est le service en ligne critique le plus cité", "is the most cited critical online "
                "service"),
    "barrier": ("est le frein le plus cité", "is the most cited barrier"),
    "need": ("est le besoin le plus exprimé", "is the most expressed need"),
}


def french_spacing(text: str) -> str:
    """No-break spaces where French typography wants them (inside « », before : ; ! ?)."""
    text = text.replace("« ", "«\u00a0").replace(" »", "\u00a0»").replace(" :", "\u00a0:")
    return re.sub(r" ([;!?])", "\u202f\\1", text)


def finding_sentence(row, a: Analysis, language: str = "fr"):
    """One key finding as a sentence (HTML-safe ``Markup``) with its numbers and evidence."""
    text = _finding_sentence(row, a, language)
    return type(text)(french_spacing(str(text))) if language == "fr" else text


def _finding_sentence(row, a: Analysis, language: str = "fr"):
    from markupsafe import Markup, escape

    lang = language
    label = escape(a.code_label(row["code"], lang))
    if row["kind"] == "top":
        phrase = TOP_PHRASE.get(row["family"], ("est le plus cité", "is the most cited"))
        # A contribution is not a person (one person may write several): say which is counted.
        units = unit_words(a, lang)[1] if study(a)["unit"] == "contribution" else None
        if lang == "fr":
            text = (f"<strong>{label}</strong> {phrase[0]} : {fmt_pct(row['share'], lang)} des "
                    f"{units or 'personnes consultées'} l'évoquent "
                    f"({fmt_int(row['count'], lang)} sur {fmt_int(row['n'], lang)}).")
        else:
            text = (f"<strong>{label}</strong> {phrase[1]}: raised by "
                    f"{fmt_pct(row['share'], lang)} of the {units or 'people consulted'} "
                    f"({fmt_int(row['count'], lang)} of {fmt_int(row['n'], lang)}).")
        return Markup(text)
    who = escape(_who(row["dimension"], str(row["category"]), lang))
    share, others = fmt_pct(row["share"], lang), fmt_pct(row["share_others"], lang)
    tv = fmt_tv(row["test_value"], lang)
    of = "sur" if lang == "fr" else "of"
    base = f"({fmt_int(row['count'], lang)} {of} {fmt_int(row['n'], lang)})"
    base_others = (f"({fmt_int(row['count_others'], lang)} {of} "
                   f"{fmt_int(row['n_others'], lang)})")
    if lang == "fr":
        if not row["share_others"] > 0:
            text = (f"<strong>{label}</strong> : cité par {share} des {who} {base}, alors "
                    f"qu'aucune autre personne consultée ne l'évoque (valeur-test {tv}).")
        else:
            text = (f"<strong>{label}</strong> : cité par {share} des {who} {base} contre "
                    f"{others} des autres personnes consultées {base_others}, soit "
                    f"{fmt_ratio(row['ratio'], lang)} (valeur-test {tv}).")
    else:
        if not row["share_others"] > 0:
            text = (f"<strong>{label}</strong>: raised by {share} of {who} {base}, and by none "
                    f"of the other people consulted (test value {tv}).")
        else:
            text = (f"<strong>{label}</strong>: raised by {share} of {who} {base} vs {others} of "
                    f"the other people consulted {base_others}, i.e. "
                    f"{fmt_ratio(row['ratio'], lang)} (test value {tv}).")
    return Markup(text)


def _count_table(a: Analysis, dimension: str, language: str) -> list[dict]:
    s = a.records[dimension].astype("string").fillna(
        "non renseigné" if language == "fr" else "not given")
    counts = s.value_counts()
    order = [c for c in _order(a, dimension) if c in counts.index] + [
        c for c in counts.index if c not in _order(a, dimension)]
    n = len(s)
    return [{"category": c, "count": fmt_int(counts[c], language),
             "share": fmt_pct(counts[c] / n, language)} for c in order]



def _cross_table(a: Analysis, rows: str, cols: str, language: str) -> dict:
    r = a.records
    table = pd.crosstab(r[rows].astype(str), r[cols].astype(str))
    row_order = [c for c in _order(a, rows) if c in table.index]
    col_order = [c for c in _order(a, cols) if c in table.columns]
    table = _by_block(table.reindex(index=row_order, columns=col_order), rows)
    row_order = list(table.index)
    mask = hidden_people(a, table, rows, cols)
    cell = lambda v, m: mask_mark(language) if m else fmt_int(v, language)  # noqa: E731
    body = [{"label": i, "cells": [cell(table.loc[i, c], mask.loc[i, c]) for c in col_order],
             "total": fmt_int(table.loc[i].sum(), language)} for i in row_order]
    totals = [fmt_int(table[c].sum(), language) for c in col_order]
    return {"columns": col_order, "rows": body, "totals": totals,
            "total": fmt_int(table.to_numpy().sum(), language), "n_masked": int(mask.sum().sum()),
            "mark": mask_mark(language), "left_out": _left_out_note(a, (rows, cols), language)}


def _left_out_note(a: Analysis, dimensions: tuple[str, ...], language: str) -> str:
    """Says how many records a table leaves out because one of its attributes is not given."""
    r = a.records
    missing = int(r[list(dimensions)].isna().any(axis=1).sum())
    if not missing:
        return ""
    names = " ou ".join(Words(language).dim(d).lower() for d in dimensions) if language == "fr" \
        else " or ".join(Words(language).dim(d).lower() for d in dimensions)
    unit = unit_words(a, language)[1 if missing > 1 else 0]
    n = fmt_int(missing, language)
    return (f"{n} {unit} sans {names} renseigné n'y figurent pas." if language == "fr" and
            missing > 1 else f"{n} {unit} sans {names} renseigné n'y figure pas."
            if language == "fr" else f"{n} {unit} with no {names} given are not in it.")


def _family_rows(a: Analysis, family: str, language: str) -> list[dict]:
    p = _prev(a, "all").set_index("code")
    rows = []
    for code in a.family_codes(family):
        if code not in p.index:
            continue
        r = p.loc[code]
        rows.append({"code": code, "label": a.code_label(code, language),
                     "count": fmt_int(r["count"], language), "share": fmt_pct(r["share"], language),
                     "ci": f"{fmt_pct(r['ci_low'], language)} – {fmt_pct(r['ci_high'], language)}",
                     "_share": float(r["share"])})
    return sorted(rows, key=lambda r: -r["_share"])


def _tests_rows(a: Analysis, codes: list[str], language: str) -> list[dict]:
    t = published_tests(a)
    if t.empty:
        return []
    rows = []
    for code in codes:
        row = {"label": a.code_label(code, language), "cells": []}
        for dim in ("stakeholder_group", "territory"):
            sub = t[(t["dimension"] == dim) & (t["code"] == code)]
            if sub.empty:
                row["cells"].append("–")
                continue
            r = sub.iloc[0]
            # a test whose exact p-value would reveal a masked cell shows its band only
            banded = pd.isna(r["p_adjusted"])
            sig = bool(r["p_band"] <= 0.05) if banded else bool(r["p_adjusted"] < 0.05)
            p = fmt_band(r["p_band"], language) if banded else fmt_p(r["p_adjusted"], language)
            flag = " †" if bool(r.get("small_expected", False)) else ""
            row["cells"].append(f"{p}{' *' if sig else ''}{flag}")
        rows.append(row)
    return rows


def _top_contrasts(a: Analysis, codes: list[str], dimension: str, language: str, n: int = 4):
    c = a.contrasts
    if c.empty:
        return []
    c = c[(c["dimension"] == dimension) & c["code"].isin(codes) & (c["p_adjusted"] < 0.05)
          & (c["test_value"] > 0) & (c["count"] >= a.min_cell_count)
          & ~small_cells(c["count_others"], a.min_cell_count)]
    c = c[~hidden_codes(a, c)]  # a sentence must not print a cell the tables mask
    c = c.sort_values(["test_value", "category", "code"], ascending=[False, True, True])
    c = c.drop_duplicates("code").head(n)  # the strongest contrast of each code
    out = []
    for r in c.to_dict("records"):
        r = {**r, "kind": "contrast", "family": None}
        out.append(finding_sentence(r, a, language))
    return out


def _group_cards(a: Analysis, language: str) -> list[dict]:
    cards = []
    m = a.min_cell_count
    speakers = quote_speakers(a, language)
    for g in a.groups.to_dict("records"):
        gid = g["group"]
        cats = a.group_categories
        cats = cats[(cats["group"] == gid) & (cats["test_value"] >= 2)]
        if "count_in_group" in cats:
            cats = cats[(cats["count_in_group"] >= m) & ~hidden_typology(a, cats)]
        cats = cats.sort_values("test_value", ascending=False).head(5)
        who = [{"text": french_spacing(f"{a.attribute_label(r['attribute'], language)} : "
                                       f"{r['category']}")
                if language == "fr" else f"{a.attribute_label(r['attribute'], language)}: "
                f"{r['category']}",
                "share": fmt_pct(r["share_in_group"], language),
                "overall": fmt_pct(r["share_overall"], language),
                "tv": fmt_tv(r["test_value"], language),
                "active": bool(r.get("active", False))} for r in cats.to_dict("records")]
        codes = a.group_codes
        codes = codes[(codes["group"] == gid) & (codes["test_value"] >= 2)]
        if "count_in_group" in codes:
            codes = codes[(codes["count_in_group"] >= m)
                          & ~hidden_codes(a, codes, dimension="typology_group", category="group")]
        codes = codes.sort_values("test_value", ascending=False).head(6)
        needs = [{"text": a.code_label(r["code"], language),
                  "share": fmt_pct(r["share_in_group"], language),
                  "overall": fmt_pct(r["share_overall"], language),
                  "tv": fmt_tv(r["test_value"], language),
                "active": bool(r.get("active", False))} for r in codes.to_dict("records")]
        means = a.group_means
        if len(means):
            means = means[(means["group"] == gid) & (means["test_value"].abs() >= 2)
                          & means["attribute"].map(lambda c: _numeric_levels(a, c))]
        mean_rows = [{"text": a.attribute_label(r["attribute"], language),
                      "value": fmt_number(r["mean_in_group"], language, 1),
                      "overall": fmt_number(r["mean_overall"], language, 1),
                      "tv": fmt_tv(r["test_value"], language),
                "active": bool(r.get("active", False))} for r in means.to_dict("records")]
        terms = a.group_terms
        if len(terms):
            terms = terms[(terms["group"] == gid) & (terms["test_value"] > 0)]
            if "direction" in terms:
                terms = terms[terms["direction"] == "over"]
            terms = terms.sort_values("test_value", ascending=False).head(10)
        words = [str(t).replace("_", " ") for t in terms["term"]] if len(terms) else []
        quotes = a.group_quotes
        quotes = quotes[quotes["group"] == gid].sort_values("rank").head(4)
        cards.append({
            "group": gid, "label": a.group_label(gid, language),
            "size": fmt_int(g["size"], language), "share": fmt_pct(g["share"], language),
            "who": who, "needs": needs, "means": mean_rows, "terms": words,
            "quotes": _cited([{"text": q["text"], "record_id": q["record_id"],
                               "question_id": q["question_id"]}
                              for q in quotes.to_dict("records")], speakers),
        })
    return cards


def quote_speakers(a: Analysis, language: str) -> dict[str, dict]:
    """Who said each quoted answer, as far as it singles no one out (:func:`attribution`).

    Returns ``record_id -> {"who": text, "show_id": bool}``.
    """
    told: dict[str, dict] = {}
    f = a.findings.set_index("finding") if len(a.findings) else None
    for q in a.finding_quotes.itertuples(index=False):
        row = f.loc[q.finding] if f is not None and q.finding in f.index else None
        extra = {} if row is None or row["dimension"] == "all" else {
            row["dimension"]: str(row["category"])}
        told.setdefault(str(q.record_id), {}).update(extra)
    for q in a.group_quotes.itertuples(index=False):
        told.setdefault(str(q.record_id), {})["typology_group"] = str(q.group)
    for q in a.theme_quotes.itertuples(index=False):
        told.setdefault(str(q.record_id), {})
    people = attribution(a.records, told, attributes=[c for c in WHO if c in a.records],
                         min_count=a.min_cell_count)
    years = "{} ans" if language == "fr" else "aged {}"
    return {rid: {"who": ", ".join(years.format(v) if k == "age_band" else v
                                   for k, v in p["who"].items()), "show_id": p["show_id"]}
            for rid, p in people.items()}


def quotes_table(a: Analysis, language: str | None = None) -> pd.DataFrame:
    """Every quote the report shows (``source``: finding, typology group, theme; ``ref``: its
    number), with who said them as far as it singles no one out (:func:`quote_speakers`)."""
    quotes = pd.concat([
        a.finding_quotes.assign(source="finding", ref=a.finding_quotes["finding"].astype(str)),
        a.group_quotes.assign(source="typology_group", ref=a.group_quotes["group"].astype(str)),
        a.theme_quotes.assign(source="theme", ref=a.theme_quotes["theme"].astype(str)),
    ], ignore_index=True)
    cited = pd.DataFrame(_cited(quotes.to_dict("records"),
                                quote_speakers(a, language or a.language)),
                         columns=[*quotes.columns, "who"])
    return cited.loc[:, ["source", "ref", "rank", "record_id", "question_id", "who", "text"]]


def _cited(quotes: list[dict], speakers: dict[str, dict]) -> list[dict]:
    """Quotes with who said them; no record id where it would link too much together."""
    out = []
    for q in quotes:
        p = speakers.get(str(q["record_id"]), {"who": "", "show_id": False})
        out.append({**q, "who": p["who"], "record_id": q["record_id"] if p["show_id"] else ""})
    return out


def _numeric_levels(a: Analysis, attribute: str) -> bool:
    """Whether a mean of the attribute reads naturally (numbers, or levels that are numbers)."""
    s = a.records.get(attribute)
    if s is None:
        return False
    if isinstance(s.dtype, pd.CategoricalDtype):
        return all(str(c).replace(".", "", 1).isdigit() for c in s.cat.categories)
    return pd.api.types.is_numeric_dtype(s)


