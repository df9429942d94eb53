"""Train the CRNN reader on cached synthetic crops (CTC loss, early stopping).

    lpr train-reader --data data --out models/plate_recognizer.pt [--init models/plate_recognizer.pt]

A flat loop in the manner of nanoGPT: load the cached crops, augment a batch
with cheap shifts and contrast changes, step, evaluate on validation each
epoch, keep the best checkpoint, stop when validation stops improving.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from lpr.charset import CTCTokenizer
from lpr.crnn import CHANNELS, CRNN, adapt_state_dict, checkpoint_members
from lpr.preprocess import normalise
from training.distill import distillation_loss, load_teacher

logger = logging.getLogger(__name__)


@dataclass
class ReaderConfig:
    data: str = "data"
    out: str = "models/plate_recognizer.pt"
    init: str | None = None  # resume from these weights (same charset)
    epochs: int = 30
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    patience: int = 4  # epochs without validation gain before stopping
    # A time budget: after the first epoch the run is re-planned to the epochs that
    # fit, so the learning rate still anneals to zero by the end (0 = no budget).
    max_minutes: float = 0
    max_train: int = 0  # use at most this many training crops (0 = all)
    threads: int = 2
    device: str = "cpu"
    seed: int = 0
    stretch: float = 0.05  # crops are widened or narrowed by up to this share
    invert: float = 0.3  # share of crops read as their negative
    # A new reader's size (ignored with --init, which keeps its weights' shape):
    # conv widths are the default ones (lpr.crnn.CHANNELS) times `width`, the BiLSTM
    # has `hidden` units.
    width: float = 1.0
    hidden: int = 96
    # bfloat16 autocast on CPU: about twice the crops/s where the CPU has AMX or
    # AVX-512 BF16; weights and optimizer stay float32.
    bf16: bool = False
    # Distil from this reader too (training/distill.py): its per-column probabilities
    # are targets beside the labels, weighted by `distill_weight`.
    teacher: str | None = None
    distill_weight: float = 1.0


def charset_of(texts) -> str:
    from training.synth.plates import CHARSET

    extra = sorted({ch for t in texts for ch in t} - set(CHARSET))
    return CHARSET + "".join(extra)


def augment(
    rng: np.random.Generator, batch: np.ndarray, stretch: float = 0.05, invert: float = 0.3
) -> np.ndarray:
    """Per-crop shift/scale and contrast jitter on uint8 crops [N, H, W]."""
    out = np.empty_like(batch)
    h, w = batch.shape[1:]
    for i, img in enumerate(batch):
        s = rng.uniform(0.93, 1.07)
        sx = s * rng.uniform(1 - stretch, 1 + stretch)
        m = np.array(
            [
                [sx, 0, rng.uniform(-4, 4) + (1 - sx) * w / 2],
                [0, s, rng.uniform(-2, 2) + (1 - s) * h / 2],
            ],
            np.float32,
        )
        img = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
        if rng.random() < invert:
            img = 255 - img  # light-on-dark plates exist; so do inverted crops from glare
        out[i] = img
    return out


def one_cycle(step: int, total: int, warmup: float = 0.1) -> float:
    """Share of the peak learning rate: linear warm-up from 1/25, then cosine to zero."""
    warm = max(1, int(total * warmup))
    if step < warm:
        return 0.04 + 0.96 * step / warm
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, total - warm))))


def load_split(data: Path, split: str, limit: int = 0):
    path = Path(data) / "reader" / f"{split}.npz"
    if not path.is_file():
        raise SystemExit(f"{path} not found: make it with `lpr data reader` or `lpr data import`")
    z = np.load(path)
    images, texts = z["images"], [str(t) for t in z["texts"]]
    formats = [str(f) for f in z["formats"]]
    if limit:
        images, texts, formats = images[:limit], texts[:limit], formats[:limit]
    return images, texts, formats


@torch.no_grad()
def evaluate(model: CRNN, tokenizer: CTCTokenizer, images, texts, device, batch_size=256) -> dict:
    model.eval()
    exact, chars, total_chars, loss_sum = 0, 0, 0, 0.0
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(normalise(images[start : start + batch_size])).to(device)
        probs = model(x).exp().cpu().numpy()
        for p, truth in zip(probs, texts[start : start + batch_size], strict=True):
            pred, _ = tokenizer.decode_greedy(p)
            exact += pred == truth
            chars += sum(a == b for a, b in zip(pred, truth, strict=False))
            total_chars += max(len(truth), len(pred))
    model.train()
    return {"exact": exact / len(texts), "char_acc": chars / max(total_chars, 1), "loss": loss_sum}


def train(cfg: ReaderConfig) -> dict:
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    cv2.setNumThreads(1)
    rng = np.random.default_rng(cfg.seed)
    device = torch.device(cfg.device)
    train_x, train_y, _ = load_split(cfg.data, "train", cfg.max_train)
    val_x, val_y, _ = load_split(cfg.data, "val")
    tokenizer = CTCTokenizer(charset_of(train_y + val_y))
    height, width = train_x.shape[1:]  # the model reads the size its data was cut at
    shape = {"hidden": cfg.hidden, "channels": tuple(round(c * cfg.width) for c in CHANNELS)}
    base = None
    if cfg.init:
        ckpt = torch.load(cfg.init, map_location="cpu", weights_only=False)
        if ckpt["charset"] != tokenizer.charset:
            raise SystemExit(f"--init {cfg.init} has another charset; train from scratch instead")
        # An ensemble resumes from its first member, the reader it was built around,
        # and keeps its shape (checkpoints before session 17 store no widths: the defaults).
        base = checkpoint_members(ckpt)[0]
        shape = {k: v for k, v in base["model"].items() if k in ("hidden", "channels")}
    model = CRNN(tokenizer.num_classes, height, width, **shape)
    if base:
        model.load_state_dict(adapt_state_dict(base["state_dict"], model))
        logger.info("resumed from %s (trained at %s)", cfg.init, ckpt["input"])
    model.to(device)
    teacher = None
    if cfg.teacher:
        teacher = load_teacher(cfg.teacher, tokenizer.charset, (height, width)).to(device)
        logger.info("distilling from %s (weight %g)", cfg.teacher, cfg.distill_weight)
    targets = [torch.tensor(tokenizer.encode(t), dtype=torch.long) for t in train_y]
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(train_x) / cfg.batch_size)
    epochs = cfg.epochs  # may shrink to fit max_minutes after the first epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: one_cycle(step, epochs * steps_per_epoch)
    )
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    amp = device.type == "cuda"  # mixed precision where a GPU is used
    scaler = torch.amp.GradScaler(enabled=amp)
    autocast = (
        torch.autocast("cpu", dtype=torch.bfloat16)
        if cfg.bf16 and device.type == "cpu"
        else torch.autocast(device.type, enabled=amp)
    )
    history, best, stale, started = [], -1.0, 0, time.time()
    epoch = 0
    while epoch < epochs:
        order = rng.permutation(len(train_x))
        losses = []
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{epochs}", unit="batch")
        for step in bar:
            idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
            batch = augment(rng, train_x[idx], cfg.stretch, cfg.invert)
            x = torch.from_numpy(normalise(batch)).to(device)
            tgt = [targets[i] for i in idx]
            lengths = torch.tensor([len(t) for t in tgt], dtype=torch.long)
            with autocast:
                logp = model(x).float()  # B, T, C
            loss = ctc(
                logp.permute(1, 0, 2),
                torch.cat(tgt).to(device),
                torch.full((len(idx),), logp.shape[1], dtype=torch.long),
                lengths,
            )
            if teacher is not None:
                with torch.no_grad(), autocast:
                    teacher_logp = teacher(x).float()
                loss = loss + cfg.distill_weight * distillation_loss(
                    logp, teacher_logp, lengths.to(device)
                )
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scaler.step(opt)
            scaler.update()
            sched.step()
            losses.append(loss.item())
            if step % 20 == 0:
                bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
        val = evaluate(model, tokenizer, val_x, val_y, device)
        history.append(
            {
                "epoch": epoch + 1,
                "train_loss": float(np.mean(losses)),
                **val,
                "minutes": (time.time() - started) / 60,
            }
        )
        logger.info("epoch %d: %s", epoch + 1, json.dumps(history[-1]))
        # Every epoch is kept too: synthetic validation is not the real world, and the
        # epoch to ship is chosen on real photos (models/README.md).
        # The best so far is a copy of its epoch's file, not a second serialisation.
        out = Path(cfg.out)
        epoch_file = out.with_name(f"{out.stem}.epoch{epoch + 1}{out.suffix}")
        save(model, tokenizer, cfg, history, epoch_file)
        if val["exact"] > best:
            best, stale = val["exact"], 0
            shutil.copyfile(epoch_file, out)
        else:
            stale += 1
        plot_curves(history, out.with_name("plate_recognizer_curves.png"))
        if stale >= cfg.patience:
            logger.info("early stop: no validation gain in %d epochs", cfg.patience)
            break
        epoch += 1
        if cfg.max_minutes and epoch == 1:
            fit = max(1, int(cfg.max_minutes / history[0]["minutes"]))
            if fit < epochs:
                logger.info(
                    "%.1f min an epoch: %d epochs fit %.0f min",
                    history[0]["minutes"],
                    fit,
                    cfg.max_minutes,
                )
                epochs = fit
    return {"best_val_exact": best, "history": history}


def save(model: CRNN, tokenizer: CTCTokenizer, cfg: ReaderConfig, history: list, out: str) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save(
        {
            "state_dict": state,
            "charset": tokenizer.charset,
            "model": model.config,
            "input": {
                "height": model.config["height"],
                "width": model.config["width"],
                "channels": 1,
            },
            "train_config": asdict(cfg),
            "history": history,
            "version": f"crnn-{time.strftime('%Y%m%d-%H%M')}",
        },
        out,
    )


def _load_alike(paths: list[str], shape_key: str) -> list[dict]:
    """Reader checkpoints that share the first one's charset and `shape_key` entry."""
    ckpts = [torch.load(p, map_location="cpu", weights_only=False) for p in paths]
    for path, ckpt in zip(paths[1:], ckpts[1:], strict=True):
        if ckpt["charset"] != ckpts[0]["charset"] or ckpt[shape_key] != ckpts[0][shape_key]:
            raise ValueError(f"{path} has another charset or {shape_key} than {paths[0]}")
    return ckpts


def average_checkpoints(paths: list[str], out: str) -> dict:
    """One reader whose weights are the mean of several fine-tuned from the same weights.

    Two fine-tunes of one model sit in the same basin; their mean kept what each
    learnt (plate crops of one, scenes of the other) better than either alone.
    """
    ckpts = _load_alike(paths, "model")
    first = ckpts[0]
    for path, ckpt in zip(paths, ckpts, strict=True):
        if "members" in ckpt:
            raise ValueError(f"{path} is an ensemble; average single readers")
    state = {
        k: torch.stack([c["state_dict"][k].float() for c in ckpts]).mean(0).to(v.dtype)
        if v.is_floating_point()
        else v
        for k, v in first["state_dict"].items()
    }
    averaged = {
        **first,
        "state_dict": state,
        "averaged_from": [str(p) for p in paths],
        "version": f"crnn-{time.strftime('%Y%m%d-%H%M')}-mean{len(paths)}",
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    torch.save(averaged, out)
    return averaged


def ensemble_checkpoints(paths: list[str], out: str) -> dict:
    """One reader file holding several readers, whose probabilities are averaged at run time.

    The first reader is the ensemble's base: its metadata is kept, and `--init`
    with the ensemble resumes from it.
    """
    ckpts = _load_alike(paths, "input")
    first = ckpts[0]
    members = [m for ckpt in ckpts for m in checkpoint_members(ckpt)]
    ensemble = {
        key: first[key] for key in ("charset", "model", "input", "train_config") if key in first
    }
    ensemble.update(
        members=members,
        ensemble_of=[str(p) for p in paths],
        version=f"crnn-{time.strftime('%Y%m%d-%H%M')}-ens{len(members)}",
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    torch.save(ensemble, out)
    return ensemble


def plot_curves(history: list, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2))
    ax[0].plot(epochs, [h["train_loss"] for h in history], marker="o")
    ax[0].set(title="train CTC loss", xlabel="epoch")
    ax[1].plot(epochs, [h["exact"] for h in history], marker="o", label="exact")
    ax[1].plot(epochs, [h["char_acc"] for h in history], marker="o", label="char")
    ax[1].set(title="validation accuracy", xlabel="epoch", ylim=(0, 1))
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
