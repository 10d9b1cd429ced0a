"""Shared fixtures: tiny seeded FASTA files, a CLI runner, and one small trained run."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DNA = [ROOT / "sample_data" / "dna" / f"{name}.fa" for name in ("ets", "ap1", "gata")]
SAMPLE_RNA = [ROOT / "sample_data" / "rna" / f"{name}.fa" for name in ("loop", "stem")]
SAMPLE_PARAMS = ROOT / "sample_data" / "dna" / "params.json"

# Small, fast networks for tests that check plumbing rather than learning.
TINY_PARAMS = ["--param", "conv_num=1", "--param", "kernel_num=4", "--param", "kernel_len=5",
               "--param", "neuron_num=8", "--param", "epochs=2", "--param", "batch_size=16"]


def write_fasta(path: Path, records, wrap: int | None = None) -> Path:
    """Write (header, body) pairs; body is a string (wrapped at ``wrap``) or a list of lines."""
    lines = []
    for header, body in records:
        lines.append(f">{header}")
        if isinstance(body, str):
            step = wrap or max(len(body), 1)
            lines.extend(body[i:i + step] for i in range(0, len(body), step))
        else:
            lines.extend(body)
    path.write_text("\n".join(lines) + "\n")
    return path


def random_dna(rng: np.random.Generator, n: int, length: int, motif: str | None = None) -> list:
    """``n`` random sequences, each with ``motif`` planted at a random position."""
    sequences = []
    for _ in range(n):
        letters = list(rng.choice(list("ACGT"), size=length))
        if motif:
            start = int(rng.integers(0, length - len(motif) + 1))
            letters[start:start + len(motif)] = motif
        sequences.append("".join(letters))
    return sequences


@pytest.fixture
def dna_files(tmp_path):
    """Two small classes (30 records of length 40), class 'a' carries a planted motif."""
    rng = np.random.default_rng(0)
    a = write_fasta(tmp_path / "a.fa", [(f"a{i}", s) for i, s in enumerate(random_dna(rng, 30, 40, "GGATCC"))])
    b = write_fasta(tmp_path / "b.fa", [(f"b{i}", s) for i, s in enumerate(random_dna(rng, 30, 40))])
    return a, b


@pytest.fixture
def cli(tmp_path):
    """Invoke the command line in-process; returns the click Result."""
    from click.testing import CliRunner

    from motifnet.cli.main import main

    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=True)

    return invoke


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory):
    """A run folder trained for a few epochs on two tiny classes (shared, read-only)."""
    from click.testing import CliRunner

    from motifnet.cli.main import main

    folder = tmp_path_factory.mktemp("trained")
    rng = np.random.default_rng(1)
    a = write_fasta(folder / "up.fa", [(f"up{i}", s) for i, s in enumerate(random_dna(rng, 40, 40, "TTGACA"))])
    b = write_fasta(folder / "down.fa", [(f"down{i}", s) for i, s in enumerate(random_dna(rng, 40, 40))])
    run_dir = folder / "run"
    result = CliRunner().invoke(main, ["train", str(a), str(b), "-o", str(run_dir), "--seed", "3", *TINY_PARAMS])
    assert result.exit_code == 0, result.output
    return run_dir, (a, b)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The demo's run: the DNA sample data with sample_data/dna/params.json, seed 1 (shared, read-only)."""
    from click.testing import CliRunner

    from motifnet.cli.main import main

    run_dir = tmp_path_factory.mktemp("sample") / "run"
    result = CliRunner().invoke(main, ["train", *map(str, SAMPLE_DNA), "--params", str(SAMPLE_PARAMS),
                                       "--seed", "1", "-o", str(run_dir), "--quiet"])
    assert result.exit_code == 0, result.output
    return run_dir
