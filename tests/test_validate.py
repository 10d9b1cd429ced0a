"""motifnet._validate: the shared check of user-given indices and its messages."""

import numpy as np
import pytest

from motifnet._validate import check_indices
from motifnet.errors import MotifnetError, ParamError

NOUNS = ("class index", "class indices", "index")
VALID = "valid: 0 to 2 (a, b, c)"


def test_valid_indices_come_back_as_ints_in_the_given_order():
    checked = check_indices((2, np.int64(0), 2), 3, "--classes", NOUNS, VALID)
    assert checked == [2, 0, 2] and all(type(index) is int for index in checked)
    assert check_indices(iter([1]), 3, "--classes", NOUNS, VALID) == [1]


@pytest.mark.parametrize("values, message", [
    ([], "--classes: give at least one class index; valid: 0 to 2 (a, b, c)"),
    ([0, 1.0], "--classes: expected class indices (integers), received: 1.0; valid: 0 to 2 (a, b, c)"),
    (["1"], "--classes: expected class indices (integers), received: '1'; valid: 0 to 2 (a, b, c)"),
    ([0, 3], "--classes: index 3 is out of range; valid: 0 to 2 (a, b, c)"),
    ([-1], "--classes: index -1 is out of range; valid: 0 to 2 (a, b, c)"),
])
def test_bad_indices_are_one_parameter_error_naming_the_value(values, message):
    with pytest.raises(ParamError) as raised:
        check_indices(values, 3, "--classes", NOUNS, VALID)
    assert str(raised.value) == message
    assert isinstance(raised.value, MotifnetError)


def test_nothing_is_valid_when_there_are_no_items():
    with pytest.raises(ParamError, match="kernel 0 is out of range"):
        check_indices([0], 0, "kernels", ("kernel", "kernel indices", "kernel"), "the model has no kernels")
