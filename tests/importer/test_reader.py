"""The reader: encodings, delimiters, headers and Excel-style values, without a database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.importer import reader
from tracker.importer.reader import Problem, RawTable, parse_set, read_csv


def _set(**files: str):
    tables = {f"{name}.csv": read_csv(f"{name}.csv", text.encode("utf-8")) for name, text in files.items()}
    return parse_set(tables)


MINIMAL = {"departments": "code,name\nIT,IT\n", "contracts": "supplier_code,customer_code,service\n"}


def test_decode_utf8_with_and_without_bom_and_cp1251():
    text = "code;name\nIT;Информационные технологии\n"
    assert reader.decode(text.encode("utf-8")) == text
    assert reader.decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert reader.decode(text.encode("cp1251")) == text


@pytest.mark.parametrize("header, expected", [
    ("code,name,kind", ","), ("code;name;kind", ";"), ('"a;b",c', ","), ("code", ","),
])
def test_sniff_delimiter(header, expected):
    assert reader.sniff_delimiter(header + "\nx\n") == expected


@pytest.mark.parametrize("raw, expected", [
    ("Supplier Code", "supplier_code"), ("  HEAD_EMAIL ", "head_email"), ("\ufeffcode", "code"),
    ("start-date", "start_date"),
])
def test_normalise_header(raw, expected):
    assert reader.normalise_header(raw) == expected


def test_cp1251_semicolon_file_reads_cyrillic():
    data = "Code;Name;Kind\nIT;Информационные технологии;internal\nEXT;Розница;external\n".encode("cp1251")
    table = read_csv("departments.csv", data)
    assert table.header == ["code", "name", "kind"]
    assert table.rows == [(2, ["IT", "Информационные технологии", "internal"]), (3, ["EXT", "Розница", "external"])]


def test_line_numbers_follow_the_file_with_blank_and_multiline_rows():
    data = b'code,name\n\nIT,"Two\nlines"\nLOG,Logistics\n'
    table = read_csv("departments.csv", data)
    assert [line for line, _ in table.rows] == [3, 5]


def test_excel_dates_decimal_comma_and_stray_spaces():
    result = _set(
        departments="code,name\n IT ,IT\nL OG,Logistics\n",
        contracts=("supplier_code;customer_code;service;criticality;target;floor;start_date;end_date;transfer_price\n"
                   " IT ; L OG ; IT  support ;Высокая;72,5;40;01.07.2026;31.12.2026;1 200,50\n"),
    )
    assert result.problems == []
    assert [d.code for d in result.departments] == ["IT", "LOG"]
    con = result.contracts[0]
    assert (con.supplier_code, con.customer_code, con.service) == ("IT", "LOG", "IT support")
    assert (con.criticality, con.target, con.floor) == (3, 72.5, 40.0)
    assert (con.start_date, con.end_date) == (date(2026, 7, 1), date(2026, 12, 31))
    assert con.transfer_price == Decimal("1200.50")


@pytest.mark.parametrize("word, level", [("1", 1), ("medium", 2), ("HIGH", 3), ("низкая", 1), ("Средняя", 2)])
def test_criticality_words(word, level):
    result = _set(departments="code,name\nA,A\n", contracts=f"supplier_code,customer_code,service,criticality\nA,B,s,{word}\n")
    assert result.contracts[0].criticality == level


def test_bad_cells_are_problems_with_file_line_field_and_value():
    result = _set(
        departments="code,name,kind\nIT,IT,supplier\n",
        contracts=("supplier_code,customer_code,service,criticality,target,start_date,transfer_price\n"
                   "IT,LOG,s,4,101,31.02.2026,\"1,234\"\n"),
        ratings=("period,supplier_code,customer_code,service,quality,recommend,standard_met,no_interaction\n"
                 "2026-Q3,IT,LOG,s,6,11,sometimes,maybe\n2026-Q3,IT,LOG,s,4.5,x,,\n"),
    )
    assert [str(p) for p in result.problems] == [
        "departments.csv:2: kind 'supplier': expected internal or external",
        "contracts.csv:2: criticality '4': expected 1–3, low, medium or high",
        "contracts.csv:2: target '101': out of range 0–100",
        "contracts.csv:2: start_date '31.02.2026': not a date (use YYYY-MM-DD or DD.MM.YYYY)",
        "contracts.csv:2: transfer_price '1,234': expected a number with at most 2 decimals below 10¹²",
        "ratings.csv:2: quality '6': out of range 1–5",
        "ratings.csv:2: recommend '11': out of range 0–10",
        "ratings.csv:2: standard_met 'sometimes': expected met, partly, missed or blank",
        "ratings.csv:2: no_interaction 'maybe': expected yes, no or blank",
        "ratings.csv:3: quality '4.5': expected a whole number 1–5",
        "ratings.csv:3: recommend 'x': expected a whole number 0–10",
    ]


def test_missing_files_columns_and_blank_required_cells():
    result = parse_set({
        "contracts.csv": read_csv("contracts.csv", b"supplier_code,service\nIT,s\n"),
        "ratings.csv": read_csv("ratings.csv", b"period,supplier_code,customer_code,service\n,IT,LOG,s\n"),
    })
    assert result.problems == [  # departments.csv may be absent: the files present are imported
        Problem("contracts.csv", 1, "missing required column customer_code"),
        Problem("ratings.csv", 2, "period is blank"),
    ]


def test_header_row_required():
    result = parse_set({"departments.csv": RawTable("departments.csv", [], []), **{
        "contracts.csv": read_csv("contracts.csv", b"supplier_code,customer_code,service\n")}})
    assert [str(p) for p in result.problems] == ["departments.csv:1: header row is missing"]


def test_neutralising_apostrophe_is_dropped():
    result = _set(departments="code,name\nIT,'=SUM(A1)\nHR,'not a formula\n", contracts=MINIMAL["contracts"])
    assert [d.name for d in result.departments] == ["=SUM(A1)", "'not a formula"]


def test_ratings_values():
    result = _set(**MINIMAL, ratings=(
        "Period,Supplier Code,Customer Code,Service,Respondent,Quality,Value,Recommend,Standard Met,No Interaction\n"
        "2026-q3,IT,LOG,s, Ann@Example.COM ,5,,10,Partly,\n2026-Q3,IT,LOG,s,,,,,,да\n"))
    assert result.problems == []
    first, second = result.ratings
    assert (first.period, first.respondent, first.scores, first.recommend, first.standard_met) == (
        "2026-Q3", "ann@example.com", {"quality": 5, "value": None}, 10, "partly")
    assert (second.no_interaction, second.scores) == (True, {"quality": None, "value": None})


def test_huge_transfer_price_is_a_problem_not_a_crash():
    """Found by the fuzz test: quantizing 1e999 raised InvalidOperation."""
    from tracker.importer.reader import RawTable, parse_set

    tables = {"departments.csv": RawTable("departments.csv", ["code", "name"], []),
              "contracts.csv": RawTable("contracts.csv", ["supplier_code", "customer_code", "service",
                                                          "transfer_price"], [(2, ["A", "B", "s", "1e999"])])}
    problems = [str(p) for p in parse_set(tables).problems]
    assert problems == ["contracts.csv:2: transfer_price '1e999': expected a number with at most 2 decimals below 10¹²"]


def test_a_whole_file_refusal_names_no_column():
    # The preview table showed "the" in the Column cell next to "the workbook cannot be read".
    assert Problem("upload.xlsx", 0, "the workbook cannot be read: BadZipFile").column == ""
    assert Problem("ratings.csv", 0, "file is missing").column == ""
    assert Problem("ratings.csv", 4, "quality '7': out of range 1–5").column == "quality"
    assert Problem("input_01.csv", 1, "comment_column 'Why': no such column in the file").column == "comment_column"


def test_a_source_without_any_known_file_is_one_problem():
    result = parse_set({}, source="/tmp/exports/empty")
    assert [str(p) for p in result.problems] == [
        "empty:0: none of departments.csv, contracts.csv, periods.csv, ratings.csv found"]
    assert parse_set({"periods.csv": read_csv("periods.csv", b"label,start_date,end_date\n")}).problems == []


def test_excel_serial_dates_are_dates():
    # 46387 is 2026-12-31 in Excel's 1900 date system; a number cell in a workbook reads as "46387".
    table = read_csv("contracts.csv", b"supplier_code,customer_code,service,start_date,end_date\n"
                                      b"IT,LOG,s,46023,46387.5\nIT,LOG,t,123,99999\n")
    result = parse_set({"contracts.csv": table})
    assert (result.contracts[0].start_date, result.contracts[0].end_date) == (date(2026, 1, 1), date(2026, 12, 31))
    assert [str(p) for p in result.problems] == [
        "contracts.csv:3: start_date '123': not a date (use YYYY-MM-DD or DD.MM.YYYY)",
        "contracts.csv:3: end_date '99999': not a date (use YYYY-MM-DD or DD.MM.YYYY)",
    ]


def test_excel_serial_date_in_a_workbook_number_cell(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "periods"
    sheet.append(["label", "start_date", "end_date"])
    sheet.append(["2026-H2", 46204, 46387.0])
    book.save(tmp_path / "org.xlsx")
    tables, _ = reader.read_workbook(tmp_path / "org.xlsx")
    result = parse_set(tables)
    assert result.problems == []
    assert (result.periods[0].start_date, result.periods[0].end_date) == (date(2026, 7, 1), date(2026, 12, 31))


def test_control_characters_are_refused_except_tab_and_newline_in_free_text():
    table = read_csv("contracts.csv", b'supplier_code,customer_code,service,standard\n'
                                      b'IT,LOG,"Net\x07work","Within a day\tor two\r\nsecond line"\n'
                                      b'I\x00T,LOG,s,"bell\x07"\n')
    result = parse_set({"contracts.csv": table})
    assert [str(p) for p in result.problems] == [
        "contracts.csv:2: service 'Net\\x07work': contains the control character U+0007; remove it",
        "contracts.csv:4: supplier_code 'I\\x00T': contains the control character U+0000; remove it",
        "contracts.csv:4: standard 'bell\\x07': contains the control character U+0007; remove it",
    ]
    assert result.contracts[0].standard == "Within a day\tor two\r\nsecond line"
    names = read_csv("departments.csv", b"code,name\nQA,Quality\tassurance\n")
    assert [p.reason for p in parse_set({"departments.csv": names}).problems] == [
        "name 'Quality\\tassurance': contains the control character U+0009; remove it"]
