"""Every kind of bad input through the CLI: exit 2, one line
``file:line:col: error: what is wrong; how to fix it``, then the offending
source line and a caret under the column, and never a traceback. One test per
case, each asserting the exact location and message.

Also: the warnings for valid but suspicious specs (exit 0), the files that are
not specs (binary, non-UTF-8, a directory, a missing or huge file, stdin), the
command-line options, the layer limit, and hostile specs that must finish fast.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main
from cnncalc.errors import SpecError

H = "input: [3, 32, 32]\nlayers:\n"
LOCATION = re.compile(r"^(?P<file>[^:]+)(:(?P<line>\d+):(?P<col>\d+))?: error: ")  # no place: the whole file


def summary(*args, input=None):
    return CliRunner().invoke(main, ["summary", *map(str, args)], input=input)


def assert_one_clear_error(result, expected_first_line, text=None):
    """Exit 2; the exact first line; then the quoted source line and a caret."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""  # never a partial table
    lines = result.stderr.split("\n")
    assert lines[0] == expected_first_line
    where = LOCATION.match(lines[0])
    assert where, lines[0]
    line, col = int(where["line"] or 0), int(where["col"] or 0)
    source = (text or "").splitlines()
    if 1 <= line <= len(source):
        quoted = source[line - 1].replace("\t", " ")
        if len(quoted) <= 200:
            # a control character is quoted escaped, as the message shows it (\x07: four
            # cells), and the caret moves right with it (issue 15: no escape reaches the terminal)
            shown = [c if c.isprintable() else f"\\x{ord(c):02x}" for c in quoted]
            caret = sum(map(len, shown[: col - 1]))
            assert lines[1:] == ["  " + "".join(shown), "  " + " " * caret + "^", ""]
        else:  # a long line is quoted around the column
            assert lines[2].strip() == "^"
    else:
        assert lines[1:] == [""], lines  # nothing to quote (an empty file)


# --- one test per case: the spec file, and the first line of the message --------------------

CASES = [
    (
        "invalid_yaml_unclosed_bracket",
        "input: [3, 32, 32\nlayers:\n  - relu\n",
        # at the bracket, not on the next line (issue 11, item 7)
        "spec.yaml:1:8: error: invalid YAML: this '[' is never closed; close it with ']' on its line (or before the next item)",
    ),
    (
        "invalid_yaml_missing_comma",
        H + "  - conv: {filters: 8 kernel: 3}\n",
        "spec.yaml:3:29: error: invalid YAML: did not find expected ',' or '}' (parsing a flow mapping that starts at line 3); close the bracket, or put a comma between items",
    ),
    (
        "invalid_yaml_tab_indent",
        H + "\t- relu\n",
        "spec.yaml:3:1: error: invalid YAML: found character that cannot start any token; indent with spaces, not tabs",
    ),
    (
        "invalid_yaml_bad_indent",
        H + "  - conv: {filters: 8, kernel: 3}\n - relu\n",
        "spec.yaml:4:2: error: invalid YAML: did not find expected key (parsing a block mapping that starts at line 1); check the indentation: the items of one list or mapping start in the same column",
    ),
    (
        "invalid_yaml_no_space_after_colon",
        H + "  - conv:{filters: 8, kernel: 3}\n",
        "spec.yaml:3:29: error: invalid YAML: mapping values are not allowed in this context; put a space after each ':' and check the indentation",
    ),
    (
        "invalid_yaml_unclosed_quote",
        H + '  - conv: {filters: "8, kernel: 3}\n',
        "spec.yaml:3:35: error: invalid YAML: found unexpected end of stream (scanning a quoted scalar that starts at line 3); close the quote",
    ),
    (
        "truncated_file",
        H + "  - conv: {filters: 8, kern",
        "spec.yaml:3:28: error: invalid YAML: did not find expected ',' or '}' (parsing a flow mapping that starts at line 3); close the bracket, or put a comma between items",
    ),
    (
        "empty_file",
        "",
        "spec.yaml:1:1: error: the file is empty; a spec needs at least 'input' and 'layers'",
    ),
    (
        "only_comments",
        "# a spec\n\n",
        "spec.yaml:1:1: error: the file is empty; a spec needs at least 'input' and 'layers'",
    ),
    (
        "top_level_list",
        "- relu\n- conv: {filters: 8, kernel: 3}\n",
        "spec.yaml:1:1: error: a spec is a mapping with 'input' and 'layers', not a list",
    ),
    (
        "top_level_scalar",
        "vgg16\n",
        "spec.yaml:1:1: error: a spec is a mapping with 'input' and 'layers', not 'vgg16'",
    ),
    (
        "two_documents",
        "input: [3, 32, 32]\nlayers: [relu]\n---\ninput: [1]\n",
        "spec.yaml:3:1: error: the file holds more than one YAML document; one spec per file; remove the '---' line",
    ),
    (
        "missing_input",
        "layers:\n  - relu\n",
        "spec.yaml:1:1: error: the spec has no 'input'; add e.g. 'input: [3, 224, 224]' (channels first)",
    ),
    (
        "missing_layers",
        "name: tiny\ninput: [3, 32, 32]\n",
        "spec.yaml:1:1: error: the spec has no 'layers'; add 'layers:' with one '- type' per line",
    ),
    (
        "unknown_top_level_key",
        "input: [3, 32, 32]\nlayer:\n  - relu\n",
        "spec.yaml:2:1: error: unknown top-level key 'layer'; did you mean 'layers'?",
    ),
    (
        "empty_layers",
        "input: [3, 32, 32]\nlayers: []\n",
        "spec.yaml:2:9: error: 'layers' is empty; list at least one layer",
    ),
    (
        "layers_not_a_list",
        "input: [3, 32, 32]\nlayers:\n  relu: {}\n",
        "spec.yaml:3:3: error: 'layers' must be a list of layers, not a mapping; write one '- type' or '- type: {args}' per line",
    ),
    (
        "input_not_a_list",
        "input: 224\nlayers: [relu]\n",
        "spec.yaml:1:8: error: 'input' must be a list of 1 to 4 sizes, channels first, not the number 224; e.g. [3, 224, 224] for an RGB image, [1, 16000] for 1-D, [784] for a flat vector",
    ),
    (
        "input_too_many_axes",
        "input: [3, 8, 8, 8, 8]\nlayers: [relu]\n",
        "spec.yaml:1:8: error: 'input' must be a list of 1 to 4 sizes, channels first, not 5 sizes; e.g. [3, 224, 224] for an RGB image, [1, 16000] for 1-D, [784] for a flat vector",
    ),
    (
        "input_zero",
        "input: [3, 0, 32]\nlayers: [relu]\n",
        "spec.yaml:1:12: error: 'input' must be at least 1, not 0",
    ),
    (
        "input_float",
        "input: [3, 32.5, 32]\nlayers: [relu]\n",
        "spec.yaml:1:12: error: 'input' must be a whole number, not 32.5; write an int",
    ),
    (
        "unknown_dtype",
        "input: [3, 32, 32]\ndtype: float33\nlayers: [relu]\n",
        "spec.yaml:2:8: error: unknown dtype 'float33'; did you mean 'float32'?",
    ),
    (
        "unknown_layer_type",
        H + "  - convv: {filters: 8, kernel: 3}\n",
        "spec.yaml:3:5: error: unknown layer type 'convv'; did you mean 'conv'?",
    ),
    (
        "unknown_argument",
        H + "  - conv: {filters: 8, kernal: 3}\n",
        "spec.yaml:3:24: error: conv has no argument 'kernal'; did you mean 'kernel'?",
    ),
    (
        "argument_of_argless_layer",
        H + "  - relu: {inplace: true}\n",
        "spec.yaml:3:12: error: relu has no argument 'inplace'; expected one of: name",
    ),
    (
        "missing_argument",
        H + "  - conv: {kernel: 3}\n",
        "spec.yaml:3:5: error: conv is missing the argument 'filters'; write 'conv: {filters: ...}'",
    ),
    (
        "arguments_not_a_mapping",
        H + "  - conv: [8, 3]\n",
        "spec.yaml:3:11: error: the arguments of 'conv' must be a mapping, not a list; write 'conv: {name: value, ...}'",
    ),
    (
        "bool_is_not_an_int",
        H + "  - conv: {filters: true, kernel: 3}\n",
        "spec.yaml:3:21: error: conv 'filters' must be an int; a bool is not an int",
    ),
    (
        "float_is_not_a_size",
        H + "  - conv: {filters: 8, kernel: 2.5}\n",
        "spec.yaml:3:32: error: conv 'kernel' must be a whole number, not 2.5; write an int",
    ),
    (
        "whole_float_is_not_a_size",
        H + "  - conv: {filters: 8.0, kernel: 3}\n",
        "spec.yaml:3:21: error: conv 'filters' must be an int, not the float 8.0; write 8",
    ),
    (
        "text_is_not_a_size",
        H + "  - conv: {filters: eight, kernel: 3}\n",
        "spec.yaml:3:21: error: conv 'filters' must be an int, not the text 'eight'; write an int",
    ),
    (
        "null_argument",
        H + "  - conv: {filters: , kernel: 3}\n",
        "spec.yaml:3:21: error: conv 'filters' needs a value; write an int",
    ),
    (
        "zero_size",
        H + "  - conv: {filters: 0, kernel: 3}\n",
        "spec.yaml:3:21: error: conv 'filters' must be at least 1, not 0",
    ),
    (
        "negative_size",
        H + "  - conv: {filters: 8, kernel: -3}\n",
        "spec.yaml:3:32: error: conv 'kernel' must be at least 1, not -3",
    ),
    (
        "huge_size",
        H + "  - conv: {filters: 99999999999999999999, kernel: 3}\n",
        "spec.yaml:3:21: error: conv 'filters' must be at most 2,147,483,647, not a 20-digit number",
    ),
    (
        "number_too_long_to_read",
        H + "  - conv: {filters: " + "9" * 5000 + ", kernel: 3}\n",
        "spec.yaml:3:21: error: the number 999999999999... has 5,000 characters; no size is that long; check the value",
    ),
    (
        "kernel_larger_than_padded_input",
        H + "  - conv: {filters: 8, kernel: 35, padding: 1}\n",
        "spec.yaml:3:32: error: conv 'conv1': kernel 35 is larger than the padded input on axis H: 32 + 2·1 = 34; use a smaller kernel, more padding, or a larger input",
    ),
    (
        "dilated_kernel_larger_than_input",
        H + "  - conv: {filters: 8, kernel: 3, dilation: 20}\n",
        "spec.yaml:3:32: error: conv 'conv1': kernel 3 (dilated to 41) is larger than the padded input on axis H: 32 + 2·0 = 32; use a smaller kernel, more padding, or a larger input",
    ),
    (
        "stride_zero",
        H + "  - conv: {filters: 8, kernel: 3, stride: 0}\n",
        "spec.yaml:3:43: error: conv 'stride' must be at least 1, not 0",
    ),
    (
        "dilation_zero",
        H + "  - conv: {filters: 8, kernel: 3, dilation: 0}\n",
        "spec.yaml:3:45: error: conv 'dilation' must be at least 1, not 0",
    ),
    (
        "groups_not_dividing_input_channels",
        H + "  - conv: {filters: 8, kernel: 3, groups: 2}\n",
        "spec.yaml:3:43: error: conv 'conv1': groups=2 does not divide the 3 input channels; groups can only be 1 here",
    ),
    (
        "groups_not_dividing_filters",
        "input: [4, 32, 32]\nlayers:\n  - conv: {filters: 6, kernel: 3, groups: 4}\n",
        "spec.yaml:3:43: error: conv 'conv1': groups=4 does not divide filters=6; groups can be 1, 2",
    ),
    (
        "kernel_list_wrong_length",
        H + "  - conv: {filters: 8, kernel: [3, 3, 3]}\n",
        "spec.yaml:3:32: error: conv 'conv1': 'kernel' has 3 values but the input has 2 spatial axes (H×W); give one int, or a list of 2",
    ),
    (
        "kernel_list_too_long",
        H + "  - conv: {filters: 8, kernel: [3, 3, 3, 3]}\n",
        "spec.yaml:3:32: error: conv 'kernel' must list 1 to 3 sizes (one per spatial axis), not 4",
    ),
    (
        "kernel_list_empty",
        H + "  - conv: {filters: 8, kernel: []}\n",
        "spec.yaml:3:32: error: conv 'kernel' must list 1 to 3 sizes (one per spatial axis), not 0",
    ),
    (
        "unknown_padding_word",
        H + "  - conv: {filters: 8, kernel: 3, padding: sme}\n",
        "spec.yaml:3:44: error: unknown padding 'sme'; did you mean 'same'? (or an int, or a list of ints)",
    ),
    (
        "padding_word_in_a_list",
        H + "  - conv: {filters: 8, kernel: 3, padding: [same, 1]}\n",
        "spec.yaml:3:45: error: conv 'padding' must be an int, not the text 'same'; 'same' is a padding of conv and pooling layers only, for every axis at once",
    ),
    (
        "pool_padding_more_than_half_kernel",
        H + "  - maxpool: {kernel: 2, padding: 2}\n",
        "spec.yaml:3:35: error: maxpool 'maxpool1': padding 2 is more than half the kernel 2 (a window could see only padding); use a padding of at most 1, or a larger kernel",
    ),
    (
        "conv_transpose_padding_leaves_nothing",
        H + "  - conv_transpose: {filters: 8, kernel: 3, padding: 40}\n",
        "spec.yaml:3:54: error: conv_transpose 'conv_transpose1': padding 40 leaves no output on axis H (-46); use a padding of at most 16",
    ),
    (
        "output_padding_too_large",
        H + "  - conv_transpose: {filters: 8, kernel: 3, stride: 2, output_padding: 2}\n",
        "spec.yaml:3:72: error: conv_transpose 'conv_transpose1': output_padding 2 must be smaller than the stride or the dilation; use 0 to 1",
    ),
    (
        "channel_pool_not_dividing",
        H + "  - channel_maxpool: {kernel: 2}\n",
        "spec.yaml:3:31: error: channel_maxpool 'channel_maxpool1': kernel 2 does not divide the 3 input channels; kernel can be 1, 3",
    ),
    (
        "conv_on_a_flat_input",
        "input: [3, 32, 32]\nlayers:\n  - flatten\n  - conv: {filters: 8, kernel: 3}\n",
        "spec.yaml:4:5: error: conv 'conv1': conv needs an input with spatial axes, but its input is the flat vector [3072]; remove the flatten/dense before it, or give 'input' as [C, H, W]",
    ),
    (
        "dropout_rate_out_of_range",
        H + "  - dropout: {rate: 1.5}\n",
        "spec.yaml:3:21: error: dropout 'rate' must be at most 1, not 1.5",
    ),
    (
        "dropout_rate_nan",
        H + "  - dropout: {rate: .nan}\n",
        "spec.yaml:3:21: error: dropout 'rate' must be a finite number, not nan",
    ),
    (
        "two_keys_in_one_layer",
        H + "  - conv: {filters: 8, kernel: 3}\n    relu:\n",
        "spec.yaml:4:5: error: a layer has exactly one key, its type, but this one has 2: 'conv', 'relu'; put arguments (and 'name') inside the type's mapping, and each layer in its own '- ' item",
    ),
    (
        "name_beside_the_type",
        H + "  - conv: {filters: 8, kernel: 3}\n    name: stem\n",
        "spec.yaml:4:5: error: a layer has exactly one key, its type, but this one has 2: 'conv', 'name'; put arguments (and 'name') inside the type's mapping, and each layer in its own '- ' item",
    ),
    (
        "null_layer",
        H + "  - relu\n  -\n  - relu\n",
        "spec.yaml:4:4: error: a layer is a type name or a one-key mapping, not null; write e.g. '- relu' or '- conv: {filters: 64, kernel: 3}'",
    ),
    (
        "number_as_layer",
        H + "  - 64\n",
        "spec.yaml:3:5: error: a layer is a type name or a one-key mapping, not the number 64; write e.g. '- relu' or '- conv: {filters: 64, kernel: 3}'",
    ),
    (
        "empty_mapping_layer",
        H + "  - {}\n",
        "spec.yaml:3:5: error: an empty mapping is not a layer; write a type, e.g. '- relu'",
    ),
    (
        "duplicate_key_in_arguments",
        H + "  - conv: {filters: 8, kernel: 3, filters: 16}\n",
        "spec.yaml:3:35: error: duplicate key 'filters' (first at line 3); each key may appear once in a mapping",
    ),
    (
        "duplicate_top_level_key",
        "input: [3, 32, 32]\nlayers: [relu]\ninput: [1, 28, 28]\n",
        "spec.yaml:3:1: error: duplicate key 'input' (first at line 1); each key may appear once in a mapping",
    ),
    (
        "duplicate_layer_name",
        H + "  - conv: {filters: 8, kernel: 3, name: stem}\n  - relu: {name: stem}\n",
        "spec.yaml:4:5: error: the name 'stem' is already used by the layer at line 3; give each layer a unique name, or leave 'name' out inside blocks and repeats",
    ),
    (
        "non_text_key",
        H + "  - 3: relu\n",
        "spec.yaml:3:5: error: a mapping key must be a name, not the number 3; quote it if you mean a name",
    ),
    (
        "add_shape_mismatch",
        H + "  - add:\n      - [conv: {filters: 16, kernel: 3, padding: 1}]\n      - []\n",
        "spec.yaml:3:5: error: add 'add1': add needs identical branch shapes, but branch 0 gives [16, 32, 32] and branch 1 gives [3, 32, 32]; match the filters and strides of the branches (a projection shortcut: conv 1×1 with the same stride)",
    ),
    (
        "add_stride_mismatch",
        H + "  - add:\n      - [conv: {filters: 3, kernel: 3, stride: 2, padding: 1}]\n      - []\n",
        "spec.yaml:3:5: error: add 'add1': add needs identical branch shapes, but branch 0 gives [3, 16, 16] and branch 1 gives [3, 32, 32]; match the filters and strides of the branches (a projection shortcut: conv 1×1 with the same stride)",
    ),
    (
        "concat_spatial_mismatch",
        H + "  - concat:\n      - [conv: {filters: 8, kernel: 3}]\n      - [conv: {filters: 8, kernel: 1}]\n",
        "spec.yaml:3:5: error: concat 'concat1': concat needs identical spatial sizes, but branch 0 gives [8, 30, 30] and branch 1 gives [8, 32, 32]; give every branch the same strides and padding",
    ),
    (
        "merge_with_one_branch",
        H + "  - add: [[relu]]\n",
        "spec.yaml:3:10: error: add needs a list of at least two branches, each a list of layers; write '- [layer, ...]' per branch, and '- []' for the identity",
    ),
    (
        "branch_not_a_list",
        H + "  - concat: [[relu], relu]\n",
        "spec.yaml:3:22: error: branch 1 of concat must be a list of layers, not 'relu'; wrap it in [ ]",
    ),
    (
        "repeat_negative",
        H + "  - repeat: {times: -2, layers: [relu]}\n",
        "spec.yaml:3:21: error: repeat 'times' must be at least 0, not -2",
    ),
    (
        "repeat_not_an_int",
        H + "  - repeat: {times: 2.5, layers: [relu]}\n",
        "spec.yaml:3:21: error: repeat 'times' must be a whole number, not 2.5; write an int",
    ),
    (
        "repeat_absurd",
        H + "  - repeat: {times: 99999999999, layers: [relu]}\n",
        "spec.yaml:3:21: error: repeat 'times' must be at most 2,147,483,647, not 99,999,999,999",
    ),
    (
        "repeat_beyond_the_layer_limit",
        H + "  - relu\n  - repeat: {times: 2000000, layers: [conv: {filters: 3, kernel: 3, padding: 1}]}\n",
        "spec.yaml:4:21: error: the spec expands to at least 2,000,001 layers, more than the limit of 100,000; lower the repeat counts, or raise the limit with --max-layers",
    ),
    (
        "nested_repeats_beyond_the_limit",
        H + "  - repeat:\n      times: 1000\n      layers:\n        - repeat: {times: 1000, layers: [relu, relu]}\n",
        "spec.yaml:4:14: error: the spec expands to at least 2,000,000 layers, more than the limit of 100,000; lower the repeat counts, or raise the limit with --max-layers",
    ),
    (
        "repeat_empty_layers",
        H + "  - repeat: {times: 1000000000, layers: []}\n",
        "spec.yaml:3:41: error: repeat needs 'layers', a non-empty list; list the layers to repeat",
    ),
    (
        "repeat_missing_times",
        H + "  - repeat: {layers: [relu]}\n",
        "spec.yaml:3:5: error: repeat needs 'times'; write 'repeat: {times: 3, layers: [...]}'",
    ),
    (
        "recursive_block",
        "input: [3, 32, 32]\nblocks:\n  a:\n    layers: [relu, b]\n  b:\n    layers: [a]\nlayers:\n  - a\n",
        "spec.yaml:6:14: error: block 'a' uses itself (a → b → a); a block may not contain itself",
    ),
    (
        "block_missing_argument",
        "input: [3, 32, 32]\nblocks:\n  unit:\n    args: {filters: required}\n    layers: [conv: {filters: $filters, kernel: 3}]\nlayers:\n  - unit\n",
        "spec.yaml:7:5: error: block 'unit' is missing the argument 'filters'; write 'unit: {filters: ...}'",
    ),
    (
        "block_unknown_argument",
        "input: [3, 32, 32]\nblocks:\n  unit:\n    args: {filters: required}\n    layers: [conv: {filters: $filters, kernel: 3}]\nlayers:\n  - unit: {filter: 8}\n",
        "spec.yaml:7:12: error: block 'unit' has no argument 'filter'; did you mean 'filters'?",
    ),
    (
        "block_named_like_a_builtin",
        "input: [3, 32, 32]\nblocks:\n  conv:\n    layers: [relu]\nlayers: [conv]\n",
        "spec.yaml:3:3: error: block name 'conv' is a built-in layer type; choose another name",
    ),
    (
        "block_without_layers",
        "input: [3, 32, 32]\nblocks:\n  unit:\n    args: {f: 1}\nlayers: [unit]\n",
        "spec.yaml:3:3: error: block 'unit' has no 'layers'",
    ),
    (
        "block_list_argument_where_an_int_is_needed",
        "input: [3, 32, 32]\nblocks:\n  unit:\n    args: {k: required}\n    layers: [conv: {filters: $k, kernel: 3}]\nlayers:\n  - unit: {k: [3, 3]}\n",
        "spec.yaml:5:30: error: conv 'filters' must be an int, not a list",
    ),
    (
        "blocks_nested_too_deep",
        "input: [3, 32, 32]\nblocks:\n"
        + "".join(f"  b{i}:\n    layers: [b{i + 1}]\n" for i in range(150))
        + "  b150:\n    layers: [relu]\nlayers: [b0]\n",
        "spec.yaml:204:13: error: the layers nest deeper than 100 levels (blocks in blocks, repeats, branches); flatten the structure",
    ),
    (
        "expression_unknown_name",
        'input: [3, 32, 32]\nargs: {width: 1.0}\nlayers:\n  - conv: {filters: "32 * $widht", kernel: 3}\n',
        "spec.yaml:4:21: error: unknown argument '$widht' in expression \"32 * $widht\"; did you mean 'width'?",
    ),
    (
        "expression_undeclared_name",
        H + '  - conv: {filters: "32 * $width", kernel: 3}\n',
        "spec.yaml:3:21: error: unknown argument '$width' in expression \"32 * $width\"; declare it: 'args: {width: ...}' (at the top, or in the block)",
    ),
    (
        "expression_division_by_zero",
        'input: [3, 32, 32]\nargs: {groups: 0}\nlayers:\n  - conv: {filters: "64 / $groups", kernel: 3}\n',
        'spec.yaml:4:21: error: division by zero in expression "64 / $groups"',
    ),
    (
        "expression_not_a_whole_number",
        'input: [3, 32, 32]\nargs: {width: 0.75}\nlayers:\n  - conv: {filters: "30 * $width", kernel: 3}\n',
        "spec.yaml:4:21: error: conv 'filters' must be a whole number, not \"30 * $width\" = 22.5; round it with floor(), ceil(), round() or make_divisible()",
    ),
    (
        "expression_python_call",
        H + "  - conv: {filters: \"__import__('os').getpid()\", kernel: 3}\n",
        "spec.yaml:3:21: error: unexpected ''' in expression \"__import__('os').getpid()\"; expressions allow numbers, $names, + - * / //, parentheses and floor, ceil, round, min, max, make_divisible",
    ),
    (
        "expression_power",
        H + '  - conv: {filters: "2 ** 5", kernel: 3}\n',
        "spec.yaml:3:21: error: expected a number, $name or '(' but found '*' in expression \"2 ** 5\"",
    ),
    (
        "expression_attribute",
        'input: [3, 32, 32]\nargs: {w: 8}\nlayers:\n  - conv: {filters: "$w.bit_length()", kernel: 3}\n',
        "spec.yaml:4:21: error: unexpected '.' in expression \"$w.bit_length()\"; expressions allow numbers, $names, + - * / //, parentheses and floor, ceil, round, min, max, make_divisible",
    ),
    (
        "expression_unknown_function",
        H + '  - conv: {filters: "sqrt(64)", kernel: 3}\n',
        "spec.yaml:3:21: error: unknown function 'sqrt' in expression \"sqrt(64)\"; expected one of: ceil, floor, make_divisible, max, min, round (arguments are written $name)",
    ),
    (
        "expression_wrong_argument_count",
        H + '  - conv: {filters: "max(8)", kernel: 3}\n',
        'spec.yaml:3:21: error: max() takes 2–64 arguments, got 1, in "max(8)"',
    ),
    (
        "expression_too_deep",
        H + '  - conv: {filters: "' + "(" * 60 + "8" + ")" * 60 + '", kernel: 3}\n',
        'spec.yaml:3:21: error: expression "((((((((((((((((((((((((((((((((((((((((..." nests deeper than 50',
    ),
    (
        "expression_too_large",
        H + '  - conv: {filters: "99999999 * 99999999 * 99999999", kernel: 3}\n',
        'spec.yaml:3:21: error: expression "99999999 * 99999999 * 99999999" gives a number too large for a size',
    ),
    (
        "expression_overflow",
        H + '  - conv: {filters: "1e308 * 10", kernel: 3}\n',
        'spec.yaml:3:21: error: expression "1e308 * 10": 1e308 is too large for a size (at most 10^18 here)',
    ),
    (
        "expression_huge_argument",  # found by the long fuzz run: int / int overflowed float division
        "input: [1]\nargs:\n  w: 1"
        + "0" * 400
        + "\nlayers:\n- repeat:\n    times: floor($w / 3)\n    layers: [relu]\n",
        'spec.yaml:6:12: error: expression "floor($w / 3)": $w is too large for a size (at most 10^18 here)',
    ),
    (
        "expression_nan_argument",
        'input: [3, 8, 8]\nargs: {w: .nan}\nlayers:\n  - conv: {filters: "$w * 2", kernel: 1}\n',
        'spec.yaml:4:21: error: expression "$w * 2": $w is not a number',
    ),
    (
        "expression_unbalanced",
        H + '  - conv: {filters: "(8 + 2", kernel: 3}\n',
        "spec.yaml:3:21: error: expected ')' but found the end in expression \"(8 + 2\"",
    ),
    (
        "python_object_tag",
        'input: !!python/object/apply:os.system ["echo hi"]\nlayers: [relu]\n',
        "spec.yaml:1:8: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; cnncalc reads plain YAML only (no tags); remove the tag",
    ),
    (
        "python_name_tag_on_a_layer",
        H + "  - !!python/name:os.system relu\n",
        "spec.yaml:3:5: error: YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed; cnncalc reads plain YAML only (no tags); remove the tag",
    ),
    (
        "local_tag",
        "input: !shape [3, 32, 32]\nlayers: [relu]\n",
        "spec.yaml:1:8: error: YAML tag '!shape' is not allowed; cnncalc reads plain YAML only (no tags); remove the tag",
    ),
    (
        "binary_tag",
        "input: [3, 32, 32]\nname: !!binary aGVsbG8=\nlayers: [relu]\n",
        "spec.yaml:2:7: error: YAML tag 'tag:yaml.org,2002:binary' is not allowed; cnncalc reads plain YAML only (no tags); remove the tag",
    ),
    (
        "alias_bomb",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, c in zip("abcdefgh", "bcdefghi")),
        "spec.yaml:7:16: error: the YAML expands to more than 4,000,000 values (aliases repeated too often?); write the layers out, or use 'repeat'",
    ),
    (
        "undefined_alias",
        "input: *shape\nlayers: [relu]\n",
        "spec.yaml:1:8: error: the alias '*shape' refers to no anchor; define '&shape' on an earlier value (not one that contains the alias)",
    ),
    (
        "self_referencing_alias",
        "input: &x [3, *x]\nlayers: [relu]\n",
        "spec.yaml:1:15: error: the alias '*x' refers to no anchor; define '&x' on an earlier value (not one that contains the alias)",
    ),
    (
        "merge_key",
        "input: [3, 32, 32]\nlayers:\n  - conv: &c {filters: 8, kernel: 3}\n  - conv: {<<: *c, stride: 2}\n",
        "spec.yaml:4:12: error: YAML merge keys ('<<') are not supported; write the keys out, or define a block with args",
    ),
    (
        "flow_nesting_too_deep",
        "input: [3, 32, 32]\nlayers: " + "[" * 2000 + "]" * 2000 + "\n",
        "spec.yaml:2:72: error: the YAML nests deeper than 64 levels; flatten the structure",
    ),
    (
        "block_nesting_too_deep",
        "input: [3, 32, 32]\nlayers:\n" + "".join("  " * i + "- a:\n" for i in range(1, 100)),
        "spec.yaml:34:67: error: the YAML nests deeper than 64 levels; flatten the structure",
    ),
    (
        "output_size_absurd",
        H + "  - upsample: {scale: 100000}\n  - upsample: {scale: 100000}\n",
        "spec.yaml:4:5: error: upsample 'upsample2': its output [3, 320000000000, 320000000000] has a size above 2,147,483,647; no tensor is that large; check the scale, stride, padding and kernel",
    ),
    (
        "control_character",
        "input: [3, 32, 32]\nlayers: [relu, \x07relu]\n",
        "spec.yaml:2:16: error: invalid YAML: unacceptable character #x0007: control characters are not allowed; remove the control character",
    ),
    (
        "arg_default_uses_itself",
        'input: [3, 8, 8]\nargs: {w: "$w * 2"}\nlayers: [relu]\n',
        "spec.yaml:2:11: error: the default of 'w' uses itself; a default may use only the arguments declared before it",
    ),
    (
        "block_arg_default_uses_a_later_one",
        'input: [3, 8, 8]\nblocks:\n  x:\n    args: {n: "$m", m: 2}\n    layers: [relu]\nlayers: [x]\n',
        "spec.yaml:4:15: error: the default of 'n' uses 'm', declared after it; a default may use only the arguments declared before it",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_bad_spec(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(text, encoding="utf-8", newline="")
    assert_one_clear_error(summary("spec.yaml"), expected, text)


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_bad_spec_through_the_api_is_a_located_spec_error(text, expected):
    with pytest.raises(SpecError) as raised:
        cnncalc.analyze(text if "\n" in text else text + "\n")
    where = LOCATION.match(expected)
    assert where
    assert (raised.value.loc.line, raised.value.loc.col) == (int(where["line"]), int(where["col"]))
    assert str(raised.value).split(": error: ", 1)[1] == expected.split(": error: ", 1)[1]


# --- files that are not specs, and standard input -------------------------------------------


def test_non_utf8_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = b"input: [3, 32, 32]\nname: caf\xe9\nlayers: [relu]\n"
    Path("spec.yaml").write_bytes(data)
    assert_one_clear_error(
        summary("spec.yaml"),
        "spec.yaml:2:10: error: the file is not UTF-8 text (byte 0xe9); save it as UTF-8",
        data.decode("utf-8", "replace"),
    )


def test_utf16_file_is_binary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_bytes("input: [3, 32, 32]\n".encode("utf-16"))
    assert_one_clear_error(summary("spec.yaml"), "spec.yaml:1:1: error: the file is binary, not YAML text")


def test_binary_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("model.pt").write_bytes(bytes(range(256)) * 64)
    assert_one_clear_error(summary("model.pt"), "model.pt:1:1: error: the file is binary, not YAML text")


def test_utf8_byte_order_mark_is_fine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_bytes("\ufeffinput: [3, 32, 32]\nlayers: [relu]\n".encode())
    assert summary("spec.yaml").exit_code == 0


def test_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("specs").mkdir()
    assert_one_clear_error(summary("specs"), "specs: error: is a directory, not a spec file; give a .yaml file")


def test_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_one_clear_error(summary("nope.yaml"), "nope.yaml: error: no such file; check the path")


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open("huge.yaml", "wb") as file:
        file.truncate(33 * 2**20)  # sparse: nothing is written
    assert_one_clear_error(summary("huge.yaml"), "huge.yaml: error: the file is larger than 32 MiB; is this a spec?")


def test_stdin_error_is_located():
    text = H + "  - conv: {filters: 0, kernel: 3}\n"
    assert_one_clear_error(
        summary("-", input=text), "<stdin>:3:21: error: conv 'filters' must be at least 1, not 0", text
    )


def test_stdin_empty():
    assert_one_clear_error(
        summary("-", input=""), "<stdin>:1:1: error: the file is empty; a spec needs at least 'input' and 'layers'"
    )


def test_stdin_binary():
    assert_one_clear_error(summary("-", input=b"\x00\x01\x02"), "<stdin>:1:1: error: the file is binary, not YAML text")


def test_stdin_over_the_size_limit():
    assert_one_clear_error(
        summary("-", input=b"#" * (32 * 2**20 + 1)),
        "<stdin>: error: the input is larger than 32 MiB; is this a spec?",
    )


# --- command-line options ------------------------------------------------------------------

SPEC_WITH_ARGS = 'input: [3, 32, 32]\nargs: {width: 1.0}\nlayers:\n  - conv: {filters: "32 * $width", kernel: 3}\n'


@pytest.fixture
def spec_with_args(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(SPEC_WITH_ARGS)
    return "spec.yaml"


def test_set_of_an_unknown_name(spec_with_args):
    assert_one_clear_error(
        summary(spec_with_args, "--set", "widht=0.5"),
        "spec.yaml:2:7: error: --set widht: the spec has no argument 'widht'; did you mean 'width'?",
        SPEC_WITH_ARGS,
    )


def test_set_on_a_spec_without_args(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = H + "  - relu\n"
    Path("spec.yaml").write_text(text)
    assert_one_clear_error(
        summary("spec.yaml", "--set", "width=0.5"),
        "spec.yaml:1:1: error: --set width: the spec has no argument 'width'; its arguments: none",
        text,
    )


def test_set_of_a_value_that_is_not_a_number(spec_with_args):
    assert_one_clear_error(
        summary(spec_with_args, "--set", "width=wide"),
        "spec.yaml:4:21: error: '$width' is 'wide', not a number, in expression \"32 * $width\"",
        SPEC_WITH_ARGS,
    )


def test_set_that_makes_a_size_fractional(spec_with_args):
    assert_one_clear_error(
        summary(spec_with_args, "--set", "width=0.3"),
        "spec.yaml:4:21: error: conv 'filters' must be a whole number, not \"32 * $width\" = 9.6; "
        "round it with floor(), ceil(), round() or make_divisible()",
        SPEC_WITH_ARGS,
    )


def test_set_without_a_value(spec_with_args):
    result = summary(spec_with_args, "--set", "width")
    assert result.exit_code == 2
    assert "Invalid value for --set: 'width' is not name=value" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "'abc' is not sizes like 3x224x224 (channels first)"),
        ("3x1e9", "'3x1e9' is not sizes like 3x224x224 (channels first)"),
        ("3x0x0", "'3x0x0' must be 1 to 4 sizes from 1 to 2,147,483,647, channels first, like 3x224x224"),
        (
            "3x99999999999",
            "'3x99999999999' must be 1 to 4 sizes from 1 to 2,147,483,647, channels first, like 3x224x224",
        ),
        ("3x8x8x8x8", "'3x8x8x8x8' must be 1 to 4 sizes from 1 to 2,147,483,647, channels first, like 3x224x224"),
    ],
)
def test_input_option_garbage_is_a_usage_error(spec_with_args, value, message):
    result = summary(spec_with_args, "--input", value)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for --input: {message}"
    assert "Traceback" not in result.stderr


def test_input_option_that_no_longer_fits_is_located(spec_with_args):
    assert_one_clear_error(
        summary(spec_with_args, "--input", "3x2x2"),
        "spec.yaml:4:44: error: conv 'conv1': kernel 3 is larger than the padded input on axis H: 2 + 2·0 = 2; "
        "use a smaller kernel, more padding, or a larger input",
        SPEC_WITH_ARGS,
    )


@pytest.mark.parametrize("args", [["--batch", "0"], ["--max-layers", "0"], ["--depth", "x"], ["--format", "xml"]])
def test_bad_options_are_usage_errors(spec_with_args, args):
    result = summary(spec_with_args, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage:")
    assert "Traceback" not in result.stderr


# --- the layer limit ------------------------------------------------------------------------


def test_max_layers_refuses_one_layer_more(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = H + "  - repeat: {times: 6, layers: [conv: {filters: 3, kernel: 3, padding: 1}, relu]}\n"
    Path("spec.yaml").write_text(text)
    assert summary("spec.yaml", "--max-layers", "12").exit_code == 0
    assert_one_clear_error(
        summary("spec.yaml", "--max-layers", "11"),
        "spec.yaml:3:21: error: the spec expands to at least 12 layers, more than the limit of 11; "
        "lower the repeat counts, or raise the limit with --max-layers",
        text,
    )


def test_max_layers_default_is_100_000_and_the_option_raises_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = H + "  - repeat: {times: 100001, layers: [relu]}\n"
    Path("spec.yaml").write_text(text)
    assert_one_clear_error(
        summary("spec.yaml"),
        "spec.yaml:3:21: error: the spec expands to at least 100,001 layers, more than the limit of 100,000; "
        "lower the repeat counts, or raise the limit with --max-layers",
        text,
    )
    monkeypatch.setattr("cnncalc.loader.MAX_LAYERS", 100)  # the same, small enough to build quickly
    Path("spec.yaml").write_text(H + "  - repeat: {times: 101, layers: [relu]}\n")
    assert summary("spec.yaml").exit_code == 2
    result = summary("spec.yaml", "--max-layers", "101", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 101 + 1  # and the header


def test_a_repeat_count_known_only_inside_a_block_is_refused_after_one_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (
        "input: [3, 32, 32]\nblocks:\n  stage:\n    args: {n: required}\n"
        "    layers: [repeat: {times: $n, layers: [relu, relu]}]\nlayers:\n  - stage: {n: 600000}\n"
    )
    Path("spec.yaml").write_text(text)
    assert_one_clear_error(
        summary("spec.yaml"),
        "spec.yaml:5:30: error: this repeat takes the spec to at least 1,200,000 layers, more than the limit of "
        "100,000; lower 'times', or raise the limit with --max-layers",
        text,
    )


# --- warnings: valid but suspicious, exit 0 ---------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "warning"),
    [
        pytest.param(
            "  - concat:\n      - [maxpool: {kernel: 2}]\n      - [conv: {filters: 4, kernel: 17}]\n",
            "spec.yaml:3:5: warning: concat 'concat1': its branches have different jumps (2×2, 1×1); "
            "the receptive field shown is the largest [W001]",
            id="merged_branches_with_different_jumps",
        ),
        pytest.param(
            "  - conv: {filters: 8, kernel: 4, padding: same}\n",
            "spec.yaml:3:5: warning: conv 'conv1': 'padding: same' with an even kernel pads one side more than "
            "the other (asymmetric padding) [W002]",
            id="same_padding_with_an_even_kernel",
        ),
    ],
)
def test_warning(tmp_path, monkeypatch, layers, warning):
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(H + layers)
    result = summary("spec.yaml", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [warning]
    assert result.stdout.startswith("{")


# --- hostile specs: refused or answered, fast -----------------------------------------------------

FAST = 5.0  # seconds: the bound for any input of 1 MB or less


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            H + "  - repeat: {times: 2147483647, layers: [repeat: {times: 0, layers: [relu]}]}\n", id="empty_passes"
        ),
        pytest.param(
            "input: [3, 32, 32]\nargs: {n: 1000}\nlayers:\n"
            "  - repeat: {times: $n, layers: [repeat: {times: $n, layers: [repeat: {times: $n, layers: [relu]}]}]}\n",
            id="nested_repeats_by_argument",
        ),
        pytest.param(
            "input: [3, 32, 32]\nblocks:\n"
            + "".join(f"  b{i}:\n    layers: [{', '.join([f'b{i + 1}'] * 10)}]\n" for i in range(30))
            + "  b30:\n    layers: [relu]\nlayers: [b0]\n",
            id="blocks_that_multiply",
        ),
        pytest.param(H + "  - adaptive_avgpool: {output: [2147483647, 7]}\n", id="adaptive_pool_huge_output"),
        pytest.param("input: [3, 1e9, 1e9]\nlayers: [conv: {filters: 2147483647, kernel: 3}, relu]\n", id="huge_input"),
        pytest.param(
            H + "".join("  - zero_pad: {padding: 1}\n  - conv: {filters: 8, kernel: 2, stride: 2147483647}\n" * 40),
            id="receptive_field_past_float_range",
        ),
    ],
)
@pytest.mark.parametrize("command", ["summary", "check", "sizes"])
def test_hostile_spec_finishes_fast(tmp_path, monkeypatch, text, command):
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(text)
    start = time.monotonic()
    result = CliRunner().invoke(main, [command, "spec.yaml"])
    assert time.monotonic() - start < FAST
    assert result.exit_code in (0, 1, 2)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr


def test_json_of_a_receptive_field_past_float_range(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(
        H + "".join("  - zero_pad: {padding: 1}\n  - conv: {filters: 8, kernel: 2, stride: 2147483647}\n" * 40)
    )
    for fmt in ("json", "csv", "table", "markdown"):
        assert summary("spec.yaml", "--format", fmt).exit_code == 0


def test_a_real_process_never_prints_a_traceback(tmp_path):
    """Outside CliRunner: the console script as CI runs it, on stdin."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    for stdin in (bomb.encode(), b"\xff\xfe\x00garbage", b"input: !!python/object/apply:os.system [id]\n"):
        result = subprocess.run(
            [sys.executable, "-m", "cnncalc", "summary", "-"], input=stdin, capture_output=True, timeout=30
        )
        assert result.returncode == 2
        assert result.stdout == b""
        assert b"Traceback" not in result.stderr
        assert re.match(rb"<stdin>:\d+:\d+: error: ", result.stderr), result.stderr
