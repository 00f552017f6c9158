"""nn.DataParallel and nn.parallel.data_parallel on a machine without GPUs, as torch's."""
import numpy as np
import pytest
import torch

import ember


def test_data_parallel_wraps_like_torch():
    t_model = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    e_model = ember.nn.DataParallel(ember.nn.Linear(3, 2))
    assert list(e_model.state_dict()) == list(t_model.state_dict()) == ["module.weight",
                                                                         "module.bias"]
    assert repr(e_model) == repr(t_model)
    assert e_model.device_ids == t_model.device_ids == []
    e_model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    x = np.random.randn(4, 3).astype(np.float32)
    e_out, t_out = e_model(ember.tensor(x)), t_model(torch.tensor(x))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6)
    e_out.sum().backward()
    t_out.sum().backward()
    np.testing.assert_allclose(e_model.module.weight.grad.numpy(),
                               t_model.module.weight.grad.numpy(), rtol=1e-6)
    assert e_model.module.weight is list(e_model.parameters())[0]


def test_functional_data_parallel_refuses_as_torch_without_gpus():
    for lib in (ember, torch):
        linear = lib.nn.Linear(3, 2)
        for kwargs in ({}, {"device_ids": None}, {"device_ids": []}, {"device_ids": [0]}):
            with pytest.raises(RuntimeError, match="device type could not be determined"):
                lib.nn.parallel.data_parallel(linear, lib.randn(4, 3), **kwargs)


def _outcome(lib, call):
    """What ``call(lib)`` does: ("ok", a printable result) or ("raises", type name, message)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(lib)
        except Exception as e:  # the comparison is the point
            return ("raises", type(e).__name__, str(e).split(" (ember")[0]), \
                [w.category for w in caught]
    return ("ok", repr(result)), [w.category for w in caught]


# torch.nn.parallel's multi-GPU steps on a machine without GPUs: what works there (containers
# without tensors, modules without parameters, argument checks) and what is refused, and how
_PARALLEL_CALLS = {
    "replicate-none": lambda t: t.nn.parallel.replicate(t.nn.Linear(2, 2), []),
    "replicate-relu": lambda t: t.nn.parallel.replicate(t.nn.Sequential(t.nn.ReLU()), [0, 1]),
    "replicate-cpu": lambda t: t.nn.parallel.replicate(t.nn.ReLU(), ["cpu"]),
    "replicate-params": lambda t: t.nn.parallel.replicate(t.nn.Linear(2, 2), [0, 1]),
    "replicate-detach": lambda t: t.nn.parallel.replicate(t.nn.Linear(2, 2), [0], detach=True),
    "replicate-buffers": lambda t: t.nn.parallel.replicate(t.nn.BatchNorm1d(2, affine=False),
                                                           [0]),
    "scatter-objects": lambda t: t.nn.parallel.scatter((3, [], {}, None, "a"), [0, 1]),
    "scatter-dict": lambda t: t.nn.parallel.scatter({"a": 1, "b": (2,)}, [0, 1]),
    "scatter-tensor": lambda t: t.nn.parallel.scatter(t.ones(4), [0, 1]),
    "scatter-cpu": lambda t: t.nn.parallel.scatter(t.ones(4), ["cpu"]),
    "scatter-kwargs": lambda t: t.nn.parallel.scatter_gather.scatter_kwargs((3,), {"a": 4},
                                                                            [0, 1]),
    "scatter-kwargs-pad": lambda t: t.nn.parallel.scatter_gather.scatter_kwargs((), {"a": 4},
                                                                                [0, 1]),
    "gather-none": lambda t: t.nn.parallel.gather([(None, {"k": None}), (None, {"k": None})],
                                                  "cpu"),
    "gather-tensor": lambda t: t.nn.parallel.gather([t.ones(2), t.ones(2)], -1),
    "gather-dicts": lambda t: t.nn.parallel.gather([{"a": None}, {}], 0),
    "is-namedtuple": lambda t: t.nn.parallel.scatter_gather.is_namedtuple(t.Size([1])),
    "apply-mismatch": lambda t: t.nn.parallel.parallel_apply([t.nn.ReLU()] * 2, [t.ones(1)]),
    "apply-kwargs": lambda t: t.nn.parallel.parallel_apply([t.nn.ReLU()], [t.ones(1)], [{}, {}]),
    "apply-devices": lambda t: t.nn.parallel.parallel_apply([t.nn.ReLU()], [t.ones(1)],
                                                            devices=[0, 1]),
    "apply-cpu": lambda t: t.nn.parallel.parallel_apply([t.nn.ReLU()], [t.ones(1)], None,
                                                        ["cpu"]),
    "apply": lambda t: t.nn.parallel.parallel_apply([t.nn.ReLU()], [t.ones(1)]),
    "apply-empty": lambda t: t.nn.parallel.parallel_apply([], []),
    "get-a-var": lambda t: t.nn.parallel.parallel_apply.__module__ and type(
        __import__(t.__name__ + ".nn.parallel.parallel_apply", fromlist=["x"]).get_a_var(
            [1, {"k": t.ones(1)}])).__name__,
    "comm-broadcast": lambda t: t.nn.parallel.comm.broadcast(t.ones(2), [0]),
    "comm-broadcast-both": lambda t: t.nn.parallel.comm.broadcast(t.ones(2), [0], out=[]),
    "comm-broadcast-cpu": lambda t: t.nn.parallel.comm.broadcast(t.ones(2), ["cpu"]),
    "comm-broadcast-coalesced": lambda t: t.nn.parallel.comm.broadcast_coalesced([t.ones(2)],
                                                                                 [0, 1]),
    "comm-reduce-add": lambda t: t.nn.parallel.comm.reduce_add([t.ones(2), t.ones(2)]),
    "comm-reduce-add-coalesced": lambda t: t.nn.parallel.comm.reduce_add_coalesced(
        [[t.ones(2)], [t.ones(2)]], 0),
    "comm-scatter": lambda t: t.nn.parallel.comm.scatter(t.ones(2), [0, 1]),
    "comm-scatter-out": lambda t: t.nn.parallel.comm.scatter(t.ones(2), [0], out=[t.ones(1)]),
    "comm-gather": lambda t: t.nn.parallel.comm.gather([t.ones(2)], destination=-1),
    "comm-gather-out": lambda t: t.nn.parallel.comm.gather([t.ones(2)], destination=0,
                                                           out=t.ones(2)),
    "dp-scatter": lambda t: t.nn.DataParallel(t.nn.ReLU()).scatter((t.ones(1),), {}, [0]),
    "dp-replicate": lambda t: t.nn.DataParallel(t.nn.ReLU()).replicate(t.nn.ReLU(), [0, 1]),
    "ddp-cpu": lambda t: t.nn.parallel.DistributedDataParallelCPU(t.nn.ReLU()),
}


def test_parallel_steps_as_torch_without_gpus():
    for name, call in _PARALLEL_CALLS.items():
        assert _outcome(ember, call) == _outcome(torch, call), name
