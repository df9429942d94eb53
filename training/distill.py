"""A slimmer reader made from a trained one: keep its strongest channels, then distil.

Reading is a third to a half of a frame's time on a CPU (about 13 crops a 1280x720
US frame; models/HISTORY.md, session 23), and a reader's cost grows with the square
of its convolutions' widths. A narrow reader trained from scratch reads fewer real
plates (session 17: width 1.0 read 57 fewer of 1,458 than width 1.5), so the slim one
starts from the wide one instead:

1. `slim_checkpoint` keeps each convolution's output channels whose batch-norm scale
   is largest (a channel BN scales near zero passes little on) and the matching
   input channels of the next layer and of the LSTM: a reader that still reads,
   at a fraction of the cost.
2. `lpr train-reader --init SLIM --teacher WIDE` then trains it on the labels and on
   the wide reader's per-column probabilities (`distillation_loss`): both readers
   emit one distribution per 4-pixel column, so the teacher's alignment and its
   doubts (an I that could be a 1) are targets too, not only the label's text.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
from torch import nn

from lpr.crnn import CHANNELS, CRNN, reader_from_checkpoint


def _conv_bn_pairs(model: CRNN) -> list[tuple[nn.Conv2d, nn.BatchNorm2d]]:
    return [(block[0], block[1]) for block in model.cnn if isinstance(block, nn.Sequential)]


def slim_checkpoint(path: str, width: float, out: str) -> dict:
    """A copy of reader checkpoint `path` with its convolutions `width` x the default widths.

    Each layer keeps the channels its batch norm scales most, in their original order.
    """
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if "members" in ckpt:
        raise ValueError(f"{path} is an ensemble; slim a single reader")
    wide = reader_from_checkpoint(ckpt)
    channels = [round(c * width) for c in CHANNELS]
    pairs = _conv_bn_pairs(wide)
    if any(keep > conv.out_channels for keep, (conv, _) in zip(channels, pairs, strict=True)):
        raise ValueError(f"width {width} is not narrower than {path}'s {ckpt['model']['channels']}")
    slim = CRNN(**{**ckpt["model"], "channels": tuple(channels)})
    kept_in = torch.arange(1)  # the grey input channel
    for keep, (conv, bn), (slim_conv, slim_bn) in zip(
        channels, pairs, _conv_bn_pairs(slim), strict=True
    ):
        kept = bn.weight.detach().abs().topk(keep).indices.sort().values
        slim_conv.weight.data = conv.weight.data[kept][:, kept_in].clone()
        for name in ("weight", "bias", "running_mean", "running_var"):
            getattr(slim_bn, name).data = getattr(bn, name).data[kept].clone()
        kept_in = kept
    wide_state, slim_state = wide.state_dict(), slim.state_dict()
    for key in slim_state:
        if key.startswith("rnn.weight_ih"):  # the LSTM reads the last conv's channels
            slim_state[key] = wide_state[key][:, kept_in].clone()
        elif key.startswith(("rnn.", "head.")):
            slim_state[key] = wide_state[key].clone()
    slim.load_state_dict(slim_state)
    slimmed = {
        **ckpt,
        "model": slim.config,
        "state_dict": {k: v.detach().clone() for k, v in slim.state_dict().items()},
        "slimmed_from": str(path),
        "version": f"crnn-{time.strftime('%Y%m%d-%H%M')}-slim{width:g}",
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    torch.save(slimmed, out)
    return slimmed


def load_teacher(path: str, charset: str, size: tuple[int, int]) -> nn.Module:
    """The reader to distil from, frozen: it must spell the same charset and read crops of
    the same (height, width), so that its columns line up with the student's."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if ckpt["charset"] != charset:
        raise SystemExit(f"--teacher {path} has another charset than the reader it teaches")
    if (ckpt["input"]["height"], ckpt["input"]["width"]) != tuple(size):
        raise SystemExit(f"--teacher {path} reads {ckpt['input']}, the data is {size}")
    teacher = reader_from_checkpoint(ckpt).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher


def distillation_loss(
    student_logp: torch.Tensor, teacher_logp: torch.Tensor, lengths
) -> torch.Tensor:
    """KL(teacher || student) over classes, summed over columns, per label character.

    Per label character, as CTC's mean loss is, so one weight balances the two
    whatever the plates' lengths.
    """
    kl = (teacher_logp.exp() * (teacher_logp - student_logp)).sum(-1).sum(-1)  # B
    return (kl / lengths.clamp(min=1)).mean()
