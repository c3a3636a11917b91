"""Hyper-parameters of the Transformer base model (Vaswani et al. 2017, "Attention Is All You
Need", arXiv:1706.03762), each with its source in the paper.

Sources are places in the paper ("Table 3", "Section 5.4"); a value the paper leaves open carries
a "Paper did not specify" block (Recommended / Reference / Alternatives / Impact) right above it.
The setting is WMT 2014 English-German, the task whose shared ~37,000-token vocabulary the paper
describes (Section 5.1).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """The "base" row of Table 3."""

    # Table 3, base: N = 6 (Section 3.1: "a stack of N = 6 identical layers", encoder and decoder)
    num_layers: int = 6
    # Table 3, base: d_model = 512 (Section 3.1)
    d_model: int = 512
    # Table 3, base: d_ff = 2048 (Section 3.3)
    d_ff: int = 2048
    # Table 3, base: h = 8 (Section 3.2.2: "h = 8 parallel attention layers")
    num_heads: int = 8
    # Table 3, base: d_k = d_v = 64 (Section 3.2.2: d_k = d_v = d_model / h)
    d_k: int = 64
    # Table 3, base: P_drop = 0.1 (Section 5.4: residual dropout and dropout on embeddings + PE)
    dropout: float = 0.1
    # Section 5.1: "a shared source-target vocabulary of about 37000 tokens" (byte-pair encoding)
    vocab_size: int = 37000
    # Section 3.4: "we share the same weight matrix between the two embedding layers and the
    # pre-softmax linear transformation"
    share_embeddings: bool = True
    # Paper did not specify: a bias in the pre-softmax linear transformation.
    # Recommended: no bias (False): the layer is "the same weight matrix" as the embeddings.
    # Reference: tensor2tensor (the authors' code) and the Annotated Transformer's tied variant.
    # Alternatives: a separate 37,000-element bias (fairseq's untied output layers have none either).
    # Impact: +37,000 parameters (63,119,496 instead of 63,082,496); both are far from 65M.
    output_bias: bool = False
    # Paper did not specify: dropout on the attention weights.
    # Recommended: 0.0 (Section 5.4 names only residual and embedding dropout).
    # Reference: the paper's text; tensor2tensor's transformer_base later added attention dropout.
    # Alternatives: 0.1 (fairseq transformer_wmt_en_de uses attention_dropout 0.0, T2T v2 0.1).
    # Impact: regularisation only; no parameters.
    attention_dropout: float = 0.0
    # Paper did not specify: LayerNorm epsilon (Section 3.1 cites Ba et al. 2016 only).
    # Recommended: 1e-6.
    # Reference: tensor2tensor layer_norm epsilon 1e-6.
    # Alternatives: 1e-5 (PyTorch nn.LayerNorm and nn.Transformer default).
    # Impact: negligible numerically; no parameters.
    layer_norm_eps: float = 1e-6
    # Paper did not specify: the longest sequence the positional-encoding table covers.
    # Recommended: 1024 positions.
    # Reference: Section 6.1 decodes up to input length + 50; WMT sentences are far shorter.
    # Alternatives: 5000 (Annotated Transformer), or compute PE on the fly.
    # Impact: buffer size only (max_len * d_model elements, not parameters).
    max_len: int = 1024
    # Paper did not specify: the padding token id (masked out of attention and the loss).
    # Recommended: 0.
    # Reference: tensor2tensor reserves id 0 for padding.
    # Alternatives: any id the tokenizer reserves (fairseq uses 1).
    # Impact: none on the architecture.
    pad_id: int = 0


@dataclass(frozen=True)
class TrainConfig:
    """Training and decoding of the base model (Sections 5.1-5.4 and 6.1)."""

    # Section 5.3: "We used the Adam optimizer"
    optimizer: str = "Adam"
    # Section 5.3: "with beta1 = 0.9"
    adam_beta1: float = 0.9
    # Section 5.3: "beta2 = 0.98"
    adam_beta2: float = 0.98
    # Section 5.3: "and epsilon = 10^-9"
    adam_eps: float = 1e-9
    # Section 5.3, Eq. 3: lrate = d_model^-0.5 * min(step^-0.5, step * warmup_steps^-1.5)
    lr_schedule: str = "inverse_sqrt_with_warmup"
    # Section 5.3: "warmup_steps = 4000"
    warmup_steps: int = 4000
    # Section 5.1: "each training batch contained ... approximately 25000 source tokens and 25000 target tokens"
    batch_tokens: int = 25_000
    # Section 5.2 and Table 3, base: 100,000 steps (about 12 hours on 8 P100 GPUs)
    train_steps: int = 100_000
    # Section 5.4 and Table 3, base: label smoothing epsilon_ls = 0.1
    label_smoothing: float = 0.1
    # Section 5.4: cross-entropy on the shared-softmax output with smoothed targets
    loss: str = "label_smoothed_cross_entropy"
    # Section 6.1: base models average the last 5 checkpoints, written at 10-minute intervals
    checkpoint_average: int = 5
    # Section 6.1: "beam search with a beam size of 4"
    beam_size: int = 4
    # Section 6.1: "and length penalty alpha = 0.6"
    length_penalty: float = 0.6
    # Section 6.1: "maximum output length during inference to input length + 50"
    max_output_extra: int = 50
    # Paper did not specify: weight decay.
    # Recommended: 0.0 (none is mentioned in Section 5.3 or 5.4).
    # Reference: tensor2tensor transformer_base (weight_decay 0.0).
    # Alternatives: 0.0001 (fairseq examples sometimes use it).
    # Impact: small; regularisation already comes from dropout and label smoothing.
    weight_decay: float = 0.0


MODEL = ModelConfig()
TRAIN = TrainConfig()

# Table 3, base row: "params x 10^6" = 65 (printed precision 1M: 65M admits [64.5M, 65.5M)).
PAPER_PARAMS: str = "65M"
