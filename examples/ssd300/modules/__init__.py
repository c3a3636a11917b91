"""Sub-modules of SSD300: one file per paper component, imported by model.py."""

from .vgg_base import VggBase
from .l2norm import L2norm
from .extras import Extras
from .multibox_head import MultiboxHead
from .default_boxes import DefaultBoxes

__all__ = ["VggBase", "L2norm", "Extras", "MultiboxHead", "DefaultBoxes"]
