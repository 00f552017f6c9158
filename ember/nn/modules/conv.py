"""Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d, as ``torch.nn``."""
import math

import ember
from ember.nn import init
from ember.nn import functional as F
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter
from ember.ops.nn.padding import _mode_pad
from ember.nn.modules.utils import _ntuple

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


class _ConvNd(Module):
    """Shared allocation, initialisation and ``extra_repr`` of the convolution layers."""

    _nd = 0

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 transposed, output_padding, groups, bias, padding_mode, device=None,
                 dtype=None):
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size = _ntuple(nd)(kernel_size)
        stride = _ntuple(nd)(stride)
        dilation = _ntuple(nd)(dilation)
        if isinstance(padding, str):
            valid = {"same", "valid"}
            if padding not in valid:
                raise ValueError("Invalid padding string %r, should be one of %s"
                                 % (padding, valid))
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(nd)(padding)
        if padding_mode not in _PADDING_MODES:
            raise ValueError("padding_mode must be one of %s, but got padding_mode='%s'"
                             % (_PADDING_MODES, padding_mode))
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = _ntuple(nd)(output_padding)
        self.groups = groups
        self.padding_mode = padding_mode
        # (lo, hi) per spatial dim, used when padding_mode is not 'zeros'
        if isinstance(padding, str):
            if padding == "same":
                total = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
                self._mode_pads = tuple((t // 2, t - t // 2) for t in total)
            else:
                self._mode_pads = ((0, 0),) * nd
        else:
            self._mode_pads = tuple((p, p) for p in padding)
        if transposed:
            shape = (in_channels, out_channels // groups) + kernel_size
        else:
            shape = (out_channels, in_channels // groups) + kernel_size
        self.weight = Parameter(ember.empty(shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(ember.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # kaiming_uniform_ with a=sqrt(5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = "%s, %s, kernel_size=%s, stride=%s" % (self.in_channels, self.out_channels,
                                                   self.kernel_size, self.stride)
        if self.padding != (0,) * len(self.padding):
            s += ", padding=%s" % (self.padding,)
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation=%s" % (self.dilation,)
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding=%s" % (self.output_padding,)
        if self.groups != 1:
            s += ", groups=%s" % self.groups
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode=%s" % self.padding_mode
        return s


class _Conv(_ConvNd):
    _fn = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype)

    def _conv_forward(self, input, weight, bias):
        fn = type(self)._fn
        if self.padding_mode != "zeros":
            padded = _mode_pad(input, self._mode_pads, self.padding_mode)
            return fn(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-d convolution over ``(N, C_in, L)`` (or unbatched ``(C_in, L)``).

    Args:
        in_channels, out_channels: channels of input and output.
        kernel_size, stride, padding, dilation: ints or 1-tuples; ``padding`` may be
            ``'valid'`` or ``'same'``.
        groups: blocked connections from input to output channels. Default: 1.
        bias: learn an additive bias. Default: ``True``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        - Input: ``(N, C_in, L_in)``; Output: ``(N, C_out, L_out)`` with
          ``L_out = (L_in + 2*padding - dilation*(kernel_size-1) - 1) // stride + 1``.
    """

    _nd = 1
    _fn = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """2-d convolution over ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``).

    Weight ``(out_channels, in_channels/groups, kH, kW)`` and bias start as
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), ``fan_in = in_channels/groups * kH * kW``.

    Args:
        in_channels: channels of the input.
        out_channels: channels the convolution produces.
        kernel_size: size of the kernel, an int or a pair.
        stride: step of the kernel. Default: 1.
        padding: zeros added on each side, an int, a pair, ``'valid'`` or ``'same'``. Default: 0.
        dilation: spacing between kernel elements. Default: 1.
        groups: blocked connections from input to output channels. Default: 1.
        bias: learn an additive bias. Default: ``True``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        - Input: ``(N, C_in, H_in, W_in)`` or ``(C_in, H_in, W_in)``.
        - Output: ``(N, C_out, H_out, W_out)`` with
          ``H_out = (H_in + 2*padding[0] - dilation[0]*(kernel_size[0]-1) - 1) // stride[0] + 1``
          (``W_out`` likewise).

    Example::

        >>> import ember
        >>> m = ember.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        >>> m(ember.randn(4, 3, 32, 32)).shape
        ember.Size([4, 8, 16, 16])
    """

    _nd = 2
    _fn = staticmethod(F.conv2d)


class Conv3d(_Conv):
    """3-d convolution over ``(N, C_in, D, H, W)``."""

    _nd = 3
    _fn = staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    _fn = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError('Only "zeros" padding mode is supported for %s'
                             % type(self).__name__)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        nd = self._nd
        non_spatial = 2 if input.dim() == nd + 2 else 1
        output_size = tuple(output_size)
        if len(output_size) == non_spatial + nd:
            output_size = output_size[non_spatial:]
        if len(output_size) != nd:
            raise ValueError("ConvTranspose%dD: for %dD input, output_size must have %d or %d "
                             "elements (got %d)" % (nd, input.dim(), nd, non_spatial + nd,
                                                     len(output_size)))
        res = []
        for d in range(nd):
            lo = ((input.shape[d + non_spatial] - 1) * self.stride[d] - 2 * self.padding[d]
                  + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            hi = lo + self.stride[d] - 1
            if not lo <= output_size[d] <= hi:
                raise ValueError("requested an output size of %s, but valid sizes range from "
                                 "%s to %s (for an input of %s)"
                                 % (list(output_size), [lo], [hi], list(input.shape[2:])))
            res.append(output_size[d] - lo)
        return tuple(res)

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size)
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding,
                              output_padding, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-d convolution; weight ``(in_channels, out_channels/groups, k)``.

    ``L_out = (L_in - 1)*stride - 2*padding + dilation*(kernel_size-1) + output_padding + 1``.
    """

    _nd = 1
    _fn = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-d convolution; ``forward(input, output_size=None)`` picks
    ``output_padding`` from a requested size.

    Example::

        >>> import ember
        >>> m = ember.nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1)
        >>> m(ember.randn(1, 8, 16, 16), output_size=[32, 32]).shape
        ember.Size([1, 3, 32, 32])
    """

    _nd = 2
    _fn = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-d convolution."""

    _nd = 3
    _fn = staticmethod(F.conv_transpose3d)
