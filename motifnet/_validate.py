"""Shared checks of user-given values."""

from __future__ import annotations

import operator

from .errors import ParamError


def check_indices(values, count: int, option: str, nouns: tuple, valid: str) -> list:
    """Check a list of 0-based indices against ``count`` items, in the given order.

    Parameters
    ----------
    values : iterable
        The indices given by the user.
    count : int
        Number of items; valid indices are 0 to ``count - 1``.
    option : str
        What the values are for (message prefix, e.g. ``classes``).
    nouns : tuple of str
        How messages name the items: (what to give at least one of, what was expected,
        one item), e.g. ``("class index", "class indices", "index")``.
    valid : str
        The sentence that lists the valid choices.

    Raises
    ------
    ParamError
        No values, a value that is not an integer, or one out of range.
    """
    one, expected, item = nouns
    values = list(values)
    if not values:
        raise ParamError(f"{option}: give at least one {one}; {valid}")
    checked = []
    for value in values:
        try:
            index = operator.index(value)
        except TypeError:
            raise ParamError(f"{option}: expected {expected} (integers), received: {value!r}; {valid}") from None
        if not 0 <= index < count:
            raise ParamError(f"{option}: {item} {index} is out of range; {valid}")
        checked.append(index)
    return checked
