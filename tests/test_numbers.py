"""Indonesian numbers and years as typed into a spreadsheet cell."""
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.findings import GALAT, PERINGATAN
from rules.numbers import Parsed, format_number, number_of, parse_number, parse_year, parse_numbers, parse_years

# (raw, value, percent) for cells that read cleanly, without any finding
CLEAN = [
    (0, 0.0, False),
    (7, 7.0, False),
    (-3, -3.0, False),
    (12.5, 12.5, False),
    (52345, 52345.0, False),
    (Decimal("12.5"), 12.5, False),
    (Fraction(1, 4), 0.25, False),
    ("0", 0.0, False),
    ("7", 7.0, False),
    ("007", 7.0, False),
    ("52345", 52345.0, False),
    ("1.234.567", 1234567.0, False),
    ("12.345.678.901", 12345678901.0, False),
    ("1.234,5", 1234.5, False),
    ("1.234.567,89", 1234567.89, False),
    ("1.234,567", 1234.567, False),
    ("12,5", 12.5, False),
    ("0,75", 0.75, False),
    (",5", 0.5, False),
    ("1,2345", 1.2345, False),
    ("12,50", 12.5, False),
    ("12,5%", 12.5, True),
    ("12,5 %", 12.5, True),
    ("100%", 100.0, True),
    ("-3,5%", -3.5, True),
    ("-3", -3.0, False),
    ("+3", 3.0, False),
    ("+1.234.567", 1234567.0, False),
    ("- 5", -5.0, False),
    ("\u22125", -5.0, False),  # unicode minus
    ("\u20135", -5.0, False),  # en dash
    ("\u20145,5", -5.5, False),  # em dash
    ("Rp 1.500.000", 1500000.0, False),
    ("Rp. 1.500.000", 1500000.0, False),
    ("rp1.500.000,50", 1500000.5, False),
    ("RP. 2.000.000", 2000000.0, False),
    ("-Rp 1.000.000", -1000000.0, False),
    ("Rp -1.000.000", -1000000.0, False),
    ("1 234 567", 1234567.0, False),
    ("1 234", 1234.0, False),
    ("12 345,5", 12345.5, False),
    ("1 234 567,25", 1234567.25, False),
    ("1\u00a0234\u00a0567", 1234567.0, False),  # NBSP
    ("1\u202f234", 1234.0, False),  # narrow NBSP
    ("1\u2009234", 1234.0, False),  # thin space
    ("\u00a012,5\u00a0", 12.5, False),
    ("１２３", 123.0, False),  # full-width digits
    ("１２，５", 12.5, False),  # full-width comma
    ("１.２３４.５６７", 1234567.0, False),
    ("50％", 50.0, True),  # full-width percent
    ("1\u200b234", 1234.0, False),  # zero-width space
    ("\ufeff42", 42.0, False),  # BOM
    ("4\u20602", 42.0, False),  # word joiner
    ("4\u200c2\u200d", 42.0, False),
    ("  12  ", 12.0, False),
    ("\t12\n", 12.0, False),
    ("9" * 30, float("9" * 30), False),
]


@pytest.mark.parametrize(("raw", "value", "percent"), CLEAN)
def test_clean_values_read_without_findings(raw, value, percent):
    parsed = parse_number(raw)
    assert parsed == Parsed(pytest.approx(value), percent)
    assert not parsed.empty


# (raw, percent_format, value): a cell typed 12,5% is stored as 0.125 with a percent format
PERCENT_FORMAT = [
    (0.125, True, 12.5),
    (0.07, True, 7.0),
    (1, True, 100.0),
    (0, True, 0.0),
    (-0.05, True, -5.0),
    (1.2345, True, 123.45),
    (0.125, False, 0.125),
    ("12,5", True, 12.5),  # text is taken as written; the format only marks it a percent
    ("12,5%", True, 12.5),
]


@pytest.mark.parametrize(("raw", "percent_format", "value"), PERCENT_FORMAT)
def test_percent_format_scales_stored_fractions_only(raw, percent_format, value):
    parsed = parse_number(raw, percent_format=percent_format)
    assert parsed.value == value
    assert parsed.percent is percent_format
    assert parsed.code is None


@pytest.mark.parametrize("raw", [None, "", " ", "\u00a0", "\u200b", "\ufeff \u2060", "\t\n",
                                 "\u3000"])
def test_blank_cells_are_empty_without_a_finding(raw):
    parsed = parse_number(raw)
    assert parsed.empty
    assert (parsed.value, parsed.code, parsed.level) == (None, None, None)


# (raw, value, code): read one documented way and flagged, never silently scaled
WARNED = [
    ("1.234", 1234.0, "ambigu_titik"),
    ("12.345", 12345.0, "ambigu_titik"),
    ("999.999", 999999.0, "ambigu_titik"),
    ("12.5", 12.5, "ambigu_titik"),
    ("0.75", 0.75, "ambigu_titik"),
    ("99.07", 99.07, "ambigu_titik"),
    ("0.125", 0.125, "ambigu_titik"),
    ("1234.567", 1234.567, "ambigu_titik"),
    ("1.2345", 1.2345, "ambigu_titik"),
    (".5", 0.5, "ambigu_titik"),
    ("-12.5", -12.5, "ambigu_titik"),
    ("1,234", 1.234, "ambigu_koma"),
    ("999,999", 999.999, "ambigu_koma"),
    ("-1,234", -1.234, "ambigu_koma"),
    ("1,234.5", 1234.5, "format_inggris"),
    ("1,234,567", 1234567.0, "format_inggris"),
    ("1,234,567.89", 1234567.89, "format_inggris"),
    ("12,345.6%", 12345.6, "format_inggris"),
    ("Rp 1,500,000", 1500000.0, "format_inggris"),
]


@pytest.mark.parametrize(("raw", "value", "code"), WARNED)
def test_ambiguous_separators_warn_and_never_scale_silently(raw, value, code):
    parsed = parse_number(raw)
    assert parsed.value == pytest.approx(value)
    assert (parsed.code, parsed.level) == (code, PERINGATAN)
    assert f"'{raw}'" in parsed.message


def test_ambiguous_dot_message_says_how_it_was_read_and_how_to_write_it():
    assert parse_number("12.5").message == (
        "Nilai '12.5' ambigu: titik dibaca sebagai desimal (12,5). "
        "Tulis 12,5 bila desimal, 12.500 bila ribuan.")
    assert "pemisah ribuan" in parse_number("1.234").message
    assert "Tulis 1.234 bila ribuan" in parse_number("1,234").message
    assert "1.234,5" in parse_number("1,234.5").message


# (raw, code): errors, no value
INVALID = [
    ("1.23.4", "nilai_format_salah"),
    ("1..2", "nilai_format_salah"),
    ("1,2,3.4.5", "nilai_format_salah"),
    ("1.234,5.6", "nilai_format_salah"),
    ("1,234,5", "nilai_format_salah"),
    ("1,23,456", "nilai_format_salah"),
    ("12.34.567", "nilai_format_salah"),
    ("1234.567.890", "nilai_format_salah"),
    ("1.234,", "nilai_format_salah"),
    ("5.", "nilai_format_salah"),
    ("5,", "nilai_format_salah"),
    ("12 34", "nilai_format_salah"),
    ("1 2345", "nilai_format_salah"),
    ("1234 567", "nilai_format_salah"),
    ("1 23 456", "nilai_format_salah"),
    ("(1.234)", "nilai_format_salah"),
    ("(5)", "nilai_format_salah"),
    ("?", "nilai_kosong_simbol"),
    ("..", "nilai_kosong_simbol"),
    ("x", "nilai_kosong_simbol"),
    ("X", "nilai_kosong_simbol"),
    ("abc", "nilai_bukan_angka"),
    ("1e5", "nilai_bukan_angka"),
    ("12 jiwa", "nilai_bukan_angka"),
    ("=SUM(A1:A2)", "nilai_bukan_angka"),
    ("\u00b13", "nilai_bukan_angka"),
    ("12,5 persen", "nilai_bukan_angka"),
    ("%", "nilai_bukan_angka"),
    ("Rp", "nilai_bukan_angka"),
    (".", "nilai_bukan_angka"),
    ("+-3", "nilai_bukan_angka"),
    ("--3", "nilai_bukan_angka"),
    ("3-", "nilai_bukan_angka"),
    ("0x1F", "nilai_bukan_angka"),
    ("1/2", "nilai_bukan_angka"),
    ("inf", "nilai_bukan_angka"),
    ("NaN", "nilai_bukan_angka"),
    ("TRUE", "nilai_bukan_angka"),
    ("#N/A", "nilai_bukan_angka"),
    ("#REF!", "nilai_bukan_angka"),
    ("١٢٣", "nilai_bukan_angka"),  # Arabic-Indic digits are not what the sheet means
    ("12\x00", "nilai_bukan_angka"),
    ("\x07\x08", "nilai_bukan_angka"),
    ("1" * 50_000, "nilai_bukan_angka"),
    ("a" * 50_000, "nilai_bukan_angka"),
    ("1.234," * 10_000, "nilai_bukan_angka"),
    (True, "nilai_bukan_angka"),
    (False, "nilai_bukan_angka"),
    (date(2024, 1, 5), "nilai_bukan_angka"),
    (datetime(2024, 1, 5, 8, 30), "nilai_bukan_angka"),
    (time(8, 30), "nilai_bukan_angka"),
    (float("nan"), "nilai_bukan_angka"),
    (float("inf"), "nilai_bukan_angka"),
    (float("-inf"), "nilai_bukan_angka"),
    (10**400, "nilai_bukan_angka"),
    (Decimal("NaN"), "nilai_bukan_angka"),
    (object(), "nilai_bukan_angka"),
]


@pytest.mark.parametrize(("raw", "code"), INVALID)
def test_invalid_values_are_errors_without_a_value(raw, code):
    parsed = parse_number(raw)
    assert (parsed.value, parsed.code, parsed.level) == (None, code, GALAT)
    assert parsed.message and not parsed.empty


@pytest.mark.parametrize("raw, status", [
    ("-", "nihil"), ("\u2013", "nihil"), ("\u2014", "nihil"), (" - ", "nihil"), ("Nihil", "nihil"),
    ("...", "tidak_tersedia"), ("\u2026", "tidak_tersedia"), ("NA", "tidak_tersedia"), ("n/a", "tidak_tersedia"),
    ("N/A", "tidak_tersedia"), ("Tidak  tersedia", "tidak_tersedia"),
])
def test_a_bps_symbol_declares_the_value_missing_and_is_no_parse_error(raw, status):
    from rules.numbers import declared_missing
    parsed = parse_number(raw)
    assert parsed.value is None and parsed.level is None and parsed.code is None and not parsed.empty
    assert parsed.declared == declared_missing(raw) == status


def test_an_unknown_symbol_says_which_symbols_declare_missing_data_instead_of_leaving_it_empty():
    message = parse_number("?").message
    assert "'-' (nihil)" in message and "Keterangan" in message and "kosongkan" not in message


def test_checkbox_and_date_cells_say_what_they_are():
    assert "centang/TRUE-FALSE" in parse_number(True).message
    assert "tanggal" in parse_number(date(2024, 1, 1)).message


def test_error_message_quotes_input_truncated_to_40_characters():
    message = parse_number("abc" * 20).message
    assert f"'{('abc' * 20)[:40]}…'" in message
    assert len(parse_number("z" * 50_000).message) < 200


def test_error_message_never_carries_control_characters():
    assert "\x00" not in parse_number("12\x00").message


@settings(database=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789.,% -+Rp\u00a0\u2212"),
                 st.integers(), st.floats(), st.booleans(), st.none()),
       st.booleans())
def test_parse_number_never_raises(raw, percent_format):
    parsed = parse_number(raw, percent_format=percent_format)
    assert (parsed.level is None) == (parsed.code is None)
    assert parsed.level != GALAT or parsed.value is None


@settings(database=None)
@given(st.integers(min_value=-10**12, max_value=10**12))
def test_formatted_numbers_read_back_to_the_same_value(n):
    assert parse_number(format_number(n)).value == n
    assert parse_number(format_number(n / 100, 2)).value == pytest.approx(n / 100)


# (raw, year, has_error)
YEARS = [
    (2024, 2024, False),
    (2024.0, 2024, False),
    ("2024", 2024, False),
    (" 2024 ", 2024, False),
    ("２０２４", 2024, False),
    ("\u00a02019\u200b", 2019, False),
    (Decimal("2020"), 2020, False),
    (None, None, False),
    ("", None, False),
    ("   ", None, False),
    (2024.5, None, True),
    ("2024.5", None, True),
    ("2024.0", None, True),
    ("2024/2025", None, True),
    ("2024-2025", None, True),
    ("24", None, True),
    (24, None, True),
    ("20245", None, True),
    (12345, None, True),
    ("0999", None, True),
    ("tahun 2024", None, True),
    ("abc", None, True),
    (True, None, True),
    (date(2024, 1, 1), None, True),
    (datetime(2024, 1, 1), None, True),
    (time(0, 0), None, True),
    (float("nan"), None, True),
    (float("inf"), None, True),
    ("2" * 50_000, None, True),
]


@pytest.mark.parametrize(("raw", "year", "has_error"), YEARS)
def test_year_is_one_four_digit_year(raw, year, has_error):
    got, message = parse_year(raw)
    assert got == year
    assert (message is not None) == has_error


def test_year_message_is_indonesian_and_gives_an_example():
    assert parse_year("2024/2025")[1] == (
        "Tahun '2024/2025' tidak valid; tulis satu tahun 4 digit, mis. 2024.")


FORMATS = [
    ((52345,), "52.345"),
    ((12.5,), "12,5"),
    ((-3,), "-3"),
    ((0,), "0"),
    ((1234567.891,), "1.234.567,89"),
    ((12.0,), "12"),
    ((0.125,), "0,12"),
    ((-0.001,), "0"),
    ((-1234.5,), "-1.234,5"),
    ((12.5, 2), "12,50"),
    ((12, 1), "12,0"),
    ((1234.5678, 3), "1.234,568"),
    ((2.5, 0), "2"),
    ((float("nan"),), "nan"),
]


@pytest.mark.parametrize(("args", "text"), FORMATS)
def test_format_number_uses_indonesian_separators(args, text):
    assert format_number(*args) == text


_CELLS = st.one_of(st.text(alphabet="0123456789.,-–% Rp()"), st.text(max_size=8), st.integers(),
                   st.floats(), st.booleans(), st.none(), st.sampled_from(["8.693", "1.234,5", "12,500", "007"]))


@settings(database=None)
@given(st.lists(st.tuples(_CELLS, st.booleans()), max_size=25))
def test_a_whole_column_reads_every_cell_as_parse_number_does(cells):
    column = parse_numbers([v for v, _ in cells], [p for _, p in cells])
    for i, (raw, percent_format) in enumerate(cells):
        one = parse_number(None if raw != raw else raw, percent_format=percent_format)
        got = None if column.value[i] != column.value[i] else float(column.value[i])
        assert (got, column.code[i], column.level[i]) == (one.value, one.code, one.level)
        assert column.parsed(i) == one
        if one.value is not None:
            assert bool(column.percent[i]) == one.percent


@settings(database=None)
@given(_CELLS)
def test_number_of_reads_a_cell_as_parse_number_does(raw):
    parsed = parse_number(raw)
    assert number_of(raw) == (parsed.value, parsed.percent)


@settings(database=None)
@given(st.lists(st.one_of(st.integers(), st.floats(), st.text(max_size=6), st.booleans(), st.none(),
                          st.sampled_from(["2024", " 2025 ", "0202", 2023.0])), max_size=25))
def test_a_whole_tahun_column_reads_every_cell_as_parse_year_does(cells):
    column = parse_years(cells)
    assert [(y, p) for y, p in zip(column.as_objects(), column.problem)] == [
        parse_year(None if raw != raw else raw) for raw in cells]
