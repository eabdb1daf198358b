# jazz-lstm: `make demo` and `make test` work on a fresh machine (they create .venv and install).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out
# PyTorch's CPU build by default; `make TORCH=cuda ...` (on a machine with an NVIDIA GPU) installs the CUDA build.
TORCH  ?= cpu
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: demo test bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned.  TORCH=cpu: the CPU build (2.13.0+cpu) from the configured index or wheel folder,
	# else from PyTorch's CPU index -- never the multi-GB CUDA build by accident.  TORCH=cuda: PyPI's CUDA build.
	@if [ "$(TORCH)" = cuda ]; then $(BIN)/pip install -q torch==2.13.0; \
	else $(BIN)/pip install -q "torch==2.13.0+cpu" 2>/dev/null || $(BIN)/pip install -q torch==2.13.0 --index-url $(TORCH_CPU_INDEX); fi
	$(BIN)/pip install -q -e ".[render,web,test]"
	@# checked after numpy is in (before it, importing torch prints "Failed to initialize NumPy")
	@$(BIN)/python -c "import torch; print('torch', torch.__version__, '(CUDA build)' if torch.version.cuda else '(CPU build)')"
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

# the tests in TEST_JOBS processes (pytest-xdist), a test file to a process: the README's snippets (one long
# test) beside the rest.  `make test TEST_JOBS=1` runs them in this process, one after another.
TEST_JOBS ?= 2
test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q $(if $(filter 1,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
