"""#4: render a 32-bar solo to every format (MIDI, WAV, piano roll, MusicXML, SVG, score PNG)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from common import best_of, row


def main(reference: bool = True) -> list[dict]:
    from common import tune_path

    from jazz_lstm.eval.evaluate import segments
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.io.midi import write_midi
    from jazz_lstm.render.formats import render

    # the busiest 32 bars of a real solo (rendering cost grows with the notes), independent of any model
    solo = max(segments(read_tune(tune_path()), 32), key=lambda p: len(p.notes))
    solo.tempo = 140.0
    d = tempfile.mkdtemp()
    midi = write_midi(solo, os.path.join(d, "solo.mid"))
    t = time.perf_counter()
    cmd = [os.path.join(os.path.dirname(sys.executable), "jazz-lstm"), "render", midi, "-o", d]
    subprocess.run(cmd, check=True, capture_output=True)
    cold = time.perf_counter() - t
    r = None

    def warm():
        nonlocal r
        r = render(solo, os.path.join(d, "warm"), title="bench")

    best, _ = best_of(warm, 3)
    what = f"render 32 bars ({len(solo.notes)} notes), all formats"
    return [row(f"{what}, fresh `jazz-lstm render`", cold, "s", "<= 3 s", "imports included"),
            row(f"{what}, in process ({r.synth.split(' ')[0]})", best, "s", "<= 3 s")]


if __name__ == "__main__":
    main()
