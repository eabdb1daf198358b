#!/usr/bin/env bash
# Same seed, same model -> the same MIDI bytes?  Runs one script of trainings and generations
# (recipe, beam search, the shipped chord model, a small chord model) through the CLI of a git
# revision and of the working tree, and compares the MIDI files' sha256.  For refactors:
#     scripts/same_bytes.sh 173709d        (needs ../shared/data)
set -euo pipefail
REV=${1:?usage: scripts/same_bytes.sh GIT_REV}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(cd "$ROOT/../shared/data" && pwd)
PY=$ROOT/.venv/bin/python
WORK=$(mktemp -d)
trap 'git -C "$ROOT" worktree remove --force "$WORK/old" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
git -C "$ROOT" worktree add -f --detach "$WORK/old" "$REV" -q

run() {  # run SRC OUT
    mkdir -p "$2" && cd "$2"
    export PYTHONPATH=$1/src
    "$PY" -m jazz_lstm generate --chords "Dm7 G7 | Cmaj7 | A7 | Dm7 G7 |" --bars 8 -n 3 --seed 5 -o chord --formats mid >/dev/null 2>&1
    "$PY" -m jazz_lstm train "$DATA/original_metheny.mid" -o recipe.safetensors --kind recipe --epochs 20 -q >/dev/null
    "$PY" -m jazz_lstm generate -m recipe.safetensors --bars 8 -n 2 --seed 3 -o recipe --formats mid >/dev/null 2>&1
    "$PY" -m jazz_lstm generate -m recipe.safetensors --bars 4 --beam 3 -o beam --formats mid >/dev/null 2>&1
    "$PY" -m jazz_lstm train "$DATA/impro-visor/solos/" -o small.safetensors --kind chord --epochs 1 --hidden 16 --layers 1 \
        -q -j 2 >/dev/null
    "$PY" -m jazz_lstm generate -m small.safetensors --chords "C7 | F7 | C7 | G7 |" --bars 4 -n 2 --seed 1 -o small \
        --formats mid >/dev/null 2>&1
    find . -name "*.mid" | sort | xargs sha256sum
}
OLD=$(run "$WORK/old" "$WORK/a")
NEW=$(run "$ROOT" "$WORK/b")
if [ "$OLD" = "$NEW" ]; then
    echo "same bytes: $(echo "$NEW" | wc -l) MIDI files identical ($REV and the working tree)"
else
    echo "DIFFERENT:"; diff <(echo "$OLD") <(echo "$NEW"); exit 1
fi
