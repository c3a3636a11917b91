"""Hyper-parameters of ViT-B/16 (Dosovitskiy et al. 2020, arXiv:2010.11929), each with its source.

Sources are places in the paper ("Table 1", "Table 3", "Section 3.1", "Appendix B.1"); a value the
paper leaves open carries a "Paper did not specify" block (Recommended / Reference / Alternatives
/ Impact) right above it. The training recipe is the paper's ImageNet-1k-from-scratch row of
Table 3 ("ViT-*, ImageNet"), the only row that needs no private (JFT) or 21k-class data.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of ViT-Base with 16x16 patches."""

    # Table 3 caption: "Training resolution is 224"
    image_size: int = 224
    # Section 4.1 "Model Variants": "ViT-L/16 means ... 16 x 16 input patch size"; ViT-B/16
    patch_size: int = 16
    # Section 3.1: x in R^{H x W x C}, RGB images
    in_channels: int = 3
    # Table 1, ViT-Base: Layers 12
    num_layers: int = 12
    # Table 1, ViT-Base: Hidden size D 768
    hidden_dim: int = 768
    # Table 1, ViT-Base: MLP size 3072
    mlp_dim: int = 3072
    # Table 1, ViT-Base: Heads 12 (Appendix A: D_h = D / k = 64)
    num_heads: int = 12
    # Section 4.1 "Datasets": ILSVRC-2012 ImageNet with 1k classes
    num_classes: int = 1000
    # Table 3, row "ViT-*, ImageNet": Dropout 0.1 (applied as in Appendix B.1)
    dropout: float = 0.1
    # Paper did not specify: dropout on the attention weights.
    # Recommended: 0.0 (Appendix B.1 lists where dropout is applied and the attention map is not one).
    # Reference: torchvision vit_b_16 (attention_dropout=0.0) and google-research/vision_transformer.
    # Alternatives: 0.1 as in the original Transformer's attention dropout.
    # Impact: regularisation only; no parameters, no effect in eval mode.
    attention_dropout: float = 0.0
    # Paper did not specify: LayerNorm epsilon.
    # Recommended: 1e-6.
    # Reference: google-research/vision_transformer (flax LayerNorm default) and torchvision vit_b_16.
    # Alternatives: 1e-5 (PyTorch nn.LayerNorm default), 1e-12 (BERT).
    # Impact: outputs differ slightly from the reference weights if changed; no parameter change.
    layer_norm_eps: float = 1e-6
    # Paper did not specify: initialisation of the classifier when training from scratch.
    # Recommended: truncated normal, std 0.02 (so every parameter receives a gradient at step 0).
    # Reference: timm / DeiT VisionTransformer; the paper zero-initialises the head only for
    #   fine-tuning (Section 3.2 and Appendix B.1.1).
    # Alternatives: zeros (torchvision vit_b_16, big_vision): then only the head has a gradient
    #   in the very first step.
    # Impact: first few hundred steps only; no parameter change.
    head_init: str = "trunc_normal"


@dataclass(frozen=True)
class TrainConfig:
    """ImageNet-1k training from scratch (Table 3 row "ViT-*, ImageNet") and fine-tuning (Table 4)."""

    # Section 4.1 "Training & Fine-tuning": "We train all models ... using Adam"
    optimizer: str = "Adam"
    # Section 4.1 "Training & Fine-tuning": "with beta1 = 0.9"
    adam_beta1: float = 0.9
    # Section 4.1 "Training & Fine-tuning": "beta2 = 0.999"
    adam_beta2: float = 0.999
    # Table 3 caption: "All models are trained with a batch size of 4096"
    batch_size: int = 4096
    # Table 3, row "ViT-*, ImageNet": Epochs 300
    epochs: int = 300
    # Table 3, row "ViT-*, ImageNet": Base LR 3 * 10^-3
    base_lr: float = 3e-3
    # Table 3, row "ViT-*, ImageNet": LR decay cosine
    lr_decay: str = "cosine"
    # Table 3 caption: "learning rate warmup of 10k steps" (linear warmup, Section 4.1)
    warmup_steps: int = 10_000
    # Table 3, row "ViT-*, ImageNet": Weight decay 0.3
    weight_decay: float = 0.3
    # Paper did not specify: whether the weight decay is decoupled from the Adam update.
    # Recommended: decoupled (AdamW-style, decay applied to the weights directly).
    # Reference: google-research/big_vision (decoupled `wd`, scaled by the learning-rate schedule);
    #   as an L2 term in the gradient, Adam would rescale the decay per parameter.
    # Alternatives: L2 penalty added to the loss (torch.optim.Adam weight_decay).
    # Impact: large; with an L2 penalty these values strongly over-regularise.
    decoupled_weight_decay: bool = True
    # Table 3 caption: "For ImageNet ... gradient clipping at global norm 1"
    grad_clip_norm: float = 1.0
    # Paper did not specify: the label-smoothing value (Section 4.2 says it was tuned, not its value).
    # Recommended: 0.1.
    # Reference: DeiT and torchvision's vit_b_16 recipe (0.11).
    # Alternatives: 0.0 (no smoothing).
    # Impact: a few tenths of a percent top-1 on ImageNet-1k from scratch.
    label_smoothing: float = 0.1
    # Section 3.1 / Table 3: cross-entropy on the [class]-token classifier (softmax over 1000 classes)
    loss: str = "cross_entropy"
    # Appendix B.1.1: "We fine-tune all ViT models using SGD"
    finetune_optimizer: str = "SGD"
    # Appendix B.1.1: "with a momentum of 0.9"
    finetune_momentum: float = 0.9
    # Table 4 caption: "a batch size of 512"
    finetune_batch_size: int = 512
    # Table 4 caption: "no weight decay"
    finetune_weight_decay: float = 0.0
    # Table 4, row ImageNet: Steps 20 000
    finetune_steps: int = 20_000
    # Table 4, row ImageNet: Base LR {0.003, 0.01, 0.03, 0.06}
    finetune_lr_grid: tuple[float, ...] = (0.003, 0.01, 0.03, 0.06)
    # Table 4 caption: "If not mentioned otherwise, fine-tuning resolution is 384"
    finetune_resolution: int = 384


MODEL = ModelConfig()
TRAIN = TrainConfig()

# Table 1, ViT-Base: "Params 86M" (printed precision 1M).
PAPER_PARAMS: str = "86M"
# torchvision vit_b_16 (1000-class head, 224 px) exact count, reproduced by the tests.
REFERENCE_PARAMS: int = 86_567_656
