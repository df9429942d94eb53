"""ONNX Runtime sessions with explicit threads and the best available device."""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def onnx_session(path: str | Path, device: str = "cpu", threads: int = 1):
    import onnxruntime as ort

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    options = ort.SessionOptions()
    # Explicit thread counts: ORT's default takes every core, which collapses
    # when two services share a small machine.
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # ORT's pool threads spin after each run, waiting for the next. The detector's and
    # the reader's pools then spin against each other, OpenCV and the caller: on 2
    # cores, 2 threads took 56 ms a frame spinning and 30 ms not (1 thread: 42 ms;
    # models/HISTORY.md, session 13). The threads of a replica should work or sleep.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    providers = ["CPUExecutionProvider"]
    if device.startswith("cuda"):
        available = ort.get_available_providers()
        if "CUDAExecutionProvider" not in available:
            raise RuntimeError(
                f"--device {device} asked for, but this ONNX Runtime has only {available}; "
                "install onnxruntime-gpu, or use the torch backend"
            )
        index = int(device.split(":")[1]) if ":" in device else 0
        providers = [("CUDAExecutionProvider", {"device_id": index}), "CPUExecutionProvider"]
    return ort.InferenceSession(str(path), options, providers=providers)
