"""Sorted records: what is merged is what is read back, in any order of asking; damage is a miss."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import records

KEYS = st.lists(st.text(min_size=1, max_size=6), unique=True, max_size=30).map(sorted)


@settings(max_examples=150, deadline=None)
@given(KEYS, st.data())
def test_merged_records_read_back_by_key(keys: list[str], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        split = data.draw(st.lists(st.booleans(), min_size=len(keys), max_size=len(keys)))
        with records.Spool(path.parent) as first, records.Spool(path.parent) as second:
            for key, to_first in zip(keys, split, strict=True):
                (first if to_first else second).add(key, f"value of {key}", len(key))
            records.merge(path, {"started": 7}, first, second)
        asked = sorted(data.draw(st.sets(st.sampled_from([*keys, "~missing"]))))
        with records.Reader(path) as reader:
            assert reader.header == {"started": 7, "format": records.FORMAT}
            for key in asked:
                expected = [f"value of {key}", len(key)] if key in keys else None
                assert reader.get(key) == expected
        assert reader.stale == bool(set(keys) - set(asked))
        assert sorted(p.name for p in Path(folder).iterdir()) == ["records.jsonl"]


def test_a_record_kept_as_read_is_the_same_line(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    key = ["page ⟦ü⟧ \udcff.html", "ja"]  # a file name's undecodable byte too
    with records.Spool(tmp_path) as spool:
        spool.add(key, "x\ny", 1.5)
        records.merge(path, {}, spool)
    written = path.read_bytes()
    with records.Reader(path) as reader, records.Spool(tmp_path) as again:
        assert reader.get(key) == ["x\ny", 1.5]
        again.keep(reader.line)
        records.merge(path, {}, again)
    assert path.read_bytes() == written
    assert not reader.stale


def test_damage_reads_as_the_end_of_the_records(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    header = '{"format": 1}\n'
    path.write_text(header + '["a", 1]\n["c", 3]\n["b", 2]\n["d", 4]\n', encoding="utf-8")
    with records.Reader(path) as reader:
        assert reader.get("a") == [1]
        assert reader.get("c") == [3]
        assert reader.get("d") is None  # after the out-of-order "b", nothing is trusted
    damages = ["", "not json\n", '{"format": 99}\n["a", 1]\n', header + '["a", 1]\n{}\n']
    damages += [header + '["b", 1]', header + "[" * 100_000 + "\n"]  # cut short; too deep
    for damaged in damages:
        path.write_text(damaged, encoding="utf-8")
        with records.Reader(path) as reader:
            assert reader.get("b") is None
            assert reader.stale


RECORD_LINES = st.sampled_from(
    [
        '["a", 1]\n',
        '["b", "x\\ny", 2.5]\n',
        '[["p", "ja"], "s", null]\n',
        "[1], [2]\n",
        "1\n",
        '"text"\n',
        "\n",
        "[1]]\n",
        '["open\n',
        '"]\n',
        "[1, \n",
        "2]\n",
        '["no newline"]',
        "[NaN, Infinity]\n",
        "{}\n",
        "[" * 300 + "]" * 300 + "\n",
        '["a", 1\n',
        '2], ["b", 3]\n',
        "[[1]\n",
        "[2]]\n",
        "  [3]  \n",
        '["k", {"x": 1}]\n',
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(RECORD_LINES, max_size=12))
def test_the_scanner_reads_each_line_as_json_loads_does(lines: list[str]) -> None:
    """Records are decoded by the JSON scanner; each line reads as `json.loads` reads it,
    damage included (values that would join across lines as one array, too)."""
    assert [records._line_value(line) for line in lines] == [
        records._loaded(line) for line in lines
    ]
