"""The CNN's layers: batch normalization where the config asks for it, names health findings point at."""

from __future__ import annotations

from healthtune.data import Dataset
from healthtune.health.probes import probed_layers
from healthtune.models import ModelConfig, build_model


def test_batch_norm_normalizes_the_dense_head_as_it_does_the_convolutions(digits: Dataset) -> None:
    model = build_model(ModelConfig(dense_layers=2), digits, total_steps=1)
    names = [layer.name for layer in model.layers]
    for index in (1, 2):
        dense, bn, act = (names.index(f"{kind}_{index}") for kind in ("dense", "dense_bn", "dense_act"))
        assert dense + 1 == bn and bn + 1 == act  # dense_N -> dense_bn_N -> dense_act_N
        assert model.get_layer(f"dense_{index}").use_bias is False  # batch norm's beta is the bias
    # health reads the units after the non-linearity, as it does act_N of a conv block
    probed = [probed.name for probed in probed_layers(model)]
    assert "dense_act_1" in probed and "dense_1" not in probed


def test_without_batch_norm_the_head_is_plain_dense_layers(digits: Dataset) -> None:
    model = build_model(ModelConfig(batch_norm=False), digits, total_steps=1)
    assert not any(layer.name.startswith(("bn_", "dense_bn_")) for layer in model.layers)
    assert model.get_layer("dense_1").get_config()["activation"] == "relu"
