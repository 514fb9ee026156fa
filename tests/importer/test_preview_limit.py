"""A large upload's preview (issue 15): the first N changed rows with the count of the rest, in bounded memory.

A 30 MB departments.csv once took minutes to preview and 3.6 GB in a worker: every row
was held several times over. The preview lists at most ``IMPORT_PREVIEW_ROWS`` rows of
changes (and of problems) and counts the rest; the file is read as a stream.
"""
from __future__ import annotations

import csv
import gc
import io
import tracemalloc

import pytest

from tracker.extensions import db
from tracker.importer import jobs, service
from tracker.importer.uploads import read_upload

from .. import factories
from .test_admin_imports import follow, upload

ROWS = 20_000


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


@pytest.fixture
def big_upload():
    """Collect, within the test, the test client's own multipart body: werkzeug's test client spools a body
    over 500 KB to a temporary file it never closes, which would warn in whichever test collects it."""
    yield
    gc.collect()


def departments_csv(rows: int = ROWS, *, bad_every: int = 0) -> bytes:
    """``rows`` new departments (each tenth one's parent is an earlier one); every ``bad_every``-th kind is bad."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "name", "kind", "parent_code", "head_email"])
    for i in range(rows):
        kind = "sideways" if bad_every and i % bad_every == 0 else "internal"
        writer.writerow([f"D{i:06d}", f"Department number {i} of a generated organization", kind,
                         f"D{i // 10:06d}" if i else "", ""])
    return out.getvalue().encode()


def test_preview_lists_the_first_rows_of_changes_and_counts_the_rest(app):
    app.config["IMPORT_PREVIEW_ROWS"] = 200
    result = service.import_set(read_upload("departments.csv", departments_csv()), dry_run=True)
    assert not result.problems
    assert result.counts["departments"].added == ROWS
    assert len(result.preview) == 200 and result.preview_more == ROWS - 200
    assert result.preview[0] == ("departments.csv", 2, "D000000", "added", ())
    assert result.preview[-1][:3] == ("departments.csv", 201, "D000199")
    payload = jobs.result_json(result)
    assert len(payload["preview"]) == 200 and payload["preview_more"] == 19_800


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_preview_page_shows_n_rows_and_the_count_of_the_rest(app, client, auth, big_upload):
    app.config["IMPORT_PREVIEW_ROWS"] = 50
    factories.user("admin@test.local", "admin")
    db.session.commit()
    auth.login()
    _location, page = follow(client, upload(client, departments_csv(), "departments.csv"))
    assert "Preview: nothing has been written yet" in page
    table = page.split('id="import-preview"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + 50  # the header row and 50 rows of changes
    assert "D000049" in table and "D000050" not in table
    assert "… and 19,950 more rows" in page


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_problems_are_listed_up_to_the_limit_with_the_count_of_the_rest(app, client, auth, big_upload):
    app.config["IMPORT_PREVIEW_ROWS"] = 20
    factories.user("admin@test.local", "admin")
    db.session.commit()
    auth.login()
    _location, page = follow(client, upload(client, departments_csv(2_000, bad_every=10), "departments.csv"))
    assert "200 problem(s) found; nothing was written" in page
    table = page.split('id="import-problems"', 1)[1].split("</table>", 1)[0]
    assert table.count("kind &#39;sideways&#39;: expected internal or external") == 20
    assert "… and 180 more problems" in page


def _peak(run) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_preview_memory_stays_below_holding_the_file_as_rows(app):
    """The whole preview (read, check, plan) peaks below merely holding the file's rows as lists of cells.

    The bound is measured, not guessed: the reference is ``list(csv.reader(...))`` of the same
    bytes, the least a whole-file-in-memory reader holds before it has checked anything. A
    memory assertion, not a timed one.
    """
    data = departments_csv()

    def whole_file():
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert len(rows) == ROWS + 1

    def preview():
        result = service.import_set(read_upload("departments.csv", data), dry_run=True)
        assert result.counts["departments"].added == ROWS

    service.import_set(read_upload("departments.csv", departments_csv(10)), dry_run=True)  # warm caches
    reference, used = _peak(whole_file), _peak(preview)
    assert used < reference, f"preview peaked at {used / 2**20:.1f} MiB, the rows alone take {reference / 2**20:.1f} MiB"
