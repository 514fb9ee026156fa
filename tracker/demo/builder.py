"""Write the demo company (:mod:`tracker.demo.data`) into the database in one transaction."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import (
    Contract,
    ContractRespondent,
    Criterion,
    Department,
    FollowUp,
    FollowUpAction,
    FollowUpEvent,
    Period,
    Rating,
    Rotation,
    Service,
    Setting,
    User,
)
from ..services import audit
from ..services import settings as settings_service
from ..services.ratings import RatingInput, save_rating
from . import data
from .data import CX, HEAD, MEMBER, Answer, ContractSpec

SEED = 2026
CRITERIA = ("quality", "timeliness", "communication", "value")
# Spread of a generated 1–5 score around the level; wider turns ordinary links into false alarms.
NOISE = 0.35


class DemoError(RuntimeError):
    """The demo cannot be loaded into this database; the message says why."""


@dataclass
class DemoSummary:
    """What :func:`build_demo` created."""

    company: str
    divisions: int
    departments: int
    externals: int
    contracts: int
    periods: list[str]
    ratings: int
    respondents: int
    users: int
    follow_ups: int = 0
    rotations: int = 0
    logins: list[str] = field(default_factory=list)
    #: Agreements active in the open (last) period: the dashboard of that period counts only these.
    active_in_open: int = 0


def department_count() -> int:
    """Number of departments already in the database (the demo loads only when it is 0)."""
    return db.session.scalar(db.select(db.func.count()).select_from(Department)) or 0


def conflicts() -> list[str]:
    """Periods and users of the demo that already exist (reasons the demo cannot load)."""
    labels = [p[0] for p in data.PERIODS]
    found = [f"period {label}" for label in db.session.scalars(db.select(Period.label).where(Period.label.in_(labels)))]
    emails = [email for _role, email, _name in _users_wanted()]
    found += [f"user {email}" for email in db.session.scalars(db.select(User.email).where(User.email.in_(emails)))]
    return found


def build_demo(lang: str = "en") -> DemoSummary:
    """Load the demo company in ``lang`` ("en" or "ru") and commit once.

    Creates divisions and departments (with ``parent_id``), external customers,
    services, contracts, periods 2026-Q1..Q4 (Q1–Q3 closed, Q4 open), users with
    password ``demo``, contract respondents and ratings (through
    :func:`tracker.services.ratings.save_rating`, so health is computed the standard
    way). The same data every run: the randomness is ``random.Random(2026)``.

    Raises
    ------
    DemoError
        The database already has departments, or demo periods or users; nothing is written.
    ValueError
        ``lang`` is not "en" or "ru".
    """
    if lang not in ("en", "ru"):
        raise ValueError(f"lang must be 'en' or 'ru', got {lang!r}")
    if department_count():
        raise DemoError(f"the database already has {department_count()} departments")
    clash = conflicts()
    if clash:
        raise DemoError("the database already has " + ", ".join(clash))
    try:
        summary = _build(data.COMPANY[_index(lang)], lang)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return summary


def _index(lang: str) -> int:
    return 0 if lang == "en" else 1


def _users_wanted() -> list[tuple[str, str, str | None]]:
    """(role, e-mail, department code) of every demo user, in creation order."""
    users: list[tuple[str, str, str | None]] = [(role, _email(local), None) for role, local, _ in data.STAFF]
    users += [("head", _email(f"head.{code.lower()}"), code) for code, _n, _h in data.DIVISIONS]
    users += [("head", _email(f"head.{code.lower()}"), code) for code, _d, _n, _h in data.DEPARTMENTS]
    users += [("member", _email(f"member.{code.lower()}"), code) for code, _n in data.MEMBERS]
    return users


def _follow_ups(contracts, periods, ratings, users, i: int) -> list[FollowUp]:
    """The demo's follow-ups: those of ``data.FOLLOW_UPS``, and in the open quarter one in each state
    of the loop on the lowest commented ratings, each with its timeline, so a newcomer sees it at work."""
    follow_ups: list[FollowUp] = []
    session = db.session

    def add(key, label, rating, title, status, ack_due, due, steps, response=None, closed=None, root_cause=None,
            plan=None):
        owner = users.get(_email(f"head.{key[0].lower()}"))
        customer_head = users[_email(f"head.{key[1].lower()}")] if _email(f"head.{key[1].lower()}") in users else None
        fu = FollowUp(contract_id=contracts[key].id, period_id=periods[label].id, rating_id=rating.id, title=title,
                      status=status, opened_by="rating", owner_id=owner.id if owner else None, ack_due=ack_due,
                      due_date=due, root_cause=root_cause, response=response, closed_at=data.moment(closed),
                      created_by_id=customer_head.id if customer_head else None)
        session.add(fu)
        session.flush()
        when = data.moment((ack_due - timedelta(days=7)).timetuple()[:3])
        previous = None
        for n, (action, to, text) in enumerate(steps):
            who = customer_head if action in ("open", "confirm", "reopen") else owner
            at = when + timedelta(days=2 * n)
            session.add(FollowUpEvent(follow_up_id=fu.id, user_id=who.id if who else None, action=action,
                                      from_status=previous, to_status=to, text=text, at=at))
            if action == "acknowledge":
                fu.acknowledged_at = at
            if action == "resolve":
                fu.resolved_at = at
            previous = to
        for what, who, on in plan or ():
            session.add(FollowUpAction(follow_up_id=fu.id, what=what[i], who=who[i], due_date=on))
        follow_ups.append(fu)

    def steps_to(status, root, action, response):
        steps = [("open", "open", None)]
        if status == "cancelled":
            return steps + [("cancel", "cancelled", response)]
        if status != "open":
            steps.append(("acknowledge", "acknowledged", root))
        if status in ("planned", "resolved", "confirmed"):
            steps.append(("plan", "planned", action))
        if status in ("resolved", "confirmed"):
            steps.append(("resolve", "resolved", response))
        if status == "confirmed":
            steps.append(("confirm", "confirmed", None))
        return steps

    for key, label, title, status, due, closed, response in data.FOLLOW_UPS:
        head = users[_email(f"head.{key[1].lower()}")]
        status = {"done": "confirmed"}.get(status, status)
        root = response[i] if response is not None and status not in ("open", "cancelled") else None
        add(key, label, ratings[key, label, head.email], title[i], status, due - timedelta(days=28), due,
            steps_to(status, root, title[i], None if response is None else response[i]),
            response=None if response is None else response[i], closed=closed, root_cause=root,
            plan=[(title, data.LOOP_TEXT["who"], due)] if status in ("planned", "resolved", "confirmed") else None)

    # The open quarter: the loop at work, one follow-up in each further state, on the lowest commented ratings.
    label = data.QUARTERS[-1]
    taken = {key for key, q, *_rest in data.FOLLOW_UPS if q == label}
    low = sorted((r.health, key, email) for (key, q, email), r in ratings.items()
                 if q == label and key not in taken and r.health is not None and r.health < 75 and r.comment)
    seen: set = set()
    low = [x for x in low if not (x[1] in seen or seen.add(x[1]))]
    text = {k: v[i] for k, v in data.LOOP_TEXT.items()}
    for (health, key, email), (status, ack_due, due, closed) in zip(low, data.LOOP_STATES):
        root = text["root_cause"] if status != "open" else None
        response = text["response"] if status in ("resolved", "confirmed") else None
        add(key, label, ratings[key, label, email], text["title"], status, ack_due, due,
            steps_to(status, root, text["action"], response), response=response, closed=closed, root_cause=root,
            plan=[(data.LOOP_TEXT["action"], data.LOOP_TEXT["who"], due)] if status in ("planned", "resolved",
                                                                                      "confirmed") else None)
    return follow_ups


def _email(local: str) -> str:
    return f"{local}@{data.EMAIL_DOMAIN}"


def _build(company: str, lang: str) -> DemoSummary:
    i = _index(lang)
    session = db.session
    criteria = _criteria()

    # Departments: divisions are internal departments without contracts, parents of the others.
    departments: dict[str, Department] = {}
    for code, name, _head in data.DIVISIONS:
        departments[code] = Department(code=code, name=name[i], kind="internal")
    for code, division, name, _head in data.DEPARTMENTS:
        departments[code] = Department(code=code, name=name[i], kind="internal", parent=departments[division])
    for code, name in data.EXTERNALS:
        departments[code] = Department(code=code, name=name[i], kind="external")
    session.add_all(departments.values())

    # One hash for everyone: hashing is slow on purpose, and every demo password is the same.
    password_hash = generate_password_hash(data.PASSWORD)
    names = {local: name for _role, local, name in data.STAFF}
    names |= {f"head.{code.lower()}": head for code, _n, head in data.DIVISIONS}
    names |= {f"head.{code.lower()}": head for code, _d, _n, head in data.DEPARTMENTS}
    names |= {f"member.{code.lower()}": name for code, name in data.MEMBERS}
    users: dict[str, User] = {}
    for role, email, code in _users_wanted():
        user = User(email=email, role=role, name=names[email.split("@")[0]][i], locale=lang,
                    department=departments[code] if code else None)
        user.password_hash = password_hash
        users[email] = user
    session.add_all(users.values())

    services: dict[tuple[str, str], Service] = {}
    contracts: dict[tuple[str, str], Contract] = {}
    for spec in data.CONTRACTS:
        name = spec.service[i]
        if (spec.supplier, name) not in services:
            services[spec.supplier, name] = Service(department=departments[spec.supplier], name=name)
        contracts[spec.key] = Contract(
            supplier=departments[spec.supplier], customer=departments[spec.customer],
            service=services[spec.supplier, name], criticality=spec.criticality, target=spec.target,
            floor=spec.floor, start_date=spec.start, end_date=spec.end, standard=spec.standard[i],
            transfer_price=None if spec.price is None else Decimal(spec.price).quantize(Decimal("0.01")),
            # The agreements predate the closed quarters (a contract created after a close is not active in it).
            created_at=data.moment(data.PERIODS[0][1].timetuple()[:3]),
        )
    session.add_all(services.values())
    session.add_all(contracts.values())

    periods = {
        label: Period(label=label, start_date=start, end_date=end, status=status,
                      opened_at=data.moment(opened), closed_at=data.moment(closed))
        for label, start, end, status, opened, closed in data.PERIODS
    }
    session.add_all(periods.values())
    if lang != "en" and session.get(Setting, "default_locale") is None:
        session.add(Setting(key="default_locale", value=lang))
    session.flush()

    respondents = []
    for key in data.MEMBER_RATES:
        customer = contracts[key].customer.code
        respondents.append(ContractRespondent(contract_id=contracts[key].id,
                                              user_id=users[_email(f"member.{customer.lower()}")].id,
                                              added_by_id=users[_email(f"head.{customer.lower()}")].id))
    session.add_all(respondents)

    admin = users[_email("admin")]
    rng = random.Random(SEED)
    # save_rating flushes every new rating itself; autoflushing again before each of its
    # lookups would double the flushes, the bulk of the load's time, for nothing.
    with session.no_autoflush:
        ratings = _rate(rng, contracts, periods, criteria, users, lang)

    follow_ups = _follow_ups(contracts, periods, ratings, users, i)
    rotations = [
        Rotation(from_department_id=departments[src].id, to_department_id=departments[dst].id, person=person[i],
                 on_date=on, duration=duration, status=status, notes=None if notes is None else notes[i])
        for src, dst, person, on, duration, status, notes in data.ROTATIONS
    ]
    session.add_all(rotations)
    _network_survey(admin.id)

    summary = DemoSummary(
        company=company,
        divisions=len(data.DIVISIONS),
        departments=len(data.DEPARTMENTS),
        externals=len(data.EXTERNALS),
        contracts=len(contracts),
        periods=list(data.QUARTERS),
        ratings=len(ratings),
        respondents=len(respondents),
        users=len(users),
        logins=list(users),
        follow_ups=len(follow_ups),
        rotations=len(rotations),
        active_in_open=sum(c.is_active_in(periods[data.QUARTERS[-1]]) for c in contracts.values()),
    )
    audit.record("import", "demo", None, {
        "departments": [None, summary.divisions + summary.departments + summary.externals],
        "contracts": [None, summary.contracts], "ratings": [None, summary.ratings], "users": [None, summary.users],
    }, reason=f"flask demo --lang {lang}", user_id=admin.id)
    return summary


def _network_survey(actor_id: int):
    """The demo's informal-network sample (tracker/demo/network/): two shadow services, one dormant agreement."""
    from pathlib import Path

    from ..importer.network import read_network_files
    from ..services import network as network_service

    folder = Path(__file__).parent / "network"
    read = read_network_files(folder / "ties.csv", folder / "people.csv", department_column="department")
    return network_service.store_survey(read, name="demo network survey", actor_id=actor_id, commit=False)


def _criteria() -> dict[str, Criterion]:
    """The active criteria by key; the four standard ones are added when there are none."""
    active = settings_service.active_criteria()
    if not active:
        for position, (key, name, name_ru) in enumerate(settings_service.DEFAULT_CRITERIA):
            db.session.add(Criterion(key=key, name=name, name_ru=name_ru, weight=1.0, position=position))
        db.session.flush()
        active = settings_service.active_criteria()
    return {c.key: c for c in active}


def _answers(rng: random.Random, spec: ContractSpec, label: str) -> list[Answer]:
    """The answers about ``spec`` in quarter ``label``: the literal story, or generated from its level."""
    story = data.STORY.get(spec.key, {})
    if label in story:
        return story[label]
    q = data.QUARTERS.index(label)
    level = spec.levels[q]
    if level is None or spec.key in data.SKIPPED.get(label, ()):
        return []
    if label == data.CURRENT and spec.key not in data.Q4_RATED:
        return []
    external = spec.customer in {code for code, _name in data.EXTERNALS}
    # External customers are rated by the customer-experience office from its surveys.
    answers = [_generated(rng, spec, level, CX if external else HEAD)]
    if label in data.MEMBER_RATES.get(spec.key, ()):
        answers.append(_generated(rng, spec, level, MEMBER))
    return answers


def _generated(rng: random.Random, spec: ContractSpec, level: float, respondent: str) -> Answer:
    """One answer around ``level`` (mean 1–5 score); value is N/A for agreements without a price.

    The random draws do not depend on the language, so both variants carry the same numbers.
    """
    scores = tuple(
        None if key == "value" and spec.price is None else min(5, max(1, round(level + rng.gauss(0, NOISE))))
        for key in CRITERIA
    )
    answered = [s for s in scores if s is not None]
    mean = sum(answered) / len(answered)
    recommend = min(10, max(0, round(2.5 * (mean - 1) + rng.gauss(0, 0.7))))
    health = 100 * (mean - 1) / 4
    standard = "met" if health >= 75 else "partly" if health >= 50 else "missed"
    comment = None
    if min(answered) <= 2:
        worst = CRITERIA[scores.index(min(answered))]
        pool = spec.low or data.LOW_COMMENTS[worst]
        comment = pool[rng.randrange(len(pool))]
    elif recommend <= 6:
        pool = spec.low or data.LUKEWARM
        comment = pool[rng.randrange(len(pool))]
    elif health >= 75 and rng.random() < 0.3:
        pool = spec.high or data.PRAISE
        comment = pool[rng.randrange(len(pool))]
    return Answer(respondent, scores, recommend, standard, comment)  # type: ignore[arg-type]


def _rate(rng: random.Random, contracts: dict[tuple[str, str], Contract], periods: dict[str, Period],
          criteria: dict[str, Criterion], users: dict[str, User], lang: str) -> dict[tuple[tuple[str, str], str, str], Rating]:
    """Save every rating of the four quarters through the ratings service.

    Returns the ratings by ((supplier, customer), quarter, respondent key).
    """
    i = _index(lang)
    admin = users[_email("admin")]
    saved: dict[tuple[tuple[str, str], str, str], Rating] = {}
    for label in data.QUARTERS:
        period = periods[label]
        for spec in data.CONTRACTS:
            contract = contracts[spec.key]
            for answer in _answers(rng, spec, label):
                if answer.respondent == CX:
                    key, respondent_id, actor_id = "", None, admin.id
                else:
                    person = users[_email(f"{answer.respondent}.{spec.customer.lower()}")]
                    key, respondent_id, actor_id = person.email, person.id, person.id
                saved[spec.key, label, key], _changed = save_rating(
                    contract, period,
                    RatingInput(scores={k: s for k, s in zip(CRITERIA, answer.scores) if k in criteria},
                                recommend=answer.recommend, standard_met=answer.standard_met,
                                no_interaction=answer.no_interaction,
                                comment=None if answer.comment is None else answer.comment[i]),
                    respondent_key=key, respondent_id=respondent_id, actor_id=actor_id,
                    require_open=False, criteria=criteria,
                )
    return saved
