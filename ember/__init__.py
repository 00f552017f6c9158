"""ember: PyTorch's programming model on NumPy.

``import ember as torch`` runs typical PyTorch code: tensors with autograd, ``ember.nn``,
``ember.optim``, ``ember.utils.data`` and ``ember.vision`` mirror their torch counterparts.
Submodules load on first attribute access, so ``import ember`` stays fast.
"""
import importlib as _importlib
import math as _math

from ember._parallel import get_num_threads, set_num_threads
from ember._dtype import (bool, double, dtype, float, float16, float32, float64, get_default_dtype,
                          half, int, int8, int16, int32, int64, long, promote_types, result_type,
                          set_default_dtype, short, uint8, uint16, uint32, uint64)
from ember._dtype import cdouble, cfloat, complex64, complex128
from ember import _dtype as _dtype_module
from ember._tensor import Size, Tensor, device
from ember._tensor_str import set_printoptions
from ember import autograd
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                      is_inference_mode_enabled, no_grad, set_grad_enabled)
from ember import ops as _ops
from ember.ops.creation import (arange, as_tensor, asarray, empty, empty_like, eye, from_numpy,
                                full, full_like, linspace, logspace, ones, ones_like, range,
                                tensor, zeros, zeros_like)
from ember.ops.creation import (bartlett_window, blackman_window, empty_permuted, empty_strided,
                                frombuffer, hamming_window, hann_window, kaiser_window,
                                scalar_tensor, tril_indices, triu_indices)
from ember.ops.registry import OPS as _OPS
from ember.random import (Generator, bernoulli, binomial, default_generator, get_rng_state,
                          initial_seed, manual_seed, multinomial, normal, poisson, rand, rand_like,
                          randint, randint_like, randn, randn_like, randperm, seed, set_rng_state)
from ember.ops.copying import clone, contiguous
from ember.ops.comparison import allclose, equal, isclose
from ember._legacy import LEGACY_TYPES as _LEGACY_TYPES, set_default_tensor_type
from ember.amp.autocast_mode import autocast, get_autocast_dtype, is_autocast_enabled

__version__ = "0.1.0"

for _name, _info in _OPS.items():
    if not _name.startswith("_") and "." not in _info.torch_name:
        globals()[_name] = _info.func
del _name, _info
globals().update(_LEGACY_TYPES)
from ember._config import (AcceleratorError, FatalError, get_device_module,  # noqa: E402
                           are_deterministic_algorithms_enabled, can_cast,
                           channels_last, channels_last_3d, clear_autocast_cache,
                           contiguous_format, finfo, get_autocast_cpu_dtype,
                           get_autocast_gpu_dtype, get_deterministic_debug_mode,
                           get_float32_matmul_precision, get_num_interop_threads, iinfo,
                           is_anomaly_check_nan_enabled, is_anomaly_enabled,
                           is_autocast_cache_enabled, is_autocast_cpu_enabled,
                           is_deterministic_algorithms_warn_only_enabled, is_warn_always_enabled,
                           layout, legacy_contiguous_format, memory_format, preserve_format,
                           set_anomaly_enabled, set_autocast_cache_enabled,
                           set_autocast_cpu_dtype, set_autocast_cpu_enabled, set_autocast_dtype,
                           set_autocast_enabled, set_autocast_gpu_dtype,
                           set_deterministic_debug_mode, set_float32_matmul_precision,
                           set_flush_denormal, set_num_interop_threads, set_warn_always, strided,
                           typename, use_deterministic_algorithms)
from ember.ops.indexing import nonzero_static, unravel_index  # noqa: E402
from ember.ops.comparison import isin  # noqa: E402
from ember.ops.sorting import unique_consecutive  # noqa: E402
from ember.ops.statistics import histogram, histogramdd  # noqa: E402
from ember.ops import aliases as _aliases  # noqa: E402
globals().update(_aliases.INPLACE)
globals().update((_name, getattr(_aliases, _name)) for _name in _aliases.NN_SPELLINGS
                 + _aliases.FUNCTION_FORMS)
from ember.ops.nn.rnn import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell  # noqa: E402
split_with_sizes = _OPS["split_with_sizes"].func
# creation functions are not registry ops: the argument rule (out=) applies to them here
from ember.ops._arguments import public_function as _public  # noqa: E402
for _name in ("zeros", "ones", "empty", "full", "arange", "range", "linspace", "logspace", "eye"):
    globals()[_name] = _public(globals()[_name])

pi, e, inf, nan, newaxis = _math.pi, _math.e, _math.inf, _math.nan, None

_LAZY = {"nn", "optim", "utils", "vision", "linalg", "serialization", "cuda", "backends",
         "return_types", "func", "onnx", "distributions"}
_LAZY.update(("accelerator", "amp", "hub", "jit", "mps", "testing", "profiler",
              "multiprocessing", "distributed", "cpu", "functional", "version", "torch_version"))

# names defined in modules that ``import ember`` does not load
_LAZY_ATTRS = {"Event": "ember.cpu", "Stream": "ember.cpu", "OutOfMemoryError": "ember.cuda",
               "GradScaler": "ember.amp.grad_scaler", "from_dlpack": "ember.utils.dlpack",
               "to_dlpack": "ember.utils.dlpack"}
_LAZY.add("special")
_LAZY.update(("fft", "signal"))


def __getattr__(name):
    if name == "bfloat16":  # made on first use: it imports the optional ml_dtypes package
        return _dtype_module._bfloat16()
    if name == "vmap":
        from ember.func import vmap

        return vmap
    if name in _LAZY:
        return _importlib.import_module("ember." + name)
    if name in _LAZY_ATTRS:
        return getattr(_importlib.import_module(_LAZY_ATTRS[name]), name)
    raise AttributeError("module 'ember' has no attribute %r" % name)


def is_tensor(obj):
    """True if ``obj`` is an ember Tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def is_nonzero(input):
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with %s is ambiguous"
                           % ("no values" if input.numel() == 0 else "more than one value"))
    return input.item() != 0


def get_device(input):
    return -1


def is_distributed(input):
    """Whether ``input`` is a distributed tensor (torch's legacy query): False for every tensor,
    as for torch's CPU tensors; a non-tensor is torch's TypeError."""
    if not isinstance(input, Tensor):
        raise TypeError("is_distributed(): argument 'input' (position 1) must be Tensor, not %s"
                        % type(input).__name__)
    return False




def save(obj, f, *args, **kwargs):
    """Save ``obj`` in PyTorch's checkpoint format (see ``ember.serialization.save``)."""
    from ember.serialization import save as _save

    return _save(obj, f, *args, **kwargs)


def load(f, *args, **kwargs):
    """Load a checkpoint saved by ember or torch (see ``ember.serialization.load``)."""
    from ember.serialization import load as _load

    return _load(f, *args, **kwargs)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """``torch.compile``: returns ``model`` itself, which runs eagerly with the same results.

    Compiling is an optimization ember has no use for (there is no graph to compile on eager
    NumPy), so every option is accepted and changes nothing. Without ``model`` it is a decorator.
    """
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                  mode=mode, options=options, disable=disable)
    if not callable(model):
        raise AssertionError("A callable function is expected, but %s is provided."
                             % type(model))
    return model


def set_default_device(device):
    """Make ``device`` the default for new tensors: only the CPU exists here, so ``"cpu"`` (or
    None) is accepted and any other device raises the error moving a tensor there raises."""
    from ember._tensor import _check_device

    _check_device(device)


def get_default_device():
    from ember._tensor import _CPU

    return _CPU
