"""``pixel_shuffle`` and ``pixel_unshuffle``."""
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn


def pixel_shuffle(input, upscale_factor):
    """``(*, C r^2, H, W)`` to ``(*, C, H r, W r)``."""
    r = upscale_factor
    if input._data.ndim < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           "input with %d dimension(s)" % input._data.ndim)
    *lead, c, h, w = input._data.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           "by the square of upscale_factor, but input.size(-3)=%d is not "
                           "divisible by %d" % (c, r * r))
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


register_nn("pixel_shuffle", pixel_shuffle, lambda dt: iter([SampleInput(T(2, 8, 2, 3), 2),
                                                     SampleInput(T(9, 2, 2), 3)]),
    lambda: iter([ErrorInput(SampleInput(T(1, 3, 2, 2), 2), RuntimeError, "divisible")]))


def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H r, W r)`` to ``(*, C r^2, H, W)``."""
    r = downscale_factor
    if input._data.ndim < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but got "
                           "input with %d dimension(s)" % input._data.ndim)
    *lead, c, h, w = input._data.shape
    if h % r or w % r:
        raise RuntimeError("pixel_unshuffle expects height and width to be divisible by "
                           "downscale_factor, but input.size(-2)=%d and input.size(-1)=%d" % (h, w))
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


register_nn("pixel_unshuffle", pixel_unshuffle, lambda dt: iter([
    SampleInput(T(2, 2, 4, 6), 2), SampleInput(T(1, 2, 4, 4), 2), SampleInput(T(3, 6, 3), 3)]))


def channel_shuffle(input, groups):
    """``(N, g k, *)`` to ``(N, k g, *)``: the channels of the ``groups`` groups interleaved
    (channel ``i k + j`` goes to ``j g + i``), as in ShuffleNet."""
    shape = input._data.shape
    if input._data.ndim <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           "sizes [%s]" % ", ".join(map(str, shape)))
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           "groups:%d" % groups)
    c = shape[1]
    if c % groups:
        raise RuntimeError("Number of channels must be divisible by groups. Got %d channels and "
                           "%d groups." % (c, groups))
    x = input.reshape(shape[0], groups, c // groups, *shape[2:])
    return x.transpose(1, 2).reshape(shape)


register_nn("channel_shuffle", channel_shuffle, lambda dt: iter([
    SampleInput(T(2, 6, 3, 3), 2), SampleInput(T(1, 6, 4), 3), SampleInput(T(2, 4, 2, 2, 2), 4),
    SampleInput(T(1, 5, 3), 1)]),
    lambda: iter([ErrorInput(SampleInput(T(1, 5, 3), 2), RuntimeError, "divisible by groups"),
                  ErrorInput(SampleInput(T(2, 6), 2), RuntimeError, "> 2 dims"),
                  ErrorInput(SampleInput(T(1, 4, 2), 0), RuntimeError, "must be positive")]))
