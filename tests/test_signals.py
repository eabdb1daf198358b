"""Real processes: SIGTERM and SIGINT save a resumable checkpoint once, a second signal exits
quietly, kill -9 loses at most --save-every epochs, and a full disk leaves nothing half-written."""
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import LICK, comping, write_midi

pytestmark = pytest.mark.slow  # real processes, several seconds each
from jazz_lstm.models import checkpoint


def tune(tmp_path):
    lick = [(p, s + 16 * i, d) for i in range(3) for p, s, d in LICK]
    return write_midi(tmp_path / "t.mid", [("Piano", 0, False, comping(repeats=3)), ("Sax", 65, False, lick)])


def start_training(tmp_path, *extra):
    out = str(tmp_path / "m.safetensors")
    cmd = [sys.executable, "-m", "jazz_lstm", "train", tune(tmp_path), "-o", out, "--epochs", "1000000", "-q",
           "--windows", "0", "--stride", "3", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, out


def wait_for(pred, seconds=60.0):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_saves_once_and_resume_restores_the_data_options(tmp_path, sig):
    proc, out = start_training(tmp_path, "--save-every", "20")
    assert wait_for(lambda: os.path.exists(out)), "no checkpoint after 20 epochs"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "resumable checkpoint" in err and "Traceback" not in err, err
    ck = checkpoint.load(out)
    done = ck.train.epochs_done
    assert done >= 20 and ck.train.config["windows"] == 0 and ck.train.config["stride"] == 3
    # --resume without --windows/--stride trains on the same windows as before
    r = subprocess.run([sys.executable, "-m", "jazz_lstm", "train", tune(tmp_path), "-o", out, "--resume", "-q",
                        "--epochs", str(done + 2)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    again = checkpoint.load(out)
    assert again.train.epochs_done == done + 2 and again.train.windows == ck.train.windows
    assert again.train.config["stride"] == 3


def test_second_signal_exits_quietly(tmp_path):
    proc, out = start_training(tmp_path, "--save-every", "100")
    assert wait_for(lambda: os.path.exists(out))  # training runs (on a slow machine 2 s may still be importing torch)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err and "Exception ignored" not in err, err


def test_kill_9_loses_at_most_save_every(tmp_path):
    proc, out = start_training(tmp_path, "--save-every", "10")
    assert wait_for(lambda: os.path.exists(out))
    time.sleep(1.0)
    proc.kill()
    proc.wait(30)
    ck = checkpoint.load(out)  # whatever was last written is whole (atomic rename)
    assert ck.train.epochs_done >= 10 and ck.train.epochs_done % 10 == 0
    stale = tmp_path / ".jazz-lstm-tmp-leftover"
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    r = subprocess.run([sys.executable, "-m", "jazz_lstm", "train", tune(tmp_path), "-o", out, "--resume", "-q",
                        "--epochs", str(ck.train.epochs_done + 1)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert not stale.exists()  # a killed run's temp file is cleaned when the next one starts


def test_disk_full_is_exit_2_and_leaves_no_half_written_solo(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        r = subprocess.run([sys.executable, "-m", "jazz_lstm", "generate", "--bars", "16", "--formats", "wav",
                            "-o", str(mnt / "out")], capture_output=True, text=True, timeout=300)
        assert r.returncode == 2 and "cannot write" in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert not (mnt / "out").exists() or not os.listdir(mnt / "out")
        assert not [n for n in os.listdir(mnt) if n.startswith(".jazz-lstm-tmp-")]
    finally:
        subprocess.run(["umount", str(mnt)])
