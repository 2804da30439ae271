"""Parse YAML once into data *and* its node tree, so any field maps back to its line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import yaml

Loc = Sequence[str | int]


def parse_yaml(text: str) -> tuple[object, yaml.Node | None]:
    """Return the data of a single YAML document and the node tree it came from.

    Raises `yaml.YAMLError` (with marks) on a syntax error.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        if 0 <= part < len(node.value):
            child: yaml.Node = node.value[part]
            return child
    return None


def _key_node(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key
    return None


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """Return the 1-based line of the deepest node on `loc` that exists in the tree.

    A missing field reports the line of the mapping that should hold it; a value reports
    the line of its key (where a reader looks for it).
    """
    if root is None:
        return None
    node = root
    line = node.start_mark.line + 1
    for part in loc:
        key = _key_node(node, part)
        child = _child(node, part)
        if child is None:
            break
        line = (key or child).start_mark.line + 1
        node = child
    return line


def duplicate_keys(root: yaml.Node | None) -> Iterator[tuple[tuple[str | int, ...], int]]:
    """Yield (location, line) of every mapping key that repeats (plain YAML keeps the last)."""
    if root is None:
        return
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
                if name in seen:
                    yield (*loc, name), key.start_mark.line + 1
                seen.add(name)
                stack.append((value, (*loc, name)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, (*loc, index)))
