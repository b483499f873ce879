"""The typology a run's settings describe: its attribute types, its feature space, its model.

One place, so that the run and a later wave carrying the run's groups over
(:class:`~dialogue_analysis.waves.ReferenceTypology`) build the same feature space.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import pandas as pd

from ..core.errors import DialogueAnalysisError, DialogueAnalysisWarning
from ..core.i18n import tr

if TYPE_CHECKING:  # scikit-learn is imported by the runs that fit a typology, not by the checks
    from ._features import FeatureBuilder
    from ._model import Typology

TYPOLOGY_TYPES = ("categorical", "ordinal", "multi", "numeric")


class TypologySettingsError(DialogueAnalysisError, ValueError):
    """A typology setting does not fit the wave (more groups than interviews, an attribute
    the typology cannot use)."""


def check_group_settings(n_records: int, n_clusters, k_range, *, min_group_size: int = 5,
                         language: str = "fr") -> None:
    """Check ``n_clusters`` and ``k_range`` against the number of interviews, before fitting.

    At most ``n_records - 1`` groups can be made (each group needs a record, and one group of
    everything says nothing). A fixed ``n_clusters`` beyond that is an error; a ``k_range``
    beyond it is narrowed, with a warning; a wave too small for groups of ``min_group_size``
    gets one warning (instead) that its groups are fragile and which numbers are tried.
    """
    top = n_records - 1
    if top < 2:
        raise TypologySettingsError(tr("typo_too_few", language, n=n_records))
    if n_clusters != "auto" and int(n_clusters) > top:
        raise TypologySettingsError(tr("typo_n_clusters", language, k=n_clusters, n=n_records,
                                       top=top))
    if n_clusters == "auto":
        low, high = min(int(k_range[0]), top), min(int(k_range[1]), top)
        tried = str(low) if low == high else f"{low}–{high}"
    else:
        tried = str(n_clusters)
    if n_records < 2 * min_group_size:  # one warning says it all on a very small wave
        warnings.warn(tr("typo_small_wave", language, n=n_records, size=min_group_size,
                         tried=tried), DialogueAnalysisWarning, stacklevel=2)
    elif n_clusters == "auto" and int(k_range[1]) > top:
        warnings.warn(tr("typo_k_range", language, low=k_range[0], high=k_range[1],
                         n=n_records, tried=tried), DialogueAnalysisWarning, stacklevel=2)


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
    from ._features import FeatureBuilder

    return FeatureBuilder(
        attributes=typology_attribute_types(records, attributes,
                                            settings.get("typology_attributes")),
        blocks=settings.get("typology_blocks"),
        weights=settings.get("typology_weights") or None,
        random_state=int(settings.get("seed", 0)))


def typology_from_settings(settings: dict, records: pd.DataFrame,
                           attributes: pd.DataFrame | None) -> tuple[Typology, dict | None]:
    """The (unfitted) typology the run settings describe, and its attribute types."""
    from ..core import FIT_SAMPLE
    from ._model import FEATURE_PARAMS, Typology

    check_group_settings(len(records), settings.get("n_clusters", "auto"),
                         settings.get("k_range", (2, 8)),
                         min_group_size=int(settings.get("min_cell_count", 5)),
                         language=settings.get("language", "fr"))
    features = feature_builder_from_settings(settings, records, attributes).get_params()
    typo = Typology(n_clusters=settings.get("n_clusters", "auto"),
                    k_range=tuple(settings.get("k_range", (2, 8))),
                    min_group_size=int(settings.get("min_cell_count", 5)),
                    max_records=settings.get("fit_sample", FIT_SAMPLE),
                    **{p: features[p] for p in FEATURE_PARAMS})
    return typo, typo.attributes
