"""Hyper-parameters of SSD300 ("SSD: Single Shot MultiBox Detector"); every field names its source."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    """Every value the model or its training needs, each with its locator or a "Paper did not specify" block."""

    # Section 3.2, page 8: "we use the same settings and input size (300 x 300)"; SSD300, Figure 2
    image_size: int = 300
    # Section 3.1, page 7 and Table 1: PASCAL VOC's 20 classes, plus the background of Eq. (3) (c^0)
    num_classes: int = 21
    # Section 3, page 7: VGG16 [15] configuration D; Figure 2: conv4_3 has 512 = 8 x 64 channels
    vgg_width: int = 64
    # Section 3, page 7: "We fine-tune the resulting model using SGD with initial learning rate
    # 10−3, 0.9 momentum, 0.0005 weight decay, and batch size 32."
    optimizer: str = "SGD"
    # Section 3, page 7: "initial learning rate 10−3"
    learning_rate: float = 1e-3
    # Section 3, page 7: "0.9 momentum"
    momentum: float = 0.9
    # Section 3, page 7: "0.0005 weight decay"
    weight_decay: float = 0.0005
    # Section 3, page 7: "batch size 32" (pdf-figures pre-filled 8, the timing batch of page 14)
    batch_size: int = 32
    # Section 3.1, page 7: "We use the 10−3 learning rate for 40k iterations, then continue
    # training for 10k iterations with 10−4 and 10−5." (VOC2007)
    steps_lr_1e3: int = 40_000
    # Section 3.1, page 7: "10k iterations with 10−4" (10k each: docs/audit.md, U4)
    steps_lr_1e4: int = 10_000
    # Section 3.1, page 7: "10k iterations with ... 10−5" (10k each: docs/audit.md, U4)
    steps_lr_1e5: int = 10_000
    # Section 2.2, page 5: "the weight term α is set to 1 by cross validation"
    alpha: float = 1.0
    # Section 2.2, page 5: "jaccard overlap higher than a threshold (0.5)"
    match_threshold: float = 0.5
    # Section 2.2, page 6: "the ratio between the negatives and positives is at most 3:1"
    neg_pos_ratio: int = 3
    # Section 2.2, page 6: "where smin is 0.2"
    s_min: float = 0.2
    # Section 2.2, page 6: "and smax is 0.9"
    s_max: float = 0.9
    # Section 3.1, page 7: "We set default box with scale 0.1 on conv4 3"
    conv4_3_scale: float = 0.1
    # Section 3.1, page 7: "scale the feature norm at each location in the feature map to 20"
    l2norm_scale: float = 20.0


CONFIG = Config()
