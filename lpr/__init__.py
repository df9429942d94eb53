"""Licence-plate recognition: the inference core and the `lpr` command.

Serving code in this package depends on numpy, OpenCV and ONNX Runtime only;
torch and ultralytics are imported lazily by the backends that need them.
"""

__version__ = "0.1.0"
