"""Best matches: MEME's tomtom.tsv layout and conventions, the aligned logos, the compare command,
and a JASPAR motif planted into data recovered by visualize-kernels.

TOMTOM itself is tested in test_tomtom.py, the motif databases in test_jaspar.py."""

from types import SimpleNamespace

import numpy as np
import pytest
from helpers import write_fasta

from motifnet.motifs.export import ExportedMotif
from motifnet.motifs.jaspar import MotifDatabase, load_jaspar
from motifnet.motifs.matching import TOMTOM_COLUMNS, MotifOptions, match_alignment, match_motifs
from motifnet.motifs.meme import MemeMotif, write_meme
from motifnet.plot.matches import plot_match
from motifnet.workflows.annotate import annotate_kernels

MEME_HEADER = ("Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\t"
               "Target_consensus\tOrientation")
CTCF = "MA0139.2"  # JASPAR CORE, 15 columns of high information


def random_database(n=60, seed=0):
    rng = np.random.default_rng(seed)
    motifs = [MemeMotif(f"T{i}", f"name{i}", rng.dirichlet(np.full(4, 0.3), size=int(rng.integers(6, 20))), 20)
              for i in range(n)]
    return MotifDatabase("ACGT", motifs, "random")


@pytest.fixture(scope="module")
def jaspar():
    return load_jaspar()


def test_offset_and_orientation_follow_meme():
    database = random_database()
    target = database.motifs[3].pwm  # 18 columns
    inside = MemeMotif("inside", "", target[3:9], 10)
    reverse = MemeMotif("reverse", "", target[::-1, ::-1][2:8], 10)
    overhang = MemeMotif("overhang", "", np.vstack([np.full((3, 4), 0.25), target[:5]]), 10)
    [[a], [b], [c]] = match_motifs([inside, reverse, overhang], database, top=1)
    assert (a.target_id, a.offset, a.overlap, a.orientation) == ("T3", 3, 6, "+")  # query column i faces i + 3
    assert (b.target_id, b.offset, b.overlap, b.orientation) == ("T3", 2, 6, "-")  # on the reverse complement
    assert (c.target_id, c.offset, c.orientation) == ("T3", -3, "+")  # the query starts 3 columns earlier
    letters = np.array(list("ACGT"))
    assert b.target_consensus == "".join(letters[target[::-1, ::-1].argmax(axis=1)])  # as aligned
    np.testing.assert_array_equal(b.target_pwm, target[::-1, ::-1])
    assert a.e_value == pytest.approx(a.p_value * 60) and a.q_value <= a.e_value


@pytest.mark.parametrize("kept,offset,target_width,expected", [
    ((3, 14), 2, 15, (18, 0, 1)),    # the match starts one column into the kernel
    ((2, 8), 5, 10, (21, 3, 0)),     # it starts three columns before the kernel
    ((0, 6), -4, 30, (34, 0, 4)),    # and runs past its end
])
def test_match_alignment(kept, offset, target_width, expected):
    assert match_alignment(18, kept, offset, target_width) == expected


def test_plot_match_puts_aligned_columns_on_one_axis():
    import matplotlib.pyplot as plt

    database = random_database()
    kernel = np.vstack([np.full((2, 4), 0.25), database.motifs[4].pwm[1:6], np.full((4, 4), 0.25)])
    [[match]] = match_motifs([MemeMotif("k", "", kernel[2:7], 10)], database, top=1)
    assert (match.target_id, match.offset) == ("T4", 1)
    top, bottom = plot_match(kernel, (2, 7), match, "ACGT")
    # Kernel column 3 (the first kept) and target column 2 sit at the same x.
    assert top.get_xticks()[2] == bottom.get_xticks()[1] and top.get_xlim() == bottom.get_xlim()
    assert [t.get_text() for t in bottom.get_xticklabels()][:2] == ["1", "2"]
    assert "forward strand" in bottom.get_xlabel()
    plt.close(top.figure)
    top, bottom = plot_match(kernel, (2, 7), match, "ACGU")  # no strands but DNA's: a protein's said "forward strand"
    assert bottom.get_xlabel() == "T4 position"
    plt.close(top.figure)


def test_a_reverse_complement_match_keeps_the_database_motifs_column_numbers():
    """The reverse-complemented target was numbered 1..n left to right, so its column 1 was the database's last."""
    import matplotlib.pyplot as plt

    database = random_database()
    target = database.motifs[4].pwm
    reverse = target[::-1, ::-1]  # the reverse complement over ACGT
    kernel = np.vstack([np.full((2, 4), 0.25), reverse[1:6], np.full((4, 4), 0.25)])
    [[match]] = match_motifs([MemeMotif("k", "", kernel[2:7], 10)], database, top=1)
    assert (match.target_id, match.orientation) == ("T4", "-")
    top, bottom = plot_match(kernel, (2, 7), match, "ACGT")
    labels = [int(t.get_text()) for t in bottom.get_xticklabels()]
    assert labels == list(range(len(target), 0, -1))
    # kernel column 3 (the first kept) faces reverse-complement column 2, which is the database's column n - 1
    assert top.get_xticks()[2] == bottom.get_xticks()[labels.index(len(target) - 1)]
    assert "reverse complement, its columns numbered as in the database" in bottom.get_xlabel()
    plt.close(top.figure)


def test_flat_kernels_are_not_matched(tmp_path):
    database = random_database()
    informative = database.motifs[5].pwm
    motifs = [SimpleNamespace(kernel=0, pwm=informative), SimpleNamespace(kernel=1, pwm=np.full((8, 4), 0.25))]
    exported = [ExportedMotif(0, MemeMotif("kernel_0", "", informative, 30), (0, len(informative))),
                ExportedMotif(1, MemeMotif("kernel_1", "", np.full((8, 4), 0.25), 30), (0, 8), informative=False)]
    best, figures = annotate_kernels(tmp_path, motifs, exported, "ACGT", database, top=2)
    assert list(best) == [0] and best[0].target_id == "T5" and figures == {0: "match_kernel_0.png"}
    lines = (tmp_path / "matches.tsv").read_text().strip().split("\n")
    assert lines[0] == MEME_HEADER + "\tTarget_name" and len(lines) == 3
    assert all(line.startswith("kernel_0\t") for line in lines[1:])
    assert (tmp_path / "match_kernel_0.png").stat().st_size > 1000


def jaspar_query_file(path, jaspar, ids):
    motifs = [m for m in jaspar.motifs if m.name in ids]
    write_meme(path, motifs, "ACGT", [0.25] * 4, strands=True)
    return path


def test_compare_finds_a_jaspar_motif_itself_first(jaspar, cli, tmp_path):
    query = jaspar_query_file(tmp_path / "q.meme", jaspar, {CTCF, "MA0035.5"})
    result = cli("compare", query, "--top", "3")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[0] == MEME_HEADER + "\tTarget_name"
    assert lines[0].split("\t")[:10] == TOMTOM_COLUMNS
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == 6
    for query_id, name in (("MA0035.5", "GATA1"), (CTCF, "CTCF")):
        mine = [row for row in rows if row[0] == query_id]
        first = mine[0]
        assert (first[1], first[2], first[9], first[10]) == (query_id, "0", "+", name)
        assert first[7] == first[8]  # consensus of query and target are the same
        assert float(first[3]) == min(float(row[3]) for row in mine) and float(first[5]) < 1e-10
    out = tmp_path / "matches.tsv"
    result = cli("compare", query, "--tax-group", "vertebrates", "--top", "1", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert [line.split("\t")[1] for line in out.read_text().strip().split("\n")[1:]] == [CTCF, "MA0035.5"]


def test_compare_against_a_meme_file(jaspar, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    database = random_database()
    path = tmp_path / "db.meme"
    write_meme(path, database.motifs, "ACGT", [0.25] * 4, strands=True)
    query = tmp_path / "q.meme"
    write_meme(query, [MemeMotif("q", "", database.motifs[11].pwm[::-1, ::-1], 5)], "ACGT", [0.25] * 4)
    result = cli("compare", query, "--db", path, "--top", "2")
    assert result.exit_code == 0, result.stderr
    first = result.stdout.split("\n")[1].split("\t")
    assert (first[1], first[2], first[9], first[10]) == ("T11", "0", "-", "name11")
    result_dash = cli("compare", query, "--db", path, "--top", "2", "-o", "-")  # -: standard output
    # a table named .csv is written tab-separated, as predict's is, now with predict's warning (it had none)
    named_csv = cli("compare", query, "--db", path, "--top", "2", "-o", tmp_path / "m.csv")
    assert named_csv.exit_code == 0 and (tmp_path / "m.csv").read_text() == result.stdout
    assert named_csv.stderr.splitlines()[0] == (
        f"warning: -o {tmp_path / 'm.csv'}: the table is tab-separated, whatever the file's name says (name it .tsv, "
        "or read it with a tab as the separator)")
    assert result_dash.exit_code == 0 and result_dash.stdout == result.stdout and not (tmp_path / "-").exists()
    # Either file may come from standard input, as in `zcat q.meme.gz | motifnet compare -` (gzip on a process's
    # standard input is tested with read_fasta's: CliRunner's stdin cannot be peeked at).
    from_stdin = cli("compare", "-", "--db", path, "--top", "2", input=query.read_text())
    assert from_stdin.exit_code == 0 and from_stdin.stdout == result.stdout, from_stdin.stderr
    db_from_stdin = cli("compare", query, "--db", "-", "--top", "2", input=path.read_text())
    assert db_from_stdin.exit_code == 0 and db_from_stdin.stdout == result.stdout, db_from_stdin.stderr
    empty = cli("compare", "-", "--db", path, input="MEME version 4\n\nALPHABET= ACGT\n")
    assert empty.exit_code == 1 and empty.stderr.strip() == (
        "Error: query file standard input: no motifs (MEME: 'MOTIF' entries with letter-probability matrices; "
        "JASPAR, HOMER: '>' lines with rows of counts; TRANSFAC: 'P0' matrices)")
    both = cli("compare", "-", "--db", "-", input=query.read_text())
    assert both.exit_code == 2 and both.stderr.strip().splitlines()[-1] == (
        "Error: QUERY and --db cannot both be - (standard input): give one of them as a file "
        "(see 'main compare --help')")


def test_compare_reads_a_custom_alphabet_listed_in_another_order(cli, tmp_path):
    # A MEME custom ALPHABET block may list its symbols in any order; MEME sorts them, and the matrices'
    # columns follow that sorted order (W, X, Y, Z here), not the order of the block.
    rng = np.random.default_rng(3)
    pwms = [rng.dirichlet(np.full(4, 0.3), size=8) for _ in range(5)]
    write_meme(tmp_path / "q.meme", [MemeMotif("q", "", pwms[2], 5)], "WXYZ", [0.25] * 4, alphabet_name="mine")
    rows = "\n\n".join(f"MOTIF T{i} name{i}\nletter-probability matrix: alength= 4 w= 8 nsites= 5 E= 0\n"
                       + "\n".join(" ".join(f"{value:.6f}" for value in row) for row in pwm)
                       for i, pwm in enumerate(pwms))
    (tmp_path / "db.meme").write_text('MEME version 5\n\nALPHABET "mine"\nZ "zed"\nY\nX\nW\nEND ALPHABET\n\n'
                                      + rows + "\n")
    result = cli("compare", tmp_path / "q.meme", "--db", tmp_path / "db.meme", "--top", "1")
    assert result.exit_code == 0, result.stderr
    first = result.stdout.split("\n")[1].split("\t")
    assert (first[1], first[2]) == ("T2", "0") and first[7] == first[8]


@pytest.mark.parametrize("args,fragment", [
    (["{tmp}/none.meme"], "query file {tmp}/none.meme: no such file"),
    (["{tmp}/bad.meme"], "bad.meme: not a motif file in MEME, JASPAR, TRANSFAC or HOMER format (its first line is "
                        "'hello'); a MEME file opens with 'MEME version', a JASPAR or HOMER file with '>', a TRANSFAC "
                        "file with 'AC', 'ID' or 'VV'"),
    (["{tmp}/rna.meme"], "has the alphabet ACGU, the motif database JASPAR"),
    (["{tmp}/q.meme", "--top", "0"], "--top expects a number of matches >= 1, received: 0"),  # exit status 2
    (["{tmp}/q.meme", "--collection", "NOPE"], "--collection NOPE: no such JASPAR collection"),
    (["{tmp}/q.meme", "--tax-group", "martians"], "--tax-group martians: not a taxonomic group of JASPAR CORE"),
    (["{tmp}/q.meme", "--db", "{tmp}/none.meme"], "motif database {tmp}/none.meme: no such file"),
    (["{tmp}/q.meme", "--db", "{tmp}/q.meme", "--tax-group", "plants"], "applies to JASPAR only"),
    (["{tmp}/ragged.meme"], "motif m: rows of different lengths (4, 2 numbers)"),
    # Repeated query names were accepted: their rows of matches could not be told apart.
    (["{tmp}/twice.meme"], "query file {tmp}/twice.meme: motifs 1 and 3 are both named 'k'; give each motif a "
                           "name of its own"),
    # A report folder instead of its MEME file was "no such file".
    (["{tmp}/report"], "query file {tmp}/report: a folder, not a motif file; give "
                       "{tmp}/report/motifs_distinct.meme or {tmp}/report/motifs.meme"),
    (["{tmp}"], "query file {tmp}: a folder, not a motif file; give a motif file (MEME, JASPAR, TRANSFAC or HOMER)"),
    (["{tmp}/q.meme", "--db", "{tmp}/report"], "motif database {tmp}/report: a folder, not a motif file; give "
                                               "{tmp}/report/motifs_distinct.meme or {tmp}/report/motifs.meme"),
    (["{tmp}/nomatrix.meme"], "nomatrix.meme: motif m2 has no letter-probability matrix"),
    # Repeated target names were accepted: matches.tsv names the target only by its name.
    (["{tmp}/q.meme", "--db", "{tmp}/twice.meme"], "motif database {tmp}/twice.meme: motifs 1 and 3 are both named "
                                                   "'k'; give each motif a name of its own"),
])
def test_bad_input_to_compare(cli, tmp_path, args, fragment):
    rng = np.random.default_rng(0)
    write_meme(tmp_path / "q.meme", [MemeMotif("q", "", rng.dirichlet(np.ones(4), size=6), 5)], "ACGT", [0.25] * 4)
    write_meme(tmp_path / "twice.meme", [MemeMotif(name, "", rng.dirichlet(np.ones(4), size=6), 5)
                                         for name in ("k", "j", "k")], "ACGT", [0.25] * 4)
    (tmp_path / "report").mkdir()
    for name in ("motifs.meme", "motifs_distinct.meme"):
        (tmp_path / "report" / name).write_text((tmp_path / "q.meme").read_text())
    (tmp_path / "nomatrix.meme").write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\n"
                                            "letter-probability matrix: alength= 4 w= 1\n0.1 0.2 0.3 0.4\n\nMOTIF m2\n")
    write_meme(tmp_path / "rna.meme", [MemeMotif("r", "", rng.dirichlet(np.ones(4), size=6), 5)], "ACGU", [0.25] * 4)
    (tmp_path / "bad.meme").write_text("hello\n")
    (tmp_path / "ragged.meme").write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m\n"
                                          "letter-probability matrix: alength= 4 w= 2\n0.1 0.2 0.3 0.4\n0.5 0.5\n")
    result = cli("compare", *[arg.format(tmp=tmp_path) for arg in args])
    message = result.stderr.strip()
    # a value outside the option's range, or an option where it does nothing, is a usage error, as Click's own checks
    usage_error = "--top" in args or "--tax-group" in args or "--collection" in args  # --collection: it exited 1
    assert result.exit_code == (2 if usage_error else 1) and fragment.format(tmp=tmp_path) in message, message
    assert "Traceback" not in result.output and len(message.split("\n")) == 1


@pytest.mark.parametrize("args,fragment", [
    (["--motif-db", "{tmp}/rna.meme"], "the model has the alphabet ACGT, the motif database"),
    (["--motif-db", "{tmp}/none.meme"], "no such file"),
    (["--tax-group", "martians"], "--tax-group martians"),
    (["--trim-ic", "-1"], "--trim-ic expects a number of bits >= 0"),
    (["--formats", "meme,pdf"], "unknown: pdf"),
])
def test_bad_matching_options_of_visualize_kernels(trained_run, cli, tmp_path, args, fragment):
    """Files that cannot be used: exit status 1; an option's value out of range or form: 2 (a usage error)."""
    run_dir, _ = trained_run
    write_meme(tmp_path / "rna.meme", [MemeMotif("r", "", np.full((4, 4), 0.25), 5)], "ACGU", [0.25] * 4)
    out = tmp_path / "vk"
    result = cli("visualize-kernels", run_dir, "-o", out, *[arg.format(tmp=tmp_path) for arg in args])
    message = result.stderr.strip()
    status = 2 if args[0] in ("--trim-ic", "--formats", "--tax-group") else 1
    assert result.exit_code == status and fragment in message.split("\n")[-1] and "Traceback" not in result.output
    assert not (out / "kernels.tsv").exists()  # refused before any work


def plant(rng, pwm, n, length):
    """``n`` random sequences with a site sampled from ``pwm`` at a random position (forward strand)."""
    sequences = []
    for _ in range(n):
        letters = rng.choice(list("ACGT"), size=length)
        start = int(rng.integers(0, length - len(pwm) + 1))
        letters[start:start + len(pwm)] = ["ACGT"[rng.choice(4, p=row)] for row in pwm]
        sequences.append("".join(letters))
    return sequences


@pytest.mark.slow
def test_planted_jaspar_motif_is_recovered_and_matched(jaspar, cli, tmp_path):
    rng = np.random.default_rng(0)
    ctcf = next(m.pwm for m in jaspar.motifs if m.name == CTCF)
    length, kernel_len = 50, 18
    bound = write_fasta(tmp_path / "ctcf.fa", [(f"c{i}", s) for i, s in enumerate(plant(rng, ctcf, 250, length))])
    background = write_fasta(tmp_path / "bg.fa", [(f"b{i}", "".join(rng.choice(list("ACGT"), size=length)))
                                                  for i in range(250)])
    # Global max pooling and a high learning rate: CTCF is learned in a few seconds (by 1 to 4 of the
    # 6 kernels, over data seeds 1 to 6).
    params = {"conv_num": 1, "kernel_num": 6, "kernel_len": kernel_len, "pool_size": length - kernel_len + 1,
              "pool_stride": length - kernel_len + 1, "neuron_num": 16, "epochs": 15, "batch_size": 32,
              "learning_rate": 0.005, "dropout_input": 0, "dropout_conv": 0.1, "dropout_dense": 0.2}
    run_dir = tmp_path / "run"
    args = [item for key, value in params.items() for item in ("--param", f"{key}={value}")]
    assert cli("train", bound, background, "-o", run_dir, "--seed", "1", "--quiet", *args).exit_code == 0
    out = tmp_path / "vk"
    result = cli("visualize-kernels", run_dir, "-o", out, "--group", "all", "--quiet")
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in (out / "kernels.tsv").read_text().rstrip("\n").split("\n")]
    kernels = [dict(zip(rows[0], row)) for row in rows[1:]]
    matches = [line.split("\t") for line in (out / "matches.tsv").read_text().strip().split("\n")[1:]]
    found = []
    for kernel in kernels:
        top3 = [row[1] for row in matches if row[0] == f"kernel_{kernel['kernel']}"][:3]
        if CTCF in top3 and float(kernel["best_match_q"]) < 0.05:
            found.append(kernel)
    assert found, (kernels, matches)
    assert all(kernel["top_class"] == "ctcf" for kernel in found)
    html = (out / "summary.html").read_text()
    for kernel in found:
        assert (out / f"match_kernel_{kernel['kernel']}.png").exists()
        assert f'src="match_kernel_{kernel["kernel"]}.png"' in html
    assert CTCF in html


@pytest.mark.parametrize("letters, hint", [("ACGU", ", and give --motif-db FILE.meme of RNA motifs (ALPHABET= ACGU) "
                                                     "to match them"), ("ACDEFGHIKLMNPQRSTVWY", "")])
def test_tax_group_without_jaspar_matching_is_refused(letters, hint):
    # An RNA or protein model is not matched with JASPAR unless asked: --tax-group was accepted and did nothing.
    from motifnet.errors import OptionValueError
    from motifnet.workflows.annotate import kernel_database

    assert kernel_database(MotifOptions(), letters) is None
    with pytest.raises(OptionValueError) as refused:
        kernel_database(MotifOptions(tax_group=["vertebrates"]), letters)
    assert str(refused.value) == (f"--tax-group applies to JASPAR, which holds DNA motifs, and the model's letters "
                                  f"are {letters}; leave it out{hint}")


def test_motifs_says_it_does_not_match_patterns_not_kernels(caplog, monkeypatch):
    import logging

    from motifnet.workflows.annotate import kernel_database

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # a CLI test may have turned it off
    with caplog.at_level(logging.INFO, logger="motifnet"):
        assert kernel_database(MotifOptions(), "ACGU", "patterns") is None
        assert kernel_database(MotifOptions(), "ACGU") is None
    assert [message.split(":")[0] for message in dict.fromkeys(caplog.messages)] == [
        "not matching patterns with known motifs", "not matching kernels with known motifs"]


def test_the_advice_for_an_rna_model_is_one_that_works(tmp_path):
    """The refusal of --tax-group advised --motif-db jaspar, which an RNA model refuses (JASPAR's letters are ACGT);
    the file of RNA motifs it advises now is matched."""
    from motifnet.errors import ParamError
    from motifnet.motifs.meme import MemeMotif, write_meme
    from motifnet.workflows.annotate import kernel_database

    with pytest.raises(ParamError, match="has the alphabet ACGU, the motif database JASPAR"):
        kernel_database(MotifOptions(database="jaspar"), "ACGU")
    rna = tmp_path / "rbp.meme"
    write_meme(rna, [MemeMotif("PUM", "", np.eye(4)[[3, 2, 3, 0]] * 0.9 + 0.025, 20)], "ACGU", [0.25] * 4)
    database = kernel_database(MotifOptions(database=str(rna)), "ACGU")
    assert database.letters == "ACGU" and [motif.name for motif in database.motifs] == ["PUM"]


def test_the_next_significant_matches_are_named_beside_the_best():
    """The report named only the best match: a kernel of an ETS site showed ZBTB2, which beat ELK1 by a hair."""
    from motifnet.workflows.annotate import next_matches

    rows = [SimpleNamespace(target_name=name, q_value=q) for name, q in
            (("Zbtb2", 0.001), ("ZBTB11", 0.001), ("Zbtb2", 0.001), ("ELK1", 0.001), ("FEV", 0.01), ("ETV5", 0.02),
             ("GABPA", 0.03))]
    assert next_matches(rows) == ("ZBTB11", "ELK1", "FEV")  # the best's name and repeats left out, at most 3
    assert next_matches(rows[:1]) == ()
    assert next_matches([rows[0], SimpleNamespace(target_name="X", q_value=0.05)]) == ()  # not significant
