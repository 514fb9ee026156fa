"""Builders of small organizations for tests (write straight to the database)."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import Contract, Department, Period, Service, User

PASSWORD = "pw"
# One cheap hash for every test user: scrypt per user would dominate the suite's time.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def department(code: str, kind: str = "internal", name: str | None = None) -> Department:
    dep = Department(code=code, name=name or code, kind=kind)
    db.session.add(dep)
    db.session.flush()
    return dep


def service(supplier: Department, name: str) -> Service:
    svc = db.session.scalar(db.select(Service).filter_by(department_id=supplier.id, name=name))
    if svc is None:
        svc = Service(department=supplier, name=name)
        db.session.add(svc)
        db.session.flush()
    return svc


def contract(supplier: Department, customer: Department, service_name: str | None = None, criticality: int = 2,
             **fields) -> Contract:
    svc = service(supplier, service_name or f"{supplier.code} for {customer.code}")
    con = Contract(supplier=supplier, customer=customer, service=svc, criticality=criticality, **fields)
    db.session.add(con)
    db.session.flush()
    return con


def period(label: str, start: date, end: date, status: str = "open") -> Period:
    per = Period(label=label, start_date=start, end_date=end, status=status)
    db.session.add(per)
    db.session.flush()
    return per


def user(email: str, role: str, dep: Department | None = None, name: str = "") -> User:
    usr = User(email=email, role=role, department=dep, name=name or email.split("@")[0])
    usr.password_hash = _PASSWORD_HASH
    db.session.add(usr)
    db.session.flush()
    return usr


# (supplier, customer, health, criticality) of PRODUCT.md's worked example.
WORKED_EXAMPLE = [
    ("PROC", "WH", 80, 3), ("WH", "LOG", 45, 3), ("LOG", "EXT", 90, 3), ("IT", "WH", 70, 2),
    ("IT", "LOG", 85, 2), ("HR", "IT", 60, 1), ("SALES", "EXT", 75, 3), ("IT", "SALES", 55, 2),
    ("FIN", "HR", None, 1), ("HR", "FIN", 95, 1), ("IT", "MKT", 40, 1),
]


def worked_example() -> SimpleNamespace:
    """Departments and contracts of the worked example, period 2026-Q3 open, and one user per role.

    Users: admin@test.local, coo@test.local, hr@test.local, head.<code>@test.local for
    every internal department, member.it@test.local; password ``pw``. Ratings are not
    created here: the health of each link is the test's business.
    """
    deps = {code: department(code) for code in ("PROC", "WH", "LOG", "IT", "HR", "FIN", "SALES", "MKT")}
    deps["EXT"] = department("EXT", kind="external", name="Retail clients")
    contracts = {}
    for sup, cus, _health, crit in WORKED_EXAMPLE:
        contracts[(sup, cus)] = contract(deps[sup], deps[cus], f"{sup} service for {cus}", crit)
    per = period("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
    users = {
        "admin": user("admin@test.local", "admin"),
        "coo": user("coo@test.local", "coo"),
        "hr": user("hr@test.local", "hr"),
        "member": user("member.it@test.local", "member", deps["IT"]),
    }
    heads = {code: user(f"head.{code.lower()}@test.local", "head", dep) for code, dep in deps.items()
             if dep.kind == "internal"}
    db.session.commit()
    return SimpleNamespace(departments=deps, contracts=contracts, period=per, users=users, heads=heads)
