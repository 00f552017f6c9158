"""ember.save / ember.load against torch's checkpoint format, safety, integrity and safetensors."""
import collections
import io
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap
import warnings
import zipfile

import numpy as np
import pytest
import torch

import ember
import ember.serialization as S

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _sample(dtype, shape=(3, 4)):
    rng = np.random.default_rng(0)
    if dtype == "bool":
        arr = rng.random(shape) > 0.5
    elif dtype.startswith("float"):
        arr = (rng.standard_normal(shape) * 100).astype(dtype)
    else:
        info = np.iinfo(dtype)
        arr = rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    return arr


def _assert_same(e, t):
    """An ember tensor equals a torch tensor in dtype, shape and values (NaN-free samples)."""
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(np.asarray(e._data), t.detach().numpy())


def _storage_ptr(t):
    return t.untyped_storage().data_ptr()


def _root(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


# --- ember -> torch -> ember ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_every_dtype(tmp_path, dtype):
    arr = _sample(dtype)
    path = tmp_path / "t.pt"
    ember.save(ember.from_numpy(arr.copy()), path)
    t = torch.load(path, weights_only=True)
    _assert_same(ember.from_numpy(arr), t)
    torch.save(t, path)
    back = ember.load(path)
    assert back.dtype is getattr(ember, dtype)
    np.testing.assert_array_equal(back.numpy(), arr)


@pytest.mark.parametrize("make", [
    lambda x: x[0, 0],                       # 0-d view at an offset
    lambda x: ember.tensor(2.5),             # 0-d
    lambda x: ember.empty(0, 3),             # empty
    lambda x: x.t(),                         # transposed
    lambda x: x[1:, ::2],                    # offset and step
    lambda x: x[:, 1],                       # column
    lambda x: x.unsqueeze(0).expand(2, 3, 4),  # zero stride
    lambda x: ember.from_numpy(x.numpy()[::-1]),  # negative stride (NumPy only)
], ids=["0d-view", "0d", "empty", "t", "slice", "column", "expand", "flip"])
def test_layouts_round_trip(tmp_path, make):
    x = ember.arange(12.0).reshape(3, 4)
    e = make(x)
    path = tmp_path / "t.pt"
    ember.save(e, path)
    t = torch.load(path, weights_only=True)
    _assert_same(e, t)
    torch.save(t, path)
    _assert_same(ember.load(path), t)


def test_views_share_one_storage_in_torch(tmp_path):
    x = ember.arange(12.0).reshape(3, 4)
    ember.save({"x": x, "row": x[1], "t": x.t(), "other": ember.ones(2)}, tmp_path / "v.pt")
    r = torch.load(tmp_path / "v.pt", weights_only=True)
    assert _storage_ptr(r["x"]) == _storage_ptr(r["row"]) == _storage_ptr(r["t"])
    assert _storage_ptr(r["other"]) != _storage_ptr(r["x"])
    assert r["row"].storage_offset() == 4 and r["t"].stride() == (1, 4)
    with zipfile.ZipFile(tmp_path / "v.pt") as zf:
        data = sorted(n for n in zf.namelist() if "/data/" in n)
    assert data == ["v/data/0", "v/data/1"]  # one record per buffer, not per tensor
    r["x"][1, 0] = -1
    assert r["row"][0].item() == -1 and r["t"][0, 1].item() == -1


def test_views_share_memory_after_load(tmp_path):
    x = ember.arange(12.0).reshape(3, 4)
    ember.save([x, x[1:, ::2], x.t()], tmp_path / "v.pt")
    a, b, t = ember.load(tmp_path / "v.pt")
    assert _root(a._data) is _root(b._data) is _root(t._data)
    a._data[2, 2] = 100
    assert b._data[1, 1] == 100 and t._data[2, 2] == 100
    assert b.storage_offset() == 4 and b.stride() == (4, 2) and t.stride() == (1, 4)


def test_nested_containers_and_scalars(tmp_path):
    obj = {"list": [ember.ones(2), 3, 4.5, "s", None, True],
           "tuple": (ember.zeros(1, dtype=ember.int64), (1, 2)),
           "set": {1, 2}, "bytes": b"\x00\xff", "big": 2 ** 70, "neg": -7,
           "dtype": ember.float16, "device": ember.device("cpu"), "size": ember.Size([2, 3]),
           "nested": {"a": {"b": [ember.tensor([1, 2], dtype=ember.uint8)]}}}
    ember.save(obj, tmp_path / "n.pt")
    r = torch.load(tmp_path / "n.pt", weights_only=True)
    assert r["list"][1:] == [3, 4.5, "s", None, True]
    _assert_same(obj["list"][0], r["list"][0])
    _assert_same(obj["tuple"][0], r["tuple"][0])
    assert r["tuple"][1] == (1, 2) and r["set"] == {1, 2} and r["bytes"] == b"\x00\xff"
    assert r["big"] == 2 ** 70 and r["neg"] == -7
    assert r["dtype"] is torch.float16 and r["device"] == torch.device("cpu")
    assert isinstance(r["size"], torch.Size) and r["size"] == (2, 3)
    _assert_same(obj["nested"]["a"]["b"][0], r["nested"]["a"]["b"][0])
    torch.save(r, tmp_path / "n2.pt")
    back = ember.load(tmp_path / "n2.pt")
    assert back["dtype"] is ember.float16 and back["device"] == ember.device("cpu")
    assert type(back["size"]) is ember.Size and back["size"] == (2, 3)
    assert back["set"] == {1, 2} and back["bytes"] == b"\x00\xff" and back["big"] == 2 ** 70
    assert back["list"][1:] == [3, 4.5, "s", None, True]
    np.testing.assert_array_equal(back["nested"]["a"]["b"][0].numpy(), [1, 2])


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_pickle_protocols(tmp_path, protocol):
    x = ember.arange(6, dtype=ember.int32).reshape(2, 3)
    ember.save({"x": x, "t": x.t(), "d": ember.int32}, tmp_path / "e.pt", pickle_protocol=protocol)
    # torch's weights_only loader rejects the FRAME opcode of protocol 4, even in its own files
    r = torch.load(tmp_path / "e.pt", weights_only=protocol == 2)
    _assert_same(x.t(), r["t"])
    assert r["d"] is torch.int32
    torch.save(r, tmp_path / "t.pt", pickle_protocol=protocol)
    back = ember.load(tmp_path / "t.pt")
    assert back["t"].tolist() == x.t().tolist() and back["d"] is ember.int32


def test_parameter_round_trip(tmp_path):
    p = ember.nn.Parameter(ember.arange(3.0))
    ember.save({"p": p}, tmp_path / "p.pt")
    r = torch.load(tmp_path / "p.pt", weights_only=True)["p"]
    assert isinstance(r, torch.nn.Parameter) and r.requires_grad
    torch.save({"p": r, "frozen": torch.nn.Parameter(torch.ones(2), requires_grad=False)},
               tmp_path / "q.pt")
    back = ember.load(tmp_path / "q.pt")
    assert isinstance(back["p"], ember.nn.Parameter) and back["p"].requires_grad
    assert isinstance(back["frozen"], ember.nn.Parameter) and not back["frozen"].requires_grad
    np.testing.assert_array_equal(back["p"].detach().numpy(), [0, 1, 2])


def test_requires_grad_tensor(tmp_path):
    ember.save(ember.ones(2, requires_grad=True), tmp_path / "g.pt")
    assert torch.load(tmp_path / "g.pt", weights_only=True).requires_grad
    assert ember.load(tmp_path / "g.pt").requires_grad


def _ember_model():
    nn = ember.nn
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def _torch_model():
    nn = torch.nn
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def test_module_state_dict_to_torch(tmp_path):
    model = _ember_model()
    model(ember.randn(5, 3))  # moves the BatchNorm running statistics
    ember.save(model.state_dict(), tmp_path / "m.pt")
    sd = torch.load(tmp_path / "m.pt", weights_only=True)
    assert list(sd) == list(model.state_dict())
    assert sd._metadata == model.state_dict()._metadata
    assert sd["1.num_batches_tracked"].dtype is torch.int64
    tmodel = _torch_model()
    tmodel.load_state_dict(sd)
    model.eval(), tmodel.eval()
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(model(ember.from_numpy(x)).detach().numpy(),
                               tmodel(torch.from_numpy(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_module_state_dict_from_torch(tmp_path):
    tmodel = _torch_model()
    tmodel(torch.randn(5, 3))
    torch.save(tmodel.state_dict(), tmp_path / "m.pt")
    sd = ember.load(tmp_path / "m.pt")
    assert type(sd) is collections.OrderedDict and sd._metadata == tmodel.state_dict()._metadata
    model = _ember_model()
    model.load_state_dict(sd)
    model.eval(), tmodel.eval()
    x = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(model(ember.from_numpy(x)).detach().numpy(),
                               tmodel(torch.from_numpy(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_optimizer_state_dict_to_torch_and_back(tmp_path):
    # Constructing a torch optimizer costs seconds (it imports torch._dynamo), so torch's side
    # checks the loaded structure against ember's; ember's optimizer loads torch's re-save.
    model = ember.nn.Linear(3, 2)
    opt = ember.optim.Adam(model.parameters(), lr=0.01)
    model(ember.ones(4, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    ember.save(sd, tmp_path / "o.pt")
    state = torch.load(tmp_path / "o.pt", weights_only=True)
    assert state["param_groups"] == sd["param_groups"]
    assert sorted(state["state"]) == [0, 1]
    for i, s in sd["state"].items():
        assert list(state["state"][i]) == list(s)
        for key, value in s.items():
            _assert_same(value, state["state"][i][key])
    torch.save(state, tmp_path / "o2.pt")
    back = ember.load(tmp_path / "o2.pt")
    assert back["param_groups"] == sd["param_groups"]
    fresh = ember.optim.Adam(ember.nn.Linear(3, 2).parameters(), lr=0.5)
    fresh.load_state_dict(back)
    assert fresh.param_groups[0]["lr"] == 0.01
    np.testing.assert_array_equal(fresh.state_dict()["state"][0]["exp_avg"].numpy(),
                                  sd["state"][0]["exp_avg"].numpy())


def test_file_objects_and_pathlike(tmp_path):
    buf = io.BytesIO()
    ember.save({"a": ember.ones(3)}, buf)
    buf.seek(0)
    assert torch.load(buf, weights_only=True)["a"].tolist() == [1, 1, 1]
    buf.seek(0)
    assert ember.load(buf)["a"].tolist() == [1, 1, 1]
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        assert "archive/data.pkl" in zf.namelist() and zf.read("archive/version") == b"3\n"
    path = pathlib.Path(tmp_path) / "p.pt"
    with open(path, "wb") as f:
        ember.save([ember.zeros(2)], f)
    with open(path, "rb") as f:
        assert ember.load(f)[0].tolist() == [0, 0]


def test_records_aligned_for_mmap(tmp_path):
    ember.save({"a": ember.ones(5, dtype=ember.float64), "b": ember.arange(3)}, tmp_path / "m.pt")
    with open(tmp_path / "m.pt", "rb") as f, zipfile.ZipFile(f) as zf:
        for info in zf.infolist():
            if "/data/" in info.filename:
                f.seek(info.header_offset + 26)
                n, m = np.frombuffer(f.read(4), "<u2")
                assert (info.header_offset + 30 + n + m) % 64 == 0
    r = torch.load(tmp_path / "m.pt", mmap=True, weights_only=True)
    assert r["a"].tolist() == [1.0] * 5 and r["b"].tolist() == [0, 1, 2]
    m = ember.load(tmp_path / "m.pt", mmap=True)
    assert m["a"].tolist() == [1.0] * 5 and m["b"].tolist() == [0, 1, 2]
    m["a"][0] = 7  # copy on write: the file keeps its values
    assert ember.load(tmp_path / "m.pt")["a"].tolist() == [1.0] * 5


def test_map_location(tmp_path):
    torch.save({"a": torch.arange(3)}, tmp_path / "a.pt")
    seen = []

    def mover(storage, location):
        seen.append(location)
        return storage

    for loc in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, mover, lambda s, loc: None):
        assert ember.load(tmp_path / "a.pt", map_location=loc)["a"].tolist() == [0, 1, 2]
    assert seen == ["cpu"]
    for loc in ("cuda", {"cpu": "cuda:0"}):
        with pytest.raises(RuntimeError, match="map_location='cpu'"):
            ember.load(tmp_path / "a.pt", map_location=loc)


def test_big_endian_file(tmp_path):
    ember.save({"a": ember.tensor([1.5, -2.0]), "i": ember.tensor([1, 256], dtype=ember.int16)},
               tmp_path / "le.pt")
    with zipfile.ZipFile(tmp_path / "le.pt") as src, \
            zipfile.ZipFile(tmp_path / "be.pt", "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith("byteorder"):
                data = b"big"
            elif name.endswith("data/0"):
                data = np.frombuffer(data, "<f4").astype(">f4").tobytes()
            elif name.endswith("data/1"):
                data = np.frombuffer(data, "<i2").astype(">i2").tobytes()
            dst.writestr(name, data)
    r = ember.load(tmp_path / "be.pt")
    assert r["a"].tolist() == [1.5, -2.0] and r["i"].tolist() == [1, 256]


# --- torch's files, without torch ---------------------------------------------------------------

def test_load_torch_files_without_torch(tmp_path):
    x = torch.arange(24, dtype=torch.float64).reshape(2, 3, 4)
    obj = {"x": x, "view": x[1, :, 1:3], "perm": x.permute(2, 0, 1), "flat": x.view(-1)[5:],
           "param": torch.nn.Parameter(torch.ones(2)), "step": torch.tensor(3.0),
           "dtypes": [torch.tensor([1, 2], dtype=getattr(torch, d)) for d in DTYPES],
           "sd": torch.nn.Linear(2, 2).state_dict(), "empty": torch.empty(0, 2)}
    torch.save(obj, tmp_path / "t.pt")
    np.savez(tmp_path / "expected.npz", x=x.numpy(), view=obj["view"].numpy(),
             perm=obj["perm"].numpy(), flat=obj["flat"].numpy(),
             weight=obj["sd"]["weight"].numpy())
    script = textwrap.dedent("""
        import sys
        sys.modules["torch"] = None  # any import of torch now fails
        import numpy as np
        import ember
        assert "ember.serialization" not in sys.modules  # loaded on first use only
        assert "ember.cli.compat" not in sys.modules
        r = ember.load(sys.argv[1])
        exp = np.load(sys.argv[2])
        for key in ("x", "view", "perm", "flat"):
            assert r[key].dtype is ember.float64, key
            np.testing.assert_array_equal(r[key].numpy(), exp[key])
        assert r["perm"].stride() == (1, 12, 4) and r["view"].storage_offset() == 13
        r["x"][1, 0, 1] = -5.0
        assert r["view"][0, 0].item() == -5.0 and r["perm"][1, 1, 0].item() == -5.0
        assert r["flat"][8].item() == -5.0
        assert isinstance(r["param"], ember.nn.Parameter) and r["param"].requires_grad
        assert [t.dtype.name for t in r["dtypes"]] == %r
        assert [t.tolist() for t in r["dtypes"][:-1]] == [[1, 2]] * 8
        np.testing.assert_array_equal(r["sd"]["weight"].numpy(), exp["weight"])
        assert list(r["sd"]) == ["weight", "bias"] and r["sd"]._metadata == {"": {"version": 1}}
        assert r["empty"].shape == (0, 2) and r["step"].item() == 3.0
        assert "torch" not in [m for m in sys.modules if sys.modules[m] is not None]
        print("ok")
    """ % (DTYPES,))
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "t.pt"),
                          str(tmp_path / "expected.npz")], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(ember.__file__)), timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_legacy_format_detected(tmp_path):
    torch.save({"a": torch.ones(2)}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy"):
        ember.load(tmp_path / "old.pt")
    with pytest.raises(NotImplementedError):
        ember.save(ember.ones(1), tmp_path / "x.pt", _use_new_zipfile_serialization=False)


# dtypes torch can save and ember lacks: typed storages (bfloat16, complex) and the dtypes torch
# writes as an UntypedStorage plus the dtype (unsigned, float8, ...).
_TORCH_ONLY = [d for d in ("bfloat16", "complex32", "complex64", "complex128", "uint16", "uint32",
                           "uint64", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
                           "float8_e5m2fnuz", "float8_e8m0fnu", "bits8")
               if d not in DTYPES and not hasattr(ember, d)]


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("name", _TORCH_ONLY)
def test_unsupported_dtype_is_named_with_its_key(tmp_path, name, weights_only):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # complex32 is "experimental" in torch
        odd = torch.zeros(3, dtype=getattr(torch, name))
    path = tmp_path / "odd.pt"
    torch.save({"fine": torch.ones(2), "layers": {"w": odd}}, path)
    with pytest.raises(RuntimeError) as info:
        ember.load(path, weights_only=weights_only)
    message = str(info.value)
    assert "['layers']['w'] holds a tensor of dtype torch.%s" % name in message
    assert "'fine'" not in message and "odd.pt" in message


def test_every_unsupported_place_is_named(tmp_path):
    torch.save({"model": torch.nn.Linear(2, 2).to(torch.float8_e4m3fn).state_dict(),
                "dtype": torch.float8_e5m2,
                "buffers": [torch.ones(1), torch.zeros(1, dtype=torch.complex32)]},
               tmp_path / "mixed.pt")
    with pytest.raises(RuntimeError) as info:
        ember.load(tmp_path / "mixed.pt")
    message = str(info.value)
    for part in ("torch.complex32, torch.float8_e4m3fn, torch.float8_e5m2",
                 "['model']['weight'] holds a tensor of dtype torch.float8_e4m3fn",
                 "['model']['bias'] holds a tensor of dtype torch.float8_e4m3fn",
                 "['dtype'] holds torch.float8_e5m2",
                 "['buffers'][1] holds a tensor of dtype torch.complex32",
                 "ember's dtypes: float16"):
        assert part in message
    torch.save(torch.nn.Linear(2, 2).to(torch.float8_e4m3fn), tmp_path / "whole.pt")
    with pytest.raises(RuntimeError, match=r"\._parameters\['weight'\] holds a tensor of dtype "
                                           r"torch\.float8_e4m3fn"):
        ember.load(tmp_path / "whole.pt", weights_only=False)


def test_sparse_and_quantized_tensors_are_named(tmp_path):
    torch.save({"s": torch.eye(2).to_sparse()}, tmp_path / "sparse.pt")
    with pytest.raises(RuntimeError, match="a sparse tensor"):
        ember.load(tmp_path / "sparse.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quantize_per_tensor is deprecated in torch
        q = torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.qint8)
    torch.save({"q": q}, tmp_path / "quantized.pt")
    with pytest.raises(RuntimeError, match="a quantized tensor"):
        ember.load(tmp_path / "quantized.pt")


# --- safety -------------------------------------------------------------------------------------

def _archive(payload, path):
    """A checkpoint whose data.pkl is ``payload`` (bytes), with torch's other records."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/byteorder", b"little")
        zf.writestr("archive/version", b"3\n")
        zf.writestr("archive/data/0", np.arange(4, dtype=np.float32).tobytes())
    return path


class _Reduce:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _g(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _s(text):
    data = text.encode()
    return b"X" + len(data).to_bytes(4, "little") + data


_STORAGE_PID = (b"(" + _s("storage") + _g("torch", "FloatStorage") + _s("0") + _s("cpu")
                + b"K\x04tQ")


def _malicious(marker):
    touch = "open(%r, 'w').close()" % str(marker)
    return {
        "os.system": pickle.dumps(_Reduce(os.system, "touch %s" % marker), protocol=2),
        "eval": pickle.dumps(_Reduce(eval, touch), protocol=2),
        "exec-protocol-4": pickle.dumps(_Reduce(exec, touch), protocol=4),
        "nested-in-state-dict": pickle.dumps(
            collections.OrderedDict(w=[1, {"x": _Reduce(os.system, "touch %s" % marker)}]),
            protocol=2),
        # getattr(OrderedDict, "fromkeys") would reach further attributes of an allowed object
        "getattr-on-allowed": (b"\x80\x02" + _g("builtins", "getattr")
                               + _g("collections", "OrderedDict") + _s("fromkeys")
                               + b"\x86R."),
        # a value the allow list admits (a storage type) is not a function to call
        "call-allowed-value": b"\x80\x02" + _g("torch", "FloatStorage") + _s("x") + b"\x85R.",
        # BUILD may set a state dict's _metadata, nothing that changes an object's behaviour
        "build-dunder": (b"\x80\x02" + _g("collections", "OrderedDict") + b")R}"
                         + _s("__class__") + _g("torch", "Size") + b"sb."),
        "build-slotstate": (b"\x80\x02" + _g("collections", "OrderedDict") + b")R"
                            + b"N}" + _s("x") + b"K\x01s\x86b."),
        "build-on-device": (b"\x80\x02" + _g("torch", "device") + _s("cpu") + b"\x85R}"
                            + _s("type") + _s("cuda") + b"sb."),
        "build-on-tensor": (b"\x80\x02" + _g("torch._utils", "_rebuild_tensor_v2") + b"("
                            + _STORAGE_PID + b"K\x00K\x04\x85K\x01\x85\x89"
                            + _g("collections", "OrderedDict") + b")RtR}" + _s("_data")
                            + b"K\x01sb."),
        "tensor-on-fake-storage": (b"\x80\x02" + _g("torch._utils", "_rebuild_tensor_v2")
                                   + b"(]K\x00K\x04\x85K\x01\x85\x89}tR."),
        "module-class": (b"\x80\x02" + _g("torch.nn.modules.linear", "Linear") + b")R."),
        "bad-memo": b"\x80\x02h\x07.",
        "unhashable-key": b"\x80\x02}]K\x01s.",
        "codecs-other-encoding": (b"\x80\x02" + _g("_codecs", "encode") + _s("x") + _s("zlib")
                                  + b"\x86R."),
    }


@pytest.mark.parametrize("case", list(_malicious("m")))
def test_weights_only_refuses_and_runs_nothing(tmp_path, case):
    marker = tmp_path / "pwned"
    path = _archive(_malicious(marker)[case], tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError) as info:
        ember.load(path)
    assert not marker.exists()
    named = {"os.system": "system", "eval": "eval", "exec-protocol-4": "exec",
             "nested-in-state-dict": "system", "getattr-on-allowed": "getattr",
             "module-class": "torch.nn.modules.linear.Linear"}
    if case in named:
        assert named[case] in str(info.value)


def test_torch_refuses_the_same_files(tmp_path):
    # Sanity check of the crafted payloads: torch's own weights_only loader refuses them too.
    marker = tmp_path / "pwned"
    for case in ("os.system", "getattr-on-allowed", "module-class"):
        path = _archive(_malicious(marker)[case], tmp_path / "evil.pt")
        with pytest.raises(pickle.UnpicklingError):
            torch.load(path, weights_only=True)
    assert not marker.exists()


def test_weights_only_false_is_an_explicit_opt_in(tmp_path):
    counter = collections.Counter("abca")
    path = _archive(pickle.dumps({"c": counter}, protocol=2), tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError, match="collections.Counter"):
        ember.load(path)
    assert ember.load(path, weights_only=False) == {"c": counter}


def test_whole_module_needs_weights_only_false(tmp_path):
    model = ember.nn.Linear(2, 3)
    ember.save(model, tmp_path / "model.pt")
    with pytest.raises(pickle.UnpicklingError, match="ember.nn.modules.linear.Linear"):
        ember.load(tmp_path / "model.pt")
    back = ember.load(tmp_path / "model.pt", weights_only=False)
    assert isinstance(back, ember.nn.Linear)
    np.testing.assert_array_equal(back.weight.detach().numpy(), model.weight.detach().numpy())


def test_torch_pickled_module_maps_to_ember_classes(tmp_path):
    tlin = torch.nn.Linear(2, 3)
    torch.save(tlin, tmp_path / "lin.pt")
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.linear.Linear"):
        ember.load(tmp_path / "lin.pt")
    lin = ember.load(tmp_path / "lin.pt", weights_only=False)  # torch's classes -> ember's
    assert type(lin) is ember.nn.Linear and isinstance(lin.weight, ember.nn.Parameter)
    np.testing.assert_allclose(lin(ember.ones(2)).detach().numpy(),
                               tlin(torch.ones(2)).detach().numpy(), rtol=1e-6)
    path = _archive(b"\x80\x02" + _g("torch.nn.modules.frobnicate", "Frob") + b")R.",
                    tmp_path / "frob.pt")
    with pytest.raises(AttributeError,
                       match="ember does not implement torch.nn.modules.frobnicate.Frob"):
        ember.load(path, weights_only=False)


# --- integrity ----------------------------------------------------------------------------------

def test_truncated_and_corrupted_files(tmp_path):
    path = tmp_path / "c.pt"
    ember.save({"w": ember.arange(1000.0)}, path)
    blob = path.read_bytes()
    (tmp_path / "half.pt").write_bytes(blob[:len(blob) // 2])
    with pytest.raises(RuntimeError, match="half.pt.*truncated or corrupted"):
        ember.load(tmp_path / "half.pt")
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("c/data/0")
    flipped = bytearray(blob)
    flipped[info.header_offset + 200] ^= 0xFF  # inside the storage's bytes
    (tmp_path / "flip.pt").write_bytes(bytes(flipped))
    with pytest.raises(RuntimeError, match="flip.pt.*corrupted"):
        ember.load(tmp_path / "flip.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(RuntimeError, match="empty"):
        ember.load(tmp_path / "empty.pt")
    (tmp_path / "text.pt").write_bytes(b"hello world")
    with pytest.raises(RuntimeError, match="not a PyTorch checkpoint"):
        ember.load(tmp_path / "text.pt")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(RuntimeError, match="no data.pkl"):
        ember.load(tmp_path / "other.zip")


def test_storage_record_of_wrong_size(tmp_path):
    payload = (b"\x80\x02" + _g("torch._utils", "_rebuild_tensor_v2") + b"(" + _STORAGE_PID
               + b"K\x00K\x04\x85K\x01\x85\x89" + _g("collections", "OrderedDict") + b")RtR.")
    assert ember.load(_archive(payload, tmp_path / "ok.pt")).tolist() == [0, 1, 2, 3]
    too_long = payload.replace(b"K\x04\x85K\x01", b"K\x05\x85K\x01")
    with pytest.raises(RuntimeError, match="past its storage"):
        ember.load(_archive(too_long, tmp_path / "long.pt"))
    wrong_numel = payload.replace(b"K\x04tQ", b"K\x09tQ")
    with pytest.raises(RuntimeError, match="holds 16 bytes, expected 36"):
        ember.load(_archive(wrong_numel, tmp_path / "numel.pt"))


def test_one_record_viewed_as_two_dtypes(tmp_path):
    def tensor(storage_type):
        pid = (b"(" + _s("storage") + _g("torch", storage_type) + _s("0") + _s("cpu")
               + b"K\x04tQ")
        return (_g("torch._utils", "_rebuild_tensor_v2") + b"(" + pid
                + b"K\x00K\x04\x85K\x01\x85\x89" + _g("collections", "OrderedDict")
                + b")RtR")
    payload = b"\x80\x02(" + tensor("FloatStorage") + tensor("IntStorage") + b"l."
    f, i = ember.load(_archive(payload, tmp_path / "two.pt"))
    assert f.tolist() == [0, 1, 2, 3] and i.dtype is ember.int32
    assert i.tolist() == np.arange(4, dtype=np.float32).view(np.int32).tolist()
    f[1] = 0.0
    assert i[1].item() == 0  # one buffer under both


def test_atomic_save_keeps_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(100)}, path)
    before = path.read_bytes()
    calls = []
    real = S._write_record

    def failing(zf, name, data):
        calls.append(name)
        if len(calls) == 5:  # after data.pkl and the small records, while writing storages
            raise OSError("disk full")
        real(zf, name, data)

    monkeypatch.setattr(S, "_write_record", failing)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"w": ember.zeros(100), "v": ember.zeros(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    monkeypatch.undo()
    with pytest.raises(Exception):
        ember.save({"f": lambda: 0}, path)  # pickling fails before anything is written
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.pt"]
    assert ember.load(path)["w"].tolist() == [1.0] * 100


# --- safetensors --------------------------------------------------------------------------------

def test_safetensors_round_trip_and_torch(tmp_path):
    import safetensors  # noqa: F401  (the [test] extra declares it: never skipped)
    from safetensors.torch import load_file, save_file

    tensors = {d: ember.from_numpy(_sample(d)) for d in DTYPES}
    tensors["t"] = ember.arange(6.0).reshape(2, 3).t()  # non-contiguous
    S.save_safetensors(tensors, tmp_path / "e.safetensors", metadata={"format": "pt"})
    back = S.load_safetensors(tmp_path / "e.safetensors")
    assert sorted(back) == sorted(tensors)
    for key, t in tensors.items():
        assert back[key].dtype is t.dtype
        np.testing.assert_array_equal(back[key].numpy(), t.numpy())
    theirs = load_file(str(tmp_path / "e.safetensors"))
    for key, t in tensors.items():
        _assert_same(t, theirs[key])
    save_file({"w": torch.arange(4, dtype=torch.int16)}, str(tmp_path / "t.safetensors"))
    assert S.load_safetensors(tmp_path / "t.safetensors")["w"].tolist() == [0, 1, 2, 3]


class _Config:
    """A user class a checkpoint may hold (allowed by name with safe_globals)."""

    def __init__(self, width):
        self.width = width


def _model_and_config(lib):
    model = lib.nn.Sequential(lib.nn.Embedding(7, 4), lib.nn.Linear(4, 3), lib.nn.Dropout(0.1))
    return {"model": model, "rnn": lib.nn.LSTM(3, 2), "config": _Config(5)}


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_safe_globals_admit_a_pickled_model(tmp_path, lib):
    # torch's allowlist API, in both libraries: refused until its classes are allowed
    path = str(tmp_path / "m.pt")
    before = lib.serialization.get_safe_globals()  # torch allows a few of its own
    saved = _model_and_config(lib)
    lib.save(saved, path)
    with pytest.raises(pickle.UnpicklingError):
        lib.load(path)
    classes = [lib.nn.Sequential, lib.nn.Embedding, lib.nn.Linear, lib.nn.Dropout, lib.nn.LSTM,
               _Config]
    with pytest.raises(pickle.UnpicklingError):  # one class short
        with lib.serialization.safe_globals(classes[:-1]):
            lib.load(path)
    with lib.serialization.safe_globals(classes):
        loaded = lib.load(path)
    assert set(lib.serialization.get_safe_globals()) == set(before)
    assert type(loaded["config"]) is _Config and loaded["config"].width == 5
    assert repr(loaded["model"]) == repr(saved["model"])
    x = lib.tensor([[1, 2], [3, 4]])
    out = loaded["rnn"](loaded["model"].eval()(x).float())[0]
    np.testing.assert_array_equal(out.detach().numpy(),
                                  saved["rnn"](saved["model"].eval()(x))[0].detach().numpy())
    lib.serialization.add_safe_globals(classes)
    try:
        assert set(lib.serialization.get_safe_globals()) == set(before + classes)
        assert type(lib.load(path)["rnn"]) is lib.nn.LSTM
        lib.serialization.clear_safe_globals()
        assert lib.serialization.get_safe_globals() == []
    finally:
        lib.serialization.clear_safe_globals()
        lib.serialization.add_safe_globals(before)
