"""Random benchmark inputs, as ``torch.utils.benchmark``'s fuzzers: ``FuzzedParameter`` draws
a value, ``ParameterAlias`` reuses another parameter's, ``FuzzedTensor`` builds a tensor whose
sizes/strides/layout come from the parameters, and ``Fuzzer.take(n)`` yields ``n`` input sets.

The parameters and layouts come from ``numpy.random.RandomState(seed)`` exactly as torch's do,
so a seed gives the same sizes, steps, orders and parameter values as in torch; the tensor
values come from ember's generator (seeded from the same stream), not torch's.
"""
import functools
import itertools

from ember._backend import np

__all__ = ["Fuzzer", "FuzzedParameter", "ParameterAlias", "FuzzedTensor"]

_DISTRIBUTIONS = ("loguniform", "uniform")


class FuzzedParameter:
    """A parameter drawn ``"uniform"``ly (ints if both bounds are ints), ``"loguniform"``ly
    (ints), or from a ``{value: probability}`` dict; ``strict`` keeps its first draw across
    rejected candidates."""

    def __init__(self, name, minval=None, maxval=None, distribution=None, strict=False):
        self._name = name
        self._minval, self._maxval = minval, maxval
        self._distribution = self._check_distribution(distribution)
        self.strict = strict

    @property
    def name(self):
        return self._name

    def sample(self, state):
        if self._distribution == "loguniform":
            return self._loguniform(state)
        if self._distribution == "uniform":
            return self._uniform(state)
        if isinstance(self._distribution, dict):
            return self._custom_distribution(state)

    def _check_distribution(self, distribution):
        if not isinstance(distribution, dict):
            if distribution not in _DISTRIBUTIONS:
                raise AssertionError("Unknown distribution: %s" % (distribution,))
        else:
            if any(p < 0 for p in distribution.values()):
                raise AssertionError("Probabilities cannot be negative")
            # torch's check is inverted: a normalized distribution is what it refuses
            if not abs(sum(distribution.values()) - 1) > 1e-5:
                raise AssertionError("Distribution is not normalized")
            if self._minval is not None:
                raise AssertionError("When passing a custom distribution, 'minval' must be None")
            if self._maxval is not None:
                raise AssertionError("When passing a custom distribution, 'maxval' must be None")
        return distribution

    def _loguniform(self, state):
        low = np.log2(self._minval) if self._minval is not None else None
        high = np.log2(self._maxval) if self._maxval is not None else None
        output = int(2 ** state.uniform(low=low, high=high))
        if self._minval is not None and output < self._minval:
            return self._minval
        if self._maxval is not None and output > self._maxval:
            return self._maxval
        return output

    def _uniform(self, state):
        if isinstance(self._minval, int) and isinstance(self._maxval, int):
            return int(state.randint(low=self._minval, high=self._maxval + 1))
        return state.uniform(low=self._minval, high=self._maxval)

    def _custom_distribution(self, state):
        index = state.choice(np.arange(len(self._distribution)),
                             p=tuple(self._distribution.values()))
        return list(self._distribution.keys())[index]


class ParameterAlias:
    """Stands for the value of the parameter named ``alias_to``."""

    def __init__(self, alias_to):
        self.alias_to = alias_to

    def __repr__(self):
        return "ParameterAlias[alias_to: %s]" % (self.alias_to,)


def dtype_size(dtype):
    """Bytes per element of ``dtype``."""
    import ember

    if dtype == ember.bool:
        return 1
    info = ember.finfo(dtype) if dtype.is_floating_point else ember.iinfo(dtype)
    return int(info.bits / 8)


def prod(values, base=1):
    return functools.reduce(lambda x, y: int(x) * int(y), values, base)


class FuzzedTensor:
    """A tensor of ``size`` (ints or parameter names), allocated ``steps`` times larger and
    sliced with those steps, made non-contiguous (a random dimension order) with probability
    ``1 - probability_contiguous``; candidates outside ``min_elements``/``max_elements``/
    ``max_allocation_bytes`` are rejected. ``dim_parameter`` names the parameter giving the
    rank. ``cuda=True`` needs a GPU (refused when the tensor is made)."""

    def __init__(self, name, size, steps=None, probability_contiguous=0.5, min_elements=None,
                 max_elements=None, max_allocation_bytes=None, dim_parameter=None,
                 roll_parameter=None, dtype=None, cuda=False, tensor_constructor=None):
        import ember

        self._name, self._size, self._steps = name, size, steps
        self._probability_contiguous = probability_contiguous
        self._min_elements, self._max_elements = min_elements, max_elements
        self._max_allocation_bytes = max_allocation_bytes
        self._dim_parameter = dim_parameter
        self._dtype = ember.float32 if dtype is None else dtype
        self._cuda = cuda
        self._tensor_constructor = tensor_constructor

    @property
    def name(self):
        return self._name

    @staticmethod
    def default_tensor_constructor(size, dtype, **kwargs):
        import ember

        if dtype.is_floating_point:
            return ember.rand(size=size, dtype=dtype, device="cpu")
        return ember.randint(1, 127, size=size, dtype=dtype, device="cpu")

    def _make_tensor(self, params, state):
        size, steps, allocation_size = self._get_size_and_steps(params)
        constructor = self._tensor_constructor or self.default_tensor_constructor
        raw = constructor(size=allocation_size, dtype=self._dtype, **params)
        if self._cuda:
            raw = raw.cuda()
        dim = len(size)
        order = np.arange(dim)
        if state.rand() > self._probability_contiguous:
            while dim > 1 and np.all(order == np.arange(dim)):
                order = state.permutation(raw.dim())
            raw = raw.permute(tuple(order)).contiguous()
            raw = raw.permute(tuple(np.argsort(order)))
        tensor = raw[tuple(slice(0, n * step, step) for n, step in zip(size, steps))]
        properties = {"numel": int(tensor.numel()), "order": order, "steps": steps,
                      "is_contiguous": tensor.is_contiguous(),
                      "dtype": str(self._dtype).replace("ember.", "torch.")}
        return tensor, properties

    def _get_size_and_steps(self, params):
        dim = params[self._dim_parameter] if self._dim_parameter is not None else len(self._size)

        def resolve(values):
            values = tuple(params.get(v, v) for v in values)[:dim]
            return values + (1,) * (dim - len(values))

        size, steps = resolve(self._size), resolve(self._steps or ())
        return size, steps, tuple(n * step for n, step in zip(size, steps))

    def satisfies_constraints(self, params):
        size, _, allocation_size = self._get_size_and_steps(params)
        count = prod(size)
        if count < 0:
            raise AssertionError("Computed number of elements is negative")
        allocation_bytes = prod(allocation_size, base=dtype_size(self._dtype))

        def above(left, right):
            return left is not None and right is not None and left > right

        return not (above(count, self._max_elements) or above(self._min_elements, count)
                    or above(allocation_bytes, self._max_allocation_bytes))


class Fuzzer:
    """Draws parameter sets (rejecting those a ``constraints`` function or a tensor's limits
    refuse) and builds the tensors for each; ``seed`` fixes the sequence.

    Example:
        >>> from ember.utils.benchmark import Fuzzer, FuzzedParameter, FuzzedTensor
        >>> fuzzer = Fuzzer(parameters=[FuzzedParameter("n", 4, 16, distribution="uniform")],
        ...                 tensors=[FuzzedTensor("x", size=("n", 3))], seed=0)
        >>> [tuple(x["x"].shape) for x, _, _ in fuzzer.take(3)]
        [(9, 3), (8, 3), (12, 3)]
    """

    def __init__(self, parameters, tensors, constraints=None, seed=None):
        if seed is None:
            seed = int(np.random.RandomState().randint(0, 2 ** 32 - 1, dtype=np.int64))
        self._seed = seed
        self._parameters = Fuzzer._unpack(parameters, FuzzedParameter)
        self._tensors = Fuzzer._unpack(tensors, FuzzedTensor)
        self._constraints = constraints or ()
        overlap = {p.name for p in self._parameters} & {t.name for t in self._tensors}
        if overlap:
            raise ValueError("Duplicate names in parameters and tensors: %s" % (overlap,))
        self._rejections = 0
        self._total_generated = 0

    @staticmethod
    def _unpack(values, cls):
        return tuple(itertools.chain.from_iterable([v] if isinstance(v, cls) else v
                                                   for v in values))

    def take(self, n):
        """Yield ``n`` triples ``(tensors, tensor_properties, params)``."""
        import ember

        state = np.random.RandomState(self._seed)
        ember.manual_seed(int(state.randint(low=0, high=2 ** 63, dtype=np.int64)))
        for _ in range(n):
            params = self._generate(state)
            tensors, properties = {}, {}
            for t in self._tensors:
                tensors[t.name], properties[t.name] = t._make_tensor(params, state)
            yield tensors, properties, params

    @property
    def rejection_rate(self):
        if not self._total_generated:
            return 0.
        return self._rejections / self._total_generated

    def _generate(self, state):
        strict = {}
        for _ in range(1000):
            candidate = {}
            for p in self._parameters:
                if p.strict and p.name in strict:
                    candidate[p.name] = strict[p.name]
                else:
                    candidate[p.name] = p.sample(state)
                    if p.strict:
                        strict[p.name] = candidate[p.name]
            candidate = self._resolve_aliases(candidate)
            self._total_generated += 1
            if not all(f(candidate) for f in self._constraints) or not all(
                    t.satisfies_constraints(candidate) for t in self._tensors):
                self._rejections += 1
                continue
            return candidate
        raise ValueError("Failed to generate a set of valid parameters.")

    @staticmethod
    def _resolve_aliases(params):
        params = dict(params)
        count = sum(isinstance(v, ParameterAlias) for v in params.values())
        while count:
            for k in list(params):
                if isinstance(params[k], ParameterAlias):
                    params[k] = params[params[k].alias_to]
            new_count = sum(isinstance(v, ParameterAlias) for v in params.values())
            if new_count == count:
                raise ValueError("ParameterAlias cycle detected\n%s" % (params,))
            count = new_count
        return params
