"""motifnet fold and train --fold: known structures and contexts, profiles, order, errors, end to end."""

import json
import re

import numpy as np
import pytest
from helpers import SAMPLE_RNA, TINY_PARAMS, write_fasta

from motifnet.data.dataset import load_dataset
from motifnet.data.folding import (
    CONTEXTS,
    FoldOptions,
    fold_file,
    fold_sequence,
    header_with_energy,
    profile_lines,
    structure_contexts,
)
from motifnet.errors import InputError, ParamError

# Yeast tRNA-Phe: RNAfold's MFE is the cloverleaf, a four-way multi-loop.
TRNA = "GCGGAUUUAGCUCAGUUGGGAGAGCGCCAGACUGAAGAUCUGGAGGUCCUGUGUUCGAUCCACAGAAUUCGCACCA"
TRNA_MFE = "(((((((..((((........)))).(((((.......))))).....(((((.......))))))))))))...."
TRNA_CONTEXTS = ("S" * 7 + "MM" + "S" * 4 + "H" * 8 + "S" * 4 + "M" + "S" * 5 + "H" * 7 + "S" * 5
                 + "M" * 5 + "S" * 5 + "H" * 7 + "S" * 5 + "S" * 7 + "T" * 4)
STABLE_HAIRPIN = "AAAGGGCGCGCGAAAGCGCGCCCAAA"


def profile_records(path):
    """(header, sequence, matrix of shape (6, length)) for each record of a profile file."""
    records, lines = [], path.read_text().splitlines()
    for start in range(0, len(lines), 8):
        matrix = np.array([[float(v) for v in row.split()] for row in lines[start + 2:start + 8]])
        records.append((lines[start][1:], lines[start + 1], matrix))
    return records


def three_line_records(path):
    lines = path.read_text().splitlines()
    return [(lines[i][1:], lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]


@pytest.mark.parametrize("structure, contexts", [
    ("((((...))))", "SSSSHHHSSSS"),
    ("..((((...))))..((...)).", "FFSSSSHHHSSSSMMSSHHHSST"),  # exterior loop between helices: M
    ("((..((...))..))", "SSIISSHHHSSIISS"),  # interior loop
    ("((..((...))))", "SSIISSHHHSSSS"),  # bulge
    ("((.((...)).((...)).))", "SSMSSHHHSSMSSHHHSSMSS"),  # three-way junction
    ("((((...))((...))))", "SSSSHHHSSSSHHHSSSS"),  # multi-loop without unpaired bases
    (".....", "FFFFF"),  # no pairs at all: all 5' end, as forgi does
    ("", ""),
])
def test_contexts_of_known_structures(structure, contexts):
    assert structure_contexts(structure) == contexts


@pytest.mark.parametrize("structure, fragment", [
    ("((...)", "'(' at position 1 is never closed"),
    ("(...))", "')' at position 6"),
    ("((.x))", "'x' at position 4"),
])
def test_contexts_refuse_broken_structures(structure, fragment):
    with pytest.raises(InputError, match=re.escape(fragment)):
        structure_contexts(structure)


@pytest.mark.parametrize("sequence, structure, contexts, energy", [
    ("GGGGAAACCCC", "((((...))))", "SSSSHHHSSSS", -4.5),
    (TRNA, TRNA_MFE, TRNA_CONTEXTS, -22.4),
    # a designed three-way junction: closing helix, two hairpins, five unpaired bases
    ("GGGAGCUCGAAAGAGCUCAGCCGUAAGGCUGAAAGCCUCCC", "((((((((....))))((((((....)))))).....))))",
     "SSSSSSSSHHHHSSSSSSSSSSHHHHSSSSSSMMMMMSSSS", -19.0),
    ("GGGGACGGGGAAAACCCCAACCCC", "((((..((((....))))..))))", "SSSSIISSSSHHHHSSSSIISSSS", -14.7),
    ("GGGGAAGGGGAAAACCCCCCCC", "((((..((((....))))))))", "SSSSIISSSSHHHHSSSSSSSS", -12.5),
    ("AAGGGGAAACCCCAAGGGGAAACCCCAA", "..((((...(((....)))...))))..", "FFSSSSIIISSSHHHHSSSIIISSSSTT", -12.7),
])
def test_known_sequences_fold_to_their_mfe_structure_and_contexts(sequence, structure, contexts, energy):
    result = fold_sequence(sequence)
    assert result.structure == structure
    assert result.energy == pytest.approx(energy, abs=0.01)
    assert result.contexts == contexts


@pytest.mark.parametrize("options", [
    FoldOptions(format="profile", samples=200),
    FoldOptions(format="profile", exact=True),
    FoldOptions(format="profile", window=30, span=20),
])
def test_profile_files_have_six_rows_whose_columns_sum_to_one(options, tmp_path):
    source = write_fasta(tmp_path / "in.fa", [("trna", TRNA), ("hairpin", STABLE_HAIRPIN)])
    fold_file(source, tmp_path / "out.fa", options)
    records = profile_records(tmp_path / "out.fa")
    assert [(h.split()[0], s) for h, s, _ in records] == [("trna", TRNA), ("hairpin", STABLE_HAIRPIN)]
    for _, sequence, matrix in records:
        assert matrix.shape == (len(CONTEXTS), len(sequence))
        assert (matrix >= 0).all()
        np.testing.assert_allclose(matrix.sum(axis=0), 1.0, atol=1e-6)


@pytest.mark.parametrize("options", [FoldOptions(format="profile"), FoldOptions(format="profile", exact=True)])
def test_profile_of_a_stable_hairpin_agrees_with_its_mfe_contexts(options):
    contexts = fold_sequence(STABLE_HAIRPIN).contexts
    assert contexts == "FFFSSSSSSSSHHHHSSSSSSSSTTT"
    profile = fold_sequence(STABLE_HAIRPIN, options).profile
    most_probable = "".join(CONTEXTS[k] for k in profile.argmax(axis=0))
    agreement = np.mean([a == b for a, b in zip(most_probable, contexts)])
    assert agreement >= 0.9
    assert profile.max(axis=0).min() > 0.9  # and confidently so


def test_sampled_profile_estimates_the_exact_one_and_is_seeded():
    exact = fold_sequence(TRNA, FoldOptions(format="profile", exact=True)).profile
    sampled = fold_sequence(TRNA, FoldOptions(format="profile", samples=4000, seed=5)).profile
    # 4000 samples: standard error at most 0.008 per entry
    assert np.abs(sampled - exact).max() < 0.04
    again = fold_sequence(TRNA, FoldOptions(format="profile", samples=4000, seed=5)).profile
    other = fold_sequence(TRNA, FoldOptions(format="profile", samples=4000, seed=6)).profile
    np.testing.assert_array_equal(sampled, again)
    assert not np.array_equal(sampled, other)


def test_exact_profile_of_whole_sequence_matches_the_pair_probabilities():
    import RNA

    compound = RNA.fold_compound(TRNA)
    _, energy = compound.mfe()
    compound.exp_params_rescale(energy)
    compound.pf()
    pairs = np.array(compound.bpp())[1:, 1:]
    paired = (pairs + pairs.T).sum(axis=1)
    profile = fold_sequence(TRNA, FoldOptions(format="profile", exact=True)).profile
    np.testing.assert_allclose(profile[CONTEXTS.index("S")], paired, atol=1e-9)


def test_local_folding_limits_the_base_pair_span():
    rng = np.random.default_rng(4)
    sequence = "".join(rng.choice(list("ACGU"), size=300))
    structure = fold_sequence(sequence, FoldOptions(window=80, span=40)).structure
    stack, spans = [], []
    for position, char in enumerate(structure):
        if char == "(":
            stack.append(position)
        elif char == ")":
            spans.append(position - stack.pop())
    assert spans and max(spans) < 40
    assert max(spans) < max(_spans(fold_sequence(sequence).structure))


def test_local_profile_resolves_a_hairpin_between_ends_longer_than_the_window():
    # 5' and 3' stretches of 100 unpaired bases exceed the window of 60: F and T are chained
    sequence = "A" * 100 + "GGGCGCGCAAAAGCGCGCCC" + "A" * 100
    contexts = fold_sequence(sequence).contexts
    assert contexts == "F" * 100 + "SSSSSSSSHHHHSSSSSSSS" + "T" * 100
    profile = fold_sequence(sequence, FoldOptions(format="profile", window=60, span=30)).profile
    most_probable = "".join(CONTEXTS[k] for k in profile.argmax(axis=0))
    assert np.mean([a == b for a, b in zip(most_probable, contexts)]) >= 0.95
    unpairable = fold_sequence("N" * 50, FoldOptions(format="profile", window=10)).profile
    np.testing.assert_allclose(unpairable[CONTEXTS.index("F")], 1.0)


def _spans(structure):
    stack, spans = [], []
    for position, char in enumerate(structure):
        if char == "(":
            stack.append(position)
        elif char == ")":
            spans.append(position - stack.pop())
    return spans


def test_profile_rows_are_rounded_to_sum_exactly_to_one():
    third = np.array([[1 / 3], [1 / 3], [1 / 3], [0.0], [0.0], [0.0]])
    assert profile_lines(third) == ["0.333334", "0.333333", "0.333333", "0", "0", "0"]
    rng = np.random.default_rng(0)
    matrix = rng.dirichlet(np.ones(6), size=50).T
    values = np.array([[float(v) for v in line.split()] for line in profile_lines(matrix)])
    np.testing.assert_allclose(values.sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(values, matrix, atol=1e-6)


@pytest.mark.parametrize("header, expected", [
    ("seq1", "seq1 mfe=-3.40"),
    ("seq1 some description", "seq1 mfe=-3.40 some description"),
    ("seq1 0,2", "seq1 mfe=-3.40 0,2"),  # multi-label indices stay at the end
    ("0,2", "0,2 mfe=-3.40"),  # labels only: read multi-label, the energy is not a word of the header
    ("101", "101 mfe=-3.40"),  # an id of digits was renamed record_7
    ("", "record_7 mfe=-3.40"),
    ("seq1 mfe=-5.40 0,2", "seq1 mfe=-3.40 0,2"),  # folded before: the old energy was kept beside the new one
    ("mfe=-5.40 0,2", "0,2 mfe=-3.40"),
    ("seq1\tmfe=-5.40 a  b", "seq1 mfe=-3.40 a  b"),  # the rest of the header as it was
])
def test_energy_goes_after_the_id(header, expected):
    assert header_with_energy(header, 7, -3.4) == expected


def test_ids_and_class_indices_read_the_same_after_folding(tmp_path):
    """fold renamed a record whose id is digits only ('>101' became 'record_1 mfe=... 101'): its id was lost, and
    predict or activations of a train --fold run called every such record record_N."""
    from motifnet.data.dataset import load_dataset

    def folded(name, records):
        source = write_fasta(tmp_path / f"{name}.fa", records)
        fold_file(source, tmp_path / f"{name}.folded.fa", FoldOptions(jobs=1))
        return source, tmp_path / f"{name}.folded.fa"

    sequences = ["GGGGAAAACCCC", "GGGAAAUCCCAA", "GGGAAAUCCCAA", "GGGGAAAACCCC"]
    _, out = folded("ids", list(zip(["101", "102", "s3 x", "4"], sequences)))
    _, other = folded("other", list(zip(["201", "202", "203", "204"], [s.replace("A", "U") for s in sequences])))
    single = load_dataset([str(out), str(other)], structure="().")
    assert single.ids.tolist() == ["101", "102", "s3", "4", "201", "202", "203", "204"]
    source, out = folded("labels", list(zip(["0,1", "1", "s3 0", "s4 0, 1"], sequences)))
    multi = load_dataset([str(out)], multi_label=True, structure="().")
    plain = load_dataset([str(source)], multi_label=True)
    assert multi.ids.tolist() == plain.ids.tolist() == ["record_1", "record_2", "s3", "s4"]
    np.testing.assert_array_equal(multi.labels, [[1, 1], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(plain.labels, multi.labels)


@pytest.mark.parametrize("header, expected", [
    ("seq1 mfe=-5.40 0,2", "seq1 0,2"),  # kept: it passed for the energy of this folding
    ("seq1 description", "seq1 description"),
])
def test_folding_without_an_energy_drops_an_earlier_one(header, expected):
    assert header_with_energy(header, 7, None) == expected


def test_order_and_results_do_not_depend_on_jobs(tmp_path):
    rng = np.random.default_rng(2)
    records = [(f"r{i} n={i}", "".join(rng.choice(list("ACGU"), size=int(rng.integers(12, 40)))))
               for i in range(70)]
    source = write_fasta(tmp_path / "in.fa", records, wrap=25)
    options = dict(format="profile", samples=50, seed=3)
    assert fold_file(source, tmp_path / "one.fa", FoldOptions(jobs=1, **options)) == 70
    assert fold_file(source, tmp_path / "two.fa", FoldOptions(jobs=2, **options)) == 70
    assert (tmp_path / "one.fa").read_text() == (tmp_path / "two.fa").read_text()
    written = profile_records(tmp_path / "two.fa")
    assert [h.split()[0] for h, _, _ in written] == [f"r{i}" for i in range(70)]
    assert [s for _, s, _ in written] == [s for _, s in records]


def test_a_records_sampled_profile_does_not_depend_on_where_it_stands(tmp_path):
    """The sampling was seeded by the record's position in its file: predict on a train --fold profile run gave a
    record another prediction when the input was split into two files or reordered."""
    rng = np.random.default_rng(4)
    records = [(f"r{i}", "".join(rng.choice(list("ACGU"), size=30))) for i in range(4)]
    options = FoldOptions(format="profile", samples=50, seed=3, jobs=1)
    fold_file(write_fasta(tmp_path / "all.fa", records), tmp_path / "all_folded.fa", options)
    fold_file(write_fasta(tmp_path / "last.fa", records[:1:-1]), tmp_path / "last_folded.fa", options)  # r3, r2
    whole = {header.split()[0]: matrix for header, _, matrix in profile_records(tmp_path / "all_folded.fa")}
    for header, _, matrix in profile_records(tmp_path / "last_folded.fa"):
        np.testing.assert_array_equal(matrix, whole[header.split()[0]])
    again = fold_sequence(records[2][1], options).profile  # the same letters fold alike wherever they come from
    np.testing.assert_allclose(again, whole["r2"], atol=5e-7)
    assert not np.array_equal(whole["r2"], fold_sequence(records[2][1], FoldOptions(format="profile", samples=50,
                                                                                    seed=4)).profile)


def test_folded_files_are_read_by_train_with_the_matching_structure_options(tmp_path):
    a = write_fasta(tmp_path / "a.fa", [("a1", TRNA[:40]), ("a2", TRNA[36:])])
    b = write_fasta(tmp_path / "b.fa", [("b1 0", STABLE_HAIRPIN + "GCGCAGCGCAGCGC"), ("b2", TRNA[10:50])])
    for fold_format, structure, pwm in [("dotbracket", "().", False), ("context", CONTEXTS, False),
                                        ("profile", CONTEXTS, True)]:
        paths = [tmp_path / f"{fold_format}_{p.name}" for p in (a, b)]
        for source, target in zip((a, b), paths):
            fold_file(source, target, FoldOptions(format=fold_format, samples=10 if pwm else None, jobs=1))
        dataset = load_dataset(paths, structure=structure, structure_pwm=pwm)
        assert list(dataset.ids) == ["a1", "a2", "b1", "b2"]
        assert dataset.encoder.alphabet.name == "rna" and dataset.encoder.length == 40
        if pwm:
            assert dataset.structure.shape == (4, 40, 6)


def test_dna_is_folded_as_rna_with_a_note(cli, tmp_path):
    # A-T pairs hold the hairpin together: T is paired as U; sequences are written as given
    source = write_fasta(tmp_path / "dna.fa", [("d1", "GCATATATGAAACATATATGC"), ("d2", "ggggaTacccc")])
    result = cli("fold", source, "-o", tmp_path / "out.fa", "--format", "context", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("T read as U") == 1
    assert three_line_records(tmp_path / "out.fa") == [
        ("d1 mfe=-8.10", "GCATATATGAAACATATATGC", "SSSSSSSSSHHHSSSSSSSSS"),
        ("d2 mfe=-4.50", "ggggaTacccc", "SSSSHHHSSSS")]


def test_fold_command_writes_rnafold_style_records(cli, tmp_path):
    source = write_fasta(tmp_path / "in.fa", [("hp hairpin", "GGGGAAACCCC"), ("t", TRNA)], wrap=30)
    result = cli("fold", source, "-o", tmp_path / "out.fa", "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert three_line_records(tmp_path / "out.fa") == [
        ("hp mfe=-4.50 hairpin", "GGGGAAACCCC", "((((...))))"), ("t mfe=-22.40", TRNA, TRNA_MFE)]
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


@pytest.mark.parametrize("records, args, fragment, status", [
    ([("s1", "GGGGAAACCCC"), ("s2", "GGGXAAACCCC")], [], "record 2 ('s2'): character 'X' at position 4", 1),
    # a folded record: it said "character '(' at position 12 is not a nucleotide" of a record of 11 letters
    ([("s1", ["GGGGAAACCCC", "((((...))))"])], [], "record 1 ('s1'): its line 2 (after the header) is a dot-bracket "
                                                   "structure, not sequence: the record was folded already", 1),
    # contexts of IUPAC letters alone (S, H, M, T): folded silently as one sequence of 22 letters
    ([("s1", ["GGGGAAACCCC", "SSSSHHHSSSS"])], [],
     "record 1 ('s1'): its line 2 (after the header) is a line of structure contexts (FHIMST), not sequence", 1),
    ([("s1", ["GGGGAAACCCC", "ssssfhhhsss"])], [], "its line 2 (after the header) is a line of structure contexts", 1),
    ([("s1", ["GGGGAAACCCC", "((((...)))) (-4.50)"])], [], "its line 2 (after the header) is a dot-bracket", 1),
    ([("s1", ["GGGGAAACCCC", "0 0.5 1 0.25 0 0 0 0 0 0 0"])], [],
     "its line 2 (after the header) is a row of a structure profile, not sequence", 1),
    ([("s1", "GGGGAAACCCC"), ("empty", [])], [], "record 2 ('empty'): empty sequence", 1),
    ([("s1", "GGGGAAACCCC")], ["--span", "50"], "--span 50 needs --window", 2),
    # a value outside the option's range: a usage error (2), as Click's own range checks
    ([("s1", "GGGGAAACCCC")], ["--window", "50", "--span", "80"], "--span must be between 1 and --window (50)", 2),
    ([("s1", "GGGGAAACCCC")], ["--samples", "10"], "--samples applies to --format profile only", 2),
    ([("s1", "GGGGAAACCCC")], ["--format", "profile", "--window", "50", "--samples", "10"],
     "--samples cannot be combined with --window", 2),
    ([("s1", "GGGGAAACCCC")], ["--format", "context", "--exact"], "--exact applies to --format profile only", 2),
    # 2**32 or more: a traceback from ViennaRNA's bindings
    ([("s1", "GGGGAAACCCC")], ["--format", "profile", "--samples", "5000000000"],
     "5000000000 is not in the range 1<=x<=1000000", 2),
])
def test_bad_fold_inputs_give_one_line_and_a_non_zero_status(records, args, fragment, status, cli, tmp_path):
    source = write_fasta(tmp_path / "in.fa", records)
    result = cli("fold", source, "-o", tmp_path / "out.fa", "--jobs", "1", *args)
    assert result.exit_code == status
    assert fragment in result.stderr
    assert "Traceback" not in result.output + result.stderr
    if status == 1:  # the first record is read before a word is said of the fold
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "out.fa").exists()
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_wrapped_sequences_are_not_taken_for_folded_records(cli, tmp_path):
    """Lines of IUPAC codes, Ts and gaps after a sequence line are sequence unless the record is shaped as a folded
    one (two lines of one length)."""
    source = write_fasta(tmp_path / "in.fa", [("w1", ["GGGGAAACCCC", "TTTTTTTT"]), ("w2", ["GGGGAAACC", "SSHHMMTTT",
                                                                                         "ACGU"])])
    result = cli("fold", source, "-o", tmp_path / "out.fa", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert [sequence for _, sequence, _ in three_line_records(tmp_path / "out.fa")] == [
        "GGGGAAACCCCTTTTTTTT", "GGGGAAACCSSHHMMTTTACGU"]
    gapped = write_fasta(tmp_path / "gapped.fa", [("g", ["ACGUACGU", "........", "ACGU"])])
    result = cli("fold", gapped, "-o", tmp_path / "gapped_out.fa", "--jobs", "1")
    assert result.exit_code == 1 and "character '.' at position 9 is not a nucleotide" in result.stderr


def test_fold_of_a_missing_file_is_refused(cli, tmp_path):
    result = cli("fold", tmp_path / "nope.fa", "-o", tmp_path / "out.fa")
    assert result.exit_code == 1 and "nope.fa: no such file" in result.stderr
    # one line: the progress line of what would be folded how came first
    assert result.stderr.strip().splitlines() == [f"Error: {tmp_path / 'nope.fa'}: no such file"]


def test_options_are_checked_in_the_library_too():
    with pytest.raises(ParamError, match="--format must be one of"):
        FoldOptions(format="ct")
    with pytest.raises(ParamError, match="--samples and --exact exclude each other"):
        FoldOptions(format="profile", samples=5, exact=True)
    with pytest.raises(ParamError, match="--samples must be between 1 and 1,000,000, received: 5000000000"):
        FoldOptions(format="profile", samples=5_000_000_000)
    with pytest.raises(ParamError, match="--seed must be 0 or more"):
        FoldOptions(format="profile", seed=-1)
    assert FoldOptions(window=100).span == 100


def test_an_error_deep_in_the_input_stops_the_workers_and_writes_nothing(tmp_path):
    records = [(f"r{i}", "GGGGAAACCCC") for i in range(69)] + [("bad", "GGGG-AAACCCC")]
    source = write_fasta(tmp_path / "in.fa", records)
    with pytest.raises(InputError, match=re.escape("record 70 ('bad'): character '-' at position 5")):
        fold_file(source, tmp_path / "out.fa", FoldOptions(jobs=2))
    assert [p.name for p in tmp_path.iterdir()] == ["in.fa"]


def test_fold_reads_standard_input(cli, tmp_path):
    result = cli("fold", "-", "-o", tmp_path / "out.fa", "--jobs", "1", input=">a x\nGGGGAAACCCC\n")
    assert result.exit_code == 0, result.stderr
    assert three_line_records(tmp_path / "out.fa") == [("a mfe=-4.50 x", "GGGGAAACCCC", "((((...))))")]


def test_fold_writes_standard_output_once_complete(cli, tmp_path, monkeypatch):
    # "-o -" made a file named "-" in the current folder.
    monkeypatch.chdir(tmp_path)
    source = write_fasta(tmp_path / "in.fa", [("hp hairpin", "GGGGAAACCCC"), ("t", TRNA)])
    result = cli("fold", source, "-o", "-", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    (tmp_path / "printed.fa").write_text(result.stdout)
    assert three_line_records(tmp_path / "printed.fa") == [
        ("hp mfe=-4.50 hairpin", "GGGGAAACCCC", "((((...))))"), ("t mfe=-22.40", TRNA, TRNA_MFE)]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.fa", "printed.fa"]


@pytest.mark.parametrize("args", [[], ["--format", "context"], ["--format", "profile", "--exact"],
                                  ["--format", "profile", "--window", "30"]])
def test_a_seed_for_a_fold_that_samples_nothing_is_refused(cli, tmp_path, args):
    # It was accepted and changed nothing.
    source = write_fasta(tmp_path / "in.fa", [("s1", "GGGGAAACCCC")])
    result = cli("fold", source, "-o", tmp_path / "out.fa", "--seed", "3", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: --seed 3 applies to sampled profiles (--format profile without --exact "
                                    "or --window)")
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "out.fa").exists()
    result = cli("fold", source, "-o", tmp_path / "out.fa", "--seed", "3", "--format", "profile", "--samples", "20")
    assert result.exit_code == 0, result.stderr


def plain_rna_subset(tmp_path, records_per_class):
    """The RNA sample classes as plain sequence FASTA (structure lines removed), first N records each."""
    paths = []
    for source in SAMPLE_RNA:
        lines = source.read_text().splitlines()[:3 * records_per_class]
        records = [(lines[i][1:], lines[i + 1]) for i in range(0, len(lines), 3)]
        paths.append(write_fasta(tmp_path / source.name, records))
    return paths


def train_folded(cli, tmp_path, records_per_class, fold_format, seed):
    """``train --fold`` on the plain RNA sample subset; returns (run folder, its motifnet.json, inputs)."""
    loop, stem = plain_rna_subset(tmp_path, records_per_class)
    run_dir = tmp_path / "run"
    result = cli("train", loop, stem, "--fold", fold_format, "-o", run_dir, "--seed", str(seed), *TINY_PARAMS)
    assert result.exit_code == 0, result.stderr
    return run_dir, json.loads((run_dir / "motifnet.json").read_text()), (loop, stem)


@pytest.mark.parametrize("args, fragment", [
    (["--structure-alphabet", "FHIMST"], "leave out --structure-alphabet"),
    (["--structure-pwm"], "leave out --structure-pwm"),
])
def test_train_fold_refuses_structure_options(args, fragment, cli, tmp_path):
    loop, stem = plain_rna_subset(tmp_path, 5)
    result = cli("train", loop, stem, "--fold", "context", "-o", tmp_path / "run", *args)
    # Options that exclude each other: a usage error, as every other conflict (it exited 1).
    assert result.exit_code == 2 and fragment in result.stderr and "train --help" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()


def test_train_fold_checks_the_run_folder_before_folding(cli, tmp_path):
    loop, stem = plain_rna_subset(tmp_path, 5)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = cli("train", loop, stem, "--fold", "context", "-o", tmp_path / "busy")
    assert result.exit_code == 1 and "is not a motifnet run" in result.stderr
    assert not (tmp_path / "busy" / "folded").exists()


def test_a_refused_train_fold_leaves_no_empty_folder(cli, tmp_path):
    """A record fold refuses (a dot-bracket file) left an empty RUN_DIR/folded/ behind."""
    loop, stem = plain_rna_subset(tmp_path, 5)
    folded = tmp_path / "folded.fa"
    folded.write_text(">f1\nACGUACGUAC\n((....)).." + "\n")
    result = cli("train", folded, loop, "--fold", "context", "-o", tmp_path / "new" / "run")  # refused first
    assert result.exit_code == 1 and "the record was folded already" in result.stderr, result.stderr
    assert not (tmp_path / "new" / "run").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("the user's")
    result = cli("train", folded, loop, "--fold", "context", "-o", tmp_path / "mine" / "run")
    assert result.exit_code == 1 and sorted(path.name for path in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_train_fold_refuses_a_copy_of_a_class_file_before_folding(cli, tmp_path, monkeypatch):
    # A copy was folded first, then refused by the names of its folded files in the run folder.
    from motifnet.run import fold_inputs

    loop, stem = plain_rna_subset(tmp_path, 5)
    copy = tmp_path / "copy.fa"
    copy.write_bytes(loop.read_bytes())
    monkeypatch.setattr(fold_inputs, "fold_file", lambda *args: pytest.fail("folded a copy"))
    result = cli("train", loop, stem, copy, "--fold", "context", "-o", tmp_path / "run")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{loop} and {copy} hold the same records (a copy of one file?): each FASTA file is one class" \
        in result.stderr
    assert not (tmp_path / "run" / "folded").exists()
    result = cli("train", loop, copy, "--task", "regression", "--fold", "context", "-o", tmp_path / "run")
    assert result.exit_code == 1 and result.stderr.strip().splitlines()[-1] == (
        f"Error: {loop} and {copy} hold the same records (a copy of one file?): each FASTA file is one part of the "
        "regression set; give each its own records")


def test_folded_profiles_seeded_by_position_are_folded_again(cli, tmp_path):
    """Profiles folded before the sampling was seeded by the letters were reused by train --overwrite, so the
    run trained on profiles that fold and predict no longer make."""
    loop, stem = plain_rna_subset(tmp_path, 6)
    run_dir = tmp_path / "run"
    arguments = ("train", loop, stem, "--fold", "profile", "-o", run_dir, "--seed", "1", *TINY_PARAMS)
    assert cli(*arguments).exit_code == 0
    manifest = run_dir / "folded" / "sources.json"
    sources = json.loads(manifest.read_text())
    assert {entry["seeding"] for entry in sources.values()} == {"letters"}
    result = cli(*arguments, "--overwrite")
    assert result.exit_code == 0 and "reusing" in result.stderr and "folding " not in result.stderr
    for entry in sources.values():  # as written before
        del entry["seeding"]
    manifest.write_text(json.dumps(sources))
    result = cli(*arguments, "--overwrite")
    assert result.exit_code == 0 and "reusing" not in result.stderr and result.stderr.count("folding ") == 2


@pytest.mark.slow
def test_train_fold_then_visualize_kernels_end_to_end(cli, tmp_path):
    run_dir, meta, (loop, stem) = train_folded(cli, tmp_path, 40, "context", seed=1)
    assert meta["data"]["class_names"] == ["loop", "stem"]
    assert meta["data"]["encoder"]["structure_alphabet"]["letters"] == "FHIMST"
    assert meta["data"]["encoder"]["structure_mode"] == "letters"
    assert [f["path"] for f in meta["data"]["files"]] == [str(run_dir / "folded" / "loop.fa"),
                                                         str(run_dir / "folded" / "stem.fa")]
    folded = three_line_records(run_dir / "folded" / "loop.fa")
    assert len(folded) == 40 and set(folded[0][2]) <= set(CONTEXTS)
    sources = json.loads((run_dir / "folded" / "sources.json").read_text())
    assert sources["loop.fa"]["source"] == str(loop) and sources["loop.fa"]["settings"]["format"] == "context"

    report = tmp_path / "report"
    result = cli("visualize-kernels", run_dir, "-o", report, "--group", "all")
    assert result.exit_code == 0, result.stderr
    assert (report / "motif_kernel_0.png").exists()
    meme = (report / "motifs_structure.meme").read_text()
    assert 'ALPHABET "structure"\nF\nH\nI\nM\nS\nT\nEND ALPHABET' in meme
    assert meme.count("MOTIF kernel_") >= 1 and "alength= 6" in meme

    # DNA given to this RNA model was folded in full ('folding it as RNA with T read as U'), then refused
    dna = tmp_path / "loop_dna.fa"
    dna.write_text(loop.read_text().replace("U", "T"))
    first_id, first_sequence = loop.read_text().split("\n")[:2]
    result = cli("predict", run_dir, dna, "-o", tmp_path / "p.tsv")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "T read as U" not in result.stderr, result.stderr  # refused as the first record is read
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {dna}, record 1 ('{first_id[1:].split()[0]}'): sequence character 'T' at position "
        f"{first_sequence.index('U') + 1} is not in the rna alphabet (allowed: ACGURYSWKMBDHVN); this record looks "
        "like DNA and the model was trained on RNA: write T as U")
    assert not (tmp_path / "p.tsv").exists()
    # A T in the last record alone was refused once the records before it were folded: now before any is
    text = loop.read_text()
    last = text.rindex(">")
    late = tmp_path / "late.fa"
    header, sequence = text[last:].split("\n")[:2]
    late.write_text(text[:last] + f"{header}\n{sequence.replace('U', 'T', 1)}\n")
    result = cli("predict", run_dir, late, "-o", tmp_path / "p.tsv")
    assert result.exit_code == 1 and "folding" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"Error: {late}, record 40 ('{text[last + 1:].split()[0]}'): sequence character 'T' at position"), result.stderr
    # from standard input it named the temporary copy; an empty record was a length of 0
    result = cli("predict", run_dir, "-", "-o", tmp_path / "p.tsv", input=late.read_text())
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"Error: standard input, record 40 ('{text[last + 1:].split()[0]}'): sequence character 'T'"), result.stderr
    late.write_text(text[:last] + f"{header}\n")
    result = cli("predict", run_dir, late, "-o", tmp_path / "p.tsv")
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {late}, record 40 ('{text[last + 1:].split()[0]}'): empty sequence (a header without sequence lines); "
        "remove the record or give its sequence"), result.stderr

    # replacing the run reuses the folded files instead of folding again
    result = cli("train", loop, stem, "--fold", "context", "-o", run_dir, "--seed", "1", "--overwrite",
                 *TINY_PARAMS)
    assert result.exit_code == 0, result.stderr
    assert "reusing" in result.stderr and "folding " not in result.stderr
    # replacing it with a run on the plain sequences leaves no folded files behind
    result = cli("train", loop, stem, "-o", run_dir, "--seed", "1", "--overwrite", *TINY_PARAMS)
    assert result.exit_code == 0, result.stderr
    assert not (run_dir / "folded").exists()


@pytest.mark.slow
def test_train_fold_profile_trains_on_context_probabilities(cli, tmp_path):
    run_dir, meta, _ = train_folded(cli, tmp_path, 30, "profile", seed=2)
    assert meta["data"]["encoder"]["structure_mode"] == "pwm"
    assert meta["data"]["channels"] == 4 * 6
    for _, _, matrix in profile_records(run_dir / "folded" / "stem.fa"):
        np.testing.assert_allclose(matrix.sum(axis=0), 1.0, atol=1e-6)


@pytest.mark.parametrize("chunks, jobs, cores, expected", [
    (1, 500, 16, 1),  # the work: a small file needs one worker
    (3, 500, 16, 3),
    (40, 500, 16, 16),  # the cores
    (40, 2, 16, 2),
    (0, 8, 16, 1),
])
def test_workers_are_capped_by_the_chunks_and_the_cores(monkeypatch, chunks, jobs, cores, expected):
    from motifnet.data import folding

    monkeypatch.setattr(folding, "available_cores", lambda: cores)
    items, workers = folding._workers_for(iter(range(chunks)), jobs)
    assert workers == expected and list(items) == list(range(chunks))  # nothing lost by reading ahead


def test_fold_with_many_jobs_on_a_small_file_starts_one_worker(tmp_path, monkeypatch):
    from motifnet.data import folding

    started = []
    monkeypatch.setattr(folding, "process_pool", lambda jobs: started.append(jobs))  # not reached
    source = write_fasta(tmp_path / "in.fa", [(f"r{i}", "GGGGAAACCCCAUAUAUGCGCAAAAGCGC") for i in range(20)])
    assert fold_file(source, tmp_path / "out.fa", FoldOptions(jobs=500)) == 20
    assert started == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_signal_stops_folding_between_chunks_and_writes_nothing(tmp_path, monkeypatch, jobs):
    import signal

    from motifnet._signals import StopRequested, stop_on_signals
    from motifnet.data import folding

    source = write_fasta(tmp_path / "in.fa", [(f"r{i}", "GGGGAAACCCC") for i in range(200)])  # 7 chunks
    advance = folding.Progress.advance
    folded = []

    def signal_after_the_first_chunk(self, count=1):
        advance(self, count)
        folded.append(count)
        signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(folding.Progress, "advance", signal_after_the_first_chunk)
    with stop_on_signals(), pytest.raises(StopRequested):
        fold_file(source, tmp_path / "out.fa", FoldOptions(jobs=jobs))
    assert folded == [folding._CHUNK_RECORDS]
    assert [p.name for p in tmp_path.iterdir()] == ["in.fa"]  # neither the output nor its temporary file


def test_a_signal_does_not_wait_for_a_workers_long_chunk():
    """One chunk of a 5,000-nt record takes a worker minutes: a SIGTERM waited for it (71 s), past a batch
    system's grace period; the wait now checks for a stop in steps."""
    import threading
    from collections import deque
    from concurrent.futures import Future

    from motifnet._signals import StopRequested, request_stop, stop_on_signals
    from motifnet.data import folding

    slow = Future()
    timer = threading.Timer(20.0, slow.set_result, [["folded at last"]])
    timer.start()
    try:
        with stop_on_signals(), pytest.raises(StopRequested):
            request_stop()
            folding._collect(deque([(["r1"], slow)]))
    finally:
        timer.cancel()
    assert not slow.done()
    done = Future()
    done.set_result(["folded"])
    assert folding._collect(deque([(["r1"], done)])) == (["r1"], ["folded"])


def test_fold_writes_gzip_for_an_output_named_gz(tmp_path):
    """fold -o out.fa.gz wrote plain text under a gzip name."""
    import gzip

    source = write_fasta(tmp_path / "in.fa", [("r1", "GGGGAAAACCCC"), ("r2", "GGGAAAUCCCAA")])
    fold_file(source, tmp_path / "out.fa", FoldOptions(jobs=1))
    fold_file(source, tmp_path / "out.fa.gz", FoldOptions(jobs=1))
    assert gzip.decompress((tmp_path / "out.fa.gz").read_bytes()) == (tmp_path / "out.fa").read_bytes()
