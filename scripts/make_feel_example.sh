#!/usr/bin/env bash
# The before/after example of README's "Played like jazz": the same seed over the F blues, twice.
#   before: as 0.2.0 played it -- its model alone (no breath or pace steer, temperature 0.8), straight
#           eighths at one velocity, no drums; made once with 0.2.0's model and kept (this version's model
#           is another one): `--before` makes the same settings with this version's model instead;
#   after:  the defaults -- the time-aware model, breath steered, swung by the tempo's WJazzD ratio,
#           accents, drums.
# Writes examples/feel/after.mid (and with --before, before.mid); a few KB each; any MIDI player, or
# `jazz-lstm render` for audio.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(--chords examples/blues_in_f.txt --choruses 2 --tempo 160 --seed 4 --formats none)
"$BIN/jazz-lstm" generate "${common[@]}" -o "$tmp/after"
mkdir -p examples/feel
cp "$tmp/after/solo.mid" examples/feel/after.mid
if [ "${1:-}" = --before ]; then
  "$BIN/jazz-lstm" generate "${common[@]}" --breath 0 --pace 0 --temperature 0.8 --swing off --no-drums -o "$tmp/before"
  cp "$tmp/before/solo.mid" examples/feel/before.mid
fi
ls -l examples/feel
