"""``torch.amp.autocast``: regions where listed ops run in a lower-precision float.

One table (``CPU_POLICY``, torch's CPU list for 2.13) maps each op's name to a cast policy:

* ``lower``: the op's floating inputs (not float64) are cast to the region's dtype (bfloat16 or
  float16), so matmul/linear/conv return that dtype;
* ``fp32``: they are cast to float32 (losses, linear algebra, some pooling);
* ``promote``: they are cast to the widest floating type among them (cat, stack, index_copy).

The policy is applied where an op is called, before its own checks, as torch's autocast dispatch
key does: the first time a CPU region is entered, every reference to a listed op's function in
ember's modules (module attributes, Tensor methods, a module class's ``_fn``) is replaced by a
wrapper that casts the arguments while a region is active and calls the op unchanged otherwise.
A listed op's own inner calls are not cast again (torch excludes the autocast key inside one),
an explicit ``out=`` or ``dtype=`` turns casting off for that call, and with ``cache_enabled``
the cast of a leaf that requires grad (a parameter) is made once per region.

On ``"cuda"`` autocast warns and disables itself, as a torch without CUDA does.
"""
import functools
import sys
import warnings

from ember import _dtype
from ember._tensor import Tensor
from ember._tensor import device as _device

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]

# torch 2.13's CPU autocast lists (aten/src/ATen/autocast_mode.cpp), by ember's registry names.
# Names ember does not have yet are listed too: an op registered later is wrapped on arrival.
_LOWER = (
    "conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d bmm mm "
    "linalg.vecdot baddbmm addmm addbmm nn.functional.linear matmul nn.functional.prelu "
    "nn.functional.scaled_dot_product_attention")
_FP32 = (
    "avg_pool3d nn.functional.binary_cross_entropy nn.functional.grid_sample polar prod "
    "quantile nanquantile stft cdist trace view_as_complex cholesky cholesky_inverse "
    "cholesky_solve inverse lu_solve orgqr ormqr pinverse max_pool3d max_unpool2d max_unpool3d "
    "adaptive_avg_pool3d nn.functional.mse_loss nn.functional.cosine_embedding_loss "
    "nn.functional.nll_loss nn.functional.hinge_embedding_loss nn.functional.poisson_nll_loss "
    "nn.functional.smooth_l1_loss nn.functional.cross_entropy nn.functional.l1_loss "
    "nn.functional.huber_loss nn.functional.margin_ranking_loss nn.functional.soft_margin_loss "
    "nn.functional.triplet_margin_loss nn.functional.multi_margin_loss nn.functional.ctc_loss "
    "nn.functional.kl_div nn.functional.multilabel_margin_loss "
    "nn.functional.binary_cross_entropy_with_logits fft.fft fft.ifft fft.fft2 fft.ifft2 "
    "fft.fftn fft.ifftn fft.rfft fft.irfft fft.rfft2 fft.irfft2 fft.rfftn fft.irfftn fft.hfft "
    "fft.ihfft linalg.cond linalg.matrix_rank linalg.solve linalg.cholesky linalg.svdvals "
    "linalg.eigvals linalg.eigvalsh linalg.inv linalg.householder_product linalg.tensorinv "
    "linalg.tensorsolve geqrf qr svd triangular_solve nn.functional.fractional_max_pool2d "
    "nn.functional.fractional_max_pool3d adaptive_max_pool3d linalg.qr linalg.cholesky_ex "
    "linalg.svd linalg.eig linalg.eigh linalg.lstsq linalg.inv_ex")
_PROMOTE = "stack cat index_copy"
CPU_POLICY = dict([(n, "lower") for n in _LOWER.split()] + [(n, "fp32") for n in _FP32.split()]
                  + [(n, "promote") for n in _PROMOTE.split()])
# F.pad reaches torch's listed reflection_pad1d/2d and replication_pad1d/2d/3d (float32) by its
# mode and the length of ``pad``; constant and circular padding are not listed.
CPU_POLICY["nn.functional.pad"] = "pad"
_FP32_PADS = {("reflect", 2), ("reflect", 4), ("replicate", 2), ("replicate", 4),
              ("replicate", 6)}

_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16"}
_CPU_DTYPES = ("bfloat16", "float16")
# device type -> (enabled, dtype name) of the innermost active region
_STATE = {}
# the CPU region's target dtype while casting applies (None outside a region and inside a
# listed op), read by every wrapper
_ACTIVE = [None]
_CACHE = {}  # id(leaf) -> (leaf, its cast) for the outermost region (cache_enabled)
_NESTING = [0]
_INSTALLED = []


def is_autocast_available(device_type):
    """Whether torch's autocast supports ``device_type`` (ember runs it on ``'cpu'`` only)."""
    _device(device_type)  # torch's error for an unknown device type
    return device_type in ("cpu", "cuda")


def is_autocast_enabled(device_type="cuda"):
    return _STATE.get(device_type, (False, None))[0]


def get_autocast_dtype(device_type):
    import ember

    name = _STATE.get(device_type, (False, None))[1] or _DEFAULT_DTYPE.get(device_type, "float16")
    return getattr(ember, name, name)


def set_state(device_type, enabled, dtype_name):
    """Record ``device_type``'s autocast state (``None`` restores the default: off)."""
    if enabled is None:
        _STATE.pop(device_type, None)
    else:
        _STATE[device_type] = (enabled, dtype_name)
    if device_type == "cpu":
        on, name = _STATE.get("cpu", (False, None))
        name = name or _DEFAULT_DTYPE["cpu"]
        if on and name in _CPU_DTYPES:
            _install()
            _ACTIVE[0] = getattr(_dtype, name)
        else:
            _ACTIVE[0] = None


# --- applying the policies -----------------------------------------------------------------------

def _floating(t):
    """A tensor autocast may cast: floating, and not float64."""
    return isinstance(t, Tensor) and t.is_floating_point() and t.dtype is not _dtype.float64


def _cast(t, target):
    if not _floating(t) or t.dtype is target:
        return t
    if t._grad_fn is None and t._requires_grad and _NESTING[0]:
        hit = _CACHE.get(id(t))
        if hit is not None and hit[0] is t and hit[1].dtype is target:
            return hit[1]
        cast = t.to(target)
        if _cache_enabled():
            _CACHE[id(t)] = (t, cast)
        return cast
    return t.to(target)


def _map(x, fn):
    if isinstance(x, Tensor):
        return fn(x)
    if isinstance(x, (list, tuple)) and any(isinstance(y, Tensor) for y in x):
        return type(x)(fn(y) if isinstance(y, Tensor) else y for y in x)
    return x


def _widest(args, kwargs, lower):
    """``promote``: float32 if any castable input is float32, else the region's dtype."""
    found = []

    def note(t):
        found.append(t)
        return t

    for x in list(args) + list(kwargs.values()):
        _map(x, note)
    for t in found:
        if _floating(t) and t.dtype is _dtype.float32:
            return _dtype.float32
    return lower


def _cast_call(fn, policy, args, kwargs):
    lower = _ACTIVE[0]
    if kwargs.get("out") is not None or kwargs.get("dtype") is not None:
        return fn(*args, **kwargs)
    if policy == "pad":
        mode = kwargs.get("mode", args[2] if len(args) > 2 else "constant")
        widths = kwargs.get("pad", args[1] if len(args) > 1 else ())
        if (mode, len(widths)) not in _FP32_PADS:
            return fn(*args, **kwargs)
        policy = "fp32"
    target = (lower if policy == "lower" else _dtype.float32 if policy == "fp32"
              else _widest(args, kwargs, lower))

    def cast(t):
        return _cast(t, target)

    args = [_map(a, cast) for a in args]
    kwargs = {k: _map(v, cast) for k, v in kwargs.items()}
    _ACTIVE[0] = None  # the op's own inner calls are not cast again
    try:
        return fn(*args, **kwargs)
    finally:
        _ACTIVE[0] = lower


def _wrap(fn, policy):
    @functools.wraps(fn)
    def autocast_op(*args, **kwargs):
        if _ACTIVE[0] is None:
            return fn(*args, **kwargs)
        return _cast_call(fn, policy, args, kwargs)

    autocast_op._ember_autocast = fn
    return autocast_op


def _rebind(replace):
    """Point every reference to a function in ``replace`` (``id(function) -> (function,
    wrapper)``) in ember's loaded modules (module and class attributes, static methods) at its
    wrapper."""
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not (mod_name == "ember" or mod_name.startswith("ember.")):
            continue
        space = getattr(mod, "__dict__", None)
        if not space:
            continue
        for key, value in list(space.items()):
            hit = replace.get(id(value))
            if hit is not None and hit[0] is value:
                space[key] = hit[1]
            elif isinstance(value, type) and value.__module__ == mod_name:
                _rebind_class(value, replace)
    _rebind_class(Tensor, replace)


def _rebind_class(cls, replace):
    for key, value in list(vars(cls).items()):
        func = value.__func__ if isinstance(value, staticmethod) else value
        hit = replace.get(id(func))
        if hit is not None and hit[0] is func:
            setattr(cls, key, staticmethod(hit[1]) if func is not value else hit[1])


def _wrap_op(info, replace):
    policy = CPU_POLICY.get(info.name)
    if policy is None or getattr(info.func, "_ember_autocast", None) is not None:
        return
    public = info.func
    raw = getattr(public, "__wrapped__", public)
    for f in (public, raw):
        replace[id(f)] = (f, _wrap(f, policy))
    if public is not raw:
        # as before the install, the public function unwraps to the one ember's code calls
        replace[id(public)][1].__wrapped__ = replace[id(raw)][1]
    info.func = replace[id(public)][1]


def _wrap_registered(info):
    """Wrap an op registered after the install (a lazily imported module's)."""
    replace = {}
    _wrap_op(info, replace)
    if replace:
        _rebind(replace)


def _install():
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    from ember.ops.registry import AFTER_REGISTER, OPS

    replace = {}
    for info in OPS.values():
        _wrap_op(info, replace)
    _rebind(replace)
    AFTER_REGISTER.append(_wrap_registered)


def _cache_enabled():
    from ember._config import _STATE as config

    return config["autocast_cache"]


# --- the region ---------------------------------------------------------------------------------

class autocast:
    """Region (or decorated function) where the listed ops run in a lower-precision dtype.

    Args:
        device_type (str): ``"cpu"`` or ``"cuda"``.
        dtype: the lower-precision dtype (default ``bfloat16`` on CPU; CPU takes bfloat16 or
            float16, and warns and disables itself for another dtype, as torch does).
        enabled (bool): whether the region is active.
        cache_enabled (bool): whether casts of parameters are made once per region (default:
            ``torch.is_autocast_cache_enabled()``).

    Example::

        >>> import ember
        >>> layer = ember.nn.Linear(3, 2)
        >>> with ember.autocast("cpu"):
        ...     y = layer(ember.ones(4, 3))
        >>> y.dtype
        ember.bfloat16
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError("Expected `device_type` of type `str`, got: `%s`" % type(device_type))
        _device(device_type)
        self.device = device_type
        self.fast_dtype = dtype
        self._cache_enabled = cache_enabled
        # no dtype: the device's current one (set_autocast_dtype, or an outer region's)
        name = str(get_autocast_dtype(device_type) if dtype is None else dtype).rpartition(".")[2]
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
            enabled = False
        elif enabled and device_type == "cpu" and name is not None and name not in _CPU_DTYPES:
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            enabled = False
        self._enabled = enabled
        self._name = name

    def __enter__(self):
        from ember._config import _STATE as config

        self._prev = _STATE.get(self.device)
        self._prev_cache = config["autocast_cache"]
        if self._cache_enabled is not None:
            config["autocast_cache"] = bool(self._cache_enabled)
        _NESTING[0] += 1
        set_state(self.device, self._enabled, self._name)
        return self

    def __exit__(self, *exc):
        from ember._config import _STATE as config

        set_state(self.device, *(self._prev or (None, None)))
        config["autocast_cache"] = self._prev_cache
        _NESTING[0] -= 1
        if not _NESTING[0]:
            _CACHE.clear()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def run_in_region(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return run_in_region


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom Function's ``forward`` under autocast: with ``cast_inputs``, its
    floating tensor arguments are cast to that dtype and it runs with autocast off (as torch);
    without, it runs as written."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    if cast_inputs is None:
        return fwd

    @functools.wraps(fwd)
    def forward(*args, **kwargs):
        if not is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)

        def cast(t):
            return t.to(cast_inputs) if _floating(t) else t

        args = [_map(a, cast) for a in args]
        kwargs = {k: _map(v, cast) for k, v in kwargs.items()}
        with autocast(device_type, enabled=False):
            return fwd(*args, **kwargs)

    return forward


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom Function's ``backward`` under autocast: ember runs it as written."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
