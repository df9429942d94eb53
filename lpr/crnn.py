"""The CRNN reader network: a small CNN, a BiLSTM over columns, a CTC head.

Any input height that is a multiple of 16 (32 by default; a taller input keeps
the characters of a 2:1 US plate, half its height, more than ~13 px tall).
At the default widths about 0.5 M parameters, ~1.5 ms a crop on ONNX Runtime;
the shipped reader is 1.5x wider (1.06 M, ~3 ms), which reads more of the real
plates, darkened, blurred or occluded ones most (models/HISTORY.md, session 17).
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _conv(cin: int, cout: int, kernel=3, padding=1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, padding=padding, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


# The default conv widths (sessions 1-16's reader); `lpr train-reader --width` scales them.
CHANNELS = (32, 64, 96, 96, 128, 160)


class CRNN(nn.Module):
    def __init__(
        self,
        num_classes: int,
        height: int = 32,
        width: int = 128,
        hidden: int = 96,
        channels: tuple[int, ...] = CHANNELS,
    ):
        super().__init__()
        if height % 16 or width % 4:
            raise ValueError(
                f"crops of {height}x{width}: height must be a multiple of 16, width of 4"
            )
        self.config = {
            "num_classes": num_classes,
            "height": height,
            "width": width,
            "hidden": hidden,
            "channels": list(channels),
        }
        c1, c2, c3, c4, c5, c6 = channels
        self.cnn = nn.Sequential(
            _conv(1, c1),
            nn.MaxPool2d(2, 2),  # 16 x W/2
            _conv(c1, c2),
            nn.MaxPool2d(2, 2),  # 8 x W/4
            _conv(c2, c3),
            _conv(c3, c4),
            nn.MaxPool2d((2, 1), (2, 1)),  # 4 x W/4: keep width, one step per ~4 px column
            _conv(c4, c5),
            nn.MaxPool2d((2, 1), (2, 1)),  # H/16 x W/4
            _conv(c5, c6, kernel=(height // 16, 1), padding=0),  # 1 x W/4
        )
        self.rnn = nn.LSTM(c6, hidden, bidirectional=True, batch_first=True)
        self.head = nn.Linear(2 * hidden, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """[B, 1, H, W] in -1..1 -> log-probabilities [B, W/4, num_classes]."""
        features = self.cnn(x).squeeze(2).permute(0, 2, 1)  # B, T, C
        sequence, _ = self.rnn(features)
        return self.head(sequence).log_softmax(-1)


def adapt_state_dict(state: dict, model: CRNN) -> dict:
    """Weights of a CRNN trained at another input height, fitted to `model`.

    Only the last conv's kernel height depends on the input height; it is
    resampled along that axis (keeping its sum), so a reader at a new height
    starts from everything the old one learnt instead of from scratch.
    """
    target = model.state_dict()
    adapted = dict(state)
    for key, value in state.items():
        want = target[key].shape
        if value.shape != want:
            if value.dim() != 4 or value.shape[:2] != want[:2] or value.shape[3] != want[3]:
                raise ValueError(f"{key}: cannot fit {tuple(value.shape)} to {tuple(want)}")
            resized = nn.functional.interpolate(
                value, size=tuple(want[2:]), mode="bilinear", align_corners=True
            )
            adapted[key] = resized * value.shape[2] / want[2]
    return adapted


class ReaderEnsemble(nn.Module):
    """Several CRNNs of one charset and input size reading together.

    Their per-step probabilities are averaged, so the output is a CRNN's: the
    same decode, candidates and confidences apply. Readers fine-tuned on
    different data err on different plates; where one is unsure the other
    often is not, which averaging the weights (`lpr average-reader`) loses
    once the two have drifted apart.
    """

    def __init__(self, members: list[CRNN]):
        super().__init__()
        if len({(m.config["height"], m.config["width"]) for m in members}) != 1:
            raise ValueError("ensemble members must read the same input size")
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logp = torch.stack([m(x) for m in self.members])
        return torch.logsumexp(logp, 0) - math.log(len(self.members))


def checkpoint_members(ckpt: dict) -> list[dict]:
    """The readers a checkpoint holds, each as {"model": config, "state_dict": ...}."""
    return ckpt.get("members") or [{"model": ckpt["model"], "state_dict": ckpt["state_dict"]}]


def reader_from_checkpoint(ckpt: dict) -> nn.Module:
    """The network a reader checkpoint holds: one CRNN, or an ensemble of them."""
    models = []
    for member in checkpoint_members(ckpt):
        model = CRNN(**member["model"])
        model.load_state_dict(member["state_dict"])
        models.append(model)
    return models[0] if len(models) == 1 else ReaderEnsemble(models)
