"""MNIST for the command line: the notes' transform, and the train and test sets from a
directory (downloaded when asked) or from the sample shipped with ember."""
import os

from ember.cli import CommandError

__all__ = ["mnist_transform", "open_mnist"]

_RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
              "t10k-labels-idx1-ubyte")


def mnist_transform():
    """The notes' preprocessing: ``Compose([ToTensor(), Normalize([0.5], [0.5])])``."""
    from ember.vision import transforms

    return transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])


def _one_line(error):
    """An exception as one short line (download errors span several)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    detail = lines[1] if len(lines) > 1 else (lines[0] if lines else type(error).__name__)
    return detail if len(detail) <= 160 else detail[:157] + "..."


def _load_split(root, train, sample, download=False):
    from ember.vision.datasets import MNIST

    where = "ember's MNIST sample" if sample else os.path.join(root, "MNIST", "raw")
    try:
        dataset = MNIST(root, train=train, transform=mnist_transform(), download=download,
                        sample=sample)
    except (ValueError, TypeError, EOFError, OSError) as e:
        detail = _one_line(str(e).replace(where + os.sep, ""))  # files named once, in `where`
        raise CommandError("corrupt MNIST data in %s: %s" % (where, detail)) from None
    outside = ((dataset.targets < 0) | (dataset.targets > 9)).nonzero()
    if len(outside):
        first = int(outside[0, 0])
        raise CommandError("corrupt MNIST data in %s: %s-labels-idx1-ubyte holds label %d at "
                           "index %d (%d of %d labels outside 0..9)"
                           % (where, "train" if train else "t10k", int(dataset.targets[first]),
                              first, len(outside), len(dataset.targets)))
    return dataset


def _download(data_dir):
    """Download MNIST into ``data_dir/MNIST/raw`` (loading the test split to check it).

    If it fails (or is interrupted), the folders this call created are removed again, with the
    MNIST files fetched into them; a folder that existed before, and any file that is not one of
    MNIST's, are left alone.
    """
    raw = os.path.abspath(os.path.join(data_dir, "MNIST", "raw"))
    created, folder = [], raw
    while not os.path.lexists(folder) and os.path.dirname(folder) != folder:
        created.append(folder)  # deepest first
        folder = os.path.dirname(folder)
    try:
        _load_split(data_dir, False, False, download=True)
    except BaseException:
        if created and created[0] == raw:
            for name in _RAW_FILES:
                for path in (os.path.join(raw, name), os.path.join(raw, name + ".gz")):
                    if os.path.isfile(path):
                        os.remove(path)
        for folder in created:
            try:
                os.rmdir(folder)
            except OSError:  # something else was put there meanwhile: keep it
                break
        raise


def open_mnist(data_dir, download=True, require_full=False, sample=False, announce=print,
               purpose="training on", need_train=True):
    """The MNIST train and test sets, with the notes' transform.

    Full MNIST is read from ``data_dir/MNIST/raw`` (downloaded there first when absent and
    ``download``). When it is absent, and ``require_full`` is False, the sample shipped with ember
    is used and ``announce`` is called with one line saying so (``"...; <purpose> the 5,000-digit
    sample shipped with ember"``). With ``sample`` the sample is used without a word.

    Returns:
        (train_set, test_set, source): ``source`` is ``"full"`` or ``"sample"``; ``train_set`` is
        None unless ``need_train``.

    Raises:
        CommandError: some of the four files are missing, a file is corrupt, or (with
            ``require_full``) MNIST is not there.
    """
    try:
        import PIL  # noqa: F401  (ToTensor works on PIL images)
    except ImportError:
        raise CommandError("Pillow is needed to read MNIST: pip install 'ember[train]'") from None
    if not sample:
        raw = os.path.join(data_dir, "MNIST", "raw")
        present = [name for name in _RAW_FILES
                   if any(os.path.isfile(os.path.join(raw, name + ext)) for ext in ("", ".gz"))]
        if present and len(present) < len(_RAW_FILES):
            missing = "incomplete MNIST in %s: missing %s" % (
                raw, ", ".join(name for name in _RAW_FILES if name not in present))
            if not download:
                raise CommandError(missing)
            try:  # MNIST.download fetches what is missing or fails its checksum
                _download(data_dir)
            except RuntimeError as e:
                raise CommandError("%s (and download failed: %s)" % (missing, _one_line(e))) \
                    from None
            present = _RAW_FILES
        reason = None
        if not present:
            reason = "download disabled"
            if download:
                try:
                    _download(data_dir)
                    reason = None
                except RuntimeError as e:
                    reason = "and download failed: %s" % _one_line(e)
        if reason is None:
            train_set = _load_split(data_dir, True, False) if need_train else None
            return train_set, _load_split(data_dir, False, False), "full"
        if require_full:
            raise CommandError("full MNIST not found in %s (%s)" % (data_dir, reason))
        announce("full MNIST not found in %s (%s); %s the 5,000-digit sample shipped with "
                 "ember" % (data_dir, reason, purpose))
    train_set = _load_split(data_dir, True, True) if need_train else None
    return train_set, _load_split(data_dir, False, True), "sample"
