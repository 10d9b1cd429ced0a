"""motifnet.data.background: shuffled positives keep their k-mer counts; genome windows match the positives'
GC content bin by bin, overlap no positive, avoid assembly gaps; both are seeded."""

from collections import Counter

import numpy as np
import pytest
from helpers import write_fasta

from motifnet.data.background import (
    GC_BINS,
    check_background_options,
    gc_content,
    genomic_background,
    shuffled_background,
)
from motifnet.data.genome import Genome, Window, parse_window_id, windows_block
from motifnet.errors import InputError, ParamError


def _sequences(block):
    offsets = np.concatenate([[0], np.cumsum(block.lengths)])
    return [bytes(block.letters[offsets[i]:offsets[i + 1]]) for i in range(len(block.lengths))]


def _pairs(sequence: bytes):
    return Counter(sequence[i:i + 2] for i in range(len(sequence) - 1))


def _bins(sequences):
    return Counter(min(int(gc_content(sequence) * GC_BINS), GC_BINS - 1) for sequence in sequences)


@pytest.fixture
def genome(tmp_path):
    """chrGC: GC-rich (80 % G/C), chrAT: AT-rich (20 %), chrMixed: 50 %, chrGap: all N."""
    rng = np.random.default_rng(3)

    def body(gc, size):
        return "".join(rng.choice(list("GCAT"), size, p=[gc / 2, gc / 2, (1 - gc) / 2, (1 - gc) / 2]))

    path = write_fasta(tmp_path / "g.fa", [("chrGC", body(0.8, 4000)), ("chrAT", body(0.2, 4000)),
                                           ("chrMixed", body(0.5, 4000)), ("chrGap", "N" * 4000)], wrap=70)
    with Genome(path) as opened:
        yield opened


def _positives(genome):
    windows = [Window("chrGC", 100, 200), Window("chrGC", 1000, 1100, "-"), Window("chrAT", 300, 400),
               Window("chrMixed", 500, 600), Window("chrMixed", 2000, 2100)]
    return windows, windows_block("peaks.bed", windows, [genome.fetch(window) for window in windows])


def test_shuffled_background_keeps_dinucleotides_and_names_its_source(genome):
    _, positives = _positives(genome)
    background = shuffled_background([positives], k=2, ratio=2, seed=5)
    assert background.path == "background"
    assert len(background.lengths) == 10
    assert background.ids()[:2] == ["chrGC:100-200(+)/shuffle1", "chrGC:1000-1100(-)/shuffle1"]
    assert background.ids()[5] == "chrGC:100-200(+)/shuffle2"
    originals = _sequences(positives)
    for index, sequence in enumerate(_sequences(background)):
        original = originals[index % len(originals)]
        assert _pairs(sequence) == _pairs(original) and sequence != original
    again = shuffled_background([positives], k=2, ratio=2, seed=5)
    assert np.array_equal(again.letters, background.letters)
    assert not np.array_equal(shuffled_background([positives], k=2, ratio=2, seed=6).letters, background.letters)


def test_genomic_background_matches_gc_bins_and_overlaps_no_positive(genome):
    windows, positives = _positives(genome)
    background = genomic_background(genome, [positives], 100, ratio=3, seed=1)
    drawn = [parse_window_id(identifier) for identifier in background.ids()]
    sequences = _sequences(background)
    assert len(drawn) == 15
    wanted = _bins(_sequences(positives))
    assert _bins(sequences) == Counter({gc_bin: 3 * count for gc_bin, count in wanted.items()})
    for window, sequence in zip(drawn, sequences):
        assert window.end - window.start == 100 and window.chrom != "chrGap"
        assert sequence == genome.fetch(window)
        assert not any(window.chrom == other.chrom and window.start < other.end and other.start < window.end
                       for other in [*windows, *(w for w in drawn if w is not window)])
    again = genomic_background(genome, [positives], 100, ratio=3, seed=1)
    assert again.ids() == background.ids()
    assert genomic_background(genome, [positives], 100, ratio=3, seed=2).ids() != background.ids()


def test_a_genomic_background_overlaps_no_positive_named_as_bedtools_names_it(genome):
    """FASTA positives named chrom:start-end (bedtools getfasta, no strand) were not read as windows: 25 of 68
    background windows overlapped them."""
    from motifnet.data.genome import sequence_block

    windows = [Window("chrMixed", start, start + 100) for start in range(0, 4000, 300)]
    ids = [f"{window.chrom}:{window.start}-{window.end}" for window in windows]
    positives = sequence_block("peaks.fa", ids, [genome.fetch(window) for window in windows])
    drawn = [parse_window_id(identifier) for identifier in genomic_background(genome, [positives], 100, ratio=2,
                                                                                  seed=1).ids()]
    assert len(drawn) > 10
    assert not any(window.chrom == other.chrom and window.start < other.end and other.start < window.end
                   for window in drawn for other in windows)


def test_genomic_background_too_long_for_every_chromosome(genome):
    _, positives = _positives(genome)
    with pytest.raises(Exception, match="no chromosome is as long as a window"):
        genomic_background(genome, [positives], 5000)


@pytest.mark.parametrize(("arguments", "message"), [
    (("genomic", 2, 1.0, None, False, "classification"), "--background genomic draws windows of the genome"),
    (("shuffle", 2, 1.0, None, True, "classification"), "does not go with --multi-label"),
    (("shuffle", 2, 1.0, None, False, "regression"), "--task regression"),
    (("shuffle", 0, 1.0, None, False, "classification"), "--shuffle-k must be at least 1, received: 0"),
    (("shuffle", 2, 0.0, None, False, "classification"), "--background-ratio must be a positive number"),
    (("shuffle", 2, 1e9, None, False, "classification"), "up to 1000, received: 1000000000.0"),
    (("genomic", 2, float("nan"), "g.fa", False, "classification"), "up to 1000, received: nan"),
])
def test_background_options_refused(arguments, message):
    with pytest.raises(ParamError, match=message.replace("-", "\\-").replace("(", "\\(")):
        check_background_options(*arguments)


def test_overlap_lookup_agrees_with_a_plain_comparison():
    from motifnet.data.background import _Occupied

    rng = np.random.default_rng(0)
    taken = [Window("c", int(start), int(start + size)) for start, size in
             zip(rng.integers(0, 5000, 60), rng.integers(1, 300, 60))]
    occupied = _Occupied(taken[:30])
    for window in taken[30:]:
        occupied.add(window)
    for start, size in zip(rng.integers(0, 5200, 500), rng.integers(1, 300, 500)):
        query = Window("c", int(start), int(start + size))
        expected = any(query.start < other.end and other.start < query.end for other in taken)
        assert occupied.overlaps(query) == expected, query
    assert not occupied.overlaps(Window("other", 0, 10))


def test_genomic_background_refuses_more_windows_than_the_genome_holds(genome):
    _, positives = _positives(genome)  # 5 positives; 4 chromosomes of 4000 bases hold 160 windows of 100
    with pytest.raises(InputError, match="asks for 500 windows of 100 bases, but .* holds at most 160"):
        genomic_background(genome, [positives], 100, ratio=100)


def test_genomic_background_without_a_window_of_the_positives_gc_says_so(tmp_path):
    rng = np.random.default_rng(0)
    path = write_fasta(tmp_path / "at.fa", [("chrGC", "".join(rng.choice(list("GC"), 300))),
                                            ("chrAT", "".join(rng.choice(list("AT"), 3000)))])
    with Genome(path) as opened:
        windows = [Window("chrGC", start, start + 40) for start in range(0, 260, 40)]
        positives = windows_block("pos.bed", windows, [opened.fetch(window) for window in windows])
        with pytest.raises(InputError, match=r"none with the positives' GC content \(GC 0.9-1.0\)"):
            genomic_background(opened, [positives], 40)


def test_a_shuffle_that_cannot_reorder_is_refused_or_counted(tmp_path, caplog):
    records = [(f"s{index}", "ACGTTGCAAC" * 6) for index in range(3)] + [("polyA", "A" * 60)]
    block = windows_block("pos.fa", [Window("x", 0, 60)] * 4, [letters.encode() for _, letters in records])
    with pytest.raises(ParamError, match="--shuffle-k 60 keeps every 60-mer, and a record of 60 letters"):
        shuffled_background([block], k=60)
    with caplog.at_level("WARNING", logger="motifnet"):
        background = shuffled_background([block], k=2)
    assert "1 of 4 shuffled copies equal their record" in caplog.text
    assert _sequences(background)[3] == b"A" * 60


def test_a_genomic_background_overlaps_no_peak_only_its_window(genome, tmp_path):
    """Only the positives' windows were excluded: a broad peak's flanks were drawn as background."""
    from motifnet.data.dataset import load_dataset

    bed = tmp_path / "broad.bed"
    # chrMixed 200-3800: a window of 100 around its centre (1950-2050), the rest of the peak bound as well
    bed.write_text("chrMixed\t200\t3800\nchrGC\t100\t200\nchrAT\t300\t400\n")
    dataset = load_dataset([str(bed)], genome=genome.path, background="genomic", background_ratio=4, length=100,
                           background_seed=1)
    drawn = [parse_window_id(identifier) for identifier, label in zip(dataset.ids, dataset.labels[:, -1]) if label]
    assert len(drawn) >= 6  # fewer than 12 GC-matched windows where the peak covers most of chrMixed
    assert not any(window.chrom == "chrMixed" and window.start < 3800 and 200 < window.end for window in drawn)
    excluded = [Window("chrAT", 0, 3500)]
    windows, positives = _positives(genome)
    for window in map(parse_window_id, genomic_background(genome, [positives], 100, ratio=1, seed=1,
                                                          excluded=excluded).ids()):
        assert not (window.chrom == "chrAT" and window.start < 3500)
