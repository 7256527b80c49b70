"""Property tests: the front-matter reader on hostile input, write → read round trips, cycle finding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reqctl.errors import FileFormatError
from reqctl.store import frontmatter, roundtrip
from reqctl.validation.graph import find_cycles

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

YAML_CHARS = st.sampled_from([*"abcXYZ019 -:[]{}&*!|>'\"#%@`,?.\n\t\\~", "---", "\r\n", "é", "导", "\x00", "\x07"])
yamlish = st.lists(YAML_CHARS, max_size=80).map("".join)


def parse_or_error(raw: bytes) -> frontmatter.ParsedFile | None:
    try:
        return frontmatter.parse(raw, "requirements/REQ-001.md")
    except FileFormatError as exc:
        assert exc.path is not None
        assert exc.message and "\n" not in str(exc)
        return None


@FAST
@given(st.binary(max_size=400))
def test_parse_arbitrary_bytes_raises_only_file_format_error(raw: bytes) -> None:
    parse_or_error(raw)


@FAST
@given(st.text(max_size=300))
def test_split_arbitrary_text_raises_only_file_format_error(text: str) -> None:
    try:
        parts = frontmatter.split(text, "x.md")
    except FileFormatError:
        return
    lines = text.split("\n")
    assert lines[0].rstrip() == "---"
    assert "\n".join(lines[parts.body_line - 1 :]) == parts.body
    assert lines[parts.body_line - 2].rstrip() == "---"


@FAST
@given(yamlish, yamlish)
def test_parse_yaml_like_front_matter(front: str, body: str) -> None:
    result = parse_or_error(f"---\n{front}\n---\n{body}".encode())
    if result is not None:
        assert isinstance(result.data, dict)
        assert all(isinstance(key, str) for key in result.data)


@FAST
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=12))
def test_alias_expansion_is_bounded(width: int, depth: int) -> None:
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for level in range(1, depth + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    parse_or_error(("---\n" + "\n".join(lines) + "\n---\n").encode())


# --- round trip ------------------------------------------------------------------------------

# Text a person might type: any printable characters, including CJK, quotes, colons and
# words YAML 1.1 treats specially ("No", "on", "12:30", "0o17", "2026-01-01").
SPECIAL_WORDS = st.sampled_from(
    [
        "No",
        "yes",
        "ON",
        "off",
        "null",
        "~",
        "12:30",
        "0o17",
        "0x1F",
        "1_000",
        "1e3",
        ".inf",
        "2026-01-01",
        "- dash",
        "a: b",
        "#hash",
        "'quoted'",
        '"dq"',
        "[x]",
        "{y}",
        "&anchor",
        "*alias",
        "!tag",
        "|",
        ">",
        "%pct",
        "@at",
        "`tick",
        "trailing space ",
        " leading",
        "导出发票",
        "tab\there",
        "=",
        "<<",
    ]
)
PRINTABLE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\x85"),
    min_size=1,
    max_size=40,
)
text_value = st.one_of(SPECIAL_WORDS, PRINTABLE)
ids = st.integers(min_value=1, max_value=9999).map(lambda n: f"REQ-{n:03d}")


@st.composite
def requirement(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": draw(ids),
        "title": draw(text_value),
        "status": draw(st.sampled_from(["draft", "proposed", "approved"])),
    }
    optional = {
        "priority": st.sampled_from(["must", "should", "could", "wont"]),
        "owner": text_value,
        "milestone": st.sampled_from(["M1", "M2"]),
        "tags": st.lists(text_value, min_size=1, max_size=3),
        "depends_on": st.lists(ids, min_size=1, max_size=3),
        "acceptance": st.lists(text_value, min_size=1, max_size=3),
        "approval": st.fixed_dictionaries(
            {
                "by": st.emails(),
                "at": st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
                "fingerprint": st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: "sha256:" + h),
            }
        ),
        "probability": st.integers(min_value=1, max_value=5),
        "done": st.booleans(),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    return data


BODY = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\ufeff"), max_size=200)


@FAST
@given(requirement(), BODY)
def test_render_new_then_parse_gives_the_same_data(data: dict[str, Any], body: str) -> None:
    text = roundtrip.render_new(data, body)
    parsed = frontmatter.parse(text.encode("utf-8"), "requirements/X.md")
    assert parsed.data == data
    # The body survives apart from the blank lines render_new trims at its ends.
    trimmed = body.strip("\n")
    assert parsed.body == (trimmed + "\n" if trimmed else "")


@FAST
@given(requirement())
def test_key_lines_point_at_the_key(data: dict[str, Any]) -> None:
    text = roundtrip.render_new(data, "")
    parsed = frontmatter.parse(text.encode("utf-8"), "requirements/X.md")
    file_lines = text.split("\n")
    assert set(parsed.key_lines) == set(data)
    for key, line in parsed.key_lines.items():
        assert file_lines[line - 1].startswith(f"{key}:"), (key, line, text)


@FAST
@given(requirement(), st.sampled_from(["# a comment", "", "   # indented comment"]))
def test_key_lines_ignore_comments_and_blank_lines(data: dict[str, Any], noise: str) -> None:
    text = roundtrip.render_new(data, "")
    lines = text.split("\n")
    noisy = "\n".join([lines[0], noise, *lines[1:]])
    parsed = frontmatter.parse(noisy.encode("utf-8"), "requirements/X.md")
    file_lines = noisy.split("\n")
    for key, line in parsed.key_lines.items():
        assert file_lines[line - 1].startswith(f"{key}:")


# --- cycles --------------------------------------------------------------------------------

nodes = st.sampled_from([f"REQ-{n:03d}" for n in range(1, 9)])
graphs = st.dictionaries(nodes, st.lists(nodes, max_size=4, unique=True), max_size=8)


@FAST
@given(graphs)
def test_every_reported_cycle_is_real(graph: dict[str, list[str]]) -> None:
    for cycle in find_cycles(graph):
        assert cycle, "empty cycle"
        assert len(set(cycle)) == len(cycle), f"a node repeats in {cycle}"
        for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
            assert b in graph.get(a, ()), f"{a} → {b} is not an edge of {graph}"


@FAST
@given(graphs)
def test_a_graph_has_a_cycle_exactly_when_one_is_reported(graph: dict[str, list[str]]) -> None:
    assert bool(find_cycles(graph)) == has_cycle(graph)


@FAST
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=40))
def test_a_dag_reports_no_cycle(pairs: list[tuple[int, int]]) -> None:
    graph: dict[str, list[str]] = {}
    for a, b in pairs:
        low, high = sorted((a, b))
        if low != high:  # edges only from lower to higher numbers: acyclic by construction
            graph.setdefault(f"REQ-{low:03d}", []).append(f"REQ-{high:03d}")
    assert find_cycles(graph) == []


def test_long_chain_does_not_recurse() -> None:
    chain = {f"REQ-{n:05d}": [f"REQ-{n + 1:05d}"] for n in range(20_000)}
    assert find_cycles(chain) == []
    chain["REQ-20000"] = ["REQ-00000"]
    cycles = find_cycles(chain)
    assert len(cycles) == 1 and len(cycles[0]) == 20_001


def has_cycle(graph: dict[str, list[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in list(graph))
