"""ONNX Runtime sessions use the threads asked for, and their threads never spin idle."""

from pathlib import Path

import pytest

from lpr.runtime import onnx_session

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.mark.parametrize("threads", [1, 2])
def test_sessions_take_the_thread_count_and_do_not_spin(threads):
    options = onnx_session(MODELS / "plate_recognizer.onnx", threads=threads).get_session_options()
    assert options.intra_op_num_threads == threads and options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="model file not found"):
        onnx_session(tmp_path / "none.onnx")
