"""Unfold (im2col) and Fold (col2im) layers."""
from ember.nn import functional as F
from ember.nn.modules.module import Module

__all__ = ["Unfold", "Fold"]


class Fold(Module):
    """Combine an array of sliding local blocks into an image, summing overlaps.

    Args:
        output_size: the spatial size ``(H, W)`` of the output.
        kernel_size, dilation, padding, stride: as in ``nn.Unfold``.

    Shape:
        - Input: ``(N, C * prod(kernel_size), L)`` or ``(C * prod(kernel_size), L)``
        - Output: ``(N, C, H, W)`` or ``(C, H, W)``

    Example:
        >>> import ember
        >>> Fold((4, 5), 2)(ember.ones(1, 12, 12)).shape
        ember.Size([1, 3, 4, 5])
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self):
        return ("output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, "
                "padding={padding}, stride={stride}".format(**self.__dict__))


class Unfold(Module):
    """Extract sliding local blocks from a batch of images (im2col).

    Args:
        kernel_size: the size of each block.
        dilation: spacing between the block's elements. padding: implicit zeros on both
            sides. stride: the step between blocks.

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``
        - Output: ``(N, C * prod(kernel_size), L)`` or ``(C * prod(kernel_size), L)``

    Example:
        >>> import ember
        >>> Unfold(2)(ember.ones(1, 3, 4, 5)).shape
        ember.Size([1, 12, 12])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ("kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}".format(**self.__dict__))
