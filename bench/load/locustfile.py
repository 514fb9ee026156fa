"""Quarter's end: department heads log in, then submit and edit ratings of their suppliers.

Run by ``bench/load/run.py`` (which seeds the accounts); alone::

    BENCH_ACCOUNTS=accounts.json BENCH_RESULT=result.json \
        locust -f bench/load/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000

``BENCH_ACCOUNTS`` is a JSON list of e-mails (password ``BENCH_PASSWORD``, default ``demo-load``);
each simulated user takes the next one. At the end ``BENCH_RESULT`` receives the accepted
submissions as ``[contract id, e-mail]`` pairs, the pairs whose first post was still
unanswered when the run stopped (``in_flight``), and the number of 5xx responses.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

ACCOUNTS: list[str] = json.load(open(os.environ["BENCH_ACCOUNTS"])) if os.environ.get("BENCH_ACCOUNTS") else []
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo-load")
_next_account = itertools.count()
_lock = threading.Lock()
accepted: set[tuple[int, str]] = set()
# Posted but not answered: the run's end cuts requests in flight, which the server may still save.
in_flight: set[tuple[int, str]] = set()
server_errors = {"count": 0}

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
CONTRACT_LINK = re.compile(r'href="/rate/(\d+)"')
SCORE_FIELD = re.compile(r'name="(score_[a-z0-9_]+)"')


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return next(g for g in match.groups() if g) if match else ""


@events.request.add_listener
def _count_server_errors(response=None, **_kwargs) -> None:
    if response is not None and getattr(response, "status_code", 0) >= 500:
        with _lock:
            server_errors["count"] += 1


@events.test_stop.add_listener
def _write_result(**_kwargs) -> None:
    path = os.environ.get("BENCH_RESULT")
    if path:
        with open(path, "w") as fh:
            json.dump({"accepted": sorted(accepted), "in_flight": sorted(in_flight - accepted),
                       "server_errors": server_errors["count"]}, fh)


class Head(HttpUser):
    """One department head (or colleague) rating the department's internal suppliers."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        index = next(_next_account)
        self.email = ACCOUNTS[index % len(ACCOUNTS)]
        login = self.client.get("/login", name="/login")
        response = self.client.post("/login", name="/login", allow_redirects=False,
                                    data={"email": self.email, "password": PASSWORD, "csrf_token": _csrf(login.text)})
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.email} failed: {response.status_code}")
        page = self.client.get("/rate/", name="/rate/")
        self.contracts = sorted({int(cid) for cid in CONTRACT_LINK.findall(page.text)})

    @task(3)
    def submit_or_edit(self) -> None:
        """Open a supplier's rating form and save it; the second and later times it is an edit."""
        if not self.contracts:
            return
        contract_id = random.choice(self.contracts)
        form = self.client.get(f"/rate/{contract_id}", name="/rate/[id]")
        fields = sorted(set(SCORE_FIELD.findall(form.text)))
        low = random.random() < 0.15
        data = {name: str(random.randint(1, 2) if low and i == 0 else random.randint(3, 5))
                for i, name in enumerate(fields)}
        data |= {"recommend": str(random.randint(4, 6) if low else random.randint(7, 10)),
                 "standard_met": random.choice(["met", "partly", "missed"]),
                 "comment": "Late again this week <b>&</b> «нужно исправить»" if low else "",
                 "csrf_token": _csrf(form.text)}
        with _lock:
            in_flight.add((contract_id, self.email))
        with self.client.post(f"/rate/{contract_id}", data=data, name="/rate/[id] POST", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code == 302:
                with _lock:
                    accepted.add((contract_id, self.email))
                    in_flight.discard((contract_id, self.email))
                response.success()
            else:
                response.failure(f"rating not saved: {response.status_code}")

    @task(1)
    def progress(self) -> None:
        """Look at the list of suppliers and the progress bar."""
        self.client.get("/rate/", name="/rate/")
