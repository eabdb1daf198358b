"""The shape of the code (ARCHITECTURE.md): every module in a stage folder; imports point down
the ranks, with no cycle (so the library never reaches into app/); torch only in models/;
commands import only their shared options and the library, and stay short."""
import ast
import inspect
import os
import re

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
# the stage folders, lowest first: a module may import its own folder and the folders below it
RANKS = {"core": 0, "io": 1, "grammar": 2, "data": 3, "models": 4, "render": 5, "solo": 6, "eval": 7, "app": 8}
ROOT = {"jazz_lstm", "jazz_lstm.__main__", "jazz_lstm.course"}  # the package's faces: the public API, the command, the course
TORCH_FREE = ("core", "io", "grammar", "data", "render", "solo", "eval")  # torch lives in models/ (and the course)


def rank(module: str) -> int:
    if module in ROOT:
        return 99
    return RANKS[module.split(".")[1]]


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
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "jazz_lstm":
            subs = {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in mods}
            if node.module in mods and len(subs) < len(node.names):  # names from the module itself
                deps.add(node.module)
            deps |= subs
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "jazz_lstm" for a in node.names):
            deps |= {a.name for a in node.names if a.name in mods}
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


def test_every_module_lives_in_a_stage_folder():
    loose = [m for m in modules() if m not in ROOT and m.split(".")[1] not in RANKS]
    assert not loose, f"modules outside the stage folders: {loose}"


def test_imports_point_down_the_ranks():
    """Each folder imports only itself and lower ranks (so the library never imports app/)."""
    bad = []
    for m, p in modules().items():
        for d in imports(m, p):
            if d.startswith("jazz_lstm") and d in modules() and rank(d) > rank(m):
                bad.append(f"{m} (rank {rank(m)}) imports {d} (rank {rank(d)})")
    assert not bad, "\n".join(bad)


def test_the_graph_is_seen():
    """The checks below can fail: the graph they read holds the imports the code makes."""
    mods = modules()
    assert "jazz_lstm.core.music" in imports("jazz_lstm.io.midi", mods["jazz_lstm.io.midi"])
    assert "<ext>torch" in imports("jazz_lstm.models.checkpoint", mods["jazz_lstm.models.checkpoint"])


def test_torch_only_in_models():
    for m, p in modules().items():
        if m not in ROOT and m.split(".")[1] in TORCH_FREE:
            assert "<ext>torch" not in imports(m, p), f"{m} imports torch"


def test_each_folder_says_what_it_owns():
    for folder in RANKS:
        doc = ast.get_docstring(ast.parse(open(os.path.join(SRC, "jazz_lstm", folder, "__init__.py")).read()))
        assert doc and "import" in doc, f"{folder}/__init__.py: a docstring saying what it owns and may import"


def test_commands_import_options_and_the_library_only():
    for m, p in modules().items():
        if m.startswith("jazz_lstm.app.cli.") and m != "jazz_lstm.app.cli.options":
            own = {d for d in imports(m, p) if d.startswith("jazz_lstm.app.cli")}
            assert own <= {"jazz_lstm.app.cli.options"}, f"{m} imports {own}"


@pytest.mark.parametrize("name", ["inspect", "train", "generate", "demo", "render", "evaluate", "studio"])
def test_each_command_body_is_short(name):
    """Argument handling only: the body (after the signature and docstring) is at most 40 lines."""
    from jazz_lstm.app.cli import app

    fn = next(c.callback for c in app.registered_commands if c.callback.__name__ == name)
    tree = ast.parse(inspect.getsource(fn).strip())
    body = tree.body[0].body
    start = body[1].lineno if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else body[0].lineno
    assert body[-1].end_lineno - start + 1 <= 40


def test_no_module_outside_models_branches_on_the_model_kind():
    """Everything that differs between model kinds goes through models.base.ModelKind."""
    pattern = re.compile(r"kind ==|kind !=|isinstance\(.*(ChordLSTM|JazzLSTM)|\.kind in \(")
    bad = [f"{m}:{i}" for m, p in modules().items() if not m.startswith("jazz_lstm.models")
           for i, line in enumerate(open(p, encoding="utf-8"), 1) if pattern.search(line)]
    assert not bad, bad


def complexity(fn: ast.AST) -> int:
    """McCabe's cyclomatic complexity: 1 + each decision (if, loop, except, boolean operator, ...)."""
    n = 1
    for node in ast.walk(fn):
        if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.IfExp, ast.ExceptHandler, ast.Assert,
                             ast.match_case)):
            n += 1
        elif isinstance(node, ast.BoolOp):
            n += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            n += 1 + len(node.ifs)
    return n


def _own(node: ast.AST) -> list:
    """The functions defined directly inside `node` (not inside those)."""
    out = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            out.append(child)
        else:
            out.extend(_own(child))
    return out


def test_functions_are_short_and_simple():
    """No function body over 60 lines (the signature and docstring not counted: a command's options
    are declarations) or of cyclomatic complexity over 25; functions inside count on their own."""
    bad = []
    for m, p in modules().items():
        for node in ast.walk(ast.parse(open(p, encoding="utf-8").read())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            inner = [c for c in _own(node) if not isinstance(c, ast.Lambda)]
            body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) else node.body
            lines = (body[-1].end_lineno - body[0].lineno + 1 - sum(c.end_lineno - c.lineno + 1 for c in inner)) if body else 0
            cc = complexity(node) - sum(complexity(c) - 1 for c in inner) - len(inner)
            if lines > 60 or cc > 25:
                bad.append(f"{m}.{node.name}: {lines} lines, complexity {cc}")
    assert not bad, "\n".join(bad)


def test_imports_are_at_the_top():
    """Package imports sit at the top of each module, where the real graph shows; only the commands
    import the library when they run (so `jazz-lstm --help` does not load torch)."""
    local = []
    for m, p in modules().items():
        if m == "jazz_lstm.app.cli" or m.startswith("jazz_lstm.app.cli."):
            continue
        for node in ast.walk(ast.parse(open(p, encoding="utf-8").read())):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node.col_offset > 0:
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                if any(n.split(".")[0] == "jazz_lstm" for n in names) or getattr(node, "level", 0):
                    local.append(f"{m}:{node.lineno}")
    assert not local, local
