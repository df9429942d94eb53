"""The labelled-data contract: one loader for real and synthetic `labels.jsonl`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class LabelledPlate:
    text: str
    box: tuple[float, float, float, float]
    suspect: bool = False


@dataclass(frozen=True)
class LabelledImage:
    path: Path  # absolute
    image: str  # as written in the file, relative to its folder
    region: str
    kind: str  # "scene" or "plate_crop"
    plates: list[LabelledPlate] = field(default_factory=list)


def load_labels(path: str | Path) -> list[LabelledImage]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labels file not found: {path}")
    root = path.parent
    items = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                plates = [
                    LabelledPlate(
                        p["text"], tuple(float(v) for v in p["box"]), bool(p.get("suspect", False))
                    )
                    for p in row.get("plates", [])
                ]
                items.append(
                    LabelledImage(
                        root / row["image"],
                        row["image"],
                        row.get("region", "all"),
                        row.get("kind", "scene"),
                        plates,
                    )
                )
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not a labels line ({exc})") from exc
    return items
