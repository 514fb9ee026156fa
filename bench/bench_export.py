"""Excel export time against rows: streamed (write-only) XLSX must grow linearly.

Prints seconds and seconds per 1,000 rows for 2k, 4k, 8k and 16k rows of a ratings
report shaped like the real one (text, numbers, a neutralised formula-looking cell).
Issue 15 measured 0.8 s, 2.1 s, 7.8 s, 30 s before (quadratic).
"""
from __future__ import annotations

import time

from tracker.importer.export import RATING_REPORT_COLUMNS, xlsx_bytes


def rows(n: int) -> list[list]:
    body = [["2026-Q3", f"S{i % 97}", "Supplier", f"C{i % 89}", "Customer", "IT support", f"r{i}@x.org",
             4, 3, 5, None, 8, "met", "no", 75.0, "=SUM(A1)" if i % 50 == 0 else "fine"] for i in range(n)]
    return [list(RATING_REPORT_COLUMNS), *body]


def main() -> None:
    for n in (2000, 4000, 8000, 16000):
        data = rows(n)
        start = time.perf_counter()
        size = len(xlsx_bytes({"ratings": data}))
        elapsed = time.perf_counter() - start
        print(f"xlsx export {n:>6} rows: {elapsed:6.2f} s ({1000 * elapsed / n:.3f} s per 1,000 rows, {size} bytes)")


if __name__ == "__main__":
    main()
