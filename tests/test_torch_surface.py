"""torch's other spellings of ember ops (top-level in-place functions, the ``torch.*`` forms of
``nn.functional`` ops), Tensor methods that are not ops, and creation functions: each called
in both libraries on the same inputs."""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops.registry import OPS
from tests.ops.harness import assert_close, check_same_error, flatten_outputs, materialise

# torch.<name>_(x, ...) is x.<name>_(...); the out-of-place registry record gives the samples.
INPLACE = {
    "abs_": "abs", "acos_": "acos", "acosh_": "acosh", "addmv_": "addmv", "arccos_": "arccos",
    "arccosh_": "arccosh", "arcsin_": "arcsin", "arcsinh_": "arcsinh", "arctan_": "arctan",
    "asin_": "asin", "asinh_": "asinh", "atan_": "atan", "ceil_": "ceil", "clamp_": "clamp",
    "clamp_max_": "clamp_max", "clamp_min_": "clamp_min", "clip_": "clip", "cos_": "cos",
    "cosh_": "cosh", "deg2rad_": "deg2rad", "erf_": "erf", "erfc_": "erfc", "exp2_": "exp2",
    "exp_": "exp", "expm1_": "expm1", "fix_": "fix", "floor_": "floor", "frac_": "frac",
    "gcd_": "gcd", "lcm_": "lcm", "ldexp_": "ldexp", "log10_": "log10", "log1p_": "log1p",
    "log2_": "log2", "log_": "log", "logit_": "logit", "nan_to_num_": "nan_to_num",
    "neg_": "neg", "negative_": "negative", "rad2deg_": "rad2deg", "reciprocal_": "reciprocal",
    "round_": "round", "rsqrt_": "rsqrt", "sigmoid_": "sigmoid", "sin_": "sin", "sinc_": "sinc",
    "sinh_": "sinh", "sqrt_": "sqrt", "square_": "square", "tan_": "tan", "tanh_": "tanh",
    "trunc_": "trunc", "xlogy_": "xlogy", "index_put_": "index_put",
}


def _run(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(), None
    except Exception as e:  # noqa: BLE001 - compared with the other library's
        return None, e


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_function_matches_torch(name):
    if not hasattr(ember, name):
        pytest.skip("ember has no Tensor.%s yet" % name)
    info = OPS[INPLACE[name]]
    dtype = info.dtypes[0]
    for i, sample in enumerate(info.samples(dtype)):
        ea, ek, ta, tk, _, _ = materialise(sample, dtype, seed=i, requires_grad=False)
        if not ea or not isinstance(ea[0], ember.Tensor):
            continue
        e_self, t_self = ea[0].clone(), ta[0].clone()
        t_out, t_err = _run(lambda: getattr(torch, name)(t_self, *ta[1:], **tk))
        e_out, e_err = _run(lambda: getattr(ember, name)(e_self, *ea[1:], **ek))
        what = "%s sample %d" % (name, i)
        if check_same_error(what, e_err, t_err):
            continue
        assert e_out is e_self, what
        assert_close(e_self, t_self, 1e-5, 1e-5, what)


@pytest.mark.parametrize("name", ["fill_", "zero_", "detach_"])
def test_fill_zero_detach_functions(name):
    args = {"fill_": (2.5,), "zero_": (), "detach_": ()}[name]
    e, t = ember.ones(2, 3), torch.ones(2, 3)
    assert getattr(ember, name)(e, *args) is e
    getattr(torch, name)(t, *args)
    assert_close(e, t, 0, 0, name)


# torch.X is the nn.functional op itself: the functional op's registry samples in both.
SAME_AS_FUNCTIONAL = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                      "conv_transpose3d", "avg_pool1d", "max_pool1d", "max_pool2d",
                      "adaptive_avg_pool1d", "bilinear", "cosine_similarity", "pairwise_distance",
                      "pixel_shuffle", "pixel_unshuffle", "rms_norm", "celu", "selu",
                      "hardshrink", "prelu", "threshold")


@pytest.mark.parametrize("name", SAME_AS_FUNCTIONAL)
def test_functional_spelling_matches_torch(name):
    info = OPS.get(name) or OPS["nn.functional." + name]
    for i, sample in enumerate(info.samples(info.dtypes[0])):
        ea, ek, ta, tk, _, _ = materialise(sample, info.dtypes[0], seed=i, requires_grad=False)
        t_out, t_err = _run(lambda: getattr(torch, name)(*ta, **tk))
        e_out, e_err = _run(lambda: getattr(ember, name)(*ea, **ek))
        what = "%s sample %d" % (name, i)
        if check_same_error(what, e_err, t_err):
            continue
        for e, t in zip(flatten_outputs(e_out), flatten_outputs(t_out)):
            assert_close(e, t, 1e-5, 1e-5, what)


def _both(shape, low=-1.0, high=1.0, seed=0, dtype="float32", grad=False):
    arr = np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)
    e, t = ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    if grad:
        e.requires_grad_(True)
        t.requires_grad_(True)
    return e, t


def _compare_calls(fn_name, make_args, grad=True):
    """``fn_name`` called in both libraries on the same arguments: values and gradients."""
    e_args, t_args = make_args()
    e_out = getattr(ember, fn_name)(*e_args)
    t_out = getattr(torch, fn_name)(*t_args)
    e_flat, t_flat = flatten_outputs(e_out), flatten_outputs(t_out)
    for e, t in zip(e_flat, t_flat):
        assert_close(e, t, 1e-5, 1e-5, fn_name)
    if grad:
        e_leaves = [a for a in e_args if isinstance(a, ember.Tensor) and a.requires_grad]
        t_leaves = [a for a in t_args if isinstance(a, torch.Tensor) and a.requires_grad]
        e_g = ember.autograd.grad(e_flat[0].sum(), e_leaves)
        t_g = torch.autograd.grad(t_flat[0].sum(), t_leaves)
        for e, t in zip(e_g, t_g):
            assert_close(e, t, 1e-5, 1e-5, fn_name + " grad")


def _pair(*tensors):
    return tuple(x[0] for x in tensors), tuple(x[1] for x in tensors)


def _norm_args(kind):
    x = _both((2, 4, 3), grad=True)
    w = _both((4,), 0.5, 1.5, 1, grad=True)
    b = _both((4,), seed=2, grad=True)
    rm = _both((4,), seed=3)
    rv = _both((4,), 0.5, 1.5, 4)
    if kind == "batch_norm":
        return ((x[0], w[0], b[0], rm[0], rv[0], True, 0.1, 1e-5, False),
                (x[1], w[1], b[1], rm[1], rv[1], True, 0.1, 1e-5, False))
    if kind == "batch_norm eval":
        return ((x[0], w[0], b[0], rm[0], rv[0], False, 0.1, 1e-5, False),
                (x[1], w[1], b[1], rm[1], rv[1], False, 0.1, 1e-5, False))
    if kind == "instance_norm":
        return ((x[0], w[0], b[0], None, None, True, 0.1, 1e-5, False),
                (x[1], w[1], b[1], None, None, True, 0.1, 1e-5, False))
    if kind == "layer_norm":
        w3, b3 = _both((3,), seed=5, grad=True), _both((3,), seed=6, grad=True)
        return (x[0], (3,), w3[0], b3[0], 1e-5, True), (x[1], (3,), w3[1], b3[1], 1e-5, True)
    return (x[0], 2, w[0], b[0], 1e-5, True), (x[1], 2, w[1], b[1], 1e-5, True)


@pytest.mark.parametrize("kind", ["batch_norm", "batch_norm eval", "instance_norm", "layer_norm",
                                  "group_norm"])
def test_normalization_spellings(kind):
    _compare_calls(kind.split()[0], lambda: _norm_args(kind))


def _loss_args(name, reduction):
    x1, x2 = _both((4, 3), grad=True), _both((4, 3), seed=1, grad=True)
    sign = ember.tensor([1.0, -1.0, 1.0, -1.0]), torch.tensor([1.0, -1.0, 1.0, -1.0])
    target01 = _both((4, 3), 0.0, 1.0, 2)
    if name == "binary_cross_entropy_with_logits":
        pw = _both((3,), 0.5, 2.0, 3)
        return _pair(x1, target01, (None, None), pw, (reduction, reduction))
    if name == "kl_div":
        return _pair(x1, target01, (reduction, reduction))
    if name == "poisson_nll_loss":
        return _pair(x1, target01, (True, True), (False, False), (1e-8, 1e-8),
                     (reduction, reduction))
    if name in ("margin_ranking_loss",):
        a, b = _both((4,), grad=True), _both((4,), seed=1, grad=True)
        return _pair(a, b, sign, (0.1, 0.1), (reduction, reduction))
    if name == "hinge_embedding_loss":
        return _pair(x1, (sign[0].reshape(4, 1).expand(4, 3), sign[1].reshape(4, 1).expand(4, 3)),
                     (1.0, 1.0), (reduction, reduction))
    if name == "cosine_embedding_loss":
        return _pair(x1, x2, sign, (0.2, 0.2), (reduction, reduction))
    x3 = _both((4, 3), seed=7, grad=True)
    return _pair(x1, x2, x3, (1.0, 1.0), (2, 2), (1e-6, 1e-6), (False, False),
                 (reduction, reduction))


@pytest.mark.parametrize("reduction", [0, 1, 2])
@pytest.mark.parametrize("name", ["binary_cross_entropy_with_logits", "kl_div",
                                  "poisson_nll_loss", "margin_ranking_loss",
                                  "hinge_embedding_loss", "cosine_embedding_loss",
                                  "triplet_margin_loss"])
def test_loss_spellings_take_integer_reduction(name, reduction):
    _compare_calls(name, lambda: _loss_args(name, reduction))


def test_loss_spelling_refuses_a_string_reduction():
    x = ember.zeros(3)
    with pytest.raises(TypeError):
        ember.kl_div(x, x, "mean")
    with pytest.raises(TypeError):
        torch.kl_div(torch.zeros(3), torch.zeros(3), "mean")


def test_ctc_loss_spelling():
    rng = np.random.default_rng(0)
    lp = np.log(rng.dirichlet(np.ones(5), size=(6, 2))).astype("float32")
    targets = np.array([[1, 2, 3], [2, 4, 1]])
    for reduction in (0, 1, 2):
        e = ember.ctc_loss(ember.from_numpy(lp), ember.from_numpy(targets), (6, 5), (3, 2), 0,
                           reduction)
        t = torch.ctc_loss(torch.from_numpy(lp), torch.from_numpy(targets), (6, 5), (3, 2), 0,
                           reduction)
        assert_close(e, t, 1e-4, 1e-4, "ctc_loss")


def test_embedding_spelling_takes_weight_first():
    w = _both((6, 3), grad=True)
    idx = ember.tensor([[0, 2], [5, 2]]), torch.tensor([[0, 2], [5, 2]])
    _compare_calls("embedding", lambda: _pair(w, idx))
    _compare_calls("embedding", lambda: _pair(w, idx, (2, 2)))


def test_adaptive_max_pool1d_spelling_returns_indices():
    _compare_calls("adaptive_max_pool1d", lambda: _pair(_both((2, 3, 7), grad=True), (3, 3)))


@pytest.mark.parametrize("name", ["relu_", "rrelu_", "threshold_", "celu_", "selu_"])
def test_activation_inplace_spellings(name):
    args = {"threshold_": (0.1, -1.0)}.get(name, ())
    e, t = _both((3, 4))
    if name == "rrelu_":  # eval mode: the fixed slope (lower + upper) / 2
        assert ember.rrelu_(e) is e
        torch.rrelu_(t)
    else:
        assert getattr(ember, name)(e, *args) is e
        getattr(torch, name)(t, *args)
    assert_close(e, t, 1e-6, 1e-6, name)


def test_rrelu_spelling():
    e, t = _both((3, 4))
    assert_close(ember.rrelu(e, 0.1, 0.3), torch.rrelu(t, 0.1, 0.3), 1e-6, 1e-6, "rrelu eval")
    out = ember.rrelu(e, 0.1, 0.3, True).numpy()
    slope = out[e.numpy() < 0] / e.numpy()[e.numpy() < 0]
    assert ((slope >= 0.1) & (slope <= 0.3)).all()


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_dropout",
                                  "feature_alpha_dropout", "dropout_", "alpha_dropout_",
                                  "feature_dropout_", "feature_alpha_dropout_"])
def test_dropout_spellings(name):
    e, t = _both((4, 5, 6))
    # not training, or p=0: the input unchanged, as torch
    for p, train in ((0.5, False), (0.0, True)):
        assert_close(getattr(ember, name)(e.clone(), p, train),
                     getattr(torch, name)(t.clone(), p, train), 0, 0, name)
    x = ember.ones(4, 5, 6)
    out = getattr(ember, name)(x, 0.5, True)
    assert (out is x) == name.endswith("_")
    values = np.unique(out.numpy())
    assert len(values) == 2, name  # kept and dropped values only
    if "feature" in name:  # one draw per (sample, channel)
        assert (out.numpy() == out.numpy()[:, :, :1]).all(), name
    if "alpha" not in name:
        assert sorted(values) == [0.0, 2.0]
    with pytest.raises(TypeError):
        getattr(torch, name)(torch.ones(2), 0.5)
    with pytest.raises(TypeError):
        getattr(ember, name)(ember.ones(2), 0.5)


# ---- NumPy-style names and Tensor methods that are not ops -----------------------------------
def test_tensor_in_place_comparison_and_alias_methods():
    for name, arg in (("greater_", 0.0), ("greater_equal_", 0.0), ("less_", 0.0),
                      ("less_equal_", 0.0), ("not_equal_", 0.0), ("true_divide_", 2.0),
                      ("absolute_", None), ("arctan2_", "t"), ("multiply_", 3.0),
                      ("divide_", 2.0), ("subtract_", 1.0)):
        e, t = _both((3, 4))
        e_arg, t_arg = (e.clone(), t.clone()) if arg == "t" else (arg, arg)
        args = () if arg is None else (e_arg,)
        targs = () if arg is None else (t_arg,)
        assert getattr(e, name)(*args) is e
        getattr(t, name)(*targs)
        assert_close(e, t, 1e-6, 1e-6, name)


def test_float_power_in_place_needs_double():
    e, t = _both((3,), 0.5, 2.0, dtype="float64")
    e.float_power_(2.5)
    t.float_power_(2.5)
    assert_close(e, t, 1e-12, 1e-12, "float_power_")
    with pytest.raises(RuntimeError, match="Double"):
        ember.ones(3).float_power_(2)
    with pytest.raises(RuntimeError):
        torch.ones(3).float_power_(2)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.squeeze_(), lambda lib, x: x.squeeze_(1), lambda lib, x: x.unsqueeze_(-1),
    lambda lib, x: x.t_() if x.dim() <= 2 else x.transpose_(0, 2),
    lambda lib, x: x.transpose_(0, 1), lambda lib, x: x.swapaxes_(0, 2),
    lambda lib, x: x.swapdims_(1, 2)])
def test_in_place_view_methods(call):
    e, t = _both((2, 1, 3))
    assert call(ember, e) is e
    call(torch, t)
    assert_close(e, t, 0, 0, "view in place")
    assert e.stride() == t.stride()


def test_in_place_view_methods_record_history_and_refuse_leaves():
    e, t = _both((2, 3), grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        e.t_()
    with pytest.raises(RuntimeError):
        t.t_()
    ye, yt = e * 2, t * 2
    ye.t_()
    yt.t_()
    w = np.arange(6.0, dtype="float32").reshape(3, 2)
    (ye * ember.from_numpy(w)).sum().backward()
    (yt * torch.from_numpy(w)).sum().backward()
    assert_close(e.grad, t.grad, 0, 0, "t_ gradient")


def test_resize_methods():
    for sizes in ((2, 2), (6,), (3, 2)):
        e, t = ember.arange(6.0), torch.arange(6.0)
        e.resize_(*sizes)
        t.resize_(*sizes)
        assert_close(e, t, 0, 0, "resize_")
    e = ember.arange(4.0)
    assert tuple(e.resize_(3, 3).shape) == (3, 3)
    assert tuple(e.resize_as_(ember.ones(2, 2)).shape) == (2, 2)
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        assert tuple(ember.arange(4.0).resize(2, 2).shape) == (2, 2)
    with pytest.raises(RuntimeError):
        ember.ones(2, requires_grad=True).resize_(4)
    with pytest.raises(RuntimeError):
        torch.ones(2, requires_grad=True).resize_(4)


def test_query_methods_match_torch():
    e, t = _both((2, 3))
    e2, t2 = _both((3, 2))
    for name in ("is_cpu", "is_mps", "name", "grad_dtype"):
        assert str(getattr(e, name)).replace("ember", "torch") == str(getattr(t, name)), name
    assert e.get_device() == t.get_device()
    assert e.is_inference() == t.is_inference()
    assert e.is_same_size(e2) == t.is_same_size(t2) and e.is_same_size(e) == t.is_same_size(t)
    assert e.dim_order() == t.dim_order() and e.t().dim_order() == t.t().dim_order()
    assert e.const_data_ptr() == e.data_ptr()
    assert ember.tensor([2]).is_nonzero() == torch.tensor([2]).is_nonzero()
    assert e.equal(e.clone()) and e.allclose(e + 1e-9) and e.isclose(e).all()
    cond = e > 0
    assert_close(e.where(cond, ember.zeros(3)), t.where(t > 0, torch.zeros(3)), 0, 0, "where")
    assert_close(e.hardshrink(0.3), t.hardshrink(0.3), 0, 0, "hardshrink")
    w = ember.tensor([0.25]), torch.tensor([0.25])
    assert_close(e.prelu(w[0]), t.prelu(w[1]), 0, 0, "prelu")


def test_python_level_methods():
    e, t = ember.arange(4.0), torch.arange(4.0)
    assert_close(e.apply_(lambda v: v * 3 + 1), t.apply_(lambda v: v * 3 + 1), 0, 0, "apply_")
    other = ember.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert_close(e.map_(other[0], lambda a, b: a * b), t.map_(other[1], lambda a, b: a * b),
                 0, 0, "map_")
    assert_close(e.map2_(other[0], other[0], lambda a, b, c: a - b * c),
                 t.map2_(other[1], other[1], lambda a, b, c: a - b * c), 0, 0, "map2_")
    x, y = ember.ones(2, 3, dtype=ember.int64), torch.ones(2, 3, dtype=torch.int64)
    assert_close(x.new(2, 2).fill_(1), y.new(2, 2).fill_(1), 0, 0, "new")
    assert_close(x.new([1, 2]), y.new([1, 2]), 0, 0, "new(data)")
    assert_close(x.new(), y.new(), 0, 0, "new()")
    assert x.new_empty_strided((2, 3), (1, 2)).stride() == y.new_empty_strided((2, 3),
                                                                              (1, 2)).stride()
    a, b = _both((2, 3, 4), grad=True)
    assert_close(a.sum_to_size(3, 1), b.sum_to_size(3, 1), 1e-6, 1e-6, "sum_to_size")
    assert_close(a.sum_to_size((1, 3, 4)), b.sum_to_size((1, 3, 4)), 1e-6, 1e-6, "sum_to_size")
    with pytest.raises(RuntimeError):
        a.sum_to_size(2, 2)
    with pytest.raises(RuntimeError):
        b.sum_to_size(2, 2)

    class Sub(ember.Tensor):
        pass

    s = a.as_subclass(Sub)
    assert type(s) is Sub and s.requires_grad and s.data_ptr() == a.data_ptr()
    assert a.module_load(ember.ones(2, 3, 4)).requires_grad is False


# ---- creation ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window",
                                  "bartlett_window", "kaiser_window"])
def test_window_functions(name):
    for length in (0, 1, 2, 5, 8):
        for periodic in (True, False):
            assert_close(getattr(ember, name)(length, periodic),
                         getattr(torch, name)(length, periodic), 1e-6, 1e-6, name)
    assert_close(getattr(ember, name)(6, dtype=ember.float64),
                 getattr(torch, name)(6, dtype=torch.float64), 1e-12, 1e-12, name)
    with pytest.raises(RuntimeError):
        getattr(ember, name)(4, dtype=ember.int64)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(4, dtype=torch.int64)


def test_creation_functions():
    for args in ((3, 4), (4, 3, 1), (4, 4, -2), (0, 3)):
        assert_close(ember.tril_indices(*args), torch.tril_indices(*args), 0, 0, "tril")
        assert_close(ember.triu_indices(*args), torch.triu_indices(*args), 0, 0, "triu")
    assert_close(ember.tril_indices(3, 3, dtype=ember.int32),
                 torch.tril_indices(3, 3, dtype=torch.int32), 0, 0, "tril int32")
    for size, stride in (((2, 3), (1, 2)), ((2, 3), (3, 1)), ((0, 2), (2, 1))):
        e, t = ember.empty_strided(size, stride), torch.empty_strided(size, stride)
        assert e.shape == t.shape and e.stride() == t.stride()
    e = ember.empty_permuted((2, 3, 4), (2, 0, 1))
    assert e.stride() == torch.empty_permuted((2, 3, 4), (2, 0, 1)).stride()
    for value in (3, 2.5, True):
        assert_close(ember.scalar_tensor(value), torch.scalar_tensor(value), 0, 0, "scalar")
    assert_close(ember.scalar_tensor(3, dtype=ember.int64),
                 torch.scalar_tensor(3, dtype=torch.int64), 0, 0, "scalar int")
    buf = bytearray(np.arange(6, dtype="float32").tobytes())
    e = ember.frombuffer(buf, dtype=ember.float32, count=4, offset=4)
    assert_close(e, torch.frombuffer(bytearray(buf), dtype=torch.float32, count=4, offset=4),
                 0, 0, "frombuffer")
    e[0] = 9.0
    assert np.frombuffer(buf, dtype="float32")[1] == 9.0  # shares the buffer
