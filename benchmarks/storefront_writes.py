"""A background write stream for the storefront benchmark: completed checkouts and price
changes on random products, through the same services buyers and sellers use.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/storefront_writes.py \\
        [--checkouts-per-second 5] [--price-changes-per-second 1] [--seed 11]

Prepares first (an owner for the sellers of 200 random offers, whose prices it will change; that
is a catalogue write like any other), prints ``READY``, then writes at the given rates until
SIGTERM or SIGINT, and prints what it did as one ``WRITES …`` line. ``storefront.py --writes``
starts and stops it around its ``cached+writes`` run."""

import argparse
import concurrent.futures
import os
import random
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts-per-second", type=float, default=5)
    parser.add_argument("--price-changes-per-second", type=float, default=1)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    # Anonymous buyers check out many times a day here; the daily cash-on-delivery limits
    # (marketplace/payments/cod.py) would refuse them after a few.
    os.environ["ORDERS_ANONYMOUS_COD_PER_DAY"] = str(10**9)
    os.environ["ORDERS_ANONYMOUS_COD_MAX_TOTAL"] = str(10**15)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from core.models import Province
    from marketplace.offers.models import Offer
    from marketplace.offers.selectors import offers_visible
    from sellers.models import Membership

    rng = random.Random(args.seed)
    visible = list(offers_visible().filter(stocks__quantity__gt=0).values_list("pk", flat=True))
    rng.shuffle(visible)
    to_buy = visible[:2000]
    to_price = list(Offer.objects.filter(pk__in=visible[:200]).select_related("seller"))
    users = get_user_model().objects
    owners = {}
    for offer in to_price:
        if offer.seller_id not in owners:
            user, _ = users.get_or_create(username=f"bench-owner-{offer.seller_id}")
            Membership.objects.get_or_create(
                user=user, business=offer.seller, defaults={"role": "owner"}
            )
            owners[offer.seller_id] = user
    hanoi = Province.objects.get(code="01")
    connections.close_all()

    stop = threading.Event()
    counts = {"checkouts": 0, "refused": 0, "price_changes": 0, "skipped": 0, "errors": 0}
    lock = threading.Lock()

    def closing(action) -> None:
        try:
            action()
        except Exception:
            with lock:
                counts["errors"] += 1
                first = counts["errors"] == 1
            if first:
                traceback.print_exc()
        finally:
            connections.close_all()  # each call runs on a pool thread with its own connection

    def paced(rate: float, action) -> None:
        """Start ``action`` ``rate`` times a second, up to 8 at once: a slow call (a loaded
        machine) does not lower the rate; a start skipped because 8 are running is counted."""
        interval, next_at = 1 / rate, time.monotonic()
        running: list[concurrent.futures.Future] = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            while not stop.is_set():
                running = [future for future in running if not future.done()]
                if len(running) < 8:
                    running.append(pool.submit(closing, action))
                else:
                    with lock:
                        counts["skipped"] += 1
                next_at += interval
                stop.wait(max(0.0, next_at - time.monotonic()))

    def checkout() -> None:
        from marketplace.orders.errors import CheckoutError
        from marketplace.orders.models import Cart
        from marketplace.orders.services import (
            cart_line_add,
            checkout_address_set,
            checkout_contact_set,
        )
        from marketplace.payments.services import checkout_payment_start

        offer = Offer.objects.get(pk=rng.choice(to_buy))
        try:
            cart = Cart.objects.create()
            cart_line_add(cart=cart, offer=offer, quantity=1)
            checkout_contact_set(
                cart=cart, email=f"buyer{rng.randrange(10**9)}@example.vn", phone="0912345678"
            )
            checkout_address_set(
                cart=cart,
                recipient_name="Nguyễn Thị Lan",
                province=hanoi,
                commune="Phường Ba Đình",
                street="12 Phố Đội Cấn",
            )
            checkout_payment_start(cart=cart, method="cod")
        except CheckoutError:
            with lock:
                counts["refused"] += 1
            return
        with lock:
            counts["checkouts"] += 1

    def price_change() -> None:
        from marketplace.offers.services import offer_update

        offer = rng.choice(to_price)
        offer_update(
            actor=owners[offer.seller_id], offer=offer, price=rng.randrange(50, 500) * 1_000
        )
        with lock:
            counts["price_changes"] += 1

    def finish(*_args) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    threads = [
        threading.Thread(target=paced, args=(args.checkouts_per_second, checkout)),
        threading.Thread(target=paced, args=(args.price_changes_per_second, price_change)),
    ]
    started = time.monotonic()
    print("READY", flush=True)
    for thread in threads:
        thread.start()
    while not stop.is_set():
        stop.wait(0.5)
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    print(
        f"WRITES seconds={seconds:.1f} checkouts={counts['checkouts']} "
        f"refused={counts['refused']} price_changes={counts['price_changes']} "
        f"skipped={counts['skipped']} errors={counts['errors']} "
        f"checkouts_per_s={counts['checkouts'] / seconds:.2f} "
        f"price_changes_per_s={counts['price_changes'] / seconds:.2f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
