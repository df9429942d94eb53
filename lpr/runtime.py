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
