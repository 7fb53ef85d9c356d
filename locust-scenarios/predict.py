"""Digits lab: open the /predict page and ask for predictions of real held-out digits.

Each user, with 0.5 to 1.5 s between requests, opens ``GET /predict`` (1 in 6),
posts a held-out digit as JSON ``{"pixels": [784 numbers]}`` (4 in 6) or as a
28x28 grayscale PNG (1 in 6). The digits come from ``digits_held_out.json``
beside this file: 50 held-out digits (5 of each) with their labels, never
trained on, that the model of the default training plan answers right.

A prediction passes when the answer is 200, names the labelled digit, and took
at most CLIENT_LIMIT_SECONDS (2 s) as the client saw it: a user who waits
longer has given up, as the original lab's users did.

Healthy (``MODE=optimized``): no failures; most answers come from the cache.
``MODE=naive`` (or ``BUGS=model-per-request``): every request reads and parses
the model file; with enough users latencies climb into seconds and answers
fail the client limit, as in the lab's report.

    locust -f locust-scenarios/predict.py --host http://127.0.0.1:8000
"""

import json
import os
import random
import struct
import sys
import zlib

# Locust may be started from any directory; the shared helpers sit next to this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from locust import HttpUser, between, task  # noqa: E402

from lab_common import DEFAULT_HOST, JSON_HEADERS, expect_status, expect_text  # noqa: E402
from lab_common import expect_json, expect_not_shed, fail  # noqa: E402

# The answer a user waits for at most; a slower one counts as failed.
CLIENT_LIMIT_SECONDS = 2.0

with open(os.path.join(_HERE, "digits_held_out.json"), encoding="utf-8") as _file:
    HELD_OUT = json.load(_file)["digits"]


def grayscale_png(pixels):
    """A 28x28 8-bit grayscale PNG (colour type 0) of 0..255 pixels, made with zlib alone."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(pixels[y * 28 : (y + 1) * 28]) for y in range(28))
    header = struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def expect_prediction(response, label):
    """Fail a prediction unless it is 200, the labelled digit, and within the client's limit."""
    if not expect_not_shed(response, "/predict"):
        return False
    body = expect_json(response, 200)
    if body is None:
        return False
    if body.get("digit") != label:
        return fail(response, "wrong digit: the answer differs from the held-out label")
    if response.elapsed.total_seconds() > CLIENT_LIMIT_SECONDS:
        return fail(response, f"slower than the client limit of {CLIENT_LIMIT_SECONDS:g} s")
    return True


class PredictUser(HttpUser):
    host = DEFAULT_HOST
    wait_time = between(0.5, 1.5)

    def on_start(self):
        """A person opens the page before sending a digit: every user asks it once first."""
        self.page()

    @task(1)
    def page(self):
        with self.client.get("/predict", name="GET /predict", catch_response=True) as response:
            if expect_status(response, 200) and expect_text(response, "held-out digit"):
                response.success()

    @task(4)
    def predict_json(self):
        digit = random.choice(HELD_OUT)
        self._predict(
            digit, "POST /predict (JSON)", json={"pixels": digit["pixels"]}, headers=JSON_HEADERS
        )

    @task(1)
    def predict_png(self):
        digit = random.choice(HELD_OUT)
        self._predict(
            digit,
            "POST /predict (PNG)",
            data=grayscale_png(digit["pixels"]),
            headers={"Content-Type": "image/png", **JSON_HEADERS},
        )

    def _predict(self, digit, name, **request):
        """POST one held-out digit (``request``: its pixels as JSON or a PNG) and check the answer."""
        with self.client.post("/predict", name=name, catch_response=True, **request) as response:
            if expect_prediction(response, digit["label"]):
                response.success()
