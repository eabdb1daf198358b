"""Every shell and Python snippet of README.md runs as written, in order, from a checkout
beside ../shared -- so the README cannot drift from the code.

The snippets run in a scratch folder laid out as a user's checkout: `examples/`, `src/` and
`scripts/` link to this repository, `../shared` to the shared data.  Not run: the Quickstart's
`make demo` / `make test` (this suite is what `make test` runs); a line marked `# needs CUDA`
where there is no GPU.  `jazz-lstm studio` serves until Ctrl-C: it is started, must answer
HTTP, and is then interrupted.  A plain `jazz-lstm ...` line runs in a process forked from one
interpreter that has made the command line's imports once (see FORKS); the rest run through bash.
"""
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest
from conftest import SHARED

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def snippets() -> list[tuple[str, str]]:
    """(language, code) of every ```sh and ```python block, in order."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    return [(m.group(1), m.group(2)) for m in re.finditer(r"```(sh|python)\n(.*?)```", text, re.S)]


def test_readme_has_its_snippets():
    blocks = snippets()
    assert sum(lang == "sh" for lang, _ in blocks) >= 8 and sum(lang == "python" for lang, _ in blocks) >= 2
    quickstart = blocks[0][1].split("\n")
    assert [ln.split("#")[0].strip() for ln in quickstart if ln.strip()] == ["make demo", "make test"]


def cuda() -> bool:
    import torch

    return torch.cuda.is_available()


# A `jazz-lstm ...` line without shell syntax runs in a child forked from one interpreter that has imported
# what the command line imports (torch, music21, matplotlib) once: the same entry point as the console
# script (jazz_lstm.app.cli:main), its own process, exit code, stdout and stderr -- without paying those
# imports ~40 times (about 2 s of CPU a line).  Lines with pipes, redirections, globs, variables or another
# program run through bash as before.
FORKS = r"""
import json, os, sys, traceback
from jazz_lstm.app.cli import main
import torch, music21, matplotlib.figure  # noqa: F401  (imported once; never used here, so no threads started)
for line in sys.stdin:
    req = json.loads(line)
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            for fd, path in ((1, req["out"]), (2, req["err"])):
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
            sys.argv = ["jazz-lstm"] + req["args"]
            try:
                main()
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(json.dumps(os.waitstatus_to_exitcode(status)), flush=True)
"""
SHELL_SYNTAX = re.compile(r"[|<>;&$*?`~()]")


def plain_command(line: str) -> list[str] | None:
    """The arguments of a `jazz-lstm ...` line a forked child can run, else None (bash runs it)."""
    import shlex

    bare = re.sub(r'"[^"]*"' + "|'[^']*'", "", line.split(" #")[0])
    if not line.startswith("jazz-lstm ") or SHELL_SYNTAX.search(bare):
        return None
    return shlex.split(line, comments=True)[1:]


class Forks:
    """The forking interpreter, started in the scratch checkout with the snippets' environment."""

    def __init__(self, cwd: str, env: dict, tmp: str):
        self.tmp = tmp
        self.proc = subprocess.Popen([sys.executable, "-c", FORKS], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def run(self, args: list[str]) -> tuple[int, str]:
        out, err = os.path.join(self.tmp, "stdout"), os.path.join(self.tmp, "stderr")
        self.proc.stdin.write(json.dumps({"args": args, "out": out, "err": err}) + "\n")
        self.proc.stdin.flush()
        if not select.select([self.proc.stdout], [], [], 600)[0]:  # the limit subprocess.run had
            self.proc.kill()
            pytest.fail(f"jazz-lstm {' '.join(args)}: no end after 600 s")
        code = json.loads(self.proc.stdout.readline())
        with open(err, encoding="utf-8", errors="replace") as f:
            return code, f.read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def run_studio(line: str, env: dict, cwd: str) -> None:
    import httpx

    proc = subprocess.Popen(["bash", "-c", "exec " + line.split("#")[0]], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            try:
                if httpx.get("http://127.0.0.1:8765/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the studio did not answer on http://127.0.0.1:8765/")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err


@pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "impro-visor")) or not os.path.isfile(
    os.path.join(SHARED, "original_metheny.mid")), reason="the README's snippets use ../shared/data (not present)")
@pytest.mark.slow
def test_every_snippet_runs_as_written(tmp_path):
    work = tmp_path / "checkout"
    work.mkdir()
    for name in ("examples", "src", "scripts"):
        os.symlink(os.path.join(ROOT, name), work / name)
    os.makedirs(tmp_path / "shared")
    os.symlink(os.path.abspath(SHARED), tmp_path / "shared" / "data")
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"], "JAZZ_LSTM_CACHE": str(tmp_path / "cache"),
           "PYTHONUNBUFFERED": "1"}
    ran = 0
    forks = Forks(str(work), env, str(tmp_path))
    try:
        for i, (lang, code) in enumerate(snippets()):
            if lang == "python":
                r = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, timeout=600)
                assert r.returncode == 0, f"python snippet {i}:\n{code}\n{r.stderr[-3000:]}"
                ran += 1
                continue
            for line in code.splitlines():
                if not line.strip() or line.startswith("make "):
                    continue
                if "# needs CUDA" in line and not cuda():
                    continue
                if line.startswith("jazz-lstm studio"):
                    run_studio(line, env, str(work))
                    ran += 1
                    continue
                args = plain_command(line)
                if args is not None:
                    rc, stderr = forks.run(args)
                else:
                    r = subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=work, env=env, capture_output=True,
                                       text=True, timeout=600)
                    rc, stderr = r.returncode, r.stderr
                assert rc == 0, f"README line failed:\n{line}\n{stderr[-3000:]}"
                assert "Traceback" not in stderr, stderr
                ran += 1
    finally:
        forks.close()
    assert ran >= 30
    assert (work / "output" / "my_music.midi").exists() and (work / "out" / "report.html").exists()
    # everything the snippets wrote lies under a folder .gitignore ignores (issue #25.19)
    import fnmatch

    ignored = [ln.strip().strip("/") for ln in open(os.path.join(ROOT, ".gitignore")) if ln.strip() and not ln.startswith("#")]
    made = {p.name for p in work.iterdir()} - {"examples", "src", "scripts", "README.md", ".gitignore"}
    stray = [n for n in made if not any(fnmatch.fnmatch(n, pat.rstrip("/")) for pat in ignored)]
    assert not stray, f"README snippets left files outside ignored folders: {sorted(stray)}"
