"""Datasets: IDX parsing of generated files, the MNIST family's layouts, downloads against a
local HTTP server, the bundled sample, CIFAR's restricted unpickling, folders and FakeData."""
import gzip
import hashlib
import os
import pickle

import numpy as np
import pytest
from PIL import Image

import ember
from ember.utils.data import DataLoader
from ember.vision.datasets import (CIFAR10, EMNIST, KMNIST, MNIST, QMNIST, FakeData,
                                   FashionMNIST, ImageFolder, mnist)
from ember.vision.datasets.cifar import load_pickle
from ember.vision.datasets.mnist import read_sn3_pascalvincent_tensor
from tests.vision._idx import (LoopbackServer, idx_bytes, make_mnist_arrays, write_idx,
                               write_mnist_folder)


# --- IDX parsing ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32,
                                   np.float64])
@pytest.mark.parametrize("compress", [False, True])
def test_idx_roundtrip(tmp_path, dtype, compress):
    arr = (np.arange(2 * 3 * 5) * 7 - 40).astype(dtype).reshape(2, 3, 5)
    write_idx(tmp_path / ("x.gz" if compress else "x"), arr, compress)
    t = read_sn3_pascalvincent_tensor(str(tmp_path / "x"))
    assert t.numpy().dtype == dtype and (t.numpy() == arr).all()


def test_idx_rejects_bad_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match="magic"):
        read_sn3_pascalvincent_tensor(str(tmp_path / "bad"))
    (tmp_path / "short").write_bytes(idx_bytes(np.zeros((4, 2), np.uint8))[:-3])
    for strict in (True, False):  # a truncated file is refused even when not strict
        with pytest.raises(ValueError, match=r"truncated: its header promises 8 values \(shape "
                                             r"\(4, 2\)\), it holds 5"):
            read_sn3_pascalvincent_tensor(str(tmp_path / "short"), strict=strict)
    (tmp_path / "long").write_bytes(idx_bytes(np.zeros((4, 2), np.uint8)) + b"\x00")
    with pytest.raises(ValueError, match="wrong size: its header promises 8 values"):
        read_sn3_pascalvincent_tensor(str(tmp_path / "long"))
    assert read_sn3_pascalvincent_tensor(str(tmp_path / "long"), strict=False).shape == (4, 2)


@pytest.mark.parametrize("labels", [4, 6])
def test_mnist_refuses_images_and_labels_of_different_counts(tmp_path, labels):
    raw = tmp_path / "MNIST" / "raw"
    write_mnist_folder(raw, n_test=5)
    write_idx(raw / "t10k-labels-idx1-ubyte", np.zeros(labels, np.uint8))
    with pytest.raises(ValueError, match="the test split has 5 images but %d labels" % labels):
        MNIST(tmp_path, train=False)
    assert len(MNIST(tmp_path, train=True)) == 12


# --- MNIST family from local files ------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
def test_mnist_reads_torchvision_layout(tmp_path, compress):
    arrays = write_mnist_folder(tmp_path / "MNIST" / "raw", compress=compress)
    for train, split in ((True, "train"), (False, "t10k")):
        ds = MNIST(tmp_path, train=train)
        images, labels = arrays[split]
        assert len(ds) == len(images)
        assert ds.data.dtype == ember.uint8 and tuple(ds.data.shape) == images.shape
        assert ds.targets.dtype == ember.int64 and (ds.targets.numpy() == labels).all()
        img, target = ds[3]
        assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
        assert (np.asarray(img) == images[3]).all() and target == int(labels[3])
        assert type(target) is int
    assert ds.classes[3] == "3 - three" and ds.class_to_idx["3 - three"] == 3


def test_mnist_transforms_and_missing(tmp_path):
    write_mnist_folder(tmp_path / "MNIST" / "raw")
    ds = MNIST(tmp_path, transform=np.asarray, target_transform=lambda y: -y)
    img, target = ds[0]
    assert isinstance(img, np.ndarray) and target == -int(ds.targets[0].item())
    with pytest.raises(RuntimeError, match="Dataset not found"):
        MNIST(tmp_path / "nowhere")


@pytest.mark.parametrize("cls", [FashionMNIST, KMNIST])
def test_mnist_variants(tmp_path, cls):
    write_mnist_folder(tmp_path / cls.__name__ / "raw", compress=True)
    ds = cls(tmp_path, train=False)
    assert len(ds) == 5 and ds.classes == cls.classes and len(ds.classes) == 10
    with pytest.raises(RuntimeError):
        MNIST(tmp_path)  # other class, other folder


def test_emnist_split_files(tmp_path):
    raw = tmp_path / "EMNIST" / "raw"
    raw.mkdir(parents=True)
    images, labels = make_mnist_arrays(7)
    write_idx(raw / "emnist-letters-train-images-idx3-ubyte", images)
    write_idx(raw / "emnist-letters-train-labels-idx1-ubyte", labels)
    ds = EMNIST(tmp_path, split="letters")
    assert len(ds) == 7 and ds.classes[0] == "N/A" and len(ds.classes) == 27
    assert len(EMNIST.classes_split_dict["balanced"]) == 47
    assert len(EMNIST.classes_split_dict["byclass"]) == 62
    with pytest.raises(ValueError):
        EMNIST(tmp_path, split="nope")


def test_qmnist_compat_and_subsets(tmp_path):
    raw = tmp_path / "QMNIST" / "raw"
    raw.mkdir(parents=True)
    images, _ = make_mnist_arrays(12)
    labels = np.arange(12 * 8, dtype=np.int32).reshape(12, 8)
    write_idx(raw / "qmnist-test-images-idx3-ubyte.gz", images, compress=True)
    write_idx(raw / "qmnist-test-labels-idx2-int.gz", labels, compress=True)
    ds = QMNIST(tmp_path, what="test")
    assert len(ds) == 12 and ds[2][1] == 16
    full = QMNIST(tmp_path, what="test", compat=False)[2][1]
    assert full.dtype == ember.int64 and full.tolist() == list(range(16, 24))
    # test10k / test50k split the test file at row 10,000: all 12 rows fall in the first part.
    assert len(QMNIST(tmp_path, what="test10k")) == 12
    assert len(QMNIST(tmp_path, what="test50k")) == 0


# --- downloads against a loopback server ------------------------------------------------------

def _closed_port_url():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d/" % port


@pytest.fixture
def served_mnist():
    files, resources = {}, []
    for split, n in (("train", 9), ("t10k", 4)):
        images, labels = make_mnist_arrays(n, seed=n)
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            name = "%s-%s-ubyte.gz" % (split, kind)
            files[name] = gzip.compress(idx_bytes(arr), mtime=0)
            resources.append((name, hashlib.md5(files[name]).hexdigest()))
    server = LoopbackServer(files)
    yield server, resources
    server.close()


def test_download_tries_mirrors_and_verifies(tmp_path, served_mnist, capsys):
    server, resources = served_mnist
    dead = _closed_port_url()

    class LocalMNIST(MNIST):
        mirrors = [dead, server.url]

    LocalMNIST.resources = resources
    ds = LocalMNIST(tmp_path, train=True, download=True)
    assert len(ds) == 9 and len(LocalMNIST(tmp_path, train=False)) == 4
    raw = tmp_path / "LocalMNIST" / "raw"
    assert (raw / "train-images-idx3-ubyte").is_file()
    assert not [p for p in os.listdir(raw) if p.endswith(".part")]
    hits = len(server.hits)
    LocalMNIST(tmp_path, download=True)  # present: nothing fetched again
    assert len(server.hits) == hits


def test_download_md5_mismatch_leaves_nothing(tmp_path, served_mnist):
    server, resources = served_mnist
    server.files["t10k-labels-idx1-ubyte.gz"] = b"corrupted"

    class LocalMNIST(MNIST):
        mirrors = [server.url]

    LocalMNIST.resources = resources
    with pytest.raises(RuntimeError, match="MD5 mismatch") as err:
        LocalMNIST(tmp_path, download=True)
    assert server.url + "t10k-labels-idx1-ubyte.gz" in str(err.value)
    raw = tmp_path / "LocalMNIST" / "raw"
    names = os.listdir(raw)
    assert "t10k-labels-idx1-ubyte.gz" not in names and "t10k-labels-idx1-ubyte" not in names
    assert not [p for p in names if p.endswith(".part")]
    with pytest.raises(RuntimeError, match="Dataset not found"):
        LocalMNIST(tmp_path)  # the partial set never passes for a dataset


def test_download_offline_names_urls(tmp_path):
    dead1, dead2 = _closed_port_url(), _closed_port_url()

    class OfflineMNIST(MNIST):
        mirrors = [dead1, dead2]

    with pytest.raises(RuntimeError) as err:
        OfflineMNIST(tmp_path, download=True)
    msg = str(err.value)
    assert dead1 + "train-images-idx3-ubyte.gz" in msg and dead2 in msg and "offline" in msg


# --- the bundled sample -----------------------------------------------------------------------

def test_sample_is_real_mnist_and_explicit(tmp_path):
    train, test = MNIST(tmp_path, train=True, sample=True), MNIST(tmp_path, train=False,
                                                                  sample=True)
    assert len(train) == 4000 and len(test) == 1000
    assert np.bincount(train.targets.numpy()).tolist() == [400] * 10
    assert np.bincount(test.targets.numpy()).tolist() == [100] * 10
    # Real digits: dark background, a few hundred lit pixels of mean intensity well above 0.
    x = train.data.numpy()
    assert x[:, 0, :].max() == 0 and 80 < (x > 0).sum(axis=(1, 2)).mean() < 250
    with pytest.raises(RuntimeError, match="Dataset not found"):
        MNIST(tmp_path)  # no silent substitution
    with pytest.raises(ValueError):
        FashionMNIST(tmp_path, sample=True)


def test_notes_pipeline_on_sample():
    import ember.vision.transforms as transforms

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])
    train_set = mnist.MNIST("./data", train=True, transform=transform, download=False,
                            sample=True)
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    assert len(train_loader) == 63
    x, y = next(iter(train_loader))
    assert tuple(x.shape) == (64, 1, 28, 28) and x.dtype == ember.float32
    assert tuple(y.shape) == (64,) and y.dtype == ember.int64
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    assert not os.path.exists("./data/MNIST")


# --- CIFAR ------------------------------------------------------------------------------------

def _write_cifar(folder, protocol):
    rng = np.random.default_rng(0)
    os.makedirs(folder, exist_ok=True)
    md5s = {}
    for name, n in (("data_batch_1", 4), ("data_batch_2", 3), ("test_batch", 2)):
        entry = {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                 "labels": rng.integers(0, 10, n).tolist(), "batch_label": "x"}
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(entry, f, protocol=protocol)
        with open(os.path.join(folder, name), "rb") as f:
            md5s[name] = hashlib.md5(f.read()).hexdigest()
    with open(os.path.join(folder, "batches.meta"), "wb") as f:
        pickle.dump({"label_names": ["c%d" % i for i in range(10)]}, f, protocol=protocol)
    return md5s


@pytest.mark.parametrize("protocol", [2, 5])
def test_cifar10_from_generated_batches(tmp_path, protocol):
    md5s = _write_cifar(tmp_path / "cifar-10-batches-py", protocol)

    class Small(CIFAR10):
        train_list = [["data_batch_1", md5s["data_batch_1"]],
                      ["data_batch_2", md5s["data_batch_2"]]]
        test_list = [["test_batch", md5s["test_batch"]]]

    ds = Small(tmp_path, train=True)
    assert len(ds) == 7 and ds.data.shape == (7, 32, 32, 3) and ds.classes[2] == "c2"
    raw = load_pickle(tmp_path / "cifar-10-batches-py" / "data_batch_1")["data"][1]
    img, target = ds[1]
    assert img.mode == "RGB" and (np.asarray(img) == raw.reshape(3, 32, 32).transpose(1, 2, 0)
                                  ).all()
    assert len(Small(tmp_path, train=False)) == 2
    with pytest.raises(RuntimeError, match="corrupted"):
        CIFAR10(tmp_path)  # real md5 sums do not match generated files


def test_cifar_unpickler_refuses_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "evil"
    path.write_bytes(pickle.dumps({"data": Evil()}))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        load_pickle(path)


# --- folders, FakeData ------------------------------------------------------------------------

def test_image_folder(tmp_path):
    for cls, n in (("cat", 2), ("dog", 3)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            Image.new("L", (4, 5), color=10 * i).save(tmp_path / cls / ("%d.png" % i))
    (tmp_path / "dog" / "notes.txt").write_text("x")
    ds = ImageFolder(tmp_path)
    assert ds.classes == ["cat", "dog"] and len(ds) == 5 and ds.targets == [0, 0, 1, 1, 1]
    img, target = ds[3]
    assert img.mode == "RGB" and img.size == (4, 5) and target == 1
    assert np.asarray(img)[0, 0, 0] == 10
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="empty"):
        ImageFolder(tmp_path)
    assert len(ImageFolder(tmp_path, allow_empty=True)) == 5


def test_fake_data_deterministic():
    ds = FakeData(size=4, image_size=(3, 8, 6), num_classes=3)
    a, b = ds[2], ds[2]
    assert a[0].size == (6, 8) and a[0].mode == "RGB" and 0 <= a[1] < 3
    assert (np.asarray(a[0]) == np.asarray(b[0])).all() and a[1] == b[1]
    assert not (np.asarray(ds[1][0]) == np.asarray(a[0])).all()
    with pytest.raises(IndexError):
        ds[4]
    assert "Number of datapoints: 4" in repr(ds)


