import io
import json
import os
import sys
import wave

import numpy as np
import pytest
from conftest import run_cli, write_midi

from jazz_lstm.core.charts import parse_chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.music import merge_ties
from jazz_lstm.io.formats import read_tune
from jazz_lstm.models import checkpoint
from jazz_lstm.models.sample import SampleConfig
from jazz_lstm.render import formats, synth
from jazz_lstm.render.formats import render, show
from jazz_lstm.solo.generate import improvise

CHART = "Dm7 G7 | Cmaj7 | F#m7b5 B7b9 | Em7 A7 | Bbmaj7 | Ebm7 Ab7 | Dbmaj7 | C7alt |"


@pytest.fixture(scope="module")
def solo(small_model):
    return improvise(checkpoint.load(small_model), parse_chart(CHART), 8, 1, SampleConfig(seed=3), tempo=150.0)[0]


def _wav(path):
    with wave.open(path) as w:
        n, rate, ch = w.getnframes(), w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(n), dtype=np.int16).astype(np.float64) / 32768
    return data.reshape(-1, ch), n / rate


def _check_audio(path, solo):
    data, seconds = _wav(path)
    assert abs(seconds - solo.length_beats * 60 / solo.tempo) <= 0.5
    assert np.sqrt((data ** 2).mean()) > 0.01  # not silent
    assert np.abs(data).max() < 0.99  # normalized below full scale: no clipping


def test_fluidsynth_wav(tmp_path, solo):
    if not (synth.fluidsynth_available() and synth.find_soundfont()):
        if os.environ.get("CI"):
            pytest.fail("CI must exercise the FluidSynth path: `make test` installs fluidsynth and a soundfont")
        pytest.skip("FluidSynth or a General MIDI soundfont is not installed")
    r = render(solo, str(tmp_path / "s"), ("wav",))
    assert r.synth.startswith("fluidsynth")
    _check_audio(r.files["wav"], solo)


def test_numpy_synth_fallback(tmp_path, solo, monkeypatch):
    monkeypatch.setattr(formats, "fluidsynth_available", lambda: False)  # where render() looks it up
    r = render(solo, str(tmp_path / "s"), ("wav",))
    assert r.synth.startswith("numpy")
    _check_audio(r.files["wav"], solo)


def _png_ok(path, min_w=600):
    from PIL import Image

    img = np.asarray(Image.open(path).convert("L"), dtype=float)
    assert img.shape[1] >= min_w and img.shape[0] >= 200
    assert img.std() > 10 and (img < 128).mean() > 0.005  # real ink on a white page, not blank


def test_pictures_and_lead_sheet(tmp_path, solo):
    r = render(solo, str(tmp_path / "s"), ("png", "musicxml", "svg", "score.png"), title="test")
    _png_ok(r.files["png"])
    _png_ok(r.files["score.png"])
    svg = open(r.files["svg"], encoding="utf-8").read()
    assert "<svg" in svg and "\u266d" in svg and "\u266f" in svg  # real flat and sharp signs
    assert "\uea64" not in svg and "\uea66" not in svg  # no SMuFL glyphs that cairosvg cannot draw
    xml = open(r.files["musicxml"], "rb").read()
    assert b"<backup>" not in xml and b'<rest measure="yes"' not in xml  # one voice, no phantom measure rests
    back = read_tune(r.files["musicxml"])
    assert [c.symbol for c in back.chords] == [c.symbol for c in solo.chords]
    assert [(n.pitch, round(n.start, 4), round(n.duration, 4)) for n in back.notes] == \
           [(n.pitch, round(n.start, 4), round(n.duration, 4)) for n in merge_ties(solo.notes)]  # ties read back merged
    assert any(n.tie for n in solo.notes) == (b'<tied type="start"' in xml)


def test_missing_renderer_is_skipped_with_a_warning(tmp_path, solo, monkeypatch):
    monkeypatch.setitem(sys.modules, "verovio", None)  # import verovio -> ImportError
    r = render(solo, str(tmp_path / "s"), ("mid", "png", "musicxml", "svg"))
    assert "mid" in r.files and "png" in r.files and "svg" not in r.files
    assert any("sheet music" in w for w in r.warnings)


def test_notebook_display(tmp_path, solo):
    html = show(solo, str(tmp_path))._repr_html_()
    assert "<svg" in html and '<audio controls src="data:audio/wav;base64,' in html


def test_bad_render_inputs(tmp_path, solo):
    from jazz_lstm.core.music import Solo

    with pytest.raises(JazzError, match="no notes"):
        render(Solo([], solo.chords), str(tmp_path / "x"))
    bad_sf = tmp_path / "bad.sf2"
    bad_sf.write_bytes(b"not a soundfont")
    with pytest.raises(JazzError, match="not a SoundFont"):
        render(solo, str(tmp_path / "y"), ("wav",), soundfont=str(bad_sf))
    with pytest.raises(JazzError, match="cannot write"):
        render(solo, "/dev/null/z", ("mid",))




def test_generate_writes_everything_and_manifest_reproduces(capsys, tmp_path, small_model):
    code, out, err = run_cli(capsys, "generate", "-m", small_model, "-o", str(tmp_path / "a"), "-n", "2", "--seed", "11",
                         "--bars", "4", "--chords", CHART, "--temperature", "0.9", "--top-p", "0.95")
    assert code == 0, err
    names = set(os.listdir(tmp_path / "a"))
    for stem in ("solo-1", "solo-2"):
        assert {f"{stem}.{x}" for x in ("mid", "wav", "png", "musicxml", "svg", "score.png", "json")} <= names
    m = json.load(open(tmp_path / "a" / "solo-2.json"))
    assert m["seed"] == 11 and m["sampling"]["top_p"] == 0.95 and m["index"] == 1 and m["tokens"]
    assert m["model"]["sha256"] == checkpoint.load(small_model).sha256 and "torch" in m["versions"]
    assert "Dm7" in m["chart"] and m["command"]
    code, out, err = run_cli(capsys, "generate", "--from-manifest", str(tmp_path / "a" / "solo-2.json"),
                         "-o", str(tmp_path / "b"), "--formats", "none")
    assert code == 0, err
    assert open(tmp_path / "b" / "solo.mid", "rb").read() == open(tmp_path / "a" / "solo-2.mid", "rb").read()


def test_render_command_and_bad_inputs(capsys, tmp_path, small_midi):
    code, out, err = run_cli(capsys, "render", small_midi, "-o", str(tmp_path / "r"), "--formats", "png,musicxml")
    assert code == 0 and os.path.exists(tmp_path / "r" / "small.png") and os.path.exists(tmp_path / "r" / "small.musicxml")
    nonotes = write_midi(tmp_path / "nonotes.mid", [("Lead", 0, False, [])])
    bad_sf = tmp_path / "x.sf2"
    bad_sf.write_bytes(b"RIFF")
    for args, msg in [([nonotes], "no notes"), ([small_midi, "--soundfont", str(bad_sf)], "not a SoundFont"),
                      ([small_midi, "-o", "/dev/null/x"], "cannot write"), ([small_midi, "--formats", "gif"], "unknown format")]:
        code, out, err = run_cli(capsys, "render", *args)
        assert code == 2 and msg in err and "Traceback" not in err, err
    m = tmp_path / "m.json"
    m.write_text("{}")
    code, out, err = run_cli(capsys, "generate", "--from-manifest", str(m))
    assert code == 2 and "not a jazz-lstm manifest" in err


def test_wav_writer_normalizes():
    data = synth.wav_bytes(np.full((100, 1), 3.0, dtype=np.float32))
    with wave.open(io.BytesIO(data)) as w:
        x = np.frombuffer(w.readframes(100), dtype=np.int16)
    assert x.max() == round(synth.PEAK * 32767)


def test_score_renders_from_any_thread(tmp_path, solo):
    import threading

    results = []
    th = threading.Thread(target=lambda: results.append(render(solo, str(tmp_path / "t"), ("svg",)).files))
    th.start()
    th.join()
    assert "svg" in results[0] and "svg" in render(solo, str(tmp_path / "m"), ("svg",)).files


def test_background_worker_reports_errors():
    from jazz_lstm.render.formats import Background

    def boom(kind):
        if kind == "jazz":
            raise JazzError("bad thing", "f.mid")
        if kind == "import":
            raise ImportError("no module", name="cairosvg")
        return kind * 2

    assert Background(boom, "ab").result() == "abab"
    with pytest.raises(JazzError, match="f.mid: bad thing"):
        Background(boom, "jazz").result()
    with pytest.raises(ImportError):
        Background(boom, "import").result()


def test_lead_sheet_rhythm_is_readable_for_a_performance():
    from jazz_lstm.core.music import Note
    from jazz_lstm.render.score import readable

    # a played line: eighths a little early or late, detached (gaps), then a triplet beat
    played = [Note(60, 0.02, 0.4), Note(62, 0.49, 0.42), Note(64, 1.03, 0.38), Note(65, 1.52, 0.45),
              Note(67, 2.0, 0.3), Note(69, 2.34, 0.3), Note(71, 2.66, 0.3), Note(72, 3.0, 1.0)]
    steps = [(on, dur) for on, dur, _ in readable(played)]
    assert steps == [(0, 6), (6, 6), (12, 6), (18, 6), (24, 4), (28, 4), (32, 4), (36, 12)]


def test_long_solos_come_in_pages_with_stages(tmp_path, small_model):
    """A 72-bar solo: piano roll and score as pages (STEM-p2.*), every stage announced."""
    ck = checkpoint.load(small_model)
    long = improvise(ck, parse_chart("Dm7 G7 | Cmaj7 |"), 72, 1, SampleConfig(seed=1))[0]
    stages = []
    r = render(long, str(tmp_path / "long"), ("mid", "png", "svg", "score.png"), on_stage=stages.append)
    assert len(r.pages["png"]) == 2 and r.pages["png"][1].endswith("long-p2.png") and os.path.exists(r.pages["png"][1])
    assert len(r.pages["svg"]) >= 2 and len(r.pages["score.png"]) == len(r.pages["svg"])
    assert r.files["svg"] == str(tmp_path / "long.svg")
    assert stages[0] == "MIDI" and "piano roll" in stages and "score pictures" in stages
    from PIL import Image

    for path in r.pages["png"] + r.pages["score.png"]:
        w, h = Image.open(path).size
        assert h <= 1.5 * w, (path, w, h)  # pages, not one endless image


def test_generate_default_length_and_merged_note_count(capsys, tmp_path, small_model):
    ck = checkpoint.load(small_model)
    chart = " | ".join(["Dm7 G7 | Cmaj7"] * 30)  # a 60-bar form plays once, whole
    assert improvise(ck, parse_chart(chart), None, 1, SampleConfig(seed=0))[0].n_bars == 60
    longer = " | ".join(["Dm7 G7 | Cmaj7"] * 35)  # 70 bars: a transcribed solo's changes, not a form -- the first 32
    assert improvise(ck, parse_chart(longer), None, 1, SampleConfig(seed=0))[0].n_bars == 32
    code, out, err = run_cli(capsys, "generate", "-m", small_model, "--chords", "Cmaj7 | % | % | % |", "--bars", "8",
                             "-o", str(tmp_path / "o"), "--formats", "none", "--seed", "2")
    assert code == 0 and "improvising 1 solo of 8 bars" in err
    solo = read_tune(str(tmp_path / "o" / "solo.mid"))
    assert f"8 bars, {len(solo.notes)} notes" in out  # ties merged: the notes the MIDI file holds


def test_spelling_follows_the_chord():
    """C#m7's tones are E, G#, B (not Ab/Eb/Db); a #9 is a raised second, a b5 a lowered fifth."""
    from jazz_lstm.core.harmony import parse_chord
    from jazz_lstm.render.score import spell

    csm7 = parse_chord("C#m7")
    assert [spell(p, csm7) for p in (61, 64, 68, 71)] == ["C#4", "E4", "G#4", "B4"]
    assert spell(70, parse_chord("G7#9")) == "A#4" and spell(65, parse_chord("Bm7b5")) == "F4"
    assert spell(63, parse_chord("Ebmaj7")) == "E-4" and spell(56, parse_chord("Fm7")) == "A-3"
    assert spell(61, None, fifths=2) == "C#4" and spell(61, None, fifths=-3) == "D-4"


def test_key_signature_and_clef():
    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.core.music import Solo
    from jazz_lstm.render.score import clef_for, key_fifths

    assert key_fifths(Solo([], parse_chart("C"), key="G major")) == 1
    assert key_fifths(Solo([], parse_chart("C"), key="D minor")) == -1
    assert key_fifths(Solo([], parse_chart("Dm7 G7 | Cmaj7 | Am7 | Dm7 G7 |"))) == 0
    assert key_fifths(Solo([], parse_chart("Cm7 F7 | Bbmaj7 | Ebmaj7 | Cm7 F7 |"))) == -2
    assert type(clef_for([45, 48, 52, 55, 60, 64])).__name__ == "Treble8vbClef"  # a guitar's line
    assert type(clef_for([64, 67, 72, 76])).__name__ == "TrebleClef"


EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
ATTYA = ("Fm7 | Bbm7 | Eb7 | Abmaj7 | Dbmaj7 | G7 | Cmaj7 | Cmaj7 | Cm7 | Fm7 | Bb7 | Ebmaj7 | Abmaj7 | D7 | Gmaj7 | "
         "Gmaj7 | Am7 | D7 | Gmaj7 | Gmaj7 | F#m7b5 | B7 | Emaj7 | C7b9 | Fm7 | Bbm7 | Eb7 | Abmaj7 | Dbmaj7 | Dbm7 | Cm7 | "
         "Bdim7 | Bbm7 | Eb7 | Abmaj7 | Gm7b5 C7b9 |")


@pytest.mark.parametrize("chart, fifths", [
    (open(os.path.join(EXAMPLES, "blues_in_f.txt")).read(), -1),  # F blues: one flat (its dominants are not Bb major)
    (ATTYA, -4),  # starts on Fm7, lives in Ab
    (open(os.path.join(EXAMPLES, "rhythm_changes.txt")).read(), -2),  # ends on a turnaround to Bb
    ("Cm7 | Cm7 | Fm7 | Fm7 | Dm7b5 | G7 | Cm7 | Cm7 | Ebm7 | Ab7 | Dbmaj7 | Dbmaj7 | Dm7b5 | G7 | Cm7 | Dm7b5 G7 |", -3),
    ("Cm7 | F7 | Bbmaj7 | Ebmaj7 | Am7b5 | D7 | Gm6 | Gm6 |", -2),  # Autumn Leaves: G minor
    ("Dm7 G7 | Dm7 G7 | Em7 A7 | Em7 A7 | Am7 D7 | Abm7 Db7 | Cmaj7 | Cmaj7 |", 0),  # Satin Doll
])
def test_the_key_signature_a_musician_would_write(chart, fifths):
    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.core.music import Solo
    from jazz_lstm.render.score import key_fifths

    assert key_fifths(Solo([], parse_chart(chart))) == fifths


def test_the_tonal_centre_by_hand():
    """F7 | C7 |: F scores 2 (4 beats, half as a dominant) + 4 (opening) + 8 (the closing dominant C7
    resolves to it) = 14, C scores 2.  Am7 | Dm7 | E7 | Am7 |: A minor 8 + 4 + 4 (E7 into it) + 8 = 24."""
    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.core.harmony import tonal_center

    assert tonal_center(parse_chart("F7 | C7 |")) == (5, False)
    assert tonal_center(parse_chart("Am7 | Dm7 | E7 | Am7 |")) == (9, True)
    assert tonal_center(parse_chart("Bdim7 | Csus4 |")) is None  # no chord can be a tonic
    assert tonal_center([]) is None


def test_generated_score_reads_well(tmp_path):
    """A generated 32-bar solo's lead sheet has a key signature, no tuplet but triplets, and no
    note more than two ledger lines from the staff of its clef."""
    import re

    code, out, err = run_cli_plain("generate", "--bars", "32", "--formats", "musicxml", "-o", str(tmp_path), "--seed", "5")
    assert code == 0, err
    x = (tmp_path / "solo.musicxml").read_text()
    assert re.search(r"<key>\s*<fifths>-?\d</fifths>", x)
    assert set(re.findall(r"<actual-notes>(\d+)</actual-notes>", x)) <= {"3"}
    # staff positions (7 per octave, C4 = 28): the treble staff spans E4..F5 (30..38), two ledger
    # lines reach A3 and C6, so G3..D6 (25..43) need at most two; an 8vb clef reads an octave lower
    lo, hi = (25, 43) if re.search(r"<sign>G</sign>", x) else (13, 31)
    if "<clef-octave-change>-1" in x:
        lo, hi = lo - 7, hi - 7
    positions = [7 * int(o) + "CDEFGAB".index(s) for s, o in re.findall(r"<step>(\w)</step>\s*(?:<alter>-?\d</alter>\s*)?<octave>(\d)</octave>", x)]
    outside = lambda a, b: sum(not a <= p <= b for p in positions)  # noqa: E731
    best = min(outside(25, 43), outside(18, 36), outside(13, 31))  # treble, treble 8vb, bass
    # every note within two ledger lines where one clef can hold them all, else the fewest outside
    assert positions and outside(lo, hi) == best, (min(positions), max(positions), outside(lo, hi), best)


def run_cli_plain(*args):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "jazz_lstm", *args], capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout, r.stderr


def test_long_solo_skips_audio_with_a_warning(tmp_path):
    """Synthesis holds the whole take in memory: past JAZZ_LSTM_MAX_AUDIO_MINUTES (10) the WAV is
    skipped with a warning instead of asking for gigabytes; the MIDI holds the whole solo."""
    code, out, err = run_cli_plain("generate", "--bars", "160", "--tempo", "60", "--formats", "wav", "-o", str(tmp_path))
    assert code == 0, err
    assert "no audio: 11 min is more than 10 min" in err
    assert (tmp_path / "solo.mid").exists() and not (tmp_path / "solo.wav").exists()


def test_every_chord_symbol_over_silence_stands_over_a_rest_of_its_own():
    """Two changes in a silent bar (Giant Steps' C#m7 F#7 over a whole rest) get a rest each, so
    the engraver spaces their symbols apart instead of setting them touching."""
    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.core.music import Note, Solo
    from music21.harmony import ChordSymbol

    from jazz_lstm.render.score import to_music21

    notes = [Note(64 + k, float(k), 1.0) for k in range(4)] + [Note(71, 8.0, 4.0)]  # bar 2 silent
    solo = Solo(notes, parse_chart("Bmaj7 | C#m7 F#7 | Bmaj7 D7 | Gm7 C7 |"))
    measures = list(to_music21(solo).parts[0].getElementsByClass("Measure"))
    for m in measures[1:]:  # a silent bar, a held whole note (tied at the change), a silent bar
        symbols = [float(h.offset) for h in m.getElementsByClass("ChordSymbol")]
        starts = {float(r.offset) for r in m.notesAndRests if not isinstance(r, ChordSymbol)}
        assert symbols == [0.0, 2.0] and set(symbols) <= starts, (m.number, symbols, starts)
    held = [n for n in measures[2].notes if not isinstance(n, ChordSymbol)]
    assert [n.tie.type for n in held] == ["start", "stop"] and {n.pitch.midi for n in held} == {71}


def test_five_four_is_beamed_and_rested_by_the_beat_and_keeps_its_bars():
    """In 5/4 no beam runs across a beat line and no rest starts off a beat and runs past the next;
    a last note just before the end stays in the last bar (it was snapped into a ninth); a note that
    crosses a bar line, as a MIDI file holds a tied note, is tied across, not cut."""
    from music21.harmony import ChordSymbol

    from jazz_lstm.core.charts import parse_chart
    from jazz_lstm.core.music import Note, Solo
    from jazz_lstm.render.score import to_music21

    eighths = [Note(60 + k % 7, 0.5 * k, 0.5) for k in range(10)]  # a bar of eighths
    # bar 2: an eighth, a rest from the off-beat 5.5 to 8.0, an A held from 8.0 over the bar line to 12.0;
    # bar 3: a last note at 14.95, which snapping would move to 15.0, a fourth bar
    notes = eighths + [Note(67, 5.0, 0.5), Note(69, 8.0, 4.0), Note(72, 14.95, 0.05)]
    solo = Solo(notes, parse_chart("Fm | Bb6 | C7 |", beats_per_bar=5.0), beats_per_bar=5.0, time_signature=(5, 4))
    measures = list(to_music21(solo).parts[0].getElementsByClass("Measure"))
    assert len(measures) == 3
    held = [n for m in measures[1:] for n in m.notes if not isinstance(n, ChordSymbol) and n.pitch.midi == 69]
    assert len(held) >= 2 and held[0].tie.type == "start" and held[-1].tie.type == "stop"
    assert sum(float(n.quarterLength) for n in held) == 4.0
    for m in measures:
        group = []
        for n in m.notesAndRests:
            if isinstance(n, ChordSymbol) or n.isRest:
                continue
            kinds = [b.type for b in n.beams.beamsList][:1]
            if kinds == ["start"]:
                group = [n]
            elif kinds in (["continue"], ["stop"]):
                group.append(n)
                if kinds == ["stop"]:
                    beats = {int(float(x.offset)) for x in group}
                    assert len(beats) == 1, (m.number, [float(x.offset) for x in group])
        for r in (x for x in m.notesAndRests if x.isRest):
            start, end = float(r.offset), float(r.offset + r.quarterLength)
            assert start == int(start) or end <= int(start) + 1, (m.number, start, end)
    last = [n for n in measures[2].notes if not isinstance(n, ChordSymbol)]
    assert last[-1].pitch.midi == 72 and float(last[-1].offset) < 5.0
