"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, as ``torch.nn``.

Parameters are registered under torch's names and in torch's order (``weight_ih_l{k}``,
``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, ``weight_hr_l{k}``, with ``_reverse``
for the backward direction), so torch checkpoints load one to one. Each layer and direction runs
as one fused kernel (``ember/ops/rnn.py``); a ``PackedSequence`` input runs the same kernels on
its packed rows.
"""
import math
import numbers
import warnings

import ember
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter
from ember.nn.utils.rnn import PackedSequence
from ember.ops.nn import rnn as _rnn_kernels

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """The parameters, checks and layer loop shared by :class:`RNN`, :class:`LSTM` and
    :class:`GRU`; ``mode`` is ``'LSTM'``, ``'GRU'``, ``'RNN_TANH'`` or ``'RNN_RELU'``."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or \
                not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          "dropout={} and num_layers={}".format(dropout, num_layers), stacklevel=2)
        if not isinstance(hidden_size, int):
            raise TypeError("hidden_size should be of type int, got: %s"
                            % type(hidden_size).__name__)
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._allocate(_GATES[mode] * hidden_size, dtype, device)
        self.reset_parameters()

    def _allocate(self, gate_size, dtype, device):
        num_directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(self.num_layers):
            for direction in range(num_directions):
                layer_input = self.input_size if layer == 0 else real_hidden * num_directions
                shapes = [(gate_size, layer_input), (gate_size, real_hidden)]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if self.bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if self.proj_size > 0:
                    shapes.append((self.proj_size, self.hidden_size))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(ember.empty(shape, dtype=dtype, device=device)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """Accepted for compatibility: ember's weights are always usable as they are."""

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    # --- checks ------------------------------------------------------------------------------
    def _check_input(self, input, batch_sizes):
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError("RNN input dtype ({}) does not match weight dtype ({}). Convert "
                             "input: input.to({}), or convert model: model.to({})".format(
                                 input.dtype, weight.dtype, weight.dtype, input.dtype))
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError("input must have {} dimensions, got {}".format(expected,
                                                                            input.dim()))
        if self.input_size != input.shape[-1]:
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected {}, got {}"
                               .format(self.input_size, input.shape[-1]))

    def _expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            batch = int(batch_sizes._data[0])
        else:
            batch = input.shape[0] if self.batch_first else input.shape[1]
        num_directions = 2 if self.bidirectional else 1
        out = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, batch, out)

    @staticmethod
    def _check_hidden_size(hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _input_dim_error(self, input):
        raise ValueError("%s: Expected input to be 2D or 3D, got %dD tensor instead"
                         % (type(self).__name__, input.dim()))

    # --- running the layers ------------------------------------------------------------------
    def _unpack_input(self, input, hx):
        """Check the input's rank, batch an unbatched input and its states: (input, batched, hx)."""
        if isinstance(input, PackedSequence):
            return input, True, hx
        if input.dim() not in (2, 3):
            self._input_dim_error(input)
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        self._check_batched_hx(hx, batched)
        if not batched and hx is not None:
            hx = _map_hidden(hx, lambda h: h.unsqueeze(1))
        return input, batched, hx

    def _check_batched_hx(self, hx, batched):
        if hx is None:
            return
        if batched and hx.dim() != 3:
            raise RuntimeError("For batched 3-D input, hx should also be 3-D but got %d-D tensor"
                               % hx.dim())
        if not batched and hx.dim() != 2:
            raise RuntimeError("For unbatched 2-D input, hx should also be 2-D but got %d-D "
                               "tensor" % hx.dim())

    def _run(self, input, states):
        """Run all layers on ``input`` (PackedSequence or padded 3-D tensor) from the initial
        ``states`` (each ``(L * D, B, *)``); returns the output in the input's form and the
        final states."""
        packed = isinstance(input, PackedSequence)
        if packed:
            x = input.data
            batch_sizes = input.batch_sizes._data
            steps = [_rnn_kernels.make_steps(batch_sizes, False),
                     _rnn_kernels.make_steps(batch_sizes, True)]
        else:
            if self.batch_first:
                input = input.transpose(0, 1)
            seq_len, batch = input.shape[0], input.shape[1]
            if seq_len == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            x = input.reshape(seq_len * batch, input.shape[2])
            steps = [_rnn_kernels.padded_steps(seq_len, batch, False),
                     _rnn_kernels.padded_steps(seq_len, batch, True)]
        num_directions = 2 if self.bidirectional else 1
        weights = self._flat_weights
        per_dir = len(weights) // (self.num_layers * num_directions)
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            ys = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                ws = weights[k * per_dir:(k + 1) * per_dir]
                init_states = [s[k] for s in states]
                y, *last = self._layer(x, init_states, ws, steps[direction])
                ys.append(y)
                for f, s in zip(finals, last):
                    f.append(s)
            x = ys[0] if num_directions == 1 else ember.cat(ys, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        finals = [ember.stack(f, 0) for f in finals]
        if packed:
            out = PackedSequence(x, input.batch_sizes, input.sorted_indices,
                                 input.unsorted_indices)
        else:
            out = x.reshape(seq_len, batch, x.shape[1])
            if self.batch_first:
                out = out.transpose(0, 1)
        return out, finals

    def _layer(self, x, init_states, weights, steps):
        raise NotImplementedError

    def _zero_states(self, input, batch, sizes):
        num_directions = 2 if self.bidirectional else 1
        return [ember.zeros((self.num_layers * num_directions, batch, s), dtype=input.dtype)
                for s in sizes]

    def _forward(self, input, hx, state_sizes):
        """The forward shared by all three: ``hx`` is a list of initial states or None."""
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes = input.data, input.batch_sizes
            batch = int(batch_sizes._data[0])
            self._check_input(data, batch_sizes)
            if hx is None:
                states = self._zero_states(data, batch, state_sizes)
            else:
                states = [_permute(h, input.sorted_indices) for h in hx]
        else:
            batch_sizes = None
            self._check_input(input, None)
            batch = input.shape[0] if self.batch_first else input.shape[1]
            states = self._zero_states(input, batch, state_sizes) if hx is None else list(hx)
        expected = self._expected_hidden_size(input if not packed else input.data, batch_sizes)
        self._check_states(states, expected)
        out, finals = self._run(input, states)
        if packed:
            finals = [_permute(h, input.unsorted_indices) for h in finals]
        return out, finals

    def _check_states(self, states, expected):
        self._check_hidden_size(states[0], expected)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)


def _permute(h, indices):
    return h if indices is None else h.index_select(1, indices)


def _map_hidden(hx, fn):
    return tuple(fn(h) for h in hx) if isinstance(hx, tuple) else fn(hx)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), stacked
    ``num_layers`` deep, optionally bidirectional.

    Args:
        input_size: features of the input ``x``.
        hidden_size: features of the hidden state ``h``.
        num_layers: number of stacked recurrent layers. Default: 1.
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``.
        bias: whether to use the biases ``b_ih`` and ``b_hh``. Default: ``True``.
        batch_first: input and output are ``(batch, seq, feature)``. Default: ``False``.
        dropout: dropout on the outputs of every layer but the last (training only).
        bidirectional: run a second layer backward in time and concatenate. Default: ``False``.

    Shape:
        - input: ``(L, N, H_in)``, ``(N, L, H_in)`` with ``batch_first``, ``(L, H_in)`` or a
          ``PackedSequence``; h_0: ``(D * num_layers, N, H_out)`` (optional).
        - output: ``(L, N, D * H_out)``; h_n: ``(D * num_layers, N, H_out)``.

    Example::

        >>> import ember
        >>> rnn = ember.nn.RNN(10, 20, 2)
        >>> output, hn = rnn(ember.randn(5, 3, 10), ember.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None,
                 **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError("RNN.__init__() got an unexpected keyword argument '%s'"
                            % next(iter(kwargs)))
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError("Unknown nonlinearity '{}'. Select from 'tanh' or 'relu'."
                             .format(nonlinearity))
        self.nonlinearity = nonlinearity
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)

    def _layer(self, x, init_states, weights, steps):
        return _rnn_kernels.RNNLayer.apply_multi((x, init_states[0], *weights), steps,
                             self.mode == "RNN_RELU")

    def forward(self, input, hx=None):
        input, batched, hx = self._unpack_input(input, hx)
        out, (h_n,) = self._forward(input, None if hx is None else [hx], [self.hidden_size])
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
        return out, h_n


class GRU(RNNBase):
    """Gated recurrent unit, gates in torch's order (r, z, n):

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z = sigmoid(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.

    Arguments and shapes as :class:`RNN` (without ``nonlinearity``).

    Example::

        >>> import ember
        >>> gru = ember.nn.GRU(10, 20, 2)
        >>> output, hn = gru(ember.randn(5, 3, 10))
        >>> output.shape, hn.shape
        (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError("GRU.__init__() got an unexpected keyword argument '%s'"
                            % next(iter(kwargs)))
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)

    def _input_dim_error(self, input):
        raise ValueError("GRU: Expected input to be 2D or 3D, got %dD instead" % input.dim())

    def _layer(self, x, init_states, weights, steps):
        return _rnn_kernels.GRULayer.apply_multi((x, init_states[0], *weights), steps)

    forward = RNN.forward


class LSTM(RNNBase):
    """Long short-term memory, gates in torch's order (i, f, g, o):

    i, f, o = sigmoid(...), g = tanh(...), c' = f * c + i * g, h' = o * tanh(c'); with
    ``proj_size > 0``, h' = (o * tanh(c')) @ W_hr^T.

    Arguments as :class:`RNN` (without ``nonlinearity``) plus ``proj_size`` (default 0).

    Shape:
        - input as :class:`RNN`; (h_0, c_0): ``(D * num_layers, N, H_out)`` and
          ``(D * num_layers, N, H_cell)`` (optional).
        - output: ``(L, N, D * H_out)``; (h_n, c_n) as (h_0, c_0).

    Example::

        >>> import ember
        >>> lstm = ember.nn.LSTM(10, 20, 2)
        >>> output, (hn, cn) = lstm(ember.randn(5, 3, 10))
        >>> output.shape, hn.shape, cn.shape
        (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]), ember.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)

    def _input_dim_error(self, input):
        raise ValueError("LSTM: Expected input to be 2D or 3D, got %dD instead" % input.dim())

    def _check_batched_hx(self, hx, batched):
        if hx is None:
            return
        dims = (hx[0].dim(), hx[1].dim())
        if batched and dims != (3, 3):
            raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                               "(%d-D, %d-D) tensors" % dims)
        if not batched and dims != (2, 2):
            raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                               "(%d-D, %d-D) tensors" % dims)

    def _check_states(self, states, expected):
        self._check_hidden_size(states[0], expected, "Expected hidden[0] size {}, got {}")
        cell = expected[:2] + (self.hidden_size,)
        self._check_hidden_size(states[1], cell, "Expected hidden[1] size {}, got {}")

    def _layer(self, x, init_states, weights, steps):
        return _rnn_kernels.LSTMLayer.apply_multi((x, *init_states, *weights), steps, self.bias,
                             self.proj_size > 0)

    def forward(self, input, hx=None):
        input, batched, hx = self._unpack_input(input, hx)
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        out, (h_n, c_n) = self._forward(input, None if hx is None else list(hx),
                                        [out_size, self.hidden_size])
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return out, (h_n, c_n)


# --- cells ---------------------------------------------------------------------------------------

class RNNCellBase(Module):
    """Parameters and checks shared by the single-step cells."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(ember.empty((num_chunks * hidden_size, input_size), dtype=dtype,
                                         device=device))
        self.weight_hh = Parameter(ember.empty((num_chunks * hidden_size, hidden_size), dtype=dtype,
                                         device=device))
        if bias:
            self.bias_ih = Parameter(ember.empty(num_chunks * hidden_size, dtype=dtype,
                                                   device=device))
            self.bias_hh = Parameter(ember.empty(num_chunks * hidden_size, dtype=dtype,
                                                   device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def _weights(self):
        if self.bias_ih is None:
            return (self.weight_ih, self.weight_hh)
        return (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def _prepare(self, input, states, sizes):
        """Batch an unbatched input, default the states, check sizes."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError("%s: Expected input to be 1D or 2D, got %dD instead"
                             % (name, input.dim()))
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError("input has inconsistent input_size: got %d expected %d"
                               % (input.shape[1], self.input_size))
        if states is None:
            states = [ember.zeros((input.shape[0], s), dtype=input.dtype) for s in sizes]
        else:
            for i, s in enumerate(states):
                if s.dim() not in (1, 2):
                    what = "hidden" if len(states) == 1 else "hx[%d]" % i
                    raise ValueError("%s: Expected %s to be 1D or 2D, got %dD instead"
                                     % (name, what, s.dim()))
            if not batched:
                states = [s.unsqueeze(0) for s in states]
        for i, (s, size) in enumerate(zip(states, sizes)):
            if s.shape[0] != input.shape[0]:
                raise RuntimeError("Input batch size %d doesn't match hidden%d batch size %d"
                                   % (input.shape[0], i, s.shape[0]))
            if s.shape[1] != size:
                raise RuntimeError("hidden%d has inconsistent hidden_size: got %d, expected %d"
                                   % (i, s.shape[1], size))
        steps = [(0, input.shape[0], input.shape[0])]
        return input, states, batched, steps


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    Shape:
        - input: ``(N, H_in)`` or ``(H_in)``; hidden: ``(N, H_out)`` or ``(H_out)`` (optional,
          zeros by default); output: like hidden.

    Example::

        >>> import ember
        >>> cell = ember.nn.RNNCell(10, 20)
        >>> cell(ember.randn(3, 10)).shape
        ember.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError("Unknown nonlinearity: {}".format(self.nonlinearity))
        input, (h,), batched, steps = self._prepare(input, None if hx is None else [hx],
                                                    [self.hidden_size])
        _, h_new = _rnn_kernels.RNNLayer.apply_multi((input, h, *self._weights()), steps,
                                 self.nonlinearity == "relu")
        return h_new if batched else h_new.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns ``(h', c')``. Gates in torch's order (i, f, g, o).

    Example::

        >>> import ember
        >>> cell = ember.nn.LSTMCell(10, 20)
        >>> h, c = cell(ember.randn(3, 10))
        >>> h.shape, c.shape
        (ember.Size([3, 20]), ember.Size([3, 20]))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        input, (h, c), batched, steps = self._prepare(
            input, None if hx is None else list(hx), [self.hidden_size, self.hidden_size])
        _, h_new, c_new = _rnn_kernels.LSTMLayer.apply_multi((input, h, c, *self._weights()), steps,
                                        self.bias_ih is not None, False)
        if not batched:
            return h_new.squeeze(0), c_new.squeeze(0)
        return h_new, c_new


class GRUCell(RNNCellBase):
    """One GRU step, gates in torch's order (r, z, n).

    Example::

        >>> import ember
        >>> cell = ember.nn.GRUCell(10, 20)
        >>> cell(ember.randn(3, 10)).shape
        ember.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        input, (h,), batched, steps = self._prepare(input, None if hx is None else [hx],
                                                    [self.hidden_size])
        _, h_new = _rnn_kernels.GRULayer.apply_multi((input, h, *self._weights()), steps)
        return h_new if batched else h_new.squeeze(0)
