"""Seed lab: the checkout page of the demo user.

Healthy: every GET /checkout is 200 and the HTML shows "Total Payable".
With BUGGY=1 (or BUGS=checkout-crash) every request fails with HTTP 500;
with BUGS=checkout-crash-process the first request kills the server and every
later one fails with "no HTTP response ([Errno 111] Connection refused)".

    locust -f locust-scenarios/checkout.py --host http://127.0.0.1:8000
"""

import os
import sys

# Locust may be started from any directory; the shared helpers sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from locust import HttpUser, between, task  # noqa: E402

from lab_common import DEFAULT_HOST, expect_status, expect_text  # noqa: E402


class CheckoutUser(HttpUser):
    host = DEFAULT_HOST
    wait_time = between(1, 2)

    @task
    def checkout(self):
        with self.client.get("/checkout", name="/checkout", catch_response=True) as response:
            if expect_status(response, 200) and expect_text(response, "Total Payable"):
                response.success()
