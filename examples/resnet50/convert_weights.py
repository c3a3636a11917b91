"""Explicit mapping from torchvision's resnet50 state_dict names to this replication's names.

torchvision calls the stages layer1..layer4, the block convolutions conv1..conv3 and the
projection shortcut downsample.0/1; this replication uses the paper's names (conv2_x..conv5_x,
Table 1) and says what each convolution does. Every key is renamed by rule, and the function
fails if a key is left over or missing, so a silent partial load is impossible.
"""

import re

import torch

_BLOCK_LAYERS = {
    "conv1": "conv_reduce",
    "bn1": "bn_reduce",
    "conv2": "conv_spatial",
    "bn2": "bn_spatial",
    "conv3": "conv_expand",
    "bn3": "bn_expand",
    "downsample.0": "shortcut.conv",
    "downsample.1": "shortcut.bn",
}
_STAGES = {"layer1": "conv2_x", "layer2": "conv3_x", "layer3": "conv4_x", "layer4": "conv5_x"}
_BLOCK_KEY = re.compile(r"^(layer[1-4])\.(\d+)\.(conv[1-3]|bn[1-3]|downsample\.[01])\.(\w+)$")
_TOP_LEVEL = {"conv1": "stem.conv", "bn1": "stem.bn", "fc": "head.fc"}


def map_torchvision_key(key: str) -> str:
    """Name of torchvision's `key` in ResNet50's state_dict; ValueError for an unknown key."""
    match = _BLOCK_KEY.match(key)
    if match:
        stage, index, layer, tensor = match.groups()
        return f"{_STAGES[stage]}.blocks.{index}.{_BLOCK_LAYERS[layer]}.{tensor}"
    prefix, _, tensor = key.partition(".")
    if prefix in _TOP_LEVEL and "." not in tensor:
        return f"{_TOP_LEVEL[prefix]}.{tensor}"
    raise ValueError(f"unmapped torchvision resnet50 key: {key}")


def map_torchvision_state_dict(
    source: dict[str, torch.Tensor], target_keys: list[str]
) -> dict[str, torch.Tensor]:
    """Rename every tensor of `source`; raise if the result does not cover `target_keys` exactly."""
    mapped = {map_torchvision_key(key): value for key, value in source.items()}
    missing = sorted(set(target_keys) - set(mapped))
    unexpected = sorted(set(mapped) - set(target_keys))
    if missing or unexpected:
        raise ValueError(f"mapping mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}")
    return mapped
