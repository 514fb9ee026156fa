"""Fuzzing the importer: random bytes and random CSV shapes never raise anything but ImportFileError
and never write part of an import."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.importer import service
from tracker.importer.reader import COLUMNS
from tracker.importer.survey import read_survey, survey_set
from tracker.importer.uploads import ImportFileError, read_upload

from .helpers import row_counts

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

NAMES = st.sampled_from(["org.xlsx", "org.zip", "departments.csv", "ratings.csv", "org.txt"])
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["IT", "LOG", "EXT", " it ", "2026-Q3", "2026-13", "1", "5", "7", "-1", "0,5", "=1+1", "high",
                     "высокая", "external", "yes", "met", "31.02.2026", "2026-01-01", "x@y.z", "", "NaN", "1e999"]),
)


def _csv_text(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
    return buffer.getvalue()


@st.composite
def csv_sets(draw):
    """A ZIP of some of the four files with shuffled, partly unknown columns and random cells."""
    members = {}
    for name in draw(st.lists(st.sampled_from(list(COLUMNS)), unique=True, max_size=4)):
        columns = draw(st.lists(st.sampled_from([*COLUMNS[name], "extra", ""]), max_size=8))
        rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(columns) + 1), max_size=5))
        text = _csv_text(columns, rows, draw(st.sampled_from([",", ";"])))
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]))
        members[name] = text.encode(encoding, errors="replace")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _import(name: str, data: bytes) -> None:
    try:
        imported = read_upload(name, data)
    except ImportFileError:
        return
    service.import_set(imported)


@pytest.fixture
def baseline(app):
    """A small organization already in the database, so a random file can clash with it."""
    from .helpers import WORKED_EXAMPLE

    assert service.import_path(WORKED_EXAMPLE).ok
    return row_counts()


@FUZZ
@given(name=NAMES, data=st.binary(max_size=2000))
def test_random_bytes(baseline, name, data):
    _import(name, data)
    assert row_counts() == baseline


@FUZZ
@given(data=csv_sets())
def test_random_csv_shapes(baseline, data):
    try:
        result = service.import_set(read_upload("org.zip", data))
    except ImportFileError:
        assert row_counts() == baseline
        return
    if result.problems or not result.changed_anything:
        assert row_counts() == baseline


@FUZZ
@given(data=st.one_of(st.binary(max_size=1500), st.builds(
           lambda rows: _csv_text(["a", "b", "Timestamp"], rows, ",").encode("utf-8"),
           st.lists(st.lists(CELLS, max_size=4), max_size=6))),
       name=st.sampled_from(["survey.csv", "survey.csv", "survey.xlsx", "survey.zip"]),
       mapping=st.fixed_dictionaries({"recommend_column": st.sampled_from(["a", "b", "x"]),
                                      "supplier": st.sampled_from(["IT", "", "NOPE"]),
                                      "customer": st.just("EXT"), "service": st.text(max_size=5),
                                      "period": st.sampled_from(["2026-Q3", "", "2026-99"])}))
def test_random_survey_files(baseline, data, name, mapping):
    try:
        result = service.import_set(survey_set(read_survey(name, data), mapping))
    except ImportFileError:
        assert row_counts() == baseline
        return
    if result.problems:
        assert row_counts() == baseline
