"""torch's other spellings of ember ops, defined once here.

* The top-level in-place functions: ``torch.abs_(x)`` is ``x.abs_()``.
* The ``torch.*`` forms of ``nn.functional`` ops. Most are the functional op itself
  (``torch.conv2d is F.conv2d`` in all but name); the ATen spellings whose arguments differ
  (``torch.batch_norm``'s order, the losses' integer ``reduction``, ``train`` for ``training``,
  ``torch.embedding(weight, indices)``) get a wrapper with torch's signature.
* NumPy-style names (``multiply``, ``divide``, ``subtract``, ...).
* The function forms of Tensor methods and queries (``torch.detach``, ``torch.fill``,
  ``torch.is_signed``, ...; conj/real/imag/angle of real tensors).
"""
import warnings

from ember._tensor import Tensor
from ember.ops import arithmetic
from ember.ops.inplace import apply_inplace
from ember.ops.nn import (activation, conv, distance, dropout as _dropout_ops, linear, loss,
                          loss_ctc, loss_margin, normalization, pixelshuffle, pooling,
                          pooling_adaptive, sparse)
from ember.ops.registry import (OPS, OpInfo, SampleInput, T, inplace_method, not_differentiable,
                                register)

# torch.<name>_ functions whose Tensor method ember has: the function calls the method.
INPLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_",
    "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_",
    "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_",
    "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_", "conj_physical_", "as_strided_",
    "resize_as_",
)


def _inplace_function(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = "In-place version of :func:`%s` (``torch.%s(x)`` is ``x.%s()``)." % (
        name[:-1], name, name)
    return fn


# ---- the torch.* forms of nn.functional ops ------------------------------------------------
# The same function under the top-level name (torch's signature is F's, or F's is a superset).
conv1d, conv2d, conv3d = conv.conv1d, conv.conv2d, conv.conv3d
conv_transpose1d, conv_transpose2d = conv.conv_transpose1d, conv.conv_transpose2d
conv_transpose3d = conv.conv_transpose3d
avg_pool1d = pooling.avg_pool1d
adaptive_avg_pool1d = pooling_adaptive.adaptive_avg_pool1d
bilinear = linear.bilinear
cosine_similarity, pairwise_distance = distance.cosine_similarity, distance.pairwise_distance
pixel_shuffle, pixel_unshuffle = pixelshuffle.pixel_shuffle, pixelshuffle.pixel_unshuffle
channel_shuffle, pdist = pixelshuffle.channel_shuffle, distance.pdist
rms_norm = normalization.rms_norm
celu, selu, hardshrink = activation.celu, activation.selu, activation.hardshrink
prelu, rrelu, threshold = activation.prelu, activation.rrelu, activation.threshold
relu_, rrelu_, threshold_ = activation.relu_, activation.rrelu_, activation.threshold_


def celu_(input, alpha=1.0):
    return activation.celu(input, alpha, inplace=True)


def selu_(input):
    return activation.selu(input, inplace=True)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """F's max_pool1d without ``return_indices`` (``stride=()`` means the kernel size)."""
    return pooling.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return pooling.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return pooling.max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def adaptive_max_pool1d(input, output_size):
    """``(values, indices)``: torch's top-level form always returns the indices."""
    return pooling_adaptive.adaptive_max_pool1d(input, output_size, return_indices=True)


# ATen's integer ``reduction`` (at::Reduction) in the top-level loss spellings.
_REDUCTION = {0: "none", 1: "mean", 2: "sum"}


def _reduction(value, fn_name):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s(): argument 'reduction' must be int, not %s"
                        % (fn_name, type(value).__name__))
    if value not in _REDUCTION:
        raise ValueError("%d is not a valid value for reduction" % value)
    return _REDUCTION[value]


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return loss.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction, "binary_cross_entropy_with_logits"),
        pos_weight=pos_weight)


def kl_div(input, target, reduction=1, *, log_target=False):
    """ATen's kl_div: ``reduction=1`` is the plain mean (no warning about 'batchmean' here)."""
    reduction = _reduction(reduction, "kl_div")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return loss.kl_div(input, target, reduction=reduction, log_target=log_target)


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return loss.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                 reduction=_reduction(reduction, "poisson_nll_loss"))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return loss_margin.margin_ranking_loss(input1, input2, target, margin,
                                    reduction=_reduction(reduction, "margin_ranking_loss"))


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return loss_margin.hinge_embedding_loss(input, target, margin,
                                     reduction=_reduction(reduction, "hinge_embedding_loss"))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return loss_margin.cosine_embedding_loss(input1, input2, target, margin,
                                      reduction=_reduction(reduction, "cosine_embedding_loss"))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        reduction=1):
    return loss_margin.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_reduction(reduction, "triplet_margin_loss"))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1,
             zero_infinity=False):
    return loss_ctc.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                         _reduction(reduction, "ctc_loss"), zero_infinity)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    """ATen's order: the affine parameters before the running statistics."""
    return normalization.batch_norm(input, running_mean, running_var, weight, bias, training,
                                    momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled):
    return normalization.instance_norm(input, running_mean, running_var, weight, bias,
                                       use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    return normalization.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    return normalization.group_norm(input, num_groups, weight, bias, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """ATen's order (``weight`` first); ``padding_idx=-1`` means none."""
    return sparse_embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                            scale_grad_by_freq=scale_grad_by_freq)


sparse_embedding = sparse.embedding


def _dropout_spelling(name, inplace, feature_dims=None, alpha=False):
    """``torch.dropout(input, p, train)`` and its feature/alpha/in-place variants; ``feature``
    drops whole channels (every dimension after the first two shares one draw)."""
    def fn(input, p, train):
        return _dropout_ops._dropout(input, p, train, inplace, feature_dims, alpha)

    fn.__name__ = fn.__qualname__ = name
    return fn


dropout = _dropout_spelling("dropout", False)
dropout_ = _dropout_spelling("dropout_", True)
alpha_dropout = _dropout_spelling("alpha_dropout", False, alpha=True)
alpha_dropout_ = _dropout_spelling("alpha_dropout_", True, alpha=True)
feature_dropout = _dropout_spelling("feature_dropout", False, 2)
feature_dropout_ = _dropout_spelling("feature_dropout_", True, 2)
feature_alpha_dropout = _dropout_spelling("feature_alpha_dropout", False, 2, True)
feature_alpha_dropout_ = _dropout_spelling("feature_alpha_dropout_", True, 2, True)

NN_SPELLINGS = (
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "avg_pool1d", "max_pool1d", "max_pool2d", "max_pool3d", "adaptive_avg_pool1d",
    "adaptive_max_pool1d", "bilinear", "cosine_similarity", "pairwise_distance", "pixel_shuffle",
    "pixel_unshuffle", "channel_shuffle", "pdist", "rms_norm", "celu", "celu_", "selu", "selu_",
    "hardshrink", "prelu", "rrelu", "rrelu_",
    "threshold", "threshold_", "relu_", "binary_cross_entropy_with_logits", "kl_div",
    "poisson_nll_loss", "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "ctc_loss", "batch_norm", "instance_norm", "layer_norm",
    "group_norm", "embedding", "dropout", "dropout_", "alpha_dropout", "alpha_dropout_",
    "feature_dropout", "feature_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_",
)


# ---- NumPy-style names ---------------------------------------------------------------------
def multiply(input, other, *, out=None):
    """Alias of :func:`mul`."""
    return arithmetic.mul(input, other, out=out)


def divide(input, other, *, rounding_mode=None, out=None):
    """Alias of :func:`div`."""
    return arithmetic.div(input, other, rounding_mode=rounding_mode, out=out)


def subtract(input, other, *, alpha=1, out=None):
    """Alias of :func:`sub`."""
    return arithmetic.sub(input, other, alpha=alpha, out=out)


def positive(input):
    """``input`` itself (torch refuses bool tensors)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _binary(dtype):
    yield SampleInput(T(3, 4), T(3, 4))
    yield SampleInput(T(3, 4), T(4), name="broadcast")
    yield SampleInput(T(3, 4), 2.5, name="scalar")


def _divide_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4, low=0.5, high=2.0))
    yield SampleInput(T(3, 4), T(4, low=0.5, high=2.0), rounding_mode="floor")


register(OpInfo("multiply", multiply, _binary, method=True, inplace="multiply_"))
register(OpInfo("divide", divide, _divide_samples, method=True, inplace="divide_"))
register(OpInfo("subtract", subtract, lambda dt: iter([*_binary(dt), SampleInput(
    T(3, 4), T(3, 4), alpha=2)]), method=True, inplace="subtract_"))
register(OpInfo("positive", positive, lambda dt: iter([SampleInput(T(3, 4))]), method=True,
                dtypes=("float32", "float64", "int64")))

# ``x.true_divide_``, ``x.greater_``... : in-place forms of ops registered under another name.
for _alias, _target in (("true_divide_", "div"), ("greater_", "gt"), ("greater_equal_", "ge"),
                        ("less_", "lt"), ("less_equal_", "le"), ("not_equal_", "ne"),
                        ("absolute_", "abs"), ("arctan2_", "atan2")):
    if not hasattr(Tensor, _alias):
        setattr(Tensor, _alias, inplace_method(OPS[_target].func, _alias))
del _alias, _target




def _float_power_(self, exponent):
    from ember._tensor_str import dtype_word

    if self._data.dtype.name != "float64":
        raise RuntimeError("the base given to float_power_ has dtype %s but the operation's "
                           "result requires dtype Double" % dtype_word(self._data.dtype))
    return apply_inplace(self, arithmetic.float_power, (exponent,), {})


Tensor.float_power_ = _float_power_


def _polygamma_(self, n):
    """``x.polygamma_(n)``: the n-th derivative of digamma, in place."""
    return apply_inplace(self, lambda t: OPS["polygamma"].func(n, t), (), {})


Tensor.polygamma_ = _polygamma_



# ---- function forms of Tensor methods and queries --------------------------------------------
def detach(input):
    return input.detach()


def fill(input, value):
    """A copy of ``input`` filled with ``value`` (differentiable in ``value`` when a tensor)."""
    return input.clone().fill_(value)


def is_inference(input):
    return input.is_inference()


def is_same_size(input, other):
    return input.is_same_size(other)


def is_signed(input):
    return input.is_signed()


def is_complex(input):
    return input.is_complex()


from ember.ops.complex import is_conj, is_neg, resolve_neg  # noqa: E402,F401


FUNCTION_FORMS = ("detach", "fill", "is_inference", "is_same_size", "is_signed", "is_complex",
                  "is_conj", "is_neg", "resolve_neg")
for _name in FUNCTION_FORMS:
    not_differentiable(_name, "tests/test_torch_surface.py")
del _name


# {name: function} for the names of INPLACE_FUNCTIONS that Tensor has (ember/__init__ exports)
INPLACE = {n: _inplace_function(n) for n in INPLACE_FUNCTIONS if hasattr(Tensor, n)}
for _name in NN_SPELLINGS + tuple(INPLACE):
    if _name not in OPS:
        not_differentiable(_name, "tests/test_torch_surface.py")
del _name
