"""parse_numbers reads the shapes it takes without the regex (plain digits, '8.693') exactly as
parse_number does, and every neighbouring shape too (DECISIONS.md #105)."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from rules.numbers import parse_number, parse_numbers

near_fast_shapes = st.one_of(
    st.from_regex(r"\s?[0-9０-９٣]{1,8}\s?", fullmatch=True),
    st.text("0123456789", min_size=60, max_size=70),  # longer than any number: not read
    st.from_regex(r"[0-9]{0,4}\.[0-9]{0,4}", fullmatch=True),
    st.from_regex(r"[+-]?[0-9]{1,3}[.,][0-9]{3}[.,]?[0-9]{0,3}%?", fullmatch=True),
)


@settings(max_examples=500)
@given(st.lists(st.tuples(near_fast_shapes, st.booleans()), min_size=1, max_size=20))
def test_digits_and_single_dot_thousands_read_as_parse_number_reads_them(cells):
    column = parse_numbers([v for v, _ in cells], [p for _, p in cells])
    for i, (raw, percent_format) in enumerate(cells):
        one = parse_number(raw, percent_format=percent_format)
        assert (column.value[i], column.percent[i], column.code[i], column.level[i]) == (
            float("nan") if one.value is None else one.value, one.percent, one.code, one.level) or (
            one.value is None and column.value[i] != column.value[i]
            and (column.percent[i], column.code[i], column.level[i]) == (one.percent, one.code, one.level)), raw
