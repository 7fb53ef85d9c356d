"""Seed lab: the event list and the demo user's registrations, as HTML.

Healthy: both pages are 200; /events lists events (each row carries a
``data-event-id`` attribute) and /my-events shows "My events" with the demo
user's registrations (rows with ``data-event-id`` too: the demo user always
has some, so an empty list means a broken query).
MODE=naive (or BUGS=events-slow-loop,my-events-slow-loop) keeps them correct
but slow: /events does quadratic work, /my-events one query per row.

    locust -f locust-scenarios/events.py --host http://127.0.0.1:8000
"""

import os
import sys

# Locust may be started from any directory; the shared helpers sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from locust import HttpUser, between, task  # noqa: E402

from lab_common import DEFAULT_HOST, expect_status, expect_text  # noqa: E402

DEMO_USER = "locust_user"


class EventsUser(HttpUser):
    host = DEFAULT_HOST
    wait_time = between(1, 2)

    @task
    def events(self):
        with self.client.get(
            "/events", params={"user": DEMO_USER}, name="/events", catch_response=True
        ) as response:
            # The heading could be reworded; the per-event attribute is what a list of events is made of.
            if expect_status(response, 200) and expect_text(response, "data-event-id"):
                response.success()

    @task
    def my_events(self):
        with self.client.get(
            "/my-events", params={"user": DEMO_USER}, name="/my-events", catch_response=True
        ) as response:
            # "My events" alone is in every page's menu; the rows prove the list was built.
            if (
                expect_status(response, 200)
                and expect_text(response, "My events")
                and expect_text(response, "data-event-id")
            ):
                response.success()
