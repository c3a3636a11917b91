"""Branches a trace decides, for `mermaid-gen code --trace` (tests/recorded_traces.rs).

Read by hand, the forward pass at default arguments runs: stem -> down[0] -> down[1] ->
concat(down[1]'s output, stem's output) -> merge -> head. It never runs `aux` (None), `pool`
(built, but `use_pool` is False), the early return of `_features`, or the `pre_logits` arm of
`_head`.
"""

import torch
from torch import nn


class Branchy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.aux = None
        self.use_pool = False
        self.pool = nn.MaxPool2d(2)
        self.down = nn.ModuleList([nn.Conv2d(8, 8, 3, padding=1) for _ in range(2)])
        self.merge = nn.Conv2d(16, 8, 1)
        self.head = nn.Conv2d(8, 4, 1)

    def _features(self, x: torch.Tensor) -> torch.Tensor:
        if self.aux is not None:
            return self.aux(x)
        skips = [x]
        for i in range(len(self.down)):
            x = self.down[i](x)
        if self.use_pool:
            x = self.pool(x)
        x = torch.cat([x, skips.pop()], dim=1)
        return self.merge(x)

    def _head(self, x: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        return x if pre_logits else self.head(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        x = self._features(x)
        return self._head(x)
