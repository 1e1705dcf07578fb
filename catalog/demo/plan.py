"""Reading the 2017 plan's files into a ``DemoPlan``: producers (matched across files) and
their products, before anything is written."""

from dataclasses import dataclass
from pathlib import Path

from catalog.demo.vocabulary import (
    CHAIN_PRODUCTS_FILE,
    LEGACY_DISTRICT_TYPES,
    PRODUCT_TABLE_FILE,
    VALUE_CHAINS_FILE,
    ProductSpec,
    ProductTable,
    csv_rows,
    list_split,
    packs_parse,
    producer_key,
    product_set_guess,
    product_table_read,
)
from core.text import fold

# ---------------------------------------------------------------------------------------------
# Reading the files


@dataclass
class ProducerRow:
    key: str
    name: str
    district: str = ""


@dataclass(frozen=True)
class ProductRow:
    producer_key: str
    chain: str
    form: str
    district: str
    spec: ProductSpec


@dataclass
class DemoPlan:
    producers: dict[str, ProducerRow]
    products: list[ProductRow]
    skipped_chains: list[str]


def _district_in(name: str) -> str:
    """A 2017 district named inside a producer's name ("HTX Dược liệu xanh Đông Triều")."""
    folded = fold(name)
    found = [d for d in LEGACY_DISTRICT_TYPES if fold(d) in folded]
    return found[0] if len(found) == 1 else ""


def _product_spec(table: ProductTable, chain: str, form: str, district: str) -> ProductSpec:
    spec = table.district.get((fold(chain), fold(form)))
    if spec is not None:
        return spec
    # A form the table does not know (a re-typed or extended CSV): name it after the form and the
    # place, and let the keywords choose the set.
    name = form if not district or fold(district) in fold(form) else f"{form} {district}"
    return ProductSpec(name, product_set_guess(f"{form} {chain}"), packs_parse("Gói 500 g|500|g"))


def demo_plan(
    *,
    chain_products: Path = CHAIN_PRODUCTS_FILE,
    value_chains: Path = VALUE_CHAINS_FILE,
    product_table: Path = PRODUCT_TABLE_FILE,
) -> DemoPlan:
    """Producers and products the files yield (no database access)."""
    table = product_table_read(path=product_table)
    producers: dict[str, ProducerRow] = {}
    products: list[ProductRow] = []
    skipped: list[str] = []

    def producer(name: str, district: str) -> str:
        key = producer_key(name)
        row = producers.get(key)
        if row is None:
            # The first spelling met wins: the district file, read first, spells names in full.
            row = producers[key] = ProducerRow(key=key, name=name)
        if not row.district:
            row.district = district or _district_in(name)
        return key

    for row in csv_rows(chain_products):
        district = row["legacy_district"]
        names = list_split(row["producers"])
        if not names:
            # No producer named: a product needs a holder, and inventing one would put a fake
            # business beside real ones, so the chain is left out of the demo.
            skipped.append(row["chain"])
            continue
        for name in names:
            key = producer(name, district)
            for form in list_split(row["product_forms"]):
                spec = _product_spec(table, row["chain"], form, district)
                products.append(ProductRow(key, row["chain"], form, district, spec))

    value_rows = csv_rows(value_chains)
    for row in value_rows:
        for name in list_split(row["organisations"]):
            producer(name, "")
    for item in table.value_chain:
        key = producer_key(item.organisation)
        listed = any(
            fold(r["chain"]) == fold(item.chain)
            and fold(item.form) in {fold(f) for f in list_split(r["product_forms"])}
            and key in {producer_key(o) for o in list_split(r["organisations"])}
            for r in value_rows
        )
        if not listed:
            raise ValueError(
                f"{product_table.name}: {item.chain} / {item.form} / {item.organisation} "
                f"is not a row of {value_chains.name}"
            )
        district = producers[key].district
        products.append(ProductRow(key, item.chain, item.form, district, item.spec))

    # One product per (holder, name): the two files repeat chains.
    unique: dict[tuple[str, str], ProductRow] = {}
    for product in products:
        unique.setdefault((product.producer_key, product.spec.name), product)
    return DemoPlan(producers=producers, products=list(unique.values()), skipped_chains=skipped)
