"""ember.onnx.export: every covered layer exported, loaded in onnxruntime and run on the same
inputs as ember (float32 tolerance); the CLI's models with a dynamic batch; the failures."""
import io
import os
import subprocess
import sys
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from ember.cli.models import MODELS
from ember.onnx import UnsupportedOperatorError


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


class Recurrent(nn.Module):
    """An LSTM called with its initial states."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 5, batch_first=True)

    def forward(self, x, h, c):
        return self.lstm(x, (h, c))


class Attention(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.attn = nn.MultiheadAttention(6, 2, **kw)

    def forward(self, q, kv, mask):
        return self.attn(q, kv, kv, key_padding_mask=mask)


class Cells(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm, self.gru = nn.LSTMCell(4, 5), nn.GRUCell(4, 5)
        self.rnn = nn.RNNCell(4, 5, nonlinearity="relu")

    def forward(self, x, h, c):
        return self.lstm(x, (h, c)), self.gru(x, h), self.rnn(x), self.gru(x[0])


def _flat(obj):
    if isinstance(obj, (tuple, list)):
        return [t for o in obj for t in _flat(o)]
    return [] if obj is None else [obj]


def _run(proto, args):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {i.name: a.numpy() for i, a in zip(session.get_inputs(), args)})


def _check(model, args, atol=1e-5, **kw):
    proto = ember.onnx.export(model, tuple(args), io.BytesIO(), **kw)
    outs = _run(proto, args)
    if isinstance(model, nn.Module):
        model.eval()
    with ember.no_grad():
        expected = _flat(model(*args))
    assert len(outs) == len(expected)
    for got, want in zip(outs, expected):
        np.testing.assert_allclose(got, want.numpy(), atol=atol, rtol=1e-5)
    return proto


def _r(*shape):
    return ember.randn(*shape)


LAYERS = {
    "linear": lambda: (nn.Linear(6, 3), [_r(2, 4, 6)]),
    "conv1d": lambda: (nn.Conv1d(4, 5, 3, padding=1, stride=2), [_r(2, 4, 6)]),
    "conv2d": lambda: (nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=2), [_r(2, 4, 7, 7)]),
    "conv3d": lambda: (nn.Conv3d(2, 3, 2), [_r(1, 2, 4, 4, 4)]),
    "conv_transpose1d": lambda: (nn.ConvTranspose1d(4, 2, 3, stride=2), [_r(2, 4, 6)]),
    "conv_transpose2d": lambda: (nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1,
                                                    output_padding=1), [_r(2, 3, 5, 5)]),
    "max_pool": lambda: (nn.MaxPool2d(3, 2, padding=1, ceil_mode=True), [_r(2, 3, 8, 8)]),
    "avg_pool": lambda: (nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
                         [_r(2, 3, 8, 8)]),
    "avg_pool1d_ceil": lambda: (nn.AvgPool1d(3, 2, ceil_mode=True), [_r(2, 3, 8)]),
    "adaptive_avg_pool": lambda: (nn.AdaptiveAvgPool2d((3, 2)), [_r(2, 3, 8, 7)]),
    "batch_norm": lambda: (_trained_bn(), [_r(2, 3, 4, 4)]),
    "layer_norm": lambda: (nn.LayerNorm(6), [_r(2, 4, 6)]),
    "group_norm": lambda: (nn.GroupNorm(2, 4), [_r(2, 4, 5)]),
    "instance_norm": lambda: (nn.InstanceNorm2d(3, affine=True), [_r(2, 3, 4, 4)]),
    "embedding": lambda: (nn.Embedding(10, 4, padding_idx=0), [ember.tensor([[1, 2], [0, 9]])]),
    "dropout_eval": lambda: (nn.Sequential(nn.Dropout(0.5), nn.Dropout2d(0.3)), [_r(2, 3, 4, 4)]),
    "shape_ops": lambda: (Fn(lambda x: ember.cat([
        x.permute(0, 2, 1).reshape(2, -1), x[:, 1:3, ::2].flatten(1),
        x[0, ..., None].squeeze(-1).unsqueeze(0).expand(2, 4, 6).reshape(2, -1),
        x[:, [0, 2]].reshape(2, -1), x.transpose(1, 2).contiguous().view(2, -1),
        ember.stack([x, x.flip([1])], 1).reshape(2, -1), x.repeat(1, 2, 1).reshape(2, -1),
        x.narrow(2, 1, 2).reshape(2, -1), x.chunk(3, 2)[1].reshape(2, -1),
        x.roll(1, 2).reshape(2, -1)], 1)), [_r(2, 4, 6)]),
    "elementwise": lambda: (Fn(lambda x, y: (
        (x * y + 2 - x / (y.abs() + 1)).exp().log1p().clamp(0, 3) ** 2 + ember.where(x > 0, x, y)
        + ember.maximum(x, y) - 1 / (x.abs() + 1) + ember.floor(x) + ember.remainder(x, 0.7)
        + x.sigmoid() * y.tanh() + x.sin() - y.cos() + (x.abs() + 0.1).rsqrt()
        + (x.abs() + 1).log2() + ember.atan2(x, y) + x.lerp(y, 0.3) + x.trunc())),
        [_r(2, 4, 6), _r(2, 4, 6)]),
    "reductions": lambda: (Fn(lambda x: ember.stack([
        x.sum(), x.mean(), x.amax(), x.std(), x.var(1).sum(), x.logsumexp(2).sum(), x.norm(),
        x.max(1).values.sum(), x.prod(2).sum(), x.amin((0, 2)).sum(), x.cumsum(1).sum()])),
        [_r(2, 4, 6)]),
    "compare_argmax": lambda: (Fn(lambda x: (
        x.argmax(1), x.max(2).indices, x.max(), (x > 0.1) & (x < 1), ~(x == 0),
        x.masked_fill(x > 0, -1.0), ember.max(x, x * 2))), [_r(2, 4, 6)]),
    "matmul": lambda: (Fn(lambda x, w: (x @ w, ember.bmm(x, w), ember.einsum("bij,bjk->bik", x, w),
                                        ember.baddbmm(x @ w, x, w, beta=0.5, alpha=2))),
                       [_r(2, 4, 6), _r(2, 6, 3)]),
    "interpolate": lambda: (Fn(lambda x: (
        F.interpolate(x, scale_factor=2, mode="bilinear"),
        F.interpolate(x, size=(5, 11), mode="nearest"),
        F.interpolate(x, size=(3, 3), mode="bicubic", align_corners=True))), [_r(1, 2, 4, 4)]),
    "pad": lambda: (Fn(lambda x: (F.pad(x, (1, 2, 0, 1), mode="reflect"),
                                  F.pad(x, (1, 1, 1, 1), mode="replicate"),
                                  F.pad(x, (1, 1, 2, 0), value=0.5))), [_r(1, 2, 4, 4)]),
    "gather": lambda: (Fn(lambda x: x.gather(2, ember.tensor([[[0, 1]] * 4] * 2))
                          + x.index_select(2, ember.tensor([1, 3]))), [_r(2, 4, 6)]),
    "mha": lambda: (Attention(), [_r(5, 2, 6), _r(3, 2, 6),
                                  ember.tensor([[False, False, True], [False, False, False]])]),
    "mha_batch_first": lambda: (Attention(batch_first=True, kdim=4, vdim=4),
                                [_r(2, 5, 6), _r(2, 3, 4), ember.zeros(2, 3, dtype=ember.bool)]),
    "transformer_encoder_layer": lambda: (nn.TransformerEncoderLayer(8, 2, 16), [_r(5, 2, 8)]),
    "transformer_encoder_norm_first": lambda: (nn.TransformerEncoder(nn.TransformerEncoderLayer(
        8, 2, 16, batch_first=True, norm_first=True, activation="gelu"), 2), [_r(2, 5, 8)]),
    "lstm": lambda: (nn.LSTM(4, 5, 2, bidirectional=True), [_r(3, 2, 4)]),
    "lstm_states": lambda: (Recurrent(), [_r(2, 3, 4), _r(1, 2, 5), _r(1, 2, 5)]),
    "gru": lambda: (nn.GRU(4, 5, 2, batch_first=True), [_r(2, 3, 4)]),
    "rnn_relu": lambda: (nn.RNN(4, 5, nonlinearity="relu", bidirectional=True), [_r(3, 2, 4)]),
    "rnn_unbatched": lambda: (nn.RNN(4, 5), [_r(3, 4)]),
    "cells": lambda: (Cells(), [_r(2, 4), _r(2, 5), _r(2, 5)]),
    "unfold": lambda: (nn.Unfold((2, 3), dilation=2, padding=1, stride=2), [_r(2, 3, 7, 8)]),
    "adaptive_max_pool": lambda: (nn.Sequential(nn.AdaptiveMaxPool2d((3, 2)),
                                                nn.Flatten(0, 1), nn.AdaptiveMaxPool1d(4)),
                                  [_r(2, 3, 7, 5)]),
    "losses": lambda: (Fn(lambda x, t, w=ember.rand(4): (
        F.cross_entropy(x, t), F.cross_entropy(x, t, weight=w, reduction="sum"),
        F.nll_loss(x.log_softmax(1), t, ignore_index=2, reduction="none"),
        F.cross_entropy(x[0], t[0]))), [_r(5, 4), ember.tensor([0, 3, 2, 1, 3])]),
}

ACTIVATIONS = [nn.ReLU(), nn.LeakyReLU(0.2), nn.ELU(), nn.SELU(), nn.CELU(0.5), nn.GELU(),
               nn.GELU("tanh"), nn.SiLU(), nn.Mish(), nn.Softplus(2), nn.Hardtanh(), nn.ReLU6(),
               nn.Hardsigmoid(), nn.Hardswish(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(1),
               nn.LogSoftmax(-1), nn.Softsign(), nn.Tanhshrink(), nn.Hardshrink(),
               nn.Softshrink(), nn.PReLU(), nn.Threshold(0.1, 2.0), nn.LogSigmoid(), nn.GLU(),
               nn.Softmin(1)]


def _trained_bn():
    bn = nn.BatchNorm2d(3)
    bn(ember.randn(4, 3, 4, 4) * 2 + 1)  # running statistics away from 0 and 1
    return bn


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_onnxruntime(name):
    model, args = LAYERS[name]()
    _check(model, args, atol=2e-5)


def test_activations_match_onnxruntime():
    x = ember.randn(2, 4, 6) * 4
    for act in ACTIVATIONS:
        _check(act, [x])


@pytest.mark.parametrize("name", list(MODELS))
def test_cli_models_dynamic_batch(name):
    """Exported at batch 1 with a dynamic batch axis, run at 64: same logits as ember."""
    model = MODELS[name]()
    proto = ember.onnx.export(model, (ember.randn(1, 1, 28, 28),), None, input_names=["image"],
                              output_names=["logits"],
                              dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert set(model.state_dict()) <= {i.name for i in proto.graph.initializer}
    x = ember.randn(64, 1, 28, 28)
    (got,) = _run(proto, [x])
    with ember.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), atol=1e-5, rtol=1e-5)


def test_notes_cnn_passes_onnx_checker_and_shape_inference(tmp_path):
    path = tmp_path / "net.onnx"
    ember.onnx.export(MODELS["net"](), ember.randn(1, 1, 28, 28), str(path), opset_version=13)
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    out = inferred.graph.output[0].type.tensor_type.shape
    assert [d.dim_value for d in out.dim] == [1, 10]
    assert model.opset_import[0].version == 13


def test_sequence_and_batch_dynamic_through_attention_and_lstm():
    layer = nn.TransformerEncoderLayer(8, 2, 16).eval()
    proto = ember.onnx.export(layer, (ember.randn(5, 1, 8),), None, input_names=["src"],
                              dynamic_axes={"src": [0, 1]})
    x = ember.randn(7, 3, 8)
    (got,) = _run(proto, [x])
    with ember.no_grad():
        np.testing.assert_allclose(got, layer(x).numpy(), atol=1e-5)
    lstm = nn.LSTM(4, 5)
    proto = ember.onnx.export(lstm, (ember.randn(2, 1, 4),), None, input_names=["x"],
                              dynamic_axes={"x": [0, 1]})
    x = ember.randn(6, 3, 4)
    got = _run(proto, [x])
    with ember.no_grad():
        y, (h, c) = lstm(x)
    for g_, w in zip(got, (y, h, c)):
        np.testing.assert_allclose(g_, w.numpy(), atol=1e-5)


@pytest.mark.parametrize("opset", [13, 18, 21])
def test_opsets(opset):
    model = nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3), nn.Softmax(-1))
    proto = _check(model, [ember.randn(2, 4)], opset_version=opset)
    assert proto.opset_import[0].version == opset


def test_bad_opset():
    with pytest.raises(ValueError, match="13 to 21"):
        ember.onnx.export(nn.ReLU(), ember.randn(2), None, opset_version=9)


def test_unsupported_op_names_op_and_module():
    model = nn.Sequential(nn.Linear(3, 3), Fn(lambda x: ember.cdist(x, x)))
    with pytest.raises(UnsupportedOperatorError, match=r"Cdist .*module '1' \(Fn\)"):
        ember.onnx.export(model, ember.randn(2, 3), None)


def test_value_from_untraced_computation_is_refused():
    """A tensor built from a Python number read off the input would be frozen in the graph."""
    model = Fn(lambda x: x + ember.tensor(float(x.sum())))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(UnsupportedOperatorError, match="outside the traced ops"):
            ember.onnx.export(model, ember.randn(3), None)


def test_data_dependent_control_flow_warns_and_traces_path():
    model = Fn(lambda x: x * 2 if x.sum() > 0 else x - 1)
    x = ember.ones(3)
    with pytest.warns(ember.onnx.TracerWarning):
        proto = ember.onnx.export(model, x, None)
    (got,) = _run(proto, [-x])
    np.testing.assert_allclose(got, -2 * np.ones(3))  # the path taken at export


def test_options_and_file_forms(tmp_path):
    model = nn.Linear(3, 2)
    proto = ember.onnx.export(model, (ember.randn(1, 3),), None, export_params=False,
                              dynamo=True, do_constant_folding=False)
    assert not proto.graph.initializer
    assert [i.name for i in proto.graph.input] == ["input", "weight", "bias"]
    with open(tmp_path / "m.onnx", "wb") as f:
        ember.onnx.export(model, (ember.randn(1, 3),), f, kwargs={})
    assert onnx.load(str(tmp_path / "m.onnx")).graph.node[0].op_type == "Gemm"
    assert model.training  # restored after the export's eval run


def test_import_ember_does_not_import_onnx():
    code = "import sys, ember, ember.onnx; print('onnx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


UNARY_TABLE = ["abs", "acos", "asin", "atan", "cos", "cosh", "erf", "erfc", "exp", "exp2",
               "expm1", "frac", "log", "log10", "log1p", "log2", "reciprocal", "rsqrt", "sigmoid",
               "sign", "sin", "sinc", "sinh", "sqrt", "square", "tan", "tanh"]


def test_every_line_of_the_unary_table():
    x = ember.rand(2, 5) * 0.8 + 0.1  # inside every function's domain
    _check(Fn(lambda x: tuple(getattr(ember, n)(x) for n in UNARY_TABLE)), [x])


def test_training_modes_and_torch_only_options():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    x = ember.randn(2, 3)
    _check(model, [x], training=ember.onnx.TrainingMode.EVAL, dynamo=False, optimize=False)
    with pytest.raises(UnsupportedOperatorError, match="dropout in training mode"):
        ember.onnx.export(model, x, None, training=ember.onnx.TrainingMode.TRAINING)
    with pytest.raises(UnsupportedOperatorError, match="dropout in training mode"):
        ember.onnx.export(model.train(), x, None, training=ember.onnx.TrainingMode.PRESERVE)
    with pytest.raises(NotImplementedError, match="dynamic_axes"):
        ember.onnx.export(model, x, None, dynamic_shapes={"x": {0: "batch"}})
    with pytest.raises(TypeError):
        ember.onnx.export(model, x, None, None, True)  # keyword-only after f, as torch


def test_torch_script_under_ember_run(tmp_path, capsys):
    """``import torch.onnx`` and ``torch.utils.tensorboard`` work in a script run by ember."""
    script = tmp_path / "script.py"
    script.write_text(
        "import torch, torch.onnx\n"
        "from torch.utils.tensorboard import SummaryWriter\n"
        "model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.ReLU())\n"
        "torch.onnx.export(model, (torch.randn(1, 4),), %r, input_names=['x'],\n"
        "                  dynamic_axes={'x': {0: 'batch'}})\n"
        "with SummaryWriter(%r) as w:\n"
        "    w.add_scalar('loss', 0.5, 1)\n"
        "print('ok')\n" % (str(tmp_path / "m.onnx"), str(tmp_path / "tb")))
    from ember.cli import main

    assert main(["run", str(script)]) == 0
    assert capsys.readouterr().out.strip() == "ok"
    assert onnx.load(str(tmp_path / "m.onnx")).graph.node[0].op_type == "Gemm"
    assert any(f.startswith("events.out") for f in os.listdir(tmp_path / "tb"))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc, self.act = nn.Linear(4, 4), nn.ReLU(inplace=True)

    def forward(self, x):
        out = self.act(self.fc(x))
        out += x
        out.mul_(2).sigmoid_()
        return out


def test_inplace_ops_are_traced():
    _check(Residual(), [ember.randn(3, 4)])


def test_inplace_write_through_a_view_is_refused_not_exported_wrong():
    def fn(x):
        y = x * 1
        y[:, 0].add_(1)  # changes y behind the tracer's back: y's values are not traced
        return y * 2

    with pytest.raises(UnsupportedOperatorError, match="outside the traced ops"):
        ember.onnx.export(fn, ember.randn(3, 4), None)


class ClassToken(nn.Module):
    """``expand(x.size(0), ...)``: the size is read as a Python int and traced as a constant."""

    def __init__(self):
        super().__init__()
        self.cls = nn.Parameter(ember.zeros(1, 1, 4))

    def forward(self, x):
        return ember.cat([self.cls.expand(x.size(0), -1, -1), x], 1)


def test_verify_runs_onnxruntime_at_grown_dynamic_axes():
    ember.onnx.export(MODELS["mlp"](), ember.randn(1, 1, 28, 28), None, input_names=["x"],
                      dynamic_axes={"x": [0]}, verify=True)
    with pytest.raises(ember.onnx.OnnxExporterError, match="dynamic axes one larger"):
        ember.onnx.export(ClassToken(), ember.randn(2, 3, 4), None, input_names=["x"],
                          dynamic_axes={"x": [0]}, verify=True)
