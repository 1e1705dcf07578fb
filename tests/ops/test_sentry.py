"""sentry-sdk reports errors only when SENTRY_DSN is set; otherwise it is never initialised."""

import sentry_sdk

from tests.ops.test_settings import REAL_KEY, production, run

SHOW = (
    "import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
    "print(c.is_active(), c.options.get('environment'), c.options.get('send_default_pii'), "
    "c.options.get('traces_sample_rate'), c.dsn)"
)
# An address nothing listens on: nothing is sent (no error happens), and nothing could be.
DSN = "https://0123456789abcdef@127.0.0.1:9/42"


def test_not_initialised_without_a_dsn():
    assert sentry_sdk.get_client().is_active() is False  # this test process
    shown = run(["-c", SHOW], **production(SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="ocop.example.vn"))
    assert shown.stdout.split()[0] == "False", shown.stderr


def test_initialised_with_a_dsn_without_personal_data():
    shown = run(
        ["-c", SHOW],
        **production(
            SECRET_KEY=REAL_KEY,
            ALLOWED_HOSTS="ocop.example.vn",
            SENTRY_DSN=DSN,
            SENTRY_TRACES_SAMPLE_RATE="0.1",
        ),
    )
    assert shown.stdout.split() == ["True", "production", "False", "0.1", DSN], shown.stderr
