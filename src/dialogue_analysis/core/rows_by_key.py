"""A table's rows found by the values of its key columns, from sorted arrays.

A national consultation has hundreds of thousands of (record, question) keys: a dict, a set of
tuples or an array per key over all of them costs more than the tables they index, and so does
a hash table kept over its distinct values. Here each key column is factorised once, its
distinct values (compared as text) are kept sorted, a row's key is one integer, and rows are
found by binary search.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


class RowsByKey:
    """The rows of a table by the values of its key ``columns`` (compared as text; a missing
    value matches nothing).

    ``all`` gives each key's rows in ascending order, as ``groupby(columns).indices`` gives
    them; ``last`` gives each key's last row, as ``drop_duplicates(keep="last")`` keeps it.
    """

    def __init__(self, *columns: pd.Series | Sequence):
        if not columns:
            raise ValueError("RowsByKey needs at least one key column")
        self.levels: list[np.ndarray] = []  # each column's distinct values, sorted (str)
        key = np.zeros(len(columns[0]), dtype=np.int64)
        for column in columns:
            text, present = _text(column)
            found, uniques = pd.factorize(text[present])
            uniques = np.asarray(uniques, dtype=object)
            order = np.argsort(uniques, kind="stable")  # compared as Python strings
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            codes = np.full(len(text), -1, dtype=np.int64)
            codes[present] = rank[found]
            self.levels.append(uniques[order])
            key = key * (len(order) + 1) + codes
        self.order = np.argsort(key, kind="stable")
        self.sorted = key[self.order]

    def _bounds(self, values: Sequence) -> tuple[np.ndarray, np.ndarray]:
        """Where the rows of each asked key start and end in the sorted keys."""
        if len(values) != len(self.levels):
            raise ValueError(f"{len(values)} key column(s) asked, {len(self.levels)} indexed")
        n = len(values[0])
        key = np.zeros(n, dtype=np.int64)
        missing = np.zeros(n, dtype=bool)
        for level, column in zip(self.levels, values, strict=True):
            codes = _codes_in(level, column)
            missing |= codes < 0
            key = key * (len(level) + 1) + codes
        low = np.searchsorted(self.sorted, key, "left")
        high = np.where(missing, low, np.searchsorted(self.sorted, key, "right"))
        return low, high

    def all(self, *values: pd.Series | Sequence) -> list[np.ndarray]:
        """The rows of each asked key (``values``: one sequence per key column), ascending."""
        low, high = self._bounds(values)
        return [self.order[lo:hi] for lo, hi in zip(low.tolist(), high.tolist(), strict=True)]

    def last(self, *values: pd.Series | Sequence) -> np.ndarray:
        """The last row of each asked key, -1 where the table has none."""
        low, high = self._bounds(values)
        found = high > low
        out = np.full(len(low), -1, dtype=np.int64)
        out[found] = self.order[high[found] - 1]
        return out


def _text(column: pd.Series | Sequence) -> tuple[pd.Series, np.ndarray]:
    """A key column's values as text, and which are not missing (missing before conversion:
    ``astype(str)`` writes some missing values as text)."""
    series = column if isinstance(column, pd.Series) else pd.Series(list(column), dtype=object)
    present = series.notna().to_numpy()
    return series.astype(str).reset_index(drop=True), present


def _codes_in(level: np.ndarray, column: pd.Series | Sequence) -> np.ndarray:
    """The position of each of ``column``'s values in a level's sorted values, -1 if absent."""
    text, present = _text(column)
    asked = text.to_numpy(dtype=object)
    codes = np.full(len(asked), -1, dtype=np.int64)
    if not len(level) or not present.any():
        return codes
    asked = np.where(present, asked, "")  # compared as Python strings, none missing
    at = np.minimum(np.searchsorted(level, asked), len(level) - 1)
    found = present & (level[at] == asked)
    codes[found] = at[found]
    return codes
