"""Public functions that are not differentiable ops, each with the test file that covers it.

``tests/ops/test_coverage.py`` requires every public ``ember.<name>`` that torch also has to be
either a registered op (``registry.OPS``) or listed here, and checks that the listed file exists
and tests the name.
"""
from ember.ops.registry import not_differentiable

_COVERED_BY = {
    "tests/test_creation.py": (
        "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "eye",
        "arange", "range", "linspace", "logspace", "zeros_like", "ones_like", "empty_like",
        "full_like", "rand_like", "randn_like", "randint_like"),
    "tests/test_random.py": (
        "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "rand", "randn",
        "randint", "randperm", "normal", "bernoulli", "multinomial", "poisson", "binomial"),
    "tests/test_dtype.py": (
        "get_default_dtype", "set_default_dtype", "promote_types", "result_type"),
    "tests/test_tensor.py": (
        "is_tensor", "numel", "is_floating_point", "is_nonzero", "get_device", "is_distributed",
        "allclose", "isclose", "equal", "get_num_threads", "set_num_threads"),
    "tests/test_tensor_str.py": ("set_printoptions",),
    "tests/autograd/test_grad_mode.py": ("is_grad_enabled", "is_inference_mode_enabled"),
    "tests/test_serialization.py": ("save", "load"),
    "tests/test_legacy.py": ("compile", "set_default_tensor_type"),
    "tests/test_devices.py": ("set_default_device", "get_default_device"),
    "tests/amp/test_amp.py": ("is_autocast_enabled", "get_autocast_dtype"),
    "tests/test_torch_surface.py": (
        "empty_strided", "empty_permuted", "scalar_tensor", "tril_indices", "triu_indices",
        "frombuffer", "hann_window", "hamming_window", "blackman_window", "bartlett_window",
        "kaiser_window", "are_deterministic_algorithms_enabled", "can_cast",
        "clear_autocast_cache", "get_autocast_cpu_dtype", "get_autocast_gpu_dtype",
        "get_deterministic_debug_mode", "get_device_module", "get_float32_matmul_precision",
        "get_num_interop_threads", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
        "is_autocast_cache_enabled", "is_autocast_cpu_enabled",
        "is_deterministic_algorithms_warn_only_enabled", "is_warn_always_enabled",
        "set_anomaly_enabled", "set_autocast_cache_enabled", "set_autocast_cpu_dtype",
        "set_autocast_cpu_enabled", "set_autocast_dtype", "set_autocast_enabled",
        "set_autocast_gpu_dtype", "set_deterministic_debug_mode", "set_float32_matmul_precision",
        "set_flush_denormal", "set_num_interop_threads", "set_warn_always", "typename",
        "use_deterministic_algorithms", "from_dlpack", "to_dlpack"),
}

for _test_file, _names in _COVERED_BY.items():
    for _name in _names:
        not_differentiable(_name, _test_file)
del _test_file, _names, _name

# torch.nn.functional names that are not registry ops: in-place forms, aliases of registered
# ops, deprecated upsample*, random channel dropouts, embedding_bag, max_unpool1d
for _name in ("relu_", "elu_", "celu_", "selu_", "hardtanh_", "leaky_relu_", "rrelu_",
              "threshold_", "sigmoid",
              "tanh", "upsample", "upsample_nearest", "upsample_bilinear", "max_unpool1d",
              "embedding_bag", "triplet_margin_with_distance_loss", "alpha_dropout",
              "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d"):
    not_differentiable("nn.functional." + _name, "tests/nn/test_functional_forms.py")
del _name
