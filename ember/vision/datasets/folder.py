"""``DatasetFolder`` / ``ImageFolder``: one sub-folder per class, ``root/<class>/<file>``."""
import os

from ember.vision.datasets.vision import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    return filename.lower().endswith(extensions if isinstance(extensions, str)
                                     else tuple(extensions))


def is_image_file(filename):
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """Class names (sorted sub-folder names) and their indices."""
    classes = sorted(e.name for e in os.scandir(directory) if e.is_dir())
    if not classes:
        raise FileNotFoundError("Couldn't find any class folder in %s." % directory)
    return classes, {c: i for i, c in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None,
                 allow_empty=False):
    """``(path, class_index)`` for every valid file, classes in order, files sorted."""
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the "
                         "same time")
    if is_valid_file is None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)
    instances, found = [], set()
    for cls in sorted(class_to_idx):
        folder = os.path.join(directory, cls)
        if not os.path.isdir(folder):
            continue
        for root, _, names in sorted(os.walk(folder, followlinks=True)):
            for name in sorted(names):
                path = os.path.join(root, name)
                if is_valid_file(path):
                    instances.append((path, class_to_idx[cls]))
                    found.add(cls)
    missing = set(class_to_idx) - found
    if missing and not allow_empty:
        msg = "Found no valid file for the classes %s. " % ", ".join(sorted(missing))
        if extensions is not None:
            msg += "Supported extensions are: %s" % (
                extensions if isinstance(extensions, str) else ", ".join(extensions))
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(VisionDataset):
    """Samples ``(loader(path), class_index)`` from ``root/<class>/**/<file>``.

    Args:
        root (str or pathlib.Path): the root directory.
        loader (callable): loads a sample from its path.
        extensions (tuple[str]): allowed file extensions (or use ``is_valid_file``).
        transform, target_transform (callable, optional): applied to sample and target.
        is_valid_file (callable, optional): decides from a path whether the file is a sample.
        allow_empty (bool, optional): allow classes without any file.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        self.samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file,
                                         allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.targets = [s[1] for s in self.samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None,
                     allow_empty=False):
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory):
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)


def pil_loader(path):
    """Open an image file as an RGB PIL image (read fully, file closed)."""
    from PIL import Image

    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


def default_loader(path):
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """A :class:`DatasetFolder` of images (``IMG_EXTENSIONS``) loaded as RGB PIL images;
    ``imgs`` is an alias of ``samples``."""

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
