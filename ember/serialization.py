"""Saving and loading in PyTorch's checkpoint format: ``ember.save`` and ``ember.load``.

A checkpoint is a zip archive (stored, not compressed) whose records sit under one folder,
named after the file (``model`` for ``model.pt``, ``archive`` for a file object):

==========================  ========================================================================
``<name>/data.pkl``         the object, pickled with protocol 2. A tensor is written as the call
                            ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
                            requires_grad, OrderedDict())``; its storage is a persistent id
                            ``('storage', torch.FloatStorage, key, 'cpu', numel)``
``<name>/data/<key>``       the raw bytes of one storage, in the byte order of ``byteorder``
``<name>/byteorder``        ``little`` or ``big`` (absent in old files: little)
``<name>/version``          the format version, ``3``
==========================  ========================================================================

Tensors that view one NumPy buffer share one storage in the file, so views come back as views of
one buffer. ember writes the same records and globals as torch, so ``torch.load(f,
weights_only=True)`` reads ember's files and ``ember.load`` reads torch's without importing torch.

Loading is safe by default: with ``weights_only=True`` the pickle is run by a small interpreter
(``ember._weights_only_unpickler``) that builds only containers, primitives, tensors and the few
torch names a checkpoint uses (``_SAFE_CALLABLES``); any other global is refused with
``pickle.UnpicklingError`` before anything runs.
"""
import collections
import io
import os
import pickle
import struct
import sys
import zipfile
import zlib

import numpy as np

from ember import _dtype
from ember._serialization_dtypes import (_EMBER_DTYPES, _STORAGE_TYPES, _TORCH_STORAGES,
                                         _storage_type,
                                         _TORCH_TENSOR_KINDS, _refuse_unsupported, _StorageType,
                                         _torch_dtype, _UnsupportedDtype, _UnsupportedStorage,
                                         _UnsupportedTensor)
from ember._tensor import Size, Tensor, _make, device
from ember._weights_only_unpickler import Unpickler

__all__ = ["save", "load", "save_safetensors", "load_safetensors"]

_FORMAT_VERSION = b"3\n"
_ALIGNMENT = 64
# The first bytes of a checkpoint in torch's legacy (pre-1.6) format: a protocol-2 pickle of the
# magic number 0x1950a86a20f9469cfc6c.
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"

_STORAGE_DTYPES = {n: _dtype._by_name[d] for n, d in _TORCH_STORAGES.items()
                   if d in _dtype._by_name}
_STORAGE_NAMES = {d: name for name, d in _STORAGE_DTYPES.items()}


class _TorchName:
    """A name in torch's namespace, written into a pickle as a GLOBAL without importing torch."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __repr__(self):
        return "%s.%s" % (self.module, self.name)

    def __call__(self, *args):  # pickle requires a reduce function to be callable
        raise TypeError("%r is a placeholder for a torch name, not a function" % self)


_REBUILD_TENSOR = _TorchName("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchName("torch._utils", "_rebuild_parameter")
_TORCH_SIZE = _TorchName("torch", "Size")
_TORCH_DEVICE = _TorchName("torch", "device")
_STORAGE_TYPE = {d: _TorchName("torch", n) for d, n in _STORAGE_NAMES.items()}


def _storage_name(dtype):
    """torch's storage class for ``dtype``: ``torch.FloatStorage`` ... (bfloat16's is looked up
    when first saved, as the dtype is made on first use)."""
    name = _STORAGE_TYPE.get(dtype)
    if name is None:
        storage = next(n for n, d in _TORCH_STORAGES.items() if d == dtype.name)
        name = _STORAGE_TYPE[dtype] = _TorchName("torch", storage)
    return name


class _Storage:
    """A loaded storage: a flat ndarray that every tensor rebuilt on it views."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array


# --- writing --------------------------------------------------------------------------------------

class _StorageRef:
    """A storage to be written, pickled as torch's persistent id tuple."""

    __slots__ = ("pid", "raw")

    def __init__(self, pid, raw):
        self.pid, self.raw = pid, raw


class _StorageTable:
    """Groups tensors by the NumPy buffer they view, so that each buffer is written once."""

    def __init__(self):
        self.refs = []
        self._by_root = {}
        self._roots = []  # keeps roots alive so that their ids stay unique while pickling

    def _new(self, raw, dtype):
        key = str(len(self.refs))
        ref = _StorageRef(("storage", _storage_name(dtype), key, "cpu",
                           raw.nbytes // dtype.itemsize), raw)
        self.refs.append(ref)
        return ref

    def locate(self, arr):
        """``(storage, offset, stride)`` of ``arr`` in element units, as torch records them."""
        dtype = _dtype.from_numpy_dtype(arr.dtype)
        item = arr.itemsize
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        offset = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        shares = (arr.size > 0 and (root.flags.c_contiguous or root.flags.f_contiguous)
                  and root.nbytes % item == 0 and offset % item == 0
                  and all(s >= 0 and s % item == 0 for s in arr.strides))
        if not shares:
            # Empty tensors, negative strides and reinterpreted buffers: write a compact copy.
            flat = np.ascontiguousarray(arr)
            ref = self._new(flat.reshape(-1).view(np.uint8), dtype)
            return ref, 0, _contiguous_strides(arr.shape)
        ref = self._by_root.get((id(root), dtype))
        if ref is None:
            self._roots.append(root)
            ref = self._new(root.reshape(-1, order="A").view(np.uint8), dtype)
            self._by_root[(id(root), dtype)] = ref
        return ref, offset // item, tuple(s // item for s in arr.strides)


def _contiguous_strides(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


class _Pickler(pickle._Pickler):
    """Writes ember objects under torch's names: tensors, parameters, dtypes, devices, sizes.

    The pure-Python pickler is used because only it lets a GLOBAL name a module (``torch``)
    that is not imported; checkpoint skeletons are small, the storages are written separately.
    """

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol, storages):
        super().__init__(file, protocol)
        self._storages = storages

    def persistent_id(self, obj):
        return obj.pid if type(obj) is _StorageRef else None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if type(obj) is device:
            return _TORCH_DEVICE, (str(obj),)
        if type(obj) is Size:
            return _TORCH_SIZE, (tuple(obj),)
        return NotImplemented

    def _reduce_tensor(self, t):
        hooks = collections.OrderedDict()
        parameter = sys.modules.get("ember.nn.parameter")
        if parameter is not None and isinstance(t, parameter.Parameter):
            return _REBUILD_PARAMETER, (_make(t._data), t._requires_grad, hooks)
        ref, offset, stride = self._storages.locate(np.asarray(t._data))
        return _REBUILD_TENSOR, (ref, offset, tuple(t._data.shape), stride, t._requires_grad,
                                 hooks)

    def _save_torch_name(self, obj):
        self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
        self.memoize(obj)

    def _save_dtype(self, obj):
        self._save_torch_name(_DTYPE_NAMES.get(obj) or _TorchName("torch", obj.name))

    dispatch[_TorchName] = _save_torch_name
    dispatch[_dtype.dtype] = _save_dtype


_DTYPE_NAMES = {d: _TorchName("torch", d.name) for d in _dtype.all_dtypes}


def _write_record(zf, name, data):
    """Write one stored record, padding its local header so the data starts 64-byte aligned."""
    data = memoryview(data).cast("B")
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    header = 30 + len(name.encode()) + 4
    if len(data) * 1.05 > zipfile.ZIP64_LIMIT:
        header += 20  # the zip64 extra field that zipfile adds to large records
    try:
        start = zf.fp.tell()
    except (AttributeError, OSError):
        start = None
    if start is not None:
        pad = -(start + header) % _ALIGNMENT
        # Extra field id 'FB' carries the padding, as torch's writer does.
        info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    info.file_size = len(data)
    with zf.open(info, "w") as out:
        step = 1 << 26
        for i in range(0, len(data), step):
            out.write(data[i:i + step])


def _write_archive(obj, fileobj, name, protocol):
    storages = _StorageTable()
    pkl = io.BytesIO()
    _Pickler(pkl, protocol, storages).dump(obj)
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_record(zf, name + "/data.pkl", pkl.getbuffer())
        _write_record(zf, name + "/.format_version", b"1")
        _write_record(zf, name + "/.storage_alignment", str(_ALIGNMENT).encode())
        _write_record(zf, name + "/byteorder", sys.byteorder.encode())
        for ref in storages.refs:
            _write_record(zf, "%s/data/%s" % (name, ref.pid[2]), ref.raw)
        _write_record(zf, name + "/version", _FORMAT_VERSION)


def _atomic_write(path, write):
    """Call ``write(file)`` on a temporary file beside ``path``, then move it over ``path``.

    The old file is replaced only after the new one is complete and on disk, so a failure
    part-way leaves the previous checkpoint as it was and removes the temporary file.
    """
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, ".%s.%d.%s.tmp" % (os.path.basename(path), os.getpid(),
                                                      os.urandom(4).hex()))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fp:
            write(fp)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):
        try:
            dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save an object to a file in PyTorch's checkpoint format.

    Tensors, parameters, dtypes, devices and sizes are written under torch's names, so
    ``torch.load(f, weights_only=True)`` reads a state dict, an optimizer state dict or nested
    containers of tensors and numbers saved by ember. Other objects (a whole ember model, say)
    are pickled by their ember class and load back only in ember with ``weights_only=False``.

    Saving to a path is atomic: the archive is written to a temporary file in the same folder,
    flushed to disk and then moved over ``f``, so a crash never leaves a half-written file.

    Args:
        obj: the object to save.
        f: a path (``str`` or ``os.PathLike``) or a writable binary file object.
        pickle_module: accepted for torch compatibility; ember always uses its own pickler.
        pickle_protocol (int): pickle protocol of ``data.pkl``. Default: 2, as torch. torch's
            ``weights_only`` loader reads only protocol 2 (``ember.load`` reads 2 to 5).

    Example::

        >>> import ember, io
        >>> buf = io.BytesIO()
        >>> ember.save({"w": ember.ones(2)}, buf)
        >>> _ = buf.seek(0)
        >>> ember.load(buf)
        {'w': tensor([1., 1.])}
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember writes only the zip checkpoint format (torch >= 1.6); "
                                  "_use_new_zipfile_serialization=False is not supported")
    if pickle_protocol < 2:
        raise ValueError("pickle_protocol must be at least 2, got %r" % (pickle_protocol,))
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = os.path.splitext(os.path.basename(path))[0] or "archive"
        _atomic_write(path, lambda fp: _write_archive(obj, fp, name, pickle_protocol))
    else:
        _write_archive(obj, f, "archive", pickle_protocol)


# --- reading --------------------------------------------------------------------------------------

def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    if isinstance(storage, _UnsupportedStorage):
        return _UnsupportedTensor(storage.dtype)
    t = _make(_view(storage, storage_offset, size, stride))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    if isinstance(dtype, _UnsupportedDtype):
        return _UnsupportedTensor(dtype.name)
    if not isinstance(dtype, _dtype.dtype):
        raise pickle.UnpicklingError("_rebuild_tensor_v3 expects a dtype, got %r" % (dtype,))
    if isinstance(storage, _Storage) and storage.array.dtype != dtype.np:
        raw = storage.array.view(np.uint8)
        storage = _Storage(raw[:raw.size - raw.size % dtype.itemsize].view(dtype.np))
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
                              backward_hooks)


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _view(storage, offset, size, stride):
    """The ndarray that views ``storage`` with torch's element ``offset``, ``size``, ``stride``."""
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("a tensor must be built on a storage, got %s"
                                     % type(storage).__name__)
    size, stride = tuple(size), tuple(stride)
    if (not _is_int(offset) or offset < 0 or len(size) != len(stride)
            or not all(_is_int(s) and s >= 0 for s in size + stride)):
        raise RuntimeError("invalid tensor layout in checkpoint: offset %r, size %r, stride %r"
                           % (offset, size, stride))
    arr = storage.array
    if 0 in size:
        return np.empty(size, arr.dtype)
    end = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if end >= arr.size:
        raise RuntimeError("checkpoint is corrupted: a tensor of size %s, stride %s at offset %d "
                           "reaches past its storage of %d elements"
                           % (list(size), list(stride), offset, arr.size))
    item = arr.itemsize
    return np.ndarray(size, arr.dtype, buffer=arr, offset=offset * item,
                      strides=tuple(s * item for s in stride))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from ember.nn.parameter import Parameter

    if isinstance(data, _UnsupportedTensor):
        return data
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError("a Parameter must wrap a tensor, got %s"
                                     % type(data).__name__)
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    if state:
        if not isinstance(state, dict) or not all(isinstance(k, str) and not k.startswith("_")
                                                  for k in state):
            raise pickle.UnpicklingError("refusing Parameter state %r" % (state,))
        param.__dict__.update(state)
    return param


def _encode(obj, encoding="utf-8", errors="strict"):
    """``_codecs.encode`` as protocol 2 uses it to pickle bytes: text codecs only."""
    if not isinstance(obj, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        raise pickle.UnpicklingError("refusing _codecs.encode(%r, %r)"
                                     % (type(obj).__name__, encoding))
    return obj.encode(encoding, errors)


# Names that a checkpoint may call (REDUCE) when loading with weights_only=True.
_SAFE_CALLABLES = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
    ("torch", "Size"): Size,
    ("torch", "device"): device,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "bytearray"): bytearray,
    ("_codecs", "encode"): _encode,
}


# Globals the user allows ``weights_only=True`` to load (torch's add_safe_globals and friends):
# objects, or (object, "module.name") pairs naming them as a checkpoint spells them.
_USER_SAFE_GLOBALS = []


def add_safe_globals(safe_globals):
    """Allow ``load(..., weights_only=True)`` to rebuild these classes and call these functions
    (for checkpoints holding more than tensors: a pickled model, a config object).

    Args:
        safe_globals (list): objects, or ``(object, "module.name")`` pairs where the
            checkpoint names the object differently.
    """
    _USER_SAFE_GLOBALS.extend(safe_globals)


def clear_safe_globals():
    """Forget every global :func:`add_safe_globals` allowed."""
    _USER_SAFE_GLOBALS.clear()


def get_safe_globals():
    """The globals :func:`add_safe_globals` allowed."""
    return list(_USER_SAFE_GLOBALS)


class safe_globals:
    """Context manager: :func:`add_safe_globals` for the ``with`` block only.

    Example:
        >>> import ember, io
        >>> buffer = io.BytesIO()
        >>> ember.save(ember.nn.Linear(2, 1), buffer); _ = buffer.seek(0)
        >>> with ember.serialization.safe_globals([ember.nn.Linear]):
        ...     model = ember.load(buffer)
        >>> model
        Linear(in_features=2, out_features=1, bias=True)
    """

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        self._saved = list(_USER_SAFE_GLOBALS)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _USER_SAFE_GLOBALS[:] = self._saved
        return False


def _user_global(module, name):
    """The allowed object a checkpoint names ``module.name`` (torch's module paths read as
    ember's, so ``torch.nn.modules.rnn.LSTM`` finds ember's LSTM), or None."""
    wanted = {module + "." + name}
    if module == "torch" or module.startswith("torch."):
        wanted.add("ember" + module[5:] + "." + name)
    for entry in _USER_SAFE_GLOBALS:
        obj, spelled = entry if isinstance(entry, tuple) else (
            entry, "%s.%s" % (getattr(entry, "__module__", ""),
                              getattr(entry, "__qualname__", "")))
        if spelled in wanted:
            return obj
    return None


def _torch_global(module, name):
    """The ember object for a torch global a checkpoint names, or None if it is not one."""
    if module == "__builtin__":
        module = "builtins"
    if (module, name) in _SAFE_CALLABLES:
        return _SAFE_CALLABLES[(module, name)]
    if module == "torch":
        if name in _STORAGE_TYPES:
            return _storage_type(name)
        dtype = _torch_dtype(name)
        if dtype is not None:
            return dtype
        if name.endswith("Storage") and name[:-7]:
            raise RuntimeError("the checkpoint holds a torch.%s, which ember does not support "
                               "(ember's dtypes: %s)" % (name, _EMBER_DTYPES))
    if module == "torch.storage" and name == "UntypedStorage":
        return _STORAGE_TYPES[name]
    if module in ("torch._utils", "torch._tensor") and name in _TORCH_TENSOR_KINDS:
        raise RuntimeError("the checkpoint holds %s (%s.%s), which ember does not support: ember "
                           "loads dense tensors of the dtypes %s"
                           % (_TORCH_TENSOR_KINDS[name], module, name, _EMBER_DTYPES))
    return None


class _FullUnpickler(pickle.Unpickler):
    """The ``weights_only=False`` loader: any global, with torch's names mapped to ember's."""

    def __init__(self, file, archive, **kwargs):
        super().__init__(file, **kwargs)
        self._archive = archive

    def persistent_load(self, pid):
        return self._archive.persistent_load(pid)

    def find_class(self, module, name):
        obj = self._archive.find_global(module, name)
        if obj is not None:
            return obj
        if module == "torch" or module.startswith("torch."):
            import importlib

            try:
                return getattr(importlib.import_module("ember" + module[5:]), name)
            except (ImportError, AttributeError):
                raise AttributeError("ember does not implement %s.%s yet, which the checkpoint "
                                     "needs" % (module, name)) from None
        return super().find_class(module, name)


class _Archive:
    """Reads the records of one checkpoint and serves its storages by persistent id."""

    def __init__(self, zf, path, name, map_location, mmap):
        self.zf, self.path, self.name = zf, path, name
        self.map_location, self.mmap = map_location, mmap
        self.weights_only = False
        names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith("/data.pkl")]
        if not names:
            if any(n.endswith("constants.pkl") for n in zf.namelist()):
                raise RuntimeError("%s is a TorchScript archive (torch.jit.save); ember loads only "
                                   "checkpoints written by torch.save" % name)
            raise RuntimeError("%s is a zip file but not a PyTorch checkpoint: it has no "
                               "data.pkl record" % name)
        self.prefix = names[0][:-len("data.pkl")]
        order = zf.read(self.prefix + "byteorder") if self.has("byteorder") else b"little"
        if order not in (b"little", b"big"):
            raise RuntimeError("%s: unknown byte order %r" % (name, order))
        self.byteorder = order.decode()
        self.storages = {}
        self.raw = {}
        self.unsupported = set()  # torch's names of the dtypes met that ember lacks

    def find_global(self, module, name):
        """``_torch_global``, noting the dtypes ember lacks that the checkpoint names."""
        obj = _torch_global(module, name)
        if obj is None and self.weights_only:
            obj = _user_global(module, name)
        if type(obj) is _UnsupportedDtype:
            self.unsupported.add(obj.name)
        elif type(obj) is _StorageType and obj.dtype is None:
            self.unsupported.add(obj.dtype_name)
        return obj

    def has(self, record):
        try:
            self.zf.getinfo(self.prefix + record)
        except KeyError:
            return False
        return True

    def persistent_load(self, pid):
        if (not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage"
                or not isinstance(pid[1], _StorageType) or not isinstance(pid[2], str)
                or not isinstance(pid[3], str) or not _is_int(pid[4]) or pid[4] < 0):
            raise pickle.UnpicklingError("unsupported persistent id %r" % (pid,))
        _, kind, key, location, numel = pid
        if kind.dtype is None:
            return _UnsupportedStorage(kind.dtype_name)
        # Keyed by dtype too: a record viewed as two dtypes gives two storages on one buffer.
        storage = self.storages.get((key, kind.dtype))
        if storage is None:
            raw = self._raw(key, numel * kind.dtype.itemsize)
            array = raw.view(kind.dtype.np)
            if self.byteorder != sys.byteorder:
                array = array.view(kind.dtype.np.newbyteorder()).astype(kind.dtype.np)
            storage = self.storages[(key, kind.dtype)] = _Storage(array)
            self._place(storage, location)
        return storage

    def _raw(self, key, nbytes):
        """The bytes of record ``data/<key>``, read once, checked to hold ``nbytes``."""
        record = self.prefix + "data/" + key
        try:
            info = self.zf.getinfo(record)
        except KeyError:
            raise RuntimeError("%s is corrupted: the storage record %s is missing"
                               % (self.name, record)) from None
        if info.file_size != nbytes:
            raise RuntimeError("%s is corrupted: storage %s holds %d bytes, expected %d"
                               % (self.name, record, info.file_size, nbytes))
        raw = self.raw.get(key)
        if raw is not None:
            return raw
        raw = self._map(info, nbytes) if self.mmap else None
        if raw is None:
            raw = np.empty(nbytes, np.uint8)
            with self.zf.open(info) as src:
                view, got = memoryview(raw), 0
                while got < nbytes:
                    n = src.readinto(view[got:])
                    if not n:
                        raise RuntimeError("%s is truncated in record %s" % (self.name, record))
                    got += n
                src.read(1)  # reach the end of the record so its CRC is checked
        self.raw[key] = raw
        return raw

    def _map(self, info, nbytes):
        if self.path is None or info.compress_type != zipfile.ZIP_STORED or nbytes == 0:
            return None
        with open(self.path, "rb") as fp:
            fp.seek(info.header_offset)
            header = fp.read(30)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_len + extra_len
        return np.memmap(self.path, np.uint8, mode="c", offset=start, shape=(nbytes,))

    def _place(self, storage, location):
        target = self.map_location
        if target is None:
            target = location
        elif isinstance(target, dict):
            target = target.get(location, location)
        elif callable(target) and not isinstance(target, device):
            moved = target(_make(storage.array), location)
            if moved is None:
                target = location
            elif isinstance(moved, Tensor):
                storage.array = np.ascontiguousarray(moved._data).reshape(-1)
                target = "cpu"
            else:
                raise TypeError("map_location returned %s; ember expects a Tensor or None"
                                % type(moved).__name__)
        try:
            kind = device(str(target)).type
        except (RuntimeError, ValueError):
            kind = str(target)
        if kind != "cpu":
            raise RuntimeError(
                "Attempting to deserialize object on a %s device, but ember runs only on the "
                "CPU. Use ember.load with map_location='cpu' to map your storages to the CPU."
                % kind.upper())


def _open_archive(fp, name):
    head = fp.read(len(_LEGACY_MAGIC))
    fp.seek(-len(head), io.SEEK_CUR)
    if not head:
        raise RuntimeError("%s is empty: it is not a checkpoint (was the save interrupted?)"
                           % name)
    if head.startswith(_LEGACY_MAGIC):
        raise RuntimeError("%s uses torch's legacy (pre-1.6) format, which ember does not read. "
                           "Load it with torch and save it again with torch.save(obj, f), whose "
                           "default is the zip format." % name)
    if not head.startswith(b"PK"):
        raise RuntimeError("%s is not a PyTorch checkpoint (not a zip archive; first bytes %r)"
                           % (name, head[:8]))
    try:
        return zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
        raise RuntimeError("%s is truncated or corrupted: %s" % (name, e)) from None


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load an object saved with ``ember.save`` or ``torch.save``, without importing torch.

    Tensors come back as ember tensors with their dtype, shape and strides; tensors that shared
    a storage share one buffer again, and ``torch.nn.Parameter`` becomes ``ember.nn.Parameter``.

    Args:
        f: a path (``str`` or ``os.PathLike``) or a readable, seekable binary file object.
        map_location: where storages go: ``None``, ``'cpu'``, an ``ember.device``, a dict from
            saved locations to new ones, or ``callable(storage, location)`` returning a tensor
            or ``None``. ember has only the CPU, so every storage must end up there.
        pickle_module: accepted for torch compatibility and ignored.
        **pickle_load_args: passed to ``pickle.Unpickler`` when ``weights_only=False`` (for
            example ``encoding='latin1'``).
        weights_only (bool): ``True`` (the default) loads only tensors, containers, primitives
            and the torch names a checkpoint needs, refusing every other global with
            ``pickle.UnpicklingError`` before it runs. ``False`` runs the full unpickler, which
            can execute arbitrary code: use it only for files from a source you trust.
        mmap (bool): map storages from the file (copy on write) instead of reading them;
            needs ``f`` to be a path.

    Raises:
        RuntimeError: the file is truncated, corrupted, in torch's legacy format, or holds a
            dtype or device ember does not have.
        pickle.UnpicklingError: ``weights_only=True`` and the file needs anything else.
    """
    if weights_only is None:
        weights_only = True
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        with open(path, "rb") as fp:
            return _load(fp, path, repr(path), map_location, weights_only, mmap,
                         pickle_load_args)
    if mmap:
        raise ValueError("mmap=True needs f to be a path, not a file object")
    return _load(f, None, "checkpoint %r" % getattr(f, "name", f), map_location, weights_only,
                 False, pickle_load_args)


def _load(fp, path, name, map_location, weights_only, mmap, pickle_load_args):
    zf = _open_archive(fp, name)
    with zf:
        try:
            archive = _Archive(zf, path, name, map_location, mmap)
            pkl = zf.read(archive.prefix + "data.pkl")
            if weights_only:
                archive.weights_only = True
                allowed = [e[0] if isinstance(e, tuple) else e for e in _USER_SAFE_GLOBALS]
                obj = Unpickler(pkl, archive.persistent_load, archive.find_global,
                                list(_SAFE_CALLABLES.values()) + allowed, allowed).load()
            else:
                obj = _FullUnpickler(io.BytesIO(pkl), archive, **pickle_load_args).load()
        except (zipfile.BadZipFile, EOFError, zlib.error) as e:
            raise RuntimeError("%s is truncated or corrupted: %s" % (name, e)) from None
    if archive.unsupported:
        _refuse_unsupported(obj, name, archive.unsupported)
    return obj


# --- safetensors ----------------------------------------------------------------------------------

def save_safetensors(tensors, path, metadata=None):
    """Save a flat dict of tensors as a ``.safetensors`` file (Hugging Face's format).

    Needs the optional ``safetensors`` package (``pip install ember[safetensors]``). The file is
    written atomically, as with ``ember.save``.

    Args:
        tensors (dict): names to tensors.
        path: where to write.
        metadata (dict, optional): string keys and values stored in the header.
    """
    from safetensors.numpy import save as _st_save

    arrays = {}
    for key, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError("save_safetensors expects tensors, got %s for %r"
                            % (type(t).__name__, key))
        arrays[key] = np.ascontiguousarray(t._data)
    blob = _st_save(arrays, metadata=metadata)
    _atomic_write(os.fspath(path), lambda fp: fp.write(blob))


def load_safetensors(path):
    """Load a ``.safetensors`` file as a dict of ember tensors (needs ``safetensors``)."""
    from safetensors.numpy import load_file as _st_load

    out = {}
    for key, arr in _st_load(os.fspath(path)).items():
        _dtype.from_numpy_dtype(arr.dtype)
        out[key] = _make(np.ascontiguousarray(arr))
    return out
