"""Sub-modules of ResNet-50 (He et al. 2015, "Deep Residual Learning for Image Recognition").

Each class is one box of Table 1 of the paper: the conv1 stem, the bottleneck building block
(Fig. 5 right), a stage conv2_x..conv5_x of stacked blocks, and the average-pool + fc head.
"""

from modules.bottleneck import Bottleneck, ProjectionShortcut
from modules.head import ClassifierHead
from modules.stage import ResidualStage
from modules.stem import Stem

__all__ = ["Bottleneck", "ClassifierHead", "ProjectionShortcut", "ResidualStage", "Stem"]
