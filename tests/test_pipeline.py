"""The tf.data input pipeline: batches of indices, one-hot made per batch."""

import numpy as np
import pytest

from motifnet.data.alphabets import DNA
from motifnet.data.encoding import Encoder
from motifnet.data.pipeline import index_batches, make_tf_dataset


def epochs(dataset, count):
    return [[batch.numpy().tolist() for batch in dataset] for _ in range(count)]


@pytest.mark.parametrize("n, batch_size", [(10, 3), (12, 4), (5, 8), (1, 1)])
def test_unshuffled_batches_are_the_records_in_order(n, batch_size):
    batches = epochs(index_batches(n, batch_size), 1)[0]
    assert [index for batch in batches for index in batch] == list(range(n))
    assert [len(batch) for batch in batches[:-1]] == [batch_size] * (len(batches) - 1)


@pytest.mark.parametrize("n, batch_size", [(103, 10), (40, 8)])
def test_shuffled_batches_are_a_new_permutation_every_epoch_reproducibly(n, batch_size):
    per_epoch = -(-n // batch_size)
    batches = epochs(index_batches(n, batch_size, shuffle_seed=7, epochs=3), 1)[0]
    first = [batches[i:i + per_epoch] for i in range(0, len(batches), per_epoch)]
    assert len(first) == 3
    for epoch in first:
        assert sorted(index for batch in epoch for index in batch) == list(range(n))
        assert [len(batch) for batch in epoch] == [batch_size] * (n // batch_size) + (
            [n % batch_size] if n % batch_size else [])
    assert first[0] != first[1] != first[2] != first[0]
    assert int(index_batches(n, batch_size, shuffle_seed=7, epochs=3).cardinality()) == 3 * per_epoch  # Keras needs it
    assert int(index_batches(n, batch_size).cardinality()) == per_epoch
    assert epochs(index_batches(n, batch_size, shuffle_seed=7, epochs=3), 2) == [batches, batches]  # iterated again
    assert epochs(index_batches(n, batch_size, shuffle_seed=8), 1)[0] != first[0]
    # A resumed fit starts at a later epoch and sees the orders an uninterrupted one saw.
    assert epochs(index_batches(n, batch_size, shuffle_seed=7, epochs=3, first_epoch=1), 1)[0] == batches[per_epoch:]


def test_pipeline_batches_hold_the_one_hot_rows_of_their_labels():
    encoder = Encoder(DNA, 4)
    codes = np.array([[1, 2, 3, 4], [4, 3, 2, 1], [1, 1, 1, 1]], dtype=np.uint8)
    labels = np.eye(3, dtype=np.uint8)
    seen = {}
    for inputs, batch_labels in make_tf_dataset(encoder, {"codes": codes}, labels, 2, shuffle_seed=3):
        for one_hot, label in zip(inputs["sequence"].numpy(), batch_labels.numpy()):
            seen[int(label.argmax())] = one_hot
    assert sorted(seen) == [0, 1, 2]
    for row, one_hot in seen.items():
        np.testing.assert_array_equal(one_hot, encoder.one_hot(codes[row:row + 1])[0])
