"""CIFAR-10 and CIFAR-100 from the "python version" pickle batches.

The batches are pickles; they are read with a restricted unpickler that builds only dicts,
lists, strings, numbers and NumPy arrays, so a tampered file cannot run code.
"""
import os
import pickle

import numpy as np

from ember.vision.datasets.utils import check_integrity, download_and_extract_archive
from ember.vision.datasets.vision import VisionDataset

# The only globals a CIFAR batch needs: how NumPy pickles an array.
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError("refusing to load %s.%s from a dataset file"
                                     % (module, name))


def load_pickle(path):
    """Unpickle ``path`` (a Python 2 or 3 pickle) allowing only plain data and arrays."""
    with open(path, "rb") as f:
        return _RestrictedUnpickler(f, encoding="latin1").load()


class CIFAR10(VisionDataset):
    """`CIFAR-10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: 32x32 colour images in 10
    classes, from ``root/cifar-10-batches-py``.

    Args:
        root (str or pathlib.Path): directory holding ``cifar-10-batches-py``.
        train (bool, optional): the 50,000 training images, else the 10,000 test images.
        transform, target_transform (callable, optional): applied to the PIL image (RGB) and
            the integer label.
        download (bool, optional): fetch and unpack the archive (MD5-checked) if missing.

    ``data`` is a uint8 NumPy array ``N x 32 x 32 x 3``, ``targets`` a list of ints.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [["data_batch_1", "c99cafc152244af753f735de768cd75f"],
                  ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
                  ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
                  ["data_batch_4", "634d18415352ddfa80567beed471001a"],
                  ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to "
                               "download it")
        data, self.targets = [], []
        for name, _ in (self.train_list if train else self.test_list):
            entry = load_pickle(os.path.join(self.root, self.base_folder, name))
            data.append(entry["data"])
            self.targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
        meta = load_pickle(os.path.join(self.root, self.base_folder, self.meta["filename"]))
        self.classes = list(meta[self.meta["key"]])
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _check_integrity(self):
        return all(check_integrity(os.path.join(self.root, self.base_folder, name), md5)
                   for name, md5 in self.train_list + self.test_list)

    def download(self):
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename,
                                     md5=self.tgz_md5)

    def __getitem__(self, index):
        from PIL import Image

        img, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return "Split: %s" % ("Train" if self.train else "Test")


class CIFAR100(CIFAR10):
    """`CIFAR-100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: as :class:`CIFAR10` with 100
    fine classes, from ``root/cifar-100-python``."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}


