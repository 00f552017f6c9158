"""``torch.nn.grad``: the gradients of a convolution with respect to its input and its weight,
given the gradient of its output (what custom convolution layers call in their backward).

Each is the convolution's own backward, run through autograd on a stand-in for the tensor whose
shape alone is given.
"""
import ember
from ember import autograd
from ember.autograd.grad_mode import enable_grad
from ember.nn.functional import conv1d, conv2d, conv3d

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input",
           "conv3d_weight"]


def _grad(conv, input, weight, grad_output, which, stride, padding, dilation, groups):
    """The gradient w.r.t. ``input`` (which 0) or ``weight`` (which 1) of ``conv``."""
    keep_graph = grad_output.requires_grad or (input if which else weight).requires_grad
    with enable_grad():
        out = conv(input, weight, None, stride, padding, dilation, groups)
        target = (input, weight)[which]
        return autograd.grad(out, target, grad_output, create_graph=keep_graph)[0]


def _input_grad(conv):
    def input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
        stand_in = ember.zeros(tuple(input_size), dtype=grad_output.dtype, requires_grad=True)
        return _grad(conv, stand_in, weight, grad_output, 0, stride, padding, dilation, groups)

    input_grad.__name__ = input_grad.__qualname__ = conv.__name__ + "_input"
    input_grad.__doc__ = ("The gradient of ``%s`` w.r.t. an input of shape ``input_size``, "
                          "given ``weight`` and the output gradient ``grad_output``."
                          % conv.__name__)
    return input_grad


def _weight_grad(conv):
    def weight_grad(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
        stand_in = ember.zeros(tuple(weight_size), dtype=grad_output.dtype, requires_grad=True)
        return _grad(conv, input, stand_in, grad_output, 1, stride, padding, dilation, groups)

    weight_grad.__name__ = weight_grad.__qualname__ = conv.__name__ + "_weight"
    weight_grad.__doc__ = ("The gradient of ``%s`` w.r.t. a weight of shape ``weight_size``, "
                           "given ``input`` and the output gradient ``grad_output``."
                           % conv.__name__)
    return weight_grad


conv1d_input, conv1d_weight = _input_grad(conv1d), _weight_grad(conv1d)
conv2d_input, conv2d_weight = _input_grad(conv2d), _weight_grad(conv2d)
conv3d_input, conv3d_weight = _input_grad(conv3d), _weight_grad(conv3d)
