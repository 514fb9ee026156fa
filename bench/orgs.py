"""Seeded organizations for the benchmarks: generate one, write it as import CSVs, seed a database.

An organization of ``n`` departments has divisions (about one per 25 departments, each a
parent with no agreements of its own), external customer segments (about one per 100) and
internal departments in ten tiers: each supplies mostly departments of the next two tiers,
the last tier supplies the external customers, a share of agreements points backwards and
closes cycles. About five agreements per internal department, eight quarterly periods
(2025-Q1 … 2026-Q4, the last one open), ratings for 90 % of the agreements in each period from
one to three respondents (blank respondent = the customer head), scores drifting around a
per-agreement level. Everything is drawn from ``random.Random(seed)``: the same size and seed
give the same files.

``seed_database`` writes the organization straight into an empty migrated schema with SQLAlchemy
Core ``executemany`` (bench data only; the app's own writes go through ``tracker/services``).
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

PERIODS = [(f"{y}-Q{q}", date(y, 3 * q - 2, 1), date(y, 3 * q, [31, 30, 30, 31][q - 1]))
           for y in (2025, 2026) for q in (1, 2, 3, 4)]
CRITERIA = ("quality", "timeliness", "communication", "value")
STANDARD = ("met", "met", "partly", "missed", "")


@dataclass
class Organization:
    """Plain rows of one generated organization (codes, not ids)."""

    departments: list[tuple[str, str, str, str]] = field(default_factory=list)  # code, name, kind, parent
    contracts: list[tuple[str, str, str, int]] = field(default_factory=list)  # supplier, customer, service, crit
    # period, contract index, respondent, (q, t, c, v) with None for N/A, recommend, standard_met
    ratings: list[tuple[str, int, str, tuple, int | None, str]] = field(default_factory=list)

    @property
    def internal(self) -> list[str]:
        return [d[0] for d in self.departments if d[2] == "internal" and not d[0].startswith("DIV")]


def generate(n_departments: int, seed: int = 1, per_department: float = 5.0, rated: float = 0.9,
             backward: float = 0.08, periods: int = len(PERIODS)) -> Organization:
    """Return a seeded :class:`Organization` of ``n_departments`` departments in all."""
    rng = random.Random(seed)
    n_divisions = max(2, n_departments // 25)
    n_external = max(2, n_departments // 100)
    n_internal = n_departments - n_divisions - n_external
    org = Organization()
    divisions = [f"DIV{i:04d}" for i in range(n_divisions)]
    org.departments += [(c, f"Division {i}", "internal", "") for i, c in enumerate(divisions)]
    internal = [f"D{i:05d}" for i in range(n_internal)]
    external = [f"X{i:03d}" for i in range(n_external)]
    tiers = 10
    tier_size = max(1, n_internal // tiers)
    # Neighbouring departments share a division, as a real org chart groups a chain's links.
    org.departments += [(c, f"Department {i}", "internal", divisions[i * n_divisions // n_internal])
                        for i, c in enumerate(internal)]
    org.departments += [(c, f"Customers {i}", "external", "") for i, c in enumerate(external)]

    seen: set[tuple[str, str, str]] = set()
    target = int(per_department * n_internal)
    while len(org.contracts) < target:
        i = rng.randrange(n_internal)
        tier = min(i // tier_size, tiers - 1)
        roll = rng.random()
        if tier == tiers - 1 or roll < 0.03:
            customer = rng.choice(external)
        elif roll < 0.03 + backward:
            customer = internal[rng.randrange(n_internal)]
        else:
            low = (tier + 1) * tier_size
            customer = internal[rng.randrange(min(low, n_internal - 1), min(n_internal, (tier + 3) * tier_size))]
        key = (internal[i], customer, f"service {rng.randrange(6)}")
        if key[0] == key[1] or key in seen:
            continue
        seen.add(key)
        org.contracts.append((*key, rng.randint(1, 3)))

    level = [rng.uniform(2.2, 4.8) for _ in org.contracts]
    for label, _, _ in PERIODS[:periods]:
        for index in range(len(org.contracts)):
            if rng.random() >= rated:
                continue
            level[index] = min(5.0, max(1.0, level[index] + rng.uniform(-0.3, 0.3)))
            for r in range(rng.randint(1, 3)):
                scores = tuple(
                    None if rng.random() < 0.05 else min(5, max(1, round(level[index] + rng.uniform(-1, 1))))
                    for _ in CRITERIA)
                recommend = None if rng.random() < 0.1 else min(10, max(0, round(2 * level[index] + rng.uniform(-2, 2))))
                org.ratings.append((label, index, "" if r == 0 else f"r{r}@bench.local", scores, recommend,
                                    rng.choice(STANDARD)))
    return org


def write_csv(org: Organization, folder: Path) -> Path:
    """Write ``departments.csv``, ``contracts.csv``, ``periods.csv`` and ``ratings.csv`` (import layout)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "departments.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "kind", "parent_code", "head_email"])
        w.writerows([code, name, kind, parent, ""] for code, name, kind, parent in org.departments)
    with (folder / "contracts.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["supplier_code", "customer_code", "service", "criticality"])
        w.writerows(org.contracts)
    with (folder / "periods.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["label", "start_date", "end_date"])
        w.writerows([label, start.isoformat(), end.isoformat()] for label, start, end in PERIODS)
    with (folder / "ratings.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["period", "supplier_code", "customer_code", "service", "respondent", *CRITERIA,
                    "recommend", "standard_met", "no_interaction", "comment"])
        for label, index, respondent, scores, recommend, met in org.ratings:
            sup, cus, service, _ = org.contracts[index]
            w.writerow([label, sup, cus, service, respondent, *("" if s is None else s for s in scores),
                        "" if recommend is None else recommend, met, "", ""])
    return folder


def seed_database(org: Organization, *, open_last: bool = True) -> dict:
    """Insert ``org`` into the current app's (empty, migrated) database; return ids the bench needs.

    Periods before the last are closed with target 75 and floor 50; agreements are created
    before the first period so every closed period counts them. Also creates a COO
    (``coo@bench.local``) and one head (``head@bench.local``) of a department with suppliers,
    password ``bench``. Commits once.
    """
    from sqlalchemy import insert, select, text
    from werkzeug.security import generate_password_hash

    from tracker.analysis import rating_health
    from tracker.extensions import db
    from tracker.models import Contract, Criterion, Department, Period, Rating, RatingScore, Service, User

    early = datetime(2024, 12, 1, tzinfo=timezone.utc)
    session = db.session
    session.execute(insert(Department), [
        {"code": code, "name": name, "kind": kind, "created_at": early} for code, name, kind, _ in org.departments])
    dept_id = dict(session.execute(select(Department.code, Department.id)).all())
    parent_rows = [{"i": dept_id[code], "p": dept_id[parent]} for code, _, _, parent in org.departments if parent]
    if parent_rows:
        session.execute(text("UPDATE departments SET parent_id = :p WHERE id = :i"), parent_rows)

    services = sorted({(sup, service) for sup, _, service, _ in org.contracts})
    session.execute(insert(Service), [{"department_id": dept_id[s], "name": n, "created_at": early} for s, n in services])
    code_of = {did: code for code, did in dept_id.items()}
    service_id = {(code_of[did], name): sid
                  for sid, did, name in session.execute(select(Service.id, Service.department_id, Service.name))}
    session.execute(insert(Contract), [
        {"supplier_id": dept_id[s], "customer_id": dept_id[c], "service_id": service_id[(s, n)],
         "criticality": crit, "created_at": early} for s, c, n, crit in org.contracts])
    contract_id = {(s, c, n): cid for cid, s, c, n in session.execute(
        text("SELECT c.id, s.code, u.code, v.name FROM contracts c JOIN departments s ON s.id = c.supplier_id "
             "JOIN departments u ON u.id = c.customer_id JOIN services v ON v.id = c.service_id"))}

    last = PERIODS[-1][0]
    session.execute(insert(Period), [
        {"label": label, "start_date": start, "end_date": end,
         "status": "open" if (label == last and open_last) else "closed",
         "closed_at": None if (label == last and open_last) else datetime(end.year, end.month, end.day, 23, tzinfo=timezone.utc),
         "target": None if (label == last and open_last) else 75.0,
         "floor": None if (label == last and open_last) else 50.0}
        for label, start, end in PERIODS])
    period_id = dict(session.execute(select(Period.label, Period.id)).all())
    criterion_id = dict(session.execute(select(Criterion.key, Criterion.id)).all())
    weights = {key: 1.0 for key in CRITERIA}

    first_id = (session.scalar(select(db.func.max(Rating.id))) or 0) + 1
    rating_rows, score_rows = [], []
    for offset, (label, index, respondent, scores, recommend, met) in enumerate(org.ratings):
        rid = first_id + offset
        sup, cus, service, _ = org.contracts[index]
        answered = dict(zip(CRITERIA, scores))
        rating_rows.append({"id": rid, "contract_id": contract_id[(sup, cus, service)], "period_id": period_id[label],
                            "respondent_key": respondent, "recommend": recommend, "standard_met": met or None,
                            "no_interaction": False, "health": rating_health(answered, weights), "version": 1,
                            "created_at": early, "updated_at": early})
        score_rows += [{"rating_id": rid, "criterion_id": criterion_id[key], "score": s, "weight": 1.0}
                       for key, s in answered.items() if s is not None]
    for start in range(0, len(rating_rows), 20_000):
        session.execute(insert(Rating), rating_rows[start:start + 20_000])
    for start in range(0, len(score_rows), 50_000):
        session.execute(insert(RatingScore), score_rows[start:start + 50_000])
    if db.engine.dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('ratings', 'id'), (SELECT max(id) FROM ratings))"))

    # The head of the department that receives the most agreements rates on the rating page.
    incoming: dict[str, int] = {}
    for _, cus, _, _ in org.contracts:
        if not cus.startswith("X"):
            incoming[cus] = incoming.get(cus, 0) + 1
    head_department = max(sorted(incoming), key=incoming.get)
    password = generate_password_hash("bench", method="pbkdf2:sha256:1000")
    session.execute(insert(User), [
        {"email": "coo@bench.local", "name": "COO", "role": "coo", "password_hash": password},
        {"email": "head@bench.local", "name": "Head", "role": "head", "password_hash": password,
         "department_id": dept_id[head_department]},
    ])
    session.commit()
    # The agreement and supplier shown: the middle one among those rated in the open period, so
    # that every size shows a page of the same shape (rated, with respondents and scores).
    rated = sorted({index for label, index, *_ in org.ratings if label == last})
    chosen = org.contracts[rated[len(rated) // 2]]
    return {"period": last, "department": head_department, "contract_id": contract_id[tuple(chosen[:3])],
            "supplier": chosen[0]}
