"""The typology the run settings describe, and the codebook labels the describing stages use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # the typology is imported only by the stages that fit one
    from ..typology import Typology


def _codebook_labels(codebook: pd.DataFrame) -> dict:
    if codebook.empty:
        return {}
    return {str(r["code"]): {"fr": r.get("label_fr") or r["code"],
                             "en": r.get("label_en") or r.get("label_fr") or r["code"]}
            for r in codebook.to_dict("records")}


def _attribute_types(records: pd.DataFrame, attributes: pd.DataFrame,
                     chosen: list[str] | None = None) -> dict | None:
    """Attribute types for the typology, from the survey config when it declares them.

    ``chosen`` (settings.typology_attributes) restricts them, in the analyst's order.
    """
    if attributes is None or attributes.empty or "type" not in attributes:
        return None
    keep = {"categorical", "ordinal", "multi", "numeric"}
    types = {r["attribute"]: r["type"] for r in attributes.to_dict("records")
             if r["attribute"] in records and r["type"] in keep}
    if chosen is not None:
        unknown = [a for a in chosen if a not in types]
        if unknown:
            from ..typology import TypologySettingsError

            raise TypologySettingsError(
                f"settings.typology_attributes: {', '.join(unknown)} is not an attribute the "
                f"typology can use (choose among {', '.join(types)})")
        types = {a: types[a] for a in chosen}
    return types or None


def typology_from_settings(settings: dict, records: pd.DataFrame,
                           attributes: pd.DataFrame | None) -> tuple[Typology, dict | None]:
    """The (unfitted) typology the run settings describe, and its attribute types."""
    from ..typology import Typology, check_group_settings

    check_group_settings(len(records), settings.get("n_clusters", "auto"),
                         settings.get("k_range", (2, 8)),
                         min_group_size=int(settings.get("min_cell_count", 5)),
                         language=settings.get("language", "fr"))
    types = _attribute_types(records, attributes, settings.get("typology_attributes"))
    typo = Typology(n_clusters=settings.get("n_clusters", "auto"),
                    k_range=tuple(settings.get("k_range", (2, 8))),
                    random_state=int(settings.get("seed", 0)), attributes=types,
                    min_group_size=int(settings.get("min_cell_count", 5)),
                    blocks=settings.get("typology_blocks"),
                    weights=settings.get("typology_weights") or None)
    return typo, types


