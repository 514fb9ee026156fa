"""The sample files in docs/import/ import cleanly into an empty database, and the layout page documents every column."""
from __future__ import annotations

from pathlib import Path

from tracker.importer import service
from tracker.importer.reader import COLUMNS

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "import"


def test_the_sample_files_import_cleanly_into_an_empty_database(app):
    result = service.import_path(DOCS / "sample")
    assert result.problems == []
    assert {name: c.added for name, c in result.counts.items()} == {
        "departments": 5, "contracts": 5, "periods": 1, "ratings": 5}
    again = service.import_path(DOCS / "sample")
    assert not again.changed_anything


def test_the_layout_documents_every_column_of_every_file():
    text = (DOCS / "README.md").read_text(encoding="utf-8")
    for file, columns in COLUMNS.items():
        assert f"## {file}" in text
        for column in columns:
            assert f"`{column}`" in text, (file, column)


def test_readme_and_import_page_link_the_layout(client, auth, app):
    readme = (DOCS.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/import/README.md" in readme and "docs/import/sample/" in readme
    from tracker.extensions import db

    from .. import factories

    factories.user("admin@test.local", "admin")
    db.session.commit()
    auth.login("admin@test.local")
    page = client.get("/admin/imports").get_data(as_text=True)
    assert "/admin/imports/layout" in page and "/admin/imports/sample/ratings.csv" in page
    layout = client.get("/admin/imports/layout")
    assert layout.status_code == 200 and "## ratings.csv" in layout.get_data(as_text=True)
    sample = client.get("/admin/imports/sample/departments.csv")
    assert sample.status_code == 200 and sample.data.startswith(b"code,name")
    assert client.get("/admin/imports/sample/..%2Fsecret").status_code == 404
