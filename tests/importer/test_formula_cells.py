"""Formula cells in a workbook: read by the value the spreadsheet saved, refused by name without one."""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from tracker.extensions import db
from tracker.importer import reader, service
from tracker.importer.reader import parse_set

from .. import factories
from .helpers import row_counts

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(cached: str | None) -> bytes:
    """A departments sheet whose WH name is the formula ="Ware"&"house"; with ``cached`` as its saved value."""
    book = Workbook()
    sheet = book.active
    sheet.title = "departments"
    sheet.append(["code", "name", "kind"])
    sheet.append(["WH", '="Ware"&"house"', "internal"])
    sheet.append(["IT", "IT", "internal"])
    out = io.BytesIO()
    book.save(out)
    if cached is None:  # openpyxl writes no saved value, as a program that does not calculate
        return out.getvalue()
    # What Excel writes: the formula with the value it calculated.
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET:
                old = b'<c r="B2"><f>"Ware"&amp;"house"</f><v /></c>'
                assert old in data
                data = data.replace(old, b'<c r="B2" t="str"><f>"Ware"&amp;"house"</f><v>'
                                    + cached.encode() + b"</v></c>")
            target.writestr(item, data)
    return edited.getvalue()


def test_a_formula_is_read_by_its_saved_value():
    tables, problems = reader.read_workbook(io.BytesIO(_workbook("Warehouse")))
    assert problems == []
    assert [d.name for d in parse_set(tables).departments] == ["Warehouse", "IT"]


def test_a_formula_without_a_saved_value_is_refused_by_cell_and_column(app, tmp_path):
    (tmp_path / "org.xlsx").write_bytes(_workbook(None))
    _, problems = reader.read_workbook(tmp_path / "org.xlsx")
    assert [str(p) for p in problems] == [
        "departments.csv:2: name '=\"Ware\"&\"house\"': cell B2 of sheet departments holds a formula with no "
        "saved value; open the workbook in Excel or LibreOffice and save it, or paste the values"]
    assert problems[0].column == "name"
    before = row_counts()
    result = service.import_path(tmp_path / "org.xlsx")
    assert [p.line for p in result.problems] == [2] and "cell B2" in result.problems[0].reason
    assert row_counts() == before  # nothing written, and no department named ""


def test_a_workbook_without_formulas_is_not_read_twice(monkeypatch):
    calls = []
    real = reader.uncached_formulas.__globals__["_holds_formula"]
    monkeypatch.setitem(reader.uncached_formulas.__globals__, "_holds_formula",
                        lambda archive, name: calls.append(name) or real(archive, name))
    book = Workbook()
    book.active.title = "departments"
    book.active.append(["code", "name"])
    book.active.append(["IT", "IT"])
    out = io.BytesIO()
    book.save(out)
    assert reader.uncached_formulas(io.BytesIO(out.getvalue()), ["departments.csv"]) == []
    assert calls == [SHEET]


def test_the_web_upload_refuses_it_naming_the_cell(client, auth, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    factories.user("admin@test.local", "admin")
    db.session.commit()
    auth.login("admin@test.local")
    before = _data_rows()
    response = client.post("/admin/imports", data={"file": (io.BytesIO(_workbook(None)), "org.xlsx")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "cell B2 of sheet departments holds a formula with no saved value" in page
    assert _data_rows() == before  # the refused upload is listed as a job; no data is written


def _data_rows() -> dict[str, int]:
    return {name: count for name, count in row_counts().items() if name not in ("import_jobs", "audit_log")}


def test_a_survey_workbook_with_an_unsaved_formula_is_refused():
    import pytest

    from tracker.importer.survey import read_survey
    from tracker.importer.uploads import ImportFileError

    with pytest.raises(ImportFileError, match="cell B2 of sheet departments holds a formula"):
        read_survey("survey.xlsx", _workbook(None))
    assert read_survey("survey.xlsx", _workbook("Warehouse")).rows[0][1][1] == "Warehouse"
