"""Tests for motifnet.model.params: the hyperparameter table, parsing and validation."""

import json
import re

import pytest

from motifnet.errors import OptionValueError, ParamError
from motifnet.model.params import (
    DEFAULT_PRESET,
    DEFAULTS,
    PARAMS,
    PRESETS,
    SPECS,
    changed_from_preset,
    check_length,
    convert_value,
    from_json,
    layer_value,
    load_params_file,
    markdown_table,
    matches_saved,
    output_length,
    parse_assignments,
    preset_values,
    resolve,
    resolve_kernel_len,
    resolve_strand,
    to_json,
)

# pysster's Model._check_params defaults, less the ones motifnet sets itself
# (activation, loss, seed, additional_input_length).
PYSSTER_DEFAULTS = {
    "conv_num": 2, "kernel_num": 30, "kernel_len": 25, "dense_num": 1, "neuron_num": 100,
    "batch_size": 128, "pool_size": 2, "pool_stride": 2, "kernel_constraint": 3,
    "dropout_input": 0.1, "dropout_conv": 0.3, "dropout_dense": 0.6,
    "learning_rate": 0.0005, "patience_lr": 5, "patience_stopping": 15, "epochs": 500,
    "rnn_type": None, "rnn_num": 1, "rnn_units": 32, "rnn_bidirectional": True,
    "rnn_dropout_input": 0.2, "rnn_dropout_recurrent": 0.0,
}
# motifnet's own parameters (not in pysster); their defaults leave pysster's network unchanged.
MOTIFNET_DEFAULTS = {"dense_adjacency": None, "features_adjacency": None, "global_pool": None, "batch_norm": False,
                     "strand": "forward", "position_bins": 0, "ema_momentum": 0.0, "weight_decay": 0.0,
                     "conv_activation": "relu"}
ALL_DEFAULTS = {**PYSSTER_DEFAULTS, **MOTIFNET_DEFAULTS}


def pysster(overrides=None) -> dict:
    """Parameters on top of pysster's preset: the network these tests describe layer by layer."""
    return resolve(overrides, preset="pysster")


def test_the_default_is_the_motifnet_preset_and_pysster_one_flag_away():
    assert DEFAULT_PRESET == "motifnet"
    assert DEFAULTS == preset_values("motifnet") == resolve()
    assert preset_values("pysster") == ALL_DEFAULTS == resolve(preset="pysster")
    assert list(SPECS) == [spec.name for spec in PARAMS]


def test_every_default_passes_its_own_validation():
    for spec in PARAMS:
        assert convert_value(spec.name, spec.default) == spec.default


def test_every_preset_value_passes_validation_and_names_every_parameter():
    for name, values in PRESETS.items():
        assert list(values) == list(SPECS), name
        for key, value in values.items():
            assert convert_value(key, value) == value, (name, key)
        assert resolve(preset=name) == values


def test_parameters_missing_from_a_saved_run_are_pysster_values_whatever_the_default():
    # spec.default fills runs written before a parameter existed: pysster's value builds their network.
    assert {spec.name: spec.default for spec in PARAMS} == ALL_DEFAULTS


def test_the_motifnet_preset_and_overrides_on_top_of_it():
    expected = {**ALL_DEFAULTS, "conv_num": 1, "kernel_num": 64, "kernel_len": "auto", "pool_size": 1,
                "pool_stride": 1, "global_pool": "max", "position_bins": 16, "dense_num": 1, "neuron_num": 32,
                "strand": "auto", "dropout_conv": 0.0}
    assert preset_values("motifnet") == expected
    assert resolve({"kernel_num": 8}, preset="motifnet") == {**expected, "kernel_num": 8}
    assert resolve({"kernel_num": 8}, preset=" MotifNet ")["kernel_len"] == "auto"
    assert resolve({"conv_num": 2}, preset="motifnet")["kernel_num"] == 64  # a scalar serves every layer


def test_preset_values_is_a_copy():
    values = preset_values("pysster")
    values["conv_num"] = 99
    assert PRESETS["pysster"]["conv_num"] == 2 and DEFAULTS["conv_num"] == PRESETS[DEFAULT_PRESET]["conv_num"]


@pytest.mark.parametrize("name", ["janggu", "", None])
def test_an_unknown_preset_is_refused_with_the_list(name):
    with pytest.raises(ParamError, match=r"^unknown preset .*; known presets: pysster, motifnet, centred$"):
        resolve({}, preset=name) if name is not None else preset_values(name)


def test_old_saved_parameters_lack_the_new_ones_and_get_pysster_values():
    saved = to_json(pysster())
    for name in ("global_pool", "batch_norm", "strand", "conv_activation"):
        del saved[name]
    assert from_json(saved) == ALL_DEFAULTS
    assert from_json({**saved, "kernel_num": [3, 2]}) == {**ALL_DEFAULTS, "kernel_num": (3, 2)}


def test_a_saved_run_matches_its_parameters_also_when_old_or_with_strand_auto():
    old = to_json(pysster({"kernel_num": (4, 5)}))
    del old["strand"], old["batch_norm"]
    assert matches_saved(old, pysster({"kernel_num": (4, 5)}))
    assert not matches_saved(old, pysster({"kernel_num": (4, 5), "batch_norm": True}))
    auto = resolve({"strand": "auto"}, preset="motifnet")
    assert matches_saved(to_json(resolve_strand(auto, (3, 2, 1, 0))), auto)
    assert matches_saved(to_json(resolve_strand(auto, None)), auto)
    assert not matches_saved(to_json(resolve_strand(auto, None)), {**auto, "strand": "both"})


def test_strand_auto_both_and_forward_against_the_input():
    dna = (3, 2, 1, 0)
    assert resolve_strand(pysster({"strand": "auto"}), dna)["strand"] == "both"
    assert resolve_strand(pysster({"strand": "auto"}), None)["strand"] == "forward"
    # RNA has a complement, but a single strand: auto reads it forward; both stays possible when asked for.
    assert resolve_strand(pysster({"strand": "auto"}), dna, double_stranded=False)["strand"] == "forward"
    assert resolve_strand(pysster({"strand": "both"}), dna, double_stranded=False)["strand"] == "both"
    assert resolve_strand(pysster({"strand": "both"}), dna)["strand"] == "both"
    assert resolve_strand(pysster({"strand": "forward"}), dna)["strand"] == "forward"
    params = pysster({"strand": "auto"})
    resolve_strand(params, dna)
    assert params["strand"] == "auto"  # a copy is returned


def test_kernel_len_auto_is_15_for_nucleotides_and_8_for_larger_alphabets():
    auto = resolve(preset="motifnet")
    assert auto["kernel_len"] == "auto"
    assert resolve_kernel_len(auto, 4)["kernel_len"] == 15
    assert resolve_kernel_len(auto, 20)["kernel_len"] == 8
    assert resolve_kernel_len(auto, 5)["kernel_len"] == 8
    assert auto["kernel_len"] == "auto"  # a copy is returned
    two = resolve({"conv_num": 2, "kernel_len": "auto,5"})
    assert resolve_kernel_len(two, 20)["kernel_len"] == (8, 5)
    assert resolve_kernel_len({**auto, "kernel_len": 11}, 20)["kernel_len"] == 11  # a number is kept
    assert resolve_kernel_len(pysster(), 20)["kernel_len"] == 25
    # A run saved with the resolved length matches 'auto' resolved for its alphabet, not another length.
    assert matches_saved(to_json(resolve_kernel_len(auto, 20)), resolve_kernel_len(auto, 20))
    assert not matches_saved(to_json(resolve_kernel_len(auto, 20)), resolve_kernel_len(auto, 4))


def test_strand_both_on_protein_is_refused_in_one_line():
    with pytest.raises(ParamError) as error:
        resolve_strand(pysster({"strand": "both"}), None, "protein (ACDEFGHIKLMNPQRSTVWY)")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("parameter strand='both' needs input with a reverse complement (a DNA or RNA "
                              "alphabet, ACGT or ACGU, without structure or track channels), received: protein "
                              "(ACDEFGHIKLMNPQRSTVWY); use strand=forward, or strand=auto")


@pytest.mark.parametrize(("text", "expected"), [("MAX", "max"), ("avg", "avg"), ("none", None)])
def test_global_pool_choices(text, expected):
    assert convert_value("global_pool", text) == expected


def test_parse_assignments_converts_each_type():
    parsed = parse_assignments([
        "kernel_num=300,100,30", "conv_num = 3", "learning_rate=1e-3", "dropout_input=0",
        "kernel_constraint=None", "rnn_type=lstm", "rnn_bidirectional=false", "epochs=20.0",
        "dropout_conv=0.1, 0.2 ,0.3",
    ])
    assert parsed == {
        "kernel_num": (300, 100, 30), "conv_num": 3, "learning_rate": 0.001, "dropout_input": 0.0,
        "kernel_constraint": None, "rnn_type": "LSTM", "rnn_bidirectional": False, "epochs": 20,
        "dropout_conv": (0.1, 0.2, 0.3),
    }
    assert type(parsed["conv_num"]) is int and type(parsed["epochs"]) is int
    assert type(parsed["dropout_input"]) is float


@pytest.mark.parametrize("name, text, expected", [
    ("rnn_type", "LSTM", "LSTM"), ("rnn_type", "Gru", "GRU"), ("rnn_type", "none", None),
    ("rnn_type", "null", None), ("kernel_constraint", "", None),
    ("rnn_bidirectional", "True", True), ("rnn_bidirectional", "yes", True), ("rnn_bidirectional", "1", True),
    ("rnn_bidirectional", "off", False), ("rnn_bidirectional", "0", False),
    ("batch_size", "1", 1), ("kernel_len", "1e1", 10), ("learning_rate", "1e-20", 1e-20),
    ("kernel_num", "7", 7), ("pool_size", "3,2", (3, 2)), ("kernel_len", " AUTO", "auto"),
    ("kernel_len", "auto,5", ("auto", 5)),
])
def test_convert_value_from_command_line_text(name, text, expected):
    assert convert_value(name, text) == expected


@pytest.mark.parametrize("assignment, message", [
    ("kernal_num=20", r"unknown parameter 'kernal_num' \(did you mean 'kernel_num'\?\); known parameters: conv_num,"),
    ("dropout=0.2", r"unknown parameter 'dropout' \(did you mean 'dropout_"),
    ("zzzz=1", r"unknown parameter 'zzzz'; known parameters"),
    ("kernel_num", r"--param expects KEY=VALUE \(e\.g\. kernel_num=20\), received: 'kernel_num'"),
    ("kernel_num=abc", "parameter kernel_num expects an integer from 1 to 10,000, or one value per layer "
                       r"\(conv_num values, comma-separated\), received: 'abc'"),
    ("kernel_num=2.5", "parameter kernel_num expects an integer from 1 to 10,000.*received: '2.5'"),
    ("kernel_num=auto", "parameter kernel_num expects an integer from 1 to 10,000, or one value per layer"),
    ("kernel_len=automatic",
     "parameter kernel_len expects an integer from 1 to 1,000,000 or 'auto', or one value per layer"),
    ("kernel_num=0", "parameter kernel_num expects an integer from 1 to 10,000.*received: '0'"),
    ("kernel_num=None", "parameter kernel_num expects .*received: 'None'"),
    ("dropout_input=1.0", r"parameter dropout_input expects a number in \[0, 1\), received: '1.0'"),
    ("dropout_input=-0.1", r"parameter dropout_input expects a number in \[0, 1\), received: '-0.1'"),
    ("dropout_conv=0.2,1", r"parameter dropout_conv expects a number in \[0, 1\).*received: '1'"),
    ("learning_rate=0", "parameter learning_rate expects a number > 0, received: '0'"),
    ("kernel_constraint=0", "parameter kernel_constraint expects a number > 0 or None, received: '0'"),
    ("rnn_type=RNN", "parameter rnn_type expects 'LSTM' or 'GRU' or None, received: 'RNN'"),
    ("rnn_bidirectional=maybe", "parameter rnn_bidirectional expects true or false, received: 'maybe'"),
    ("batch_size=64,32", r"parameter batch_size takes a single value, received: \['64', '32'\]"),
    ("kernel_num=20,", "parameter kernel_num expects .*received: ''"),
    ("dropout_input=nan", r"parameter dropout_input expects a number in \[0, 1\), received: 'nan'"),
    ("learning_rate=NaN", "parameter learning_rate expects a number > 0, received: 'NaN'"),
    ("kernel_num=nan", "parameter kernel_num expects an integer from 1 to 10,000"),
    ("learning_rate=inf", "parameter learning_rate expects a number > 0, received: 'inf'"),
    ("learning_rate=1e999", "parameter learning_rate expects a number > 0, received: '1e999'"),
    ("kernel_constraint=-inf", "parameter kernel_constraint expects a number > 0 or None, received: '-inf'"),
    ("epochs=inf", "parameter epochs expects an integer from 1 to 1,000,000, received: 'inf'"),
    # Python's float reads 1_0 as 10
    ("kernel_num=1_0", "parameter kernel_num expects an integer from 1 to 10,000.*received: '1_0'"),
    ("learning_rate=0.0_1", "parameter learning_rate expects a number > 0, received: '0.0_1'"),
    # Unbounded, these ended in TensorFlow's traceback (epochs, kernel_num, batch_size past 2**63) or in the
    # machine's memory filled while the network was built (kernel_num=1e8).
    ("epochs=1e20", "parameter epochs expects an integer from 1 to 1,000,000, received: '1e20'"),
    ("batch_size=1e20", "parameter batch_size expects an integer from 1 to 1,000,000, received: '1e20'"),
    ("kernel_num=100000000", "parameter kernel_num expects an integer from 1 to 10,000.*received: '100000000'"),
    ("kernel_num=8,10001", "parameter kernel_num expects an integer from 1 to 10,000.*received: '10001'"),
    ("neuron_num=1e12", "parameter neuron_num expects an integer from 1 to 10,000"),
    ("conv_num=101", "parameter conv_num expects an integer from 0 to 100, received: '101'"),
    ("position_bins=1e12", "parameter position_bins expects an integer from 0 to 1,000,000, received: '1e12'"),
    ("patience_lr=1000001", "parameter patience_lr expects an integer from 1 to 1,000,000"),
])
def test_bad_assignments(assignment, message):
    """A value typed with --param is a usage error (exit status 2 on the command line), as Click's own checks."""
    with pytest.raises(OptionValueError, match=message):
        parse_assignments([assignment])


@pytest.mark.parametrize("name, value", [("epochs", 1_000_000), ("kernel_num", 10_000), ("conv_num", 100),
                                         ("batch_size", 1_000_000), ("position_bins", 0), ("kernel_len", 1_000_000)])
def test_the_largest_values_are_accepted(name, value):
    assert convert_value(name, str(value)) == value


def test_a_parameter_given_twice_takes_the_last_value_and_says_so(caplog):
    with caplog.at_level("INFO", logger="motifnet"):
        assert parse_assignments(["kernel_num=10", "epochs=3", "kernel_num=20"])["kernel_num"] == 20
    assert "--param kernel_num given more than once: using the last, 20" in caplog.text


@pytest.mark.parametrize("name, value", [
    ("kernel_num", True), ("kernel_num", 2.5), ("kernel_num", "x"), ("kernel_num", []),
    ("kernel_num", [10, None]), ("rnn_type", 1), ("rnn_bidirectional", 1), ("learning_rate", "fast"),
    ("learning_rate", float("inf")), ("kernel_constraint", float("nan")), ("dropout_conv", [0.1, float("-inf")]),
])
def test_json_values_of_the_wrong_type(name, value):
    with pytest.raises(ParamError, match=f"parameter {name} "):
        convert_value(name, value)


def test_resolve_fills_defaults_and_checks_tuples_against_layer_counts():
    params = pysster({"conv_num": 3, "kernel_num": (300, 100, 30), "dense_num": 2, "neuron_num": "50,20"})
    assert params == {**ALL_DEFAULTS, "conv_num": 3, "kernel_num": (300, 100, 30), "dense_num": 2,
                      "neuron_num": (50, 20)}
    assert [layer_value(params, "kernel_num", i) for i in range(3)] == [300, 100, 30]
    assert [layer_value(params, "kernel_len", i) for i in range(3)] == [25, 25, 25]


@pytest.mark.parametrize("overrides, message", [
    ({"kernel_num": "300,100,30"}, "parameter kernel_num has 3 values but conv_num is 2; "
                                   "give one value for all layers or exactly 2"),
    ({"dense_num": 3, "dropout_dense": (0.5, 0.2)}, "parameter dropout_dense has 2 values but dense_num is 3"),
    ({"rnn_type": "GRU", "rnn_num": 1, "rnn_units": (8, 8)}, "parameter rnn_units has 2 values but rnn_num is 1"),
    ({"kernel_sizes": 3}, "unknown parameter 'kernel_sizes'"),
])
def test_resolve_refuses(overrides, message):
    with pytest.raises(ParamError, match=message):
        pysster(overrides)


def test_rnn_tuples_are_not_checked_without_rnn_layers():
    assert pysster({"rnn_units": (8, 8)})["rnn_units"] == (8, 8)


def test_params_file_lists_become_tuples(tmp_path):
    path = tmp_path / "params.json"
    path.write_text(json.dumps({"conv_num": 3, "kernel_num": [300, 100, 30], "rnn_type": "gru",
                                "kernel_constraint": None, "learning_rate": 0.001, "rnn_bidirectional": False}))
    assert load_params_file(path) == {"conv_num": 3, "kernel_num": (300, 100, 30), "rnn_type": "GRU",
                                      "kernel_constraint": None, "learning_rate": 0.001,
                                      "rnn_bidirectional": False}


def test_a_list_of_one_value_is_that_value_for_every_layer(tmp_path):
    """["auto"] with conv_num 2 was refused as '1 values but conv_num is 2', and [15] was recorded as [15]."""
    path = tmp_path / "params.json"
    path.write_text(json.dumps({"conv_num": 2, "kernel_len": ["auto"], "kernel_num": [15]}))
    assert load_params_file(path) == {"conv_num": 2, "kernel_len": "auto", "kernel_num": 15}
    params = resolve(load_params_file(path))
    assert params["kernel_len"] == "auto" and params["kernel_num"] == 15
    assert to_json(params)["kernel_num"] == 15


@pytest.mark.parametrize("text, message", [
    (None, "no such parameter file"),
    ('{"conv_num": 2,}', r"not a JSON parameter file \("),
    # the last was taken without a word
    ('{"conv_num": 2, "kernel_num": 8, "conv_num": 3}', r"not a JSON parameter file \(conv_num given more than "
                                                          r"once in one object\)"),
    ("[1, 2]", "expected a JSON object of parameter names and values"),
    ('{"conv_nums": 2}', r"unknown parameter 'conv_nums' \(did you mean 'conv_num'\?\)"),
    ('{"batch_size": [1, 2]}', "parameter batch_size takes a single value"),
    ('{"dropout_dense": 1.5}', r"parameter dropout_dense expects a number in \[0, 1\)"),
])
def test_bad_params_files(tmp_path, text, message):
    path = tmp_path / "params.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ParamError, match="^" + re.escape(f"{path}: ") + ".*" + message):  # the file named first
        load_params_file(path)


def test_nan_from_a_params_file_is_refused(tmp_path):
    path = tmp_path / "params.json"
    path.write_text('{"learning_rate": NaN}')
    with pytest.raises(ParamError, match="parameter learning_rate expects a number > 0, received: nan"):
        load_params_file(path)


def test_missing_params_file_is_named(tmp_path):
    path = tmp_path / "missing.json"
    with pytest.raises(ParamError, match=f"^{path}: no such parameter file$"):
        load_params_file(path)


def test_to_json_turns_tuples_into_lists_that_load_back():
    params = pysster({"conv_num": 3, "kernel_num": (3, 2, 1)})
    saved = to_json(params)
    assert saved["kernel_num"] == [3, 2, 1] and saved["kernel_len"] == 25
    assert pysster(json.loads(json.dumps(saved))) == params


def test_output_length_follows_valid_convolution_and_pooling():
    assert output_length(pysster(), 100) == [("conv_1", 76), ("pool_1", 38), ("conv_2", 14), ("pool_2", 7)]
    assert output_length(resolve_kernel_len(resolve(), 4), 100) == [("conv_1", 86)]  # pools by 1: no pool_1
    with pytest.raises(ValueError, match="kernel_len 'auto' is decided by the input"):
        output_length(resolve(), 100)
    params = pysster({"conv_num": 2, "kernel_len": (5, 3), "pool_size": (3, 2), "pool_stride": (2, 1)})
    # conv 20-5+1=16, pool (16-3)//2+1=7, conv 7-3+1=5, pool (5-2)//1+1=4
    assert output_length(params, 20) == [("conv_1", 16), ("pool_1", 7), ("conv_2", 5), ("pool_2", 4)]
    assert output_length(pysster({"conv_num": 0}), 5) == []


def test_check_length_accepts_a_network_that_just_fits():
    # Defaults: 76 -> conv 52 -> pool 26 -> conv 2 -> pool 1.
    check_length(pysster(), 76)
    assert output_length(pysster(), 76)[-1] == ("pool_2", 1)


def test_check_length_refuses_a_network_that_shrinks_the_sequence_to_nothing():
    expected = ("the network shrinks the sequence to nothing "
                "(input 75 -> conv_1 51 -> pool_1 25 -> conv_2 1 -> pool_2 0)")
    with pytest.raises(ParamError, match=r"^" + expected.replace("(", r"\(").replace(")", r"\)")
                       + r"; use fewer conv layers \(conv_num\)"):
        check_length(pysster(), 75)


def test_check_length_stops_at_the_first_layer_that_empties():
    with pytest.raises(ParamError, match=r"\(input 20 -> conv_1 -4\); use fewer conv layers"):
        check_length(pysster(), 20)


def test_markdown_table_has_one_row_per_parameter_and_a_column_per_preset():
    lines = markdown_table().splitlines()
    assert len(lines) == 2 + len(PARAMS)
    assert lines[0] == ("| parameter | `motifnet` (auto: most input) | `centred` (auto: centred RNA windows) "
                        "| `pysster` | accepts | meaning |")
    assert lines[2] == "| `conv_num` | 1 | 2 | 2 | an integer from 0 to 100 | number of convolutional/pooling layers |"
    assert "| `kernel_len` | auto | 8 | 25 |" in markdown_table()
    assert "| `rnn_type` | None | None | None | 'LSTM' or 'GRU' or None |" in markdown_table()
    assert "| `strand` | auto | forward | forward | 'forward' or 'both' or 'auto' |" in markdown_table()


def test_auto_stands_for_the_presets_it_picks_from_and_overrides_are_checked_against_them():
    from motifnet.model.params import check_overrides, possible_presets

    assert possible_presets("auto") == possible_presets(None) == ["motifnet", "centred"]
    assert possible_presets("pysster") == ["pysster"]
    assert check_overrides({"kernel_num": 8}, "auto") == resolve({"kernel_num": 8}, "motifnet")
    # position_bins needs motifnet's global pooling: accepted for auto (the input may pick motifnet) ...
    assert check_overrides({"position_bins": 4}, "auto")["position_bins"] == 4
    # ... not for centred, pysster's flattened network; an override no preset accepts is refused.
    with pytest.raises(ParamError, match="position_bins=4 needs global_pool"):
        check_overrides({"position_bins": 4}, "centred")
    with pytest.raises(ParamError, match="weight_decay=3000") as refused:
        check_overrides({"weight_decay": 3000}, "auto")
    assert "preset auto" not in str(refused.value)  # one message where both presets refuse alike
    # Refused for different reasons: both are said (it said motifnet's alone, as if the user had chosen it).
    with pytest.raises(ParamError, match=r"^parameter kernel_len has 3 values but conv_num is 1; .* \(preset auto "
                                         r"picks motifnet or centred by the input, and neither takes this; centred: "
                                         r"parameter kernel_len has 3 values but conv_num is 2; .*\)$"):
        check_overrides({"kernel_len": "8,8,8"}, "auto")


@pytest.mark.parametrize("overrides, refused", [
    ({"weight_decay": 1999}, False),
    ({"weight_decay": 2000}, True),  # 0.0005 x 2000 = 1: every kernel weight set to 0 in one step
    ({"weight_decay": 3000}, True),
    ({"weight_decay": 10, "learning_rate": 0.1}, True),
])
def test_weight_decay_may_not_remove_a_weight_in_one_step(overrides, refused):
    if not refused:
        assert resolve(overrides)["weight_decay"] == overrides["weight_decay"]
        return
    with pytest.raises(ParamError, match=r"weight_decay=.* with learning_rate=.*\(their product must be below 1\)"):
        resolve(overrides)


def test_network_params_decide_kernel_len_and_refuse_windows_too_short():
    from motifnet.errors import WindowTooShortError
    from motifnet.model.params import network_params

    assert network_params(None, "motifnet", 4, 200)["kernel_len"] == 15
    assert network_params(None, "motifnet", 20, 100)["kernel_len"] == 8
    assert network_params({"kernel_len": 5}, "motifnet", 4, 5)["kernel_len"] == 5  # just fits
    with pytest.raises(WindowTooShortError, match=r"^the network shrinks the sequence to nothing \(input 20 -> "):
        network_params(None, "centred", 4, 20)
    with pytest.raises(ParamError, match="unknown parameter 'kernal_len'") as refused:
        network_params({"kernal_len": 5}, "motifnet", 4, 200)
    assert not isinstance(refused.value, WindowTooShortError)


def test_only_values_the_user_set_are_told_from_the_presets():
    """The report called every value the preset's; then, told apart by comparison alone, it counted position_bins,
    which global_pool avg sets to 0, as set by --param."""
    params = {**PRESETS["motifnet"], "global_pool": "avg", "position_bins": 0, "kernel_len": 12, "kernel_num": 64}
    given = ["global_pool", "kernel_len", "kernel_num"]
    assert changed_from_preset("motifnet", params, given) == {"global_pool": "max", "kernel_len": "auto"}
    assert changed_from_preset("motifnet", params, []) == {}
    assert changed_from_preset("a preset of a later motifnet", params, given) == {}


def test_a_folder_given_as_a_params_file_is_named_a_folder(tmp_path):
    """It said "not a JSON parameter file ([Errno 21] Is a directory: ...)"."""
    with pytest.raises(ParamError, match=f"^{re.escape(str(tmp_path))}: a folder, not a JSON parameter file$"):
        load_params_file(tmp_path)
