"""The cache codec: data only, and exact — a value comes back equal, or it is not cached at all."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reqctl.store import codec

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(),
    st.dates(), st.datetimes(), st.binary(max_size=20),
)
keys = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.dates())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=4),
        st.tuples(inner, inner),
        st.frozensets(st.one_of(st.integers(), st.text()), max_size=3),
    ),
    max_leaves=20,
)


@given(values)
def test_a_value_comes_back_equal_or_is_refused(value: Any) -> None:
    try:
        text = codec.dumps(value)
    except (TypeError, ValueError):
        return  # not cached: the caller parses the file again
    assert codec.loads(text) == value


# Keys starting with NUL look like the codec's tags: such values are refused (see the test above), not cached.
_KEYS = st.text().filter(lambda key: not key.startswith("\x00"))


@given(st.dictionaries(_KEYS, st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=6))
def test_front_matter_shaped_values_are_cached(value: dict[str, Any]) -> None:
    assert codec.loads(codec.dumps(value)) == value


@pytest.mark.parametrize(
    "value",
    [{1: "integer key"}, ("a", "tuple"), {"\x00d": "2026-01-01"}, {"x": float("nan")}, {"when": object()}],
    ids=["int-key", "tuple", "tag-lookalike", "nan", "object"],
)
def test_values_json_would_change_are_refused(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        codec.dumps(value)


def test_dates_and_sets_are_tagged_plain_json() -> None:
    text = codec.dumps({"at": dt.date(2026, 11, 27), "tags": {"b", "a"}})
    assert json.loads(text) == {"at": {"\x00d": "2026-11-27"}, "tags": {"\x00s": ["a", "b"]}}
    assert codec.loads(text) == {"at": dt.date(2026, 11, 27), "tags": {"a", "b"}}


def test_an_unknown_tag_is_an_error_never_an_object() -> None:
    with pytest.raises(ValueError, match="unknown tag"):
        codec.loads('{"\\u0000os.system": "touch /tmp/x"}')
