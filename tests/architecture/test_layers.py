"""The package dependency direction of ARCHITECTURE.md, enforced.

    api → search → traceability → marketplace → catalog → sellers → core

and inside marketplace ``storefront → payments → orders → ledger → places → offers`` (the project
modules at marketplace's top — settings, URLconf, WSGI — name packages by dotted path only, as
Django does). A module may import its own layer and the layers below it, never one above: every
``import`` in the module counts, inside functions and ``TYPE_CHECKING`` blocks too. ``api``, the
root GraphQL schema and its endpoint, is the one package allowed to import everything, and
nothing imports it.

Inside a layer there is no cycle either: no two modules import each other, directly or round a
longer loop, not even through an import hidden inside a function (the old orders.selectors ⇄
orders.services pair), and no module imports another module's private (``_``) names: a helper
two modules need is public in the one that owns it.

Templates (``{% url %}``) and code (``reverse``, ``redirect``) follow the same rule for the
routes they name: a package's page may not link to the route of a package above it. It gets such a link through a registration
(``sellers.workspace``), a method of the higher package's model (``Order.get_workspace_url``)
or a route of its own.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module belongs to the longest entry its dotted name starts with.
LAYERS = [
    "core",
    "sellers",
    "catalog",
    "marketplace.offers",
    "marketplace.places",
    "marketplace.ledger",
    "marketplace.orders",
    "marketplace.payments",
    "marketplace.storefront",
    "marketplace.fairs",
    "marketplace",
    "traceability",
    "search",
    "api",
]
PACKAGES = sorted({layer.split(".")[0] for layer in LAYERS})

# Who owns a template, by path prefix (longest wins). Site chrome every page extends — the
# page frame, the header, the error pages — is the project's, like the root URLconf: it may
# link to any route.
TEMPLATE_OWNERS = {
    "account/": "sellers",
    "sellers/": "sellers",
    "workspace/sellers/": "sellers",
    "workspace/_nav.html": "sellers",
    "workspace/base.html": "sellers",
    "catalog/": "catalog",
    "admin/base_site.html": "core",
    "core/": "core",
    "admin/catalog/": "catalog",
    "includes/product_card.html": "catalog",
    "includes/stars.html": "core",
    "includes/demo_badge.html": "core",
    "includes/illustration_badge.html": "core",
    "includes/pagination.html": "core",
    "includes/messages.html": "core",
    "includes/language_switch.html": "core",
    "graphene/graphiql.html": "core",
    "workspace/offers/": "marketplace.offers",
    "places/": "marketplace.places",
    "workspace/places/": "marketplace.places",
    "ledger/": "marketplace.ledger",
    "orders/": "marketplace.orders",
    "payments/": "marketplace.payments",
    "storefront/": "marketplace.storefront",
    "fairs/": "marketplace.fairs",
    "workspace/fairs/": "marketplace.fairs",
    "traceability/": "traceability",
    "admin/traceability/": "traceability",
    "search/": "search",
    "base.html": "site",
    "404.html": "site",
    "500.html": "site",
    "includes/site_header.html": "site",
}
# URL namespaces and the package whose URLconf declares them.
NAMESPACES = {
    "account": "sellers",
    "seller": "sellers",
    "sellers": "sellers",
    "catalog": "catalog",
    "offers": "marketplace.offers",
    "places": "marketplace.places",
    "places_workspace": "marketplace.places",
    "ledger_workspace": "marketplace.ledger",
    "orders": "marketplace.orders",
    "orders_workspace": "marketplace.orders",
    "payments": "marketplace.payments",
    "storefront": "marketplace.storefront",
    "fairs": "marketplace.fairs",
    "fairs_workspace": "marketplace.fairs",
    "fairs_organiser": "marketplace.fairs",
    "traceability": "traceability",
    "traceability_workspace": "traceability",
    "search": "search",
    "admin": "site",
}
TEMPLATE_TAG = re.compile(
    r"""\{%\s*(?:include|extends)\s+['"](?P<name>[\w/.-]+\.(?:html|txt))['"]"""
)
TEMPLATE_NAME = re.compile(r"""['"](?P<name>[\w/-]+/[\w.-]+\.(?:html|txt))['"]""")
URL_TAG = re.compile(r"""\{%\s*url\s+['"](?P<namespace>[\w-]+):[\w-]+['"]""")
URL_CALL = re.compile(
    r"""\b(?:reverse|reverse_lazy|redirect)\(\s*f?['"](?P<namespace>[\w-]+):[\w{}-]+['"]"""
)


def layer_of(module: str) -> str:
    matches = [layer for layer in LAYERS if module == layer or module.startswith(layer + ".")]
    return max(matches, key=len)


def rank(layer: str) -> int:
    return LAYERS.index(layer)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if ".venv" not in path.parts
    )


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a project package in the file, wherever it is."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            # ``from marketplace import orders`` imports marketplace.orders, not the project.
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] in PACKAGES]
    return found


def test_the_chain_covers_every_package():
    on_disk = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists() or p.name == "api"}
    assert on_disk - {"tests", "benchmarks"} <= set(PACKAGES)
    assert len(project_modules()) > 150


def test_no_module_imports_a_package_above_its_own():
    wrong = []
    for path in project_modules():
        module = module_name(path)
        own = rank(layer_of(module))
        for line, imported in imported_modules(path):
            if rank(layer_of(imported)) > own:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert wrong == []


def module_graph() -> dict[str, set[str]]:
    """Each project module → the project modules it imports (anywhere in the file)."""
    modules = {module_name(path): path for path in project_modules()}
    graph = {}
    for module, path in modules.items():
        targets = set()
        for _line, imported in imported_modules(path):
            # ``from a.b import name`` names a module a.b.name or something defined in a.b.
            parts = imported.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts and ".".join(parts) != module:
                targets.add(".".join(parts))
        graph[module] = targets
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_no_import_cycle_between_modules():
    assert import_cycles(module_graph()) == []


def test_no_module_imports_another_modules_private_names():
    wrong = []
    for path in project_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level:
                continue
            if (node.module or "").split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name}")
    assert wrong == []


def template_owner(name: str) -> str | None:
    """The package that owns a template of templates/, or None for one it does not hold
    (Django's admin)."""
    if not (ROOT / "templates" / name).is_file():
        return None
    owners = [prefix for prefix in TEMPLATE_OWNERS if name.startswith(prefix)]
    return TEMPLATE_OWNERS[max(owners, key=len)] if owners else None


def test_templates_include_only_templates_of_their_own_package_or_below():
    """A page that includes or extends a higher package's template depends on it as surely as
    an import: the higher package passes the template's name in (``payment_panel``)."""
    templates = ROOT / "templates"
    wrong = []
    for path in sorted(templates.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(templates).as_posix()
        owner = template_owner(name)
        if owner in (None, "site"):
            continue
        for match in TEMPLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            target = template_owner(match["name"])
            if target not in (None, "site") and rank(target) > rank(owner):
                wrong.append(f"templates/{name} uses {match['name']}")
    assert wrong == []


def test_code_renders_only_templates_of_its_own_package_or_below():
    wrong = []
    for path in project_modules():
        own = layer_of(module_name(path))
        for match in TEMPLATE_NAME.finditer(path.read_text(encoding="utf-8")):
            target = template_owner(match["name"])
            if target not in (None, "site") and rank(target) > rank(own):
                wrong.append(f"{path.relative_to(ROOT)} names {match['name']}")
    assert wrong == []


def test_templates_link_only_to_routes_of_their_own_package_or_below():
    templates = ROOT / "templates"
    wrong, unowned = [], []
    for path in sorted(templates.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(templates).as_posix()
        owners = [prefix for prefix in TEMPLATE_OWNERS if name.startswith(prefix)]
        if not owners:
            unowned.append(name)
            continue
        owner = TEMPLATE_OWNERS[max(owners, key=len)]
        if owner == "site":
            continue
        for match in URL_TAG.finditer(path.read_text(encoding="utf-8")):
            target = NAMESPACES[match["namespace"]]
            if target != "site" and rank(target) > rank(owner):
                wrong.append(f"templates/{name} links to {match[0]}")
    assert unowned == []
    assert wrong == []


def test_code_reverses_only_routes_of_its_own_package_or_below():
    wrong = []
    for path in project_modules():
        own = layer_of(module_name(path))
        for match in URL_CALL.finditer(path.read_text(encoding="utf-8")):
            target = NAMESPACES[match["namespace"]]
            if target != "site" and rank(target) > rank(own):
                wrong.append(f"{path.relative_to(ROOT)} reverses {match[0]}")
    assert wrong == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import traceability.models\n", ["traceability.models"]),
        ("def f():\n    from marketplace import orders\n", ["marketplace.orders"]),
        ("from . import views\n", ["catalog.views"]),
        ("import json\nfrom django.db import models\n", []),
    ],
)
def test_imports_are_found_wherever_they_are(tmp_path, monkeypatch, source, expected):
    package = tmp_path / "catalog"
    package.mkdir()
    module = package / "probe.py"
    module.write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert [name for _line, name in imported_modules(module)] == expected


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path, monkeypatch):
    package = tmp_path / "marketplace" / "orders"
    package.mkdir(parents=True)
    (tmp_path / "marketplace" / "__init__.py").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "selectors.py").write_text(
        "def f():\n    from marketplace.orders.services import _helper\n", encoding="utf-8"
    )
    (package / "services.py").write_text(
        "from marketplace.orders.selectors import f\n", encoding="utf-8"
    )
    (package / "views.py").write_text("from marketplace.orders import services\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    monkeypatch.setattr(f"{__name__}.PACKAGES", ["marketplace"])
    assert import_cycles(module_graph()) == [
        ["marketplace.orders.selectors", "marketplace.orders.services"]
    ]
