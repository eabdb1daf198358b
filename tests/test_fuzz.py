"""Fuzzing the readers (issue #13): malformed MIDI bytes, MusicXML trees, chord charts and model
headers either read or fail with one JazzError -- never another exception, never a hang."""
import json
import os

import pytest
from conftest import LICK, write_midi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jazz_lstm.core.errors import JazzError

FAST = settings(max_examples=60, deadline=10_000, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=12, deadline=30_000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def read_or_refuse(path: str):
    from jazz_lstm.io.formats import read_tune

    try:
        return read_tune(path)
    except JazzError as e:
        assert str(e) and "\n" not in str(e)
        return None


@pytest.fixture(scope="module")
def midi_bytes(tmp_path_factory):
    path = write_midi(tmp_path_factory.mktemp("fz") / "t.mid", [("Sax", 65, False, LICK)])
    with open(path, "rb") as f:
        return f.read()


EDGES = st.sampled_from([0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF])


@FAST
@given(st.lists(st.tuples(st.integers(0, 200), EDGES), min_size=1, max_size=6))
def test_mutated_midi(tmp_path, midi_bytes, edits):
    data = bytearray(midi_bytes)
    for pos, value in edits:
        data[pos % len(data)] = value
    path = tmp_path / "m.mid"
    path.write_bytes(bytes(data))
    read_or_refuse(str(path))


VALUES = st.sampled_from(["0", "1", "-4", "1e308", "nan", "x", "100000000", "0.0001", "3", "480"])


def musicxml(divisions, beats, beat_type, duration, forward, per_minute) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="3.1"><part-list><score-part id="P1"><part-name>Sax</part-name></score-part></part-list>
<part id="P1"><measure number="1"><attributes><divisions>{divisions}</divisions><time><beats>{beats}</beats>
<beat-type>{beat_type}</beat-type></time><clef><sign>G</sign><line>2</line></clef></attributes>
<direction><sound tempo="{per_minute}"/></direction>
<harmony><root><root-step>C</root-step></root><kind>major-seventh</kind></harmony>
<note><pitch><step>E</step><octave>4</octave></pitch><duration>{duration}</duration><type>quarter</type></note>
<forward><duration>{forward}</duration></forward>
<note><pitch><step>G</step><octave>4</octave></pitch><duration>1</duration><type>quarter</type></note>
</measure></part></score-partwise>"""


@SLOW
@given(VALUES, VALUES, VALUES, VALUES, VALUES, VALUES)
def test_malformed_musicxml(tmp_path, divisions, beats, beat_type, duration, forward, per_minute):
    path = tmp_path / "s.musicxml"
    path.write_text(musicxml(divisions, beats, beat_type, duration, forward, per_minute))
    read_or_refuse(str(path))


CHART_WORDS = st.sampled_from(["|", "%", "/", "Dm7", "G7b9", "Cmaj7", "NC", "X7", "C/", "Bb7#11", "H", "#", "Ebm7b5",
                               "F#7alt", "C13sus4", "--", "||", "\\", "Am(add9)", "G/B", "\n"])


@FAST
@given(st.lists(CHART_WORDS, max_size=30))
def test_chart_soup(words):
    from jazz_lstm.io.changes import read_changes

    text = " ".join(words)
    try:
        chart = read_changes(text if "|" in text else text + " |")
        assert chart.chords
    except JazzError:
        pass


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    from jazz_lstm.io.formats import read_tune
    from jazz_lstm.models.recipe.train import TrainConfig, train

    d = tmp_path_factory.mktemp("fzm")
    lick = [(p, s + 16 * i, dur) for i in range(3) for p, s, dur in LICK]
    tune = read_tune(write_midi(d / "t.mid", [("Piano", 0, False, [(48, 0, 48)]), ("Sax", 65, False, lick)]))
    out = str(d / "m.safetensors")
    train([tune], TrainConfig(epochs=1, Tx=8, windows=4), out=out, progress=False)
    return out


JUNK = st.one_of(st.integers(-2**40, 2**40), st.floats(allow_nan=True), st.text(max_size=5), st.none(), st.booleans(),
                 st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@FAST
@given(st.sampled_from(["config", "chart", "train", "vocab"]), st.text(min_size=1, max_size=12), JUNK)
def test_model_header_fields(tmp_path, model_file, key, field, value):
    """A header whose JSON fields hold anything: the loader says 'damaged' (or loads) -- never
    another exception, never a giant allocation."""
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from jazz_lstm.models import checkpoint

    with safe_open(model_file, "pt") as f:
        meta = dict(f.metadata())
    doc = json.loads(meta[key])
    if isinstance(doc, dict):
        keys = list(doc) + [field]
        doc[keys[hash(field) % len(keys)]] = value
    elif isinstance(doc, list) and doc:
        doc[hash(field) % len(doc)] = value
    meta[key] = json.dumps(doc)
    out = os.path.join(tmp_path, "h.safetensors")
    save_file(load_file(model_file), out, metadata=meta)
    try:
        checkpoint.load(out)
    except JazzError as e:
        assert "\n" not in str(e)


@pytest.mark.parametrize("values,why", [
    (("1", "100000000", "4", "1", "1", "120"), "time signature"),  # music21 took gigabytes on this
    (("100000000", "3", "-4", "100000000", "1000", "1000"), "time signature"),
    (("1", "4", "4", "1", "100000000", "120"), "longer than"),  # a <forward> of 1e8 beats
    (("0", "4", "4", "1", "1", "120"), "divisions"),
    (("1", "4", "4", "1e308", "1", "120"), "longer than"),
])
def test_absurd_scores_are_refused_before_parsing(tmp_path, values, why):
    import time

    path = tmp_path / "s.musicxml"
    path.write_text(musicxml(*values))
    t = time.perf_counter()
    with pytest.raises(JazzError, match=why):
        from jazz_lstm.io.formats import read_tune

        read_tune(str(path))
    assert time.perf_counter() - t < 2.0
