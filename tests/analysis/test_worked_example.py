"""The worked example of the product brief must come out exactly so."""

import pytest

from tracker.analysis import Contract, Department, Rating, analyze

PERIOD = "2026-Q3"
PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3"]

# (supplier, customer, service, health, criticality, recommend)
LINKS = [
    ("PROC", "WH", "purchasing", 80.0, 3, None),
    ("WH", "LOG", "storage", 45.0, 3, None),
    ("LOG", "EXT", "delivery", 90.0, 3, None),
    ("IT", "WH", "IT support", 70.0, 2, 7),
    ("IT", "LOG", "IT support", 85.0, 2, 9),
    ("HR", "IT", "recruiting", 60.0, 1, None),
    ("SALES", "EXT", "sales", 75.0, 3, None),
    ("IT", "SALES", "CRM", 55.0, 2, 5),
    ("FIN", "HR", "payroll", None, 1, None),
    ("HR", "FIN", "recruiting", 95.0, 1, None),
    ("IT", "MKT", "IT support", 40.0, 1, 2),
]
# "Was the agreed standard met" answers (issue 13, newer than the brief's worked example):
# IT's standard met = (1 + 0.5 + 0) / 3 = 0.5.
STANDARD_MET = {("IT", "WH"): "met", ("IT", "LOG"): "partly", ("IT", "SALES"): "missed"}
INTERNAL = ["PROC", "WH", "LOG", "IT", "HR", "FIN", "SALES", "MKT"]


def _worked_example():
    departments = [Department(code, code.title(), "internal") for code in INTERNAL]
    departments.append(Department("EXT", "Retail clients", "external"))
    contracts = []
    ratings = []
    for cid, (s, c, service, health, crit, recommend) in enumerate(LINKS, start=1):
        contracts.append(Contract(cid, s, c, service, crit))
        if health is not None:
            ratings.append(Rating(cid, PERIOD, health, recommend=recommend,
                                  standard_met=STANDARD_MET.get((s, c))))
    return departments, contracts, ratings


@pytest.fixture(scope="module")
def result():
    departments, contracts, ratings = _worked_example()
    return analyze(departments, contracts, ratings, PERIOD, PERIODS)


def _cid(supplier, customer):
    return next(i for i, link in enumerate(LINKS, start=1) if link[:2] == (supplier, customer))


@pytest.mark.parametrize(
    "code, strength",
    [("PROC", 45.0), ("WH", 45.0), ("LOG", 90.0), ("IT", 85.0), ("HR", 60.0),
     ("SALES", 75.0), ("FIN", 60.0), ("MKT", None)],
)
def test_chain_strength(result, code, strength):
    assert result.departments[code].chain_strength == strength


@pytest.mark.parametrize(
    "code, link",
    [("PROC", ("WH", "LOG")), ("WH", ("WH", "LOG")), ("IT", ("IT", "LOG")),
     ("HR", ("HR", "IT")), ("FIN", ("HR", "IT")), ("LOG", ("LOG", "EXT")),
     ("SALES", ("SALES", "EXT")), ("MKT", None)],
)
def test_bottleneck(result, code, link):
    expected = None if link is None else _cid(*link)
    assert result.departments[code].bottleneck == expected


def test_only_fin_relies_on_unrated(result):
    relies = [code for code, d in result.departments.items() if d.relies_on_unrated]
    assert relies == ["FIN"]


def test_cut_off(result):
    assert result.cut_off == ["MKT"]
    assert [code for code, d in result.departments.items() if d.cut_off] == ["MKT"]


@pytest.mark.parametrize(
    "link, expected",
    [(("PROC", "WH"), 1), (("WH", "LOG"), 5), (("LOG", "EXT"), 6), (("IT", "WH"), 3),
     (("IT", "LOG"), 3), (("HR", "IT"), 2), (("SALES", "EXT"), 4), (("IT", "SALES"), 3),
     (("FIN", "HR"), 2), (("HR", "FIN"), 2), (("IT", "MKT"), 0)],
)
def test_reach(result, link, expected):
    assert result.contracts[_cid(*link)].reach == expected


def test_weak_links_in_order(result):
    got = [
        (w.rank, w.contract.supplier, w.contract.customer, w.risk, w.severity, w.health)
        for w in result.weak_links
    ]
    assert got == [
        (1, "WH", "LOG", 450.0, "critical", 45.0),
        (2, "IT", "SALES", 120.0, "warning", 55.0),
        (3, "HR", "IT", 30.0, "warning", 60.0),
        (4, "IT", "WH", 30.0, "warning", 70.0),
    ]


def test_blind_spot(result):
    assert [(b.contract.supplier, b.contract.customer, b.reach) for b in result.blind_spots] == [
        ("FIN", "HR", 2)
    ]


def test_dominates(result):
    assert result.dominated == {
        "PROC": 0, "WH": 1, "LOG": 2, "IT": 2, "HR": 1, "FIN": 0, "SALES": 0, "MKT": 0,
    }


def test_it_nps_and_csat(result):
    it = result.departments["IT"]
    assert (it.nps, it.nps_responses, it.nps_shown, it.small_sample) == (-25.0, 4, -25, True)
    assert it.csat == 25.0


def test_to_json(result):
    def dep(code, strength, bottleneck, dominates, csat, response_rate, *,
            relies=False, cut=False, nps=None, n=0, standard_met=None):
        return {
            "code": code, "name": code.title(), "kind": "internal",
            "chain_strength": strength, "bottleneck": bottleneck,
            "relies_on_unrated": relies, "cut_off": cut, "dominates": dominates,
            "nps": nps, "nps_responses": n, "csat": csat, "standard_met": standard_met,
            "response_rate": response_rate,
        }

    hr_it = {"supplier": "HR", "customer": "IT", "service": "recruiting"}
    wh_log = {"supplier": "WH", "customer": "LOG", "service": "storage"}
    assert result.to_json() == {
        "period": "2026-Q3",
        "target": 75.0,
        "floor": 50.0,
        "departments": [
            dep("FIN", 60.0, hr_it, 0, None, 1.0, relies=True),
            dep("HR", 60.0, hr_it, 1, 50.0, 0.0),
            dep("IT", 85.0, {"supplier": "IT", "customer": "LOG", "service": "IT support"}, 2,
                25.0, 1.0, nps=-25.0, n=4, standard_met=0.5),
            dep("LOG", 90.0, {"supplier": "LOG", "customer": "EXT", "service": "delivery"}, 2,
                100.0, 1.0),
            dep("MKT", None, None, 0, None, 1.0, cut=True),
            dep("PROC", 45.0, wh_log, 0, 100.0, None),
            dep("SALES", 75.0, {"supplier": "SALES", "customer": "EXT", "service": "sales"}, 0,
                100.0, 1.0),
            dep("WH", 45.0, wh_log, 1, 0.0, 1.0),
        ],
        "weak_links": [
            {"rank": 1, "supplier": "WH", "customer": "LOG", "service": "storage", "health": 45.0,
             "stale": False, "criticality": 3, "reach": 5, "risk": 450.0, "severity": "critical"},
            {"rank": 2, "supplier": "IT", "customer": "SALES", "service": "CRM", "health": 55.0,
             "stale": False, "criticality": 2, "reach": 3, "risk": 120.0, "severity": "warning"},
            {"rank": 3, "supplier": "HR", "customer": "IT", "service": "recruiting", "health": 60.0,
             "stale": False, "criticality": 1, "reach": 2, "risk": 30.0, "severity": "warning"},
            {"rank": 4, "supplier": "IT", "customer": "WH", "service": "IT support", "health": 70.0,
             "stale": False, "criticality": 2, "reach": 3, "risk": 30.0, "severity": "warning"},
        ],
        "blind_spots": [{"supplier": "FIN", "customer": "HR", "service": "payroll", "reach": 2}],
        "cut_off": ["MKT"],
    }


def test_to_json_key_order(result):
    data = result.to_json()
    assert list(data) == ["period", "target", "floor", "departments", "weak_links", "blind_spots", "cut_off"]
    assert list(data["departments"][0]) == [
        "code", "name", "kind", "chain_strength", "bottleneck", "relies_on_unrated", "cut_off",
        "dominates", "nps", "nps_responses", "csat", "standard_met", "response_rate",
    ]
    assert list(data["weak_links"][0]) == [
        "rank", "supplier", "customer", "service", "health", "stale", "criticality", "reach",
        "risk", "severity",
    ]


def test_to_json_is_serializable(result):
    import json

    assert json.loads(json.dumps(result.to_json())) == result.to_json()


def test_result_does_not_depend_on_input_order():
    departments, contracts, ratings = _worked_example()
    forward = analyze(departments, contracts, ratings, PERIOD, PERIODS).to_json()
    backward = analyze(departments[::-1], contracts[::-1], ratings[::-1], PERIOD, PERIODS).to_json()
    assert forward == backward
