# jazz-lstm: `make demo` and `make test` work on a fresh machine (they create .venv and install).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out

.PHONY: demo test bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: the CPU build (a bare `torch` would pull a multi-GB CUDA build)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[render,web,test]"
	touch $(STAMP)

# Debian packages for audio (FluidSynth + General MIDI soundfonts), browser tests (Chromium),
# and the score PNG (cairo, DejaVu fonts for ♭ ♯).
# Installed only where we are root with apt; elsewhere the tool falls back (numpy synth, skipped browser test).
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; for p in fluidsynth fluid-soundfont-gm chromium libcairo2 fonts-dejavu-core; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
	    || echo "warning: could not install$$missing; falling back"; fi; \
	else echo "not root with apt: skipping Debian packages (numpy synth, no browser test)"; fi

demo: $(STAMP) system-deps
	$(BIN)/jazz-lstm demo -o $(OUT)/demo

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
