"""``VisionDataset``: the base of the image datasets (root, transforms, repr)."""
import os

from ember.utils.data import Dataset


class VisionDataset(Dataset):
    """Base class: stores ``root``, ``transform`` and ``target_transform`` (or a joint
    ``transforms(image, target)``; not both kinds)."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else None
        has_separate = transform is not None or target_transform is not None
        if transforms is not None and has_separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = _SeparateTransforms(transform, target_transform)
        self.transforms = transforms

    def __len__(self):
        raise NotImplementedError

    def __repr__(self):
        lines = ["Number of datapoints: %d" % len(self)]
        if self.root is not None:
            lines.append("Root location: %s" % self.root)
        lines += self.extra_repr().splitlines()
        if self.transforms is not None:
            lines += repr(self.transforms).splitlines()
        pad = " " * self._repr_indent
        return "\n".join(["Dataset " + type(self).__name__] + [pad + line for line in lines])

    def extra_repr(self):
        return ""


class _SeparateTransforms:
    def __init__(self, transform, target_transform):
        self.transform, self.target_transform = transform, target_transform

    def __call__(self, image, target):
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self):
        body = []
        if self.transform is not None:
            body.append("Transform: " + repr(self.transform))
        if self.target_transform is not None:
            body.append("Target transform: " + repr(self.target_transform))
        return "\n".join(body)
