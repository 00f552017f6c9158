"""Recurrent layers (nn.RNN, nn.GRU, nn.LSTM) as ONNX's own RNN, GRU and LSTM operators.

They lower as whole modules: ember runs them as fused per-layer kernels over a flattened
sequence, while ONNX has one operator per layer that takes the weights gate-major. torch's gate
order is mapped to ONNX's: LSTM (i, f, g, o) -> (i, o, f, c), GRU (r, z, n) -> (z, r, h), with
``linear_before_reset=1`` (torch applies the reset gate after the hidden matmul).
"""
import numpy as np

from ember.nn.modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from ember.onnx._trace import lowers_module

_GATES = {LSTM: ("LSTM", 4, [0, 3, 1, 2]), GRU: ("GRU", 3, [1, 0, 2]), RNN: ("RNN", 1, [0])}


def _gate_major(w, order, hidden):
    return np.concatenate([w[k * hidden:(k + 1) * hidden] for k in order])


def _direction(w_ih, w_hh, b_ih, b_hh, order, hidden, dtype):
    """ONNX's W, R and B (Wb then Rb) of one direction, gates reordered."""
    w, r = _gate_major(w_ih, order, hidden), _gate_major(w_hh, order, hidden)
    if b_ih is None:
        b = np.zeros(2 * len(w), dtype=dtype)
    else:
        b = np.concatenate([_gate_major(b_ih, order, hidden), _gate_major(b_hh, order, hidden)])
    return w, r, b


def _attrs(op, hidden, ndir, nonlinearity):
    attrs = {"hidden_size": hidden, "direction": "bidirectional" if ndir == 2 else "forward"}
    if op == "GRU":
        attrs["linear_before_reset"] = 1
    if op == "RNN":
        attrs["activations"] = ["Relu" if nonlinearity == "relu" else "Tanh"] * ndir
    return attrs


@lowers_module(LSTM, GRU, RNN)
def _recurrent(call):
    g, m = call.g, call.module_obj
    op, _, order = _GATES[type(m)]
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
        ws, rs, bs = zip(*[_direction(*(weights[k * per_dir:(k + 1) * per_dir] + [None] * 2)[:4],
                                      order, hidden, dt)
                           for k in range(layer * ndir, (layer + 1) * ndir)])
        prefix = "%s.l%d." % (call.module or op.lower(), layer)
        inits = [g.slice(s, [layer * ndir], [(layer + 1) * ndir], [0]) for s in states]
        attrs = _attrs(op, hidden, ndir, getattr(m, "nonlinearity", None))
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


@lowers_module(LSTMCell, GRUCell, RNNCell)
def _cell(call):
    """One step: the layer operator on a sequence of length 1."""
    g, m = call.g, call.module_obj
    op, _, order = _GATES[{LSTMCell: LSTM, GRUCell: GRU, RNNCell: RNN}[type(m)]]
    axes = [0] if call.arrays[0].ndim == 2 else [0, 1]  # the step axis (and a batch of 1)
    x = g.unsqueeze(call.inputs[0], axes)
    states = [g.unsqueeze(s, axes) for s in call.inputs[1:]]
    dt = call.arrays[0].dtype
    w, r, b = _direction(m.weight_ih._data, m.weight_hh._data,
                         None if m.bias_ih is None else m.bias_ih._data,
                         None if m.bias_hh is None else m.bias_hh._data, order, m.hidden_size, dt)
    prefix = (call.module or op.lower()) + "."
    outs = g.op(op, x, g.const(w[None], name=prefix + "W"), g.const(r[None], name=prefix + "R"),
                g.const(b[None], name=prefix + "B"), None, *states,
                outputs=3 if op == "LSTM" else 2,
                **_attrs(op, m.hidden_size, 1, getattr(m, "nonlinearity", None)))
    return [g.squeeze(state, axes) for state in outs[1:]]
