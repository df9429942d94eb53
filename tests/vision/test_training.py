"""One tiny training step of each model, on data made by the generator."""

import numpy as np
import pytest
import torch

from lpr.charset import CTCTokenizer
from lpr.crnn import CRNN
from lpr.preprocess import normalise
from training.data import make_detector_data, make_reader_data

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    make_reader_data(root, {"train": 48, "val": 16}, seed=3, workers=1)
    make_detector_data(root, {"train": 8, "val": 4}, seed=3, workers=1)
    return root


def test_reader_loss_falls_on_a_fixed_batch(data_dir):
    from training.reader import charset_of, load_split

    torch.manual_seed(0)
    images, texts, _ = load_split(data_dir, "train")
    tok = CTCTokenizer(charset_of(texts))
    model = CRNN(tok.num_classes)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    ctc = torch.nn.CTCLoss(zero_infinity=True)
    x = torch.from_numpy(normalise(images[:16]))
    targets = torch.tensor([i for t in texts[:16] for i in tok.encode(t)])
    lengths = torch.tensor([len(t) for t in texts[:16]])
    losses = []
    for _ in range(15):
        logp = model(x)
        loss = ctc(logp.permute(1, 0, 2), targets, torch.full((16,), logp.shape[1]), lengths)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.isfinite(losses).all()
    assert losses[-1] < 0.7 * losses[0]


def test_reader_training_writes_a_usable_checkpoint(data_dir, tmp_path):
    from training.reader import ReaderConfig, train

    out = tmp_path / "reader.pt"
    result = train(
        ReaderConfig(data=str(data_dir), out=str(out), epochs=1, batch_size=16, threads=1)
    )
    ckpt = torch.load(out, weights_only=False)
    assert ckpt["charset"] and ckpt["input"] == {"height": 32, "width": 128, "channels": 1}
    assert len(result["history"]) == 1 and 0.0 <= result["best_val_exact"] <= 1.0
    assert (tmp_path / "plate_recognizer_curves.png").stat().st_size > 0
    # every epoch is kept beside the best, for choosing one on real photos
    epoch1 = torch.load(tmp_path / "reader.epoch1.pt", weights_only=False)
    assert epoch1["history"] == ckpt["history"]


def test_a_wider_reader_trains_in_bf16_keeps_its_shape_and_exports(data_dir, tmp_path):
    from lpr.inference import load_reader
    from training.export import export_reader
    from training.reader import ReaderConfig, train

    wide = tmp_path / "wide.pt"
    cfg = dict(data=str(data_dir), epochs=1, batch_size=16, threads=1, bf16=True)
    train(ReaderConfig(out=str(wide), width=1.5, hidden=112, **cfg))
    shape = torch.load(wide, weights_only=False)["model"]
    assert shape["channels"] == [48, 96, 144, 144, 192, 240] and shape["hidden"] == 112
    # a fine-tune keeps the shape of the weights it starts from, whatever --width says
    tuned = tmp_path / "tuned.pt"
    train(ReaderConfig(out=str(tuned), init=str(wide), **cfg))
    assert torch.load(tuned, weights_only=False)["model"] == shape

    crop = np.full((40, 160, 3), 180, np.uint8)
    crop[10:30, 20:140] = 30
    torch_read = load_reader(tuned, "torch").read([crop])[0]
    onnx_read = load_reader(export_reader(tuned), "onnx").read([crop])[0]
    assert torch_read.text == onnx_read.text
    assert torch_read.confidence == pytest.approx(onnx_read.confidence, abs=1e-3)


def test_detector_training_step(data_dir, tmp_path):
    from training.detector import DetectorConfig, train

    out = train(
        DetectorConfig(
            data=str(data_dir / "detector" / "dataset.yaml"),
            out=str(tmp_path / "det.pt"),
            epochs=1,
            imgsz=64,
            batch=4,
            workers=0,
            run_dir=str(tmp_path / "run"),
        )
    )
    from ultralytics import YOLO

    model = YOLO(str(out))
    assert model.names == {0: "plate"}


def test_a_detector_fine_tune_can_keep_its_batch_norm_statistics_or_its_first_layers(
    data_dir, tmp_path
):
    from torch import nn
    from ultralytics import YOLO

    from training.detector import DetectorConfig, train

    def run(name, **kwargs):
        return train(
            DetectorConfig(
                data=str(data_dir / "detector" / "dataset.yaml"),
                out=str(tmp_path / f"{name}.pt"),
                epochs=1,
                imgsz=64,
                batch=4,
                workers=0,
                run_dir=str(tmp_path / name),
                **kwargs,
            )
        )

    def statistics(path):
        bns = [m for m in YOLO(str(path)).model.modules() if isinstance(m, nn.BatchNorm2d)]
        return torch.cat([torch.cat([m.running_mean, m.running_var]).float() for m in bns])

    base = run("base")
    kept = statistics(run("kept", init=str(base), freeze_bn=True)) - statistics(base)
    moved = statistics(run("moved", init=str(base))) - statistics(base)
    # fp16 checkpoints and the weights' moving average leave rounding differences only
    assert kept.abs().max() < 1e-3 < moved.abs().max()

    before = YOLO(str(base)).model.state_dict()

    def layer_change(path, layers):
        weights = YOLO(str(path)).model.state_dict()
        return max(
            (weights[n].float() - before[n].float()).abs().max().item()
            for n in weights
            if int(n.split(".")[1]) in layers and weights[n].is_floating_point()
        )

    frozen = run("frozen", init=str(base), freeze=10)  # the backbone
    assert layer_change(frozen, range(10)) < 1e-3 < layer_change(frozen, range(10, 23))


def test_average_reader_is_the_mean_of_the_weights(tmp_path):
    from training.reader import average_checkpoints

    paths = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        model = CRNN(5)
        paths.append(tmp_path / f"r{seed}.pt")
        torch.save(
            {"state_dict": model.state_dict(), "charset": "ABCD", "model": model.config}, paths[-1]
        )
    average_checkpoints(paths, tmp_path / "mean.pt")
    a, b, mean = (
        torch.load(p, weights_only=False)["state_dict"] for p in (*paths, tmp_path / "mean.pt")
    )
    for k in a:
        expected = (a[k] + b[k]) / 2 if a[k].is_floating_point() else a[k]  # counters: the first
        assert torch.equal(mean[k], expected.to(a[k].dtype)), k

    # A path given twice counts twice: session 33 shipped such a 2:1 mix (HISTORY, 33).
    average_checkpoints([paths[0], paths[0], paths[1]], tmp_path / "mix.pt")
    mix = torch.load(tmp_path / "mix.pt", weights_only=False)["state_dict"]
    weighted = [k for k in a if a[k].is_floating_point() and not torch.equal(a[k], b[k])]
    assert weighted
    for k in weighted:
        torch.testing.assert_close(mix[k], (2 * a[k] + b[k]) / 3)

    torch.save({"state_dict": a, "charset": "ABCE", "model": CRNN(5).config}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="another charset"):
        average_checkpoints([paths[0], tmp_path / "other.pt"], tmp_path / "bad.pt")


def test_an_ensemble_checks_its_members_and_resumes_from_the_first(data_dir, tmp_path):
    from training.reader import (
        ReaderConfig,
        average_checkpoints,
        ensemble_checkpoints,
        save,
        train,
    )

    paths = []
    for seed, charset in ((1, "ABCD"), (2, "ABCD"), (3, "ABCE")):
        torch.manual_seed(seed)
        paths.append(tmp_path / f"r{seed}.pt")
        save(CRNN(5), CTCTokenizer(charset), ReaderConfig(), [], str(paths[-1]))
    with pytest.raises(ValueError, match="another charset"):
        ensemble_checkpoints(paths, tmp_path / "bad.pt")
    ensemble = ensemble_checkpoints(paths[:2], tmp_path / "ensemble.pt")
    assert len(ensemble["members"]) == 2 and ensemble["charset"] == "ABCD"
    with pytest.raises(ValueError, match="is an ensemble"):
        average_checkpoints([tmp_path / "ensemble.pt", paths[0]], tmp_path / "mean.pt")

    # Fine-tuning an ensemble starts from its first member: a run at learning rate 0
    # gives that member's weights back (the batch-norm statistics still move).
    first, second = tmp_path / "first.pt", tmp_path / "second.pt"
    for seed, path in ((1, first), (2, second)):
        train(ReaderConfig(data=str(data_dir), out=str(path), epochs=1, threads=1, seed=seed))
    ensemble_checkpoints([first, second], tmp_path / "trained_ensemble.pt")
    out = tmp_path / "resumed.pt"
    train(
        ReaderConfig(
            data=str(data_dir),
            out=str(out),
            init=str(tmp_path / "trained_ensemble.pt"),
            epochs=1,
            lr=0.0,
            threads=1,
        )
    )
    resumed = torch.load(out, weights_only=False)["state_dict"]
    for member, is_base in ((first, True), (second, False)):
        state = torch.load(member, weights_only=False)["state_dict"]
        learnt = [k for k in state if "running" not in k and "num_batches" not in k]
        same = all(torch.equal(resumed[k], state[k]) for k in learnt)
        assert same is is_base, member


def test_a_taller_reader_starts_from_the_committed_weights_and_serves_at_its_size(tmp_path):
    """Data cut at 48x160, a reader fitted from the 32x128 weights, exported, read back."""
    from lpr.crnn import adapt_state_dict
    from lpr.inference import MODELS_DIR, load_reader
    from training.export import export_reader
    from training.reader import ReaderConfig, load_split, train

    make_reader_data(
        tmp_path / "data", {"train": 32, "val": 16}, seed=4, workers=1, crop_size=(48, 160)
    )
    images, _, _ = load_split(tmp_path / "data", "train")
    assert images.shape[1:] == (48, 160)

    committed = torch.load(MODELS_DIR / "plate_recognizer.pt", weights_only=False)
    taller = CRNN(**{**committed["model"], "height": 48, "width": 160})
    taller.load_state_dict(adapt_state_dict(committed["state_dict"], taller))
    assert taller(torch.zeros(2, 1, 48, 160)).shape[:2] == (2, 40)  # one step per 4 px column
    with pytest.raises(ValueError, match="cannot fit"):
        adapt_state_dict({"head.weight": torch.zeros(3, 3)}, taller)

    out = tmp_path / "reader.pt"
    train(
        ReaderConfig(
            data=str(tmp_path / "data"),
            out=str(out),
            init=str(MODELS_DIR / "plate_recognizer.pt"),
            epochs=1,
            batch_size=16,
            threads=1,
        )
    )
    assert torch.load(out, weights_only=False)["input"] == {
        "height": 48,
        "width": 160,
        "channels": 1,
    }
    onnx_path = export_reader(out)
    crop = np.full((60, 200, 3), 200, np.uint8)
    reads = {}
    for backend, path in [("torch", out), ("onnx", onnx_path)]:
        reader = load_reader(path, backend)
        assert reader.input_size == (48, 160)
        reads[backend] = reader.read([crop])[0]
    assert reads["torch"].text == reads["onnx"].text


def test_reader_augment_inverts_the_share_asked():
    from training.reader import augment

    # A dark left half and a light right half: the mean of each tells a negative apart.
    batch = np.zeros((200, 32, 128), np.uint8)
    batch[:, :, 64:] = 255
    for share in (0.0, 0.5, 1.0):
        out = augment(np.random.default_rng(0), batch, stretch=0.0, invert=share)
        inverted = out[:, :, :40].mean(axis=(1, 2)) > out[:, :, 88:].mean(axis=(1, 2))
        assert abs(inverted.mean() - share) < 0.1
