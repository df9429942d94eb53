"""Keep ultralytics offline: no hub, no settings sync, no font or AMP-check downloads.

Call `offline_ultralytics()` before the first `import ultralytics`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".cache"


def offline_ultralytics() -> None:
    config = CACHE / "ultralytics"
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")
    os.environ.setdefault("YOLO_CONFIG_DIR", str(config))
    os.environ.setdefault("MPLCONFIGDIR", str(CACHE / "matplotlib"))
    fonts = Path(os.environ["YOLO_CONFIG_DIR"]) / "Ultralytics"
    fonts.mkdir(parents=True, exist_ok=True)
    # Plotting asks check_font('Arial.ttf'), which downloads even offline
    # unless a file of that name is already in the config dir.
    import matplotlib

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    for name in ("Arial.ttf", "Arial.Unicode.ttf"):
        if not (fonts / name).exists():
            shutil.copy(dejavu, fonts / name)
