"""bot/ has no import circle: every import counts, inside functions and TYPE_CHECKING too,
so none can be papered over."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "meetbridge")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """Project modules `path` imports (a `from package import name` counts name when it is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found & known


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}
    return {name: imported(path, name, set(paths)) - {name} for name, path in paths.items()}


def circles_through(graph: dict[str, set[str]], prefix: str) -> list[list[str]]:
    """Each import circle that passes through a module of `prefix`, as the path around it."""
    circles = []
    for start in sorted(m for m in graph if m == prefix or m.startswith(prefix + ".")):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            module, path = stack.pop()
            for target in sorted(graph[module]):
                if target == start:
                    circles.append([*path, start])
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
    return circles


def test_the_import_graph_is_read_whole():
    graph = import_graph()
    assert {"bot.card_publisher", "bot.card_store"} <= graph["bot.slack_app"] | graph["bot.card_publisher"]
    assert "meetbridge.storage.slack_cards" in graph["meetbridge.storage"]


def test_no_bot_module_imports_itself_back():
    assert circles_through(import_graph(), "bot") == []


def test_the_slack_side_reaches_storage_only_through_interfaces_passed_in():
    graph = import_graph()
    reaching = {module: sorted(target for target in targets if target.startswith("meetbridge.storage"))
                for module, targets in graph.items() if module.startswith("bot.")}
    assert {module: targets for module, targets in reaching.items() if targets} == {}


def test_the_domain_never_imports_the_slack_side():
    graph = import_graph()
    domain = [module for module in graph
              if module.startswith("meetbridge") and not module.startswith("meetbridge.storage")]
    assert {module: sorted(graph[module]) for module in domain if any(t.startswith("bot") for t in graph[module])} == {}
