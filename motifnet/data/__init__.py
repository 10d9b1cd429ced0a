"""Inputs: FASTA reading, alphabets, encoding, features, targets, the dataset and its input pipeline."""
