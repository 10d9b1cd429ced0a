"""README.md stays true to the code it documents."""

from helpers import ROOT

from motifnet.model.params import markdown_table


def test_parameter_table_matches_the_parameter_declarations():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- parameter table")
    start = readme.index("\n", start) + 1
    end = readme.index("<!-- end of parameter table -->")
    assert readme[start:end].strip() == markdown_table()
