"""Transform classes mirroring ``torchvision.transforms``. Random ones draw from ember's
default generator, so ``ember.manual_seed`` reproduces them."""
import math
import numbers
from collections.abc import Sequence

import numpy as np

from ember._tensor import Tensor, _make
from ember.random import default_generator
from ember.vision.transforms import functional as F
from ember.vision.transforms.functional import InterpolationMode

__all__ = ["Compose", "ToTensor", "PILToTensor", "ToPILImage", "ConvertImageDtype", "Normalize",
           "Resize", "CenterCrop", "Pad", "Lambda", "RandomApply", "RandomChoice",
           "RandomOrder", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
           "RandomResizedCrop", "FiveCrop", "TenCrop", "ColorJitter", "RandomRotation",
           "RandomAffine", "Grayscale", "RandomGrayscale", "RandomPerspective",
           "RandomErasing", "GaussianBlur", "InterpolationMode"]


def _rng():
    return default_generator._rng


def _uniform(low, high):
    return float(_rng().uniform(low, high))


def _randint(low, high):
    return int(_rng().integers(low, high))


def _rand():
    return float(_rng().random())


class Compose:
    """Apply ``transforms`` one after another.

    Args:
        transforms (list): the transforms, each a callable taking and returning an image.

    Example:
        >>> from ember.vision import transforms
        >>> t = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.5])])
        >>> import numpy as np
        >>> t(np.full((2, 2, 1), 255, dtype=np.uint8))
        tensor([[[1., 1.],
                 [1., 1.]]])
    """

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        body = "".join("\n    %r" % (t,) for t in self.transforms)
        return "%s(%s\n)" % (type(self).__name__, body)


class _Simple:
    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self.extra_repr())

    def extra_repr(self):
        return ""


class ToTensor(_Simple):
    """PIL image or HWC ndarray -> CHW float32 tensor in [0, 1] (for uint8 input).

    Shape:
        - Input: a PIL image, or an ndarray ``(H, W, C)`` (or ``(H, W)``).
        - Output: a tensor ``(C, H, W)``; uint8 values are divided by 255.

    Example:
        >>> import numpy as np
        >>> from ember.vision.transforms import ToTensor
        >>> ToTensor()(np.zeros((28, 28, 1), dtype=np.uint8)).shape
        ember.Size([1, 28, 28])
    """

    def __call__(self, pic):
        return F.to_tensor(pic)


class PILToTensor(_Simple):
    """PIL image -> CHW tensor of the same dtype, values unchanged."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)


class ToPILImage(_Simple):
    """CHW tensor or HWC ndarray -> PIL image (``mode`` inferred unless given)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def extra_repr(self):
        return "mode=%s" % self.mode if self.mode is not None else ""


class ConvertImageDtype(_Simple):
    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, image):
        return F.convert_image_dtype(image, self.dtype)


class Normalize(_Simple):
    """``(x - mean[c]) / std[c]`` for each channel ``c`` of a float tensor image.

    Args:
        mean (sequence): per-channel means.
        std (sequence): per-channel standard deviations.
        inplace (bool): overwrite the input tensor. Default: ``False``.

    Shape:
        - Input: ``(C, H, W)`` or ``(N, C, H, W)``; Output: the same shape.

    Example:
        >>> import ember
        >>> from ember.vision.transforms import Normalize
        >>> Normalize([0.5], [0.5])(ember.tensor([[[0.0, 1.0]]]))
        tensor([[[-1.,  1.]]])
    """

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def extra_repr(self):
        return "mean=%s, std=%s" % (self.mean, self.std)


class Resize(_Simple):
    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True):
        if not isinstance(size, (int, Sequence)):
            raise TypeError("Size should be int or sequence. Got %s" % type(size))
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = interpolation

    def __call__(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def extra_repr(self):
        return "size=%s, interpolation=%s, max_size=%s, antialias=%s" % (
            self.size, InterpolationMode(self.interpolation).value, self.max_size,
            self.antialias)


def _setup_size(size, msg="Please provide only two dimensions (h, w) for size."):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(msg)
    return tuple(size)


class CenterCrop(_Simple):
    def __init__(self, size):
        self.size = _setup_size(size)

    def __call__(self, img):
        return F.center_crop(img, self.size)

    def extra_repr(self):
        return "size=%s" % (self.size,)


class Pad(_Simple):
    def __init__(self, padding, fill=0, padding_mode="constant"):
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a %d "
                             "element tuple" % len(padding))
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or "
                             "symmetric")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def extra_repr(self):
        return "padding=%s, fill=%s, padding_mode=%s" % (self.padding, self.fill,
                                                         self.padding_mode)


class Lambda(_Simple):
    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError("Argument lambd should be callable, got %r" % type(lambd).__name__)
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)


class RandomApply(Compose):
    """Apply all of ``transforms`` with probability ``p``."""

    def __init__(self, transforms, p=0.5):
        super().__init__(transforms)
        self.p = p

    def __call__(self, img):
        if self.p < _rand():
            return img
        return super().__call__(img)

    def __repr__(self):
        body = "".join("\n    %r" % (t,) for t in self.transforms)
        return "%s(\n    p=%s%s\n)" % (type(self).__name__, self.p, body)


class RandomChoice(Compose):
    """Apply one of ``transforms``, picked with probabilities ``p`` (uniform by default)."""

    def __init__(self, transforms, p=None):
        if p is not None and len(p) != len(transforms):
            raise ValueError("Length of p doesn't match the number of transforms: %d != %d"
                             % (len(p), len(transforms)))
        super().__init__(transforms)
        total = sum(p) if p is not None else len(transforms)
        self.p = [x / total for x in p] if p is not None else [1.0 / total] * len(transforms)

    def __call__(self, *args):
        k = int(_rng().choice(len(self.transforms), p=self.p))
        return self.transforms[k](*args)

    def __repr__(self):
        return "%s(transforms=%s, p=%s)" % (type(self).__name__, self.transforms, self.p)


class RandomOrder(Compose):
    """Apply ``transforms`` in a random order."""

    def __call__(self, img):
        for k in _rng().permutation(len(self.transforms)).tolist():
            img = self.transforms[k](img)
        return img


class RandomCrop(_Simple):
    """Crop a random ``size`` region, after optional ``padding``; ``pad_if_needed`` pads an
    image smaller than ``size``."""

    @staticmethod
    def get_params(img, output_size):
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError("Required crop size %s is larger than input image size %s"
                             % ((th, tw), (h, w)))
        if w == tw and h == th:
            return 0, 0, h, w
        return _randint(0, h - th + 1), _randint(0, w - tw + 1), th, tw

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0,
                 padding_mode="constant"):
        self.size = _setup_size(size)
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    def __call__(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, h, w = F.get_dimensions(img)
        th, tw = self.size
        if self.pad_if_needed and w < tw:
            img = F.pad(img, [tw - w, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and h < th:
            img = F.pad(img, [0, th - h], self.fill, self.padding_mode)
        return F.crop(img, *self.get_params(img, self.size))

    def extra_repr(self):
        return "size=%s, padding=%s" % (self.size, self.padding)


class RandomHorizontalFlip(_Simple):
    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        return F.hflip(img) if _rand() < self.p else img

    def extra_repr(self):
        return "p=%s" % self.p


class RandomVerticalFlip(RandomHorizontalFlip):
    def __call__(self, img):
        return F.vflip(img) if _rand() < self.p else img


class RandomResizedCrop(_Simple):
    """Crop a random area (fraction ``scale`` of the image, aspect ratio in ``ratio``, drawn
    log-uniformly) and resize it to ``size``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        self.size = _setup_size(size)
        self.scale, self.ratio = scale, ratio
        self.interpolation, self.antialias = interpolation, antialias

    @staticmethod
    def get_params(img, scale, ratio):
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect = math.exp(_uniform(*log_ratio))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        # Fallback: the largest central crop whose ratio is within range.
        in_ratio = width / height
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation,
                              antialias=self.antialias)

    def extra_repr(self):
        return "size=%s, scale=%s, ratio=%s, interpolation=%s, antialias=%s" % (
            self.size, tuple(round(s, 4) for s in self.scale),
            tuple(round(r, 4) for r in self.ratio), InterpolationMode(self.interpolation).value,
            self.antialias)


class FiveCrop(_Simple):
    def __init__(self, size):
        self.size = _setup_size(size)

    def __call__(self, img):
        return F.five_crop(img, self.size)

    def extra_repr(self):
        return "size=%s" % (self.size,)


class TenCrop(_Simple):
    def __init__(self, size, vertical_flip=False):
        self.size = _setup_size(size)
        self.vertical_flip = vertical_flip

    def __call__(self, img):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def extra_repr(self):
        return "size=%s, vertical_flip=%s" % (self.size, self.vertical_flip)


def _check_range(value, name, center=1.0, bound=(0, float("inf")), clip_first_on_zero=True):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError("If %s is a single number, it must be non negative." % name)
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        value = [float(value[0]), float(value[1])]
    else:
        raise TypeError("%s should be a single number or a list/tuple with length 2." % name)
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError("%s values should be between %s, but got %s." % (name, bound, value))
    return None if value[0] == value[1] == center else tuple(value)


class ColorJitter(_Simple):
    """Randomly change brightness, contrast, saturation and hue, in a random order."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = _check_range(brightness, "brightness")
        self.contrast = _check_range(contrast, "contrast")
        self.saturation = _check_range(saturation, "saturation")
        self.hue = _check_range(hue, "hue", center=0, bound=(-0.5, 0.5),
                                clip_first_on_zero=False)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        order = _rng().permutation(4).tolist()
        factors = [None if r is None else _uniform(r[0], r[1])
                   for r in (brightness, contrast, saturation, hue)]
        return (order, *factors)

    def __call__(self, img):
        order, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation,
                                            self.hue)
        ops = [(F.adjust_brightness, b), (F.adjust_contrast, c), (F.adjust_saturation, s),
               (F.adjust_hue, h)]
        for k in order:
            fn, factor = ops[k]
            if factor is not None:
                img = fn(img, factor)
        return img

    def extra_repr(self):
        return "brightness=%s, contrast=%s, saturation=%s, hue=%s" % (
            self.brightness, self.contrast, self.saturation, self.hue)


def _degrees(degrees, name="degrees"):
    if isinstance(degrees, numbers.Number):
        if degrees < 0:
            raise ValueError("If %s is a single number, it must be positive." % name)
        return [-float(degrees), float(degrees)]
    if len(degrees) != 2:
        raise ValueError("If %s is a sequence, it must be of len 2." % name)
    return [float(d) for d in degrees]


class RandomRotation(_Simple):
    """Rotate by an angle drawn uniformly from ``degrees`` (counter-clockwise)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False,
                 center=None, fill=0):
        self.degrees = _degrees(degrees)
        self.interpolation, self.expand, self.center, self.fill = (interpolation, expand,
                                                                   center, fill)

    @staticmethod
    def get_params(degrees):
        return _uniform(degrees[0], degrees[1])

    def __call__(self, img):
        return F.rotate(img, self.get_params(self.degrees), self.interpolation, self.expand,
                        self.center, self.fill)

    def extra_repr(self):
        return "degrees=%s, interpolation=%s, expand=%s, fill=%s" % (
            self.degrees, InterpolationMode(self.interpolation).value, self.expand, self.fill)


class RandomAffine(_Simple):
    """Random rotation, translation (fractions of the size), scale and shear."""

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None):
        self.degrees = _degrees(degrees)
        if translate is not None and not all(0.0 <= t <= 1.0 for t in translate):
            raise ValueError("translation values should be between 0 and 1")
        if scale is not None and any(s <= 0 for s in scale):
            raise ValueError("scale values should be positive")
        if shear is not None:
            shear = _degrees(shear, "shear") if isinstance(shear, numbers.Number) or \
                len(shear) == 2 else [float(s) for s in shear]
        self.translate, self.scale, self.shear = translate, scale, shear
        self.interpolation, self.fill, self.center = interpolation, fill, center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        angle = _uniform(degrees[0], degrees[1])
        if translate is not None:
            max_dx, max_dy = translate[0] * img_size[0], translate[1] * img_size[1]
            tx, ty = int(round(_uniform(-max_dx, max_dx))), int(round(_uniform(-max_dy, max_dy)))
        else:
            tx, ty = 0, 0
        scale = _uniform(scale_ranges[0], scale_ranges[1]) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform(shears[2], shears[3])
        return angle, (tx, ty), scale, (shear_x, shear_y)

    def __call__(self, img):
        w, h = F.get_image_size(img)
        angle, translate, scale, shear = self.get_params(self.degrees, self.translate,
                                                         self.scale, self.shear, [w, h])
        return F.affine(img, angle, translate, scale, shear, self.interpolation, self.fill,
                        self.center)

    def extra_repr(self):
        return "degrees=%s" % (self.degrees,)


class Grayscale(_Simple):
    def __init__(self, num_output_channels=1):
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return F.rgb_to_grayscale(img, self.num_output_channels)

    def extra_repr(self):
        return "num_output_channels=%d" % self.num_output_channels


class RandomGrayscale(_Simple):
    """Grayscale (keeping the channel count) with probability ``p``."""

    def __init__(self, p=0.1):
        self.p = p

    def __call__(self, img):
        channels = F.get_image_num_channels(img)
        if _rand() < self.p:
            return F.rgb_to_grayscale(img, channels)
        return img

    def extra_repr(self):
        return "p=%s" % self.p


class RandomPerspective(_Simple):
    """With probability ``p``, move each corner inwards by up to ``distortion_scale`` of half
    the size and warp accordingly."""

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation=InterpolationMode.BILINEAR,
                 fill=0):
        self.distortion_scale, self.p = distortion_scale, p
        self.interpolation, self.fill = interpolation, fill

    @staticmethod
    def get_params(width, height, distortion_scale):
        dx, dy = int(distortion_scale * (width // 2)), int(distortion_scale * (height // 2))
        topleft = [_randint(0, dx + 1), _randint(0, dy + 1)]
        topright = [_randint(width - dx - 1, width), _randint(0, dy + 1)]
        botright = [_randint(width - dx - 1, width), _randint(height - dy - 1, height)]
        botleft = [_randint(0, dx + 1), _randint(height - dy - 1, height)]
        start = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return start, [topleft, topright, botright, botleft]

    def __call__(self, img):
        if _rand() < self.p:
            w, h = F.get_image_size(img)
            start, end = self.get_params(w, h, self.distortion_scale)
            return F.perspective(img, start, end, self.interpolation, self.fill)
        return img

    def extra_repr(self):
        return "p=%s" % self.p


class GaussianBlur(_Simple):
    """Blur with a Gaussian of ``kernel_size`` and sigma drawn uniformly from ``sigma``."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        self.kernel_size = _setup_size(kernel_size, "Kernel size should be a tuple/list of two "
                                       "integers")
        if any(k <= 0 or k % 2 == 0 for k in self.kernel_size):
            raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (sigma, sigma)
        elif not 0.0 < sigma[0] <= sigma[1]:
            raise ValueError("sigma values should be positive and of the form (min, max).")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min, sigma_max):
        return _uniform(sigma_min, sigma_max)

    def __call__(self, img):
        s = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, list(self.kernel_size)[::-1], [s, s])

    def extra_repr(self):
        return "kernel_size=%s, sigma=%s" % (self.kernel_size, self.sigma)


class RandomErasing(_Simple):
    """With probability ``p``, erase a random rectangle (area fraction in ``scale``, aspect
    ratio in ``ratio``) of a tensor image with ``value`` (a number, per-channel sequence or
    ``'random'`` for normal noise)."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise ValueError("Scale and ratio should be of kind (min, max)")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        c, img_h, img_w = img._data.shape[-3:]
        area = img_h * img_w
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect = math.exp(_uniform(*log_ratio))
            h = int(round(math.sqrt(erase_area * aspect)))
            w = int(round(math.sqrt(erase_area / aspect)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = _make(_rng().standard_normal((c, h, w)).astype(img._data.dtype))
            else:
                v = _make(np.asarray(value, dtype=img._data.dtype).reshape(-1, 1, 1))
            return _randint(0, img_h - h + 1), _randint(0, img_w - w + 1), h, w, v
        return 0, 0, img_h, img_w, img

    def __call__(self, img):
        if _rand() >= self.p:
            return img
        if not isinstance(img, Tensor):
            raise TypeError("img should be Tensor Image. Got %s" % type(img))
        if isinstance(self.value, numbers.Number):
            value = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = list(self.value)
        c = img._data.shape[-3]
        if value is not None and len(value) not in (1, c):
            raise ValueError("If value is a sequence, it should have either a single value or "
                             "%d (number of input channels)" % c)
        i, j, h, w, v = self.get_params(img, self.scale, self.ratio, value)
        return F.erase(img, i, j, h, w, v, self.inplace)

    def extra_repr(self):
        return "p=%s, scale=%s, ratio=%s, value=%s, inplace=%s" % (
            self.p, self.scale, self.ratio, self.value, self.inplace)
