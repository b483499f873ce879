"""The findings report as one self-contained HTML page: the context of its template (the
sentences, tables and cards of every section) and its rendering.

Everything here formats the tables of an :class:`~dialogue_analysis.analysis.Analysis`; nothing
is computed that a table does not hold, so every number of the report can be traced to a cell.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import jinja2
import pandas as pd

from ..analysis import FAMILY_ALIASES, Analysis
from ..core.i18n import LANGUAGES, Words
from ..core.privacy import small_cells
from ..core.quotes import WHO, attribution
from ._disclosure import hidden_codes, hidden_people, hidden_typology, mask_mark
from ._figures import (
    _by_block,
    _order,
    _prev,
    _threshold,
    _typology_params,
    typology_is_clear,
    write_figures,
)
from ._format import (
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_p,
    fmt_pct,
    fmt_ratio,
    fmt_tv,
    study,
    unit_words,
)

# -- the HTML report --------------------------------------------------------------------------


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("dialogue_analysis", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    return env


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    mime = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return f"data:{mime};base64,{data}"


def render_html(a: Analysis, language: str | None = None,
                figures: dict[str, dict[str, Path]] | None = None) -> str:
    """The findings report as one self-contained HTML page (figures embedded as SVG data).

    Parameters
    ----------
    a : Analysis
    language : {"fr", "en"}, optional
        Defaults to the run settings' language.
    figures : dict, optional
        ``name -> {"svg": path, "png": path}`` as returned by :func:`write_figures`; figures
        are drawn into a temporary folder when not given.
    """
    language = language or a.language
    if figures is None:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            figures = write_figures(a, tmp, language)
            images = {k: _img(v["svg"]) for k, v in figures.items()}
    else:
        images = {k: _img(v["svg"]) for k, v in figures.items()}
    ctx = context(a, language, images)
    return _env().get_template("findings.html.j2").render(**ctx)


def write_html(a: Analysis, path: str | os.PathLike, language: str | None = None,
               figures=None) -> Path:
    from ..core.storage import write_text

    return write_text(path, render_html(a, language, figures))


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
    t = a.crosstab_tests
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
            sig = bool(r["p_adjusted"] < 0.05)
            flag = " †" if bool(r.get("small_expected", False)) else ""
            row["cells"].append(f"{fmt_p(r['p_adjusted'], language)}{' *' if sig else ''}{flag}")
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


def _limitations(a: Analysis, language: str) -> list[str]:
    m = a.min_cell_count
    small = []
    for dim in ("stakeholder_group", "profile", "territory"):
        if dim in a.records:
            counts = a.records[dim].astype(str).value_counts()
            small += [f"{c} ({fmt_int(n, language)})" for c, n in counts.items() if n < 2 * m]
    n = fmt_int(len(a.records), language)
    st, units = study(a), unit_words(a, language)[1]
    stab = ""
    if len(a.k_evidence) and "stability" in a.k_evidence and len(a.groups) \
            and typology_is_clear(a):  # without a clear typology no k was retained
        row = a.k_evidence[a.k_evidence["k"] == len(a.groups)]
        if len(row):
            stab = fmt_number(row["stability"].iloc[0], language, 2)
    if language == "fr":
        items = [
            f"Les pourcentages portent sur les {n} {units} de l'étude, sans redressement : ils "
            "décrivent les personnes qui ont répondu, et ne valent pour une population que si le "
            "choix des personnes la représente. "
            + (f"Choix des personnes, selon l'étude : {st['selection']}." if st["selection"] else
               "La configuration de l'étude ne décrit pas ce choix."),
            "Les réponses sont déclaratives"
            + (f" ; elles ont été recueillies par : {st['collected_by']}."
               if st["collected_by"] else "."),
            "Le codage est automatique (motifs d'un dictionnaire de codes relu par les analystes) "
            "; il peut manquer des formulations indirectes ou en retenir de fausses. Chaque "
            "passage codé est conservé avec son extrait dans le classeur pour vérification.",
            f"Les effectifs de 1 à {m - 1} personnes sont masqués dans les tableaux croisés et "
            "les figures, ainsi que d'autres cases qui permettraient de les retrouver par "
            "différence, pour qu'aucune personne ne soit reconnaissable ; les verbatims ne "
            f"disent de leur auteur que ce que partagent au moins {m} personnes consultées.",
            "Les thèmes émergents et la typologie sont exploratoires : ils dépendent des "
            "paramètres (graine, nombre de groupes) indiqués dans la méthodologie"
            + (f" ; la stabilité de la typologie retenue (indice de Rand ajusté moyen sur "
               f"échantillons bootstrap) est de {stab}." if stab else "."),
            "Les valeurs-tests sont descriptives : avec de nombreux croisements, certaines "
            "différences peuvent être dues au hasard ; les p-valeurs sont corrigées "
            "(Benjamini-Hochberg).",
            "Les noms, numéros, adresses et courriels ont été pseudonymisés automatiquement avant "
            "l'analyse ; le rapport publié a été contrôlé, mais une relecture humaine des "
            "verbatims reste recommandée avant diffusion.",
        ]
        if small:
            items.insert(1, "Certains groupes sont petits (moins de "
                         f"{2 * m} personnes) : {', '.join(small)}. Leurs pourcentages sont "
                         "fragiles et doivent être lus comme des indications.")
    else:
        items = [
            f"Percentages are computed on the study's {n} {units}, unweighted: they describe the "
            "people who answered, and hold for a population only if the way people were chosen "
            "represents it. "
            + (f"How people were chosen, according to the study: {st['selection']}."
               if st["selection"] else "The study config does not describe how."),
            "Answers are self-reported"
            + (f"; they were collected by: {st['collected_by']}." if st["collected_by"] else "."),
            "Coding is automatic (patterns of a codebook reviewed by the analysts); it may miss "
            "indirect wording or catch false matches. Every coded passage is kept with its "
            "excerpt in the workbook for checking.",
            f"Counts of 1 to {m - 1} people are masked in cross tables and figures, and so are "
            "other cells from which they could be found by subtraction, so that no one can be "
            "recognised; quotes tell about their speaker only what at least "
            f"{m} of the people consulted share.",
            "Emerging themes and the typology are exploratory: they depend on the parameters "
            "(seed, number of groups) given in the methodology"
            + (f"; the stability of the chosen typology (mean adjusted Rand index over "
               f"bootstrap samples) is {stab}." if stab else "."),
            "Test values are descriptive: with many comparisons some differences may be due to "
            "chance; p-values are adjusted (Benjamini-Hochberg).",
            "Names, numbers, addresses and e-mails were pseudonymised automatically before the "
            "analysis; the published report was checked, but a human review of the quotes "
            "before circulation is still advised.",
        ]
        if small:
            items.insert(1, f"Some groups are small (fewer than {2 * m} people): "
                         f"{', '.join(small)}. Their percentages are fragile and should be read "
                         "as indications.")
    bases = question_bases(a)
    if len(bases) and bases.min() < len(a.records):
        low, high = fmt_int(bases.min(), language), fmt_int(bases.max(), language)
        items.insert(1, (
            f"Toutes les personnes n'ont pas répondu à toutes les questions (de {low} à {high} "
            f"{units} selon la question) : la base de chaque question est donnée dans la liste "
            "des questions, et les parts par thème sont calculées sur l'ensemble des "
            f"{n} {units}." if language == "fr" else
            f"Not everyone answered every question ({low} to {high} {units} depending on the "
            "question): each question's base is given in the list of questions, and the shares "
            f"by topic are computed on all {n} {units}."))
    return items


def question_bases(a: Analysis) -> pd.Series:
    """Number of records with a non-empty answer to each question, in the declared order."""
    answered = a.answers.loc[a.answers["text"].astype(str).str.strip() != ""]
    counts = answered.groupby("question_id")["record_id"].nunique()
    order = [q for q in a.questions["question_id"].astype(str)] if len(a.questions) else []
    return counts.reindex(order or counts.index).fillna(0).astype(int)


def attribute_names(a: Analysis) -> list[str]:
    """The attributes the records carry (the typology's group is a result, not an attribute)."""
    return [c for c in a.records.columns if c not in ("record_id", "wave", "typology_group")]


def consulted_facts(a: Analysis, language: str, dates: pd.Series) -> dict:
    """The "who was consulted and how" section: only what the data and the config say."""
    st, (_, units) = study(a), unit_words(a, language)
    fr = language == "fr"
    n, n_ans = fmt_int(len(a.records), language), fmt_int(len(a.answers), language)
    n_q = fmt_int(len(a.questions), language)
    period = st["period"]
    if not period and dates.notna().any():
        first, last = fmt_date(dates.min(), language), fmt_date(dates.max(), language)
        period = f"du {first} au {last}" if fr else f"from {first} to {last}"
    lead = (f"{n} {units} : {n_ans} réponses à {n_q} questions ouvertes" if fr else
            f"{n} {units}: {n_ans} answers to {n_q} open questions")
    if "region" in a.records:
        regions = fmt_int(a.records["region"].nunique(), language)
        lead += f", dans {regions} régions" if fr else f", in {regions} regions"
    labels = {"method": ("Méthode", "Method"), "mode": ("Mode de recueil", "Mode"),
              "collected_by": ("Réponses recueillies par", "Answers collected by"),
              "selection": ("Choix des personnes", "How people were chosen"),
              "period": ("Période", "Period"), "organisation": ("Organisation", "Organisation")}
    values = {**st, "period": period}
    items = [{"key": label[LANGUAGES.index(language)], "value": values[key]}
             for key, label in labels.items() if values[key]]
    notes = ["Les réponses ont été pseudonymisées avant toute analyse." if fr else
             "The answers were pseudonymised before any analysis."]
    if not attribute_names(a):
        notes.append("Aucun attribut des personnes (groupe, territoire, profil) n'accompagne "
                     "les réponses : les comparaisons entre groupes et entre territoires, la "
                     "matrice de priorités et les profils des groupes de la typologie sont omis."
                     if fr else "No attribute of the people (group, territory, profile) comes "
                     "with the answers: the comparisons between groups and territories, the "
                     "priority matrix and the profiles of the typology groups are left out.")
    if not st["selection"]:
        notes.append("La configuration de l'étude ne dit pas comment les personnes ont été "
                     "choisies : les pourcentages ne décrivent que les personnes qui ont répondu."
                     if fr else "The study config does not say how people were chosen: the "
                     "percentages describe only the people who answered.")
    return {"lead": lead, "items": items, "notes": notes}


STAGE_TEXT = {
    "ingest": ("Lecture et validation des fichiers de réponses (configuration d'enquête YAML)",
               "Reading and validating the answer files (YAML survey config)"),
    "anonymise": ("Pseudonymisation des réponses (personnes, téléphones, courriels, adresses, NIR, "
                  "IBAN)", "Pseudonymisation of the answers (persons, phones, e-mails, "
                  "addresses, NIR, IBAN)"),
    "nlp": ("Analyse linguistique (spaCy, français) : lemmes, termes, expressions",
            "Linguistic analysis (spaCy, French): lemmas, terms, expressions"),
    "coding": ("Codage par dictionnaire de codes (familles, codes, motifs) avec extraits",
               "Coding with the codebook (families, codes, patterns), with excerpts"),
    "themes": ("Thèmes émergents (factorisation NMF des termes des réponses)",
               "Emerging themes (NMF factorisation of the answers' terms)"),
    "typology": ("Typologie (classification des personnes sur profil, codes et vocabulaire ; "
                 "nombre de groupes retenu seulement s'il sépare mieux que les mêmes variables "
                 "permutées et reste stable d'une graine et d'un rééchantillonnage à l'autre)",
                 "Typology (clustering people on profile, codes and vocabulary; a number of groups "
                 "is kept only if it separates better than the same variables permuted and "
                 "is stable across seeds and resamples)"),
    "describe": ("Caractérisation des groupes (valeurs-tests, vocabulaire spécifique, verbatims)",
                 "Group characterisation (test values, specific vocabulary, quotes)"),
    "crosstabs": ("Tableaux croisés et tests du khi-deux, masquage des petits effectifs",
                  "Cross tables and chi-square tests, masking of small counts"),
    "map": ("Analyse des correspondances (carte factorielle)",
            "Correspondence analysis (factor map)"),
    "findings": ("Prévalences, contrastes, enseignements et matrice de priorités",
                 "Prevalences, contrasts, findings and priority matrix"),
    "save": ("Écriture des tables (parquet) et du manifeste de l'analyse",
             "Writing the tables (parquet) and the analysis manifest"),
}


def _methodology(a: Analysis, language: str) -> dict:
    i = LANGUAGES.index(language)
    stages = a.manifest.get("stages", {})
    steps = []
    for name, info in stages.items():
        secs = info.get("seconds") if isinstance(info, dict) else None
        steps.append({"name": name, "text": STAGE_TEXT.get(name, (name, name))[i],
                      "seconds": fmt_number(secs, language, 1) if secs is not None else "–"})
    settings = [{"key": k, "value": _plain(v)} for k, v in sorted(a.settings.items())]
    versions = [{"key": k, "value": str(v)} for k, v in a.manifest.get("versions", {}).items()]
    hashes = dict(a.manifest.get("inputs", {}))
    config = a.manifest.get("config", {})
    if isinstance(config, dict) and config.get("sha256"):
        hashes[config.get("file", "survey.yaml")] = config["sha256"]
    if a.manifest.get("codebook_sha256"):
        hashes[a.manifest.get("stages", {}).get("coding", {}).get("params", {}).get(
            "codebook", "codebook.yaml")] = a.manifest["codebook_sha256"]
    inputs = [{"key": str(k), "value": str(v)[:16] + "…" if len(str(v)) > 16 else str(v)}
              for k, v in hashes.items()]
    params = []
    for name, info in stages.items():
        for k, v in (info.get("params", {}) if isinstance(info, dict) else {}).items():
            params.append({"key": f"{name}.{k}", "value": _plain(v)})
    n_codes = a.codebook.groupby("family").size().to_dict() if len(a.codebook) else {}
    return {"steps": steps, "settings": settings, "versions": versions, "inputs": inputs,
            "params": params, "run_at": a.manifest.get("created", ""),
            "codebook": [{"family": k, "n": fmt_int(v, language)} for k, v in n_codes.items()],
            "n_codes": fmt_int(len(a.codebook), language),
            "n_passages": fmt_int(len(a.passages), language),
            "agreement": _agreement_rows(a, language)}


def _agreement_rows(a: Analysis, language: str) -> list[dict]:
    """The codebook's agreement with the analyst's review, overall row first."""
    t = a.coding_agreement
    if not len(t):
        return []
    learned = t[t["comparison"].str.startswith("codebook + learned") & (t["code"] == "(overall)")]
    t = t[t["comparison"] == t["comparison"].iloc[0]]
    t = pd.concat([t[t["code"] == "(overall)"], learned,
                   t[(t["code"] != "(overall)") & (t["tp"] + t["fn"] > 0)]])
    labels = a.code_labels(language)
    overall = "Ensemble (micro)" if language == "fr" else "Overall (micro)"
    combined = ("Ensemble, dictionnaire + couche apprise (validation croisée)" if language == "fr"
                else "Overall, codebook + learned layer (cross-validated)")

    def num(v):
        return fmt_number(v, language, 2) if pd.notna(v) else "–"

    return [{"code": (combined if r.comparison.startswith("codebook + learned") else overall)
             if r.code == "(overall)" else labels.get(r.code, r.code),
             "n": fmt_int(r.n, language), "support": fmt_int(r.tp + r.fn, language),
             "precision": f"{num(r.precision)} [{num(r.precision_low)}–{num(r.precision_high)}]",
             "recall": f"{num(r.recall)} [{num(r.recall_low)}–{num(r.recall_high)}]",
             "f1": num(r.f1), "kappa": num(r.kappa)} for r in t.itertuples()]


def _plain(v) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_plain(x)}" for k, x in v.items()) or "–"
    if isinstance(v, list | tuple):
        return ", ".join(_plain(x) for x in v) or "–"
    return str(v)


def _priority_rows(a: Analysis, language: str) -> dict:
    t = a.priority
    if t.empty or t["x"].isna().all():
        # No category to spread over (no attribute): breadth means nothing, no matrix.
        return {"rows": [], "top_right": []}
    # The figure splits the plane at the medians: a topic is top right only when strictly
    # beyond both dashed lines, so a flat axis (every topic at the same breadth) names none.
    xm, ym = t["x"].median(), t["y"].median()
    rows = []
    for r in t.sort_values(["y", "x", "code"], ascending=[False, False, True]).to_dict("records"):
        rows.append({"label": a.code_label(r["code"], language),
                     "family": {"need": ("besoin", "need"), "barrier": ("frein", "barrier")}.get(
                         r["family"], (r["family"], r["family"]))[LANGUAGES.index(language)],
                     "groups": f"{fmt_int(r['n_groups'], language)} / "
                               f"{fmt_int(r['n_groups_total'], language)}",
                     "breadth": fmt_pct(r["breadth"], language),
                     "prevalence": fmt_pct(r["prevalence"], language),
                     "importance": fmt_number(r["importance"], language, 1),
                     "top": bool(r["x"] > xm and r["y"] > ym)})
    return {"rows": rows, "top_right": [r["label"] for r in rows if r["top"]],
            "flat": bool(t["x"].nunique() <= 1), "flat_at": fmt_pct(t["x"].iloc[0], language),
            "dimension": Words(language).dim(t["dimension"].iloc[0]).lower(),
            "threshold": fmt_pct(_threshold(a), language),
            "uses_importance": bool(t["importance"].notna().any())}


def context(a: Analysis, language: str, images: dict[str, str]) -> dict:
    """Everything the template shows, already formatted in ``language``."""
    w = Words(language)
    r = a.records
    n = len(r)
    dates = pd.to_datetime(r["date"], errors="coerce") if "date" in r else pd.Series(dtype="M8[ns]")
    findings = []
    speakers = quote_speakers(a, language)
    for row in a.findings.to_dict("records"):
        q = a.finding_quotes[a.finding_quotes["finding"] == row["finding"]].sort_values("rank")
        findings.append({"n": int(row["finding"]), "kind": row["kind"],
                         "sentence": finding_sentence(row, a, language),
                         "quotes": _cited(q.to_dict("records"), speakers)})
    dims = [d for d in ("stakeholder_group", "profile", "territory", "age_band") if d in r]
    other_families = [f for f in a.codebook["family"].drop_duplicates().astype(str)
                      if not any(f in al for k, al in _FAMILY_KEYS.items())] \
        if len(a.codebook) else []
    themes = []
    for t in a.themes.to_dict("records"):
        q = a.theme_quotes[a.theme_quotes["theme"] == t["theme"]].sort_values("rank").head(2)
        themes.append({"theme": int(t["theme"]), "label": t["label"],
                       "terms": ", ".join(str(x).replace("_", " ") for x in list(t["top_terms"])[:8]),
                       "n": fmt_int(t["n_answers"], language), "share": fmt_pct(t["share"], language),
                       "quotes": _cited(q.to_dict("records"), speakers)})
    need_codes = a.family_codes("need")
    k = len(a.groups)
    k_range = a.k_evidence["k"].tolist() if len(a.k_evidence) else []
    sections = [("key-findings", w.key_findings), ("consulted", w.consulted)]
    sections += [(s, getattr(w, s)) for s, fam in (("services", "service"),
                 ("barriers", "barrier"), ("needs", "need")) if a.family_codes(fam)]
    if other_families:
        sections.append(("other-codes", w.other_codes))
    if len(a.themes):
        sections.append(("themes", w.themes))
    if k:
        sections.append(("typology", w.typology))
    if len(a.priority) and a.priority["x"].notna().any():
        sections.append(("priorities", w.priorities))
    sections += [("limitations", w.limitations), ("methodology", w.methodology)]
    if findings:
        sections.append(("annex-quotes", w.annex_quotes))
    return {
        "lang": language, "w": w, "wave": a.wave, "images": images,
        "survey_title": a.manifest.get("title") or "",
        "sections": [{"id": s, "title": t, "n": i + 1} for i, (s, t) in enumerate(sections)],
        "n_records": fmt_int(n, language), "n_answers": fmt_int(len(a.answers), language),
        "date_min": fmt_date(dates.min(), language) if dates.notna().any() else None,
        "date_max": fmt_date(dates.max(), language) if dates.notna().any() else None,
        "n_regions": fmt_int(r["region"].nunique(), language) if "region" in r else None,
        "n_questions": fmt_int(len(a.questions), language),
        "questions": _question_rows(a, language),
        "unit_one": unit_words(a, language)[0], "units": unit_words(a, language)[1],
        "consulted": consulted_facts(a, language, dates),
        "min_cell": a.min_cell_count, "masked_note": w("masked_note", m=a.min_cell_count - 1,
                                                         mark=mask_mark(language)),
        "findings": findings,
        "count_tables": [{"dimension": d, "title": w.dim(d), "rows": _count_table(a, d, language)}
                         for d in dims if d != "profile"],
        "profiles": _cross_table(a, "profile", "stakeholder_group", language)
        if {"profile", "stakeholder_group"} <= set(r.columns) else None,
        "cross": _cross_table(a, "stakeholder_group", "territory", language)
        if {"stakeholder_group", "territory"} <= set(r.columns) else None,
        "services": _family_rows(a, "service", language),
        "barriers": _family_rows(a, "barrier", language),
        "needs": _family_rows(a, "need", language),
        "service_contrasts": _top_contrasts(a, a.family_codes("service"), "profile", language),
        "barrier_contrasts": _top_contrasts(a, a.family_codes("barrier"), "profile", language),
        "need_contrasts_group": _top_contrasts(a, need_codes, "stakeholder_group", language),
        "need_contrasts_territory": _top_contrasts(a, need_codes, "territory", language),
        "need_tests": _tests_rows(a, need_codes, language),
        "other_families": [{"family": _family_label(a, f, language),
                            "rows": _family_rows(a, f, language)} for f in other_families],
        "themes": themes,
        "k": k, "k_min": min(k_range) if k_range else None,
        "k_unstable": _unstable_typology(a, language),
        "typology_clear": typology_is_clear(a),
        "active_marked": "active" in a.group_categories or "active" in a.group_codes,
        "no_typology": _no_typology(a, language) if k else None,
        "k_max": max(k_range) if k_range else None,
        "cards": _group_cards(a, language) if k and typology_is_clear(a) else [],
        "priority": _priority_rows(a, language),
        "has_group": "stakeholder_group" in r, "has_territory": "territory" in r,
        "has_attributes": bool(attribute_names(a)),
        "limitations": [french_spacing(x) if language == "fr" else x
                        for x in _limitations(a, language)],
        "method": _methodology(a, language),
    }



def _no_typology(a: Analysis, language: str) -> dict | None:
    """The evidence that no k beats the null, for the report; None when a typology is clear."""
    if typology_is_clear(a) or not len(a.k_evidence):
        return None
    ev = a.k_evidence.sort_values("k").reset_index(drop=True)
    beats = ev["beats_null"].fillna(False).astype(bool)
    if beats.any():  # separated, but not reproducible: show the most reproducible of those
        rep = ev[["stability", "seed_agreement"]].min(axis=1, skipna=True)
        best = ev.loc[rep[beats].idxmax()]
    else:
        best = ev.loc[(ev["silhouette"] - ev["silhouette_null_q95"]).idxmax()]
    need_codes = a.family_codes("need") + a.family_codes("barrier")
    params = _typology_params(a)
    return {"k_best": int(best["k"]),
            "threshold": fmt_number(params.get("stability_threshold", 0.75), language, 2),
            "silhouette": fmt_number(best["silhouette"], language, 2),
            "null_q95": fmt_number(best["silhouette_null_q95"], language, 2),
            "stability": fmt_number(best["stability"], language, 2)
            if pd.notna(best["stability"]) else None,
            "seed_agreement": fmt_number(best["seed_agreement"], language, 2),
            "separated": bool(beats.any()),
            "profile_contrasts": _top_contrasts(a, need_codes, "profile", language, n=8),
            "group_contrasts": _top_contrasts(a, need_codes, "stakeholder_group", language,
                                              n=6)}


def typology_verdict(a: Analysis, language: str | None = None) -> str:
    """One plain sentence: is there a clear typology, and on what evidence."""
    language = language or a.language
    fr = language == "fr"
    no = _no_typology(a, language)
    if no is None:
        k = len(a.groups)
        return (f"Typologie nette : {k} groupes, mieux séparés que les mêmes variables permutées "
                "et stables d'une graine et d'un rééchantillonnage à l'autre." if fr else
                f"Clear typology: {k} groups, better separated than the same variables permuted "
                "and stable across seeds and resamples.")
    return (f"Pas de typologie nette : aucun nombre de groupes n'est à la fois mieux séparé que "
            f"les mêmes variables permutées et stable (k = {no['k_best']} : silhouette "
            f"{no['silhouette']} contre {no['null_q95']} au 95e centile sans structure, "
            f"stabilité {no['stability'] or '–'}, accord entre graines {no['seed_agreement']})."
            if fr else
            f"No clear typology: no number of groups is both better separated than the same "
            f"variables permuted and stable (k = {no['k_best']}: silhouette "
            f"{no['silhouette']} vs {no['null_q95']} at the null's 95th percentile, stability "
            f"{no['stability'] or '–'}, agreement between seeds {no['seed_agreement']}).")


def _unstable_typology(a: Analysis, language: str) -> dict | None:
    """The chosen k's stability and the threshold it misses, when no k reached it."""
    params = _typology_params(a)
    threshold = params.get("stability_threshold", 0.75)
    ev = a.k_evidence
    if ev.empty or "stability" not in ev or not len(a.groups) or ev["stability"].max() >= threshold:
        return None
    chosen = ev.loc[ev["k"] == len(a.groups), "stability"]
    return {"stability": fmt_number(chosen.iloc[0] if len(chosen) else ev["stability"].max(),
                                    language, 2),
            "best": fmt_number(ev["stability"].max(), language, 2),
            "threshold": fmt_number(threshold, language, 2)}


_FAMILY_KEYS = {k: v for k, v in FAMILY_ALIASES.items() if k in ("service", "barrier", "need")}


def _family_label(a: Analysis, family: str, language: str) -> str:
    col = "family_label_en" if language == "en" else "family_label_fr"
    cb = a.codebook
    if col in cb:
        labels = cb.loc[cb["family"] == family, col].dropna()
        if len(labels) and str(labels.iloc[0]):
            return str(labels.iloc[0])
    return family


def _question_rows(a: Analysis, language: str) -> list[dict]:
    """The questions, with their base (who answered) when not everyone answered every one."""
    bases = question_bases(a)
    uneven = len(bases) and bases.min() < len(a.records)
    rows = []
    for q in a.questions.to_dict("records"):
        n = int(bases.get(str(q["question_id"]), 0))
        base = ""
        if uneven:
            base = (f"{fmt_int(n, language)} sur {fmt_int(len(a.records), language)}"
                    if language == "fr" else
                    f"{fmt_int(n, language)} of {fmt_int(len(a.records), language)}")
        rows.append({**q, "base": base})
    return rows


