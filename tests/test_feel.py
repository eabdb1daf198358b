"""Played like jazz: swing by tempo, accents, drums, the instrument, the whole form (issue #21)."""
import json
import os

import pytest
import symusic
from conftest import run_cli

from jazz_lstm.core.charts import parse_chart
from jazz_lstm.core.errors import JazzError
from jazz_lstm.core.feel import (
    INSTRUMENTS,
    SWING_BY_TEMPO,
    Feel,
    accents,
    drum_part,
    octave_shift,
    parse_swing,
    perform,
    swing_ratio,
    swung,
)
from jazz_lstm.core.music import Note, Solo
from jazz_lstm.io.midi import midi_bytes

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


def eighths_solo(tempo=160.0):
    notes = [Note(60 + (k % 5), k * 0.5, 0.5, 90) for k in range(16)]
    return Solo(notes, list(parse_chart("C7 | C7 |", 4.0)), beats_per_bar=4.0, tempo=tempo)


def test_the_swing_ratio_follows_the_measured_table():
    assert swing_ratio(160) == pytest.approx(1.63) and swing_ratio(300) == pytest.approx(1.22)
    assert swing_ratio(180) == pytest.approx((1.63 + 1.61) / 2)  # linear between points
    assert swing_ratio(60) == SWING_BY_TEMPO[0][1] and swing_ratio(400) == SWING_BY_TEMPO[-1][1]
    assert swing_ratio(120) > swing_ratio(300)  # faster, straighter (the soloists' own trend)
    assert swung(2.5, 2.0) == pytest.approx(2 + 2 / 3)  # 2:1 -- the off-beat on the triplet
    assert swung(2.0, 2.0) == 2.0 and swung(2 + 1 / 3, 2.0) == pytest.approx(2 + 1 / 3)  # beats, triplets stay
    assert parse_swing("auto") is None and parse_swing("off") == 1.0 and parse_swing("2:1") == 2.0
    with pytest.raises(JazzError):
        parse_swing("lots")
    with pytest.raises(JazzError):
        Feel(swing=5.0)
    with pytest.raises(JazzError):
        Feel(instrument="kazoo")


def test_midi_swings_accents_and_keeps_time_with_drums():
    solo, tpq = eighths_solo(160.0), 480
    score = symusic.Score.from_midi(midi_bytes(solo, feel=Feel()))
    lead, drums = score.tracks[0], [t for t in score.tracks if t.is_drum]
    offbeats = [n.time % tpq for n in lead.notes if n.time % tpq]
    p = round(swing_ratio(160) / (1 + swing_ratio(160)) * tpq)
    assert offbeats and set(offbeats) == {p}  # every off-beat eighth late by the ratio, none elsewhere
    assert all(n.time + n.duration <= m.time + 1 for n, m in zip(lead.notes, lead.notes[1:]))  # no overlaps
    assert len({n.velocity for n in lead.notes}) > 3  # not one velocity for every note
    assert len(drums) == 1 and {n.pitch for n in drums[0].notes} >= {51, 44}
    hats = sorted(n.time for n in drums[0].notes if n.pitch == 44)
    assert hats == [tpq * b for b in (1, 3, 5, 7)]  # the hi-hat on 2 and 4
    straight = symusic.Score.from_midi(midi_bytes(solo))  # no feel: as written, no drums
    assert all(n.time % (tpq // 2) == 0 for n in straight.tracks[0].notes) and not any(t.is_drum for t in straight.tracks)
    assert {n.velocity for n in straight.tracks[0].notes} == {90}


def test_accents_and_the_instrument_range():
    line = [Note(60, 0, 0.5), Note(64, 0.5, 0.5), Note(67, 1.0, 0.5), Note(62, 1.5, 0.25), Note(65, 1.75, 1.0)]
    v = accents(line)
    assert v[2] == max(v[:4]) and v[3] < v[2] - 15  # the top of the figure accented, the short dip ghosted
    assert octave_shift([40, 45, 50], "alto") == 12 and octave_shift([60, 64], "tenor") == 0
    solo = eighths_solo()
    played = perform(solo.notes, solo.tempo, Feel(instrument="trombone"))
    _, low, high = INSTRUMENTS["trombone"]
    assert all(low <= p <= high for p, *_ in played)
    score = symusic.Score.from_midi(midi_bytes(solo, feel=Feel(instrument="trumpet")))
    assert score.tracks[0].program == INSTRUMENTS["trumpet"][0]
    assert not drum_part(4, 4.0, 160.0, Feel(drums=False))


def test_generate_swings_by_default_and_the_manifest_replays_it(capsys, tmp_path):
    out = tmp_path / "o"
    code, _, err = run_cli(capsys, "generate", "--chords", "Dm7 G7 | Cmaj7 |", "--bars", "4", "--formats", "none",
                           "-o", str(out), "--swing", "2:1", "--instrument", "alto", "--seed", "3")
    assert code == 0, err
    manifest = json.loads((out / "solo.json").read_text())
    assert manifest["feel"] == {"swing": 2.0, "dynamics": True, "drums": True, "instrument": "alto"}
    code, _, err = run_cli(capsys, "generate", "--from-manifest", str(out / "solo.json"), "-o", str(tmp_path / "again"),
                           "--formats", "none")
    assert code == 0, err
    assert (out / "solo.mid").read_bytes() == (tmp_path / "again" / "solo.mid").read_bytes()
    code, _, err = run_cli(capsys, "generate", "--swing", "lots", "--formats", "none", "-o", str(tmp_path / "x"))
    assert code == 2 and "--swing" in err, err
    code, _, err = run_cli(capsys, "generate", "--instrument", "kazoo", "--formats", "none", "-o", str(tmp_path / "x"))
    assert code == 2 and "kazoo" in err, err


def test_an_old_manifest_replays_as_written(tmp_path, capsys):
    """Manifests from before feels have no "feel": they replay as they were made (straight, no drums)."""
    out = tmp_path / "o"
    code, _, err = run_cli(capsys, "generate", "--chords", "C7 | F7 |", "--bars", "2", "--formats", "none", "-o", str(out),
                           "--swing", "off", "--no-drums")
    data = json.loads((out / "solo.json").read_text())
    data.pop("feel")
    (out / "old.json").write_text(json.dumps(data))
    code, _, err = run_cli(capsys, "generate", "--from-manifest", str(out / "old.json"), "-o", str(tmp_path / "a"),
                           "--formats", "none")
    assert code == 0, err
    assert not any(t.is_drum for t in symusic.Score(str(tmp_path / "a" / "solo.mid")).tracks)


def test_a_manifest_made_before_the_change_steer_replays_without_it(tmp_path, capsys):
    """A manifest with no "change" (made before the steer) replays with change 0 -- the same solo as
    --change 0 makes --, not with today's default."""
    out = tmp_path / "o"
    chords = "Dm7 G7 | Cmaj7 | A7 | Dm7 G7 | Em7 A7 | Dm7 G7 | Cmaj7 | Cmaj7 |"
    code, _, err = run_cli(capsys, "generate", "--chords", chords, "--bars", "32", "--change", "0", "--formats", "none",
                           "-o", str(out))
    assert code == 0, err
    data = json.loads((out / "solo.json").read_text())
    assert data["sampling"]["change"] == 0.0
    for key in ("change", "motif"):
        data["sampling"].pop(key)
    (out / "old.json").write_text(json.dumps(data))
    code, _, err = run_cli(capsys, "generate", "--from-manifest", str(out / "old.json"), "-o", str(tmp_path / "a"),
                           "--formats", "none")
    assert code == 0, err
    assert json.loads((tmp_path / "a" / "solo.json").read_text())["tokens"] == data["tokens"]
    code, _, err = run_cli(capsys, "generate", "--chords", chords, "--bars", "32", "--formats", "none", "-o",
                           str(tmp_path / "b"))
    assert json.loads((tmp_path / "b" / "solo.json").read_text())["tokens"] != data["tokens"]


def test_the_form_s_sections_are_heard_kept_in_the_manifest_and_replayed(tmp_path, capsys):
    """A tune whose form is marked (an iReal Pro chart's *A / *B) is played hearing its sections: the
    manifest keeps them (looped over the choruses) and replays the same MIDI bytes; without them the
    default model plays another solo."""
    from test_chart_library import link

    song = link("Form", "*AT44C^7XyQ|A-7XyQ|D-7XyQ|G7XyQ|C^7XyQ|*BE-7XyQ|A7XyQ|D-7XyQ|G7XyQZ ")  # A of 5, B of 4
    code, _, err = run_cli(capsys, "generate", "--chords", song, "--choruses", "2", "--formats", "none", "-o", str(tmp_path / "a"))
    assert code == 0, err
    data = json.loads((tmp_path / "a" / "solo.json").read_text())
    assert data["sections"] == [0.0, 20.0, 36.0, 56.0]
    code, _, err = run_cli(capsys, "generate", "--from-manifest", str(tmp_path / "a" / "solo.json"), "--formats", "none",
                           "-o", str(tmp_path / "b"))
    assert code == 0, err
    assert (tmp_path / "a" / "solo.mid").read_bytes() == (tmp_path / "b" / "solo.mid").read_bytes()
    data.pop("sections")
    (tmp_path / "plain.json").write_text(json.dumps(data))
    code, _, err = run_cli(capsys, "generate", "--from-manifest", str(tmp_path / "plain.json"), "--formats", "none",
                           "-o", str(tmp_path / "c"))
    assert code == 0, err
    assert json.loads((tmp_path / "c" / "solo.json").read_text())["tokens"] != data["tokens"]


@pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "impro-visor", "charts")), reason="../shared charts not present")
def test_a_chart_plays_its_whole_form(capsys, tmp_path):
    attya = os.path.join(SHARED, "impro-visor", "charts", "AllTheThingsYouAre.ls")
    code, _, err = run_cli(capsys, "generate", "--chords", attya, "--formats", "none", "-o", str(tmp_path / "a"))
    assert code == 0 and "of 36 bars" in err, err  # not cut to 32
    code, _, err = run_cli(capsys, "generate", "--chords", "C7 | F7 | C7 | G7 |", "--choruses", "3", "--formats", "none",
                           "-o", str(tmp_path / "b"))
    assert code == 0 and "of 12 bars" in err, err


def _phrases(notes):
    out, n = [], 0
    for a, b in zip(notes, notes[1:] + [None]):
        n += 1
        if b is None or b.start - (a.start + a.duration) >= 0.25 - 1e-9:
            out.append(n)
            n = 0
    return out


def test_the_breath_and_pace_steers():
    """Breath: with it, phrases end sooner and the solo holds more silence than the model alone;
    tempo: the model hears it (alone, it plays fewer sixteenths at 300 bpm than at 120), and the pace
    steer thins them further."""
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import improvise

    ck = load(default_model_path())
    chords = parse_chart("Dm7 G7 | Cmaj7 | A7 | Dm7 G7 | Em7 A7 | Dm7 G7 | Cmaj7 | Cmaj7 |", 4.0)

    def run(tempo, **kw):
        return improvise(ck, chords, 16, 6, SampleConfig(seed=2, **kw), tempo=tempo)

    alone, steered = run(160, breath=0, pace=0), run(160)
    longest = lambda solos: max(max(_phrases(s.notes)) for s in solos)  # noqa: E731
    sounding = lambda solos: sum(n.duration for s in solos for n in s.notes)  # noqa: E731
    assert longest(steered) < longest(alone) and sounding(steered) < sounding(alone)
    sixteenths = lambda solos: sum(abs(n.duration - 0.25) < 1e-6 for s in solos for n in s.notes)  # noqa: E731
    fast = sixteenths(run(300))
    assert fast < sixteenths(run(120)) and sixteenths(run(300, pace=1)) < fast
    with pytest.raises(JazzError):
        SampleConfig(breath=-1)


def test_the_change_steer_meets_fewer_changes_on_chord_tones():
    """change_zone marks the first beat of each new chord (not a repeated one); with --change the solos meet
    the changes on chord tones less often than the model alone (metrics.changes_hit), the rest of the bar
    untouched by the steer."""
    from jazz_lstm.eval.metrics import changes_hit
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.models.chord.sample import change_zone
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import improvise

    chords = parse_chart("Dm7 G7 | Cmaj7 | Cmaj7 | A7 |", 4.0)
    zone = change_zone(chords, 4 * 48)
    assert zone.nonzero()[0].tolist() == list(range(24, 36)) + list(range(48, 60)) + list(range(144, 156))
    ck = load(default_model_path())
    chords = parse_chart("Dm7 G7 | Cmaj7 | A7 | Dm7 G7 | Em7 A7 | Dm7 G7 | Cmaj7 | Cmaj7 |", 4.0)
    hit = lambda solos: sum(changes_hit(s.notes, s.chords)[0] for s in solos) / len(solos)  # noqa: E731
    alone = hit(improvise(ck, chords, 16, 8, SampleConfig(seed=4), tempo=160))
    assert hit(improvise(ck, chords, 16, 8, SampleConfig(seed=4, change=3.0), tempo=160)) < alone - 0.1
    with pytest.raises(JazzError, match="change"):
        SampleConfig(change=-1)


def test_the_motif_comes_back_moved_with_the_roots():
    """--motif 4 over a blues: at bar 5 (Bb7, a fourth above the F7 it began over) and bar 9 (Gm7) each
    solo replays its opening -- the same onsets in the bar, every note moved by the roots' distance
    (nearer way round, or an octave folded back into the register) -- until the register or the bar
    stops it; without --motif the same seed plays the same solo as before."""
    from jazz_lstm.core.charts import BLUES_12
    from jazz_lstm.models.checkpoint import default_model_path, load
    from jazz_lstm.models.chord.sample import MOTIF_NOTES
    from jazz_lstm.models.sample import SampleConfig
    from jazz_lstm.solo.generate import improvise

    ck = load(default_model_path())
    chords = parse_chart(BLUES_12, 4.0)
    plain = improvise(ck, chords, 12, 6, SampleConfig(seed=5), tempo=160)
    assert [s.notes for s in plain] == [s.notes for s in improvise(ck, chords, 12, 6, SampleConfig(seed=5, motif=0),
                                                                    tempo=160)]
    restated = 0
    for solo in improvise(ck, chords, 12, 6, SampleConfig(seed=5, motif=4), tempo=160):
        notes = sorted(solo.notes, key=lambda n: n.start)
        phrase = [n for n in notes if n.start < 4][:MOTIF_NOTES]
        cut = next((i for i in range(2, len(phrase)) if phrase[i].start - phrase[i - 1].start - phrase[i - 1].duration
                    >= 0.25 - 1e-9), len(phrase))  # its first breath after two notes
        motif = phrase[:cut]
        for bar, shift in ((4, 5), (8, 2)):  # F -> Bb: +5; F -> G: +2
            again = [n for n in notes if 4 * bar <= n.start < 4 * bar + 4][:len(motif)]
            if len(motif) < 2 or len(again) < 2:
                continue
            moved = again[0].pitch - motif[0].pitch
            assert moved in (shift, shift - 12)
            assert [round(n.start - 4 * bar, 4) for n in again[:2]] == [round(n.start, 4) for n in motif[:2]]
            assert [n.pitch - moved for n in again[:2]] == [n.pitch for n in motif[:2]]
            restated += 1
    assert restated >= 6
    with pytest.raises(JazzError, match="motif"):
        SampleConfig(motif=-1)


def test_parts_for_transposing_instruments(capsys, tmp_path):
    """--transpose-for writes the sheet music a tone (Bb), a major sixth (Eb) or a ninth (tenor) up,
    chord symbols with it; the MIDI still sounds in concert pitch."""
    from jazz_lstm.core.feel import written_for
    from jazz_lstm.core.harmony import transpose_symbol
    from jazz_lstm.io.formats import read_tune

    assert [transpose_symbol(s, k) for s, k in (("Bb7b9", 2), ("F/A", 9), ("Ebmaj7#11", 9))] == ["C7b9", "D/Gb", "Cmaj7#11"]
    solo = eighths_solo()
    solo.key = "Eb major"
    alto = written_for(solo, "Eb")
    assert [n.pitch for n in alto.notes] == [n.pitch + 9 for n in solo.notes] and alto.chords[0].symbol == "A7"
    assert alto.key == "C major" and written_for(solo, "C") is solo
    with pytest.raises(JazzError):
        written_for(solo, "F#")
    out = tmp_path / "t"
    code, _, err = run_cli(capsys, "generate", "--chords", "Bb7 | Eb7 | Bb7 | F7 |", "--bars", "4", "--transpose-for", "Bb",
                           "--formats", "musicxml", "-o", str(out), "--seed", "1")
    assert code == 0, err
    written, sounding = read_tune(str(out / "solo.musicxml")), read_tune(str(out / "solo.mid"))
    assert [c.symbol for c in written.chords][:2] == ["C7", "F7"] and sounding.chords[0].symbol == "Bb7"
    assert [n.pitch for n in written.notes][:8] == [n.pitch + 2 for n in sounding.notes][:8]
    code, _, err = run_cli(capsys, "generate", "--from-manifest", str(out / "solo.json"), "--formats", "musicxml",
                           "-o", str(tmp_path / "again"))
    again = read_tune(str(tmp_path / "again" / "solo.musicxml"))  # (music21 names its parts at random: not bytes)
    assert code == 0 and [c.symbol for c in again.chords] == [c.symbol for c in written.chords], err
    assert [(n.pitch, n.start) for n in again.notes] == [(n.pitch, n.start) for n in written.notes]
    code, _, err = run_cli(capsys, "generate", "--transpose-for", "F#", "--formats", "none", "-o", str(tmp_path / "x"))
    assert code == 2 and "--transpose-for" in err, err


def test_a_manifest_made_before_short_breaths_replays_without_them(tmp_path, capsys):
    """No "breath_short" in a manifest (0.4.0 and before): it replays as breath_short 0 does, not
    with today's short breaths."""
    chords = "Dm7 G7 | Cmaj7 | A7 | Dm7 G7 | Em7 A7 | Dm7 G7 | Cmaj7 | Cmaj7 |"
    code, _, err = run_cli(capsys, "generate", "--chords", chords, "--bars", "32", "--formats", "none", "-o", str(tmp_path / "o"))
    assert code == 0, err
    data = json.loads((tmp_path / "o" / "solo.json").read_text())
    assert data["sampling"]["breath_short"] == 2.0
    tokens = {}
    for name, value in (("absent", None), ("zero", 0.0)):
        old = json.loads(json.dumps(data))
        old["sampling"].pop("breath_short")
        if value is not None:
            old["sampling"]["breath_short"] = value
        (tmp_path / f"{name}.json").write_text(json.dumps(old))
        code, _, err = run_cli(capsys, "generate", "--from-manifest", str(tmp_path / f"{name}.json"), "-o",
                               str(tmp_path / name), "--formats", "none")
        assert code == 0, err
        tokens[name] = json.loads((tmp_path / name / "solo.json").read_text())["tokens"]
    assert tokens["absent"] == tokens["zero"] != data["tokens"]
