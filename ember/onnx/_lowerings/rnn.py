"""Recurrent layers (nn.RNN, nn.GRU, nn.LSTM) as ONNX's own RNN, GRU and LSTM operators.

They lower as whole modules: ember runs them as fused per-layer kernels over a flattened
sequence, while ONNX has one operator per layer that takes the weights gate-major. torch's gate
order is mapped to ONNX's: LSTM (i, f, g, o) -> (i, o, f, c), GRU (r, z, n) -> (z, r, h), with
``linear_before_reset=1`` (torch applies the reset gate after the hidden matmul).
"""
import numpy as np

from ember.nn.modules.rnn import GRU, LSTM, RNN
from ember.onnx._trace import lowers_module

_GATES = {LSTM: ("LSTM", 4, [0, 3, 1, 2]), GRU: ("GRU", 3, [1, 0, 2]), RNN: ("RNN", 1, [0])}


def _gate_major(w, order, hidden):
    return np.concatenate([w[k * hidden:(k + 1) * hidden] for k in order])


@lowers_module(LSTM, GRU, RNN)
def _recurrent(call):
    g, m = call.g, call.module_obj
    op, n_gates, order = _GATES[type(m)]
    if getattr(m, "proj_size", 0):
        call.fail("LSTM with proj_size (ONNX's LSTM has no projection)")
    x = call.inputs[0]
    x_arr = call.arrays[0]
    batched = x_arr.ndim == 3
    if not batched:
        x = g.unsqueeze(x, [1])
    elif m.batch_first:
        x = g.op("Transpose", x, perm=[1, 0, 2])
    states = call.inputs[1:]
    if not batched:
        states = [g.unsqueeze(s, [1]) for s in states]
    hidden, ndir = m.hidden_size, 2 if m.bidirectional else 1
    weights = [w._data for w in m._flat_weights]
    per_dir = len(weights) // (m.num_layers * ndir)
    dt = x_arr.dtype
    finals = [[] for _ in range(2 if op == "LSTM" else 1)]
    for layer in range(m.num_layers):
        ws, rs, bs = [], [], []
        for d in range(ndir):
            w = weights[(layer * ndir + d) * per_dir:(layer * ndir + d + 1) * per_dir]
            ws.append(_gate_major(w[0], order, hidden))
            rs.append(_gate_major(w[1], order, hidden))
            if per_dir >= 4:
                bs.append(np.concatenate([_gate_major(w[2], order, hidden),
                                          _gate_major(w[3], order, hidden)]))
            else:
                bs.append(np.zeros(2 * n_gates * hidden, dtype=dt))
        prefix = "%s.l%d." % (call.module or op.lower(), layer)
        inits = [g.slice(s, [layer * ndir], [(layer + 1) * ndir], [0]) for s in states]
        attrs = dict(hidden_size=hidden, direction="bidirectional" if ndir == 2 else "forward")
        if op == "GRU":
            attrs["linear_before_reset"] = 1
        if op == "RNN":
            act = "Relu" if m.nonlinearity == "relu" else "Tanh"
            attrs["activations"] = [act] * ndir
        outs = g.op(op, x, g.const(np.stack(ws).astype(dt), name=prefix + "W"),
                    g.const(np.stack(rs).astype(dt), name=prefix + "R"),
                    g.const(np.stack(bs).astype(dt), name=prefix + "B"), None,
                    *inits, outputs=3 if op == "LSTM" else 2, **attrs)
        y = g.op("Transpose", outs[0], perm=[0, 2, 1, 3])
        x = g.op("Reshape", y, g.ints([0, 0, -1]))
        for f, s in zip(finals, outs[1:]):
            f.append(s)
    finals = [f[0] if len(f) == 1 else g.op("Concat", *f, axis=0) for f in finals]
    if not batched:
        x = g.squeeze(x, [1])
        finals = [g.squeeze(f, [1]) for f in finals]
    elif m.batch_first:
        x = g.op("Transpose", x, perm=[1, 0, 2])
    return [x] + finals
