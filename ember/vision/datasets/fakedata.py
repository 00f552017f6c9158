"""``FakeData``: random images, reproducible per index."""
import numpy as np

from ember.vision.datasets.vision import VisionDataset


class FakeData(VisionDataset):
    """``size`` random PIL images of ``image_size`` (C, H, W) with labels in
    ``[0, num_classes)``; item ``i`` is drawn from a generator seeded with
    ``i + random_offset``, so it is the same on every access."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = tuple(image_size)
        self.random_offset = random_offset

    def __getitem__(self, index):
        from ember.vision.transforms import functional as F

        if index >= len(self):
            raise IndexError("%s index out of range" % type(self).__name__)
        rng = np.random.default_rng(index + self.random_offset)
        img = rng.integers(0, 256, self.image_size, dtype=np.uint8)
        target = int(rng.integers(0, self.num_classes))
        img = F.to_pil_image(img.transpose(1, 2, 0))
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return self.size
