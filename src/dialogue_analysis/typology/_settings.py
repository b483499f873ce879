"""The typology a run's settings describe: its attribute types, its feature space, its model.

One place, so that the run and a later wave carrying the run's groups over
(:class:`~dialogue_analysis.waves.ReferenceTypology`) build the same feature space.
"""

from __future__ import annotations

import pandas as pd

from ._features import FeatureBuilder
from ._model import FEATURE_PARAMS, Typology, TypologySettingsError, check_group_settings

TYPOLOGY_TYPES = ("categorical", "ordinal", "multi", "numeric")


def typology_attribute_types(records: pd.DataFrame, attributes: pd.DataFrame | None,
                             chosen: list[str] | None = None) -> dict | None:
    """Attribute types for the typology, from the survey config when it declares them.

    ``attributes`` is the declared attributes table (``attribute``, ``type``); None when it has
    no types (the feature builder then infers them from the dtypes). ``chosen``
    (settings.typology_attributes) restricts them, in the analyst's order.
    """
    if attributes is None or attributes.empty or "type" not in attributes:
        return None
    types = {r["attribute"]: r["type"] for r in attributes.to_dict("records")
             if r["attribute"] in records and r["type"] in TYPOLOGY_TYPES}
    if chosen is not None:
        unknown = [a for a in chosen if a not in types]
        if unknown:
            raise TypologySettingsError(
                f"settings.typology_attributes: {', '.join(unknown)} is not an attribute the "
                f"typology can use (choose among {', '.join(types)})")
        types = {a: types[a] for a in chosen}
    return types or None


def feature_builder_from_settings(settings: dict, records: pd.DataFrame,
                                  attributes: pd.DataFrame | None) -> FeatureBuilder:
    """The (unfitted) feature builder of the typology the run settings describe."""
    return FeatureBuilder(
        attributes=typology_attribute_types(records, attributes,
                                            settings.get("typology_attributes")),
        blocks=settings.get("typology_blocks"),
        weights=settings.get("typology_weights") or None,
        random_state=int(settings.get("seed", 0)))


def typology_from_settings(settings: dict, records: pd.DataFrame,
                           attributes: pd.DataFrame | None) -> tuple[Typology, dict | None]:
    """The (unfitted) typology the run settings describe, and its attribute types."""
    check_group_settings(len(records), settings.get("n_clusters", "auto"),
                         settings.get("k_range", (2, 8)),
                         min_group_size=int(settings.get("min_cell_count", 5)),
                         language=settings.get("language", "fr"))
    features = feature_builder_from_settings(settings, records, attributes).get_params()
    typo = Typology(n_clusters=settings.get("n_clusters", "auto"),
                    k_range=tuple(settings.get("k_range", (2, 8))),
                    min_group_size=int(settings.get("min_cell_count", 5)),
                    **{p: features[p] for p in FEATURE_PARAMS})
    return typo, typo.attributes
