"""The layout's rules, checked from the modules' own ASTs (nothing is imported):

* no import cycle among the project's modules (imports inside functions count:
  a cycle dodged by a late import is still a cycle);
* the pure core (``pipelines/extraction/``, ``newscrawl/items.py``,
  ``newscrawl/decoding.py``, the link finder) imports no Scrapy and no Twisted,
  directly or through any project module it imports (package ``__init__``
  files on the way included, as Python runs them);
* no module imports a private module or name of another package
  (``scrapy.utils._compression``, ``from x import _y``);
* only ``newscrawl/archive/store/s3.py`` imports boto3 (or botocore, s3transfer);
* only ``newscrawl/archive/`` imports warcio;
* README's layout section names every module of the tree.

Each rule is first shown to catch a made-up tree that breaks it, then applied
to the real one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PRODUCT = ("newscrawl", "pipelines")  # the packages that ship
CHECKED = (*PRODUCT, "tests", "benchmarks")  # whose imports the private-import rule reads
PURE_CORE = ("pipelines.extraction", "newscrawl.items", "newscrawl.decoding", "newscrawl.follow.links")
FRAMEWORKS = ("scrapy", "twisted")
S3_LIBRARIES = ("boto3", "botocore", "s3transfer")
S3_MODULE = "newscrawl.archive.store.s3"


@dataclass
class Import:
    target: str  # the module named, absolute (``a.b`` for ``from a import b`` when a.b is a module)
    names: tuple[str, ...]  # what ``from target import ...`` takes (empty for ``import target``)
    line: int


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    imports: list[Import] = field(default_factory=list)


def _in_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Every import statement, at any depth, except under ``if TYPE_CHECKING:`` (never run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _in_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def load_modules(root: Path, packages: tuple[str, ...]) -> dict[str, Module]:
    """The modules of ``packages`` under ``root`` with their imports, resolved to absolute names."""
    modules: dict[str, Module] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if any(part.startswith(".") or part == "node_modules" for part in path.relative_to(root).parts):
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            modules[".".join(parts)] = Module(".".join(parts), path, is_package)
    for module in modules.values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
        here = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
        for node in _import_nodes(tree):
            if isinstance(node, ast.Import):
                module.imports.extend(Import(alias.name, (), node.lineno) for alias in node.names)
                continue
            if node.level:
                base = here[:len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = tuple(alias.name for alias in node.names)
            module.imports.append(Import(target, names, node.lineno))
            # ``from package import submodule`` imports the submodule too.
            for name in names:
                if f"{target}.{name}" in modules:
                    module.imports.append(Import(f"{target}.{name}", (), node.lineno))
        module.imports.sort(key=lambda imp: imp.line)
    return modules


def project_edges(modules: dict[str, Module]) -> dict[str, set[str]]:
    return {name: {imp.target for imp in module.imports if imp.target in modules and imp.target != name}
            for name, module in modules.items()}


def import_cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    edges = project_edges(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))

    for name in sorted(modules):
        if name not in index:
            visit(name)
    return cycles


def _parents(name: str, modules: dict[str, Module]) -> list[str]:
    parts = name.split(".")
    return [p for p in (".".join(parts[:i]) for i in range(1, len(parts))) if p in modules]


def forbidden_reach(modules: dict[str, Module], roots: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """Each import of a ``forbidden`` package that importing ``roots`` runs, with the project path to it."""
    start = [n for n in modules if any(n == r or n.startswith(r + ".") for r in roots)]
    edges = project_edges(modules)
    via: dict[str, str | None] = {}
    queue: list[tuple[str, str | None]] = [(n, None) for n in start]
    while queue:
        name, parent = queue.pop(0)
        if name in via:
            continue
        via[name] = parent
        # Importing a.b.c runs a/__init__ and a/b/__init__ first.
        queue.extend((n, name) for n in sorted(edges[name]) + _parents(name, modules))
    found = []
    for name in sorted(via):
        for imp in modules[name].imports:
            if imp.target.split(".")[0] in forbidden:
                chain = [name]
                while via[chain[-1]] is not None:
                    chain.append(via[chain[-1]])
                found.append(f"{' <- '.join(chain)} imports {imp.target} (line {imp.line})")
    return found


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def private_imports(modules: dict[str, Module], own: tuple[str, ...]) -> list[str]:
    """Imports of another package's private module or name (a dotted part or a name starting with ``_``)."""
    found = []
    for name, module in sorted(modules.items()):
        for imp in module.imports:
            if not imp.target or imp.target.split(".")[0] in own:
                continue
            private = [p for p in imp.target.split(".") if _private(p)] + [n for n in imp.names if _private(n)]
            if private:
                what = imp.target + (f" import {', '.join(imp.names)}" if imp.names else "")
                found.append(f"{name} (line {imp.line}): {what}")
    return found


def importers_of(modules: dict[str, Module], libraries: tuple[str, ...]) -> set[str]:
    return {name for name, module in modules.items()
            if any(imp.target.split(".")[0] in libraries for imp in module.imports)}


# -- the checks catch what they claim to catch (made-up trees) -----------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_is_found_even_through_a_late_import_and_a_relative_one(tmp_path):
    root = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/mw.py": "def f():\n    from app.inc import X\n",
        "app/inc.py": "from .spiders.news import ROLE\n",
        "app/spiders/__init__.py": "",
        "app/spiders/news.py": "from app import mw\n",
        "app/leaf.py": "import json\n",
    })
    assert import_cycles(load_modules(root, ("app",))) == [["app.inc", "app.mw", "app.spiders.news"]]


def test_a_package_reexporting_its_submodules_is_no_cycle(tmp_path):
    root = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/reader/__init__.py": "from .records import read\nfrom .sources import Source\n",
        "app/reader/records.py": "from .sources import Source\n",
        "app/reader/sources.py": "import os\n",
        "app/replay.py": "from app.reader import read\n",
    })
    assert import_cycles(load_modules(root, ("app",))) == []


def test_a_framework_import_is_found_through_project_modules_and_package_inits(tmp_path):
    root = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/core/__init__.py": "from app.core.text import clean\n",
        "app/core/text.py": "from app.pages import decode\n",
        "app/pages.py": "def decode():\n    from scrapy.http import TextResponse\n",
        "app/follow/__init__.py": "import twisted.internet\n",
        "app/follow/links.py": "import re\n",
        "app/typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import scrapy\n",
    })
    modules = load_modules(root, ("app",))
    assert forbidden_reach(modules, ("app.core",), FRAMEWORKS) == [
        "app.pages <- app.core.text imports scrapy.http (line 2)"]
    assert forbidden_reach(modules, ("app.follow.links",), FRAMEWORKS) == [
        "app.follow <- app.follow.links imports twisted.internet (line 1)"]
    assert forbidden_reach(modules, ("app.typed",), FRAMEWORKS) == []


def test_private_modules_and_names_of_other_packages_are_found(tmp_path):
    root = _tree(tmp_path, {
        "app/__init__.py": "from __future__ import annotations\n",
        "app/a.py": "def f():\n    from scrapy.utils._compression import _inflate\n",
        "app/b.py": "from scrapy.utils import _compression\nimport _thread\n",
        "app/c.py": "from app.d import _helper\nfrom . import _own\nimport os.path\n",
        "app/d.py": "_helper = 1\n",
        "app/_own.py": "",
    })
    assert private_imports(load_modules(root, ("app",)), ("app",)) == [
        "app.a (line 2): scrapy.utils._compression import _inflate",
        "app.b (line 1): scrapy.utils import _compression",
        "app.b (line 2): _thread",
    ]


def test_boto3_importers_are_found_wherever_and_however_they_import_it(tmp_path):
    root = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/store/s3.py": "import boto3\n",
        "app/reader.py": "def client():\n    from botocore.config import Config\n",
        "app/other.py": "import json\n",
    })
    assert importers_of(load_modules(root, ("app",)), S3_LIBRARIES) == {"app.store.s3", "app.reader"}


# -- the rules hold for the real tree ----------------------------------------


@pytest.fixture(scope="module")
def product() -> dict[str, Module]:
    return load_modules(REPO, PRODUCT)


def test_the_pure_core_modules_exist(product):
    for name in PURE_CORE:
        assert name in product, f"{name} is named as pure core but is not in the tree"


def test_no_import_cycle_among_the_project_modules(product):
    assert import_cycles(product) == []


def test_the_pure_core_imports_no_scrapy_or_twisted(product):
    assert forbidden_reach(product, PURE_CORE, FRAMEWORKS) == []


def test_no_module_imports_a_private_module_of_another_package():
    modules = load_modules(REPO, CHECKED)
    assert private_imports(modules, CHECKED) == []


def test_only_the_s3_store_imports_boto3(product):
    assert importers_of(product, S3_LIBRARIES) == {S3_MODULE}


def test_the_readmes_layout_section_names_every_module():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## Layout")
    block = text[text.index("```", start) + 3:text.index("```", text.index("```", start) + 3)]
    words = set(block.replace("/", " ").replace(",", " ").replace("(", " ").replace(")", " ").split())
    missing = []
    for path in sorted((*(REPO / "newscrawl").rglob("*.py"), *(REPO / "pipelines").rglob("*.py"))):
        if path.stem in ("__init__", "__main__"):
            name = path.parent.name
            if not ({name, name + "/"} & words):
                missing.append(str(path.parent.relative_to(REPO)))
        elif not ({path.stem, path.name} & words):
            missing.append(str(path.relative_to(REPO)))
    assert missing == []


def test_only_the_archive_package_touches_warcio(product):
    outside = sorted(m for m in importers_of(product, ("warcio",)) if not m.startswith("newscrawl.archive."))
    assert outside == []
