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
    "arctanh_": "arctanh", "asin_": "asin", "asinh_": "asinh", "atan_": "atan",
    "atanh_": "atanh", "ceil_": "ceil", "clamp_": "clamp",
    "clamp_max_": "clamp_max", "clamp_min_": "clamp_min", "clip_": "clip", "cos_": "cos",
    "cosh_": "cosh", "deg2rad_": "deg2rad", "erf_": "erf", "erfc_": "erfc", "exp2_": "exp2",
    "exp_": "exp", "expm1_": "expm1", "fix_": "fix", "floor_": "floor", "frac_": "frac",
    "gcd_": "gcd", "lcm_": "lcm", "ldexp_": "ldexp", "log10_": "log10", "log1p_": "log1p",
    "log2_": "log2", "log_": "log", "logit_": "logit", "nan_to_num_": "nan_to_num",
    "neg_": "neg", "negative_": "negative", "rad2deg_": "rad2deg", "reciprocal_": "reciprocal",
    "round_": "round", "rsqrt_": "rsqrt", "sigmoid_": "sigmoid", "sin_": "sin", "sinc_": "sinc",
    "sinh_": "sinh", "sqrt_": "sqrt", "square_": "square", "tan_": "tan", "tanh_": "tanh",
    "trunc_": "trunc", "xlogy_": "xlogy", "index_put_": "index_put", "i0_": "i0",
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


@pytest.mark.parametrize("name", ["fill_", "zero_", "detach_", "conj_physical_", "resize_as_",
                                  "as_strided_"])
def test_fill_zero_detach_functions(name):
    args = {"fill_": (2.5,), "resize_as_": (ember.ones(3, 2),),
            "as_strided_": ((3, 2), (1, 3))}.get(name, ())
    targs = {"resize_as_": (torch.ones(3, 2),)}.get(name, args)
    e, t = ember.ones(2, 3), torch.ones(2, 3)
    assert getattr(ember, name)(e, *args) is e
    getattr(torch, name)(t, *targs)
    assert_close(e, t, 0, 0, name)


# torch.X is the nn.functional op itself: the functional op's registry samples in both.
SAME_AS_FUNCTIONAL = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                      "conv_transpose3d", "avg_pool1d", "max_pool1d", "max_pool2d", "max_pool3d",
                      "adaptive_avg_pool1d", "bilinear", "cosine_similarity", "pairwise_distance",
                      "pixel_shuffle", "pixel_unshuffle", "rms_norm", "celu", "selu",
                      "hardshrink", "prelu", "threshold", "channel_shuffle", "pdist")


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


# ---- switches and type information -------------------------------------------------------
def test_finfo_iinfo_match_torch():
    for name in ("float16", "float32", "float64"):
        e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                     "dtype"):
            assert getattr(e, attr) == getattr(t, attr), (name, attr)
        assert repr(e) == repr(t)
    assert ember.finfo().dtype == torch.finfo().dtype
    for name in ("int8", "int16", "int32", "int64", "uint8"):
        e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
        assert (e.bits, e.min, e.max, e.dtype) == (t.bits, t.min, t.max, t.dtype), name
        assert repr(e) == repr(t)
    with pytest.raises(TypeError):
        ember.finfo(ember.int32)
    with pytest.raises(TypeError):
        torch.finfo(torch.int32)
    with pytest.raises(TypeError):
        ember.iinfo(ember.float32)
    with pytest.raises(TypeError):
        torch.iinfo(torch.float32)


def test_can_cast_matches_torch():
    names = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
    for a in names:
        for b in names:
            assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == \
                torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_typename_and_layouts():
    assert ember.typename(ember.ones(2)) == torch.typename(torch.ones(2))
    assert ember.typename(ember.ones(2, dtype=ember.int64)) == \
        torch.typename(torch.ones(2, dtype=torch.int64))
    assert ember.typename(3) == torch.typename(3)
    assert ember.typename(ember.nn.Linear(2, 2)) == torch.typename(torch.nn.Linear(2, 2))
    assert isinstance(ember.strided, ember.layout) and ember.ones(2).layout is ember.strided
    for name in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        assert isinstance(getattr(ember, name), ember.memory_format)
        assert repr(getattr(ember, name)).split(".")[1] == repr(getattr(torch, name)).split(".")[1]
    assert ember.legacy_contiguous_format is ember.contiguous_format


def test_switches_round_trip_as_torch():
    pairs = [("use_deterministic_algorithms", "are_deterministic_algorithms_enabled", True),
             ("set_float32_matmul_precision", "get_float32_matmul_precision", "medium"),
             ("set_warn_always", "is_warn_always_enabled", True),
             ("set_num_interop_threads", None, None)]
    for setter, getter, value in pairs:
        if getter is None:
            continue
        before_e, before_t = getattr(ember, getter)(), getattr(torch, getter)()
        assert before_e == before_t, getter
        getattr(ember, setter)(value)
        assert getattr(ember, getter)() == value
        getattr(ember, setter)(before_e)
    ember.use_deterministic_algorithms(True, warn_only=True)
    assert ember.is_deterministic_algorithms_warn_only_enabled()
    assert ember.get_deterministic_debug_mode() == 1
    ember.set_deterministic_debug_mode("error")
    assert ember.get_deterministic_debug_mode() == 2
    ember.set_deterministic_debug_mode(0)
    assert not ember.are_deterministic_algorithms_enabled()
    with pytest.raises(RuntimeError):
        ember.set_deterministic_debug_mode("loud")
    with pytest.raises(RuntimeError):
        torch.set_deterministic_debug_mode("loud")
    with pytest.raises(RuntimeError):
        ember.set_float32_matmul_precision("low")
    assert ember.get_num_interop_threads() >= 1
    assert isinstance(ember.set_flush_denormal(False), bool)
    assert ember.is_anomaly_enabled() == torch.is_anomaly_enabled()
    assert ember.is_anomaly_check_nan_enabled() == torch.is_anomaly_check_nan_enabled()
    ember.set_anomaly_enabled(True, False)
    assert ember.is_anomaly_enabled() and not ember.is_anomaly_check_nan_enabled()
    ember.set_anomaly_enabled(False)
    assert not ember.is_anomaly_enabled()


def test_legacy_autocast_functions():
    with pytest.warns(DeprecationWarning):
        assert ember.is_autocast_cpu_enabled() is False
    with pytest.warns(DeprecationWarning):
        assert str(ember.get_autocast_gpu_dtype()).split(".")[-1] == "float16"
    with pytest.warns(DeprecationWarning):
        ember.get_autocast_cpu_dtype()
    ember.set_autocast_enabled("cpu", True)
    assert ember.is_autocast_enabled("cpu")
    ember.set_autocast_enabled("cpu", False)
    with pytest.warns(DeprecationWarning):
        ember.set_autocast_cpu_enabled(False)
    ember.set_autocast_dtype("cpu", ember.float16)
    assert ember.get_autocast_dtype("cpu") is ember.float16
    ember.set_autocast_dtype("cpu", "bfloat16")
    with pytest.warns(DeprecationWarning):
        ember.set_autocast_cpu_dtype("bfloat16")
    with pytest.warns(DeprecationWarning):
        ember.set_autocast_gpu_dtype(ember.float16)
    assert ember.is_autocast_cache_enabled() == torch.is_autocast_cache_enabled()
    ember.set_autocast_cache_enabled(False)
    assert not ember.is_autocast_cache_enabled()
    ember.set_autocast_cache_enabled(True)
    ember.clear_autocast_cache()


def test_device_modules_streams_and_errors():
    assert ember.get_device_module("cuda") is ember.cuda
    assert ember.get_device_module() is ember.cpu
    assert ember.get_device_module(ember.device("cpu")) is ember.cpu
    with pytest.raises(RuntimeError):
        ember.get_device_module("xpu")
    assert ember.cpu.is_available() and ember.cpu.device_count() == 1
    assert ember.cpu.current_device() == torch.cpu.current_device()
    ember.cpu.synchronize()
    with ember.cpu.stream(ember.cpu.current_stream()):
        pass
    assert "num_logical_cores" in ember.cpu.get_capabilities()
    assert repr(ember.Stream()) == repr(torch.Stream())
    assert repr(ember.Event()) == repr(torch.Event())
    assert ember.Stream().query() and ember.Event().query()
    assert issubclass(ember.AcceleratorError, RuntimeError)
    assert issubclass(ember.OutOfMemoryError, RuntimeError)
    assert issubclass(ember.FatalError, Exception)
    assert ember.GradScaler is ember.amp.GradScaler
    assert set(ember.functional.__all__) <= set(torch.functional.__all__)
    assert all(callable(getattr(ember.functional, n)) for n in ember.functional.__all__)
    assert ember.version.cuda is None and ember.version.__version__ >= "2.0"
    assert ember.torch_version.TorchVersion is type(ember.version.__version__)


def test_dlpack_shares_memory_both_ways():
    t = torch.arange(4.0)
    e = ember.from_dlpack(t)
    e[0] = 7.0
    assert t[0].item() == 7.0
    e2 = ember.ones(3)
    t2 = torch.from_dlpack(e2)
    t2[1] = 5.0
    assert e2[1].item() == 5.0
    assert_close(ember.from_dlpack(ember.to_dlpack(e2)), t2, 0, 0, "capsule")


def test_function_forms_and_real_tensor_complex_queries():
    e, t = _both((2, 3), -2.0, 2.0, grad=True)
    for name in ("is_inference", "is_signed", "is_complex", "is_conj", "is_neg"):
        assert getattr(ember, name)(e) == getattr(torch, name)(t), name
    assert ember.is_same_size(e, e) == torch.is_same_size(t, t)
    d = ember.detach(e)
    assert not d.requires_grad and d.data_ptr() == e.data_ptr()
    for name in ("conj", "resolve_conj", "resolve_neg", "conj_physical", "real", "angle"):
        assert_close(getattr(ember, name)(e), getattr(torch, name)(t), 0, 0, name)
        assert_close(getattr(e, name)() if name != "real" else e.real,
                     getattr(t, name)() if name != "real" else t.real, 0, 0, name)
    assert_close(ember.angle(ember.tensor([-1, 0, 3])), torch.angle(torch.tensor([-1, 0, 3])),
                 1e-6, 1e-6, "angle int")
    assert not e.is_conj() and not e.is_neg()
    with pytest.raises(RuntimeError):
        ember.imag(e)
    with pytest.raises(RuntimeError):
        torch.imag(t)
    with pytest.raises(RuntimeError):
        e.imag
    v = ember.tensor(2.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    fe, ft = ember.fill(e, v[0]), torch.fill(t, v[1])
    assert_close(fe, ft, 0, 0, "fill")
    fe.sum().backward()
    ft.sum().backward()
    assert_close(v[0].grad, v[1].grad, 0, 0, "fill grad")
    assert_close(ember.fill(e, 1.5), torch.fill(t, 1.5), 0, 0, "fill scalar")
    x = ember.tensor([0.5, 2.0]), torch.tensor([0.5, 2.0])
    assert_close(x[0].clone().polygamma_(1), x[1].clone().polygamma_(1), 1e-5, 1e-5, "pg")


@pytest.mark.parametrize("name", ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"])
def test_cell_functions_match_torch(name):
    gates = {"lstm_cell": 4, "gru_cell": 3}.get(name, 1)
    x, h = _both((2, 3), grad=True), _both((2, 4), seed=1, grad=True)
    w_ih, w_hh = _both((4 * gates, 3), seed=2, grad=True), _both((4 * gates, 4), seed=3, grad=True)
    b_ih, b_hh = _both((4 * gates,), seed=4, grad=True), _both((4 * gates,), seed=5, grad=True)
    if name == "lstm_cell":
        c = _both((2, 4), seed=6, grad=True)
        hx = (h[0], c[0]), (h[1], c[1])
        args = (x[0], hx[0], w_ih[0], w_hh[0], b_ih[0], b_hh[0]), \
            (x[1], hx[1], w_ih[1], w_hh[1], b_ih[1], b_hh[1])
        leaves = [x, h, c, w_ih, w_hh, b_ih, b_hh]
    else:
        args = _pair(x, h, w_ih, w_hh, b_ih, b_hh)
        leaves = [x, h, w_ih, w_hh, b_ih, b_hh]
    e_out, t_out = getattr(ember, name)(*args[0]), getattr(torch, name)(*args[1])
    e_flat, t_flat = flatten_outputs(e_out), flatten_outputs(t_out)
    for e, t in zip(e_flat, t_flat):
        assert_close(e, t, 1e-6, 1e-5, name)
    e_g = ember.autograd.grad(sum(o.sum() for o in e_flat), [p[0] for p in leaves])
    t_g = torch.autograd.grad(sum(o.sum() for o in t_flat), [p[1] for p in leaves])
    for e, t in zip(e_g, t_g):
        assert_close(e, t, 1e-5, 1e-5, name + " grad")
    no_bias = getattr(ember, name)(*args[0][:4]), getattr(torch, name)(*args[1][:4])
    for e, t in zip(flatten_outputs(no_bias[0]), flatten_outputs(no_bias[1])):
        assert_close(e, t, 1e-6, 1e-5, name + " without bias")


def test_barebones_unsigned_dtypes():
    for name in ("uint16", "uint32", "uint64"):
        e_dt, t_dt = getattr(ember, name), getattr(torch, name)
        arr = np.array([1, 2, 60000], dtype=name)
        assert_close(ember.from_numpy(arr), torch.from_numpy(arr), 0, 0, name)
        assert_close(ember.tensor([3, 4], dtype=e_dt), torch.tensor([3, 4], dtype=t_dt), 0, 0,
                     name)
        for other in ("int8", "uint8", "bool", "int64", "float32", "float64", "uint16"):
            t_res, t_err = _run(lambda: torch.promote_types(t_dt, getattr(torch, other)))
            e_res, e_err = _run(lambda: ember.promote_types(e_dt, getattr(ember, other)))
            if t_err is not None:
                assert isinstance(e_err, RuntimeError) and str(e_err) == str(t_err)
            else:
                assert e_res.name == str(t_res).split(".")[1]
        e_info, t_info = ember.iinfo(e_dt), torch.iinfo(t_dt)
        assert (e_info.min, e_info.max, e_info.bits) == (t_info.min, t_info.max, t_info.bits)
