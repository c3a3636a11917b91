"""An AlexNet-shaped network written for mermaid-gen's tests whose forward calls one `self.relu`
at five places and one `self.drop` at two, as a faithful AlexNet replication may. The picture
must show each call where forward makes it: conv1 -> relu -> pool -> conv2 -> relu -> ...
Input [B, 3, 64, 64]; output [B, 10]."""
import torch
import torch.nn as nn


class SharedRelu(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5, stride=2, padding=2)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 8 * 8, 64)
        self.fc2 = nn.Linear(64, 64)
        self.fc3 = nn.Linear(64, classes)

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))  # [B, 16, 16, 16]
        x = self.pool(self.relu(self.conv2(x)))  # [B, 32, 8, 8]
        x = self.relu(self.conv3(x))  # [B, 32, 8, 8]
        x = torch.flatten(x, 1)  # [B, 2048]
        x = self.relu(self.fc1(self.drop(x)))  # [B, 64]
        x = self.relu(self.fc2(self.drop(x)))  # [B, 64]
        return self.fc3(x)  # [B, 10]
