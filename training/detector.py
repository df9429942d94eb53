"""Train the plate detector (ultralytics YOLO from our yaml, no pretrained download).

    lpr train-detector --data data/detector/dataset.yaml [--init models/plate_detector.pt]

Trains on 320x320 tiles at inference scale (see training/synth/scenes.py),
early-stops on validation mAP, then copies the best weights to models/.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from training.offline import CACHE, offline_ultralytics

logger = logging.getLogger(__name__)
YAML = Path(__file__).with_name("plate_yolo.yaml")


@dataclass
class DetectorConfig:
    data: str = "data/detector/dataset.yaml"
    out: str = "models/plate_detector.pt"
    init: str | None = None  # resume from these weights instead of the yaml
    epochs: int = 30
    imgsz: int = 320
    batch: int = 32
    patience: int = 5
    fraction: float = 1.0  # share of the training images to use (curriculum / budget)
    time_hours: float = 0.0  # ultralytics' own time budget; 0 = none
    lr0: float = 0.002  # AdamW; about half of it to fine-tune from --init
    device: str = "cpu"
    workers: int = 2
    seed: int = 0
    run_dir: str = str(CACHE.parent / "runs" / "detector")
    # Keep the --init weights' batch-norm statistics (BN layers stay in eval mode). A
    # fine-tune's damage on real US plates came from the statistics, not the weights:
    # the shipped weights with a fine-tune's statistics lost what the fine-tune lost.
    freeze_bn: bool = False
    # The first `freeze` layers keep their --init weights and statistics (ultralytics'
    # own freeze; 10 = the backbone of the YOLOv8 layout, 22 = all but the Detect head).
    freeze: int = 0


def _bn_eval(trainer) -> None:
    """Batch norm uses and keeps its running statistics (ultralytics sets train mode each epoch)."""
    from torch import nn

    for module in trainer.model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.eval()


def train(cfg: DetectorConfig) -> Path:
    offline_ultralytics()
    from ultralytics import YOLO
    from ultralytics.engine import trainer as yolo_trainer

    # On a GPU ultralytics checks AMP by downloading yolo26n.pt: nothing may be
    # downloaded, and torch's autocast is trusted on CUDA, so the check is skipped.
    yolo_trainer.check_amp = lambda model: True

    model = YOLO(cfg.init or str(YAML), task="detect")
    if cfg.freeze_bn:
        model.add_callback("on_train_batch_start", _bn_eval)
    started = time.time()
    extra = {"time": cfg.time_hours} if cfg.time_hours else {}
    if cfg.freeze:
        extra["freeze"] = cfg.freeze
    model.train(
        data=str(Path(cfg.data).resolve()),
        epochs=cfg.epochs,
        imgsz=cfg.imgsz,
        batch=cfg.batch,
        patience=cfg.patience,
        device=cfg.device,
        workers=cfg.workers,
        seed=cfg.seed,
        deterministic=True,
        fraction=cfg.fraction,
        # True keeps the --init weights (ultralytics drops them on False); without
        # --init the model comes from our yaml and nothing is ever downloaded.
        pretrained=bool(cfg.init),
        amp=cfg.device != "cpu",
        optimizer="AdamW",
        lr0=cfg.lr0,
        cos_lr=True,
        warmup_epochs=1,
        close_mosaic=2,
        # Plates are read left to right: no flips. No rotation, shear or perspective
        # here: on box-only labels they widen each box to the rotated corners, and the
        # detector learnt boxes ~1.3x taller than real labels. The generator draws its
        # own perspective with exact boxes. Mosaic also brings smaller plates.
        fliplr=0.0,
        degrees=0.0,
        shear=0.0,
        perspective=0.0,
        scale=0.4,
        translate=0.1,
        mosaic=0.5,
        hsv_h=0.02,
        hsv_s=0.5,
        hsv_v=0.5,
        # absolute: ultralytics puts a relative project under its own runs/detect/
        project=str(Path(cfg.run_dir).resolve().parent),
        name=Path(cfg.run_dir).name,
        exist_ok=True,
        plots=True,
        save_period=1,  # every epoch's weights: real photos pick the epoch, not synthetic mAP
        verbose=False,
        **extra,
    )
    best = Path(model.trainer.best)
    out = Path(cfg.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(best, out)
    for plot in ("results.png",):
        if (best.parent.parent / plot).exists():
            shutil.copy(best.parent.parent / plot, out.with_name("plate_detector_curves.png"))
    logger.info(
        "detector trained in %.1f min -> %s (%s)", (time.time() - started) / 60, out, asdict(cfg)
    )
    return out
