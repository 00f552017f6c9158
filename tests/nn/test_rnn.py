"""Recurrent layers, cells and ``nn.utils.rnn`` against torch: outputs, final states, input,
state and parameter gradients (same weights through state_dict), packed inputs, reprs, errors."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn.utils import rnn as E_rnn
from tests.nn._helpers import copy_weights, ember_repr, to_ember

T_rnn = torch.nn.utils.rnn


def _rand(*shape, seed=0, dtype=torch.float32):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _build(expr, dtype=torch.float32):
    torch.manual_seed(0)
    t_mod = eval(expr, {"nn": torch.nn}).to(dtype)
    e_mod = eval(expr, {"nn": ember.nn})
    if dtype == torch.float64:
        e_mod = e_mod.double()
    copy_weights(t_mod, e_mod)
    return t_mod, e_mod


def _close(e, t, what, atol=2e-5, rtol=1e-4):
    ea = e.detach().numpy() if isinstance(e, ember.Tensor) else np.asarray(e)
    ta = t.detach().numpy()
    assert ea.shape == ta.shape, "%s: shape %s != %s" % (what, ea.shape, ta.shape)
    np.testing.assert_allclose(ea, ta, atol=atol, rtol=rtol, err_msg=what)


def _flat(out):
    """Tensors of ``(output, h_n)`` or ``(output, (h_n, c_n))`` (PackedSequence: its data)."""
    res = []
    for o in out if isinstance(out, tuple) and not hasattr(out, "batch_sizes") else [out]:
        if hasattr(o, "batch_sizes"):
            res.append(o.data)
        elif isinstance(o, tuple):
            res.extend(_flat(o))
        else:
            res.append(o)
    return res


def _compare_run(t_mod, e_mod, t_args, e_args, t_leaves, e_leaves, atol=2e-5):
    """Forward both, compare every output tensor, then backward a random weighting of all of
    them and compare the gradients of the leaves and of every parameter."""
    t_out = t_mod(*t_args)
    e_out = e_mod(*e_args)
    t_flat, e_flat = _flat(t_out), _flat(e_out)
    assert len(t_flat) == len(e_flat)
    for i, (e, t) in enumerate(zip(e_flat, t_flat)):
        _close(e, t, "output %d" % i, atol)
    weights = [_rand(*t.shape, seed=10 + i, dtype=t.dtype) for i, t in enumerate(t_flat)]
    sum((t * w).sum() for t, w in zip(t_flat, weights)).backward()
    sum((e * to_ember(w)).sum() for e, w in zip(e_flat, weights)).backward()
    for i, (e, t) in enumerate(zip(e_leaves, t_leaves)):
        _close(e.grad, t.grad, "grad of input %d" % i, atol * 5)
    e_params = dict(e_mod.named_parameters())
    for name, p in t_mod.named_parameters():
        _close(e_params[name].grad, p.grad, "grad of " + name, atol * 5)
    return t_out, e_out


def _leaf(t):
    t = t.detach().clone().requires_grad_(True)
    return t, to_ember(t)


# (constructor, is_lstm)
LAYERS = [
    "nn.RNN(4, 5)",
    "nn.RNN(4, 5, 2, 'relu', bias=False)",
    "nn.RNN(4, 5, num_layers=2, bidirectional=True, batch_first=True)",
    "nn.LSTM(4, 5)",
    "nn.LSTM(4, 5, num_layers=2, bidirectional=True)",
    "nn.LSTM(4, 6, proj_size=3, num_layers=2, batch_first=True)",
    "nn.LSTM(4, 6, proj_size=2, bidirectional=True, bias=False)",
    "nn.GRU(4, 5)",
    "nn.GRU(4, 5, num_layers=3, bias=False, batch_first=True)",
    "nn.GRU(4, 5, num_layers=2, bidirectional=True)",
]


def _states(t_mod, batch, seed=5, unbatched=False):
    d = 2 if t_mod.bidirectional else 1
    n = t_mod.num_layers * d
    out = t_mod.proj_size if getattr(t_mod, "proj_size", 0) else t_mod.hidden_size
    shape = (n, out) if unbatched else (n, batch, out)
    h = _rand(*shape, seed=seed)
    if isinstance(t_mod, torch.nn.LSTM):
        cshape = shape[:-1] + (t_mod.hidden_size,)
        return [h, _rand(*cshape, seed=seed + 1)]
    return [h]


def _hx_args(leaves):
    return () if not leaves else ((tuple(leaves),) if len(leaves) == 2 else (leaves[0],))


@pytest.mark.parametrize("expr", LAYERS)
@pytest.mark.parametrize("with_hx", [False, True])
def test_layer_matches_torch(expr, with_hx):
    t_mod, e_mod = _build(expr)
    seq, batch = 6, 3
    shape = (batch, seq, 4) if t_mod.batch_first else (seq, batch, 4)
    tx, ex = _leaf(_rand(*shape))
    t_leaves, e_leaves = [tx], [ex]
    t_states, e_states = [], []
    if with_hx:
        for s in _states(t_mod, batch):
            ts, es = _leaf(s)
            t_states.append(ts)
            e_states.append(es)
    _compare_run(t_mod, e_mod, (tx,) + _hx_args(t_states), (ex,) + _hx_args(e_states),
                 t_leaves + t_states, e_leaves + e_states)


@pytest.mark.parametrize("expr", ["nn.RNN(4, 5, num_layers=2)", "nn.GRU(4, 5, batch_first=True)",
                                  "nn.LSTM(4, 6, proj_size=2, bidirectional=True)"])
def test_unbatched_input(expr):
    t_mod, e_mod = _build(expr)
    tx, ex = _leaf(_rand(5, 4))
    t_states, e_states = zip(*[_leaf(s) for s in _states(t_mod, 1, unbatched=True)])
    t_out, e_out = _compare_run(t_mod, e_mod, (tx,) + _hx_args(list(t_states)),
                                (ex,) + _hx_args(list(e_states)), [tx, *t_states],
                                [ex, *e_states])
    assert e_out[0].dim() == 2


def test_float64_layers():
    for expr in ("nn.LSTM(3, 4, bidirectional=True)", "nn.GRU(3, 4)", "nn.RNN(3, 4)"):
        t_mod, e_mod = _build(expr, torch.float64)
        tx, ex = _leaf(_rand(4, 2, 3, dtype=torch.float64))
        _compare_run(t_mod, e_mod, (tx,), (ex,), [tx], [ex], atol=1e-12)
        assert e_mod(ex)[0].dtype == ember.float64


@pytest.mark.parametrize("expr", ["nn.LSTM(3, 4, num_layers=2, bidirectional=True)",
                                  "nn.LSTM(3, 5, proj_size=2, batch_first=True)",
                                  "nn.GRU(3, 4, bidirectional=True, batch_first=True)",
                                  "nn.RNN(3, 4, num_layers=2, nonlinearity='relu')"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_input_matches_torch(expr, enforce_sorted):
    t_mod, e_mod = _build(expr)
    lengths = [5, 4, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4, 4]
    batch, seq = len(lengths), max(lengths)
    bf = t_mod.batch_first
    shape = (batch, seq, 3) if bf else (seq, batch, 3)
    tx, ex = _leaf(_rand(*shape))
    t_states, e_states = zip(*[_leaf(s) for s in _states(t_mod, batch)])
    t_packed = T_rnn.pack_padded_sequence(tx, lengths, bf, enforce_sorted)
    e_packed = E_rnn.pack_padded_sequence(ex, lengths, bf, enforce_sorted)
    for name in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        tv, ev = getattr(t_packed, name), getattr(e_packed, name)
        assert (tv is None) == (ev is None), name
        if tv is not None:
            assert ev.dtype == ember.int64
            np.testing.assert_array_equal(ev.numpy(), tv.numpy(), err_msg=name)

    def run(mod, rnn_utils, packed, states):
        out = mod(packed, *_hx_args(list(states)))
        padded, lens = rnn_utils.pad_packed_sequence(out[0], batch_first=bf)
        return padded, out[1], lens

    tp, th, tl = run(t_mod, T_rnn, t_packed, t_states)
    ep, eh, el = run(e_mod, E_rnn, e_packed, e_states)
    np.testing.assert_array_equal(el.numpy(), tl.numpy())
    t_flat = [tp] + list(th if isinstance(th, tuple) else [th])
    e_flat = [ep] + list(eh if isinstance(eh, tuple) else [eh])
    for i, (e, t) in enumerate(zip(e_flat, t_flat)):
        _close(e, t, "output %d" % i)
    weights = [_rand(*t.shape, seed=20 + i) for i, t in enumerate(t_flat)]
    sum((t * w).sum() for t, w in zip(t_flat, weights)).backward()
    sum((e * to_ember(w)).sum() for e, w in zip(e_flat, weights)).backward()
    _close(ex.grad, tx.grad, "grad of input", 1e-4)
    for i, (e, t) in enumerate(zip(e_states, t_states)):
        _close(e.grad, t.grad, "grad of state %d" % i, 1e-4)
    e_params = dict(e_mod.named_parameters())
    for name, p in t_mod.named_parameters():
        _close(e_params[name].grad, p.grad, "grad of " + name, 1e-4)


def test_packed_output_is_packed_and_final_states_at_true_length():
    t_mod, e_mod = _build("nn.GRU(2, 3)")
    seqs = [_rand(n, 2, seed=n) for n in (2, 4, 3)]
    e_out, e_h = e_mod(E_rnn.pack_sequence([to_ember(s) for s in seqs], enforce_sorted=False))
    assert isinstance(e_out, E_rnn.PackedSequence)
    # each sequence run alone: its final state, which is its last output
    for i, s in enumerate(seqs):
        alone, h = e_mod(to_ember(s))
        np.testing.assert_allclose(e_h[0, i].detach().numpy(), h[0].detach().numpy(), atol=1e-6)
        np.testing.assert_allclose(h[0].detach().numpy(), alone[-1].detach().numpy(), atol=1e-6)
        _close(e_h[0, i], t_mod(s)[1][0], "state %d" % i)


# --- cells ---------------------------------------------------------------------------------------

CELLS = ["nn.RNNCell(4, 5)", "nn.RNNCell(4, 5, bias=False, nonlinearity='relu')",
         "nn.LSTMCell(4, 5)", "nn.LSTMCell(4, 5, bias=False)", "nn.GRUCell(4, 5)",
         "nn.GRUCell(4, 5, bias=False)"]


def _cell_states(t_mod, batch, seed=3):
    shape = (batch, t_mod.hidden_size) if batch else (t_mod.hidden_size,)
    if isinstance(t_mod, torch.nn.LSTMCell):
        return [_rand(*shape, seed=seed), _rand(*shape, seed=seed + 1)]
    return [_rand(*shape, seed=seed)]


@pytest.mark.parametrize("expr", CELLS)
@pytest.mark.parametrize("batch", [3, 0, None])
def test_cell_matches_torch(expr, batch):
    """batch None: unbatched input; 0: default (zero) states."""
    t_mod, e_mod = _build(expr)
    tx, ex = _leaf(_rand(4) if batch is None else _rand(batch or 3, 4))
    if batch == 0:
        _compare_run(t_mod, e_mod, (tx,), (ex,), [tx], [ex])
        return
    t_states, e_states = zip(*[_leaf(s) for s in _cell_states(t_mod, batch)])
    hx = (lambda s: (tuple(s),)) if isinstance(t_mod, torch.nn.LSTMCell) else (lambda s: (s[0],))
    _compare_run(t_mod, e_mod, (tx,) + hx(t_states), (ex,) + hx(e_states), [tx, *t_states],
                 [ex, *e_states])


@pytest.mark.parametrize("expr", CELLS)
def test_cell_gradcheck(expr):
    e_mod = eval(expr, {"nn": ember.nn}).double()
    lstm = isinstance(e_mod, ember.nn.LSTMCell)
    x = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    states = [ember.randn(2, 5, dtype=ember.float64, requires_grad=True)
              for _ in range(2 if lstm else 1)]
    params = list(e_mod.parameters())
    names = [n for n, _ in e_mod.named_parameters()]

    def fn(x, *rest):
        st, ps = rest[:len(states)], rest[len(states):]
        saved = {n: e_mod._parameters[n] for n in names}
        try:
            for n, p in zip(names, ps):
                e_mod._parameters[n] = p
            out = e_mod(x, tuple(st) if lstm else st[0])
        finally:
            e_mod._parameters.update(saved)
        return out if isinstance(out, tuple) else (out,)

    inputs = [x, *states] + [p.detach().clone().requires_grad_(True) for p in params]
    assert ember.autograd.gradcheck(fn, inputs)


def test_layer_gradcheck_packed_bidirectional():
    e_mod = ember.nn.LSTM(2, 3, bidirectional=True, proj_size=2).double()
    seqs = [ember.randn(n, 2, dtype=ember.float64, requires_grad=True) for n in (3, 1, 2)]

    def fn(*xs):
        out, (h, c) = e_mod(E_rnn.pack_sequence(list(xs), enforce_sorted=False))
        return out.data, h, c

    assert ember.autograd.gradcheck(fn, seqs)


# --- module surface -------------------------------------------------------------------------------

@pytest.mark.parametrize("expr", LAYERS + CELLS + ["nn.RNN(3, 4, dropout=0.25, num_layers=2)"])
def test_repr_state_dict_and_init(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_mod = eval(expr, {"nn": torch.nn})
        e_mod = eval(expr, {"nn": ember.nn})
    assert repr(e_mod) == ember_repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    for (name, p), (_, tp) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        assert tuple(p.shape) == tuple(tp.shape), name
        bound = 1 / math.sqrt(t_mod.hidden_size)
        a = p.detach().numpy()
        assert a.min() >= -bound and a.max() <= bound, name
        if a.size >= 20:
            assert a.max() - a.min() > bound, name  # spread over the interval, not constant


def test_all_weights_flatten_parameters_and_attributes():
    t_mod = torch.nn.LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True)
    e_mod = ember.nn.LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True)
    e_mod.flatten_parameters()
    assert [[tuple(w.shape) for w in ws] for ws in e_mod.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in t_mod.all_weights]
    assert e_mod._flat_weights_names == t_mod._flat_weights_names
    for attr in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                 "dropout", "bidirectional", "proj_size"):
        assert getattr(e_mod, attr) == getattr(t_mod, attr), attr


def test_double_converts_parameters_used_by_forward():
    e_mod = ember.nn.GRU(2, 3).double()
    out, h = e_mod(ember.randn(4, 1, 2, dtype=ember.float64))
    assert out.dtype == ember.float64 and h.dtype == ember.float64


def test_dropout_between_layers_only_in_training():
    t_mod, e_mod = _build("nn.LSTM(3, 8, num_layers=2, dropout=0.5)")
    x = _rand(5, 2, 3)
    e_mod.train()
    a = e_mod(to_ember(x))[0].detach().numpy()
    b = e_mod(to_ember(x))[0].detach().numpy()
    assert not np.allclose(a, b), "training mode must drop units between layers"
    e_mod.eval()
    t_mod.eval()
    _close(e_mod(to_ember(x))[0], t_mod(x)[0], "eval output")
    single = ember.nn.LSTM(3, 8, num_layers=2, dropout=0.0)
    single.load_state_dict(e_mod.state_dict())
    single.train()
    _close(single(to_ember(x))[0], t_mod(x)[0], "dropout 0 in training")


def test_second_backward_and_double_backward_raise():
    e_mod = ember.nn.LSTM(2, 3)
    out, _ = e_mod(ember.randn(3, 1, 2))
    loss = out.sum()
    loss.backward(retain_graph=True)
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()
    out, _ = e_mod(ember.randn(3, 1, 2, requires_grad=True))
    with pytest.raises(RuntimeError, match="double backward"):
        ember.autograd.grad(out.sum(), e_mod.weight_hh_l0, create_graph=True)


def test_no_grad_forward_builds_no_graph():
    e_mod = ember.nn.GRU(2, 3)
    with ember.no_grad():
        out, h = e_mod(ember.randn(3, 1, 2))
    assert out.grad_fn is None and not h.requires_grad


ERRORS = [
    ("nn.RNN(3, 4, dropout=1.5)", None), ("nn.RNN(3, 4, dropout=True)", None),
    ("nn.RNN(3, 0)", None), ("nn.RNN(3, 4.0)", None), ("nn.RNN(3, 4, num_layers=0)", None),
    ("nn.LSTM(3, 4, proj_size=4)", None), ("nn.LSTM(3, 4, proj_size=-1)", None),
    ("nn.GRU(3, 4, proj_size=2)", None), ("nn.RNN(3, 4, nonlinearity='foo')", None),
    ("nn.RNN(3, 4)", lambda: (torch.randn(2, 3, 4),)),
    ("nn.GRU(3, 4)", lambda: (torch.randn(2, 3, 3, 3),)),
    ("nn.LSTM(3, 4)", lambda: (torch.randn(3),)),
    ("nn.RNN(3, 4)", lambda: (torch.randn(2, 3, 3), torch.randn(1, 3, 5))),
    ("nn.GRU(3, 4)", lambda: (torch.randn(2, 3, 3), torch.randn(2, 3, 4))),
    ("nn.RNN(3, 4)", lambda: (torch.randn(2, 3), torch.randn(1, 1, 4))),
    ("nn.GRU(3, 4)", lambda: (torch.randn(2, 3, 3), torch.randn(3, 4))),
    ("nn.LSTM(3, 4)", lambda: (torch.randn(2, 3, 3), (torch.randn(1, 3, 5), torch.randn(1, 3, 4)))),
    ("nn.LSTM(3, 4)", lambda: (torch.randn(2, 3, 3), (torch.randn(1, 3, 4), torch.randn(1, 2, 4)))),
    ("nn.LSTM(3, 4)", lambda: (torch.randn(2, 3), (torch.randn(1, 1, 4), torch.randn(1, 1, 4)))),
    ("nn.LSTM(3, 4)", lambda: (torch.randn(2, 3, 3), (torch.randn(3, 4), torch.randn(3, 4)))),
    ("nn.RNN(3, 4)", lambda: (torch.randn(2, 3, 3).double(),)),
    ("nn.LSTM(3, 4)", lambda: (torch.randn(0, 3, 3),)),
    ("nn.RNNCell(3, 4)", lambda: (torch.randn(2, 4),)),
    ("nn.LSTMCell(3, 4)", lambda: (torch.randn(2, 3, 3),)),
    ("nn.GRUCell(3, 4)", lambda: (torch.randn(2, 3), torch.randn(3, 4))),
    ("nn.RNNCell(3, 4)", lambda: (torch.randn(3), torch.randn(1, 4))),
    ("nn.LSTMCell(3, 4)", lambda: (torch.randn(2, 3), (torch.randn(2, 4), torch.randn(2, 5)))),
    ("nn.RNNCell(3, 4, nonlinearity='x')", lambda: (torch.randn(2, 3),)),
]


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared with torch's below
        return e
    return None


def _to_ember_args(args):
    return tuple(tuple(to_ember(a) for a in x) if isinstance(x, tuple) else to_ember(x)
                 for x in args)


@pytest.mark.parametrize("expr,args", ERRORS, ids=[e for e, _ in ERRORS])
def test_errors_match_torch(expr, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if args is None:
            t_err = _raised(lambda: eval(expr, {"nn": torch.nn}))
            e_err = _raised(lambda: eval(expr, {"nn": ember.nn}))
        else:
            a = args()
            t_err = _raised(lambda: eval(expr, {"nn": torch.nn})(*a))
            e_err = _raised(lambda: eval(expr, {"nn": ember.nn})(*_to_ember_args(a)))
    assert t_err is not None, "torch accepted " + expr
    assert type(e_err) is type(t_err), "%s: ember %r, torch %r" % (expr, e_err, t_err)
    t_msg = str(t_err).replace("torch.", "ember.")
    assert str(e_err) == t_msg, \
        "%s: %r != %r" % (expr, str(e_err), t_msg)


def test_dropout_warning_as_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ember.nn.GRU(2, 3, dropout=0.2)


# --- nn.utils.rnn ---------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(batch_first, padding_side):
    seqs = [_rand(n, 2, seed=n) for n in (3, 5, 1)]
    t_in = [s.clone().requires_grad_(True) for s in seqs]
    e_in = [to_ember(s, True) for s in seqs]
    t = T_rnn.pad_sequence(t_in, batch_first, -1.5, padding_side)
    e = E_rnn.pad_sequence(e_in, batch_first, -1.5, padding_side)
    _close(e, t, "padded", 0, 0)
    w = _rand(*t.shape, seed=9)
    (t * w).sum().backward()
    (e * to_ember(w)).sum().backward()
    for a, b in zip(e_in, t_in):
        _close(a.grad, b.grad, "grad", 0, 0)


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_pad_roundtrip_and_unpad(batch_first):
    seqs = [_rand(n, 2, seed=n) for n in (2, 4, 1, 4)]
    lengths = [2, 4, 1, 4]
    t_padded = T_rnn.pad_sequence(seqs, batch_first)
    e_padded = E_rnn.pad_sequence([to_ember(s) for s in seqs], batch_first)
    tp = T_rnn.pack_padded_sequence(t_padded, torch.tensor(lengths), batch_first, False)
    ep = E_rnn.pack_padded_sequence(e_padded, ember.tensor(lengths), batch_first, False)
    _close(ep.data, tp.data, "packed data", 0, 0)
    for total in (None, 6):
        tq, tl = T_rnn.pad_packed_sequence(tp, batch_first, 7.0, total)
        eq, el = E_rnn.pad_packed_sequence(ep, batch_first, 7.0, total)
        _close(eq, tq, "padded back", 0, 0)
        assert el.dtype == ember.int64
        np.testing.assert_array_equal(el.numpy(), tl.numpy())
    for e, t in zip(E_rnn.unpad_sequence(e_padded, ember.tensor(lengths), batch_first),
                    T_rnn.unpad_sequence(t_padded, torch.tensor(lengths), batch_first)):
        _close(e, t, "unpadded", 0, 0)
    for e, t in zip(E_rnn.unpack_sequence(ep), T_rnn.unpack_sequence(tp)):
        _close(e, t, "unpacked", 0, 0)


def test_pack_sequence_and_packed_sequence_api():
    seqs = [_rand(n, seed=n) for n in (3, 2, 2)]
    tp = T_rnn.pack_sequence(seqs)
    ep = E_rnn.pack_sequence([to_ember(s) for s in seqs])
    _close(ep.data, tp.data, "data", 0, 0)
    assert ep.sorted_indices is None and ep.unsorted_indices is None
    np.testing.assert_array_equal(ep.batch_sizes.numpy(), tp.batch_sizes.numpy())
    data, batch_sizes, sorted_indices, unsorted_indices = ep
    assert data is ep.data and sorted_indices is None
    assert ep.double().data.dtype == ember.float64 and ep.to(ember.float32) is ep
    assert not ep.is_cuda
    perm = ember.tensor([2, 0, 1])
    np.testing.assert_array_equal(E_rnn.invert_permutation(perm).numpy(),
                                  T_rnn.invert_permutation(torch.tensor([2, 0, 1])).numpy())
    assert E_rnn.invert_permutation(None) is None
    rebuilt = E_rnn.PackedSequence(ep.data, ep.batch_sizes, ember.tensor([1, 0, 2]))
    np.testing.assert_array_equal(rebuilt.unsorted_indices.numpy(), [1, 0, 2])


def test_pack_gradient_reaches_padded_input():
    x = _rand(4, 3, 2)
    tx, ex = _leaf(x)
    tp = T_rnn.pack_padded_sequence(tx, [4, 1, 3], enforce_sorted=False)
    ep = E_rnn.pack_padded_sequence(ex, [4, 1, 3], enforce_sorted=False)
    w = _rand(*tp.data.shape, seed=3)
    (tp.data * w).sum().backward()
    (ep.data * to_ember(w)).sum().backward()
    _close(ex.grad, tx.grad, "grad", 0, 0)


UTIL_ERRORS = [
    ("pack_padded_sequence", lambda m: (m.randn(3, 3, 2), [1, 3, 2]), {}),
    ("pack_padded_sequence", lambda m: (m.randn(3, 3, 2), [3, 3, 0]), {}),
    ("pack_padded_sequence", lambda m: (m.randn(3, 3, 2), [3, 1]), {}),
    ("pad_sequence", lambda m: ([m.randn(2, 3), m.randn(3, 2)],), {}),
    ("pad_sequence", lambda m: ([m.randn(2, 3)],), {"padding_side": "x"}),
    ("pad_sequence", lambda m: ([],), {}),
    ("pack_sequence", lambda m: ([m.ones(2), m.ones(3)],), {}),
]


@pytest.mark.parametrize("name,args,kwargs", UTIL_ERRORS)
def test_util_errors_match_torch(name, args, kwargs):
    t_err = _raised(lambda: getattr(T_rnn, name)(*args(torch), **kwargs))
    e_err = _raised(lambda: getattr(E_rnn, name)(*args(ember), **kwargs))
    assert t_err is not None
    assert type(e_err) is type(t_err) and str(e_err) == str(t_err), (e_err, t_err)
    p = T_rnn.pack_sequence([torch.ones(3), torch.ones(2)])
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 3"):
        E_rnn.pad_packed_sequence(E_rnn.pack_sequence([ember.ones(3), ember.ones(2)]),
                                  total_length=2)
    with pytest.raises(ValueError):
        T_rnn.pad_packed_sequence(p, total_length=2)


def test_char_lm_example_loss_falls():
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "examples", "char_lm.py")
    spec = importlib.util.spec_from_file_location("char_lm", path)
    char_lm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(char_lm)
    losses = char_lm.train(steps=25, seq_len=32, batch_size=16, hidden=64, log_every=0)
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.3, losses
