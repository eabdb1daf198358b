"""The shape of the code (ARCHITECTURE.md): imports go one way, with no cycle; the library
never reaches into the CLI or the studio; the array stages never import torch; commands
import only their shared options and the library, and stay short."""
import ast
import inspect
import os

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
NO_TORCH = ["music", "rawtune", "midi_io", "scoreio", "leadsheet", "melody", "harmony", "charts", "changes", "grammar",
            "vocab", "dataset", "corpus", "features", "metrics", "arrangement"]


def modules() -> dict:
    out = {}
    for folder, _, files in os.walk(os.path.join(SRC, "jazz_lstm")):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(folder, f)
                name = os.path.relpath(path, SRC)[:-3].replace(os.sep, ".")
                out[name[:-9] if name.endswith(".__init__") else name] = path
    return out


def imports(name: str, path: str, top_only: bool = False) -> set:
    """The package modules `name` imports (all imports, or only those at module level)."""
    mods, deps = modules(), set()
    pkg = name if path.endswith("__init__.py") else name.rsplit(".", 1)[0]
    tree = ast.parse(open(path, encoding="utf-8").read())
    nodes = tree.body if top_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level:
            parts = pkg.split(".")
            base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            if node.module and base in mods:
                deps.add(base)
            deps |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in mods}
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
            for a in node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]:
                deps.add("<ext>" + a.name.split(".")[0])
    return deps


def test_no_import_cycle():
    mods = modules()
    graph = {m: {d for d in imports(m, p) if d in mods} for m, p in mods.items()}
    state: dict = {}

    def visit(u, trail):
        state[u] = 1
        for v in graph[u]:
            assert state.get(v) != 1, "import cycle: " + " -> ".join(trail[trail.index(v):] + [v])
            if not state.get(v):
                visit(v, trail + [v])
        state[u] = 2

    for m in graph:
        if not state.get(m):
            visit(m, [m])


def test_library_never_imports_the_front_ends_and_arrays_never_import_torch():
    for m, p in modules().items():
        if m.startswith(("jazz_lstm.cli", "jazz_lstm.web")) or m == "jazz_lstm.__main__":
            continue
        bad = {d for d in imports(m, p) if d.startswith(("jazz_lstm.cli", "jazz_lstm.web"))}
        assert not bad, f"{m} imports {bad}"
    for short in NO_TORCH:
        m = f"jazz_lstm.{short}"
        assert "<exttorch>" not in imports(m, modules()[m]), f"{m} imports torch"


def test_commands_import_options_and_the_library_only():
    for m, p in modules().items():
        if m.startswith("jazz_lstm.cli.") and m != "jazz_lstm.cli.options":
            own = {d for d in imports(m, p) if d.startswith("jazz_lstm.cli")}
            assert own <= {"jazz_lstm.cli.options"}, f"{m} imports {own}"


@pytest.mark.parametrize("name", ["inspect", "train", "generate", "demo", "render", "evaluate", "studio"])
def test_each_command_body_is_short(name):
    """Argument handling only: the body (after the signature and docstring) is at most 40 lines."""
    from jazz_lstm.cli import app

    fn = next(c.callback for c in app.registered_commands if c.callback.__name__ == name)
    tree = ast.parse(inspect.getsource(fn).strip())
    body = tree.body[0].body
    start = body[1].lineno if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else body[0].lineno
    assert body[-1].end_lineno - start + 1 <= 40
