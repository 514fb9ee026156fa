"""Quarter's end: department heads log in, then submit and edit ratings of their suppliers, while
the office double-clicks and rushes its create forms.

Run by ``bench/load/run.py`` (which seeds the accounts); alone::

    BENCH_ACCOUNTS=accounts.json BENCH_RESULT=result.json \
        locust -f bench/load/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000

``BENCH_ACCOUNTS`` is a JSON list of e-mails (password ``BENCH_PASSWORD``, default ``demo-load``);
each simulated user takes the next one. Heads also double-click "Save rating" (two identical
POSTs at once). Besides them, ``Office`` (admin@demo.local) sends five identical "new department"
forms at once and double-clicks "Open follow-up", and ``Planner`` (hr@demo.local) double-clicks
"Plan rotation" (password ``BENCH_OFFICE_PASSWORD``, default ``demo``). At the end
``BENCH_RESULT`` receives the accepted submissions as ``[contract id, e-mail]`` pairs, the
pairs whose first post was still unanswered when the run stopped (``in_flight``), the number
of 5xx responses, and under ``rush`` what each create rush asked for (department codes,
follow-up titles, rotation persons: exactly one row each is expected).
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from datetime import date, timedelta

import gevent
from locust import HttpUser, between, events, task

ACCOUNTS: list[str] = json.load(open(os.environ["BENCH_ACCOUNTS"])) if os.environ.get("BENCH_ACCOUNTS") else []
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo-load")
_next_account = itertools.count()
_lock = threading.Lock()
accepted: set[tuple[int, str]] = set()
# Posted but not answered: the run's end cuts requests in flight, which the server may still save.
in_flight: set[tuple[int, str]] = set()
server_errors = {"count": 0}
#: What the create rushes asked for; run.py counts the rows each made (one expected).
rush: dict[str, list] = {"departments": [], "follow_ups": [], "rotations": []}
#: Agreements a follow-up rush has taken (two office users never open one on the same agreement).
_taken_follow_ups: set[str] = set()
_rush_numbers = itertools.count(1)
#: Internal departments of the demo that host the rush's rotations in turn.
ROTATION_HOSTS = ("LOG", "PROC", "SALES", "IT", "FIN", "HR", "QA", "PLAN", "PROD", "CS")
OFFICE_PASSWORD = os.environ.get("BENCH_OFFICE_PASSWORD", "demo")

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
CONTRACT_LINK = re.compile(r'href="/rate/(\d+)"')
FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([0-9a-f]+)"')
NEW_FOLLOW_UP = re.compile(r'href="(/follow-ups/new\?[^"]+)"')
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
                       "server_errors": server_errors["count"], "rush": rush}, fh)


def _at_once(client, url: str, data: dict, n: int, name: str) -> list:
    """POST ``data`` to ``url`` ``n`` times at the same moment (a double click, a rush); return the responses."""
    def post():
        return client.post(url, data=data, name=name, allow_redirects=False)

    jobs = [gevent.spawn(post) for _ in range(n)]
    gevent.joinall(jobs)
    return [job.value for job in jobs if job.value is not None]


def _login(user: HttpUser, email: str, password: str) -> None:
    login = user.client.get("/login", name="/login")
    response = user.client.post("/login", name="/login", allow_redirects=False,
                                data={"email": email, "password": password, "csrf_token": _csrf(login.text)})
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} failed: {response.status_code}")


class Head(HttpUser):
    """One department head (or colleague) rating the department's internal suppliers."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        index = next(_next_account)
        self.email = ACCOUNTS[index % len(ACCOUNTS)]
        _login(self, self.email, PASSWORD)
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
        # One save in five is a double click: the same form posted twice at once.
        clicks = 2 if random.random() < 0.2 else 1
        responses = _at_once(self.client, f"/rate/{contract_id}", data, clicks, "/rate/[id] POST")
        if any(r.status_code == 302 for r in responses):
            with _lock:
                accepted.add((contract_id, self.email))
                in_flight.discard((contract_id, self.email))

    @task(1)
    def progress(self) -> None:
        """Look at the list of suppliers and the progress bar."""
        self.client.get("/rate/", name="/rate/")


class Office(HttpUser):
    """The customer-experience office: rushes "new department" and double-clicks "Open follow-up"."""

    fixed_count = 2
    wait_time = between(2.0, 4.0)

    def on_start(self) -> None:
        _login(self, "admin@demo.local", OFFICE_PASSWORD)

    @task(2)
    def department_rush(self) -> None:
        """Five identical "new department" forms at once: one department, "already exists" for the rest."""
        code = f"RUSH{next(_rush_numbers):04d}"
        form = self.client.get("/admin/departments/new", name="/admin/departments/new")
        data = {"code": code, "name": f"Rush {code}", "kind": "internal", "parent_id": "",
                "csrf_token": _csrf(form.text)}
        with _lock:
            rush["departments"].append(code)
        _at_once(self.client, "/admin/departments/new", data, 5, "/admin/departments/new POST")

    @task(1)
    def follow_up_double_click(self) -> None:
        """Open a follow-up on a low rating, clicking "Open follow-up" twice."""
        page = self.client.get("/follow-ups/low-ratings", name="/follow-ups/low-ratings")
        with _lock:
            links = [link.replace("&amp;", "&") for link in NEW_FOLLOW_UP.findall(page.text)]
            links = [link for link in links if link not in _taken_follow_ups]
            if not links:
                return
            link = random.choice(links)
            _taken_follow_ups.add(link)
        form = self.client.get(link, name="/follow-ups/new")
        token = FORM_TOKEN.search(form.text)
        title = f"Rush follow-up {next(_rush_numbers):04d}"
        data = {"title": title, "csrf_token": _csrf(form.text), "form_token": token.group(1) if token else ""}
        with _lock:
            rush["follow_ups"].append(title)
        _at_once(self.client, link, data, 2, "/follow-ups/new POST")


class Planner(HttpUser):
    """HR: double-clicks "Save" on the rotation form."""

    fixed_count = 1
    wait_time = between(2.0, 4.0)

    def on_start(self) -> None:
        _login(self, "hr@demo.local", OFFICE_PASSWORD)

    @task
    def rotation_double_click(self) -> None:
        form = self.client.get("/rotations/new", name="/rotations/new")
        token = FORM_TOKEN.search(form.text)
        number = next(_rush_numbers)
        person = f"Rush person {number:04d}"
        # A date still ahead in the open period, and hosts in turn: a fixed date fell into the past
        # and one host's weekly capacity refused the rest, so the rush measured refusals, not doubles.
        day = date.today() + timedelta(days=1 + number % 20)
        day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)  # rotations are on weekdays
        host = ROTATION_HOSTS[number % len(ROTATION_HOSTS)]
        home = ROTATION_HOSTS[(number + 5) % len(ROTATION_HOSTS)]  # each department sends a few a week at most
        data = {"person": person, "from_department_id": home, "to_department_id": host, "on_date": day.isoformat(),
                "duration": "half_day", "csrf_token": _csrf(form.text),
                "form_token": token.group(1) if token else ""}
        with _lock:
            rush["rotations"].append(person)
        _at_once(self.client, "/rotations/new", data, 2, "/rotations/new POST")
