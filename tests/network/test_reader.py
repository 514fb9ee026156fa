"""Reading a network survey: formats, direction, weights, self-pairs, and refusals with file, line and reason."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.importer.network import read_network, read_network_files
from tracker.models import AuditLog, NetworkSurvey, NetworkVolume

from .helpers import shared_data, write

PEOPLE = "id;dept;level\n1;A;2\n2;B;3\n3;B;3\n4;C;3\n"


def _read(edges: str, people: str = PEOPLE, name: str = "ties.csv", column: str | None = "dept"):
    return read_network(name, edges.encode("utf-8"), "people.csv", people.encode("utf-8"), department_column=column)


def _problems(read) -> list[str]:
    return [str(p) for p in read.problems]


def test_the_advisor_department_supplies_the_asker_department():
    read = _read("ego;alter\n1;2\n1;3\n4;2\n2;3\n")
    assert read.problems == []
    rollup = read.rollup()
    assert rollup.volumes == {("B", "A"): 2, ("B", "C"): 1}
    assert rollup.within == {"A": 0, "B": 1, "C": 0}
    assert rollup.in_degree == {"1": 0, "2": 2, "3": 2, "4": 0}


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_any_delimiter_and_a_decimal_comma_weight(delimiter):
    weight = '"0,5"' if delimiter == "," else "0,5"
    rows = [["from", "to", "weight"], ["1", "2", weight], ["1", "3", "0"], ["4", "2", "1.0"], ["2", "2", "1"]]
    read = _read("\r\n".join(delimiter.join(r) for r in rows) + "\r\n")
    assert read.problems == []
    assert [(t.asker, t.advisor) for t in read.ties] == [("1", "2"), ("4", "2")]
    assert (read.zero, read.self_pairs) == (1, 1)


def test_a_pair_given_twice_is_one_tie_and_ids_ignore_leading_zeros():
    read = _read("ego;alter\n01;2\n1;02\n", people="id;dept\n1;A\n2;B\n")
    assert [(t.asker, t.advisor) for t in read.ties] == [("1", "2")]
    assert read.duplicates == 1


def test_a_headerless_whitespace_edge_list():
    read = _read("1 2\n4 2 1\n3 1 0\n")
    assert read.problems == [] and len(read.ties) == 2


def test_graphml_nodes_carry_the_department():
    graphml = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="unit" attr.type="string"/>
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph edgedefault="directed">
    <node id="a"><data key="d0">X</data></node>
    <node id="b"><data key="d0">Y</data></node>
    <node id="c"><data key="d0">Y</data></node>
    <edge source="a" target="b"><data key="w">2</data></edge>
    <edge source="a" target="c"><data key="w">0</data></edge>
    <edge source="c" target="a" directed="false"/>
  </graph>
</graphml>"""
    read = read_network("survey.graphml", graphml.encode(), department_column="unit")
    assert read.problems == []
    assert sorted((t.asker, t.advisor) for t in read.ties) == [("a", "b"), ("a", "c"), ("c", "a")]
    assert read.rollup().volumes == {("X", "Y"): 1, ("Y", "X"): 2}


# --- refusals --------------------------------------------------------------------------------

def test_a_person_in_no_department():
    read = _read("ego;alter\n1;2\n", people="id;dept\n1;A\n2;\n")
    assert _problems(read) == ["people.csv:3: person '2' is in no department (dept is blank)",
                               "ties.csv:2: advisor '2': unknown person code (not in the people of the survey)"]


def test_an_unknown_person_code():
    read = _read("ego;alter;edge\n1;2;1\n1;9;1\n")
    assert _problems(read) == ["ties.csv:3: advisor '9': unknown person code (not in the people of the survey)"]


def test_a_non_numeric_weight():
    read = _read("ego;alter;edge\n1;2;1\n1;3;yes\n1;4;-1\n")
    assert _problems(read) == ["ties.csv:3: weight 'yes': not a number", "ties.csv:4: weight '-1': must be 0 or more"]


def test_a_missing_department_column_names_the_columns_there_are():
    read = _read("ego;alter\n1;2\n", column="office")
    assert _problems(read) == ["people.csv:1: no department column 'office' (columns: id, dept, level)"]


def test_a_csv_edge_list_needs_a_people_file():
    read = read_network("ties.csv", b"ego;alter\n1;2\n")
    assert _problems(read) == ["ties.csv:0: a CSV edge list needs a people file (person id and department code)"]


def test_a_pajek_file_with_a_missing_partition(tmp_path):
    text = (shared_data("lazega-lawfirm") / "Lazega-Law-Firm.paj").read_text()
    read = read_network("lazega.paj", text.encode(), department_column="office,region")
    assert len(read.problems) == 1
    problem = read.problems[0]
    assert (problem.file, problem.line) == ("lazega.paj", len(text.splitlines()))
    assert problem.reason.startswith("partition 'region' is missing; partitions: status.clu, gender.clu, office.clu")


def test_a_pajek_partition_with_too_few_values():
    paj = '*Vertices 3\n1 "a"\n2 "b"\n3 "c"\n*Arcs\n1 2 1\n3 2 1\n*Partition unit.clu\n*Vertices 3\n1\n2\n'
    read = read_network("small.net", paj.encode(), department_column="unit")
    assert _problems(read) == ["small.net:8: person '3' is in no department: partition 'unit.clu' has 2 values "
                               "for 3 vertices",
                               "small.net:7: asker '3': unknown person code (not in the people of the survey)"]


def test_a_pajek_file_needs_the_partition_named_when_it_has_several():
    read = read_network_files(shared_data("lazega-lawfirm") / "Lazega-Law-Firm.paj")
    assert len(read.problems) == 1 and read.problems[0].line == 4
    assert "name the partition that gives the department" in read.problems[0].reason


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (NetworkSurvey, NetworkVolume,
                                                                                    AuditLog))


@pytest.mark.parametrize("edges, people, reason", [
    ("ego;alter\n1;2\n", "id;dept\n1;A\n2;\n", "people.csv:3: person '2' is in no department"),
    ("ego;alter\n1;7\n", PEOPLE, "ties.csv:2: advisor '7': unknown person code"),
    ("ego;alter;edge\n1;2;x\n", PEOPLE, "ties.csv:2: weight 'x': not a number"),
])
def test_the_command_refuses_bad_files_and_writes_nothing(app, runner, tmp_path, edges, people, reason):
    ties = write(tmp_path, "ties.csv", edges)
    who = write(tmp_path, "people.csv", people)
    before = _counts()
    result = runner.invoke(args=["import-network", str(ties), "--people", str(who), "--department-column", "dept",
                                 "--json"])
    assert result.exit_code == 1
    assert reason in result.stderr and "nothing was imported" in result.stderr
    assert result.stdout == ""
    assert _counts() == before


def test_the_command_refuses_a_pajek_file_with_a_missing_partition(app, runner):
    paj = shared_data("lazega-lawfirm") / "Lazega-Law-Firm.paj"
    before = _counts()
    result = runner.invoke(args=["import-network", str(paj), "--department-column", "division"])
    assert result.exit_code == 1
    assert "Lazega-Law-Firm.paj:" in result.stderr and "partition 'division' is missing" in result.stderr
    assert _counts() == before
