"""#4: render a 32-bar solo to every format (MIDI, WAV, piano roll, MusicXML, SVG, score PNG)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from common import best_of, row


def main(reference: bool = True) -> list[dict]:
    from jazz_lstm import checkpoint
    from jazz_lstm.charts import BLUES_12, parse_chart
    from jazz_lstm.generate import improvise
    from jazz_lstm.midi_io import write_midi
    from jazz_lstm.render import render
    from jazz_lstm.sample import SampleConfig

    from jazz_lstm.midi_io import read_tune
    from jazz_lstm.train import TrainConfig, train

    from common import tune_path

    # a busy solo (the Metheny-trained model plays about 8 notes a bar): rendering cost grows with notes
    ck = train([read_tune(tune_path())], TrainConfig(windows=0, epochs=10), progress=False)
    solo = improvise(ck, parse_chart(BLUES_12), 32, 1, SampleConfig(seed=1), tempo=140.0)[0]
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
