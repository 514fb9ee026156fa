"""Acceptance on real data nobody here wrote: Krackhardt's high-tech managers and Lazega's law firm.

The reference values are the published ones quoted in each folder's README (the matrix is
read from the README itself).
"""
from __future__ import annotations

import json

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.importer.network import read_network_files
from tracker.models import AuditLog, NetworkSurvey, NetworkVolume

from .helpers import readme_matrix, shared_data


def _krackhardt():
    folder = shared_data("krackhardt-hightech")
    return folder, folder / "Advice.csv", folder / "Krack-High-Tec-Attributes.csv"


def test_krackhardt_advice_rolls_up_to_the_published_department_matrix():
    folder, advice, attributes = _krackhardt()
    read = read_network_files(advice, attributes, department_column="DEPT")
    assert read.problems == []
    rollup = read.rollup()
    assert (rollup.people, rollup.ties) == (21, 190)
    assert read.self_pairs == 0 and read.zero == 441 - 190  # the full 21 × 21 matrix in long form
    # in-degree: how often a manager is asked; out-degree of 15 asks everyone else
    assert rollup.in_degree["2"] == 18
    assert [rollup.in_degree[p] for p in ("21", "18", "1", "7")] == [15, 15, 13, 13]
    assert max(rollup.in_degree.values()) == 18
    assert sum(1 for t in read.ties if t.asker == "15") == 20
    # seeker-department row → advisor-department column; the advisor's department supplies
    matrix = readme_matrix(folder / "README.md")
    for seeker, row in enumerate(matrix):
        for advisor, expected in enumerate(row):
            if seeker == advisor:
                assert rollup.within[str(seeker)] == expected
            else:
                assert rollup.volumes.get((str(advisor), str(seeker)), 0) == expected, (seeker, advisor)
    asked_of_1 = sum(n for (s, _c), n in rollup.volumes.items() if s == "1") + rollup.within["1"]
    assert asked_of_1 == 51 == max(sum(r[c] for r in matrix) for c in range(5))
    assert rollup.departments == {"0": 1, "1": 5, "2": 8, "3": 3, "4": 4}


def test_krackhardt_through_the_command_prints_the_json_and_stores_the_survey(app, runner):
    _folder, advice, attributes = _krackhardt()
    result = runner.invoke(args=["import-network", str(advice), "--people", str(attributes),
                                 "--department-column", "DEPT", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"people", "ties", "in_degree", "volumes", "within"}
    assert (data["people"], data["ties"], data["in_degree"]["2"]) == (21, 190, 18)
    assert {"supplier": "1", "customer": "2", "volume": 25} in data["volumes"]
    assert sum(v["volume"] for v in data["volumes"]) + sum(data["within"].values()) == 190
    assert data["within"] == {"0": 0, "1": 9, "2": 25, "3": 4, "4": 8}
    survey = db.session.scalar(select(NetworkSurvey))
    assert (survey.people, survey.ties, survey.name) == (21, 190, "Advice.csv")
    stored = {(v.supplier_code, v.customer_code): v.volume for v in survey.volumes}
    assert stored[("1", "2")] == 25 and stored[("2", "2")] == 25 and sum(stored.values()) == 190
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "network_survey")) == 1


def test_dry_run_prints_but_stores_nothing(app, runner):
    _folder, advice, attributes = _krackhardt()
    result = runner.invoke(args=["import-network", str(advice), "--people", str(attributes),
                                 "--department-column", "dept", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "people: 21" in result.output and "ties: 190" in result.output and "1 → 2: 25" in result.output
    assert db.session.scalar(select(func.count()).select_from(NetworkVolume)) == 0


def test_lazega_advice_layer_from_pajek(app, runner):
    paj = shared_data("lazega-lawfirm") / "Lazega-Law-Firm.paj"
    read = read_network_files(paj, department_column="office,practice")
    assert read.problems == []
    assert read.relation == "advice"
    rollup = read.rollup()
    assert (rollup.people, rollup.ties) == (71, 892)
    assert rollup.in_degree["26"] == 37
    assert [rollup.in_degree[p] for p in ("13", "17", "24", "34")] == [34, 26, 26, 25]
    # units office × practice: Boston-lit 29, Boston-corp 19, Hartford-lit 11, Hartford-corp 8, Providence 1 + 3
    assert rollup.departments == {"1-1": 29, "1-2": 19, "2-1": 11, "2-2": 8, "3-1": 1, "3-2": 3}
    assert sum(rollup.volumes.values()) + sum(rollup.within.values()) == 892
    # the other layers have their published sizes too
    assert len(read_network_files(paj, department_column="office", relation="friendship").ties) == 575
    assert len(read_network_files(paj, department_column="office", relation="3").ties) == 1104

    result = runner.invoke(args=["import-network", str(paj), "--department-column", "office,practice", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["people"], data["ties"], data["in_degree"]["26"]) == (71, 892, 37)
