"""``make_tensor``: a random tensor for tests, with torch's default value ranges."""
from ember._backend import np

__all__ = ["make_tensor"]


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` with values drawn uniformly from ``[low, high)``.

    Defaults follow torch: floating dtypes draw from ``[-9, 9)``, signed integers from
    ``[-9, 10)``, ``uint8`` from ``[0, 10)``, bools are random. ``exclude_zero`` replaces zeros
    by the smallest positive step (torch's ``eps`` for floats, 1 for integers).
    """
    import ember
    from ember.random import _rng

    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if low is not None and high is not None and low > high:
        raise ValueError("`low` must be less than or equal to `high`, but got %s > %s"
                         % (low, high))
    rng = _rng(None)
    if dtype == ember.bool:
        values = rng.integers(0, 2, size=shape).astype(bool)
    elif dtype.is_floating_point:
        lo, hi = (-9.0 if low is None else low), (9.0 if high is None else high)
        values = rng.uniform(lo, hi, size=shape)
        if exclude_zero:
            values[values == 0] = np.finfo(dtype.np).eps
    else:
        lo = (0 if dtype == ember.uint8 else -9) if low is None else int(np.ceil(low))
        hi = 10 if high is None else int(np.ceil(high))
        values = rng.integers(lo, max(hi, lo + 1), size=shape)
        if exclude_zero:
            values[values == 0] = 1
    result = ember.tensor(values, dtype=dtype, device=device)
    if noncontiguous and result.numel() > 1:
        result = ember.repeat_interleave(result, 2, dim=-1)[..., ::2]
    return result.requires_grad_(requires_grad)
