"""Hyper-parameters of ResNet-50 (He et al. 2015, arXiv:1512.03385), each with its source.

Sources are places in the paper ("Table 1", "Section 3.4"); a value the paper leaves open carries
a "Paper did not specify" block (Recommended / Reference / Alternatives / Impact) right above it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of the 50-layer network (He et al. 2015, Table 1, 50-layer column)."""

    # Section 4.1 (ImageNet 2012 classification, 1000 classes); Table 1 "1000-d fc"
    num_classes: int = 1000
    # Section 3.4: "A 224x224 crop is randomly sampled"
    image_size: int = 224
    # Section 3.4: RGB images (per-pixel mean subtracted)
    in_channels: int = 3
    # Table 1, conv1: "7x7, 64, stride 2"
    stem_channels: int = 64
    # Table 1, 50-layer column: bottleneck widths of conv2_x, conv3_x, conv4_x, conv5_x
    stage_widths: tuple[int, int, int, int] = (64, 128, 256, 512)
    # Table 1, 50-layer column: blocks stacked per stage (x3, x4, x6, x3)
    stage_blocks: tuple[int, int, int, int] = (3, 4, 6, 3)
    # Table 1 caption: "Downsampling is performed by conv3_1, conv4_1, and conv5_1 with a stride of 2"
    stage_strides: tuple[int, int, int, int] = (1, 2, 2, 2)
    # Section 4.1: "We use option B for increasing dimensions" (projection shortcuts, Eq. 2)
    shortcut_option: str = "B"
    # Paper did not specify: which convolution of a downsampling bottleneck carries stride 2.
    # Recommended: the 3x3 convolution (True).
    # Reference: torchvision.models.resnet50 ("ResNet V1.5"), whose weights we load in the tests.
    # Alternatives: the first 1x1 convolution (False; the authors' original Caffe release, "V1").
    # Impact: identical parameter count (25,557,032); V1.5 is ~0.5% top-1 better and ~5% slower.
    stride_on_3x3: bool = True
    # Paper did not specify: BatchNorm epsilon.
    # Recommended: 1e-5 (PyTorch default).
    # Reference: torchvision.models.resnet50.
    # Alternatives: 1.001e-5 (Keras ResNet50), 1e-3 (TF slim).
    # Impact: none on the parameter count; negligible numerically.
    bn_eps: float = 1e-5
    # Paper did not specify: BatchNorm running-average momentum.
    # Recommended: 0.1 (PyTorch convention: new = 0.9 * old + 0.1 * batch).
    # Reference: torchvision.models.resnet50.
    # Alternatives: TF/Keras momentum 0.99, which is 0.01 in PyTorch's convention.
    # Impact: how fast the running statistics used at test time follow training; no parameters.
    bn_momentum: float = 0.1


@dataclass(frozen=True)
class TrainConfig:
    """ImageNet training recipe (He et al. 2015, Section 3.4)."""

    # Section 3.4: "We use SGD with a mini-batch size of 256"
    optimizer: str = "SGD"
    # Section 3.4: "with a mini-batch size of 256"
    batch_size: int = 256
    # Section 3.4: "The learning rate starts from 0.1"
    learning_rate: float = 0.1
    # Section 3.4: "and is divided by 10 when the error plateaus"
    lr_decay_factor: float = 0.1
    # Section 3.4: "trained for up to 60 x 10^4 iterations"
    max_iterations: int = 600_000
    # Section 3.4: "We use a weight decay of 0.0001"
    weight_decay: float = 1e-4
    # Section 3.4: "and a momentum of 0.9"
    momentum: float = 0.9
    # Section 3.4: "We do not use dropout [14], following the practice in [16]"
    dropout: float = 0.0
    # Section 3.4: "shorter side randomly sampled in [256, 480] for scale augmentation"
    scale_aug_range: tuple[int, int] = (256, 480)
    # Section 3.4: "We initialize the weights as in [13]" (He et al. 2015, "Delving deep into rectifiers")
    weight_init: str = "kaiming_normal"
    # Paper did not specify: the fan mode of the Kaiming initialisation for convolutions.
    # Recommended: fan_out with the ReLU gain.
    # Reference: torchvision.models.resnet50 and the Caffe "MSRAFill" filler of the original release.
    # Alternatives: fan_in (PyTorch's kaiming_normal_ default).
    # Impact: variance of the initial activations; no effect on the count or on loaded weights.
    kaiming_mode: str = "fan_out"
    # Section 4.1 / Table 1: 1000-way fc followed by softmax, i.e. cross-entropy on the logits
    loss: str = "cross_entropy"
    # Paper did not specify: the number of iterations the error must stagnate before lr / 10.
    # Recommended: divide at epochs 30 and 60 of a 90-epoch run (a fixed step schedule).
    # Reference: torchvision references/classification (lr-step-size 30, 90 epochs) and fb.resnet.torch.
    # Alternatives: ReduceLROnPlateau on validation error (closest to the paper's wording).
    # Impact: final top-1 error within a few tenths of a percent in public replications.
    lr_step_epochs: tuple[int, int] = (30, 60)


MODEL = ModelConfig()
TRAIN = TrainConfig()

# Reference parameter count. The ResNet paper prints no ImageNet parameter count (Table 1 gives
# FLOPs only); 25,557,032 is torchvision's resnet50 count, which the tests reproduce, and other
# papers print it as 25.6M (ConvNeXt Table 9, SENet Table 16).
REFERENCE_PARAMS: int = 25_557_032
