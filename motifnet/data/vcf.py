"""Single-nucleotide variants from a VCF file (plain, gzip or bgzip; read with vcfpy), checked against a genome."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .._progress import Progress
from ..errors import InputError
from .fasta import display_name, iter_text_stream
from .genome import Genome, Window

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
    """What reading skipped: non-SNV alleles (indels, symbolic, a letter other than A, C, G, T, ALT = REF or '.')
    and REF that disagreed with the genome."""

    snvs: int = 0
    indels: int = 0
    mismatches: int = 0
    mismatch_examples: list = field(default_factory=list)
    #: SNVs that repeat an earlier one (the same CHROM, POS, REF and ALT); they are scored again.
    duplicates: int = 0


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
        Indels, symbolic and multi-base alleles, an ALT that is not A, C, G or T, an ALT equal to REF
        or missing ('.'), and a REF that is not A, C, G or T but agrees with the genome (an 'N'), are
        skipped and counted (``indels``). Every REF is checked against the genome whatever its letters and
        alleles (REF 'N' where the genome has 'T' is a mismatch, as is an indel's REF the genome lacks); a
        mismatch counts once per alternative allele.

    Raises
    ------
    InputError
        A missing or malformed file, a chromosome the genome lacks, a position past its end, or
        (without ``skip_mismatches``) a REF the genome disagrees with; naming file, line and value.
    """
    import vcfpy

    source, name = str(path), display_name(path)  # '-': standard input
    if source != "-" and Path(source).is_dir():  # '-' is standard input, whatever the current folder holds
        raise InputError(f"--vcf {name}: a folder, not a VCF file; give the .vcf or .vcf.gz file")
    if source != "-" and not Path(source).exists():  # a pipe (<(bcftools view ...)) is read as a file is
        raise InputError(f"--vcf {name}: no such file")
    counts = VariantCounts()
    variants = []
    lines = _CountedLines(iter_text_stream(source, "a VCF file"))
    try:
        with warnings.catch_warnings():  # vcfpy warns about every header line it does not know (contig lengths)
            warnings.simplefilter("ignore")
            reader = vcfpy.Reader.from_stream(lines, path=name)
    except (vcfpy.exceptions.VCFPyException, ValueError, OSError, IndexError) as error:
        lines.close()
        raise InputError(_header_error(name, lines.last, _one_line(error))) from None
    _warn_other_lengths(reader.header, genome, name)
    seen = set()
    progress = Progress(f"reading {name}", unit="lines")  # a VCF of a million lines takes minutes
    with reader:
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    record = next(reader)
            except StopIteration:
                break
            except (vcfpy.exceptions.VCFPyException, ValueError, IndexError) as error:
                raise InputError(f"{name}, line {lines.parsed}: not a valid VCF record ({_one_line(error)}); "
                                 "fix or remove that line") from None
            line = lines.parsed
            progress.update(line)
            where = f"{name}, line {line}"
            _check_position(record.CHROM, record.POS, genome, where)
            ref = str(record.REF).upper()
            if record.POS - 1 + len(ref) > genome.lengths[record.CHROM]:
                raise InputError(f"{where}: REF {ref!r} at {record.CHROM}:{record.POS} runs past the end of "
                                 f"{record.CHROM} ({genome.lengths[record.CHROM]} bases in {genome.path}); were the "
                                 "variants called on another assembly?")
            # REF is checked against the genome whatever its letters and alleles: REF 'N' where the genome has 'T',
            # or an indel's REF the genome lacks, is a wrong REF (or coordinates, or assembly).
            genome_letters = genome.fetch(Window(record.CHROM, record.POS - 1, record.POS - 1 + len(ref))).decode()
            if ref != genome_letters:
                if not skip_mismatches:
                    raise InputError(f"{where}: REF {ref!r} at {record.CHROM}:{record.POS} disagrees with the "
                                     f"genome {genome.path} ({genome_letters!r}); pass --skip-mismatches to skip "
                                     "such variants")
                counts.mismatches += max(len(record.ALT), 1)
                continue
            if not record.ALT:  # ALT '.': a site without an alternative allele, nothing to score
                counts.indels += 1
            for alt in record.ALT:
                value = str(getattr(alt, "value", "")).upper()
                if len(ref) != 1 or len(value) != 1 or value not in _LETTERS:
                    counts.indels += 1
                    continue
                if value == ref or ref not in _LETTERS:  # ALT = REF, or REF 'N' where the genome has 'N' too
                    counts.indels += 1
                    continue
                identifier = ";".join(record.ID) if record.ID else "."
                key = (record.CHROM, record.POS, value)
                counts.duplicates += key in seen
                seen.add(key)
                variants.append(Variant(record.CHROM, record.POS, identifier, ref, value, line))
    counts.snvs = len(variants)
    return variants, counts


def _warn_other_lengths(header, genome: Genome, name: str) -> None:
    """Warn when the VCF header's ``##contig`` lengths differ from the genome's: variants of another assembly.

    Their REF is checked letter by letter, but ``--skip-mismatches`` would skip most of them with a
    count only, and score the rest in another assembly's sequence.
    """
    other = []
    for line in header.get_lines("contig"):
        contig, length = line.mapping.get("ID"), line.mapping.get("length")
        try:
            length = int(length)
        except (TypeError, ValueError):
            continue
        if contig in genome.lengths and length != genome.lengths[contig]:
            other.append((contig, length, genome.lengths[contig]))
    if other:
        contig, vcf_length, genome_length = other[0]
        log.warning("%s: its header (##contig) gives %d chromosome(s) another length than the genome %s "
                    "(%s: %d bases in the VCF, %d in the genome): were the variants called on another assembly?",
                    name, len(other), genome.path, contig, vcf_length, genome_length)


def _header_error(name: str, line: tuple, reason: str) -> str:
    """What is wrong with a VCF header that vcfpy refused: the line it stopped at, and what a VCF needs there."""
    number, text = line
    if number == 0:  # not one line (blank lines are skipped): vcfpy named the missing #CHROM line
        return (f"--vcf {name}: an empty file; give a VCF with its header lines (##fileformat=VCFv4.x, then #CHROM "
                "POS ID REF ALT QUAL FILTER INFO) and its variants")
    columns = text.rstrip("\r\n").split("\t")
    if text.startswith("#CHROM") and len(columns) < 8:
        return (f"--vcf {name}, line {number}: the #CHROM line names {len(columns)} column(s) ("
                f"{', '.join(columns)}); a VCF has the eight #CHROM POS ID REF ALT QUAL FILTER INFO, tab-separated "
                "(a '.' fills an empty one in every record)")
    if text.startswith("##") and "#CHROM" not in reason:
        return (f"--vcf {name}, line {number}: a header line vcfpy cannot read ({reason}): "
                f"{text.strip()[:80]!r}; fix or remove that line")
    return (f"--vcf {name}: not a readable VCF file ({reason}); give a VCF with its header lines "
            "(##fileformat=VCFv4.x, then #CHROM POS ID REF ALT QUAL FILTER INFO)")


def _one_line(error) -> str:
    return " ".join(str(error).split())


class _CountedLines:
    """A text stream for vcfpy that skips blank lines (vcfpy takes one for the end of the file) and counts lines.

    vcfpy reads one line ahead, so the record it has just returned is the line before the last one read:
    :attr:`parsed`. The sample columns (FORMAT and after, in the ``#CHROM`` line and the records) are
    cut off: variants need none of them, and vcfpy parses every genotype of every record it reads
    (about 10 ms a record with 2,000 samples, hours for a cohort VCF).
    """

    def __init__(self, stream):
        self._stream = stream
        self._number = 0
        self._numbers = [0, 0]  # the file lines of the last two non-blank lines handed out
        self.last = (0, "")  # the line number and text of the last line read, for messages about the header

    def readline(self) -> str:
        while True:
            line = self._stream.readline()
            if line:
                self._number += 1
            if not line or line.strip():
                self._numbers = [self._numbers[1], self._number if line else self._number + 1]
                if line:
                    self.last = (self._number, line)
                return _without_samples(line)

    @property
    def parsed(self) -> int:
        return self._numbers[0]

    def close(self) -> None:
        self._stream.close()


def _without_samples(line: str) -> str:
    """A VCF line's first eight columns (to INFO), with its line ending; a ``##`` header line as it is. A record's
    INFO is read by nothing here: it is given as ``.``, as vcfpy parsed every field of it (150 fields per record, as
    annotated VCFs have, took twice the time of the scoring)."""
    if line.startswith("##"):
        return line
    if line.startswith("#CHROM") and "\t" not in line:  # vcfpy reads a #CHROM line separated by spaces too
        columns = line.split()
        return "\t".join(columns[:8]) + "\n" if len(columns) > 8 else line
    if line.count("\t") < 7:
        return line
    if line.startswith("#"):
        return "\t".join(line.split("\t", 8)[:8]).rstrip("\r\n") + "\n"
    return "\t".join(line.split("\t", 7)[:7]) + "\t.\n"


def _check_position(chrom: str, pos: int, genome: Genome, where: str) -> None:
    if chrom not in genome.lengths:
        raise InputError(f"{where}: chromosome {chrom!r} is not in the genome {genome.path} "
                         f"({genome.describe_names(chrom)})")
    if not 1 <= pos <= genome.lengths[chrom]:
        raise InputError(f"{where}: position {pos} lies outside {chrom} (1 to {genome.lengths[chrom]} in "
                         f"{genome.path})")
