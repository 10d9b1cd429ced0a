# Everything a fresh machine with Python 3 and pip needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.motifnet-installed
DEMO_DIR ?= demo_run

.PHONY: demo test test-quick bench bench-motifs bench-defaults lint clean

# (Re)install when the package metadata changes; the editable install picks up code changes.
$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/motifnet train sample_data/dna/ets.fa sample_data/dna/ap1.fa sample_data/dna/gata.fa \
		--params sample_data/dna/params.json --seed 1 --overwrite -o $(DEMO_DIR)/dna
	$(BIN)/motifnet predict $(DEMO_DIR)/dna sample_data/dna/ets.fa sample_data/dna/ap1.fa \
		sample_data/dna/gata.fa -o $(DEMO_DIR)/dna/predictions.tsv
	$(BIN)/motifnet visualize-kernels $(DEMO_DIR)/dna -o $(DEMO_DIR)/dna/report
	$(BIN)/motifnet cluster $(DEMO_DIR)/dna -o $(DEMO_DIR)/dna/clustering.png
	@echo "report: $(abspath $(DEMO_DIR)/dna/report/summary.html)"

# Lint, then every test (slow end-to-end trainings included, as CI runs it); lists the 15 slowest.
test: $(STAMP)
	$(BIN)/ruff check motifnet tests benchmarks
	$(BIN)/python -m pytest --durations=15

# The tests not marked slow: no test trains its own network beyond the shared tiny runs of
# tests/conftest.py (under 2 minutes on 2 cores). Run `make test` before committing.
test-quick: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" --durations=15

# Benchmarks with their same-run references, the genomic ones (benchmarks/genome.py) and scan
# (benchmarks/motifs_scan.py) included; writes benchmarks/results.md, keeping the sections other targets
# write (about 20 minutes on 2 cores).
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# `motifnet motifs` on 10,000 and 100,000 records (time, peak memory) and scan: hours on 2 cores; rewrites
# its own section of benchmarks/results.md.
bench-motifs: $(STAMP)
	$(BIN)/python benchmarks/motifs_scan.py --motifs-sizes 10000,100000

# The candidates for the default network on seven data sets (issue 17): several hours on 2 cores;
# writes benchmarks/defaults.md and benchmarks/defaults.tsv (runs kept in benchmarks/defaults_work), then
# times epochs of pysster's preset, the previous default and the default (x) in turns
# (benchmarks/defaults_timing.md).
bench-defaults: $(STAMP)
	$(BIN)/python benchmarks/defaults.py --work benchmarks/defaults_work --match a,x16
	$(BIN)/python benchmarks/defaults.py --work benchmarks/defaults_work --sets dna,srsf1 --candidates a,x,x16 \
		--time-epochs 3 --out benchmarks/defaults_timing.md

lint: $(STAMP)
	$(BIN)/ruff check motifnet tests benchmarks

clean:
	rm -rf $(DEMO_DIR) build dist *.egg-info .pytest_cache
