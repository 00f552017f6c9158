"""Functional image transforms on PIL images and on ember tensors (``..., C, H, W``).

Geometric ops on tensors run per channel through Pillow's float ('F') images, so a tensor and
a PIL image go through the same resampling code.
"""
import math
import numbers
from enum import Enum

import numpy as np

from ember._tensor import Tensor, _make


class InterpolationMode(Enum):
    """Interpolation modes, with torchvision's names and values."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_IMAGE = None


def _pil():
    # Pillow loads on first use, so that the functional module imports without it.
    global _PIL_IMAGE
    if _PIL_IMAGE is None:
        from PIL import Image

        _PIL_IMAGE = Image
    return _PIL_IMAGE


def _pil_resample(mode):
    Image = _pil()
    if isinstance(mode, int):
        return mode
    mode = InterpolationMode(mode)
    return {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.NEAREST_EXACT:
            Image.NEAREST, InterpolationMode.BILINEAR: Image.BILINEAR,
            InterpolationMode.BICUBIC: Image.BICUBIC, InterpolationMode.BOX: Image.BOX,
            InterpolationMode.HAMMING: Image.HAMMING,
            InterpolationMode.LANCZOS: Image.LANCZOS}[mode]


def _is_pil(img):
    try:
        return isinstance(img, _pil().Image)
    except ImportError:
        return False


def _check_img(img):
    if not (_is_pil(img) or isinstance(img, Tensor)):
        raise TypeError("img should be PIL Image or Tensor. Got %s" % type(img))


def get_dimensions(img):
    """``[channels, height, width]``."""
    if isinstance(img, Tensor):
        shape = img._data.shape
        return [1 if len(shape) == 2 else shape[-3], shape[-2], shape[-1]]
    _check_img(img)
    return [len(img.getbands()), img.height, img.width]


def get_image_size(img):
    """``[width, height]``."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# --- conversion --------------------------------------------------------------------------------

def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW tensor; uint8 data is scaled to float32 in [0, 1]."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError("pic should be 2/3 dimensional. Got %d dimensions." % pic.ndim)
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        arr = np.ascontiguousarray(arr.transpose(2, 0, 1))
        if arr.dtype == np.uint8:
            return _make(arr.astype(np.float32) / np.float32(255))
        return _make(arr)
    if not _is_pil(pic):
        raise TypeError("pic should be PIL Image or ndarray. Got %s" % type(pic))
    mode_types = {"I": np.int32, "I;16": np.int16, "F": np.float32}
    if pic.mode == "1":
        arr = 255 * np.array(pic, dtype=np.uint8)
    else:
        arr = np.array(pic, dtype=mode_types.get(pic.mode), copy=True)
    if arr.dtype == np.uint16:
        arr = arr.astype(np.int16)
    arr = arr.reshape(pic.height, pic.width, len(pic.getbands()))
    arr = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if arr.dtype == np.uint8:
        return _make(arr.astype(np.float32) / np.float32(255))
    return _make(arr)


def pil_to_tensor(pic):
    """PIL image -> CHW tensor of the image's own dtype (no scaling)."""
    if not _is_pil(pic):
        raise TypeError("pic should be PIL Image. Got %s" % type(pic))
    arr = np.array(pic, copy=True)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return _make(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image; floats are scaled by 255 and cast to uint8."""
    Image = _pil()
    if isinstance(pic, Tensor):
        if pic._data.ndim not in (2, 3):
            raise ValueError("pic should be 2/3 dimensional. Got %d dimensions."
                             % pic._data.ndim)
        arr = pic._data if pic._data.ndim == 2 else pic._data.transpose(1, 2, 0)
        if arr.dtype.kind == "f" and mode != "F":
            arr = (arr * 255).astype(np.uint8)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError("pic should be 2/3 dimensional. Got %d dimensions." % pic.ndim)
        arr = pic
    else:
        raise TypeError("pic should be Tensor or ndarray. Got %s." % type(pic))
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        default = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                   np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(arr.dtype)
        if mode is not None and mode != default and not (mode == "L" and default is None):
            raise ValueError("Incorrect mode (%s) supplied for input type %s. Should be %s"
                             % (mode, arr.dtype, default))
        mode = mode or default
        if mode is None:
            raise TypeError("Input type %s is not supported" % arr.dtype)
        if mode == "I;16":
            return Image.frombytes("I;16", (arr.shape[1], arr.shape[0]),
                                   np.ascontiguousarray(arr.astype("<u2")).tobytes())
        return Image.fromarray(np.ascontiguousarray(arr.astype(
            {"L": np.uint8, "I": np.int32, "F": np.float32}[mode])))
    channels = arr.shape[2]
    permitted = {2: ("LA",), 3: ("RGB", "YCbCr", "HSV"), 4: ("RGBA", "CMYK", "RGBX")}
    if channels not in permitted:
        raise ValueError("pic should not have > 4 channels. Got %d channels." % channels)
    if mode is not None and mode not in permitted[channels]:
        raise ValueError("Only modes %s are supported for %dD inputs"
                         % (list(permitted[channels]), channels))
    if arr.dtype != np.uint8:
        raise TypeError("Input type %s is not supported" % arr.dtype)
    return Image.frombytes(mode or permitted[channels][0], (arr.shape[1], arr.shape[0]),
                           np.ascontiguousarray(arr).tobytes())


def _max_value(dtype):
    return 1.0 if np.dtype(dtype).kind == "f" else np.iinfo(dtype).max


def convert_image_dtype(image, dtype=None):
    """Convert a tensor image's dtype, rescaling values (ints span [0, max], floats [0, 1])."""
    import ember

    dtype = ember.float32 if dtype is None else dtype
    src, dst = image._data.dtype, np.dtype(dtype.np if hasattr(dtype, "np") else dtype)
    x = image._data
    if src == dst:
        return image
    if src.kind == "f":
        if dst.kind == "f":
            return _make(x.astype(dst))
        if (src, dst) in ((np.float32, np.int32), (np.float32, np.int64),
                          (np.float64, np.int64)):
            raise RuntimeError("The cast from %s to %s cannot be performed safely."
                               % (src, dst))
        eps = 1e-3
        return _make((x * (_max_value(dst) + 1.0 - eps)).astype(dst))
    if dst.kind == "f":
        return _make((x.astype(dst) / dst.type(_max_value(src))).astype(dst))
    # int -> int: rescale by the ratio of the ranges, as integer arithmetic.
    in_max, out_max = _max_value(src), _max_value(dst)
    if in_max > out_max:
        factor = (in_max + 1) // (out_max + 1)
        return _make((x // factor).astype(dst))
    factor = (out_max + 1) // (in_max + 1)
    return _make(x.astype(dst) * dst.type(factor))


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean) / std`` per channel of a float ``(..., C, H, W)`` tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError("img should be Tensor Image. Got %s" % type(tensor))
    x = tensor._data
    if x.dtype.kind != "f":
        raise TypeError("Input tensor should be a float tensor. Got %s." % x.dtype)
    if x.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         "tensor.size() = %s" % (tuple(x.shape),))
    mean = np.asarray(mean, dtype=x.dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=x.dtype).reshape(-1, 1, 1)
    if (std == 0).any():
        raise ValueError("std evaluated to zero after conversion to %s, leading to division "
                         "by zero." % x.dtype)
    if inplace:
        np.subtract(x, mean, out=x)
        np.divide(x, std, out=x)
        tensor._bump_version()
        return tensor
    return _make((x - mean) / std)


# --- per-channel bridge for tensors ----------------------------------------------------------

def _per_channel(img, fn):
    """Apply a PIL operation ``fn`` to each channel of a tensor image as a float 'F' image."""
    Image = _pil()
    x = img._data
    lead = x.shape[:-2]
    planes = x.reshape((-1,) + x.shape[-2:]).astype(np.float32)
    out = [np.asarray(fn(Image.fromarray(p))) for p in planes]
    res = np.stack(out).reshape(lead + out[0].shape)
    if x.dtype.kind != "f":
        info = np.iinfo(x.dtype)
        res = np.clip(np.round(res), info.min, info.max)
    return _make(res.astype(x.dtype))


def _fill_for(img, fill):
    if fill is None:
        return None
    if isinstance(img, Tensor):
        return float(fill if isinstance(fill, numbers.Number) else fill[0])
    if isinstance(fill, numbers.Number):
        fill = (fill,) * len(img.getbands())
    fill = tuple(int(f) if img.mode != "F" else float(f) for f in fill)
    return fill[0] if len(fill) == 1 else fill


# --- geometry -------------------------------------------------------------------------------

def _size_pair(size, name="size"):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    size = tuple(size)
    if len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for %s." % name)
    return size


def _resized_hw(h, w, size, max_size):
    if isinstance(size, numbers.Number) or len(size) == 1:
        s = size if isinstance(size, numbers.Number) else size[0]
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = s, int(s * long / short)
        if max_size is not None:
            if max_size <= s:
                raise ValueError("max_size = %d must be strictly greater than the requested "
                                 "size for the smaller edge size = %d" % (max_size, s))
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)
    if max_size is not None:
        raise ValueError("max_size should only be passed if size specifies the length of the "
                         "smaller edge, i.e. size should be an int or a sequence of length 1")
    return tuple(size)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` (h, w), or the smaller edge to ``size`` keeping the aspect ratio."""
    _, h, w = get_dimensions(img)
    oh, ow = _resized_hw(h, w, size, max_size)
    if (oh, ow) == (h, w):
        return img
    resample = _pil_resample(interpolation)
    if isinstance(img, Tensor):
        return _per_channel(img, lambda p: p.resize((ow, oh), resample))
    return img.resize((ow, oh), resample)


def crop(img, top, left, height, width):
    """The ``height x width`` region at (``top``, ``left``); outside the image is zero."""
    if isinstance(img, Tensor):
        x = img._data
        h, w = x.shape[-2:]
        pads = [max(0, -top), max(0, top + height - h), max(0, -left), max(0, left + width - w)]
        t0, l0 = max(top, 0), max(left, 0)
        part = x[..., t0:min(top + height, h), l0:min(left + width, w)]
        if any(pads):
            widths = [(0, 0)] * (x.ndim - 2) + [(pads[0], pads[1]), (pads[2], pads[3])]
            part = np.pad(part, widths)
        return _make(np.ascontiguousarray(part))
    _check_img(img)
    return img.crop((left, top, left + width, top + height))


def center_crop(img, output_size):
    """Crop the centre; a crop larger than the image pads it with zeros first."""
    th, tw = _size_pair(output_size, "output_size")
    _, h, w = get_dimensions(img)
    if tw > w or th > h:
        img = pad(img, [(tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0,
                        (tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0])
        _, h, w = get_dimensions(img)
        if (h, w) == (th, tw):
            return img
    return crop(img, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)


def _ltrb(padding):
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    if len(padding) == 4:
        return padding
    raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a %d element "
                     "tuple" % len(padding))


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad by ``padding`` (int, (lr, tb) or (l, t, r, b)); modes constant, edge, reflect,
    symmetric."""
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _ltrb(padding)
    np_mode = {"constant": "constant", "edge": "edge", "reflect": "reflect",
               "symmetric": "symmetric"}[padding_mode]
    if isinstance(img, Tensor):
        x = img._data
        widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
        kw = {"constant_values": fill} if np_mode == "constant" else {}
        return _make(np.pad(x, widths, mode=np_mode, **kw))
    _check_img(img)
    Image = _pil()
    arr = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (arr.ndim - 2)
    if np_mode == "constant":
        out = Image.new(img.mode, (img.width + left + right, img.height + top + bottom),
                        _fill_for(img, fill))
        out.paste(img, (left, top))
        if img.mode == "P":
            out.putpalette(img.getpalette())
        return out
    out = Image.fromarray(np.pad(arr, widths, mode=np_mode))
    if img.mode == "P":
        out.putpalette(img.getpalette())
    return out


def hflip(img):
    if isinstance(img, Tensor):
        return _make(np.ascontiguousarray(img._data[..., ::-1]))
    _check_img(img)
    return img.transpose(_pil().FLIP_LEFT_RIGHT)


def vflip(img):
    if isinstance(img, Tensor):
        return _make(np.ascontiguousarray(img._data[..., ::-1, :]))
    _check_img(img)
    return img.transpose(_pil().FLIP_TOP_BOTTOM)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def five_crop(img, size):
    """The four corner crops and the centre crop: ``(tl, tr, bl, br, center)``."""
    ch, cw = _size_pair(size)
    _, h, w = get_dimensions(img)
    if cw > w or ch > h:
        raise ValueError("Requested crop size %s is bigger than input size %s"
                         % ((ch, cw), (h, w)))
    return (crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw),
            crop(img, h - ch, w - cw, ch, cw), center_crop(img, (ch, cw)))


def ten_crop(img, size, vertical_flip=False):
    """:func:`five_crop` of the image and of its flip (horizontal unless ``vertical_flip``)."""
    flipped = vflip(img) if vertical_flip else hflip(img)
    return five_crop(img, size) + five_crop(flipped, size)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear):
    """Output-to-input pixel map of a rotation by ``angle`` degrees (clockwise in image
    coordinates), ``shear`` degrees (x, y), ``scale`` and ``translate``, about ``center``.

    The forward map is ``T(translate) C R S Sh C^-1``; its inverse is built in closed form.
    """
    rot = math.radians(angle)
    sx, sy = (math.radians(s) for s in shear)
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    # Inverse of [[a, b], [c, d]] * scale; the determinant of the rotation-shear part is 1.
    m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
    m[2] = m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] = m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def _shear_pair(shear):
    if isinstance(shear, numbers.Number):
        return [float(shear), 0.0]
    shear = list(shear)
    return [float(shear[0]), float(shear[1]) if len(shear) > 1 else 0.0]


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST,
           fill=None, center=None):
    """Rotate by ``angle`` (degrees, clockwise), translate, scale and shear about ``center``
    (the image centre by default)."""
    _, h, w = get_dimensions(img)
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    center = [w * 0.5, h * 0.5] if center is None else list(center)
    matrix = _get_inverse_affine_matrix(center, angle, list(translate), scale, _shear_pair(shear))
    resample = _pil_resample(interpolation)

    def op(p):
        return p.transform((w, h), _pil().AFFINE, matrix, resample,
                           fillcolor=_fill_for(p if isinstance(img, Tensor) else img, fill))

    return _per_channel(img, op) if isinstance(img, Tensor) else op(img)


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate by ``angle`` degrees counter-clockwise about ``center`` (Pillow's convention)."""
    resample = _pil_resample(interpolation)

    def op(p):
        return p.rotate(angle, resample, expand, center,
                        fillcolor=_fill_for(p if isinstance(img, Tensor) else img, fill))

    return _per_channel(img, op) if isinstance(img, Tensor) else op(img)


def _perspective_coeffs(startpoints, endpoints):
    """The 8 coefficients mapping output points (``endpoints``) to input (``startpoints``)."""
    a = np.zeros((8, 8))
    for i, ((sx, sy), (ex, ey)) in enumerate(zip(startpoints, endpoints)):
        a[2 * i] = [ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey]
        a[2 * i + 1] = [0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey]
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    return np.linalg.lstsq(a, b, rcond=None)[0].tolist()


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR,
                fill=None):
    """Warp so that the four ``startpoints`` land on ``endpoints`` (each ``[x, y]``, clockwise
    from top-left)."""
    _, h, w = get_dimensions(img)
    coeffs = _perspective_coeffs(startpoints, endpoints)
    resample = _pil_resample(interpolation)

    def op(p):
        return p.transform((w, h), _pil().PERSPECTIVE, coeffs, resample,
                           fillcolor=_fill_for(p if isinstance(img, Tensor) else img, fill))

    return _per_channel(img, op) if isinstance(img, Tensor) else op(img)


# --- colour -----------------------------------------------------------------------------------

def _gray(x):
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    return (0.2989 * r + 0.587 * g + 0.114 * b).astype(np.float32 if x.dtype.kind != "f"
                                                        else x.dtype)[..., None, :, :]


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` (Pillow's 'L' conversion for PIL images)."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if isinstance(img, Tensor):
        x = img._data
        if x.shape[-3] == 1:
            g = x.astype(np.float32)
        else:
            g = _gray(x)
        if x.dtype.kind != "f":
            g = np.floor(g)  # integer images truncate, as torchvision's do
        g = g.astype(x.dtype)
        return _make(np.ascontiguousarray(np.repeat(g, num_output_channels, axis=-3)))
    _check_img(img)
    g = img.convert("L")
    if num_output_channels == 3:
        Image = _pil()
        return Image.merge("RGB", [g, g, g])
    return g


to_grayscale = rgb_to_grayscale


def _blend(x, other, factor):
    bound = _max_value(x.dtype)
    res = factor * x.astype(np.float32) + (1.0 - factor) * other
    res = np.clip(res, 0, bound)
    return _make(res.astype(x.dtype))


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError("brightness_factor (%s) is not non-negative." % brightness_factor)
    if isinstance(img, Tensor):
        return _blend(img._data, 0.0, brightness_factor)
    from PIL import ImageEnhance

    return ImageEnhance.Brightness(img).enhance(brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError("contrast_factor (%s) is not non-negative." % contrast_factor)
    if isinstance(img, Tensor):
        x = img._data
        g = _gray(x) if x.shape[-3] == 3 else x.astype(np.float32)
        if x.dtype.kind != "f":
            g = np.floor(g)
        mean = g.mean(axis=(-3, -2, -1), keepdims=True)
        return _blend(x, mean, contrast_factor)
    from PIL import ImageEnhance

    return ImageEnhance.Contrast(img).enhance(contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError("saturation_factor (%s) is not non-negative." % saturation_factor)
    if isinstance(img, Tensor):
        x = img._data
        if x.shape[-3] == 1:
            return img
        g = _gray(x)
        if x.dtype.kind != "f":
            g = np.floor(g)
        return _blend(x, g, saturation_factor)
    from PIL import ImageEnhance

    return ImageEnhance.Color(img).enhance(saturation_factor)


def adjust_hue(img, hue_factor):
    """Shift the hue by ``hue_factor`` (in [-0.5, 0.5], a fraction of the colour wheel)."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError("hue_factor (%s) is not in [-0.5, 0.5]." % hue_factor)
    Image = _pil()
    if isinstance(img, Tensor):
        x = img._data
        if x.shape[-3] == 1:
            return img
        f = x.astype(np.float32) / np.float32(_max_value(x.dtype))
        h, s, v = _rgb2hsv(f)
        h = (h + hue_factor) % 1.0
        res = _hsv2rgb(h, s, v) * _max_value(x.dtype)
        if x.dtype.kind != "f":
            res = np.round(res)
        return _make(np.clip(res, 0, _max_value(x.dtype)).astype(x.dtype))
    if img.mode in ("L", "1", "I", "F"):
        return img
    mode = img.mode
    h, s, v = img.convert("HSV").split()
    hue = np.asarray(h, dtype=np.uint8)
    # The shift truncates toward zero and wraps around the 8-bit hue circle.
    hue = ((hue.astype(np.int64) + int(hue_factor * 255)) % 256).astype(np.uint8)
    return Image.merge("HSV", (Image.fromarray(hue), s, v)).convert(mode)


def _rgb2hsv(x):
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(axis=-3), x.min(axis=-3)
    v = maxc
    cr = maxc - minc
    eq = cr == 0
    s = cr / np.where(eq, 1.0, maxc)
    crd = np.where(eq, 1.0, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = ((hr + hg + hb) / 6.0 + 1.0) % 1.0
    return h, s, v


def _hsv2rgb(h, s, v):
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int64) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = np.zeros(h.shape[:-2] + (3,) + h.shape[-2:], dtype=np.float32)
    for k, (rr, gg, bb) in enumerate(table):
        m = i == k
        out[..., 0, :, :] += m * rr
        out[..., 1, :, :] += m * gg
        out[..., 2, :, :] += m * bb
    return out


def _gaussian_kernel1d(size, sigma):
    half = (size - 1) * 0.5
    x = np.linspace(-half, half, size)
    pdf = np.exp(-0.5 * (x / sigma) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma=None):
    """Separable Gaussian blur with reflect padding; ``kernel_size`` odd and positive, ``sigma``
    defaulting to ``0.3 * ((k - 1) * 0.5 - 1) + 0.8`` per axis."""
    kx, ky = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    if kx % 2 == 0 or kx <= 0 or ky % 2 == 0 or ky <= 0:
        raise ValueError("kernel_size should have odd and positive integers. Got %s"
                         % (kernel_size,))
    if sigma is None:
        sigma = [0.3 * ((k - 1) * 0.5 - 1) + 0.8 for k in (kx, ky)]
    elif isinstance(sigma, numbers.Number):
        sigma = [float(sigma)] * 2
    elif len(sigma) == 1:
        sigma = [float(sigma[0])] * 2
    if any(s <= 0 for s in sigma):
        raise ValueError("sigma should have positive values. Got %s" % (sigma,))
    as_pil = not isinstance(img, Tensor)
    t = pil_to_tensor(img) if as_pil else img
    x = t._data
    work = x.astype(np.float32 if x.dtype != np.float64 else np.float64)
    widths = [(0, 0)] * (x.ndim - 2) + [(ky // 2, ky // 2), (kx // 2, kx // 2)]
    work = np.pad(work, widths, mode="reflect")
    kxv, kyv = _gaussian_kernel1d(kx, sigma[0]), _gaussian_kernel1d(ky, sigma[1])
    h, w = x.shape[-2:]
    rows = sum(kxv[i] * work[..., :, i:i + w] for i in range(kx))
    out = sum(kyv[i] * rows[..., i:i + h, :] for i in range(ky))
    if x.dtype.kind != "f":
        out = np.clip(np.round(out), 0, _max_value(x.dtype))
    res = _make(out.astype(x.dtype))
    return to_pil_image(res, img.mode) if as_pil else res


def erase(img, i, j, h, w, v, inplace=False):
    """Set ``img[..., i:i+h, j:j+w]`` to ``v`` (a tensor image)."""
    if not isinstance(img, Tensor):
        raise TypeError("img should be Tensor Image. Got %s" % type(img))
    x = img._data if inplace else img._data.copy()
    x[..., i:i + h, j:j + w] = v._data if isinstance(v, Tensor) else v
    if inplace:
        img._bump_version()
        return img
    return _make(x)


def invert(img):
    if isinstance(img, Tensor):
        return _make((_max_value(img._data.dtype) - img._data).astype(img._data.dtype))
    from PIL import ImageOps

    return ImageOps.invert(img)
