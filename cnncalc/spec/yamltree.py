"""YAML text → plain values that remember where they were written.

Built from PyYAML's event stream (its C parser when present) rather than
``yaml.compose``: one pass, no recursion (deep nesting cannot exhaust the
stack), duplicate keys and tags rejected, and aliases counted as they expand
so an alias bomb is refused before anything is built from it. This is the
only module that imports yaml.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import SourceLoc, SpecError

try:  # the C parser is several times faster; marks and events are the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NESTING = 64
MAX_NODES = 4_000_000  # values after alias expansion
MAX_NUMBER_CHARS = 1000  # an int literal in any notation (hex, base 60, ...); no size needs more

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}


class YMap(dict[str, Any]):
    """A mapping with the location of itself, of each key and of each value."""

    __slots__ = ("loc", "key_locs", "value_locs")

    def __init__(self, loc: SourceLoc) -> None:  # empty: no dict.__init__ to call
        self.loc = loc
        self.key_locs: dict[str, SourceLoc] = {}
        self.value_locs: dict[str, SourceLoc] = {}


class YSeq(list[Any]):
    """A sequence with the location of itself and of each item."""

    __slots__ = ("loc", "locs")

    def __init__(self, loc: SourceLoc) -> None:  # empty: no list.__init__ to call
        self.loc = loc
        self.locs: list[SourceLoc] = []


_resolve = yaml.resolver.Resolver().resolve
_PLAIN = (True, False)  # a plain scalar's implicit flags, as resolve() takes them
_constructor = yaml.constructor.SafeConstructor()


class _BadNumber(ValueError):
    """A scalar that cannot be the number its tag or notation says; parse() locates it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def _construct(tag: str, value: str) -> Any:
    if tag == _CORE + "str":
        return value
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return value.lower() in ("yes", "true", "on", "y")
    node = yaml.ScalarNode(tag, value)
    if tag == _CORE + "int":
        # Bounded before converting: hex, octal and base-60 (1:2:3:...) literals are
        # not covered by Python's 4,300-digit limit, and base 60 is quadratic.
        if len(value) > MAX_NUMBER_CHARS:
            raise _BadNumber(
                f"the number {value[:12]}... has {len(value):,} characters", "no size is that long; check the value"
            )
        try:
            return _constructor.construct_yaml_int(node)
        except (ValueError, IndexError):  # !!int on text, or on ''
            raise _BadNumber(
                f"{describe(value)} is not an integer", "remove the '!!int' tag, or write a number"
            ) from None
    if tag == _CORE + "float":
        try:
            return _constructor.construct_yaml_float(node)
        except (ValueError, IndexError, OverflowError):  # OverflowError: a base-60 '1e999:59:…' past float
            raise _BadNumber(
                f"{describe(value)} is not a number", "remove the '!!float' tag, or write a number"
            ) from None
    return value


class _Frame:
    __slots__ = ("value", "key", "key_loc", "size", "anchor")

    def __init__(self, value: YMap | YSeq, anchor: str | None) -> None:
        self.value = value
        self.key: Any = _NO_KEY
        self.key_loc: SourceLoc | None = None
        self.size = 1
        self.anchor = anchor


_NO_KEY = object()


def parse(text: str, file: str, loader: type = _Loader) -> Any:
    """Parse one YAML document into YMap / YSeq / scalars."""
    parser = None
    try:
        parser = loader(text)
        return _Tree(file).read(parser)
    except yaml.MarkedYAMLError as error:
        if "maximum nesting depth" in str(error.problem) and loader is not yaml.SafeLoader:
            # libyaml refuses 1,000 levels while scanning ahead, before it yields the
            # events that MAX_NESTING checks; the pure parser yields them one by one
            return parse(text, file, yaml.SafeLoader)
        from .yaml_errors import invalid_yaml  # only when the YAML is wrong

        raise invalid_yaml(error, text, file) from None
    except yaml.YAMLError as error:  # reader errors: control characters and the like
        position = getattr(error, "position", 0) or 0
        before = (text[:position] + "x").splitlines()  # "x": the character itself
        line, col = len(before), len(before[-1])
        raise SpecError(
            f"invalid YAML: {error}".splitlines()[0], SourceLoc(file, line, col), "remove the control character"
        ) from None
    finally:
        if parser is not None:
            parser.dispose()


class _Tree:
    """The values being built from a parser's events: the containers still open,
    the anchors, the values counted so far (after alias expansion)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.result: Any = None
        self.documents = 0

    def loc(self, mark: Any) -> SourceLoc:
        return SourceLoc(self.file, mark.line + 1, mark.column + 1)

    def read(self, parser: Any) -> Any:
        """Every event of the document. A scalar's commonest cases are inline: most
        events are scalars, and this loop runs once per YAML value."""
        file, stack, anchors = self.file, self.stack, self.anchors
        new_loc, ScalarEvent = SourceLoc, yaml.ScalarEvent  # noqa: N806  (locals, for the loop)
        starts, ends = (yaml.MappingStartEvent, yaml.SequenceStartEvent), (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        plain_cache: dict[str, Any] = {}
        total = 0
        top: _Frame | None = None  # the innermost open container's frame
        event: Any = None
        try:
            for event in iter(parser.get_event, None):  # yaml.parse() without a check_event() per event
                kind = type(event)
                if kind is ScalarEvent:
                    mark, text, tag = event.start_mark, event.value, event.tag
                    at = new_loc(file, mark.line + 1, mark.column + 1)  # loc(), inline: one per value
                    if tag:
                        _check_tag(tag, at)
                    if tag and tag != "!":
                        value = _construct(tag, text)
                    elif event.implicit[0]:
                        value = plain_cache.get(text, _NO_KEY)
                        if value is _NO_KEY:
                            value = plain_cache[text] = _construct(_resolve(yaml.ScalarNode, text, _PLAIN), text)
                    else:
                        value = text
                    if event.anchor:
                        anchors[event.anchor] = (value, 1)
                    total += 1
                    if top is None or total > MAX_NODES:
                        self.attach(value, 1, at, total)
                        continue
                    # attach()'s commonest cases, inline: an item, a key's value, a new key
                    container = top.value
                    if type(container) is YSeq:
                        top.size += 1
                        container.append(value)
                        container.locs.append(at)
                    elif type(container) is not YMap:
                        self.attach(value, 1, at, total)
                    elif top.key is not _NO_KEY:
                        key = top.key
                        top.size += 1
                        container[key] = value
                        container.key_locs[key] = top.key_loc or at
                        container.value_locs[key] = at
                        top.key = _NO_KEY
                    elif type(value) is str and value not in container and value != "<<":  # '<<': attach() refuses
                        top.size += 1
                        top.key, top.key_loc = value, at
                    else:
                        self.attach(value, 1, at, total)
                elif kind in starts:  # open(), inline: a mapping per layer that has arguments, and its body
                    mark = event.start_mark
                    at = new_loc(file, mark.line + 1, mark.column + 1)
                    if event.tag:
                        _check_tag(event.tag, at)
                    if top is not None and type(top.value) is not YSeq and top.key is _NO_KEY:
                        raise SpecError("a mapping key must be a name, not a list or mapping", at)
                    if len(stack) >= MAX_NESTING:
                        raise SpecError(f"the YAML nests deeper than {MAX_NESTING} levels", at, "flatten the structure")
                    top = _Frame(YMap(at) if kind is yaml.MappingStartEvent else YSeq(at), event.anchor)
                    stack.append(top)
                elif kind in ends:
                    total = self.close(total)
                    top = stack[-1] if stack else None
                elif kind is yaml.AliasEvent:
                    total = self.alias(event, total)
                elif kind is yaml.DocumentStartEvent:
                    self.document(event)
        except _BadNumber as error:
            raise SpecError(error.message, self.loc(event.start_mark), error.hint) from None
        except ValueError:  # an int literal longer than Python converts (4,300 digits)
            raise SpecError(
                f"the number {event.value[:12]}... has {len(event.value):,} characters",
                self.loc(event.start_mark),
                "no size is that long; check the value",
            ) from None
        return self.result

    def attach(self, value: Any, size: int, at: SourceLoc, total: int) -> None:
        """Put a finished value (``size`` values after alias expansion; ``total``
        counted with it) into the innermost open container, or make it the document."""
        if total > MAX_NODES:
            raise SpecError(
                f"the YAML expands to more than {MAX_NODES:,} values (aliases repeated too often?)",
                at,
                "write the layers out, or use 'repeat'",
            )
        if not self.stack:
            self.result = value
            return
        frame = self.stack[-1]
        frame.size += size
        container = frame.value
        if isinstance(container, YSeq):
            container.append(value)
            container.locs.append(at)
            return
        if frame.key is _NO_KEY:
            _check_key(value, container, at)
            frame.key, frame.key_loc = value, at
            return
        container[frame.key] = value
        container.key_locs[frame.key] = frame.key_loc or at
        container.value_locs[frame.key] = at
        frame.key = _NO_KEY

    def close(self, total: int) -> int:
        """The innermost mapping or list ends: it goes into the one around it. The new total."""
        stack = self.stack
        frame = stack.pop()
        total -= frame.size - 1  # children were counted as they came
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.value, frame.size)
        outer = stack[-1] if stack else None
        total += frame.size
        value = frame.value
        if outer is None or total > MAX_NODES:
            self.attach(value, frame.size, value.loc, total)
            return total
        container = outer.value
        if type(container) is YSeq:  # attach()'s commonest cases inline: a mapping in a list,
            outer.size += frame.size
            container.append(value)
            container.locs.append(value.loc)
        elif type(container) is YMap and outer.key is not _NO_KEY:  # or a key's value
            key = outer.key
            outer.size += frame.size
            container[key] = value
            container.key_locs[key] = outer.key_loc or value.loc
            container.value_locs[key] = value.loc
            outer.key = _NO_KEY
        else:
            self.attach(value, frame.size, value.loc, total)
        return total

    def alias(self, event: Any, total: int) -> int:
        """``*name``: the anchored value again, counted again. The new total."""
        at = self.loc(event.start_mark)
        if event.anchor not in self.anchors:
            raise SpecError(
                f"the alias '*{event.anchor}' refers to no anchor",
                at,
                f"define '&{event.anchor}' on an earlier value (not one that contains the alias)",
            )
        value, size = self.anchors[event.anchor]
        total += size
        self.attach(value, size, at, total)
        return total

    def document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise SpecError(
                "the file holds more than one YAML document",
                self.loc(event.start_mark),
                "one spec per file; remove the '---' line",
            )


def _check_tag(tag: str | None, at: SourceLoc) -> None:
    if tag and tag != "!" and tag not in _ALLOWED_TAGS:
        raise SpecError(
            f"YAML tag '{tag}' is not allowed",
            at,
            "cnncalc reads plain YAML only (no tags); remove the tag",
        )


def _check_key(value: Any, container: YMap, at: SourceLoc) -> None:
    """A mapping key: a name, not a merge key, not written twice."""
    if not isinstance(value, str):
        raise SpecError(f"a mapping key must be a name, not {describe(value)}", at, "quote it if you mean a name")
    if value == "<<":
        raise SpecError(
            "YAML merge keys ('<<') are not supported", at, "write the keys out, or define a block with args"
        )
    if value in container:
        raise SpecError(
            f"duplicate key '{value}' (first at line {container.key_locs[value].line})",
            at,
            "each key may appear once in a mapping",
        )


def describe(value: Any) -> str:
    """A value as a message names it: 'the number 3', 'a list', 'null'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the bool {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, YSeq | list | tuple):
        return "a list"
    if isinstance(value, YMap | dict):
        return "a mapping"
    text = str(value)
    return f"'{text[:60]}...'" if len(text) > 60 else f"'{text}'"


def dump(data: Any) -> str:
    """Plain data (a dict given to the API) as YAML text, to load like a file."""
    return yaml.safe_dump(data, sort_keys=False)
