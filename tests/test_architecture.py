"""The package's shape: layers that import only downwards and no import cycle, lazy imports included."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import motifnet

PACKAGE = Path(motifnet.__file__).parent
# From the bottom up; a module may import from its own layer and the layers below it.
LAYERS = ("base", "data", "model", "run", "interpret", "motifs", "plot", "report", "search", "workflows", "cli")


def module_name(path: Path) -> str:
    parts = ("motifnet",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path, known: set) -> set:
    """Every motifnet module ``name`` imports anywhere (top level or inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")
                elif target in known:
                    found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
    found.discard(name)
    return found


def import_graph() -> dict:
    from motifnet.cli.main import COMMANDS

    known = modules()
    graph = {name: imported_modules(name, path, set(known)) for name, path in known.items()}
    # The command group imports its command modules by name (importlib), on demand.
    graph["motifnet.cli.main"] |= {f"motifnet.cli.{target.partition(':')[0]}" for target in COMMANDS.values()}
    return graph


def layer(name: str) -> str | None:
    """The layer of a module; None for the package's facade (``motifnet``, ``motifnet.__main__``)."""
    parts = name.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return None
    return parts[1] if parts[1] in LAYERS else "base"


def find_cycle(graph: dict) -> list | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict = {}
    stack: list = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph()
    assert "motifnet.errors" in graph["motifnet.data.fasta"]
    # An import inside a function body counts as much as one at the top.
    assert "motifnet.model.build" in graph["motifnet.run.fit"]
    assert "motifnet.cli.training" in graph["motifnet.cli.main"]  # loaded by name


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_every_module_belongs_to_a_layer():
    assert set(filter(None, map(layer, modules()))) == set(LAYERS)


def test_no_upward_import():
    upward = []
    for name, targets in import_graph().items():
        source = layer(name)
        if source is None:
            continue
        for target in targets:
            if layer(target) is None:
                upward.append(f"{name} imports the package facade {target}")
            elif LAYERS.index(layer(target)) > LAYERS.index(source):
                upward.append(f"{name} ({source}) imports {target} ({layer(target)})")
    assert upward == []


def test_only_the_cli_layer_uses_click():
    users = [name for name, path in modules().items()
             if layer(name) not in ("cli", None) and "import click" in path.read_text(encoding="utf-8")]
    assert users == []


def test_public_api_is_importable_from_the_package():
    for name in motifnet.__all__:
        assert hasattr(motifnet, name), name


def test_the_command_line_starts_without_the_numerical_libraries():
    # The facade imports its names on first use, so `motifnet --help` (and Ctrl-C at start-up) does not wait
    # for numpy or TensorFlow; each command imports what it needs when it runs.
    code = "import sys, motifnet.cli.main; print(sorted({'numpy', 'tensorflow', 'keras'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert sorted(dir(motifnet)) == dir(motifnet) and set(motifnet.__all__) <= set(dir(motifnet))


def test_readme_describes_every_layer():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## How the code is organised"):]
    section = section[: section.index("\n## ", 1)]
    folders = {line.split("`")[1].rstrip("/") for line in section.splitlines() if line.startswith("| `")}
    subpackages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert folders == subpackages | {"motifnet/*.py"}
