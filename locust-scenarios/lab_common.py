"""Shared pieces of the Fest Lab locustfiles: default host and response checks.

Not a locustfile itself (it defines no User), so never pass it to ``locust -f``.

Every check (``expect_...``) returns whether the request passed it and, when
not, marks the request as failed with a short, stable message; a task calls
``response.success()`` once all its checks passed. Locust groups failures by
message, so messages name the problem (status, missing field) and never
include values that change from request to request.
"""

from __future__ import annotations

import csv
import logging
import re
import sys
from urllib.parse import quote

import locust.runners
from locust import events
from locust.clients import HttpSession


def _give_locust_a_version() -> None:
    """Let Debian's python3-locust run distributed.

    Debian's package (2.12 in bookworm) reports an empty version. Its master
    reads an empty version from a worker as "an old (pre 2.0) worker" and never
    lets it join, so ``--master`` with ``--worker`` would wait forever. Every
    scenario imports this module, on the master and on each worker alike, so
    all of them say the same stand-in version. A Locust that knows its version
    is left alone.
    """
    if not locust.runners.__version__:
        locust.runners.__version__ = "0+packaged-without-version"


_give_locust_a_version()

RUN_ID_HEADER = "X-Run-Id"


@events.init_command_line_parser.add_listener
def _add_run_id_option(parser) -> None:
    """``--run-id ID`` (or FEST_RUN_ID=ID): every request says which run it belongs to.

    The server counts requests that carry ``X-Run-Id`` under that run too
    (``GET /admin/truth?run=ID``), so several students on one server each
    check their own run: ``npm run verify -- stats.csv --run-id ID``.
    """
    parser.add_argument(
        "--run-id",
        type=str,
        env_var="FEST_RUN_ID",
        default="",
        help="send X-Run-Id: ID on every request, for npm run verify --run-id ID",
    )


def _send_run_id() -> None:
    """Give every HTTP session the run id header, whichever scenario made it.

    The option is read when a user's session is created, after the command line
    (on a worker: the master's) is known; without a run id nothing is added.
    """
    created = HttpSession.__init__

    def with_run_id(self, base_url, request_event, user, *args, **kwargs):
        created(self, base_url, request_event, user, *args, **kwargs)
        options = getattr(getattr(user, "environment", None), "parsed_options", None)
        run_id = getattr(options, "run_id", "") if options is not None else ""
        if run_id:
            self.headers[RUN_ID_HEADER] = run_id

    HttpSession.__init__ = with_run_id


_send_run_id()


def _refuse_a_used_run_id() -> None:
    """Refuse to start a load whose run id has already had one: the counts would add up.

    The server counts every request with ``X-Run-Id`` under its run; a second load with the
    same id adds to the first, and a challenge graded on the sum is graded wrong. Before
    any user starts, Locust (alone, or the master) asks the server ``GET /runs/<id>``; when
    it says the run already has requests, Locust stops with a line saying why and what to do.
    A server that does not know the question (another app, an older Fest Lab) or does not
    answer is not asked again: the load goes ahead.
    """

    @events.init.add_listener
    def _check(environment, **_kwargs) -> None:
        if isinstance(environment.runner, locust.runners.WorkerRunner):
            return
        run_id = getattr(environment.parsed_options, "run_id", "") or ""
        if not run_id:
            return
        classes = environment.user_classes or []
        host = environment.host or next(
            (cls.host for cls in classes if getattr(cls, "host", None)), DEFAULT_HOST
        )
        try:
            import requests

            answer = requests.get(
                f"{host.rstrip('/')}/runs/{quote(run_id, safe='')}",
                headers=JSON_HEADERS,
                timeout=5,
            )
            loaded = answer.status_code == 200 and answer.json().get("loaded") is True
        except Exception:  # no answer, not JSON: nothing known, so nothing refused
            return
        if loaded:
            logging.getLogger(__name__).error(
                "run id %s already had a load on %s: a second load would add its counts to "
                "the first one's. Start the challenge again for a fresh run id "
                "(npm run challenge -- stop, then start NAME), or give a new --run-id.",
                run_id,
                host,
            )
            sys.exit(2)


_refuse_a_used_run_id()

def _write_final_stats() -> None:
    """Write ``--csv``'s stats file once more when Locust quits, after its users stopped.

    Debian's Locust 2.12 writes the file once a second while it runs and not at the end, so
    without this the requests of the last second (and those the users finish during
    ``--stop-timeout``) are missing from it, and ``npm run verify`` finds the server counted
    more than Locust did. The ``quit`` event comes after the users stopped and before the
    process exits; a Locust that writes a last time itself gets the same file twice.
    """
    kept = []

    @events.init.add_listener
    def _keep(environment, **_kwargs) -> None:
        kept.append(environment)

    @events.quit.add_listener
    def _write(**_kwargs) -> None:
        environment = kept[0] if kept else None
        prefix = getattr(getattr(environment, "parsed_options", None), "csv_prefix", None)
        if not prefix or isinstance(environment.runner, locust.runners.WorkerRunner):
            return
        from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

        with open(f"{prefix}_stats.csv", "w", newline="") as file:
            StatsCSV(environment, PERCENTILES_TO_REPORT).requests_csv(csv.writer(file))


_write_final_stats()


def _count_run_time_from_the_start() -> None:
    """Make ``-t`` (``--run-time``) the length of the load, however slowly Locust started.

    Locust sets its ``-t`` timer on gevent's clock, which is read when gevent's loop last
    ran: before Locust imported this scenario and set its users up. Every second that start
    took (seconds on a busy machine) came off the run, down to no load at all: on a busy
    2-core machine ``-t 6s`` ran the users for 0.2 s. Reading the clock again at ``init``,
    just before the timer is set, gives the load its whole ``-t``.
    """
    import gevent

    @events.init.add_listener
    def _read_the_clock(**_kwargs) -> None:
        gevent.get_hub().loop.update_now()


_count_run_time_from_the_start()

# The server's own default address; ``--host`` overrides it as usual.
DEFAULT_HOST = "http://127.0.0.1:8000"

JSON_HEADERS = {"Accept": "application/json"}


def describe_status(response, expected) -> str:
    """Say why a status is wrong; status 0 means no HTTP answer at all."""
    wanted = " or ".join(str(code) for code in expected)
    if not response.status_code:
        # A dead or restarting server shows up here: no HTTP status at all.
        return f"no HTTP response ({_network_error(response)}), expected {wanted}"
    return f"HTTP {response.status_code}, expected {wanted}"


def _network_error(response) -> str:
    """The root cause of a failed connection, without per-request details.

    requests nests the cause several exceptions deep and mentions object
    addresses; keeping only "[Errno 111] Connection refused" (or the
    exception's name) lets Locust count all such failures on one line.
    """
    error = getattr(response, "error", None)
    if error is None:
        return "connection failed"
    text = str(error)
    errno = re.search(r"\[Errno -?\d+\][^'\")\]]*", text)
    if errno:
        return errno.group(0).strip()
    for marker in ("RemoteDisconnected", "ConnectionResetError", "ReadTimeout", "ConnectTimeout"):
        if marker in text:
            return marker
    return type(error).__name__


def fail(response, reason: str) -> bool:
    """Mark the request failed with ``reason``; False, for checks that say whether they passed."""
    response.failure(reason)
    return False


def expect_status(response, *expected: int) -> bool:
    """Fail the request unless its status is one of ``expected``."""
    if response.status_code in expected:
        return True
    return fail(response, describe_status(response, expected))


def expect_not_shed(response, route: str, pool: bool = True) -> bool:
    """Fail a 503 as the server shedding load, under its own message: it is not a crash.

    A route that hands its work to a worker pool (``/cpu``, ``/predict``) answers 503 with a
    Retry-After header when the pool's queue is full: an honest "overloaded", still a failure.
    The capacity limit (MAX_IN_FLIGHT) sheds load with a 503 too, before any route runs; its
    body says "at capacity", and the message says which of the two it was. A route without a
    pool (``pool=False``, as ``/io``) names only the capacity's 503s; any other 503 is left to
    the caller's status check.
    """
    if response.status_code != 503:
        return True
    retry_after = response.headers.get("Retry-After", "?")
    if "at capacity" in (response.text or ""):
        return fail(
            response,
            f"HTTP 503: server at capacity (MAX_IN_FLIGHT), shed load (Retry-After: {retry_after} s)",
        )
    if not pool:
        return True
    return fail(
        response,
        f"HTTP 503: {route} worker pool queue full, server shed load (Retry-After: {retry_after} s)",
    )


def expect_text(response, needle: str) -> bool:
    """Fail the request unless the body contains ``needle``."""
    if needle in (response.text or ""):
        return True
    return fail(response, f"body does not contain {needle!r}")


def json_body(response):
    """Decode a JSON object body, or fail the request and return None.

    A non-JSON body must count as a failed request, not as a Python error in
    the task (which Locust would log but leave out of the request stats).
    """
    try:
        body = response.json()
    except ValueError:  # json.JSONDecodeError and requests' own are both ValueErrors
        response.failure("body is not JSON")
        return None
    if not isinstance(body, dict):
        response.failure("JSON body is not an object")
        return None
    return body


def expect_json(response, *expected: int):
    """The JSON object body of an answer whose status is one of ``expected``; else None, failed."""
    if not expect_status(response, *expected):
        return None
    return json_body(response)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
