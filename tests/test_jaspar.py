"""Motif databases: JASPAR read from pyjaspar's SQLite file as pyjaspar reads it, and MEME motif files checked."""

import numpy as np
import pytest

from motifnet.errors import InputError, ParamError
from motifnet.motifs.jaspar import in_query_letters, load_database, load_jaspar, read_motif_file
from motifnet.motifs.meme import MemeMotif, write_meme

CTCF = "MA0139.2"  # JASPAR CORE, 15 columns of high information


@pytest.fixture(scope="module")
def jaspar():
    return load_jaspar()


def test_jaspar_latest_versions_and_tax_groups(jaspar):
    ids = [m.name for m in jaspar.motifs]
    assert CTCF in ids and len(ids) == len(set(ids)) > 1000
    assert len({i.split(".")[0] for i in ids}) == len(ids)  # one version per matrix
    assert jaspar.source.startswith("JASPAR") and "CORE, all taxonomic groups" in jaspar.source
    vertebrates = load_jaspar(tax_group="vertebrates")
    assert CTCF in {m.name for m in vertebrates.motifs} and len(vertebrates.motifs) < len(jaspar.motifs)
    ctcf = jaspar.motifs[ids.index(CTCF)]
    assert ctcf.alt_name == "CTCF" and ctcf.pwm.shape == (15, 4)
    np.testing.assert_allclose(ctcf.pwm.sum(axis=1), 1.0)


def test_jaspar_is_read_as_pyjaspar_reads_it():
    from pyjaspar import jaspardb

    # motifnet reads pyjaspar's SQLite file in bulk; pyjaspar's own API must give the same motifs.
    records = jaspardb().fetch_motifs(collection="CORE", tax_group=["urochordates"], all_versions=False)
    mine = {m.name: m for m in load_jaspar(tax_group="urochordates").motifs}
    assert sorted(mine) == sorted(r.matrix_id for r in records) and len(records) > 20
    for record in records:
        counts = np.array([record.counts[letter] for letter in "ACGT"]).T
        np.testing.assert_allclose(mine[record.matrix_id].pwm, counts / counts.sum(axis=1, keepdims=True))
        assert mine[record.matrix_id].alt_name == record.name


def test_jaspar_options_are_checked():
    with pytest.raises(ParamError, match="JASPAR release 'JASPAR1999' is not bundled with pyjaspar"):
        load_jaspar(release="JASPAR1999")
    with pytest.raises(ParamError, match="--collection NOPE: no such JASPAR collection"):
        load_jaspar("nope")
    with pytest.raises(ParamError, match="--tax-group martians: not a taxonomic group of JASPAR CORE"):
        load_jaspar(tax_group="plants, martians")


def test_a_meme_file_is_a_database(tmp_path):
    rng = np.random.default_rng(0)
    motifs = [MemeMotif(f"m{i}", f"name{i}", rng.dirichlet(np.ones(4), size=6), 5) for i in range(3)]
    write_meme(tmp_path / "db.meme", motifs, "ACGU", [0.25] * 4)
    database = load_database(str(tmp_path / "db.meme"))
    assert database.letters == "ACGU" and [m.name for m in database.motifs] == ["m0", "m1", "m2"]
    assert database.source == f"{tmp_path / 'db.meme'} (3 motif(s))"
    np.testing.assert_allclose(database.motifs[1].pwm, motifs[1].pwm, atol=1e-6)
    assert in_query_letters("ACGU", database, "the model") is database
    with pytest.raises(ParamError, match="the model has the alphabet ACGT, the motif database .* has ACGU"):
        in_query_letters("ACGT", database, "the model")
    # The same letters in another order: the columns follow the query's letters.
    reordered = in_query_letters("UGCA", database, "the model")
    assert reordered.letters == "UGCA" and reordered.source == database.source
    np.testing.assert_array_equal(reordered.motifs[1].pwm, database.motifs[1].pwm[:, ::-1])
    assert database.letters == "ACGU"  # the database given is left as it was
    with pytest.raises(ParamError, match="applies to JASPAR only"):
        load_database(str(tmp_path / "db.meme"), tax_group="plants")


@pytest.mark.parametrize("option", ["--motif-db", "--db"])
def test_jaspar_of_other_letters_names_the_commands_option_of_a_motif_file(option):
    """visualize-kernels of a protein model with --motif-db jaspar advised '--db FILE.meme', an option it lacks."""
    from motifnet.motifs.jaspar import MotifDatabase

    jaspar = MotifDatabase("ACGT", [MemeMotif("MA0001.1", "AGL3", np.full((4, 4), 0.25), 5)], "JASPAR2024 CORE")
    protein = "ACDEFGHIKLMNPQRSTVWY"
    with pytest.raises(ParamError) as refused:
        in_query_letters(protein, jaspar, "the model", option)
    assert str(refused.value).endswith(f"JASPAR holds DNA motifs: give {option} FILE.meme with motifs over {protein}")


@pytest.mark.parametrize("text,fragment", [
    (None, "no such file"),
    ("MEME version 4\n\nALPHABET= ACGT\n", "no motifs"),
])
def test_unusable_motif_files_are_refused(tmp_path, text, fragment):
    path = tmp_path / "motifs.meme"
    if text is not None:
        path.write_text(text)
    with pytest.raises(InputError, match=f"query file {path}: {fragment}"):
        read_motif_file(path, "query file")
