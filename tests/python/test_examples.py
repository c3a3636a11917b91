"""Tests of the three reference replications under examples/ (issue 7).

What is checked against what:
- ResNet-50 and ViT-B/16: the parameter count equals torchvision's model built in the test
  (weights=None, never downloaded) and the printed reference; after loading torchvision's
  state_dict through the example's explicit key mapping, outputs are equal in eval mode.
- Transformer base: the parameter count equals the closed-form count of the paper's architecture,
  computed here from the formula (not copied from the program); the validation reports the
  mismatch with the paper's "65M" and exits non-zero.
- Each example's `python model.py` validation runs with the expected exit status.
- The shape comments of each top-level forward agree with a real forward pass at two input sizes.

Needs PyTorch and torchvision (`pip install torch==2.14.1 torchvision==0.29.2`) and pytest;
conftest.py stops the run with that install command when they are missing.
"""

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch
import torchvision

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# Module names every example defines; purged between examples so `modules` is the right one.
_EXAMPLE_MODULES = ("model", "config", "modules", "convert_weights")


def load_example(name: str, module: str = "model") -> ModuleType:
    """Import `module` from examples/<name> with that example's own `modules`/`config` packages."""
    for key in list(sys.modules):
        if key.split(".")[0] in _EXAMPLE_MODULES:
            del sys.modules[key]
    sys.path.insert(0, str(EXAMPLES / name))
    try:
        return importlib.import_module(module)
    finally:
        sys.path.pop(0)


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def randomize_norm_statistics(model: torch.nn.Module, seed: int) -> None:
    """Give BN/LN affine weights and BN running statistics non-default values, so an equality
    test also proves they were mapped (with defaults a wrong mapping could still match)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
                shape = module.weight.shape
                module.weight.copy_(1 + 0.1 * torch.randn(shape, generator=generator))
                module.bias.copy_(0.1 * torch.randn(shape, generator=generator))
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.copy_(0.1 * torch.randn(shape, generator=generator))
                module.running_var.copy_(1 + 0.5 * torch.rand(shape, generator=generator))


def run_validation(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "model.py"], check=False, cwd=EXAMPLES / name, capture_output=True, text=True, timeout=600
    )


# --- shape comments against a real forward pass -------------------------------------------

_SHAPE_COMMENT = re.compile(r"^\s*#\s*(\w+):\s*\[([^\]]*)\]")


def _forward_comments(cls: type) -> tuple[list[tuple[int, str, str]], ast.FunctionDef, str]:
    """(line, variable, dims) of every shape comment in `cls.forward`, its AST and file name."""
    path = sys.modules[cls.__module__].__file__
    source = Path(path).read_text()
    tree = ast.parse(source)
    forward = next(
        node
        for cls_node in ast.walk(tree)
        if isinstance(cls_node, ast.ClassDef) and cls_node.name == cls.__name__
        for node in cls_node.body
        if isinstance(node, ast.FunctionDef) and node.name == "forward"
    )
    lines = source.splitlines()
    comments = []
    for number in range(forward.lineno, forward.end_lineno + 1):
        match = _SHAPE_COMMENT.match(lines[number - 1])
        if match:
            comments.append((number, match.group(1), match.group(2)))
    return comments, forward, path


def check_forward_shape_comments(model: torch.nn.Module, inputs: tuple, bindings: dict[str, int]) -> int:
    """Run `model(*inputs)` and compare every shape comment of its class's forward with the
    shape the commented variable really has right after the statement above the comment (the
    first comment: the input). Returns the number of comments checked."""
    comments, forward, path = _forward_comments(type(model))
    code = type(model).forward.__code__
    events: list[tuple[int, dict[str, tuple[int, ...]]]] = []

    def local_tracer(frame, event, _arg):
        if event in ("line", "return"):
            shapes = {k: tuple(v.shape) for k, v in frame.f_locals.items() if isinstance(v, torch.Tensor)}
            events.append((frame.f_lineno if event == "line" else 10**9, shapes))
        return local_tracer

    def global_tracer(frame, event, _arg):
        if event == "call" and frame.f_code is code:
            return local_tracer
        return None

    sys.settrace(global_tracer)
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        sys.settrace(None)
    assert events, f"forward of {type(model).__name__} was not traced"

    statements = list(forward.body)
    checked = 0
    for line, name, dims in comments:
        expected = tuple(int(eval(d, {"__builtins__": {}}, bindings)) for d in dims.split(","))
        before = [s for s in statements if s.end_lineno < line]
        if not before or before[-1].lineno <= forward.lineno or isinstance(before[-1], ast.Expr):
            actual = events[0][1].get(name)  # the first comment gives the input shape
        else:
            statement = before[-1]
            inside = [i for i, (ln, _) in enumerate(events) if statement.lineno <= ln <= statement.end_lineno]
            assert inside, f"{path}:{statement.lineno} never executed"
            after = next(
                e for e in events[inside[-1] + 1 :] if not statement.lineno <= e[0] <= statement.end_lineno
            )
            actual = after[1].get(name)
        assert actual == expected, f"{path}:{line}: comment says {name}: {expected}, real shape {actual}"
        checked += 1
    return checked


# --- ResNet-50 -----------------------------------------------------------------------------

RESNET50_PARAMS = 25_557_032  # torchvision ResNet50_Weights meta["num_params"]


def test_resnet50_parameter_count_equals_torchvision() -> None:
    model = load_example("resnet50").ResNet50()
    reference = torchvision.models.resnet50(weights=None)
    assert n_params(reference) == RESNET50_PARAMS
    assert n_params(model) == RESNET50_PARAMS
    assert sum(b.numel() for b in model.buffers()) == sum(b.numel() for b in reference.buffers())


def test_resnet50_outputs_equal_torchvision_with_mapped_weights() -> None:
    model = load_example("resnet50").ResNet50()
    convert = load_example("resnet50", "convert_weights")
    torch.manual_seed(1)
    reference = torchvision.models.resnet50(weights=None)
    randomize_norm_statistics(reference, seed=2)
    mapped = convert.map_torchvision_state_dict(reference.state_dict(), list(model.state_dict()))
    model.load_state_dict(mapped, strict=True)
    model.eval()
    reference.eval()
    x = torch.randn(2, 3, 96, 64, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        torch.testing.assert_close(model(x), reference(x))


def test_resnet50_mapping_rejects_unknown_keys() -> None:
    convert = load_example("resnet50", "convert_weights")
    with pytest.raises(ValueError, match="unmapped"):
        convert.map_torchvision_key("layer5.0.conv1.weight")
    target = list(load_example("resnet50").ResNet50().state_dict())
    partial = dict(list(torchvision.models.resnet50(weights=None).state_dict().items())[:-2])
    with pytest.raises(ValueError, match="missing"):
        convert.map_torchvision_state_dict(partial, target)


def test_resnet50_shape_comments_match_forward() -> None:
    model = load_example("resnet50").ResNet50().eval()
    for h, w in ((64, 96), (128, 32)):
        checked = check_forward_shape_comments(model, (torch.randn(2, 3, h, w),), {"B": 2, "H": h, "W": w})
        assert checked == 7
        stem = {"B": 2, "C": 3, "H": h, "W": w}
        assert check_forward_shape_comments(model.stem, (torch.randn(2, 3, h, w),), stem) == 5
    # A downsampling block with projection (conv3_1) and an identity block (conv3_2).
    x = torch.randn(2, 256, 56, 40)
    first = {"B": 2, "C": 256, "H": 56, "W": 40, "C_mid": 128, "H_out": 28, "W_out": 20}
    assert check_forward_shape_comments(model.conv3_x.blocks[0], (x,), first) == 12
    assert check_forward_shape_comments(model.conv3_x.blocks[0].shortcut, (x,), first) == 3
    y = torch.randn(2, 512, 28, 20)
    second = {"B": 2, "C": 512, "H": 28, "W": 20, "C_mid": 128, "H_out": 28, "W_out": 20}
    assert check_forward_shape_comments(model.conv3_x.blocks[1], (y,), second) == 12
    assert check_forward_shape_comments(model.conv3_x, (x,), first) == 2
    head = {"B": 2, "C": 2048, "H": 7, "W": 5, "K": 1000}
    assert check_forward_shape_comments(model.head, (torch.randn(2, 2048, 7, 5),), head) == 4


def test_resnet50_validation_passes() -> None:
    result = run_validation("resnet50")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "total 25,557,032" in result.stdout


def _bottleneck_params(c: int, k: int, projection: bool) -> int:
    """Fig. 5 right: 1x1 (c->k), 3x3 (k->k), 1x1 (k->4k), no conv bias, BN 2 per channel;
    option B projection 1x1 (c->4k) + BN where the shape changes."""
    count = c * k + 9 * k * k + 4 * k * k + 2 * (k + k + 4 * k)
    return count + (c * 4 * k + 2 * 4 * k if projection else 0)


def test_resnet50_stage_counts_follow_formula() -> None:
    model = load_example("resnet50").ResNet50()
    assert n_params(model.stem) == 7 * 7 * 3 * 64 + 2 * 64
    c = 64
    for stage, (k, blocks) in zip(
        (model.conv2_x, model.conv3_x, model.conv4_x, model.conv5_x), ((64, 3), (128, 4), (256, 6), (512, 3))
    ):
        expected = _bottleneck_params(c, k, True) + (blocks - 1) * _bottleneck_params(4 * k, k, False)
        assert n_params(stage) == expected
        c = 4 * k
    assert n_params(model.head) == 2048 * 1000 + 1000


_PY_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def run_doc_usage_examples(name: str) -> int:
    """Execute every ```python block of examples/<name>/docs/modules/*.md with that example's
    packages importable; returns how many ran."""
    load_example(name)  # purge the other examples' `modules` and `config`
    sys.path.insert(0, str(EXAMPLES / name))
    ran = 0
    try:
        for doc in sorted((EXAMPLES / name / "docs" / "modules").glob("*.md")):
            blocks = _PY_BLOCK.findall(doc.read_text())
            assert blocks, f"{doc}: no usage example"
            for block in blocks:
                exec(compile(block, str(doc), "exec"), {"__name__": "usage"})  # noqa: S102 - running the docs is the test
                ran += 1
    finally:
        sys.path.pop(0)
    return ran


def test_resnet50_doc_usage_examples_run() -> None:
    assert run_doc_usage_examples("resnet50") == 4


# --- ViT-B/16 ------------------------------------------------------------------------------

VIT_B16_PARAMS = 86_567_656  # torchvision ViT_B_16_Weights meta["num_params"]


def _vit_b16_params_formula() -> int:
    """Eq. 1-4 with Table 1's ViT-Base (L=12, D=768, MLP 3072) at 224 px, 16 px patches, 1000 classes."""
    d, mlp, layers, patches, classes = 768, 3072, 12, (224 // 16) ** 2, 1000
    embedding = 16 * 16 * 3 * d + d + d + (patches + 1) * d  # E (+bias), x_class, E_pos
    block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * mlp + mlp) + (mlp * d + d)
    head = 2 * d + d * classes + classes  # LN of Eq. 4 and the linear classifier
    return embedding + layers * block + head


def test_vit_b16_parameter_count_equals_torchvision_and_formula() -> None:
    model = load_example("vit-b16").VisionTransformer()
    assert n_params(torchvision.models.vit_b_16(weights=None)) == VIT_B16_PARAMS
    assert _vit_b16_params_formula() == VIT_B16_PARAMS
    assert n_params(model) == VIT_B16_PARAMS


def test_vit_b16_outputs_equal_torchvision_with_mapped_weights() -> None:
    model = load_example("vit-b16").VisionTransformer()
    convert = load_example("vit-b16", "convert_weights")
    torch.manual_seed(4)
    reference = torchvision.models.vit_b_16(weights=None)
    # torchvision zero-initialises the [class] token and the head; with zeros the logits would be
    # equal whatever the mapping, so give them random values first.
    with torch.no_grad():
        reference.class_token.normal_(std=0.5)
        reference.heads.head.weight.normal_(std=0.02)
        reference.heads.head.bias.normal_(std=0.02)
    randomize_norm_statistics(reference, seed=5)
    mapped = convert.map_torchvision_state_dict(reference.state_dict(), list(model.state_dict()))
    model.load_state_dict(mapped, strict=True)
    model.eval()
    reference.eval()
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        ours, theirs = model(x), reference(x)
    assert theirs.abs().max() > 0.1  # the comparison is not between two near-zero tensors
    torch.testing.assert_close(ours, theirs)


def test_vit_b16_mapping_rejects_unknown_keys() -> None:
    convert = load_example("vit-b16", "convert_weights")
    with pytest.raises(ValueError, match="unmapped"):
        convert.map_torchvision_key("encoder.layers.encoder_layer_0.mlp.1.weight")


def test_vit_b16_paper_count_verdict_follows_printed_precision() -> None:
    verdict = load_example("vit-b16").paper_count_verdict
    # 86M printed with unit 1M: [85.5M, 86.5M] rounds, [86M, 87M) truncates (param-counts.md).
    assert verdict(86_567_656, "86M")[0] == "within_truncation"
    assert verdict(85_798_656, "86M")[0] == "match"
    assert verdict(87_000_000, "86M")[0] == "mismatch"
    assert verdict(28_589_128, "28.6M")[0] == "match"
    assert verdict(63_082_496, "65M")[0] == "mismatch"


def test_vit_b16_shape_comments_match_forward() -> None:
    model = load_example("vit-b16").VisionTransformer().eval()
    for batch in (1, 3):
        image = torch.randn(batch, 3, 224, 224)
        top = {"B": batch, "H": 224, "W": 224, "N": 196}
        assert check_forward_shape_comments(model, (image,), top) == 4
        assert check_forward_shape_comments(model.embeddings, (image,), top | {"C": 3, "D": 768, "P": 16}) == 6
        # Inside a block N counts every token: 196 patches + [class].
        tokens = torch.randn(batch, 197, 768)
        block = {"B": batch, "N": 197, "D": 768, "h": 12, "d_h": 64, "D_mlp": 3072}
        assert check_forward_shape_comments(model.encoder[0], (tokens,), block) == 5
        assert check_forward_shape_comments(model.encoder[0].attn, (tokens,), block) == 11
        assert check_forward_shape_comments(model.encoder[0].mlp, (tokens,), block) == 6
        assert check_forward_shape_comments(model.head, (tokens,), block | {"K": 1000}) == 3


def test_vit_b16_doc_usage_examples_run() -> None:
    assert run_doc_usage_examples("vit-b16") == 5


def test_vit_b16_validation_passes() -> None:
    result = run_validation("vit-b16")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "total 86,567,656" in result.stdout
    assert "within_truncation" in result.stdout


# --- Transformer base ----------------------------------------------------------------------


def _transformer_base_params_by_hand() -> int:
    """Section 3 with Table 3 base, written out independently of the example's code:
    shared 37000 x 512 embedding (also the pre-softmax weight, no bias); each encoder layer has
    one attention block (W^Q, W^K, W^V, W^O with biases), an FFN 512-2048-512 with biases and two
    LayerNorms; each decoder layer two attention blocks, the FFN and three LayerNorms; no final
    LayerNorm (post-norm)."""
    embedding = 37_000 * 512  # 18,944,000
    attention = 4 * (512 * 512 + 512)  # 1,050,624
    ffn = (512 * 2048 + 2048) + (2048 * 512 + 512)  # 2,099,712
    layer_norm = 512 + 512
    encoder_layer = attention + ffn + 2 * layer_norm  # 3,152,384
    decoder_layer = 2 * attention + ffn + 3 * layer_norm  # 4,204,032
    return embedding + 6 * encoder_layer + 6 * decoder_layer


def test_transformer_parameter_count_equals_hand_arithmetic() -> None:
    example = load_example("transformer-base")
    model = example.Transformer()
    expected = _transformer_base_params_by_hand()
    assert expected == 63_082_496  # the figure, re-derived above
    assert n_params(model) == expected
    # The shared matrix is one tensor: the pre-softmax projection adds nothing.
    assert sum(1 for p in model.parameters() if p.shape == (37_000, 512)) == 1
    with_bias = example.Transformer(example.ModelConfig(output_bias=True))
    assert n_params(with_bias) == expected + 37_000


def test_transformer_count_is_a_mismatch_with_paper_65m() -> None:
    verdict, rel = load_example("transformer-base").paper_count_verdict(_transformer_base_params_by_hand(), "65M")
    assert verdict == "mismatch"
    assert rel == pytest.approx((63_082_496 - 65_000_000) / 65_000_000)


def _split_in_proj(mha: torch.nn.MultiheadAttention, prefix: str) -> dict[str, torch.Tensor]:
    wq, wk, wv = mha.in_proj_weight.chunk(3)
    bq, bk, bv = mha.in_proj_bias.chunk(3)
    return {
        f"{prefix}.w_q.weight": wq, f"{prefix}.w_q.bias": bq, f"{prefix}.w_k.weight": wk,
        f"{prefix}.w_k.bias": bk, f"{prefix}.w_v.weight": wv, f"{prefix}.w_v.bias": bv,
        f"{prefix}.w_o.weight": mha.out_proj.weight, f"{prefix}.w_o.bias": mha.out_proj.bias,
    }


def _ffn_and_norms(layer: torch.nn.Module, norms: int) -> dict[str, torch.Tensor]:
    mapped = {
        "ffn.linear_1.weight": layer.linear1.weight, "ffn.linear_1.bias": layer.linear1.bias,
        "ffn.linear_2.weight": layer.linear2.weight, "ffn.linear_2.bias": layer.linear2.bias,
    }
    for i in range(1, norms + 1):
        norm = getattr(layer, f"norm{i}")
        mapped |= {f"norm_{i}.weight": norm.weight, f"norm_{i}.bias": norm.bias}
    return mapped


def test_transformer_layers_equal_torch_post_norm_layers() -> None:
    """PyTorch's nn.TransformerEncoderLayer / DecoderLayer with norm_first=False and ReLU are the
    paper's post-norm layers: with the same weights, the outputs must agree."""
    modules = load_example("transformer-base", "modules")
    torch.manual_seed(7)
    kwargs = {"d_model": 512, "nhead": 8, "dim_feedforward": 2048, "dropout": 0.1, "batch_first": True, "layer_norm_eps": 1e-6}
    ref_enc = torch.nn.TransformerEncoderLayer(**kwargs).eval()
    ref_dec = torch.nn.TransformerDecoderLayer(**kwargs).eval()
    randomize_norm_statistics(ref_enc, seed=8)
    randomize_norm_statistics(ref_dec, seed=9)
    enc = modules.EncoderLayer().eval()
    dec = modules.DecoderLayer().eval()
    enc.load_state_dict(_split_in_proj(ref_enc.self_attn, "self_attn") | _ffn_and_norms(ref_enc, 2), strict=True)
    dec.load_state_dict(
        _split_in_proj(ref_dec.self_attn, "self_attn")
        | _split_in_proj(ref_dec.multihead_attn, "cross_attn")
        | _ffn_and_norms(ref_dec, 3),
        strict=True,
    )
    generator = torch.Generator().manual_seed(10)
    src, tgt = torch.randn(2, 9, 512, generator=generator), torch.randn(2, 6, 512, generator=generator)
    allowed = torch.ones(2, 9, dtype=torch.bool)
    allowed[1, 7:] = False  # padding at the end of the second source sentence
    causal = torch.ones(6, 6, dtype=torch.bool).tril()
    with torch.no_grad():
        memory = enc(src, allowed[:, None, None, :])
        torch.testing.assert_close(memory, ref_enc(src, src_key_padding_mask=~allowed))
        torch.testing.assert_close(
            dec(tgt, memory, causal[None, None], allowed[:, None, None, :]),
            ref_dec(tgt, memory, tgt_mask=~causal, memory_key_padding_mask=~allowed),
        )


def test_transformer_decoder_is_causal_and_ignores_source_padding() -> None:
    example = load_example("transformer-base")
    example.set_seed(0)
    model = example.Transformer().eval()
    src = torch.randint(1, 37_000, (1, 8))
    tgt = torch.randint(1, 37_000, (1, 6))
    changed_future = tgt.clone()
    changed_future[0, 4:] = torch.randint(1, 37_000, (2,))
    padded = torch.cat([src, torch.zeros(1, 3, dtype=torch.long)], dim=1)
    with torch.no_grad():
        logits = model(src, tgt)
        torch.testing.assert_close(model(src, changed_future)[:, :4], logits[:, :4])
        torch.testing.assert_close(model(padded, tgt), logits)
    assert not torch.allclose(model(src, changed_future)[:, 4:], logits[:, 4:])


def test_transformer_shape_comments_match_forward() -> None:
    example = load_example("transformer-base")
    model = example.Transformer().eval()
    for n, t in ((5, 3), (9, 12)):
        src, tgt = torch.randint(1, 37_000, (2, n)), torch.randint(1, 37_000, (2, t))
        bindings = {"B": 2, "N": n, "T": t, "D": 512, "V": 37_000, "h": 8, "d_k": 64, "F": 2048}
        assert check_forward_shape_comments(model, (src, tgt), bindings) == 6
        memory = torch.randn(2, n, 512)
        states = torch.randn(2, t, 512)
        assert check_forward_shape_comments(model.encoder_layers[0], (memory,), bindings) == 5
        assert check_forward_shape_comments(model.decoder_layers[0], (states, memory), bindings) == 7
        assert check_forward_shape_comments(model.decoder_layers[0].ffn, (states,), bindings) == 4
        assert check_forward_shape_comments(model.embedding, (tgt,), bindings) == 3
        cross = model.decoder_layers[0].cross_attn
        mask = torch.ones(2, 1, 1, n, dtype=torch.bool)
        assert check_forward_shape_comments(cross, (states, memory, memory, mask), bindings) == 10


def test_transformer_doc_usage_examples_run() -> None:
    assert run_doc_usage_examples("transformer-base") == 5


def test_transformer_validation_reports_the_paper_mismatch() -> None:
    result = run_validation("transformer-base")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "total 63,082,496" in result.stdout
    assert "[MISMATCH (explained)] parameters vs paper: paper 65M" in result.stdout
    assert "(-2.95%)" in result.stdout


# --- the skill's harness on the examples ----------------------------------------------------

VALIDATE = ROOT / "skill" / "paper-replication" / "scripts" / "validate_model.py"


def run_harness(*args: str) -> subprocess.CompletedProcess[str]:
    """validate_model.py in its own process: each example imports its own `modules` package."""
    assert VALIDATE.is_file(), f"{VALIDATE} missing (the harness of issue 7)"
    return subprocess.run(
        [sys.executable, str(VALIDATE), *args], check=False, cwd=EXAMPLES, capture_output=True, text=True, timeout=900
    )


def test_harness_passes_on_resnet50() -> None:
    result = run_harness("resnet50/model.py:ResNet50", "--input", "x=[2,3,64,96]", "--expect-output", "[2,1000]")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "total 25,557,032" in result.stdout
    # The ResNet paper prints no ImageNet count: the harness must say so, never call it a match.
    assert "SKIP paper_params" in result.stdout
    assert "5 passed, 0 failed, 1 skipped" in result.stdout


def test_harness_passes_on_vit_b16() -> None:
    result = run_harness(
        "vit-b16/model.py:VisionTransformer", "--input", "x=[2,3,224,224]", "--expect-output", "[2,1000]",
        "--paper-params", "86M",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS paper_params: 86,567,656 (total) vs paper 86M" in result.stdout
    assert "within_truncation" in result.stdout
    assert "6 passed, 0 failed, 0 skipped" in result.stdout


def test_harness_reports_transformer_mismatch_until_explained() -> None:
    args = (
        "transformer-base/model.py:Transformer", "--input", "src=[2,7]:long:37000", "--input",
        "tgt=[2,5]:long:37000", "--expect-output", "[2,5,37000]", "--paper-params", "65M",
    )
    result = run_harness(*args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL paper_params: 63,082,496 (total) vs paper 65M" in result.stdout
    assert "-2.95%, mismatch" in result.stdout
    assert "5 passed, 1 failed, 0 skipped" in result.stdout
    explanation = load_example("transformer-base").MISMATCH_EXPLANATION
    explained = run_harness(*args, "--explain-mismatch", explanation)
    assert explained.returncode == 0, explained.stdout + explained.stderr
    assert "mismatch" in explained.stdout and "39,769" in explained.stdout


# --- Mermaid blocks against the real parser -------------------------------------------------

ORACLE = ROOT / "tests" / "mermaid-oracle"


def test_every_mermaid_block_parses_with_real_mermaid() -> None:
    """Every ```mermaid block of the three examples goes through mermaid.parse() (mermaid 12.3.0
    under jsdom, tests/mermaid-oracle/oracle.mjs)."""
    import json
    import shutil

    node = shutil.which("node")
    assert node, "node is missing: apt-get install -y nodejs npm"
    assert (ORACLE / "node_modules" / "mermaid").is_dir(), f"mermaid missing: npm ci --prefix {ORACLE}"
    blocks = [
        {"id": f"{doc.relative_to(ROOT)}#{i}", "code": code}
        for doc in sorted(EXAMPLES.rglob("*.md"))
        for i, code in enumerate(re.findall(r"```mermaid\n(.*?)```", doc.read_text(), re.DOTALL))
    ]
    assert len(blocks) >= 20
    result = subprocess.run(
        [node, "oracle.mjs"], check=False, cwd=ORACLE, input="".join(json.dumps(b) + "\n" for b in blocks),
        capture_output=True, text=True, timeout=300,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert answers and answers[0] == {"ready": True}, result.stderr
    verdicts = answers[1:]
    assert len(verdicts) == len(blocks), result.stderr
    failures = [f"{v['id']}: {v['error']}" for v in verdicts if not v["ok"]]
    assert not failures, "\n".join(failures)
    # The palette: every block declares classDefs and uses them.
    for block in blocks:
        assert "classDef" in block["code"] and "\n    class " in block["code"], block["id"]


# --- the output/ tree the skill prescribes --------------------------------------------------

EXAMPLE_NAMES = ("resnet50", "vit-b16", "transformer-base", "ssd300")
PRESCRIBED = (
    "README.md", "docs/architecture.md", "docs/math/formulas.md", "docs/diagrams/overview.md",
    "docs/diagrams/tensor_shapes.md", "model.py", "modules/__init__.py", "config.py", "requirements.txt",
)
SIX_PARTS = ("概述 (Overview)", "数学原理 (Math)", "数据流图 (Data flow)", "代码实现 (Implementation)",
             "使用示例 (Usage)", "注意事项 (Caveats)")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_tree_is_complete(name: str) -> None:
    root = EXAMPLES / name
    for relative in PRESCRIBED:
        assert (root / relative).is_file() and (root / relative).stat().st_size > 0, f"{name}/{relative}"
    module_docs = sorted((root / "docs" / "modules").glob("*.md"))
    assert len(module_docs) >= 4
    for doc in module_docs:
        headings = [line for line in doc.read_text().splitlines() if line.startswith("## ")]
        assert [h.split(". ", 1)[-1] for h in headings] == list(SIX_PARTS), doc
        assert "```mermaid" in doc.read_text() and "```python" in doc.read_text(), doc
    for requirement in (root / "requirements.txt").read_text().splitlines():
        assert not requirement or requirement.startswith("#") or ">=" in requirement, requirement


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_display_formula_is_followed_by_a_symbol_table(name: str) -> None:
    for doc in sorted((EXAMPLES / name).rglob("*.md")):
        lines = doc.read_text().splitlines()
        opens = [i for i, line in enumerate(lines) if line.strip() == "$$"][::2]
        for start in opens:
            end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "$$")
            following = next((line for line in lines[end + 1 :] if line.strip()), "")
            assert following.startswith("| 符号 |"), f"{doc}:{start + 1}: no symbol table after the formula"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_config_values_have_a_source_or_a_complete_unspecified_block(name: str) -> None:
    """Every field of the config dataclasses sits right below its own comment block: a source
    naming a place in the paper, or the five lines of a 'Paper did not specify' block."""
    source = (EXAMPLES / name / "config.py").read_text().splitlines()
    tree = ast.parse("\n".join(source))
    fields = [
        node for cls in tree.body if isinstance(cls, ast.ClassDef) for node in cls.body if isinstance(node, ast.AnnAssign)
    ]
    assert len(fields) >= 10
    for field in fields:
        above = []
        line = field.lineno - 2
        while line >= 0 and source[line].strip().startswith("#"):
            above.insert(0, source[line].strip())
            line -= 1
        text = " ".join(above)
        assert above, f"{name}/config.py:{field.lineno}: no source comment"
        if "Paper did not specify" in text:
            for part in ("Recommended:", "Reference:", "Alternatives:", "Impact:"):
                assert part in text, f"{name}/config.py:{field.lineno}: '{part}' missing"
        else:
            assert re.search(r"(Table|Section|Appendix|Eq\.) ?[0-9A-Z]", text), f"{name}/config.py:{field.lineno}: {text}"
