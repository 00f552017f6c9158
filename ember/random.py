"""Random numbers: ``Generator``, ``manual_seed``/``seed``/``initial_seed`` and the random
creation functions (rand, randn, randint, randperm, normal, bernoulli, binomial, poisson,
multinomial, in-place ``uniform_``/``normal_``/...).

ember draws from NumPy's PCG64, so a seed reproduces ember's results but not torch's numbers;
distributions and argument rules follow torch. Tested in ``tests/test_random.py``.
"""
import builtins

from ember import _dtype
from ember._backend import np
from ember._tensor import Tensor, _check_device, _make
from ember.ops.creation import _size


class Generator:
    """A random number generator with torch's interface (``manual_seed``, ``get_state``...)."""

    def __init__(self, device="cpu"):
        _check_device(device)
        self.device = device
        self.manual_seed(67280421310721)

    def manual_seed(self, seed):
        seed = builtins.int(seed)
        if seed < -0x8000_0000_0000_0000 or seed > 0xFFFF_FFFF_FFFF_FFFF:
            raise RuntimeError("Overflow when unpacking long")
        self._seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self):
        s = builtins.int.from_bytes(__import__("os").urandom(8), "little") >> 1
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        import json

        state = json.dumps(self._rng.bit_generator.state).encode()
        return _make(np.frombuffer(state, dtype=np.uint8).copy())

    def set_state(self, new_state):
        import json

        arr = new_state._data if isinstance(new_state, Tensor) else np.asarray(new_state)
        self._rng.bit_generator.state = json.loads(arr.astype(np.uint8).tobytes().decode())
        return self

    def __getstate__(self):
        return {"seed": self._seed, "state": self._rng.bit_generator.state}

    def __setstate__(self, d):
        self.device = "cpu"
        self.manual_seed(d["seed"])
        self._rng.bit_generator.state = d["state"]


default_generator = Generator()


def manual_seed(seed):
    """Seed ember's default generator; returns it, like torch."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _rng(generator):
    return (generator or default_generator)._rng


def _float_dtype(dtype, kernel="check_uniform_bounds", complex_ok=False):
    d = _dtype.get_default_dtype() if dtype is None else _dtype.as_dtype(dtype)
    if not (d.is_floating_point or complex_ok and d.is_complex):
        from ember._tensor_str import dtype_word

        raise NotImplementedError('"%s" not implemented for \'%s\'' % (kernel, dtype_word(d.np)))
    return d


def _finish(arr, requires_grad):
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples in [0, 1)."""
    _check_device(device)
    d = _float_dtype(dtype, complex_ok=True)
    shape = _size(args, size, "rand")
    if d.is_complex:
        pairs = _rng(generator).random(shape + (2,), dtype=np.float64 if d.itemsize == 16
                                       else np.float32)
        return _finish(_as_complex(pairs, d), requires_grad)
    return _finish(_rng(generator).random(shape, dtype=np.float64 if d.np.itemsize == 8
                                          else np.float32).astype(d.np, copy=False),
                   requires_grad)


def _as_complex(pairs, d):
    """Complex numbers of dtype ``d`` from the last axis (real, imaginary) of ``pairs``."""
    return pairs.view(d.np)[..., 0]


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Returns a tensor of samples of the standard normal distribution (mean 0, variance 1).

    Args:
        *size (int or tuple of ints): the shape.
        generator (Generator, optional): the source (default: the global one, ``manual_seed``).
        dtype (ember.dtype, optional): a floating dtype; default: the default dtype.
        requires_grad (bool): record operations on the result. Default: ``False``.

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> x = ember.randn(2, 3)
        >>> x.shape, x.dtype
        (ember.Size([2, 3]), ember.float32)
        >>> _ = ember.manual_seed(0)
        >>> bool((ember.randn(2, 3) == x).all())
        True
    """
    _check_device(device)
    d = _float_dtype(dtype, "normal_kernel_cpu", complex_ok=True)
    if d.is_complex:
        # torch's complex normal: real and imaginary parts each of variance 1/2
        pairs = _rng(generator).standard_normal(
            _size(args, size, "randn") + (2,), dtype=np.float64 if d.itemsize == 16
            else np.float32)
        return _finish(_as_complex(pairs * pairs.dtype.type(0.5 ** 0.5), d), requires_grad)
    return _finish(_rng(generator).standard_normal(
        _size(args, size, "randn"), dtype=np.float64 if d.np.itemsize == 8 else np.float32).astype(
            d.np, copy=False), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Integers in [low, high); ``randint(high, size)`` and ``randint(low, high, size)``."""
    _check_device(device)
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError("random_ expects 'from' to be less than 'to', but got from=%d >= to=%d"
                           % (low, high))
    d = _dtype.int64 if dtype is None else _dtype.as_dtype(dtype)
    return _finish(_rng(generator).integers(low, high, size=_size((size,)) if isinstance(
        size, builtins.int) else _size(size)).astype(d.np), requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    _check_device(device)
    if n < 0:
        raise RuntimeError("n must be non-negative, got%d" % n)
    d = _dtype.int64 if dtype is None else _dtype.as_dtype(dtype)
    return _finish(_rng(generator).permutation(builtins.int(n)).astype(d.np), requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                 generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype,
                   generator=generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    """Normal samples; ``mean``/``std`` may be tensors (broadcast) or numbers with ``size``."""
    rng = _rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if (np.asarray(s) < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        dt = (mean if isinstance(mean, Tensor) else std)._data.dtype
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        return _make((m + s * rng.standard_normal(shape)).astype(dt))
    if size is None:
        raise TypeError("normal() missing required argument 'size'")
    if std < 0:
        raise RuntimeError("normal expects std >= 0.0, but found std %s" % std)
    d = _float_dtype(dtype, "normal_kernel_cpu")
    return _finish((mean + std * rng.standard_normal(_size((size,)) if isinstance(
        size, builtins.int) else _size(size))).astype(d.np), requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (or ``p``), else 0, in ``input``'s dtype."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return _make((_rng(generator).random(input._data.shape) < probs).astype(input._data.dtype))


def poisson(input, generator=None):
    return _make(_rng(generator).poisson(input._data).astype(input._data.dtype))


def binomial(count, prob, generator=None):
    """Draws of Binomial(count, prob), elementwise (float tensors of the same shape)."""
    for name, t in (("count", count), ("prob", prob)):
        if t._data.dtype.kind != "f":
            from ember._tensor_str import dtype_word

            raise ValueError("binomial only supports floating-point dtypes for %s, got: %s"
                             % (name, dtype_word(t._data.dtype)))
    draws = _rng(generator).binomial(count._data.astype(np.int64), np.clip(prob._data, 0, 1))
    return _make(draws.astype(count._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of ``input`` (non-negative weights, need not sum to 1)."""
    probs = input._data.astype(np.float64)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = probs.reshape(-1, probs.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rng = _rng(generator)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and np.count_nonzero(row) < num_samples:
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not "
                               "enough non-negative category to sample)")
        out[i] = rng.choice(row.size, size=num_samples, replace=replacement, p=row / total)
    return _make(out.reshape(probs.shape[:-1] + (num_samples,)))


# --- in-place samplers, attached to Tensor -------------------------------------------------------

def _fill_random(self, values):
    from ember.ops.inplace import write_result

    if self._requires_grad and self._grad_fn is None:
        from ember.autograd.grad_mode import _State

        if _State.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
    write_result(self, _make(np.asarray(values).astype(self._data.dtype, copy=False)), False)
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    return _fill_random(self, _rng(generator).uniform(a, b, self._data.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    return _fill_random(self, mean + std * _rng(generator).standard_normal(self._data.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    probs = p._data if isinstance(p, Tensor) else p
    return _fill_random(self, _rng(generator).random(self._data.shape) < probs)


def exponential_(self, lambd=1.0, *, generator=None):
    return _fill_random(self, _rng(generator).exponential(1.0 / lambd, self._data.shape))


def geometric_(self, p, *, generator=None):
    return _fill_random(self, _rng(generator).geometric(p, self._data.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill_random(self, _rng(generator).lognormal(mean, std, self._data.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill_random(self, median + sigma * _rng(generator).standard_cauchy(self._data.shape))


def random_(self, from_=0, to=None, *, generator=None):
    if to is None:
        if self._data.dtype.kind == "f":
            to = 2 ** np.finfo(self._data.dtype).nmant + 1
        elif self._data.dtype.kind == "b":
            to = 2
        else:
            to = np.iinfo(self._data.dtype).max
    return _fill_random(self, _rng(generator).integers(from_, to, self._data.shape))


for _fn in (uniform_, normal_, bernoulli_, exponential_, geometric_, log_normal_, cauchy_,
            random_):
    setattr(Tensor, _fn.__name__, _fn)
Tensor.bernoulli = bernoulli
Tensor.multinomial = multinomial
