"""Choosing motifnet's default architecture (issue 17): candidates measured on several data sets.

Run with ``python benchmarks/defaults.py [--quick] [--sets a,b] [--candidates a,c]``; writes
``benchmarks/defaults.md`` (table) and ``benchmarks/defaults.tsv`` (raw results). Every figure
stands beside a reference measured in the same run on the same test records:

* planted DNA sets (``dna``, ``dna_pair``): sequences of 200 nt with a GC content of 0.42; a
  class's motif instance, sampled from its JASPAR PWM, is planted in 80% of the class's
  sequences at a uniform position, on either strand with probability 1/2. ``dna``: background,
  CTCF, GATA1, FOXA1, NFKB1. ``dna_pair``: background, GATA1, FOXA1, and GATA1+FOXA1 (80% of
  that class carry both, at independent positions). Reference: the oracle, the posterior
  over classes from the true generative model (exact for single-motif classes; for the pair
  class the two instances are treated as independent, ignoring the rare overlaps).
  ``dna_centred``: ``dna``'s classes with each instance's middle within 25 nt of the window's
  middle, as around ChIP-seq peak summits; its oracle knows that span.
* the RBP CLIP sets of pysster (``pum2``, ``nova``, ``srsf1``; sequence only unless
  ``--fold`` is given): trained on the train files (motifnet's own 0.8/0.2 train/validation
  split, no test split), evaluated on the test files. Reference: pysster's published ROC-AUC
  (sequence + structure).
* ``protein``: 100 aa with a uniform background; three classes with a planted motif of 6
  residues (80% carry rate) and a background class; oracle as for DNA, forward strand only.
* ``regression``: DNA of 200 nt with 0-2 planted GATA1 and 0-2 FOXA1 instances each; the
  target is the sum of the planted instances' log-odds scores plus Gaussian noise. References:
  the ceiling (Pearson r of the noise-free target with the measured one) and a PWM-scan oracle
  (per motif the expected number of instances and their expected score from the true PWMs,
  read out by least squares fitted on the training records), and beside it the same oracle given only
  each motif's best site (what a global maximum sees: no count of instances).

Each planted set is drawn from a generator seeded by ``--seed`` and the set's place in ``SETS``,
so it is the same whichever other sets are asked for. ``--time-epochs ROUNDS`` times epochs
instead: every candidate trains a few epochs on each set, in turns, for that many rounds
(:func:`time_epochs`), so that a change of load touches every candidate alike.

Metrics are motifnet's own (``compute_metrics``: mean one-vs-rest ROC-AUC over classes;
``regression_metrics``: Pearson r), computed on held-out test files that training never sees.
Candidates are compared on validation loss (``history.tsv``, the best epoch); test figures are
reported, never used to choose. Trainings run one at a time under ``nice``; run folders are kept
in ``--work`` and reused by a later invocation with the same settings.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
MOTIFNET = [sys.executable, "-m", "motifnet"]
# The RBP sets live in the workspace's shared folder, beside the repository (or MOTIFNET_RBP_DIR).
RBP_DIR = Path(os.environ.get("MOTIFNET_RBP_DIR", ROOT.parent / "shared" / "benchmarks" / "rbp"))
RBP_PUBLISHED = {"pum2": 0.945, "nova": 0.954, "srsf1": 0.934}
DNA = "ACGT"
PROTEIN = "ACDEFGHIKLMNPQRSTVWY"
GC = 0.42
CARRY = 0.8
SETS = ("dna", "dna_pair", "pum2", "nova", "protein", "regression", "srsf1", "dna_centred")
# dna_centred: an instance's middle lies within this many nt of the window's middle (ChIP-seq summits).
CENTRE_SPREAD = 25

# Every hyperparameter explicitly; the architecture keys come from each candidate.
BASE = {
    "conv_num": 2, "kernel_num": 30, "kernel_len": 25, "pool_size": 2, "pool_stride": 2,
    "dense_num": 1, "neuron_num": 100, "dropout_input": 0.1, "dropout_conv": 0.3, "dropout_dense": 0.6,
    "batch_size": 128, "learning_rate": 0.0005, "patience_lr": 5, "patience_stopping": 15,
    "epochs": 100, "kernel_constraint": 3.0,
}
# Parameters newer than pysster's, with the value that leaves pysster's network unchanged.
NEW_KEYS = {"global_pool": None, "batch_norm": False, "strand": "forward", "position_bins": 0, "short_kernels": 0,
            "short_kernel_len": 8, "conv_activation": "relu"}
GLOBAL_NET = {"conv_num": 1, "kernel_num": 64, "kernel_len": 15, "pool_size": 1, "pool_stride": 1,
              "global_pool": "max", "dense_num": 1, "neuron_num": 32}
# The default network (candidate x16a, preset motifnet), which later candidates change one value of.
X16A = {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "kernel_len": "auto"}
CANDIDATES = {
    "a": ("pysster defaults", {}),
    "b": ("pysster, kernel_len 8", {"kernel_len": 8}),
    "c": ("global max pool: 1x64 conv of 15, dense 32", dict(GLOBAL_NET)),
    "d": ("(c) + strand both", {**GLOBAL_NET, "strand": "both"}),
    "e": ("(c) + strand both + batch_norm", {**GLOBAL_NET, "strand": "both", "batch_norm": True}),
    "f": ("(c) with global_pool avg", {**GLOBAL_NET, "global_pool": "avg"}),
    "g": ("(d) with kernel_len 11", {**GLOBAL_NET, "strand": "both", "kernel_len": 11}),
    "h": ("(d) with kernel_len 19", {**GLOBAL_NET, "strand": "both", "kernel_len": 19}),
    "i": ("(b) + strand both", {"kernel_len": 8, "strand": "both"}),
    "j": ("(m) with kernel_len 8", {**GLOBAL_NET, "strand": "auto", "kernel_len": 8}),
    "k": ("(m) with 128 kernels of 11", {**GLOBAL_NET, "strand": "auto", "kernel_num": 128, "kernel_len": 11}),
    "m": ("(c) + strand auto (both for DNA, forward otherwise): the motifnet preset until position_bins",
          {**GLOBAL_NET, "strand": "auto"}),
    "n": ("(m) with learning_rate 0.002", {**GLOBAL_NET, "strand": "auto", "learning_rate": 0.002}),
    "o": ("(n) with kernel_len 11", {**GLOBAL_NET, "strand": "auto", "learning_rate": 0.002, "kernel_len": 11}),
    "p": ("1x64 conv of 11, max pool 10/10, flatten, dense 32, strand auto, learning_rate 0.002",
          {**GLOBAL_NET, "kernel_len": 11, "pool_size": 10, "pool_stride": 10, "global_pool": None, "strand": "auto",
           "learning_rate": 0.002}),
    "q": ("1x64 conv of 15, max pool 25/25, flatten, dense 32, strand auto",
          {**GLOBAL_NET, "pool_size": 25, "pool_stride": 25, "global_pool": None, "strand": "auto"}),
    "v": ("(m) + position_bins 8 (activations weighted per stretch before the global max): the motifnet preset "
          "until (x)",
          {**GLOBAL_NET, "strand": "auto", "position_bins": 8}),
    "w": ("(v) with the preset's epoch limit, 500, instead of the benchmark's 100",
          {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "epochs": 500}),
    "x": ("(v) without dropout on the convolution's activations (dropout_conv 0): the motifnet preset until (x16)",
          {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0}),
    "x5": ("(x) with the preset's epoch limit, 500, instead of the benchmark's 100",
           {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0, "epochs": 500}),
    "z": ("(x) with dropout_dense 0.3",
          {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0, "dropout_dense": 0.3}),
    "xl": ("(x) with kernel_len 11",
           {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0, "kernel_len": 11}),
    "xk": ("(x) with 128 kernels",
           {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0, "kernel_num": 128}),
    "xm": ("(x) with global_pool max+avg (each kernel's weighted mean beside its weighted maximum)",
           {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0, "global_pool": "max+avg"}),
    "x2": ("(x) with a second convolution (64 kernels of 5) after max pooling of 2: a receptive field of 23 for "
           "clusters and pairs of elements",
           {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0, "conv_num": 2,
            "kernel_len": [15, 5], "pool_size": [2, 1], "pool_stride": [2, 1]}),
    "x2n": ("(x2) without the pooling between the convolutions (receptive field 19)",
            {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0, "conv_num": 2,
             "kernel_len": [15, 5]}),
    "x16": ("(x) with position_bins 16 (stretches of 12-13 positions on 200 nt): the motifnet preset, the default",
            {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0}),
    "x32": ("(x) with position_bins 32", {**GLOBAL_NET, "strand": "auto", "position_bins": 32, "dropout_conv": 0.0}),
    "x16m": ("(x16) with global_pool max+avg (each kernel's weighted mean beside its weighted maximum)",
             {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "global_pool": "max+avg"}),
    "x16m8": ("(x16m) with kernel_len 8",
              {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "global_pool": "max+avg",
               "kernel_len": 8}),
    "x16k8": ("(x16) with kernel_len 8",
              {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "kernel_len": 8}),
    "x16k6": ("(x16) with kernel_len 6",
              {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "kernel_len": 6}),
    "x16k11": ("(x16) with kernel_len 11",
               {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "kernel_len": 11}),
    "x16d0": ("(x16) without dropout after the dense layer (dropout_dense 0)",
              {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "dropout_dense": 0.0}),
    "x16a": ("(x16) with kernel_len auto, the default since 2026-12-02: kernels of 15 for DNA and RNA (the same "
             "network as x16), of 8 for protein",
             X16A),
    "x16s": ("(x16) with 32 of its 64 kernels short (short_kernels 32, short_kernel_len 8): two kernel lengths "
             "(a probe; the option was removed after it, as it did not help: commit 19bd986 has it)",
             {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "short_kernels": 32,
              "short_kernel_len": 8}),
    "x16ad0": ("(x16a) without dropout after the dense layer (dropout_dense 0)",
               {**X16A, "dropout_dense": 0.0}),
    "x16mh": ("(x16m) without halving the learning rate (patience_lr 100): a probe of dna_pair's stall at seed 5",
              {**GLOBAL_NET, "strand": "auto", "position_bins": 16, "dropout_conv": 0.0, "global_pool": "max+avg",
               "patience_lr": 100}),
    "x16c": ("(x16a) without the max-norm constraint on the weights (kernel_constraint None)",
             {**X16A, "kernel_constraint": None}),
    "x16b": ("(x16a) with batch_size 32",
             {**X16A, "batch_size": 32}),
    "x16mc": ("(x16m) with kernel_len auto and without the max-norm constraint (kernel_constraint None): the "
              "constraint caps each dense unit's weights at norm 3, so the mean, about 1/200 of a site's "
              "activation per site, can hardly reach the output",
              {**X16A, "global_pool": "max+avg", "kernel_constraint": None}),
    "x16i2": ("(x16a) with dropout_input 0.2: y showed that input dropout helps the weak motifs",
              {**X16A, "dropout_input": 0.2}),
    "x16n32": ("(x16a) with 32 kernels: fewer weights to estimate from 4,800 records",
               {**X16A, "kernel_num": 32}),
    "x16d100": ("(x16a) with 100 dense units (pysster's neuron_num): room to combine kernels, as YCAY clusters",
                {**X16A, "neuron_num": 100}),
    "x16e": ("(x16a) with ema_momentum 0.99: validated and kept weights are a moving average (Polyak averaging)",
             {**X16A, "ema_momentum": 0.99}),
    "x16w1": ("(x16a) with weight_decay 1: decoupled weight decay (AdamW) of the kernels, learning_rate x 1 per "
              "step",
              {**X16A, "weight_decay": 1.0}),
    "x16w4": ("(x16a) with weight_decay 4", {**X16A, "weight_decay": 4.0}),
    "x16w05": ("(x16a) with weight_decay 0.5", {**X16A, "weight_decay": 0.5}),
    "x16a5": ("(x16a) with the preset's epoch limit, 500, instead of the benchmark's 100",
              {**X16A, "epochs": 500}),
    "x16w055": ("(x16w05) with the preset's epoch limit, 500, instead of the benchmark's 100: x16w05 was still "
                "learning at the cap on dna", {**X16A, "weight_decay": 0.5, "epochs": 500}),
    "x16x": ("(x16a) with conv_activation exponential: exp instead of ReLU on the motif layer, which Koo & "
             "Ploenzke (2021) found to make first-layer kernels read whole motifs rather than parts of them",
             {**X16A, "conv_activation": "exponential"}),
    "x16x5": ("(x16x) with the preset's epoch limit, 500, instead of the benchmark's 100: x16x was still learning "
              "at the cap on dna",
              {**X16A, "conv_activation": "exponential", "epochs": 500}),
    "x16xm": ("(x16x) with global_pool max+avg: with exp on the motif layer, a kernel's mean over positions is "
              "its mean likelihood ratio when the kernel is a PWM's log-odds, the statistic a PWM model sums "
              "over sites (and a count of strong sites)",
              {**X16A, "conv_activation": "exponential", "global_pool": "max+avg"}),
    "x16xa": ("(x16xm) with global_pool avg and no position weights (position_bins 0): the mean likelihood ratio "
              "alone",
              {**X16A, "conv_activation": "exponential", "global_pool": "avg", "position_bins": 0}),
    "y": ("(x) without input dropout (dropout_input 0)",
          {**GLOBAL_NET, "strand": "auto", "position_bins": 8, "dropout_conv": 0.0, "dropout_input": 0.0}),
    "auto": ("preset auto, the default since 2026-12-04: preset centred, (b), for RNA windows in which a class's "
             "letters differ from the other records' along the window, else preset motifnet, (x16a); trained with "
             "--preset auto and only the benchmark's epoch limit", {"epochs": 100}),
}
# Candidates trained from a preset of motifnet's own rather than from the explicit values above.
PRESET_CANDIDATES = {"auto": "auto"}


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- motifs and data

def jaspar_pwm(base_id: str) -> tuple:
    """The latest version of a JASPAR matrix: (matrix id, name, probabilities shape=(width, 4))."""
    import warnings

    from pyjaspar import jaspardb

    db = jaspardb()
    warnings.filterwarnings("ignore", message="Failed to fetch internal database ID")
    motif = None
    for version in range(1, 10):
        try:
            found = db.fetch_motif_by_id(f"{base_id}.{version}")
        except Exception:  # pyjaspar raises a bare error for an unknown version
            found = None
        if found is None:
            if motif is not None:
                break
            continue
        motif = found
    counts = np.array([motif.counts[letter] for letter in DNA], dtype=float).T + 0.5  # pseudocount
    return motif.matrix_id, motif.name, counts / counts.sum(axis=1, keepdims=True)


def protein_motifs(rng, number: int, width: int = 6) -> list:
    """Weak protein motifs: per position a first choice (p 0.45), a second (0.2), the rest uniform."""
    motifs = []
    for index in range(number):
        probabilities = np.full((width, len(PROTEIN)), 0.35 / (len(PROTEIN) - 2))
        for row in probabilities:
            first, second = rng.choice(len(PROTEIN), 2, replace=False)
            row[first], row[second] = 0.45, 0.2
        motifs.append((f"motif{index + 1}", f"motif{index + 1}", probabilities))
    return motifs


def background(alphabet: str) -> np.ndarray:
    if alphabet == DNA:
        return np.array([(1 - GC) / 2, GC / 2, GC / 2, (1 - GC) / 2])
    return np.full(len(alphabet), 1 / len(alphabet))


def sample_instances(rng, probabilities: np.ndarray, n: int) -> np.ndarray:
    """n instances sampled column by column from a PWM; letter indices shape=(n, width)."""
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random((n, len(probabilities), 1))
    return (draws > cumulative[None, :, :]).sum(axis=2).clip(max=probabilities.shape[1] - 1)


def start_span(length: int, width: int, spread: int | None = None) -> tuple:
    """First and last start of an instance of ``width`` in windows of ``length``: anywhere, or with its
    middle within ``spread`` of the window's middle."""
    if spread is None:
        return 0, length - width
    middle = (length - width) // 2
    return max(0, middle - spread), min(length - width, middle + spread)


def plant(rng, sequences: np.ndarray, rows: np.ndarray, probabilities: np.ndarray, both_strands: bool,
          spread: int | None = None) -> np.ndarray:
    """Overwrite one sampled instance in each of ``rows`` (placed as :func:`start_span` says); returns
    the instances' log-odds scores."""
    width, length = len(probabilities), sequences.shape[1]
    instances = sample_instances(rng, probabilities, len(rows))
    log_odds = np.log(probabilities / background(DNA if probabilities.shape[1] == 4 else PROTEIN))
    scores = log_odds[np.arange(width), instances].sum(axis=1)
    if both_strands:
        reverse = rng.random(len(rows)) < 0.5
        instances[reverse] = 3 - instances[reverse, ::-1]  # reverse complement in ACGT order
    first, last = start_span(length, width, spread)
    starts = rng.integers(first, last + 1, len(rows))
    for row, start, instance in zip(rows, starts, instances):
        sequences[row, start:start + width] = instance
    return scores


def random_sequences(rng, n: int, length: int, alphabet: str) -> np.ndarray:
    return rng.choice(len(alphabet), size=(n, length), p=background(alphabet)).astype(np.int8)


def write_fasta(path: Path, sequences: np.ndarray, alphabet: str, prefix: str, targets=None) -> Path:
    letters = np.frombuffer(alphabet.encode(), dtype=np.uint8)
    with open(path, "w") as handle:
        for index, row in enumerate(sequences):
            target = "" if targets is None else f" {targets[index]:.5g}"
            handle.write(f">{prefix}{index}{target}\n{letters[row].tobytes().decode()}\n")
    return path


def log_mean_ratio(sequences: np.ndarray, probabilities: np.ndarray, both_strands: bool,
                   spread: int | None = None) -> np.ndarray:
    """log of the mean over positions (those :func:`start_span` allows; and strands) of
    P(window | motif) / P(window | background)."""
    alphabet = DNA if probabilities.shape[1] == 4 else PROTEIN
    log_odds = np.log(probabilities / background(alphabet))
    matrices = [log_odds, log_odds[::-1, ::-1]] if both_strands else [log_odds]
    width, length = len(log_odds), sequences.shape[1]
    first, last = start_span(length, width, spread)
    windows = last - first + 1
    scores = []
    for matrix in matrices:
        total = np.zeros((len(sequences), windows))
        for column in range(width):
            total += matrix[column][sequences[:, first + column:first + column + windows]]
        scores.append(total)
    scores = np.concatenate(scores, axis=1)
    top = scores.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(scores - top).mean(axis=1, keepdims=True)))[:, 0]


def oracle_posteriors(sequences: np.ndarray, classes: list, both_strands: bool,
                      spread: int | None = None) -> np.ndarray:
    """Posterior over classes under the generative model (equal priors); shape=(n, classes).

    A class is a list of PWMs planted together in CARRY of its sequences (none: background):
    log P(seq | class) - log P(seq | background) = log(1 - CARRY + CARRY * prod_m LR_m), with
    LR_m the mean likelihood ratio of motif m over positions and strands.
    """
    columns = []
    for motifs in classes:
        if not motifs:
            columns.append(np.zeros(len(sequences)))
            continue
        joint = sum(log_mean_ratio(sequences, pwm, both_strands, spread) for pwm in motifs)
        columns.append(np.logaddexp(np.log(1 - CARRY), np.log(CARRY) + joint))
    scores = np.stack(columns, axis=1)
    scores -= scores.max(axis=1, keepdims=True)
    return np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)


def make_classification_set(folder: Path, name: str, rng, classes: list, class_names: list, alphabet: str,
                            length: int, n_train: int, n_test: int, both_strands: bool,
                            spread: int | None = None) -> dict:
    """Per class a train FASTA (n_train records) and a test FASTA (n_test); the oracle on the test records.

    ``spread``: instances lie with their middle within this many letters of the window's middle
    (:func:`start_span`); default None: anywhere."""
    folder.mkdir(parents=True, exist_ok=True)
    train_files, test_files, test_sequences, test_labels = [], [], [], []
    for index, (motifs, class_name) in enumerate(zip(classes, class_names)):
        for group, n in (("train", n_train), ("test", n_test)):
            sequences = random_sequences(rng, n, length, alphabet)
            carriers = np.flatnonzero(rng.random(n) < CARRY) if motifs else np.array([], dtype=int)
            for pwm in motifs:
                plant(rng, sequences, carriers, pwm, both_strands, spread)
            path = write_fasta(folder / f"{class_name}.{group}.fa", sequences, alphabet, f"{class_name}_{group}_")
            (train_files if group == "train" else test_files).append(path)
            if group == "test":
                test_sequences.append(sequences)
                test_labels.append(np.full(n, index))
    sequences = np.concatenate(test_sequences)
    labels = np.eye(len(classes))[np.concatenate(test_labels)]
    from motifnet.run.evaluation import compute_metrics

    oracle = compute_metrics(labels, oracle_posteriors(sequences, classes, both_strands, spread), class_names, False)
    return {"task": "classification", "train": train_files, "test": test_files, "labels": labels,
            "class_names": class_names, "reference": oracle["roc_auc_mean"], "reference_kind": "oracle",
            "alphabet": alphabet}


def log_odds_scores(sequences: np.ndarray, pwm: np.ndarray) -> np.ndarray:
    """The PWM's log-odds score of every window on both strands, shape=(n, 2 * windows)."""
    log_odds = np.log(pwm / background(DNA))
    width, windows = len(pwm), sequences.shape[1] - len(pwm) + 1
    strands = []
    for matrix in (log_odds, log_odds[::-1, ::-1]):
        score = np.zeros((len(sequences), windows))
        for column in range(width):
            score += matrix[column][sequences[:, column:column + windows]]
        strands.append(score)
    return np.concatenate(strands, axis=1)


def regression_features(sequences: np.ndarray, motifs: list, best_site_only: bool = False) -> np.ndarray:
    """Per motif the expected number of planted instances and their expected log-odds total.

    With ``best_site_only``, per motif only what a global maximum sees: the best window's score and
    three hinges of it (above 0, 3 and 6), so that least squares can bend the read-out; no count."""
    columns = []
    for pwm in motifs:
        score = log_odds_scores(sequences, pwm)
        if best_site_only:
            best = score.max(axis=1)
            columns += [best, *(np.maximum(best - knee, 0) for knee in (0, 3, 6))]
            continue
        prior = 1.0 / score.shape[1]  # one instance per motif on average, over positions x strands
        posterior = 1 / (1 + np.exp(-(np.log(prior) + score)))
        columns += [posterior.sum(axis=1), (posterior * score).sum(axis=1)]
    return np.stack(columns, axis=1)


def least_squares_r(train_features, train_target, test_features, test_target) -> float:
    """Pearson r on the test records of a linear read-out (with intercept) fitted on the training records."""
    coefficients = np.linalg.lstsq(np.column_stack([train_features, np.ones(len(train_features))]), train_target,
                                   rcond=None)[0]
    fitted = np.column_stack([test_features, np.ones(len(test_features))]) @ coefficients
    return float(np.corrcoef(fitted, test_target)[0, 1])


def make_regression_set(folder: Path, rng, motifs: list, length: int, n_train: int, n_test: int) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    data = {}
    for group, n in (("train", n_train), ("test", n_test)):
        sequences = random_sequences(rng, n, length, DNA)
        signal = np.zeros(n)
        for pwm in motifs:
            counts = rng.integers(0, 3, n)
            for instance in (1, 2):
                rows = np.flatnonzero(counts >= instance)
                signal[rows] += plant(rng, sequences, rows, pwm, True)
        data[group] = (sequences, signal)
    noise_sd = 0.5 * data["train"][1].std()  # ceiling r about 1 / sqrt(1.25) = 0.89
    files = {}
    for group, (sequences, signal) in data.items():
        target = signal + rng.normal(0, noise_sd, len(signal))
        data[group] = (sequences, signal, target)
        files[group] = write_fasta(folder / f"{group}.fa", sequences, DNA, f"{group}_", target)
    test_sequences, test_signal, test_target = data["test"]
    ceiling = float(np.corrcoef(test_signal, test_target)[0, 1])
    scan, best_site = (least_squares_r(regression_features(data["train"][0], motifs, only), data["train"][2],
                                       regression_features(test_sequences, motifs, only), test_target)
                       for only in (False, True))
    # The best-site oracle is the most a network that reads each kernel's global maximum alone could
    # reach with the true PWMs as kernels: it cannot tell one instance from two.
    return {"task": "regression", "train": [files["train"]], "test": [files["test"]], "targets": test_target,
            "reference": scan, "alphabet": DNA,
            "reference_kind": f"PWM-scan oracle (ceiling {ceiling:.3f}; best site only {best_site:.3f})"}


def subsample_fasta(source: Path, target: Path, keep: int, seed: int) -> Path:
    """The first ``keep`` records of a random permutation of a gzipped FASTA file's records."""
    import gzip

    with gzip.open(source, "rt") as handle:
        records = handle.read().split(">")[1:]
    order = np.random.default_rng(seed).permutation(len(records))[:keep]
    with open(target, "w") as handle:
        handle.write("".join(">" + records[i] for i in sorted(order)))
    return target


def make_sets(names: list, work: Path, quick: bool, seed: int, srsf1_keep: int, train_scale: int = 1) -> dict:
    """Build (or reuse) the data sets; each an entry of train files, test files, truth and reference.

    ``train_scale`` multiplies the planted sets' training records (a learning curve: how far the gap
    to the oracle is the number of records rather than the network)."""
    sets = {}
    n_train, n_test = (300, 150) if quick else (1200, 400)
    n_train *= train_scale
    for name in names:
        # Seeded by the set's place in SETS, so a set is the same whichever sets are asked for with it.
        rng = np.random.default_rng([seed, SETS.index(name) if name in SETS else len(SETS)])
        folder = work / "data" / name
        if name in ("dna", "dna_centred"):
            ids = ["MA0139", "MA0035", "MA0148", "MA0105"]
            pwms = [jaspar_pwm(i) for i in ids]
            sets[name] = make_classification_set(folder, name, rng, [[]] + [[p[2]] for p in pwms],
                                                 ["background"] + [p[1] for p in pwms], DNA, 200,
                                                 n_train, n_test, True,
                                                 CENTRE_SPREAD if name == "dna_centred" else None)
            sets[name]["planted"] = [(p[0], p[1]) for p in pwms]
        elif name == "dna_pair":
            gata, fox = jaspar_pwm("MA0035"), jaspar_pwm("MA0148")
            sets[name] = make_classification_set(folder, name, rng, [[], [gata[2]], [fox[2]], [gata[2], fox[2]]],
                                                 ["background", "GATA1", "FOXA1", "GATA1_FOXA1"], DNA, 200,
                                                 n_train, n_test, True)
            sets[name]["planted"] = [(gata[0], gata[1]), (fox[0], fox[1])]
        elif name == "protein":
            motifs = protein_motifs(rng, 3)
            sets[name] = make_classification_set(folder, name, rng, [[]] + [[m[2]] for m in motifs],
                                                 ["background"] + [m[1] for m in motifs], PROTEIN, 100,
                                                 n_train, n_test, False)
        elif name == "regression":
            gata, fox = jaspar_pwm("MA0035"), jaspar_pwm("MA0148")
            sets[name] = make_regression_set(folder, rng, [gata[2], fox[2]], 200, 4 * n_train, 4 * n_test)
            sets[name]["planted"] = [(gata[0], gata[1]), (fox[0], fox[1])]
        elif name in RBP_PUBLISHED:
            folder.mkdir(parents=True, exist_ok=True)
            train = [RBP_DIR / f"{name}.train.positive.fa.gz", RBP_DIR / f"{name}.train.negative.fa.gz"]
            test = [RBP_DIR / f"{name}.test.positive.fa.gz", RBP_DIR / f"{name}.test.negative.fa.gz"]
            keep = 600 if quick else (srsf1_keep if name == "srsf1" else 0)
            note = ""
            if keep:
                train = [subsample_fasta(path, folder / path.name.replace(".gz", ""), keep, seed) for path in train]
                note = f"train subsampled to {keep:,} per class"
            counts = [_count_records(path) for path in test]
            labels = np.eye(2)[np.repeat([0, 1], counts)]
            sets[name] = {"task": "classification", "train": train, "test": test, "labels": labels,
                          "class_names": ["positive", "negative"], "reference": RBP_PUBLISHED[name],
                          "reference_kind": "pysster published (seq+struct)", "alphabet": "rna", "note": note}
        else:
            raise SystemExit(f"unknown set {name!r}; choose from {', '.join(SETS)}")
        log(f"data {name}: reference {sets[name]['reference']:.3f} ({sets[name]['reference_kind']})")
    return sets


def _count_records(path: Path) -> int:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        return sum(1 for line in handle if line.startswith(">"))


# ----------------------------------------------------------------------------- training and evaluation

def available_params() -> set:
    help_text = subprocess.run([*MOTIFNET, "train", "--help"], capture_output=True, text=True, check=True).stdout
    return {key for key in NEW_KEYS if f"\n    {key} " in help_text}


def candidate_params(key: str, new_keys: set, quick: bool) -> dict | None:
    """All hyperparameters of a candidate; None when it needs a parameter motifnet lacks."""
    _, overrides = CANDIDATES[key]
    if any(k in NEW_KEYS and k not in new_keys for k in overrides):
        return None
    params = dict(overrides) if key in PRESET_CANDIDATES else {
        **BASE, **{k: v for k, v in NEW_KEYS.items() if k in new_keys}, **overrides}
    if quick:
        params.update(epochs=3, patience_stopping=2, patience_lr=1)
    return params


def train_command(data: dict, run: Path, params_file: Path, seed: int, key: str = "") -> list:
    """``motifnet train`` of a set's training files with the parameters in ``params_file`` (split 0.8/0.2, CPU).

    On top of ``--preset pysster``: a parameter a candidate does not list keeps pysster's value, whatever
    the default preset says, so a change of the default does not change the candidates; a candidate of
    :data:`PRESET_CANDIDATES` starts from its own preset instead.
    """
    command = [*MOTIFNET, "train", *map(str, data["train"]), "-o", str(run), "--overwrite", "--params",
               str(params_file), "--split", "0.8,0.2", "--seed", str(seed), "-q", "--device", "cpu",
               "--preset", PRESET_CANDIDATES.get(key, "pysster")]
    if data["task"] == "regression":
        command += ["--task", "regression"]
    if data["alphabet"] == PROTEIN:
        command += ["--alphabet", "protein"]
    return command


def fold_suffix(fold: str) -> str:
    """Run-name suffix of a structure encoding: '' (none), '_fold' (context) or '_foldprofile'."""
    return {"": "", "context": "_fold"}.get(fold, f"_fold{fold}")


def train_and_evaluate(data: dict, set_name: str, key: str, params: dict, work: Path, seed: int,
                       fold: str, reuse_only: bool = False) -> dict:
    """Train (or reuse) one candidate on one set and evaluate it on the test files; ``fold``: '' (sequence
    only), 'context' or 'profile' (``train --fold``)."""
    from motifnet.run.evaluation import compute_metrics, regression_metrics
    from motifnet.run.rundir import read_history

    label = set_name + fold_suffix(fold)
    run = work / "runs" / f"{label}__{key}"
    params_file = work / "runs" / f"{label}__{key}.json"
    folded = work / "folded" / (set_name if fold == "context" else label)
    params_file.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(params, sort_keys=True)
    meta = run / "motifnet.json"
    reuse = (meta.exists() and params_file.exists() and params_file.read_text() == text
             and json.loads(meta.read_text()).get("training", {}).get("status") == "complete")
    started = time.perf_counter()
    if not reuse and reuse_only:
        raise LookupError(f"{set_name}/{key}: no complete run in {run}")
    if not reuse:
        params_file.write_text(text)
        command = ["nice", "-n", "15", *train_command(data, run, params_file, seed, key)]
        if fold:
            command += ["--fold", fold]
            if folded.exists() and not (run / "folded").exists():  # reuse the folding of another candidate
                run.mkdir(parents=True, exist_ok=True)
                (run / "folded").symlink_to(folded.resolve(), target_is_directory=True)
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 and "Traceback" in result.stderr:  # once more: the tree may be mid-edit
            log(f"  train failed ({result.stderr.strip().splitlines()[-1:]}); retrying in 60 s")
            time.sleep(60)
            result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"train {set_name}/{key} failed: {result.stderr.strip()[-2000:]}")
        if fold and not folded.exists() and (run / "folded").is_dir():
            (work / "folded").mkdir(exist_ok=True)
            (run / "folded").rename(folded)
            (run / "folded").symlink_to(folded.resolve(), target_is_directory=True)
    train_seconds = time.perf_counter() - started
    predictions = run / "test_predictions.tsv"
    if not (reuse and predictions.exists()):
        subprocess.run(["nice", "-n", "15", *MOTIFNET, "predict", str(run), *map(str, data["test"]),
                        "-o", str(predictions), "-q", "--device", "cpu"], check=True, capture_output=True)
    table = np.loadtxt(predictions, delimiter="\t", skiprows=1, usecols=None, dtype=str)
    values = table[:, 1:].astype(float)
    if data["task"] == "regression":
        metric = regression_metrics(data["targets"][:, None], values, ["target"])["pearson_mean"]
    else:
        metric = compute_metrics(data["labels"], values, data["class_names"], False)["roc_auc_mean"]
    history = read_history(run)
    val_loss = np.array(history["val_loss"], dtype=float)
    best = int(np.nanargmin(val_loss))
    seconds = np.array(history["seconds"], dtype=float)
    val_auc = history.get("val_auc")
    return {
        "test_metric": metric, "epochs": len(val_loss), "best_epoch": best + 1,
        "val_loss": float(val_loss[best]),
        "val_auc": float(val_auc[best]) if val_auc is not None and val_auc[best] not in (None, "") else None,
        "seconds_per_epoch": float(np.median(seconds[1:] if len(seconds) > 1 else seconds)),
        "train_seconds": None if reuse else train_seconds, "reused": reuse, "run": str(run),
    }


def time_epochs(sets: dict, set_names: list, keys: list, new_keys: set, work: Path, seed: int, rounds: int,
                epochs: int) -> list:
    """Seconds per epoch of each candidate on each set, measured in turns on the same machine in the same run.

    Each round trains every candidate for ``epochs`` epochs (no early stopping) on the set's training
    files, one after the other; the rounds repeat the turns so that a change of load touches every
    candidate alike. Per training the median of epochs 2+ (the first includes tracing) is taken;
    per candidate and set, the median over rounds.
    """
    from motifnet.run.rundir import read_history

    results = []
    for set_name in set_names:
        data = sets[set_name]
        seconds = {key: [] for key in keys}
        for round_number in range(rounds):
            for key in keys:
                params = candidate_params(key, new_keys, quick=False)
                params.update(epochs=epochs, patience_stopping=epochs, patience_lr=epochs)
                run = work / "timing" / f"{set_name}__{key}"
                params_file = work / "timing" / f"{set_name}__{key}.json"
                params_file.parent.mkdir(parents=True, exist_ok=True)
                params_file.write_text(json.dumps(params, sort_keys=True))
                subprocess.run(train_command(data, run, params_file, seed, key), check=True, capture_output=True)
                epoch_seconds = np.array(read_history(run)["seconds"], dtype=float)
                seconds[key].append(float(np.median(epoch_seconds[1:])))
                log(f"  timing {set_name} / {key}, round {round_number + 1}: {seconds[key][-1]:.2f} s/epoch")
        for key in keys:
            results.append({"set": set_name, "candidate": key, "seconds": float(np.median(seconds[key])),
                            "rounds": seconds[key]})
    return results


def write_timing(results: list, keys: list, path: Path, header: dict, rounds: int, epochs: int) -> None:
    set_names = list(dict.fromkeys(r["set"] for r in results))
    by_key = {(r["set"], r["candidate"]): r for r in results}
    lines = ["# Seconds per epoch of the candidates, measured in turns (issue 17)", "",
             f"Date: {header['date']}; machine: {header['machine']}; code {header['code']}; seed {header['seed']}. "
             f"Produced by `python benchmarks/defaults.py --time-epochs`: {rounds} rounds; in each, every "
             f"candidate trains {epochs} epochs on the set's training files, one after the other. Each cell: the "
             "median over rounds of each training's median over epochs 2+ (the rounds' values in brackets), "
             "and its ratio to the first candidate's.", "",
             "| candidate | " + " | ".join(set_names) + " |", "|---" * (len(set_names) + 1) + "|"]
    for key in keys:
        cells = []
        for set_name in set_names:
            r, first = by_key[(set_name, key)], by_key[(set_name, keys[0])]
            rounds_text = ", ".join(f"{value:.2f}" for value in r["rounds"])
            cells.append(f"{r['seconds']:.2f} s ({rounds_text}) · {r['seconds'] / first['seconds']:.2f}x")
        lines.append(f"| {key}: {CANDIDATES[key][0]} | " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n")


def kernel_matches(run: str, planted: list, test_files: list) -> str:
    """Rank of each planted JASPAR matrix among ``visualize-kernels``' distinct motifs.

    A distinct motif (``distinct_motifs.tsv``, most important first) finds a planted matrix when
    its best TOMTOM match is that matrix (any version); failing that, the first distinct motif
    with a member kernel whose top-5 matches (``matches.tsv``) include it is given.
    """
    report = Path(run) / "report"
    if not (report / "distinct_motifs.tsv").exists():
        fasta = [option for path in test_files for option in ("--fasta", str(path))]
        subprocess.run(["nice", "-n", "15", *MOTIFNET, "visualize-kernels", run, "-o", str(report), "-q",
                        "--jobs", "1", "--device", "cpu", *fasta], check=True, capture_output=True)
    lines = (report / "distinct_motifs.tsv").read_text().strip().split("\n")
    columns = lines[0].split("\t")
    groups = [dict(zip(columns, line.split("\t"))) for line in lines[1:]]
    kernel_ids = {}  # kernel -> base ids of its top-5 TOMTOM matches
    matches_file = report / "matches.tsv"
    if matches_file.exists():
        match_lines = matches_file.read_text().strip().split("\n")
        match_columns = match_lines[0].split("\t")
        for line in match_lines[1:]:
            fields = dict(zip(match_columns, line.split("\t")))
            kernel = fields.get("Query_ID", "").replace("kernel_", "")
            kernel_ids.setdefault(kernel, set()).add(fields.get("Target_ID", "").split(".")[0])
    found = []
    for matrix_id, name in planted:
        base = matrix_id.split(".")[0]
        rank = next((g["rank"] for g in groups if g.get("best_match_id", "").split(".")[0] == base), None)
        member_rank = next((g["rank"] for g in groups
                            if any(base in kernel_ids.get(k, ()) for k in g.get("members", "").split(","))), None)
        if rank:
            found.append(f"{name} #{rank}")
        elif member_rank:
            found.append(f"{name} #{member_rank} (a member kernel's top-5 match)")
        else:
            found.append(f"{name} not found")
    return ", ".join(found) + f" (of {len(groups)} distinct)"


#: Each CLIP set's known element, as a pattern over a distinct motif's consensus (upper-cased; the
#: kernels are 8 wide, so a partial element): PUM2's UGUAHAUA, NOVA's YCAY, SRSF1's GGA-rich purine
#: motifs (a consensus of at least 75% purines holding GGA or GAA).
ELEMENTS = {
    "pum2": ("UGUAHAU", lambda consensus: re.search("UGUA[ACU]AU", consensus) is not None),
    "nova": ("YCAY", lambda consensus: re.search("[CU]CA[CU]", consensus) is not None),
    "srsf1": ("GGA-rich purines", lambda consensus: ("GGA" in consensus or "GAA" in consensus)
              and sum(letter in "AG" for letter in consensus) >= 0.75 * len(consensus)),
}


def element_ranks(run: str, set_name: str, test_files: list) -> str:
    """Where a CLIP set's known element (:data:`ELEMENTS`) is among ``visualize-kernels``' distinct motifs on
    the test records: the groups whose consensus holds it, by rank, with kernels and influence, beside the
    first group."""
    report = Path(run) / "report"
    if not (report / "distinct_motifs.tsv").exists():
        fasta = [option for path in test_files for option in ("--fasta", str(path))]
        subprocess.run(["nice", "-n", "15", *MOTIFNET, "visualize-kernels", run, "-o", str(report), "-q",
                        "--jobs", "1", "--device", "cpu", "--no-match", *fasta], check=True, capture_output=True)
    lines = (report / "distinct_motifs.tsv").read_text().strip().split("\n")
    columns = lines[0].split("\t")
    groups = [dict(zip(columns, line.split("\t"))) for line in lines[1:]]
    name, holds = ELEMENTS[set_name]
    found = [g for g in groups if g.get("consensus", "-") != "-" and holds(g["consensus"].upper())]

    def described(group):
        return (f"#{group['rank']} `{group['consensus']}` ({len(group['members'].split(','))} kernels, "
                f"{float(group['influence'] or 'nan'):.3g})")

    if not found:
        return f"{name}: not found; #1 {described(groups[0])} (of {len(groups)} distinct)"
    text = f"{name}: {described(found[0])}"
    if found[0] is not groups[0]:
        text += f", first: {described(groups[0])}"
    if len(found) > 1:
        text += ", also in " + ", ".join(f"#{g['rank']}" for g in found[1:])
    return text + f" (of {len(groups)} distinct)"


# ----------------------------------------------------------------------------- report

COLUMNS = ["set", "candidate", "description", "metric", "test", "reference", "reference_kind", "fraction",
           "val_loss", "val_auc", "seconds_per_epoch", "epochs", "best_epoch", "motifs_found", "status", "note"]


def fmt(value, digits=3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def write_tsv(rows: list, path: Path) -> None:
    lines = ["\t".join(COLUMNS)] + ["\t".join(fmt(row.get(c), 4) for c in COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def write_markdown(rows: list, sets: list, candidates: list, path: Path, header: dict, not_run: list) -> None:
    scale = header.get("train_scale", 1)
    scaled = f"planted sets' training records x{scale}; " if scale != 1 else ""
    lines = ["# Choosing the default architecture (issue 17)", "",
             f"Date: {header['date']}; machine: {header['machine']}; code {header['code']}; {header['mode']}; "
             f"seed {header['seed']}; {scaled}"
             f"wall time of this invocation {header['minutes']:.0f} min (runs reused from `--work` are not re-timed).",
             "Produced by `python benchmarks/defaults.py`; every test figure is beside a reference measured "
             "on the same test records. Trainings ran one at a time, on the CPU, under `nice -n 15`, on a "
             "machine shared with other work: seconds per epoch are medians over epochs 2+ and noisy.", "",
             "Test ROC-AUC (classification: motifnet's mean one-vs-rest ROC-AUC) or Pearson r (regression) "
             "on held-out test files; fraction = test / reference. val loss: the best epoch's validation "
             "loss (what a choice may use); s/ep: median seconds per epoch; ep: epochs run (best).", ""]
    lines += ["| candidate | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    by_key = {(r["set"], r["candidate"]): r for r in rows}
    references = {r["set"]: r["reference"] for r in rows}
    lines.append("| reference (see below) | " + " | ".join(fmt(references.get(s)) for s in sets) + " |")
    for key in candidates:
        cells = []
        for set_name in sets:
            r = by_key.get((set_name, key))
            if r is None or r.get("test") is None:
                cells.append("not run" if r is None else r.get("status", "not run"))
                continue
            cells.append(f"{r['test']:.3f} ({fmt(r['fraction'])}) · {r['seconds_per_epoch']:.1f} s/ep · "
                         f"{r['epochs']} ep ({r['best_epoch']})")
        lines.append(f"| {key}: {CANDIDATES[key][0]} | " + " | ".join(cells) + " |")
    lines += ["", "References per set (same test records):", ""]
    seen = set()
    for r in rows:
        if r["set"] not in seen and r.get("reference") is not None:
            seen.add(r["set"])
            note = f"; {r['note']}" if r.get("note") else ""
            lines.append(f"- {r['set']}: {r['reference']:.3f} ({r['reference_kind']}){note}")
    lines += ["", "Validation (best epoch's val loss / val AUC; the basis for a choice):", "",
              "| candidate | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for key in candidates:
        cells = []
        for set_name in sets:
            r = by_key.get((set_name, key))
            cells.append("" if r is None or r.get("val_loss") is None
                         else f"{r['val_loss']:.3f} / {fmt(r.get('val_auc'))}")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    found = [r for r in rows if r.get("motifs_found")]
    if found:
        lines += ["", "Planted JASPAR motifs among `visualize-kernels`' distinct motifs on the test records "
                  "(rank, most important first, of the first distinct motif whose best TOMTOM match is the "
                  "planted matrix, any version; failing that, of one with a member kernel matching it in its top 5):",
                  ""]
        lines += [f"- {r['set']} / {r['candidate']}: {r['motifs_found']}" for r in found]
    if not_run:
        lines += ["", "Not run in this invocation:", ""] + [f"- {item}" for item in not_run]
    path.write_text("\n".join(lines) + "\n")


def _code_version() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "motifnet"], capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in motifnet/" if dirty else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sets, 3 epochs: a smoke run")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated subset of {','.join(SETS)}")
    parser.add_argument("--candidates", default=",".join(CANDIDATES), help=f"subset of {','.join(CANDIDATES)}")
    parser.add_argument("--out", type=Path, default=HERE / "defaults.md")
    parser.add_argument("--tsv", type=Path, default=None, help="raw results [default: --out with .tsv]")
    parser.add_argument("--work", type=Path, default=None, help="folder for data and runs, reused between "
                        "invocations [default: a temporary folder]")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--train-scale", type=int, default=1, help="multiply the planted sets' training records "
                        "(a learning curve; use its own --work) [default: 1]")
    parser.add_argument("--srsf1-keep", type=int, default=0, help="srsf1 train records kept per class (0: all)")
    parser.add_argument("--fold", default="", help="comma-separated RBP sets to also train with --fold")
    parser.add_argument("--fold-mode", choices=("context", "profile"), default="context",
                        help="structure encoding of --fold runs [default: context]")
    parser.add_argument("--match", default="", help="comma-separated candidates whose planted-set runs get "
                        "visualize-kernels and the rank of the planted motifs (CLIP sets: where their known "
                        "element is among the distinct motifs)")
    parser.add_argument("--reuse-only", action="store_true", help="train nothing: tabulate the complete runs "
                        "of --work (the others are listed as not run)")
    parser.add_argument("--time-epochs", type=int, default=0, metavar="ROUNDS", help="instead of training to the "
                        "end, time epochs of --candidates on --sets in this many rounds of turns (writes --out)")
    parser.add_argument("--timing-epochs", type=int, default=5, help="epochs per timed training [default: 5]")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    set_names = [s for s in args.sets.split(",") if s]
    keys = [k for k in args.candidates.split(",") if k]
    for key in keys:
        if key not in CANDIDATES:
            parser.error(f"unknown candidate {key!r}; choose from {', '.join(CANDIDATES)}")
    tsv = args.tsv or args.out.with_suffix(".tsv")
    work_context = tempfile.TemporaryDirectory() if args.work is None else None
    work = Path(work_context.name) if work_context else args.work
    work.mkdir(parents=True, exist_ok=True)
    new_keys = available_params()
    log(f"work folder {work}; new parameters available: {sorted(new_keys) or 'none'}")
    sets = make_sets(set_names, work, args.quick, args.seed, args.srsf1_keep, args.train_scale)
    if args.time_epochs:
        results = time_epochs(sets, set_names, keys, new_keys, work, args.seed, args.time_epochs, args.timing_epochs)
        header = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  "machine": f"{platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}",
                  "code": _code_version(), "seed": args.seed}
        write_timing(results, keys, args.out, header, args.time_epochs, args.timing_epochs)
        log(f"wrote {args.out}")
        return 0
    jobs = [(s, k, "") for s in set_names for k in keys]
    jobs += [(s, k, args.fold_mode) for s in args.fold.split(",") if s in RBP_PUBLISHED and s in sets for k in keys]
    rows, not_run = [], []
    for set_name, key, fold in jobs:
        label = set_name + fold_suffix(fold)
        data = sets[set_name]
        row = {"set": label, "candidate": key, "description": CANDIDATES[key][0], "reference": data["reference"],
               "reference_kind": data["reference_kind"], "metric": "pearson_r" if data["task"] == "regression"
               else "roc_auc", "note": data.get("note", "")}
        params = candidate_params(key, new_keys, args.quick)
        if params is None:
            row["status"] = "needs parameters motifnet lacks"
            lacking = [k for k in CANDIDATES[key][1] if k in NEW_KEYS and k not in new_keys]
            not_run.append(f"{label} / {key}: needs {', '.join(lacking)}")
            rows.append(row)
            continue
        if data["alphabet"] == PROTEIN and params.get("strand", "forward") == "both":
            row["status"] = "n/a (strand both reads DNA/RNA only)"
            rows.append(row)
            continue
        log(f"{'read' if args.reuse_only else 'train'} {label} / {key} ({CANDIDATES[key][0]})")
        try:
            result = train_and_evaluate(data, set_name, key, params, work, args.seed, fold, args.reuse_only)
        except LookupError:
            row["status"] = "not run"
            not_run.append(f"{label} / {key}")
            rows.append(row)
            continue
        except (RuntimeError, subprocess.CalledProcessError) as error:
            log(f"  failed: {error}")
            row["status"] = "failed: " + str(error).split("\n")[-1][:200]
            not_run.append(f"{label} / {key}: failed")
            rows.append(row)
            continue
        row.update(result, test=result["test_metric"], fraction=result["test_metric"] / data["reference"])
        if key in args.match.split(",") and data.get("planted") and data["task"] == "classification":
            try:
                row["motifs_found"] = kernel_matches(result["run"], data["planted"], data["test"])
            except (subprocess.CalledProcessError, OSError) as error:
                row["motifs_found"] = f"failed: {error}"
        elif key in args.match.split(",") and set_name in ELEMENTS and not fold:
            try:
                row["motifs_found"] = element_ranks(result["run"], set_name, data["test"])
            except (subprocess.CalledProcessError, OSError) as error:
                row["motifs_found"] = f"failed: {error}"
        log(f"  test {row['test']:.3f} (reference {data['reference']:.3f}), val loss {row['val_loss']:.3f}, "
            f"{row['epochs']} epochs, {row['seconds_per_epoch']:.2f} s/epoch")
        rows.append(row)
        write_tsv(rows, tsv)  # partial results survive an interrupted run
    header = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
                         f"Python {platform.python_version()}",
              "mode": "quick (smoke) run" if args.quick else "full run", "seed": args.seed,
              "train_scale": args.train_scale,
              "code": _code_version(),
              "minutes": (time.perf_counter() - started) / 60}
    write_tsv(rows, tsv)
    all_sets = list(dict.fromkeys(r["set"] for r in rows))
    write_markdown(rows, all_sets, keys, args.out, header, not_run)
    log(f"wrote {args.out} and {tsv}")
    if work_context:
        work_context.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
