"""The reference sequence of ``train --epistatic-reg --reference FILE.fa``."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .fasta import display_name, read_fasta


def read_reference(path, encoder) -> np.ndarray:
    """Codes of the single record of ``--reference FILE.fa``, encoded as the training data.

    Parameters
    ----------
    path : str or pathlib.Path
        A FASTA file holding one record.
    encoder : Encoder
        The training data's encoder (alphabet, length, resizing).

    Returns
    -------
    numpy.ndarray of int, shape=(length,)

    Raises
    ------
    InputError
        Not exactly one record, or a record that does not fit the alphabet or length.
    """
    records = list(read_fasta(path))
    if len(records) != 1:
        raise InputError(f"--reference {display_name(path)}: holds {len(records)} records; give one reference "
                         "sequence")
    return encoder.encode(records).codes[0]
