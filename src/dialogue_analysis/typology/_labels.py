"""Automatic labels of groups: who they are (profile, stakeholder group, where) and what they
need (their most over-represented codes), from the tables of :func:`describe_groups`.
"""

from __future__ import annotations

import pandas as pd

# Canonical fields that say who a group is; the automatic labels name them first.
WHO_ATTRIBUTES = ("stakeholder_group", "profile", "territory", "age_band")

def code_label(code, codebook_labels=None, language="fr"):
    """Label of a code from ``codebook_labels`` (str or ``{"fr", "en"}``), else its id."""
    label = (codebook_labels or {}).get(code)
    if isinstance(label, dict):
        label = label.get(language) or label.get("fr") or next(iter(label.values()), None)
    return str(label) if label else str(code)


def _significant_over(table, group, alpha):
    if table.empty or "direction" not in table:
        return table.iloc[0:0]
    sel = table[(table["group"] == group) & (table["direction"] == "over")]
    sel = sel[sel["p_adjusted"] < alpha]
    return sel.sort_values("test_value", ascending=False, kind="stable")


def _top(table, column, alpha, n, families=None):
    """Per group, the ``n`` most over-represented values of ``column`` (significant only)."""
    out = {}
    for grp in table["group"].unique() if len(table) else []:
        sel = _significant_over(table, grp, alpha)
        if families is not None and "family" in sel:
            sel = sel[sel["family"].isin(families)]
        out[grp] = list(sel[column].head(n))
    return out


def _listing(table, group, alpha, column, n=3):
    sel = _significant_over(table, group, alpha).head(n)
    if sel.empty:
        return ""
    names = sel[column].astype(str)
    if column == "category":
        names = sel["attribute"].astype(str) + "=" + names
    return "; ".join(
        f"{name} ({tv:+.1f})" for name, tv in zip(names, sel["test_value"], strict=True)
    )


def _labels(order, categories, codes, alpha, label_attributes, families, types, overrides):
    """Automatic French and English labels, then the analyst's overrides."""
    if label_attributes is None:
        described = [c for c, t in types.items() if t in ("categorical", "ordinal")]
        who = [c for c in WHO_ATTRIBUTES if c in described]
        # Who they are first (the canonical fields); other attributes only when none is there.
        label_attributes = who or described
    labels, labels_en = {}, {}
    for gi, grp in enumerate(order):
        cats = _significant_over(categories, grp, alpha)
        cats = cats[cats["attribute"].isin(label_attributes)]
        # A bare number ("1" of a 1-5 scale) means nothing without its scale: not in a label.
        cats = cats[~cats["category"].astype(str).str.fullmatch(r"[\d.,\s]+")]
        who = _who(cats, label_attributes)
        chosen = []
        sig = _significant_over(codes, grp, alpha)
        for fam in families:  # one code of each family, in the order given
            chosen += list(sig[sig["family"] == fam].index[:1])
        what_fr = [_lower_first(codes.loc[i, "label"]) for i in chosen]
        what_en = [_lower_first(codes.loc[i, "label_en"]) for i in chosen]
        head_fr = ", ".join(" et ".join(w) for w in who) if who else f"Groupe {gi + 1}"
        head_en = ", ".join(" and ".join(w) for w in who) if who else f"Group {gi + 1}"
        labels[grp] = _capitalise(head_fr + (" : " + ", ".join(what_fr) if what_fr else ""))
        labels_en[grp] = _capitalise(head_en + (": " + ", ".join(what_en) if what_en else ""))
    for labs in (labels, labels_en):  # identical automatic labels would confuse a reader
        seen = pd.Series(labs).duplicated(keep=False)
        for grp in seen[seen].index:
            labs[grp] = f"{labs[grp]} ({grp})"
    for key, value in (overrides or {}).items():
        grp = next((o for o in order if str(o) == str(key)), None)
        if grp is None:
            continue
        if isinstance(value, dict):
            labels[grp] = value.get("fr", labels[grp])
            labels_en[grp] = value.get("en", labels_en[grp])
        else:
            labels[grp] = labels_en[grp] = str(value)
    return labels, labels_en


# Who a group is: rules tried in order, (attribute, number of its categories, share of the
# group they must make up together). A profile that is half the group names it; two profiles
# name it only when they make most of it, else its stakeholder group does.
WHO_RULES = (("profile", 1, 0.5), ("profile", 2, 0.75), ("stakeholder_group", 1, 0.6),
             ("profile", 2, 0.6), ("stakeholder_group", 2, 0.6))
WHERE_LEVELS = ("territory", "age_band")


def _who(cats, label_attributes, where_share=0.4):
    """Words naming who a group is: ``[["senior", "salarié décroché"], ["rural"]]``.

    The first rule of :data:`WHO_RULES` that the group's over-represented categories meet, then
    the over-represented territory (or age band) shared by at least ``where_share`` of the
    group. With attributes other than the canonical ones: the two most over-represented
    categories.
    """
    levels = {a for a, _, _ in WHO_RULES if a in label_attributes}
    if not levels:
        top2 = cats.drop_duplicates("attribute").head(2)
        top2 = top2.assign(_o=top2["attribute"].map(label_attributes.index))
        return [[str(c)] for c in top2.sort_values("_o", kind="stable")["category"]]
    who = []
    for attribute, n, share in WHO_RULES:
        if attribute not in levels:
            continue
        sel = cats[cats["attribute"] == attribute].sort_values(
            ["count_in_group", "test_value"], ascending=False, kind="stable").head(n)
        if len(sel) == n and sel["share_in_group"].sum() >= share:
            who = [list(sel["category"].astype(str))]
            break
    if not who:
        sel = cats[cats["attribute"].isin(levels)]
        who = [[str(sel["category"].iloc[0])]] if len(sel) else []
    for attribute in (a for a in WHERE_LEVELS if a in label_attributes):
        sel = cats[(cats["attribute"] == attribute) & (cats["share_in_group"] >= where_share)]
        if len(sel):
            who.append([str(sel["category"].iloc[0])])
            break
    return who


def _lower_first(text):
    """'Équipement' -> 'équipement' inside a label, but 'CAF et prestations' stays."""
    text = str(text)
    return text[:1].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def _capitalise(text):
    return text[:1].upper() + text[1:]


