"""Which ``ember.nn`` layers export to ONNX: each layer is built with small arguments, exported
with ``ember.onnx.export``, run in onnxruntime and compared with ember (float32 tolerance).

    PYTHONPATH=. python tools/onnx_coverage.py          # a table: layer, result, detail

Not a test (it builds every layer); the tests in ``tests/onnx`` cover the common set.
"""
import io
import sys
import warnings

import numpy as np

import ember
from ember import nn


def r(*shape):
    return ember.randn(*shape)


def labels(*shape, high=3):
    return ember.randint(0, high, shape)


def pm1(*shape):
    return (ember.rand(*shape) > 0.5).float() * 2 - 1


x3, x4 = (lambda: r(2, 3, 8)), (lambda: r(2, 3, 8, 8))
CASES = {
    "AdaptiveAvgPool1d": (lambda: nn.AdaptiveAvgPool1d(3), lambda: [x3()]),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d((3, 2)), lambda: [x4()]),
    "AdaptiveMaxPool1d": (lambda: nn.AdaptiveMaxPool1d(4), lambda: [x3()]),
    "AdaptiveMaxPool2d": (lambda: nn.AdaptiveMaxPool2d(4), lambda: [x4()]),
    "AlphaDropout": (lambda: nn.AlphaDropout(0.2), lambda: [x3()]),
    "AvgPool1d": (lambda: nn.AvgPool1d(3, 2, 1), lambda: [x3()]),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True), lambda: [x4()]),
    "BCELoss": (lambda: nn.BCELoss(), lambda: [ember.rand(4, 3), ember.rand(4, 3)]),
    "BCEWithLogitsLoss": (lambda: nn.BCEWithLogitsLoss(), lambda: [r(4, 3), ember.rand(4, 3)]),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), lambda: [x3()]),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3), lambda: [x4()]),
    "BatchNorm3d": (lambda: nn.BatchNorm3d(3), lambda: [r(2, 3, 4, 4, 4)]),
    "Bilinear": (lambda: nn.Bilinear(3, 4, 5), lambda: [r(2, 3), r(2, 4)]),
    "CELU": (lambda: nn.CELU(0.7), lambda: [x3()]),
    "CTCLoss": (lambda: nn.CTCLoss(), lambda: [r(6, 2, 4).log_softmax(2), labels(2, 3, high=3) + 1,
                                               ember.tensor([6, 6]), ember.tensor([3, 2])]),
    "CircularPad1d": (lambda: nn.CircularPad1d(2), lambda: [x3()]),
    "CircularPad2d": (lambda: nn.CircularPad2d(1), lambda: [x4()]),
    "CircularPad3d": (lambda: nn.CircularPad3d(1), lambda: [r(1, 2, 3, 3, 3)]),
    "ConstantPad1d": (lambda: nn.ConstantPad1d(2, 0.5), lambda: [x3()]),
    "ConstantPad2d": (lambda: nn.ConstantPad2d((1, 2, 0, 1), 0.5), lambda: [x4()]),
    "ConstantPad3d": (lambda: nn.ConstantPad3d(1, 0.5), lambda: [r(1, 2, 3, 3, 3)]),
    "Conv1d": (lambda: nn.Conv1d(3, 4, 3, padding=1), lambda: [x3()]),
    "Conv2d": (lambda: nn.Conv2d(3, 4, 3, stride=2), lambda: [x4()]),
    "Conv3d": (lambda: nn.Conv3d(2, 3, 2), lambda: [r(1, 2, 4, 4, 4)]),
    "ConvTranspose1d": (lambda: nn.ConvTranspose1d(3, 2, 3, stride=2), lambda: [x3()]),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, output_padding=1),
                        lambda: [x4()]),
    "ConvTranspose3d": (lambda: nn.ConvTranspose3d(2, 2, 2, stride=2),
                        lambda: [r(1, 2, 3, 3, 3)]),
    "CosineEmbeddingLoss": (lambda: nn.CosineEmbeddingLoss(), lambda: [r(4, 3), r(4, 3), pm1(4)]),
    "CosineSimilarity": (lambda: nn.CosineSimilarity(), lambda: [r(4, 3), r(4, 3)]),
    "CrossEntropyLoss": (lambda: nn.CrossEntropyLoss(), lambda: [r(4, 3), labels(4)]),
    "Dropout": (lambda: nn.Dropout(), lambda: [x3()]),
    "Dropout1d": (lambda: nn.Dropout1d(), lambda: [x3()]),
    "Dropout2d": (lambda: nn.Dropout2d(), lambda: [x4()]),
    "Dropout3d": (lambda: nn.Dropout3d(), lambda: [r(1, 2, 3, 3, 3)]),
    "ELU": (lambda: nn.ELU(), lambda: [x3()]),
    "Embedding": (lambda: nn.Embedding(5, 3), lambda: [labels(2, 4, high=5)]),
    "EmbeddingBag": (lambda: nn.EmbeddingBag(5, 3), lambda: [labels(2, 4, high=5)]),
    "FeatureAlphaDropout": (lambda: nn.FeatureAlphaDropout(), lambda: [x4()]),
    "Flatten": (lambda: nn.Flatten(), lambda: [x4()]),
    "Fold": (lambda: nn.Fold((4, 4), 2), lambda: [r(1, 8, 9)]),
    "GELU": (lambda: nn.GELU(), lambda: [x3()]),
    "GLU": (lambda: nn.GLU(), lambda: [r(2, 4)]),
    "GRU": (lambda: nn.GRU(3, 4, 2), lambda: [r(5, 2, 3)]),
    "GRUCell": (lambda: nn.GRUCell(3, 4), lambda: [r(2, 3)]),
    "GaussianNLLLoss": (lambda: nn.GaussianNLLLoss(), lambda: [r(4, 3), r(4, 3), ember.rand(4, 3)]),
    "GroupNorm": (lambda: nn.GroupNorm(1, 3), lambda: [x4()]),
    "Hardshrink": (lambda: nn.Hardshrink(), lambda: [x3()]),
    "Hardsigmoid": (lambda: nn.Hardsigmoid(), lambda: [x3()]),
    "Hardswish": (lambda: nn.Hardswish(), lambda: [x3()]),
    "Hardtanh": (lambda: nn.Hardtanh(), lambda: [x3()]),
    "HingeEmbeddingLoss": (lambda: nn.HingeEmbeddingLoss(), lambda: [r(4, 3), pm1(4, 3)]),
    "HuberLoss": (lambda: nn.HuberLoss(), lambda: [r(4, 3), r(4, 3)]),
    "Identity": (lambda: nn.Identity(), lambda: [x3()]),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(3), lambda: [x3()]),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(3, affine=True), lambda: [x4()]),
    "InstanceNorm3d": (lambda: nn.InstanceNorm3d(2), lambda: [r(1, 2, 3, 3, 3)]),
    "KLDivLoss": (lambda: nn.KLDivLoss(reduction="batchmean"),
                  lambda: [r(4, 3).log_softmax(1), ember.rand(4, 3)]),
    "L1Loss": (lambda: nn.L1Loss(), lambda: [r(4, 3), r(4, 3)]),
    "LPPool1d": (lambda: nn.LPPool1d(2, 2), lambda: [x3()]),
    "LPPool2d": (lambda: nn.LPPool2d(2, 2), lambda: [x4()]),
    "LSTM": (lambda: nn.LSTM(3, 4, bidirectional=True), lambda: [r(5, 2, 3)]),
    "LSTMCell": (lambda: nn.LSTMCell(3, 4), lambda: [r(2, 3)]),
    "LayerNorm": (lambda: nn.LayerNorm(8), lambda: [x3()]),
    "LeakyReLU": (lambda: nn.LeakyReLU(), lambda: [x3()]),
    "Linear": (lambda: nn.Linear(8, 4), lambda: [x3()]),
    "LocalResponseNorm": (lambda: nn.LocalResponseNorm(2), lambda: [x4()]),
    "LogSigmoid": (lambda: nn.LogSigmoid(), lambda: [x3()]),
    "LogSoftmax": (lambda: nn.LogSoftmax(1), lambda: [x3()]),
    "MSELoss": (lambda: nn.MSELoss(), lambda: [r(4, 3), r(4, 3)]),
    "MarginRankingLoss": (lambda: nn.MarginRankingLoss(), lambda: [r(4), r(4), pm1(4)]),
    "MaxPool1d": (lambda: nn.MaxPool1d(2), lambda: [x3()]),
    "MaxPool2d": (lambda: nn.MaxPool2d(3, 2, 1), lambda: [x4()]),
    "MaxUnpool1d": (None, "needs the indices of a max pool (data-dependent)"),
    "MaxUnpool2d": (None, "needs the indices of a max pool (data-dependent)"),
    "Mish": (lambda: nn.Mish(), lambda: [x3()]),
    "MultiLabelMarginLoss": (lambda: nn.MultiLabelMarginLoss(),
                             lambda: [r(2, 4), ember.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])]),
    "MultiLabelSoftMarginLoss": (lambda: nn.MultiLabelSoftMarginLoss(),
                                 lambda: [r(4, 3), labels(4, 3, high=2).float()]),
    "MultiMarginLoss": (lambda: nn.MultiMarginLoss(), lambda: [r(4, 3), labels(4)]),
    "MultiheadAttention": (lambda: nn.MultiheadAttention(6, 2), lambda: [r(5, 2, 6)] * 3),
    "NLLLoss": (lambda: nn.NLLLoss(), lambda: [r(4, 3).log_softmax(1), labels(4)]),
    "PReLU": (lambda: nn.PReLU(3), lambda: [x3()]),
    "PairwiseDistance": (lambda: nn.PairwiseDistance(), lambda: [r(4, 3), r(4, 3)]),
    "PixelShuffle": (lambda: nn.PixelShuffle(2), lambda: [r(1, 8, 3, 3)]),
    "PixelUnshuffle": (lambda: nn.PixelUnshuffle(2), lambda: [r(1, 2, 4, 4)]),
    "PoissonNLLLoss": (lambda: nn.PoissonNLLLoss(), lambda: [r(4, 3), ember.rand(4, 3)]),
    "RNN": (lambda: nn.RNN(3, 4, nonlinearity="relu"), lambda: [r(5, 2, 3)]),
    "RNNCell": (lambda: nn.RNNCell(3, 4), lambda: [r(2, 3)]),
    "RReLU": (lambda: nn.RReLU(), lambda: [x3()]),
    "ReLU": (lambda: nn.ReLU(), lambda: [x3()]),
    "ReLU6": (lambda: nn.ReLU6(), lambda: [x3()]),
    "ReflectionPad1d": (lambda: nn.ReflectionPad1d(2), lambda: [x3()]),
    "ReflectionPad2d": (lambda: nn.ReflectionPad2d(1), lambda: [x4()]),
    "ReflectionPad3d": (lambda: nn.ReflectionPad3d(1), lambda: [r(1, 2, 3, 3, 3)]),
    "ReplicationPad1d": (lambda: nn.ReplicationPad1d(2), lambda: [x3()]),
    "ReplicationPad2d": (lambda: nn.ReplicationPad2d(1), lambda: [x4()]),
    "ReplicationPad3d": (lambda: nn.ReplicationPad3d(1), lambda: [r(1, 2, 3, 3, 3)]),
    "SELU": (lambda: nn.SELU(), lambda: [x3()]),
    "SiLU": (lambda: nn.SiLU(), lambda: [x3()]),
    "Sigmoid": (lambda: nn.Sigmoid(), lambda: [x3()]),
    "SmoothL1Loss": (lambda: nn.SmoothL1Loss(), lambda: [r(4, 3), r(4, 3)]),
    "SoftMarginLoss": (lambda: nn.SoftMarginLoss(), lambda: [r(4, 3), pm1(4, 3)]),
    "Softmax": (lambda: nn.Softmax(1), lambda: [x3()]),
    "Softmax2d": (lambda: nn.Softmax2d(), lambda: [x4()]),
    "Softmin": (lambda: nn.Softmin(1), lambda: [x3()]),
    "Softplus": (lambda: nn.Softplus(), lambda: [x3()]),
    "Softshrink": (lambda: nn.Softshrink(), lambda: [x3()]),
    "Softsign": (lambda: nn.Softsign(), lambda: [x3()]),
    "Tanh": (lambda: nn.Tanh(), lambda: [x3()]),
    "Tanhshrink": (lambda: nn.Tanhshrink(), lambda: [x3()]),
    "Threshold": (lambda: nn.Threshold(0.1, 20), lambda: [x3()]),
    "Transformer": (lambda: nn.Transformer(8, 2, 1, 1, 16), lambda: [r(5, 2, 8), r(4, 2, 8)]),
    "TransformerDecoder": (lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), 2),
                           lambda: [r(4, 2, 8), r(5, 2, 8)]),
    "TransformerDecoderLayer": (lambda: nn.TransformerDecoderLayer(8, 2, 16),
                                lambda: [r(4, 2, 8), r(5, 2, 8)]),
    "TransformerEncoder": (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2),
                           lambda: [r(5, 2, 8)]),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(8, 2, 16), lambda: [r(5, 2, 8)]),
    "TripletMarginLoss": (lambda: nn.TripletMarginLoss(), lambda: [r(4, 3), r(4, 3), r(4, 3)]),
    "TripletMarginWithDistanceLoss": (lambda: nn.TripletMarginWithDistanceLoss(),
                                      lambda: [r(4, 3), r(4, 3), r(4, 3)]),
    "Unflatten": (lambda: nn.Unflatten(2, (2, 4)), lambda: [x3()]),
    "Unfold": (lambda: nn.Unfold(2), lambda: [x4()]),
    "Upsample": (lambda: nn.Upsample(scale_factor=2, mode="bilinear"), lambda: [x4()]),
    "UpsamplingBilinear2d": (lambda: nn.UpsamplingBilinear2d(scale_factor=2), lambda: [x4()]),
    "UpsamplingNearest2d": (lambda: nn.UpsamplingNearest2d(scale_factor=2), lambda: [x4()]),
    "ZeroPad1d": (lambda: nn.ZeroPad1d(2), lambda: [x3()]),
    "ZeroPad2d": (lambda: nn.ZeroPad2d(1), lambda: [x4()]),
    "ZeroPad3d": (lambda: nn.ZeroPad3d(1), lambda: [r(1, 2, 3, 3, 3)]),
}
CONTAINERS = {"Module", "ModuleDict", "ModuleList", "ParameterDict", "ParameterList",
              "Sequential", "RNNBase", "RNNCellBase"}


def _flat(obj):
    if isinstance(obj, (tuple, list)):
        return [t for o in obj for t in _flat(o)]
    return [] if obj is None else [obj]


def check(name):
    import onnxruntime as ort

    build, make_inputs = CASES[name]
    if build is None:
        return "not tried", make_inputs
    ember.manual_seed(0)
    model, args = build(), make_inputs()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            proto = ember.onnx.export(model, tuple(args), io.BytesIO())
    except ember.onnx.UnsupportedOperatorError as e:
        return "no lowering", str(e).split(": ", 1)[1][:110]
    except Exception as e:  # report, and go on with the other layers
        return "export FAILED", "%s: %s" % (type(e).__name__, str(e)[:100])
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = session.run(None, {i.name: a.numpy() for i, a in zip(session.get_inputs(), args)})
    model.eval()
    with ember.no_grad():
        want = _flat(model(*args))
    err = max(float(np.max(np.abs(o.astype(np.float64) - w.numpy().astype(np.float64))))
              for o, w in zip(outs, want))
    return ("exports, matches" if err < 1e-4 else "exports, MISMATCH"), "max |diff| %.1e" % err


def main():
    missing = sorted(set(n for n in dir(nn) if isinstance(getattr(nn, n), type)
                         and issubclass(getattr(nn, n), nn.Module)) - set(CASES) - CONTAINERS)
    counts = {}
    for name in sorted(CASES):
        status, detail = check(name)
        counts[status] = counts.get(status, 0) + 1
        print("%-30s %-18s %s" % (name, status, detail))
    print("\n" + ", ".join("%s: %d" % kv for kv in sorted(counts.items())))
    if missing:
        print("layers without a case here:", ", ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
