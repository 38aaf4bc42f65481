"""YAML is read with libyaml's parser (fast) and faulty YAML is reported in the words of PyYAML's Python parser: the
two must agree on every value and line of the real content."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lms.content import yaml_lines
from lms.content.yaml_lines import YamlFault, parse_yaml, split_front

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*(p for p in ROOT.glob("courses/*/*.md") if p.name != "README.md"), *ROOT.glob("courses/**/*.yaml"),
                *ROOT.glob("exercises/*/exercise.md")])


def _yaml_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8-sig")
    return split_front(text)[0] if path.suffix == ".md" else text


def test_the_fast_parser_is_libyaml():
    assert yaml.__with_libyaml__ and issubclass(yaml_lines._FastLoader, yaml.CSafeLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_parsers_read_the_same_values_and_lines(path):
    text = _yaml_of(path)
    assert yaml_lines._parse(text, 1, yaml_lines._FastLoader) == yaml_lines._parse(text, 1, yaml_lines._Loader)


def test_a_fault_is_worded_by_the_python_parser_at_its_line():
    with pytest.raises(YamlFault) as fault:
        parse_yaml("title: One\nowner: Curriculum: team\n", offset=1)
    assert (fault.value.line, fault.value.message) == (3, "invalid YAML: mapping values are not allowed here")


def test_an_impossible_date_is_reported_at_its_line():
    with pytest.raises(YamlFault) as fault:
        parse_yaml("title: One\nlast_reviewed: 2026-02-30\n", offset=1)
    assert fault.value.line == 3 and "invalid date '2026-02-30'" in fault.value.message
