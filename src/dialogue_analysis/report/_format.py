"""Numbers, shares, dates and ratios as the report writes them, in French or English."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis import Analysis
from ..core.i18n import unit_names

NNBSP = "\u202f"  # narrow no-break space: French thousands separator and before % : ; ! ?

# -- number and date formatting -------------------------------------------------------------


def _missing(x) -> bool:
    try:
        return x is None or pd.isna(x) or (isinstance(x, float) and not np.isfinite(x))
    except (TypeError, ValueError):
        return False


def fmt_number(x, language: str = "fr", decimals: int = 0) -> str:
    """``1 234,5`` in French (narrow no-break space, decimal comma), ``1,234.5`` in English."""
    if _missing(x):
        return "–"
    s = f"{float(x):,.{decimals}f}"
    if s.startswith("-") and float(s.replace(",", "").replace("-", "")) == 0:
        s = s[1:]  # no "-0"
    if language == "fr":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", NNBSP)
    return s


def fmt_pct(x, language: str = "fr", decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage: ``12 %`` (narrow no-break space) or ``12%``."""
    if _missing(x):
        return "–"
    s = fmt_number(100 * float(x), language, decimals)
    return f"{s}{NNBSP}%" if language == "fr" else f"{s}%"


def fmt_int(x, language: str = "fr") -> str:
    return fmt_number(x, language, 0)


def fmt_tv(x, language: str = "fr") -> str:
    """Test value with one decimal."""
    return fmt_number(x, language, 1)


def fmt_p(p, language: str = "fr") -> str:
    if _missing(p):
        return "–"
    if p < 0.001:
        return "< " + fmt_number(0.001, language, 3)
    return fmt_number(p, language, 3)


MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
}


def fmt_date(d, language: str = "fr") -> str:
    if _missing(d):
        return "–"
    d = pd.Timestamp(d)
    day = "1er" if language == "fr" and d.day == 1 else str(d.day)
    if language == "fr":
        return f"{day} {MONTHS['fr'][d.month - 1]} {d.year}"
    return f"{d.day} {MONTHS['en'][d.month - 1]} {d.year}"


def fmt_ratio(r, language: str = "fr") -> str:
    """``2 fois plus`` / ``1,8 fois plus`` ; ``twice as often`` / ``1.8 times as often``."""
    if _missing(r):
        return ""
    rounded = round(float(r), 1)
    if language == "fr":
        if abs(rounded - round(rounded)) < 1e-9:
            return {2: "deux fois plus", 3: "trois fois plus", 4: "quatre fois plus"}.get(
                int(round(rounded)), f"{fmt_number(rounded, 'fr', 0)} fois plus")
        return f"{fmt_number(rounded, 'fr', 1)} fois plus"
    if abs(rounded - 2) < 1e-9:
        return "twice as often"
    decimals = 0 if abs(rounded - round(rounded)) < 1e-9 else 1
    return f"{fmt_number(rounded, 'en', decimals)} times as often"






def study(a: Analysis) -> dict[str, str]:
    """The config's ``study`` section saved with the analysis (defaults where it says nothing)."""
    from ..ingest import Study

    saved = a.manifest.get("study") if isinstance(a.manifest, dict) else None
    return {**Study().to_dict(), **(saved or {})}


def unit_words(a: Analysis, language: str) -> tuple[str, str]:
    """What one record is called (singular, plural), e.g. ``("répondant", "répondants")``."""
    return unit_names(study(a)["unit"], language)



