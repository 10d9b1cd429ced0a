"""Sites in genome windows placed on the genome (``motifnet.data.coordinates``)."""

from __future__ import annotations

import pytest
from helpers import make_genome, reverse_complement_text

from motifnet.data.coordinates import genome_sites
from motifnet.data.genome import Genome, Window


@pytest.mark.parametrize("strand", ["+", "-"])
def test_a_site_read_in_a_window_is_the_same_letters_at_its_genome_position(tmp_path, strand):
    genome_files = make_genome(tmp_path, sizes={"chr1": 600}, sites=1)
    window = Window("chr1", 100, 180, strand)
    with Genome(genome_files["genome"]) as genome:
        letters = genome.fetch(window).decode()
    chromosome = genome_files["sequences"]["chr1"]
    found = [(0, 7, "+"), (13, 21, "-"), (70, 80, "+")]
    sites = genome_sites([window.id], [0, 0, 0], *zip(*found))
    assert sites.valid.all() and set(sites.window) == {window.id}
    for (site_start, site_end, site_strand), chrom, start, end, on_genome in zip(
            found, sites.chrom, sites.start, sites.end, sites.strand):
        site = letters[site_start:site_end]
        if site_strand == "-":
            site = reverse_complement_text(site)
        genome_site = chromosome[start:end]
        assert chrom == "chr1" and end - start == site_end - site_start
        assert (genome_site if on_genome == "+" else reverse_complement_text(genome_site)) == site


def test_records_that_are_not_genome_windows_keep_their_coordinates():
    ids = ["chr2:10-30(-)", "chr2:10-30(+)", "seq_1", "chr2:10-30(+)/shuffle1"]
    sites = genome_sites(ids, [0, 1, 2, 3], [0, 0, 0, 0], [5, 5, 5, 5], ["+", "-", "+", "+"])
    assert list(zip(sites.chrom, sites.start, sites.end, sites.strand)) == [
        ("chr2", 25, 30, "-"), ("chr2", 10, 15, "-"), ("seq_1", 0, 5, "+"), ("chr2:10-30(+)/shuffle1", 0, 5, "+")]
    assert sites.valid.tolist() == [True, True, False, False]
    assert list(sites.window) == ["chr2:10-30(-)", "chr2:10-30(+)", "NA", "NA"]
    assert len(genome_sites(["seq_1"], [], [], [], []).chrom) == 0


def test_a_site_in_a_short_records_padding_is_placed_on_its_letters_or_nowhere():
    """seqlets.tsv placed a seqlet in a padded record's padding on the bases beside the record's window."""
    from motifnet.data.windows import window_table

    ids = ["chr1:100-110(+)", "chr1:100-110(-)"]
    table = window_table(ids, 20, [10, 10])  # letters at model positions 5-14
    sites = genome_sites(ids, [0, 0, 0, 1, 1], [0, 3, 7, 3, 12], [5, 8, 12, 8, 17], ["+", "+", "-", "+", "+"], table)
    assert sites.valid.tolist() == [False, True, True, True, True]
    assert list(zip(sites.start.tolist(), sites.end.tolist())) == [(0, 5), (100, 103), (102, 107), (107, 110),
                                                                   (100, 103)]
    assert sites.chrom.tolist() == ["chr1:100-110(+)", "chr1", "chr1", "chr1", "chr1"]
    assert sites.strand.tolist() == ["+", "+", "-", "-", "-"]
