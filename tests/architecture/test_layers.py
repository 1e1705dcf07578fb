"""The package dependency direction of ARCHITECTURE.md, enforced.

    api → search → traceability → marketplace → catalog → sellers → core

and inside marketplace ``storefront → payments → orders → ledger → offers`` (the project
modules at marketplace's top — settings, URLconf, WSGI — name packages by dotted path only, as
Django does). A module may import its own layer and the layers below it, never one above: every
``import`` in the module counts, inside functions and ``TYPE_CHECKING`` blocks too. ``api``, the
root GraphQL schema and its endpoint, is the one package allowed to import everything, and
nothing imports it.

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
    "marketplace.ledger",
    "marketplace.orders",
    "marketplace.payments",
    "marketplace.storefront",
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
    "admin/catalog/": "catalog",
    "includes/product_card.html": "catalog",
    "includes/stars.html": "core",
    "includes/demo_badge.html": "core",
    "includes/pagination.html": "core",
    "includes/messages.html": "core",
    "includes/language_switch.html": "core",
    "workspace/offers/": "marketplace.offers",
    "ledger/": "marketplace.ledger",
    "orders/": "marketplace.orders",
    "payments/": "marketplace.payments",
    "storefront/": "marketplace.storefront",
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
    "ledger_workspace": "marketplace.ledger",
    "orders": "marketplace.orders",
    "orders_workspace": "marketplace.orders",
    "payments": "marketplace.payments",
    "storefront": "marketplace.storefront",
    "traceability": "traceability",
    "traceability_workspace": "traceability",
    "search": "search",
    "admin": "site",
}
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
