"""A shrunk SSD300 for run.overfit only: the same classes (VggBase, L2norm, Extras, MultiboxHead)
at the same 300x300 input and the same 8732 default boxes, with the VGG width 8 instead of 64.
One SGD step of the paper-size model on a batch of 2 takes several CPU seconds here; at width 8
a step takes about 1.3 CPU seconds (measured on the 2-core project machine), so the 60 CPU
seconds of run.overfit hold about 45 steps."""

from model import SSD300


class SmallSSD300(SSD300):
    """SSD300 with VGG base width 8 (every layer 8x narrower), 21 classes."""

    def __init__(self) -> None:
        super().__init__(num_classes=21, width=8)
