"""Single-nucleotide variants from a VCF file (plain, gzip or bgzip; read with vcfpy), checked against a genome."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .genome import Genome

log = logging.getLogger("motifnet")

_LETTERS = set("ACGT")


@dataclass(frozen=True)
class Variant:
    """One SNV: ``pos`` is 1-based as in the VCF; ``line`` its line in the file."""

    chrom: str
    pos: int
    id: str
    ref: str
    alt: str
    line: int


@dataclass
class VariantCounts:
    """What reading skipped: indels and other non-SNV alleles, and REF that disagreed with the genome."""

    snvs: int = 0
    indels: int = 0
    mismatches: int = 0
    mismatch_examples: list = field(default_factory=list)


def read_snvs(path, genome: Genome, skip_mismatches: bool = False) -> tuple:
    """The SNVs of a VCF file, one per alternative allele, with REF checked against ``genome``.

    Parameters
    ----------
    path : str
        VCF, plain or (b)gzip.
    genome : Genome
    skip_mismatches : bool
        Skip (and count) a variant whose REF is not the genome's letter instead of refusing it.
        Default is False.

    Returns
    -------
    list of Variant, VariantCounts
        Indels, symbolic and multi-base alleles are skipped and counted.

    Raises
    ------
    InputError
        A missing or malformed file, a chromosome the genome lacks, a position past its end, or
        (without ``skip_mismatches``) a REF the genome disagrees with; naming file, line and value.
    """
    import vcfpy

    name = str(path)
    if not Path(name).is_file():
        raise InputError(f"--vcf {name}: no such file")
    counts = VariantCounts()
    variants = []
    try:
        with warnings.catch_warnings():  # vcfpy warns about every header line it does not know (contig lengths)
            warnings.simplefilter("ignore")
            reader = vcfpy.Reader.from_path(name)
    except (vcfpy.exceptions.VCFPyException, ValueError, OSError, IndexError) as error:
        raise InputError(f"--vcf {name}: not a readable VCF file ({error})") from None
    # vcfpy does not count lines: the header lines and the #CHROM line come before the first record.
    line = len(reader.header.lines) + 1
    with reader:
        while True:
            line += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    record = next(reader)
            except StopIteration:
                break
            except (vcfpy.exceptions.VCFPyException, ValueError, IndexError) as error:
                raise InputError(f"{name}, line {line}: not a valid VCF record ({error})") from None
            where = f"{name}, line {line}"
            _check_position(record.CHROM, record.POS, genome, where)
            ref = str(record.REF).upper()
            genome_letter = genome.fetch_letter(record.CHROM, record.POS - 1)
            for alt in record.ALT:
                value = str(getattr(alt, "value", "")).upper()
                if len(ref) != 1 or len(value) != 1 or ref not in _LETTERS or value not in _LETTERS:
                    counts.indels += 1
                    continue
                if ref != genome_letter:
                    if not skip_mismatches:
                        raise InputError(f"{where}: REF {ref!r} at {record.CHROM}:{record.POS} disagrees with the "
                                         f"genome {genome.path} ({genome_letter!r}); pass --skip-mismatches to skip "
                                         "such variants")
                    counts.mismatches += 1
                    continue
                identifier = ";".join(record.ID) if record.ID else "."
                variants.append(Variant(record.CHROM, record.POS, identifier, ref, value, line))
    counts.snvs = len(variants)
    return variants, counts


def _check_position(chrom: str, pos: int, genome: Genome, where: str) -> None:
    if chrom not in genome.lengths:
        shown = ", ".join(list(genome.lengths)[:5]) + (", ..." if len(genome.lengths) > 5 else "")
        raise InputError(f"{where}: chromosome {chrom!r} is not in the genome {genome.path} ({shown})")
    if not 1 <= pos <= genome.lengths[chrom]:
        raise InputError(f"{where}: position {pos} lies outside {chrom} (1 to {genome.lengths[chrom]} in "
                         f"{genome.path})")
