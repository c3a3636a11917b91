"""Explicit mapping from torchvision's vit_b_16 state_dict names to this replication's names.

torchvision keeps the [class] token at the top, the position embeddings and the final LayerNorm
inside `encoder`, and uses nn.MultiheadAttention, whose fused `in_proj_weight` is exactly U_qkv of
Eq. 5 (rows ordered q, k, v), so it maps to `attn.qkv` without reshaping. Every key is renamed by
rule; the function fails if a key is left over or missing, so a silent partial load is impossible.
"""

import re

import torch

_LAYER_KEY = re.compile(r"^encoder\.layers\.encoder_layer_(\d+)\.(.+)$")
_LAYER_PARTS = {
    "ln_1.weight": "ln_1.weight",
    "ln_1.bias": "ln_1.bias",
    "self_attention.in_proj_weight": "attn.qkv.weight",
    "self_attention.in_proj_bias": "attn.qkv.bias",
    "self_attention.out_proj.weight": "attn.proj.weight",
    "self_attention.out_proj.bias": "attn.proj.bias",
    "ln_2.weight": "ln_2.weight",
    "ln_2.bias": "ln_2.bias",
    "mlp.0.weight": "mlp.fc1.weight",
    "mlp.0.bias": "mlp.fc1.bias",
    "mlp.3.weight": "mlp.fc2.weight",
    "mlp.3.bias": "mlp.fc2.bias",
}
_TOP_LEVEL = {
    "class_token": "embeddings.class_token",
    "conv_proj.weight": "embeddings.patch_embed.proj.weight",
    "conv_proj.bias": "embeddings.patch_embed.proj.bias",
    "encoder.pos_embedding": "embeddings.pos_embedding",
    "encoder.ln.weight": "head.norm.weight",
    "encoder.ln.bias": "head.norm.bias",
    "heads.head.weight": "head.fc.weight",
    "heads.head.bias": "head.fc.bias",
}


def map_torchvision_key(key: str) -> str:
    """Name of torchvision's `key` in VisionTransformer's state_dict; ValueError for an unknown key."""
    if key in _TOP_LEVEL:
        return _TOP_LEVEL[key]
    match = _LAYER_KEY.match(key)
    if match and match.group(2) in _LAYER_PARTS:
        return f"encoder.{match.group(1)}.{_LAYER_PARTS[match.group(2)]}"
    raise ValueError(f"unmapped torchvision vit_b_16 key: {key}")


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
