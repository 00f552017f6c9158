"""Image transforms mirroring ``torchvision.transforms`` (classes here, functions in
``ember.vision.transforms.functional``)."""
from ember.vision.transforms import functional  # noqa: F401
from ember.vision.transforms.transforms import *  # noqa: F401,F403
from ember.vision.transforms.transforms import __all__  # noqa: F401
