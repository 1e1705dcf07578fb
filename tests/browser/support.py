"""What every page visited in the browser suite must satisfy, looked at as a person would:
no console error, no failed request, no horizontal scroll on a 390 px phone, and no serious or
critical accessibility violation (axe-core, vendored in ``assets/``). A failure saves a
screenshot and the page's HTML and says where."""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

AXE = Path(__file__).parent / "assets" / "axe.min.js"
AXE_IMPACTS = {"serious", "critical"}


@dataclass
class BrowserChecks:
    context: object
    site: str
    phone: bool
    artifacts: Path
    name: str
    problems: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.page = self.new_page()

    def new_page(self):
        page = self.context.new_page()
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: self._failed(req))
        page.on("response", lambda resp: self._response(resp))
        return page

    def _console(self, page, message):
        if message.type == "error":
            self.problems.append(f"console error on {page.url}: {message.text}")

    def _failed(self, request):
        # A navigation the test itself started and replaced is not a broken page.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400 and response.url.startswith(self.site):
            self.problems.append(f"HTTP {response.status}: {response.url}")

    # --- navigation --------------------------------------------------------------------------

    def goto(self, path: str, page=None):
        page = page or self.page
        response = page.goto(path)
        self.check(page)
        return response

    def check(self, page=None) -> None:
        """The page as it stands now passes every check; else save it and fail."""
        page = page or self.page
        page.wait_for_load_state("load")
        problems = list(self.problems)
        self.problems.clear()
        if self.phone:
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if widths[0] > widths[1]:
                wide = page.evaluate(_WIDEST_JS)
                problems.append(
                    f"horizontal scroll at {widths[1]} px: page is {widths[0]} px wide ({wide})"
                )
        problems.extend(self._axe(page))
        if problems:
            self.fail(page, problems)

    def _axe(self, page) -> list[str]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the site's Content-Security-Policy
            # (script-src 'self') rightly does not allow a <script> tag to do.
            page.evaluate(_axe_source())
        results = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
        )
        return [
            f"axe {v['impact']}: {v['id']} — {v['help']} at {', '.join(v['nodes'])}"
            for v in results
            if v["impact"] in AXE_IMPACTS
        ]

    def fail(self, page, problems: list[str]):
        import pytest

        self.artifacts.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", self.name)[:120]
        screenshot = self.artifacts / f"{stem}.png"
        html = self.artifacts / f"{stem}.html"
        page.screenshot(path=str(screenshot), full_page=True)
        html.write_text(page.content(), encoding="utf-8")
        listing = "\n  ".join(problems)
        pytest.fail(
            f"{page.url}:\n  {listing}\nscreenshot: {screenshot}\nHTML: {html}", pytrace=False
        )

    def image_loaded(self, selector: str, page=None) -> bool:
        page = page or self.page
        return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;void 0"


_WIDEST_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .slice(0, 3)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
  return wide.join(', ');
}"""


def pickup_order_place(visit, *, email: str):
    """On the checkout page, a pickup place already chosen: fill in the buyer (no address for a
    pickup), pay on delivery, place the order; the order placed. The phone number is the
    e-mail's own: anonymous cash on delivery is capped at 3 orders a day per phone or e-mail
    (``payments.cod``), and orders placed by earlier tests of the same worker count."""
    from marketplace.orders.models import Order

    page = visit.page
    page.fill("#id_email", email)
    page.fill("#id_phone", f"091{zlib.crc32(email.encode()) % 10**7:07d}")
    page.fill("#id_recipient_name", "Trần Văn Nam")
    page.check("input[name=payment_method][value=cod]")
    page.locator("form.checkout-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/don-hang/xac-nhan/"))
    visit.check()
    return Order.objects.get(email=email)
