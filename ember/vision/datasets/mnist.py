"""MNIST and its relatives (FashionMNIST, KMNIST, EMNIST, QMNIST), read from IDX files in
torchvision's layout ``root/<ClassName>/raw/``.

A 5,000-digit sample of real MNIST ships with ember: ``MNIST(root, train=..., sample=True)``
reads it (4,000 train / 1,000 test digits) from the package instead of ``root``. It is used only
when asked for; see ``_sample/README.md`` for its source and licence.
"""
import gzip
import lzma
import os
import string

import numpy as np

from ember._tensor import _make
from ember.vision.datasets.utils import download_url, extract_archive, verify_str_arg
from ember.vision.datasets.vision import VisionDataset

SAMPLE_FOLDER = os.path.join(os.path.dirname(__file__), "_sample")

# IDX type codes -> big-endian NumPy dtypes.
_IDX_TYPES = {8: np.dtype(">u1"), 9: np.dtype(">i1"), 11: np.dtype(">i2"), 12: np.dtype(">i4"),
              13: np.dtype(">f4"), 14: np.dtype(">f8")}


def _open(path):
    """Open ``path``, or its ``.gz``/``.xz`` form when only that exists."""
    for ext, opener in (("", open), (".gz", gzip.open), (".xz", lzma.open)):
        if os.path.isfile(path + ext):
            return opener(path + ext, "rb")
    raise FileNotFoundError(path)


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX ("SN3 Pascal Vincent") file, plain or gzip/xz-compressed, as a tensor.

    The header is two zero bytes, a type code (8 uint8, 9 int8, 11 int16, 12 int32, 13 float32,
    14 float64), the number of dimensions, then each size as a big-endian uint32.
    """
    with _open(path) as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError("%s is not an IDX file (bad magic number)" % path)
    ndim = data[3]
    if not 1 <= ndim <= 3:
        raise ValueError("%s: IDX files have 1 to 3 dimensions, got %d" % (path, ndim))
    shape = tuple(int(s) for s in np.frombuffer(data, ">u4", ndim, 4))
    dtype = _IDX_TYPES[data[2]]
    offset = 4 * (ndim + 1)
    count = (len(data) - offset) // dtype.itemsize
    if count < int(np.prod(shape)) or (strict and count != int(np.prod(shape))):
        raise ValueError("%s: %s: its header promises %d values (shape %s), it holds %d"
                         % (path, "truncated" if count < int(np.prod(shape)) else "wrong size",
                            int(np.prod(shape)), shape, count))
    arr = np.frombuffer(data, dtype, int(np.prod(shape)), offset).reshape(shape)
    return _make(arr.astype(dtype.newbyteorder("="), copy=True))


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x._data.dtype != np.uint8:
        raise TypeError("x should be of dtype uint8 instead of %s" % x._data.dtype)
    if x._data.ndim != 1:
        raise ValueError("x should have 1 dimension instead of %d" % x._data.ndim)
    return _make(x._data.astype(np.int64))


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x._data.dtype != np.uint8:
        raise TypeError("x should be of dtype uint8 instead of %s" % x._data.dtype)
    if x._data.ndim != 3:
        raise ValueError("x should have 3 dimension instead of %d" % x._data.ndim)
    return x


def _to_pil(img):
    from PIL import Image

    return Image.fromarray(img)  # a 2-D uint8 array is mode 'L'; passing mode= is deprecated


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_: 28x28 grey handwritten digits.

    Args:
        root (str or pathlib.Path): directory holding ``MNIST/raw/train-images-idx3-ubyte``
            etc. (plain or ``.gz``).
        train (bool, optional): the 60,000 training digits, else the 10,000 test digits.
        transform (callable, optional): applied to the PIL image (mode ``'L'``).
        target_transform (callable, optional): applied to the integer label.
        download (bool, optional): fetch missing files from :attr:`mirrors` (tried in turn),
            checking their MD5 sums.
        sample (bool, optional, keyword-only): read ember's bundled sample of real MNIST
            (4,000 train / 1,000 test digits) instead of ``root``. Default: False.

    Items are ``(PIL.Image, int)``; ``data`` is a uint8 tensor ``N x 28 x 28`` and ``targets``
    an int64 tensor.

    Example:
        >>> from ember.vision import datasets, transforms
        >>> test = datasets.MNIST("data", train=False, sample=True,
        ...                       transform=transforms.ToTensor())
        >>> image, label = test[0]
        >>> len(test), image.shape, type(label).__name__
        (1000, ember.Size([1, 28, 28]), 'int')
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False,
                 *, sample=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self.sample = sample
        if sample:
            if type(self) is not MNIST:
                raise ValueError("sample=True exists only for MNIST")
            folder = SAMPLE_FOLDER
        else:
            folder = self.raw_folder
            if download:
                self.download()
            if not self._check_exists():
                raise RuntimeError("Dataset not found in %s. You can use download=True to "
                                   "download it (or sample=True for ember's bundled sample)"
                                   % self.raw_folder)
        self.data, self.targets = self._load_data(folder)
        if len(self.data) != len(self.targets):
            raise ValueError("the %s split has %d images but %d labels"
                             % ("train" if self.train else "test", len(self.data),
                                len(self.targets)))

    @property
    def raw_folder(self):
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def _split_files(self):
        prefix = "train" if self.train else "t10k"
        return "%s-images-idx3-ubyte" % prefix, "%s-labels-idx1-ubyte" % prefix

    def _load_data(self, folder):
        images, labels = self._split_files()
        return (read_image_file(os.path.join(folder, images)),
                read_label_file(os.path.join(folder, labels)))

    def _check_exists(self):
        def present(name):
            base = os.path.join(self.raw_folder, name)
            return os.path.isfile(base) or os.path.isfile(base + ".gz")

        return all(present(os.path.splitext(name)[0]) for name, _ in self.resources)

    def download(self):
        """Fetch every missing raw file, verified by MD5, and decompress it."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            path = download_url(self.mirrors[0] + filename, self.raw_folder, filename, md5,
                                mirrors=self.mirrors)
            extract_archive(path, self.raw_folder)

    def __getitem__(self, index):
        img, target = _to_pil(self.data._data[index]), int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data._data)

    def extra_repr(self):
        return "Split: %s%s" % ("Train" if self.train else "Test",
                                " (ember sample)" if self.sample else "")


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: 28x28 grey images of
    clothing, 10 classes; same arguments and layout as :class:`MNIST`."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_: 28x28 cursive Japanese
    characters, 10 classes; same arguments and layout as :class:`MNIST`."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
                 ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
                 ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
                 ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134")]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """`EMNIST <https://www.nist.gov/itl/products-and-services/emnist-dataset>`_: handwritten
    digits and letters in six ``split`` s (byclass, bymerge, balanced, letters, digits, mnist).

    Files: ``root/EMNIST/raw/emnist-<split>-<train|test>-{images-idx3,labels-idx1}-ubyte``.
    Images are stored as NIST wrote them (transposed), as torchvision returns them.
    """

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = set("cijklmopsuvwxyz")
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split, **kwargs):
        self.split = verify_str_arg(split, "split", self.splits)
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    def _split_files(self):
        prefix = "emnist-%s-%s" % (self.split, "train" if self.train else "test")
        return prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte"

    def _check_exists(self):
        return all(os.path.isfile(os.path.join(self.raw_folder, f)) or
                   os.path.isfile(os.path.join(self.raw_folder, f + ".gz"))
                   for f in self._split_files())

    def download(self):
        if self._check_exists():
            return
        path = download_url(self.url, self.raw_folder, md5=self.md5)
        extract_archive(path, self.raw_folder)
        gz_folder = os.path.join(self.raw_folder, "gzip")
        for name in sorted(os.listdir(gz_folder)):
            if name.endswith(".gz"):
                os.replace(os.path.join(gz_folder, name), os.path.join(self.raw_folder, name))


class QMNIST(MNIST):
    """`QMNIST <https://github.com/facebookresearch/qmnist>`_: MNIST's digits with the
    reconstructed 60,000-digit test set and extended labels.

    ``what`` is 'train', 'test', 'test10k', 'test50k' or 'nist' (default from ``train``).
    With ``compat=True`` targets are class numbers; otherwise the 8-column int64 label rows.
    """

    _base = "https://raw.githubusercontent.com/facebookresearch/qmnist/master/"
    subsets = {"train": "train", "test": "test", "test10k": "test", "test50k": "test",
               "nist": "nist"}
    resources = {
        "train": [(_base + "qmnist-train-images-idx3-ubyte.gz", "ed72d4157d28c017586c42bc6afe6370"),
                  (_base + "qmnist-train-labels-idx2-int.gz", "0058f8dd561b90ffdd0f734c6a30e5e4")],
        "test": [(_base + "qmnist-test-images-idx3-ubyte.gz", "1394631089c404de565df7b7aeaf9412"),
                 (_base + "qmnist-test-labels-idx2-int.gz", "5b5b05890a5e13444e108efe57b788aa")],
        "nist": [(_base + "xnist-images-idx3-ubyte.xz", "7f124b3b8ab81486c9d8c2749c17f834"),
                 (_base + "xnist-labels-idx2-int.xz", "5ed0e788978e45d4a8bd4b7caec3d79d")],
    }

    def __init__(self, root, what=None, compat=True, train=True, **kwargs):
        what = what if what is not None else ("train" if train else "test")
        self.what = verify_str_arg(what, "what", tuple(self.subsets))
        self.compat = compat
        super().__init__(root, train, **kwargs)

    def _split_files(self):
        return tuple(os.path.splitext(os.path.basename(url))[0]
                     for url, _ in self.resources[self.subsets[self.what]])

    def _check_exists(self):
        return all(any(os.path.isfile(os.path.join(self.raw_folder, f + ext))
                       for ext in ("", ".gz", ".xz")) for f in self._split_files())

    def _load_data(self, folder):
        images, labels = self._split_files()
        data = read_sn3_pascalvincent_tensor(os.path.join(folder, images))
        targets = read_sn3_pascalvincent_tensor(os.path.join(folder, labels))
        data, targets = data._data, targets._data.astype(np.int64)
        if self.what == "test10k":
            data, targets = data[:10000], targets[:10000]
        elif self.what == "test50k":
            data, targets = data[10000:], targets[10000:]
        return _make(np.ascontiguousarray(data)), _make(np.ascontiguousarray(targets))

    def download(self):
        if self._check_exists():
            return
        for url, md5 in self.resources[self.subsets[self.what]]:
            path = download_url(url, self.raw_folder, md5=md5)
            extract_archive(path, self.raw_folder)

    def __getitem__(self, index):
        img, target = _to_pil(self.data._data[index]), self.targets._data[index]
        if self.transform is not None:
            img = self.transform(img)
        target = int(target[0]) if self.compat else _make(target.copy())
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self):
        return "Split: %s" % self.what
