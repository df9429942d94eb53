"""The `lpr` command: scan, eval, bench, and the data/training/export commands."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from lpr.preprocess import READER_SIZE
from lpr.types import READ_MAX_CHARS, READ_MIN_CHARS, READ_MIN_CONFIDENCE

logger = logging.getLogger("lpr")


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--detector", help="detector weights (default models/plate_detector.onnx|.pt)")
    p.add_argument("--reader", help="reader weights (default models/plate_recognizer.onnx|.pt)")
    p.add_argument("--backend", default="onnx", choices=["onnx", "torch", "ultralytics"])
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for inference")
    p.add_argument(
        "--min-confidence",
        type=float,
        default=READ_MIN_CONFIDENCE,
        help=f"drop reads below this confidence ({READ_MIN_CONFIDENCE}: chosen on real photos)",
    )
    p.add_argument(
        "--min-chars",
        type=int,
        default=READ_MIN_CHARS,
        help="drop reads shorter than this: emblems and lamps read as 1-3 junk characters",
    )
    p.add_argument(
        "--max-chars",
        type=int,
        default=READ_MAX_CHARS,
        help="drop reads longer than this: camera timestamps and signs (0: no limit)",
    )
    p.add_argument("--det-conf", type=float, help="detector score threshold (default 0.1)")
    p.add_argument("--long-side", type=int, help="detector input long side (default 640)")
    p.add_argument(
        "--coarse-side",
        type=int,
        help="long side of the second detector pass for frames with no sure box (default 320, 0: off)",
    )
    p.add_argument(
        "--fine-side",
        type=int,
        help="long side of the third detector pass, for far plates in frames with no sure box"
        " (default 1280, 0: off)",
    )
    p.add_argument(
        "--no-grey-pass",
        dest="grey_pass",
        action="store_false",
        help="skip the last detector pass in grey, for plates in unusual colours, on frames"
        " with no sure box",
    )
    p.add_argument(
        "--dark-below",
        type=float,
        help="raise the contrast of frames darker than this mean grey before detecting"
        " (default 40, 0: off)",
    )
    p.add_argument(
        "--overlay-height",
        type=float,
        help="drop boxes on a text line along the frame's top edge up to this share of its"
        " height: a camera's date and time (default 0.035, 0: off)",
    )
    p.add_argument(
        "--formats", help="this site's plate formats, e.g. fr_siv,ma (default: all but de)"
    )
    p.add_argument(
        "--no-refine",
        dest="refine",
        action="store_false",
        help="keep the detector's boxes even where the text fills a small part of them",
    )
    p.add_argument(
        "--no-vote",
        dest="vote",
        action="store_false",
        help="keep each unsure read as it is, without reading shifted boxes to vote on it",
    )


def _pipeline(args):
    from lpr.inference import load_pipeline

    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    pipeline = load_pipeline(
        args.detector,
        args.reader,
        args.backend,
        args.device,
        args.threads,
        args.min_confidence,
        args.long_side,
        args.formats,
        args.det_conf,
        args.min_chars,
        args.coarse_side,
        args.max_chars,
        args.dark_below,
        args.fine_side,
        overlay_height=args.overlay_height,
        grey_pass=args.grey_pass,
    )
    pipeline.refine = args.refine
    pipeline.vote = args.vote
    return pipeline


def cmd_scan(args) -> int:
    from tqdm import tqdm

    from lpr.scan import frames, write_annotation

    try:
        pipeline = _pipeline(args)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"lpr scan: {exc}", file=sys.stderr)
        return 2
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    failures = 0
    try:
        for frame in tqdm(frames(args.paths), unit="img", disable=not sys.stderr.isatty()):
            line: dict = {"image": frame.name}
            if frame.error:
                failures += 1
                line["error"] = frame.error
                print(f"lpr scan: {frame.name}: {frame.error}", file=sys.stderr)
            else:
                line["plates"] = [r.to_json() for r in pipeline.process(frame.image)]
                if args.annotate:
                    write_annotation(args.annotate, frame.name, frame.image, line["plates"])
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
    return 1 if failures else 0


def cmd_eval(args) -> int:
    from lpr.evaluate import format_table, score
    from lpr.labels import load_labels

    items = load_labels(args.labels)
    if args.predictions:
        predictions = {}
        with open(args.predictions, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                predictions[row["image"]] = row.get("plates", [])
    else:
        from lpr.evalrun import predict

        predictions = predict(
            items,
            _pipeline(args),
            save=args.save_predictions,
            annotate_dir=args.annotate,
            oracle_boxes=args.oracle_boxes,
        )
    tallies = score(items, predictions)
    print(format_table(tallies))
    if args.errors:
        with open(args.errors, "w", encoding="utf-8") as f:
            for err in tallies["all"].errors:
                f.write(json.dumps(err, ensure_ascii=False) + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps({k: v.row() for k, v in tallies.items()}, indent=2))
    return 0


def cmd_bench(args) -> int:
    from lpr.bench import bench

    bench(args.paths, _pipeline(args), args.repeat)
    return 0


def cmd_degrade(args) -> int:
    from lpr.robustness import write_degraded

    kinds = [k for arg in args.kinds for k in arg.split(",") if k]
    write_degraded(args.labels, args.out, kinds, args.seed)
    return 0


def _size(text: str) -> tuple[int, int]:
    try:
        height, width = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"size {text!r}: expected HEIGHTxWIDTH, e.g. 48x160") from None
    return height, width


def cmd_data(args) -> int:
    from training.data import make_detector_data, make_reader_data

    if args.what in ("reader", "all"):
        make_reader_data(
            Path(args.out),
            {
                "train": args.reader_train,
                "val": args.reader_val,
                "test": args.reader_val,
                "holdout": args.reader_val,
            },
            args.seed,
            args.workers,
            _size(args.reader_size),
        )
    if args.what == "import":
        from training.importer import import_labels

        if not args.labels:
            raise SystemExit("lpr data import: give the labels file with --labels")
        print(json.dumps(import_labels(args.labels, args.out, crop_size=_size(args.reader_size))))
    if args.what == "samples":
        from training.data import make_samples

        make_samples(Path(args.out), args.count, args.seed)
    if args.what in ("detector", "all"):
        make_detector_data(
            Path(args.out),
            {
                "train": args.detector_train,
                "val": args.detector_val,
                "test": args.detector_val,
                "holdout": args.detector_val,
            },
            args.seed,
            args.workers,
        )
    return 0


def cmd_train_reader(args) -> int:
    from training.reader import ReaderConfig, train

    cfg = ReaderConfig(
        **{k: v for k, v in vars(args).items() if k in ReaderConfig.__dataclass_fields__}
    )
    result = train(cfg)
    print(
        json.dumps({"best_val_exact": result["best_val_exact"], "epochs": len(result["history"])})
    )
    return 0


def cmd_average_reader(args) -> int:
    from training.reader import average_checkpoints

    average_checkpoints(args.checkpoints, args.out)
    print(args.out)
    return 0


def cmd_slim_reader(args) -> int:
    from training.distill import slim_checkpoint

    slim = slim_checkpoint(args.checkpoint, args.width, args.out)
    print(f"{args.out}: channels {slim['model']['channels']}")
    return 0


def cmd_ensemble_reader(args) -> int:
    from training.reader import ensemble_checkpoints

    ensemble_checkpoints(args.checkpoints, args.out)
    print(args.out)
    return 0


def cmd_train_detector(args) -> int:
    from training.detector import DetectorConfig, train

    fields = DetectorConfig.__dataclass_fields__
    cfg = DetectorConfig(**{k: v for k, v in vars(args).items() if k in fields and v is not None})
    print(train(cfg))
    return 0


def cmd_export(args) -> int:
    from training.export import export_detector, export_reader

    if args.reader:
        print(export_reader(args.reader))
    if args.detector:
        print(export_detector(args.detector))
    if args.int8:
        from training.quantize import quantize

        print(quantize(args.int8))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lpr", description="Licence-plate recognition")
    parser.add_argument("--log-level", default=os.environ.get("LPR_LOG_LEVEL", "WARNING"))
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("scan", help="read plates in images, folders and videos")
    p.add_argument("paths", nargs="+")
    p.add_argument("--out", help="write JSON lines here instead of stdout")
    p.add_argument("--annotate", help="write images with boxes and text to this folder")
    _model_args(p)
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser(
        "eval", help="score on a labels.jsonl: detection P/R, exact and char accuracy"
    )
    p.add_argument("labels")
    p.add_argument("--predictions", help="score these scan results instead of running the models")
    p.add_argument("--save-predictions", help="write the predictions made here (scan format)")
    p.add_argument(
        "--errors", help="write every misread, missed or false-positive plate here (JSON lines)"
    )
    p.add_argument("--json", help="write the table as JSON here")
    p.add_argument("--annotate", help="write annotated images here")
    p.add_argument(
        "--oracle-boxes",
        action="store_true",
        help="read scenes at the labelled boxes: the reader's accuracy without detector misses",
    )
    _model_args(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="time decode+detect+read per image")
    p.add_argument("paths", nargs="+")
    p.add_argument("--repeat", type=int, default=3)
    _model_args(p)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser(
        "degrade", help="write darkened/blurred/glared/occluded copies of a labelled set"
    )
    p.add_argument("labels")
    p.add_argument("--out", required=True)
    p.add_argument(
        "--kinds",
        nargs="+",
        default=["dark,blur,glare,occlusion"],
        help="which degradations: dark blur glare occlusion (spaces or commas)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_degrade)

    p = sub.add_parser("data", help="generate the synthetic datasets")
    p.add_argument("what", choices=["reader", "detector", "all", "samples", "import"])
    p.add_argument("--labels", help="import: the labels.jsonl of your own images")
    p.add_argument("--count", type=int, default=12, help="samples: how many demo frames")
    p.add_argument("--out", default="data")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--reader-train", type=int, default=120_000)
    p.add_argument("--reader-val", type=int, default=4_000)
    p.add_argument(
        "--reader-size",
        default="x".join(map(str, READER_SIZE)),
        help="reader crops' HEIGHTxWIDTH (the reader trained on them reads that size)",
    )
    p.add_argument("--detector-train", type=int, default=20_000)
    p.add_argument("--detector-val", type=int, default=1_000)
    p.set_defaults(func=cmd_data)

    p = sub.add_parser("train-reader", help="train the CRNN reader")
    for name, default in [
        ("data", "data"),
        ("out", "models/plate_recognizer.pt"),
        ("init", None),
        ("device", "cpu"),
        ("teacher", None),
    ]:
        p.add_argument(f"--{name}", default=default)
    for name, kind, default in [
        ("epochs", int, 30),
        ("batch-size", int, 64),
        ("lr", float, 2e-3),
        ("patience", int, 4),
        ("max-minutes", float, 0),
        ("max-train", int, 0),
        ("threads", int, 2),
        ("seed", int, 0),
        ("stretch", float, 0.05),
        ("invert", float, 0.3),
        ("width", float, 1.0),
        ("hidden", int, 96),
        ("distill-weight", float, 1.0),
    ]:
        p.add_argument(f"--{name}", type=kind, default=default)
    p.add_argument(
        "--bf16", action="store_true", help="bfloat16 autocast on CPU (fast where it has AMX)"
    )
    p.set_defaults(func=cmd_train_reader)

    p = sub.add_parser(
        "average-reader", help="mean of the weights of readers fine-tuned from the same weights"
    )
    p.add_argument("checkpoints", nargs="+")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_average_reader)

    p = sub.add_parser(
        "slim-reader",
        help="a narrower copy of a reader (its strongest channels), to distil with "
        "train-reader --init SLIM --teacher READER",
    )
    p.add_argument("checkpoint")
    p.add_argument("--width", type=float, required=True, help="times the default conv widths")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_slim_reader)

    p = sub.add_parser(
        "ensemble-reader", help="one reader file whose readers' probabilities are averaged"
    )
    p.add_argument("checkpoints", nargs="+")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_ensemble_reader)

    p = sub.add_parser("train-detector", help="train the YOLO plate detector")
    for name, default in [
        ("data", "data/detector/dataset.yaml"),
        ("out", "models/plate_detector.pt"),
        ("init", None),
        ("device", "cpu"),
        ("run-dir", None),  # default: runs/detector in the checkout
    ]:
        p.add_argument(f"--{name}", default=default)
    for name, kind, default in [
        ("epochs", int, 30),
        ("imgsz", int, 320),
        ("batch", int, 32),
        ("patience", int, 5),
        ("fraction", float, 1.0),
        ("time-hours", float, 0.0),
        ("lr0", float, 0.002),
        ("workers", int, 2),
        ("seed", int, 0),
        ("freeze", int, 0),
    ]:
        p.add_argument(f"--{name}", type=kind, default=default)
    p.add_argument(
        "--freeze-bn",
        action="store_true",
        help="keep the --init weights' batch-norm statistics while fine-tuning",
    )
    p.set_defaults(func=cmd_train_detector)

    p = sub.add_parser("export", help="export trained weights to ONNX")
    p.add_argument("--detector", help="detector .pt to export")
    p.add_argument("--reader", help="reader .pt to export")
    p.add_argument(
        "--int8",
        metavar="ONNX",
        help="write an int8 copy of this detector or reader export (_int8.onnx), for slow CPUs",
    )
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
