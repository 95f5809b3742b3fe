"""resnet18 as a PyTorch module (class Resnet18), written by cnncalc export."""

from collections import OrderedDict

import torch
from torch import nn


class Basic(nn.Module):
    def __init__(self, cin: int, out: int, s: int, shortcut1: bool = False) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, out, kernel_size=3, stride=s, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(out, out, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.shortcut1 = None
        if shortcut1:
            self.shortcut1 = nn.Sequential(
                OrderedDict(
                    [
                        (
                            "conv",
                            nn.Conv2d(cin, out, kernel_size=1, stride=2, bias=False),
                        ),
                        ("bn", nn.BatchNorm2d(out)),
                    ]
                )
            )
        self.relu2 = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu1(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.shortcut1 is not None:
            x = self.shortcut1(x)
        x = x + out
        x = self.relu2(x)
        return x


class Resnet18(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu1 = nn.ReLU()
        self.maxpool1 = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = nn.Sequential(
            Basic(cin=64, out=64, s=1), Basic(cin=64, out=64, s=1)
        )
        self.layer2 = nn.Sequential(
            Basic(cin=64, out=128, s=2, shortcut1=True), Basic(cin=128, out=128, s=1)
        )
        self.layer3 = nn.Sequential(
            Basic(cin=128, out=256, s=2, shortcut1=True), Basic(cin=256, out=256, s=1)
        )
        self.layer4 = nn.Sequential(
            Basic(cin=256, out=512, s=2, shortcut1=True), Basic(cin=512, out=512, s=1)
        )
        self.gap1 = nn.AdaptiveAvgPool2d(1)
        self.flatten1 = nn.Flatten()
        self.linear1 = nn.Linear(512, 1000)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu1(x)
        x = self.maxpool1(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.gap1(x)
        x = self.flatten1(x)
        x = self.linear1(x)
        return x
