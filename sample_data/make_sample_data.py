#!/usr/bin/env python3
"""Regenerate the synthetic sample data sets shipped with motifnet.

Everything here is synthetic and seeded, so the files are small, licence-free
and byte-for-byte reproducible.  Only the Python standard library is used.

What is planted, and why
------------------------
``dna/`` -- single-label DNA, three classes (one FASTA file per class):

* ``ets.fa``, ``ap1.fa``, ``gata.fa``: 500 records each, every sequence exactly
  100 nt, uppercase, wrapped at 60 columns.
* Background is i.i.d. uniform A/C/G/T.
* In exactly 90 % of the records of a class (450 of 500) one site of the class
  motif is planted at a uniformly random position on a random strand (the site
  is reverse-complemented for strand ``-``).  Each site is drawn from a simple
  PWM: at every position the consensus letter with probability 0.9, otherwise
  one of the other three letters uniformly.  Consensus motifs resemble known
  transcription-factor sites: ets ``ACCGGAAGTG`` (ELK1/ETS-like), ap1
  ``ATGACTCAT`` (AP-1-like), gata ``AGATAAGG`` (GATA-like).  A CNN should learn
  filters resembling these motifs, which makes the set a sanity check for
  motif discovery (the class is recoverable from the motif only).
* To exercise IUPAC handling, exactly 3 records of ``ets.fa`` have one
  background base (never inside the planted site) replaced by ``N`` and
  exactly 2 records of ``ap1.fa`` one replaced by ``R``.
* Header: ``>ets_0001 motif=ACCGGAAGTG site=ACCGTAAGTG pos=37 strand=-``
  (``motif`` = consensus, ``site`` = the sampled instance written in motif
  orientation, ``pos`` = 0-based start of the site on the forward strand), or
  ``>ets_0002 motif=none``.  Records carrying an ambiguity code additionally
  end with ``ambig=N@112`` (letter and 0-based position).

``rna/`` -- single-label RNA sequence + structure, two classes:

* ``loop.fa`` and ``stem.fa``: 200 records each, length exactly 60.  Each
  record is three lines: header, sequence (A/C/G/U, one line), dot-bracket
  structure (one line, same length, only ``(``, ``)``, ``.``).
* Every sequence contains exactly one hairpin at a random position: a stem of
  6-8 base pairs, each pair chosen at random from AU/UA/GC/CG/GU/UG, closing
  a loop of 6-10 nt; everything else is unpaired uniform random sequence.
* In 90 % of the records of both classes (180 of 200) a site of ``UGCAUG``
  (sampled with per-position fidelity 0.9) is planted.  In ``loop.fa`` it lies
  inside the hairpin loop (unpaired); in ``stem.fa`` it lies in one arm of the
  stem (paired), and the opposite arm is rewritten to be Watson-Crick
  complementary to the sampled site.  The motif therefore occurs in both
  classes and sequence alone barely separates them; its structural context
  (paired vs. unpaired) does, which is what sequence+structure models should
  pick up.
* Header: ``>loop_0001 motif=UGCAUG site=UGCAUG pos=23 context=loop`` (``pos``
  0-based) or ``>loop_0002 motif=none context=none``.
* The dot-bracket strings are the designed structures, not predicted ones.

The script checks its own output (assertions) after writing it: lengths,
alphabets, record counts, planted sites at the stated positions, balanced
brackets, and that every bracket pair joins AU, UA, GC, CG, GU or UG.

Regenerate (from the repository root)::

    python3 sample_data/make_sample_data.py            # default seed 2026
    python3 sample_data/make_sample_data.py --seed 7 --out /tmp/sd

Running it twice with the same seed yields byte-identical files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

DEFAULT_SEED = 2026

# ---------------------------------------------------------------- DNA set ---
DNA_ALPHABET = "ACGT"
DNA_COMPLEMENT = str.maketrans("ACGT", "TGCA")
DNA_CLASSES = [  # (name, consensus)
    ("ets", "ACCGGAAGTG"),
    ("ap1", "ATGACTCAT"),
    ("gata", "AGATAAGG"),
]
DNA_RECORDS = 500
DNA_LENGTH = 100
DNA_PLANTED_FRACTION = 0.9
DNA_FIDELITY = 0.9
DNA_WRAP = 60
# class name -> (IUPAC letter, number of records that get one)
DNA_AMBIGUITY = {"ets": ("N", 3), "ap1": ("R", 2)}

# ---------------------------------------------------------------- RNA set ---
RNA_ALPHABET = "ACGU"
RNA_WC = {"A": "U", "U": "A", "G": "C", "C": "G"}
RNA_PAIRS = ("AU", "UA", "GC", "CG", "GU", "UG")
RNA_CLASSES = ("loop", "stem")
RNA_MOTIF = "UGCAUG"
RNA_RECORDS = 200
RNA_LENGTH = 60
RNA_PLANTED_FRACTION = 0.9
RNA_FIDELITY = 0.9
RNA_STEM_BP = (6, 8)     # inclusive range of base pairs
RNA_LOOP_NT = (6, 10)    # inclusive range of loop length


def make_rng(seed: int, tag: str) -> random.Random:
    """Independent, reproducible stream per data set/class.

    String seeds are hashed with SHA-512 by ``random.Random`` (independent of
    PYTHONHASHSEED), so every stream is stable across runs and platforms.
    """
    return random.Random(f"motifnet-sample:{seed}:{tag}")


def sample_site(consensus: str, fidelity: float, alphabet: str,
                rng: random.Random) -> str:
    """Draw one site: consensus letter with prob. ``fidelity``, else another."""
    out = []
    for letter in consensus:
        if rng.random() < fidelity:
            out.append(letter)
        else:
            out.append(rng.choice([c for c in alphabet if c != letter]))
    return "".join(out)


def planted_indices(n: int, fraction: float, rng: random.Random) -> set[int]:
    return set(rng.sample(range(n), round(n * fraction)))


def wrap(seq: str, width: int) -> list[str]:
    return [seq[i:i + width] for i in range(0, len(seq), width)]


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="ascii", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")


# ------------------------------------------------------------ DNA builder ---
def build_dna_class(name: str, consensus: str, seed: int) -> list[str]:
    rng = make_rng(seed, f"dna:{name}")
    planted = planted_indices(DNA_RECORDS, DNA_PLANTED_FRACTION, rng)
    letter, n_ambig = DNA_AMBIGUITY.get(name, ("", 0))
    ambiguous = set(rng.sample(range(DNA_RECORDS), n_ambig))
    k = len(consensus)

    lines: list[str] = []
    for i in range(DNA_RECORDS):
        seq = [rng.choice(DNA_ALPHABET) for _ in range(DNA_LENGTH)]
        fields = [f"{name}_{i + 1:04d}"]
        site_span = range(0)
        if i in planted:
            site = sample_site(consensus, DNA_FIDELITY, DNA_ALPHABET, rng)
            strand = rng.choice("+-")
            pos = rng.randrange(DNA_LENGTH - k + 1)
            oriented = site if strand == "+" else site.translate(DNA_COMPLEMENT)[::-1]
            seq[pos:pos + k] = oriented
            site_span = range(pos, pos + k)
            fields += [f"motif={consensus}", f"site={site}", f"pos={pos}",
                       f"strand={strand}"]
        else:
            fields.append("motif=none")
        if i in ambiguous:
            background = [p for p in range(DNA_LENGTH) if p not in site_span]
            apos = rng.choice(background)
            seq[apos] = letter
            fields.append(f"ambig={letter}@{apos}")
        lines.append(">" + " ".join(fields))
        lines.extend(wrap("".join(seq), DNA_WRAP))
    return lines


# ------------------------------------------------------------ RNA builder ---
def build_rna_record(context: str, with_motif: bool,
                     rng: random.Random) -> tuple[str, str, dict[str, str]]:
    """One sequence with a single hairpin; optionally the motif in ``context``."""
    stem = rng.randint(*RNA_STEM_BP)
    loop = rng.randint(*RNA_LOOP_NT)
    span = 2 * stem + loop
    start = rng.randrange(RNA_LENGTH - span + 1)

    seq = [rng.choice(RNA_ALPHABET) for _ in range(RNA_LENGTH)]
    struct = ["."] * RNA_LENGTH
    # pairs (i, j): i on the 5' arm, j on the 3' arm, outermost pair first
    pairs = [(start + t, start + span - 1 - t) for t in range(stem)]
    for i, j in pairs:
        a, b = rng.choice(RNA_PAIRS)
        seq[i], seq[j] = a, b
        struct[i], struct[j] = "(", ")"

    info: dict[str, str] = {}
    if with_motif:
        m = len(RNA_MOTIF)
        site = sample_site(RNA_MOTIF, RNA_FIDELITY, RNA_ALPHABET, rng)
        if context == "loop":
            loop_start = start + stem
            pos = loop_start + rng.randrange(loop - m + 1)
            seq[pos:pos + m] = site
        else:  # stem: one arm carries the site, the other arm pairs with it
            offset = rng.randrange(stem - m + 1)
            partner = {i: j for i, j in pairs}
            partner.update({j: i for i, j in pairs})
            if rng.random() < 0.5:  # 5' arm
                pos = start + offset
            else:                   # 3' arm
                pos = start + span - stem + offset
            for t, base in enumerate(site):
                seq[pos + t] = base
                seq[partner[pos + t]] = RNA_WC[base]
        info = {"site": site, "pos": str(pos)}
    return "".join(seq), "".join(struct), info


def build_rna_class(context: str, seed: int) -> list[str]:
    rng = make_rng(seed, f"rna:{context}")
    planted = planted_indices(RNA_RECORDS, RNA_PLANTED_FRACTION, rng)
    lines: list[str] = []
    for i in range(RNA_RECORDS):
        seq, struct, info = build_rna_record(context, i in planted, rng)
        if info:
            header = (f">{context}_{i + 1:04d} motif={RNA_MOTIF} "
                      f"site={info['site']} pos={info['pos']} context={context}")
        else:
            header = f">{context}_{i + 1:04d} motif=none context=none"
        lines += [header, seq, struct]
    return lines


# ------------------------------------------------------------- validation ---
def read_fasta(path: Path) -> list[tuple[str, list[str]]]:
    records: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith(">"):
            records.append((line[1:], []))
        else:
            records[-1][1].append(line)
    return records


def parse_header(header: str) -> tuple[str, dict[str, str]]:
    rid, *rest = header.split()
    return rid, dict(item.split("=", 1) for item in rest)


def pair_table(struct: str) -> list[tuple[int, int]]:
    stack, pairs = [], []
    for idx, ch in enumerate(struct):
        assert ch in "().", f"bad structure character {ch!r}"
        if ch == "(":
            stack.append(idx)
        elif ch == ")":
            assert stack, "unbalanced structure: unmatched ')'"
            pairs.append((stack.pop(), idx))
    assert not stack, "unbalanced structure: unmatched '('"
    return pairs


def check_dna(out: Path) -> None:
    for name, consensus in DNA_CLASSES:
        records = read_fasta(out / "dna" / f"{name}.fa")
        assert len(records) == DNA_RECORDS, (name, len(records))
        letter, n_ambig = DNA_AMBIGUITY.get(name, ("", 0))
        n_planted = n_seen_ambig = 0
        for header, lines in records:
            assert all(len(l) <= DNA_WRAP for l in lines)
            assert all(len(l) == DNA_WRAP for l in lines[:-1])
            seq = "".join(lines)
            assert len(seq) == DNA_LENGTH, (header, len(seq))
            rid, f = parse_header(header)
            assert rid.startswith(name + "_")
            odd = [c for c in seq if c not in DNA_ALPHABET]
            if "ambig" in f:
                n_seen_ambig += 1
                code, apos = f["ambig"].split("@")
                assert code == letter and odd == [letter] and seq[int(apos)] == letter
            else:
                assert not odd, (header, odd)
            if f["motif"] == "none":
                continue
            n_planted += 1
            assert f["motif"] == consensus
            site, pos = f["site"], int(f["pos"])
            if f["strand"] == "-":
                site = site.translate(DNA_COMPLEMENT)[::-1]
            assert seq[pos:pos + len(site)] == site, header
        assert n_planted == round(DNA_RECORDS * DNA_PLANTED_FRACTION), (name, n_planted)
        assert n_seen_ambig == n_ambig, (name, n_seen_ambig)


def check_rna(out: Path) -> None:
    for context in RNA_CLASSES:
        records = read_fasta(out / "rna" / f"{context}.fa")
        assert len(records) == RNA_RECORDS, (context, len(records))
        n_planted = 0
        for header, (seq, struct) in records:
            assert len(seq) == len(struct) == RNA_LENGTH, header
            assert set(seq) <= set(RNA_ALPHABET), header
            pairs = pair_table(struct)
            for i, j in pairs:
                assert seq[i] + seq[j] in RNA_PAIRS, (header, i, j, seq[i] + seq[j])
            assert RNA_STEM_BP[0] <= len(pairs) <= RNA_STEM_BP[1], header
            # a single hairpin: brackets nested and contiguous
            opens = sorted(i for i, _ in pairs)
            closes = sorted(j for _, j in pairs)
            assert opens == list(range(opens[0], opens[-1] + 1)), header
            assert closes == list(range(closes[0], closes[-1] + 1)), header
            loop_len = closes[0] - opens[-1] - 1
            assert RNA_LOOP_NT[0] <= loop_len <= RNA_LOOP_NT[1], header
            _, f = parse_header(header)
            if f["motif"] == "none":
                assert f["context"] == "none"
                continue
            n_planted += 1
            assert f["motif"] == RNA_MOTIF and f["context"] == context, header
            pos, site = int(f["pos"]), f["site"]
            assert seq[pos:pos + len(site)] == site, header
            window = struct[pos:pos + len(site)]
            if context == "loop":
                assert opens[-1] < pos and pos + len(site) - 1 < closes[0], header
                assert set(window) == {"."}, header
            else:
                assert set(window) in ({"("}, {")"}), header
        assert n_planted == round(RNA_RECORDS * RNA_PLANTED_FRACTION), (context, n_planted)


# ------------------------------------------------------------------- main ---
def generate(out: Path, seed: int) -> list[Path]:
    written = []
    for name, consensus in DNA_CLASSES:
        path = out / "dna" / f"{name}.fa"
        write_lines(path, build_dna_class(name, consensus, seed))
        written.append(path)
    for context in RNA_CLASSES:
        path = out / "rna" / f"{context}.fa"
        write_lines(path, build_rna_class(context, seed))
        written.append(path)
    check_dna(out)
    check_rna(out)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output folder (default: this script's folder)")
    args = parser.parse_args(argv)

    written = generate(args.out, args.seed)
    total = 0
    print(f"seed={args.seed} out={args.out}")
    for path in written:
        size = path.stat().st_size
        total += size
        n = sum(1 for l in path.read_text(encoding="ascii").splitlines()
                if l.startswith(">"))
        print(f"  {path.relative_to(args.out)}: {n} records, {size} bytes")
    print(f"  total: {total} bytes; all checks passed")


if __name__ == "__main__":
    main()
