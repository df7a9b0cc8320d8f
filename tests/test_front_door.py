"""The bot and the command line reach the core only through ``KnowledgeBase``'s public methods.

So that a rule (privacy, history, quote checks) cannot differ by entrance, the
stores, the database and the matcher stay behind the knowledge base: the
entrances may import the front door (``knowledge.__all__``), the models, errors
and settings, and pure helpers, and may call only public methods on a
knowledge base (``kb.method(…)``, never an attribute of one).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

import knowledge
from knowledge import KnowledgeBase
from tests.conftest import PROJECT_ROOT

ENTRANCES = [PROJECT_ROOT / "run_bot.py", *sorted((PROJECT_ROOT / "bot").rglob("*.py"))]
ENTRANCES += sorted((PROJECT_ROOT / "cli").rglob("*.py"))

ANY = None
OPEN_MODULES: dict[str, set[str] | None] = {
    "knowledge": set(knowledge.__all__),
    "knowledge.models": ANY,
    "knowledge.errors": ANY,
    "knowledge.settings": ANY,
    "knowledge.text": ANY,
    "knowledge.conversation": {"friendly_reply"},
    "knowledge.documents": ANY,
    "knowledge.curated": {"facts_toml"},
}
"""What an entrance may import from the core: the front door, the models, errors and
settings, and helpers that only format text or read documents (never a store)."""

PUBLIC_METHODS = {
    name
    for name, member in inspect.getmembers(KnowledgeBase)
    if not name.startswith("_") and callable(member)
}


def private_parts() -> set[str]:
    """The attributes ``KnowledgeBase.__init__`` keeps: its stores, database and matcher."""
    tree = ast.parse(inspect.getsource(KnowledgeBase.__init__).strip())
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and isinstance(node.ctx, ast.Store)
    }


def knowledge_base_names(tree: ast.AST) -> set[str]:
    """Names that hold a knowledge base: ``kb`` by convention, and any parameter
    annotated ``KnowledgeBase``."""
    annotated = {
        node.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.arg)
        and node.annotation is not None
        and ast.unparse(node.annotation).endswith("KnowledgeBase")
    }
    return {"kb"} | annotated


def violations(source: str) -> Iterator[str]:
    """Every way ``source`` reaches past the front door, one line each."""
    tree = ast.parse(source)
    kb_names = knowledge_base_names(tree)
    hidden = private_parts()
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "knowledge":
            module = node.module or ""
            if module not in OPEN_MODULES:
                yield f"line {node.lineno}: imports from {module}"
                continue
            allowed = OPEN_MODULES[module]
            for alias in node.names:
                if allowed is not ANY and alias.name not in allowed:
                    yield f"line {node.lineno}: imports {alias.name} from {module}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("knowledge") and alias.name not in OPEN_MODULES:
                    yield f"line {node.lineno}: imports {alias.name}"
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in kb_names:
                if node.attr not in PUBLIC_METHODS or id(node) not in called:
                    yield f"line {node.lineno}: {node.value.id}.{node.attr} is no method call"
            elif node.attr in hidden:
                yield f"line {node.lineno}: reaches .{node.attr}"


@pytest.mark.parametrize("path", ENTRANCES, ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_an_entrance_uses_only_the_knowledge_bases_public_methods(path: Path) -> None:
    assert list(violations(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(
    "source",
    [
        "from knowledge.facts import FactStore",
        "from knowledge.base import KnowledgeBase",
        "import knowledge.unanswered",
        "from knowledge.curated import load_curated",
        "kb.db.close()",
        "lambda kb: kb.unanswered.entries()",
        "lambda kb: kb.facts.sources()",
        "def read(base: KnowledgeBase):\n    return base._facts.sources()",
        "worker.knowledge._kb._proposals.pending()",
    ],
)
def test_the_check_catches_a_reach_past_the_front_door(source: str) -> None:
    assert list(violations(source))


def test_the_front_door_exports_what_it_names() -> None:
    assert all(hasattr(knowledge, name) for name in knowledge.__all__)
    assert {"_db", "_facts", "_unanswered", "_proposals", "_events", "_matcher"} <= private_parts()


@pytest.mark.parametrize("name", sorted(PUBLIC_METHODS))
def test_every_public_method_says_what_it_does(name: str) -> None:
    assert inspect.getdoc(getattr(KnowledgeBase, name))


def test_the_command_line_imports_the_bot_only_to_start_or_check_it() -> None:
    """The core's settings are read from ``knowledge.settings``; ``bot/`` is for running
    the bot (``serve.py``) and for checking its set-up (``doctor.py``)."""
    found = []
    for path in sorted((PROJECT_ROOT / "cli").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        starts = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name == "_run_discord_bot"
            for inner in ast.walk(node)
        }
        found += [
            f"{path.name}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[0] == "bot"
            and path.name not in ("serve.py", "doctor.py")
            and id(node) not in starts
        ]
    assert found == []
