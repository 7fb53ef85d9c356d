"""A whole fest visit, through the JSON API, with users of its own.

Each simulated user signs up once with a fresh name (``j_<16 hex>``), so runs
and workers never collide with each other or with the demo user. Then it
repeats a visit: log in, list the events, register for one with seats left,
find it under my events, check out, log out. The signed session cookie
``fest_session`` carries the login; no ``?user=`` is sent.

A step that fails ends the visit (later steps depend on it); the user waits
and starts a new visit from the login. So one crash shows up once per visit,
on the step that broke, rather than as a cascade of follow-on failures.

Every visit registers a new event while the user still has unregistered
events with seats left; after that it re-registers one it holds (200,
"created": false), so a long run does not use up every seat.

    locust -f locust-scenarios/journey.py --host http://127.0.0.1:8000
"""

import os
import random
import secrets
import sys

# Locust may be started from any directory; the shared helpers sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from locust import HttpUser, SequentialTaskSet, between, task  # noqa: E402

from lab_common import (  # noqa: E402
    DEFAULT_HOST,
    JSON_HEADERS,
    expect_json,
    expect_status,
    fail,
    is_number,
)

SESSION_COOKIE = "fest_session"


def _username_of(user):
    """Every JSON answer names its user as a plain string: "user": "j_..."."""
    return user if isinstance(user, str) else None


class FestVisit(SequentialTaskSet):
    """One visit; Locust runs the tasks in order and waits between them.

    Each step is a request and a check of its answer (the ``_...`` method after
    the step). A check returns whether the answer passed and marks a failure
    with its reason; ``_step`` does the rest, the same for every step.
    """

    def on_start(self):
        self.event_id = None

    def _step(self, method, path, passes, name=None, **kwargs):
        """Send one request of the visit, counted as passed when ``passes(response)`` is true.

        A failed step ends the visit: later steps need its result, so the user
        starts over from the login after its usual wait.
        """
        with self.client.request(
            method, path, name=name or path, catch_response=True, **kwargs
        ) as response:
            passed = passes(response)
            if passed:
                response.success()
        if not passed:
            self.interrupt(reschedule=False)

    def _get_mine(self, path, check):
        """A JSON GET step whose answer must be this user's, and pass ``check(response, body)``."""

        def passes(response):
            body = self._body_for_me(response, 200)
            return body is not None and check(response, body)

        self._step("GET", path, passes, headers=JSON_HEADERS)

    def _body_for_me(self, response, *statuses):
        """The JSON body if the status fits and the answer is about this user."""
        body = expect_json(response, *statuses)
        if body is not None and _username_of(body.get("user")) != self.user.username:
            # The cookie was lost or not honoured: the page is someone else's (or nobody's).
            response.failure("answer is not for the logged-in journey user")
            return None
        return body

    def _has_session_cookie(self, response, after):
        if any(cookie.name == SESSION_COOKIE for cookie in self.client.cookies):
            return True
        return fail(response, f"no {SESSION_COOKIE} cookie after {after}")

    @task
    def log_in(self):
        user = self.user
        credentials = {"username": user.username, "password": user.password}
        if not user.has_account:
            # A user's first visit signs up before it logs in; a failed signup ends the visit.
            self._step("POST", "/signup", self._signed_up, json=credentials, headers=JSON_HEADERS)
            user.has_account = True
        self._step("POST", "/login", self._logged_in, json=credentials, headers=JSON_HEADERS)

    def _signed_up(self, response):
        if response.status_code == 409:
            self.user.pick_new_name()
            return fail(response, "HTTP 409: username already taken")
        return self._body_for_me(response, 201) is not None and self._has_session_cookie(
            response, "signup"
        )

    def _logged_in(self, response):
        return self._body_for_me(response, 200) is not None and self._has_session_cookie(
            response, "login"
        )

    @task
    def browse_events(self):
        self.event_id = None
        self._get_mine("/events", self._picked_event)

    def _picked_event(self, response, body):
        events = body.get("events")
        if not isinstance(events, list) or not events:
            return fail(response, 'JSON "events" is not a non-empty list')
        try:
            open_events = [e["id"] for e in events if e["seatsLeft"] > 0 and not e["registered"]]
            mine = [e["id"] for e in events if e["registered"]]
        except (KeyError, TypeError):
            return fail(response, 'an event lacks "id", "seatsLeft" or "registered"')
        if not open_events and not mine:
            return fail(
                response, "no event has seats left and this user holds none (reseed the database)"
            )
        self.event_id = random.choice(open_events or mine)
        return True

    @task
    def register(self):
        self._step(
            "POST",
            f"/events/{self.event_id}/register",
            self._registered,
            name="/events/[id]/register",
            headers=JSON_HEADERS,
        )

    def _registered(self, response):
        if response.status_code == 409:
            # Browsing showed free seats; others may have taken them since, but say so plainly.
            return fail(response, "HTTP 409: event full although /events showed seats left")
        body = expect_json(response, 201, 200)
        if body is None:
            return False
        if body.get("created") is not (response.status_code == 201):
            return fail(response, '"created" does not match the status (201: true, 200: false)')
        return True

    @task
    def my_events(self):
        self._get_mine("/my-events", self._lists_the_event)

    def _lists_the_event(self, response, body):
        registrations = body.get("registrations")
        if not isinstance(registrations, list):
            return fail(response, 'JSON "registrations" is not a list')
        if any(isinstance(r, dict) and r.get("eventId") == self.event_id for r in registrations):
            return True
        return fail(response, "the event just registered for is not in my events")

    @task
    def checkout(self):
        self._get_mine("/checkout", self._has_lines_and_total)

    def _has_lines_and_total(self, response, body):
        if not isinstance(body.get("lines"), list):
            return fail(response, 'JSON "lines" is not a list')
        if not is_number(body.get("totalRupees")):
            return fail(response, 'JSON "totalRupees" is not a number')
        return True

    @task
    def log_out(self):
        # A browser's form post: no JSON, and the redirect is not followed. The last step, so
        # a failure here ends nothing: the next visit starts from the login either way.
        with self.client.post(
            "/logout", name="/logout", allow_redirects=False, catch_response=True
        ) as response:
            if expect_status(response, 303):
                response.success()


class JourneyUser(HttpUser):
    host = DEFAULT_HOST
    wait_time = between(0.5, 2)
    tasks = [FestVisit]

    def on_start(self):
        self.has_account = False
        self.password = "pw-" + secrets.token_hex(8)
        self.pick_new_name()

    def pick_new_name(self):
        # 18 characters from [a-z0-9_]; unique across users, runs and workers.
        self.username = "j_" + secrets.token_hex(8)
