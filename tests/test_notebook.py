import os
import shutil
import time

import pytest

NB = os.path.join(os.path.dirname(__file__), "..", "examples", "course_walkthrough.ipynb")


@pytest.mark.slow
def test_course_walkthrough_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    shutil.copy(NB, tmp_path / "nb.ipynb")
    nb = nbformat.read(tmp_path / "nb.ipynb", as_version=4)
    t = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert time.perf_counter() - t < 120
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "shape of X: (60, 30," in text and "Shape of Y: (30, 60," in text
    assert "np.argmax(results[12])" in text and "saved in output/my_music.midi" in text
    assert (tmp_path / "output" / "my_music.midi").exists()
