"""Device queries answer as torch does on a CPU-only machine; moving to an absent device raises
torch's error."""
import warnings

import pytest
import torch

import ember


def _outcome(fn):
    """``('value', v)`` or ``('raises', type name)``: what calling ``fn`` does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "value", fn()
        except BaseException as e:  # AssertionError is torch's CPU-only answer for CUDA
            return "raises", type(e).__name__


def _same(call, *namespaces):
    assert _outcome(lambda: call(ember, *namespaces)) == _outcome(
        lambda: call(torch, *namespaces))


@pytest.mark.parametrize("name", ["is_available", "current_accelerator", "device_count",
                                  "current_device_index", "synchronize", "memory_allocated",
                                  "empty_cache", "get_device_capability", "current_stream"])
def test_accelerator_answers_as_torch_without_one(name):
    _same(lambda lib: getattr(lib.accelerator, name)())
    _same(lambda lib: lib.accelerator.set_device_index(0))


@pytest.mark.parametrize("name", ["is_available", "device_count", "is_initialized",
                                  "get_arch_list", "get_gencode_flags", "is_bf16_supported",
                                  "memory_allocated", "max_memory_allocated", "memory_reserved",
                                  "memory_stats", "get_rng_state_all", "current_device",
                                  "get_device_name", "get_device_properties", "mem_get_info",
                                  "get_rng_state", "initial_seed", "init", "current_stream"])
def test_cuda_answers_as_torch_without_cuda(name):
    _same(lambda lib: getattr(lib.cuda, name)())


def test_cuda_contexts_and_legacy_types():
    with ember.cuda.device(None), ember.cuda.device_of(ember.ones(1)), ember.cuda.stream(None):
        pass
    _same(lambda lib: lib.cuda.device(0).__enter__())
    _same(lambda lib: lib.cuda.FloatTensor(2))
    _same(lambda lib: lib.cuda.manual_seed_all(1))


@pytest.mark.parametrize("name", ["is_available", "device_count", "synchronize", "empty_cache",
                                  "seed", "current_allocated_memory"])
def test_mps_answers_as_torch_without_it(name):
    _same(lambda lib: getattr(lib.mps, name)())
    _same(lambda lib: lib.backends.mps.is_available())


@pytest.mark.parametrize("spec", ["cuda", "cuda:1", "mps", "xpu", "meta"])
def test_device_objects_can_be_made(spec):
    assert repr(ember.device(spec)) == repr(torch.device(spec))
    assert str(ember.device(spec)) == str(torch.device(spec))


def test_unknown_device_type_raises():
    _same(lambda lib: lib.device("gpu"))


@pytest.mark.parametrize("move", [lambda lib, x: x.to("cuda"), lambda lib, x: x.cuda(),
                                  lambda lib, x: lib.ones(2, device="cuda"),
                                  lambda lib, x: x.to("mps")])
def test_moving_to_an_absent_device_raises_torchs_error(move):
    _same(lambda lib: move(lib, lib.ones(2)))


def test_default_device():
    ember.set_default_device("cpu")
    assert ember.get_default_device() == ember.device("cpu")
    assert str(ember.get_default_device()) == str(torch.get_default_device())
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        ember.set_default_device("cuda")


def test_accelerator_memory_graphs_and_backends_answer_as_torch():
    _same(lambda lib: lib.accelerator.memory.memory_allocated())
    _same(lambda lib: lib.accelerator.memory.reset_peak_memory_stats())
    _same(lambda lib: lib.accelerator.Graph())
    _same(lambda lib: lib.accelerator.graphs.Graph(keep_graph=True))
    _same(lambda lib: (lib.backends.opt_einsum.enabled, lib.backends.opt_einsum.strategy))
    _same(lambda lib: lib.backends.mkl.verbose(lib.backends.mkl.VERBOSE_OFF).__enter__())
    assert ember.backends.cpu.get_cpu_capability() in ("AVX512", "AVX2", "SVE", "NEON",
                                                       "DEFAULT")
    assert ember.backends.mkl.is_available() is False  # NumPy's BLAS, not oneMKL
    assert ember.backends.opt_einsum.get_opt_einsum() is None


def test_profiler_device_type_and_hub_constants_match_torch():
    import torch.hub

    import ember.hub
    assert {k: int(v) for k, v in ember.profiler.DeviceType.__members__.items()} == \
        {k: int(v) for k, v in torch.profiler.DeviceType.__members__.items()}
    assert ember.profiler.profiler.profile is ember.profiler.profile
    for name in ("ENV_GITHUB_TOKEN", "VAR_DEPENDENCY", "READ_DATA_CHUNK"):
        assert getattr(ember.hub, name) == getattr(torch.hub, name)
    for name in ("resnet18-f37072fd.pth", "model.pt", "a-b-0123abcd.tar.gz"):
        mine, theirs = ember.hub.HASH_REGEX.search(name), torch.hub.HASH_REGEX.search(name)
        assert (mine and mine.group(1)) == (theirs and theirs.group(1))
