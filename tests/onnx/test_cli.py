"""``ember export CHECKPOINT --onnx FILE`` and ``ember predict FILE.onnx IMAGE...``."""
import numpy as np
import onnxruntime as ort
from PIL import Image

import ember
from ember.cli.models import LeNet5
from tests.cli._helpers import assert_one_line_error, cli, draw_digits


def _checkpoint(tmp_path):
    ember.manual_seed(3)
    model = LeNet5()
    path = tmp_path / "lenet.pt"
    ember.save(model.state_dict(), str(path))
    return model.eval(), str(path)


def test_export_then_predict_with_onnxruntime(tmp_path, capsys):
    model, checkpoint = _checkpoint(tmp_path)
    onnx_path = str(tmp_path / "lenet.onnx")
    status, out, err = cli(capsys, "export", checkpoint, "--onnx", onnx_path, "--opset", "13")
    assert status == 0, err
    assert "lenet5" in out and onnx_path in out and "onnxruntime gives" in out
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["image"]
    x = ember.randn(5, 1, 28, 28)
    (logits,) = session.run(None, {"image": x.numpy()})
    with ember.no_grad():
        np.testing.assert_allclose(logits, model(x).numpy(), atol=1e-5)

    images, _ = draw_digits(3, seed=1)
    paths = []
    for i, digit in enumerate(images):
        paths.append(str(tmp_path / ("d%d.png" % i)))
        Image.fromarray(digit).save(paths[-1])
    status, from_onnx, err = cli(capsys, "predict", onnx_path, *paths)
    assert status == 0, err
    status, from_checkpoint, err = cli(capsys, "predict", checkpoint, *paths)
    assert status == 0, err
    rows = [line.split("probabilities: ")[1].split() for line in from_onnx.splitlines()]
    want = [line.split("probabilities: ")[1].split() for line in from_checkpoint.splitlines()]
    assert len(rows) == 3
    for got, expected in zip(rows, want):
        np.testing.assert_allclose([float(p[2:]) for p in got], [float(p[2:]) for p in expected],
                                   atol=0.0015)


def test_errors_are_one_line(tmp_path, capsys):
    _, checkpoint = _checkpoint(tmp_path)
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(tmp_path / "d.png")
    assert_one_line_error(*cli(capsys, "predict", str(bad), str(tmp_path / "d.png"))[::2],
                          "cannot load ONNX model")
    assert_one_line_error(*cli(capsys, "predict", str(tmp_path / "none.onnx"),
                               str(tmp_path / "d.png"))[::2], "no such model")
    assert_one_line_error(*cli(capsys, "export", str(tmp_path / "none.pt"), "--onnx",
                               str(tmp_path / "x.onnx"))[::2], "no such checkpoint")
    assert_one_line_error(*cli(capsys, "export", checkpoint, "--onnx",
                               str(tmp_path / "no" / "dir" / "x.onnx"))[::2], "cannot write")
