"""Benchmark: concurrent two-seller checkouts against PostgreSQL, and no unit oversold.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/checkout.py [--buyers 16] [--checkouts 25] [--stock 300]

Creates a throwaway ``test_…`` database, seeds two active sellers (a honey cooperative and a tea
cooperative) with one certified product each and ``--stock`` units, then runs ``--buyers``
threads, each with its own connection, doing ``--checkouts`` complete checkouts through the same
services the checkout page calls: create a cart, add one honey and one tea, set contact and
address, ``checkout_payment_start`` with cash on delivery (reserve with rows locked in id order,
then place one order per seller). More checkouts are attempted than there are units, so the last
buyers race for the last jars and must be refused as sold out.

Prints completed checkouts per second, p50/p95/p99 latency of a whole checkout, refusals, and
the oversell check: units sold == stock taken, no stock row below zero. Run and reported, never
asserted (not under tests/).
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--checkouts", type=int, default=25, help="per buyer")
    parser.add_argument("--stock", type=int, default=300, help="units of each product")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server: the race needs real row locks.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    # Each buyer checks out many times without an account: the daily cash-on-delivery limits
    # (marketplace/payments/cod.py) would refuse them after a few; this measures the locking.
    os.environ["ORDERS_ANONYMOUS_COD_PER_DAY"] = str(10**9)
    os.environ["ORDERS_ANONYMOUS_COD_MAX_TOTAL"] = str(10**15)

    import django

    django.setup()
    from django.db import connection, connections

    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args, connections)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def run(args, connections) -> None:
    from django.db.models import Sum

    from marketplace.offers.models import Stock
    from marketplace.orders.errors import CheckoutError
    from marketplace.orders.models import Cart, Order, OrderLine
    from marketplace.orders.services import (
        cart_line_add,
        checkout_address_set,
        checkout_contact_set,
    )
    from marketplace.payments.services import checkout_payment_start
    from sellers.models import SellerStatus
    from tests.factories import BusinessFactory, StockFactory, province, selling_product

    honey_holder = BusinessFactory(status=SellerStatus.ACTIVE, name="HTX Mật ong Bình Liêu")
    tea_holder = BusinessFactory(status=SellerStatus.ACTIVE, name="HTX Chè Đường Hoa")
    _p, _c, (honey,) = selling_product(holder=honey_holder, name="Mật ong Bình Liêu")
    _p, _c, (tea,) = selling_product(holder=tea_holder, name="Chè Đường Hoa")
    StockFactory(offer=honey, quantity=args.stock)
    StockFactory(offer=tea, quantity=args.stock)
    hanoi = province("01")
    connections.close_all()

    latencies: list[float] = []
    refused = {"n": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(args.buyers)

    def buyer(n: int) -> None:
        barrier.wait()
        for _ in range(args.checkouts):
            started = time.perf_counter()
            try:
                cart = Cart.objects.create()
                cart_line_add(cart=cart, offer=honey, quantity=1)
                cart_line_add(cart=cart, offer=tea, quantity=1)
                checkout_contact_set(cart=cart, email=f"buyer{n}@example.vn", phone="0912345678")
                checkout_address_set(
                    cart=cart,
                    recipient_name="Nguyễn Thị Lan",
                    province=hanoi,
                    commune="Phường Ba Đình",
                    street="12 Phố Đội Cấn",
                )
                checkout_payment_start(cart=cart, method="cod")
            except CheckoutError as exc:
                assert exc.code == "SOLD_OUT", exc.code
                with lock:
                    refused["n"] += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
        connections.close_all()

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(args.buyers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    completed = len(latencies)
    sold = OrderLine.objects.aggregate(n=Sum("quantity"))["n"] or 0
    left = Stock.objects.aggregate(n=Sum("quantity"))["n"] or 0
    negative = Stock.objects.filter(quantity__lt=0).count()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(f"buyers (threads)          {args.buyers}")
    print(f"checkouts attempted       {args.buyers * args.checkouts}")
    print(f"completed checkouts       {completed}  ({Order.objects.count()} seller orders)")
    print(f"refused as sold out       {refused['n']}")
    print(f"elapsed                   {elapsed:.2f} s")
    print(f"completed checkouts/s     {completed / elapsed:.1f}")
    p50, p95, p99 = (cuts[i] * 1000 for i in (49, 94, 98))
    print(f"latency p50 / p95 / p99   {p50:.0f} / {p95:.0f} / {p99:.0f} ms")
    print(f"units sold / stock taken  {sold} / {2 * args.stock - left}")
    oversold = max(0, sold - 2 * args.stock)
    print(f"oversold units            {oversold}; stock rows below zero: {negative}")


if __name__ == "__main__":
    main()
