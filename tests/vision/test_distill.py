"""A slimmer reader cut from the committed one, then distilled from it."""

import numpy as np
import pytest
import torch

from lpr.crnn import CRNN, reader_from_checkpoint
from lpr.preprocess import normalise
from tests.vision.helpers import ROOT
from training.data import make_reader_data
from training.distill import distillation_loss, slim_checkpoint

pytestmark = pytest.mark.timeout(300)
COMMITTED = str(ROOT / "models" / "plate_recognizer.pt")


def _net(path) -> CRNN:
    return reader_from_checkpoint(torch.load(path, weights_only=False)).eval()


def _crops(n=8, seed=0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.from_numpy(normalise(rng.integers(0, 256, (n, 32, 128), dtype=np.uint8)))


def test_slimming_to_its_own_width_keeps_the_reader_whole(tmp_path):
    width = torch.load(COMMITTED, weights_only=False)["model"]["channels"][0] / 32
    slim_checkpoint(COMMITTED, width, tmp_path / "same.pt")
    x = _crops()
    with torch.no_grad():
        assert torch.allclose(_net(COMMITTED)(x), _net(tmp_path / "same.pt")(x), atol=1e-5)


def test_a_slim_reader_keeps_the_channels_batch_norm_scales_most(tmp_path):
    slim = slim_checkpoint(COMMITTED, 1.0, tmp_path / "slim.pt")
    assert slim["model"]["channels"] == [32, 64, 96, 96, 128, 160]
    assert slim["charset"] == torch.load(COMMITTED, weights_only=False)["charset"]
    wide = _net(COMMITTED).state_dict()
    gamma = wide["cnn.0.1.weight"].abs()
    kept = gamma.topk(32).indices.sort().values
    assert torch.equal(slim["state_dict"]["cnn.0.0.weight"], wide["cnn.0.0.weight"][kept])
    assert slim["state_dict"]["cnn.0.1.weight"].abs().min() >= gamma[kept].min()
    # it loads and reads: one distribution per 4-px column, as the wide reader's
    with torch.no_grad():
        out = _net(tmp_path / "slim.pt")(_crops())
    assert out.shape == (8, 32, slim["model"]["num_classes"])
    with pytest.raises(ValueError, match="not narrower"):
        slim_checkpoint(COMMITTED, 2.0, tmp_path / "wider.pt")


def test_distillation_loss_is_zero_only_when_the_student_agrees():
    torch.manual_seed(0)
    teacher = torch.randn(4, 32, 10).log_softmax(-1)
    lengths = torch.tensor([5, 6, 7, 8])
    assert distillation_loss(teacher, teacher, lengths).item() == pytest.approx(0.0, abs=1e-6)
    other = torch.randn(4, 32, 10).log_softmax(-1)
    assert distillation_loss(other, teacher, lengths).item() > 0.1


def test_a_slim_reader_trains_against_its_teacher(tmp_path):
    from training.reader import ReaderConfig, train

    make_reader_data(tmp_path, {"train": 32, "val": 16}, seed=5, workers=1)
    slim_checkpoint(COMMITTED, 1.0, tmp_path / "slim.pt")
    out = tmp_path / "student.pt"
    result = train(
        ReaderConfig(
            data=str(tmp_path),
            out=str(out),
            init=str(tmp_path / "slim.pt"),
            teacher=COMMITTED,
            epochs=1,
            batch_size=16,
            lr=1e-4,
            threads=1,
            bf16=True,
        )
    )
    assert np.isfinite(result["history"][0]["train_loss"])
    ckpt = torch.load(out, weights_only=False)
    assert ckpt["model"]["channels"] == [32, 64, 96, 96, 128, 160]
    assert ckpt["train_config"]["teacher"] == COMMITTED

    from training.distill import load_teacher

    with pytest.raises(SystemExit, match="reads"):
        load_teacher(COMMITTED, ckpt["charset"], (48, 160))
