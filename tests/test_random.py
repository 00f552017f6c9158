"""Random numbers: seeding and Generator state, and the distributions of rand, randn, randint,
randperm, normal, bernoulli, binomial, multinomial, poisson and the in-place samplers.

ember's stream is NumPy's PCG64, so values are compared with statistics, not with torch's
numbers; argument handling, shapes, dtypes and errors are compared with torch.
"""
import numpy as np
import pytest
import torch

import ember

N = 200_000


def _raises_like(fn_e, fn_t):
    with pytest.raises(Exception) as t_info:
        fn_t()
    with pytest.raises(type(t_info.value)):
        fn_e()


def _meta(e, t):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


# --- seeding ------------------------------------------------------------------------------------

def test_manual_seed_reproduces_every_sampler():
    def draw():
        return [ember.rand(5), ember.randn(2, 2), ember.randint(0, 10, (4,)), ember.randperm(6),
                ember.normal(0.0, 1.0, (3,)), ember.bernoulli(ember.full((4,), 0.5)),
                ember.multinomial(ember.ones(5), 3), ember.empty(3).uniform_()]

    assert isinstance(ember.manual_seed(123), ember.Generator)
    a = draw()
    ember.manual_seed(123)
    b = draw()
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    ember.manual_seed(124)
    assert ember.rand(5).tolist() != a[0].tolist()


def test_initial_seed_and_seed():
    ember.manual_seed(42)
    assert ember.initial_seed() == 42
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s
    ember.manual_seed(-1)
    torch.manual_seed(-1)
    assert ember.initial_seed() == torch.initial_seed()


def test_rng_state_round_trip():
    state = ember.get_rng_state()
    assert isinstance(state, ember.Tensor) and state.dtype is ember.uint8
    a = ember.randn(10)
    ember.set_rng_state(state)
    assert ember.randn(10).tolist() == a.tolist()


def test_generators_are_independent():
    g1 = ember.Generator().manual_seed(7)
    g2 = ember.Generator().manual_seed(7)
    a = ember.rand(4, generator=g1)
    ember.rand(100)  # the default generator must not disturb g2
    ember.manual_seed(99)
    b = ember.rand(4, generator=g2)
    assert a.tolist() == b.tolist()
    assert ember.rand(4, generator=g1).tolist() != a.tolist()
    g3 = ember.Generator().manual_seed(8)
    assert ember.rand(4, generator=g3).tolist() != a.tolist()


def test_generator_state_round_trip_and_initial_seed():
    g = ember.Generator()
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    st = g.get_state()
    x = ember.randint(0, 1000, (20,), generator=g)
    g.set_state(st)
    assert ember.randint(0, 1000, (20,), generator=g).tolist() == x.tolist()
    assert ember.Generator().initial_seed() == torch.Generator().initial_seed()


def test_generator_pickles():
    import pickle

    g = ember.Generator().manual_seed(3)
    ember.rand(3, generator=g)
    h = pickle.loads(pickle.dumps(g))
    assert ember.rand(5, generator=g).tolist() == ember.rand(5, generator=h).tolist()


# --- shapes, dtypes and errors ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["rand", "randn"])
@pytest.mark.parametrize("size", [(), (3,), (2, 3), (0, 2)])
def test_float_samplers_shape_and_dtype(name, size):
    _meta(getattr(ember, name)(size), getattr(torch, name)(size))
    _meta(getattr(ember, name)(*size or (1,), dtype=ember.float64),
          getattr(torch, name)(*size or (1,), dtype=torch.float64))
    e = getattr(ember, name)(2, requires_grad=True)
    assert e.requires_grad and e.is_leaf
    _raises_like(lambda: getattr(ember, name)(2, dtype=ember.int64),
                 lambda: getattr(torch, name)(2, dtype=torch.int64))


@pytest.mark.parametrize("args,kw", [((5, (3,)), {}), ((2, 5, (2, 2)), {}), ((-3, 3, (4,)), {}),
                                     ((10, (3,)), {"dtype": "int32"}),
                                     ((0, 2, (2,)), {"dtype": "float32"})])
def test_randint_shape_dtype(args, kw):
    ek = {k: getattr(ember, v) for k, v in kw.items()}
    tk = {k: getattr(torch, v) for k, v in kw.items()}
    _meta(ember.randint(*args, **ek), torch.randint(*args, **tk))


def test_randint_errors():
    _raises_like(lambda: ember.randint(5, 5, (2,)), lambda: torch.randint(5, 5, (2,)))
    _raises_like(lambda: ember.randint(5), lambda: torch.randint(5))


def test_randperm_shape_dtype_and_errors():
    _meta(ember.randperm(7), torch.randperm(7))
    _meta(ember.randperm(0), torch.randperm(0))
    _meta(ember.randperm(4, dtype=ember.int32), torch.randperm(4, dtype=torch.int32))
    _raises_like(lambda: ember.randperm(-1), lambda: torch.randperm(-1))


def test_normal_forms():
    _meta(ember.normal(2.0, 3.0, (4, 2)), torch.normal(2.0, 3.0, (4, 2)))
    _meta(ember.normal(ember.zeros(3), 1.0), torch.normal(torch.zeros(3), 1.0))
    _meta(ember.normal(0.0, ember.ones(2, 2)), torch.normal(0.0, torch.ones(2, 2)))
    _meta(ember.normal(ember.zeros(3), ember.ones(3)), torch.normal(torch.zeros(3), torch.ones(3)))
    _meta(ember.normal(ember.zeros(3, dtype=ember.float64), 1.0),
          torch.normal(torch.zeros(3, dtype=torch.float64), 1.0))
    _raises_like(lambda: ember.normal(0.0, -1.0, (2,)), lambda: torch.normal(0.0, -1.0, (2,)))
    _raises_like(lambda: ember.normal(0.0, 1.0, (2,), dtype=ember.int64),
                 lambda: torch.normal(0.0, 1.0, (2,), dtype=torch.int64))
    _raises_like(lambda: ember.normal(ember.zeros(2), -ember.ones(2)),
                 lambda: torch.normal(torch.zeros(2), -torch.ones(2)))


def test_bernoulli_forms_and_errors():
    p = ember.full((3, 2), 0.5)
    _meta(ember.bernoulli(p), torch.bernoulli(torch.full((3, 2), 0.5)))
    _meta(p.bernoulli(), torch.full((3, 2), 0.5).bernoulli())
    _meta(ember.bernoulli(ember.zeros(2, dtype=ember.float64)),
          torch.bernoulli(torch.zeros(2, dtype=torch.float64)))
    assert ember.bernoulli(ember.ones(5)).tolist() == [1.0] * 5
    assert ember.bernoulli(ember.zeros(5)).tolist() == [0.0] * 5
    _raises_like(lambda: ember.bernoulli(ember.full((2,), 1.5)),
                 lambda: torch.bernoulli(torch.full((2,), 1.5)))


def test_multinomial_forms_and_errors():
    w = ember.tensor([[0.0, 1.0, 3.0], [1.0, 1.0, 0.0]])
    tw = torch.tensor([[0.0, 1.0, 3.0], [1.0, 1.0, 0.0]])
    _meta(ember.multinomial(w, 2), torch.multinomial(tw, 2))
    _meta(ember.multinomial(w[0], 5, replacement=True), torch.multinomial(tw[0], 5, True))
    out = ember.multinomial(w, 2)
    assert sorted(out[0].tolist()) == [1, 2] and sorted(out[1].tolist()) == [0, 1]
    assert 0 not in ember.multinomial(w[0], 50, replacement=True).tolist()
    for bad in ([[1.0, 1.0]], [-1.0, 2.0], [float("nan"), 1.0]):
        n = 3 if bad == [[1.0, 1.0]] else 1
        _raises_like(lambda: ember.multinomial(ember.tensor(bad), n),
                     lambda: torch.multinomial(torch.tensor(bad), n))
    _raises_like(lambda: ember.multinomial(ember.tensor([0.0, 0.0]), 1),
                 lambda: torch.multinomial(torch.tensor([0.0, 0.0]), 1))


def test_in_place_samplers_keep_shape_dtype_and_refuse_leaves():
    for name, args in (("uniform_", (-1, 1)), ("normal_", (0, 2)), ("bernoulli_", (0.3,)),
                       ("exponential_", (2.0,)), ("random_", (0, 5)), ("cauchy_", ()),
                       ("log_normal_", ()), ("geometric_", (0.5,))):
        e = ember.zeros(3, 2, dtype=ember.float64)
        assert getattr(e, name)(*args) is e and e.dtype is ember.float64 and e.shape == (3, 2)
        _raises_like(lambda: getattr(ember.zeros(2, requires_grad=True), name)(*args),
                     lambda: getattr(torch.zeros(2, requires_grad=True), name)(*args))
    with ember.no_grad():
        w = ember.zeros(3, requires_grad=True)
        w.uniform_(-1, 1)
    assert w.requires_grad and w.is_leaf and w.abs().max().item() <= 1


# --- distributions -------------------------------------------------------------------------------

def test_rand_is_uniform_on_unit_interval():
    x = ember.rand(N).numpy()
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.005 and abs(x.std() - np.sqrt(1 / 12)) < 0.005
    assert np.histogram(x, bins=10, range=(0, 1))[0].min() > N / 10 * 0.95


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_randn_is_standard_normal(dtype):
    x = ember.randn(N, dtype=dtype).numpy().astype(np.float64)
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    assert abs((np.abs(x) < 1).mean() - 0.6827) < 0.005


def test_normal_mean_and_std():
    x = ember.normal(3.0, 2.0, (N,)).numpy()
    assert abs(x.mean() - 3) < 0.02 and abs(x.std() - 2) < 0.02
    x = ember.normal(ember.full((N,), -1.0), ember.full((N,), 0.5)).numpy()
    assert abs(x.mean() + 1) < 0.01 and abs(x.std() - 0.5) < 0.01


def test_randint_covers_the_range_uniformly():
    x = ember.randint(-3, 4, (N,)).numpy()
    assert x.min() == -3 and x.max() == 3
    counts = np.bincount(x + 3)
    assert counts.min() > N / 7 * 0.95


def test_randperm_is_a_permutation():
    for n in (1, 10, 1000):
        p = ember.randperm(n).tolist()
        assert sorted(p) == list(range(n))
    assert ember.randperm(1000).tolist() != list(range(1000))


def test_bernoulli_and_multinomial_frequencies():
    x = ember.bernoulli(ember.full((N,), 0.3)).numpy()
    assert abs(x.mean() - 0.3) < 0.01
    x = ember.empty(N).bernoulli_(0.8).numpy()
    assert abs(x.mean() - 0.8) < 0.01
    s = ember.multinomial(ember.tensor([1.0, 2.0, 7.0]), N, replacement=True).numpy()
    assert np.allclose(np.bincount(s) / N, [0.1, 0.2, 0.7], atol=0.01)


def test_poisson_and_exponential_means():
    x = ember.poisson(ember.full((N,), 4.0)).numpy()
    assert abs(x.mean() - 4) < 0.05 and abs(x.var() - 4) < 0.1
    x = ember.empty(N, dtype=ember.float64).exponential_(2.0).numpy()
    assert x.min() >= 0 and abs(x.mean() - 0.5) < 0.01
    x = ember.empty(N).uniform_(-2, 3).numpy()
    assert x.min() >= -2 and x.max() < 3 and abs(x.mean() - 0.5) < 0.02
    x = ember.empty(N).normal_(1.0, 3.0).numpy()
    assert abs(x.mean() - 1) < 0.03 and abs(x.std() - 3) < 0.03


def test_binomial():
    count, prob = ember.full((2000,), 10.0), ember.full((2000,), 0.3)
    ember.manual_seed(0)
    draws = ember.binomial(count, prob).numpy()
    assert draws.dtype == np.float32 and draws.min() >= 0 and draws.max() <= 10
    assert abs(draws.mean() - 3.0) < 0.2
    assert (ember.binomial(ember.tensor([5.0, 0.0]), ember.tensor([1.0, 0.7])).numpy()
            == [5.0, 0.0]).all()
    with pytest.raises(ValueError):
        ember.binomial(ember.tensor([5]), ember.tensor([0.5]))
    with pytest.raises(ValueError):
        torch.binomial(torch.tensor([5]), torch.tensor([0.5]))
