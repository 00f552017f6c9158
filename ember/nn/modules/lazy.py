"""Lazy modules: ``nn.LazyLinear(out)`` and friends learn their input size on the first call.

Until then their parameters (and buffers) are ``UninitializedParameter``/``UninitializedBuffer``
placeholders; the first ``forward`` builds the module it stands for (``cls_to_become``) with the
inferred size, initialises it exactly as that module's constructor does, moves the values into
the placeholder objects (so an optimizer made before the first call holds the real parameters,
as in torch) and turns the module into that class: a ``LazyLinear`` becomes a ``Linear``.
"""
import warnings

from ember.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from ember.nn.modules.conv import (
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
)
from ember.nn.modules.linear import Linear
from ember.nn.modules.normalization import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from ember.nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = ["LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d",
           "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
           "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class LazyModuleMixin:
    """Shared behaviour of the lazy modules (see the module doc).

    A lazy class sets ``cls_to_become`` and ``_infer(input)`` (the size its constructor lacks);
    its constructor passes the remaining arguments to ``_lazy_setup``.
    """

    cls_to_become = None

    def _lazy_setup(self, *args, **kwargs):
        self.__dict__["_lazy_args"] = (args, kwargs)
        with warnings.catch_warnings():  # torch's zero-size construction, without its warnings
            warnings.simplefilter("ignore")
            self.cls_to_become.__init__(self, 0, *args, **kwargs)
        for name, param in list(self._parameters.items()):
            if param is not None:
                self._parameters[name] = UninitializedParameter(param.requires_grad)
        for name, buf in list(self._buffers.items()):
            if buf is not None and buf.dim() > 0:
                self._buffers[name] = UninitializedBuffer()

    def has_uninitialized_params(self):
        return any(isinstance(t, (UninitializedParameter, UninitializedBuffer))
                   for t in list(self._parameters.values()) + list(self._buffers.values()))

    def initialize_parameters(self, input, *args, **kwargs):
        """Build the module for ``input``'s size and take its initial values."""
        lazy_args, lazy_kwargs = self.__dict__["_lazy_args"]
        built = self.cls_to_become(self._infer(input), *lazy_args, **lazy_kwargs)
        for table, real in ((self._parameters, built._parameters),
                            (self._buffers, built._buffers)):
            for name, placeholder in list(table.items()):
                value = real[name]
                if isinstance(placeholder, (UninitializedParameter, UninitializedBuffer)):
                    placeholder.materialize(value)
                    real[name] = placeholder
        self.__dict__.update({k: v for k, v in built.__dict__.items()
                              if k not in ("_lazy_args", "training")})
        self.__dict__.pop("_lazy_args", None)
        self.__class__ = self.cls_to_become

    def forward(self, input, *args, **kwargs):
        self.initialize_parameters(input, *args, **kwargs)
        return self.forward(input, *args, **kwargs)

    def _get_name(self):
        return "Lazy" + self.cls_to_become.__name__


def _lazy(base, infer, doc, init=None):
    """A lazy version of ``base`` whose missing first constructor argument is ``infer(input)``."""
    def __init__(self, *args, **kwargs):
        self._lazy_setup(*args, **kwargs)

    return type("Lazy" + base.__name__, (LazyModuleMixin, base), {
        "__init__": init or __init__, "cls_to_become": base, "_infer": staticmethod(infer),
        "__doc__": doc % base.__name__, "__module__": __name__})


def _channels(spatial):
    # batched input is (N, C, *spatial); unbatched (C, *spatial)
    return lambda input: input.shape[1] if input.dim() == spatial + 2 else input.shape[0]


_DOC = "``%s`` whose input size is taken from the first input."
LazyLinear = _lazy(Linear, lambda input: input.shape[-1], _DOC)
LazyConv1d = _lazy(Conv1d, _channels(1), _DOC)
LazyConv2d = _lazy(Conv2d, _channels(2), _DOC)
LazyConv3d = _lazy(Conv3d, _channels(3), _DOC)
LazyConvTranspose1d = _lazy(ConvTranspose1d, _channels(1), _DOC)
LazyConvTranspose2d = _lazy(ConvTranspose2d, _channels(2), _DOC)
LazyConvTranspose3d = _lazy(ConvTranspose3d, _channels(3), _DOC)
LazyBatchNorm1d = _lazy(BatchNorm1d, lambda input: input.shape[1], _DOC)
LazyBatchNorm2d = _lazy(BatchNorm2d, lambda input: input.shape[1], _DOC)
LazyBatchNorm3d = _lazy(BatchNorm3d, lambda input: input.shape[1], _DOC)


def _instance_norm_init(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                        device=None, dtype=None, *, bias=True):
    # torch's lazy instance norms default to affine=True, track_running_stats=True
    self._lazy_setup(eps, momentum, affine, track_running_stats, device, dtype, bias=bias)


LazyInstanceNorm1d = _lazy(InstanceNorm1d, _channels(1), _DOC, _instance_norm_init)
LazyInstanceNorm2d = _lazy(InstanceNorm2d, _channels(2), _DOC, _instance_norm_init)
LazyInstanceNorm3d = _lazy(InstanceNorm3d, _channels(3), _DOC, _instance_norm_init)

del Buffer, Parameter
