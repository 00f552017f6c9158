"""Transforms: conversions and Normalize by value (torch computes the reference), geometric
ops against Pillow's own operations, random ones for their contract and reproducibility."""
import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance, ImageOps

import ember
import ember.vision.transforms as T
import ember.vision.transforms.functional as F


def rgb(h=9, w=12, seed=0):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (h, w, 3),
                                                                dtype=np.uint8))


def grey(h=9, w=12, seed=1):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (h, w),
                                                                dtype=np.uint8))


def same(a, b):
    return np.array_equal(np.asarray(a), np.asarray(b))


# --- conversions ------------------------------------------------------------------------------

def test_to_tensor_values_and_layout():
    img = rgb()
    t = T.ToTensor()(img)
    ref = torch.from_numpy(np.array(img)).permute(2, 0, 1).float().div(255)
    assert t.dtype == ember.float32 and tuple(t.shape) == (3, 9, 12)
    np.testing.assert_array_equal(t.numpy(), ref.numpy())
    g = T.ToTensor()(grey())
    assert tuple(g.shape) == (1, 9, 12) and 0.0 <= g.min().item() <= g.max().item() <= 1.0
    arr = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert T.ToTensor()(arr).numpy()[0, 1, 2] == pytest.approx(5 / 255)
    f = np.ones((2, 2, 3), np.float64)
    assert T.ToTensor()(f).dtype == ember.float64  # non-uint8 arrays keep their values
    assert T.ToTensor()(Image.new("F", (2, 2), 3.5)).numpy()[0, 0, 0] == 3.5


def test_pil_to_tensor_and_back():
    img = rgb()
    t = T.PILToTensor()(img)
    assert t.dtype == ember.uint8 and tuple(t.shape) == (3, 9, 12)
    assert same(T.ToPILImage()(t), img)
    assert same(T.ToPILImage()(T.ToTensor()(grey())), grey())
    assert T.ToPILImage()(ember.zeros(1, 2, 2)).mode == "L"
    assert T.ToPILImage()(ember.zeros(4, 2, 2)).mode == "RGBA"
    assert T.ToPILImage()(np.zeros((2, 2, 3), np.uint8)).mode == "RGB"


def test_convert_image_dtype():
    u8 = ember.from_numpy(np.array([[[0, 128, 255]]], np.uint8))
    f = T.ConvertImageDtype(ember.float32)(u8)
    np.testing.assert_allclose(f.numpy(), [[[0, 128 / 255, 1.0]]], rtol=1e-6)
    back = T.ConvertImageDtype(ember.uint8)(f)
    assert back.numpy().tolist() == [[[0, 128, 255]]]
    assert T.ConvertImageDtype(ember.int64)(u8).numpy().max() < 2 ** 63
    with pytest.raises(RuntimeError):
        F.convert_image_dtype(f, ember.int64)


@pytest.mark.parametrize("shape, mean, std", [((1, 4, 5), [0.5], [0.5]),
                                              ((3, 4, 5), [0.1, 0.2, 0.3], [0.3, 0.2, 0.1]),
                                              ((2, 3, 4, 5), [0.4, 0.5, 0.6], [1.0, 2.0, 3.0])])
def test_normalize_matches_torch_arithmetic(shape, mean, std):
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    ours = T.Normalize(mean, std)(ember.from_numpy(x.copy()))
    xt = torch.from_numpy(x)
    m = torch.tensor(mean).view(-1, 1, 1)
    s = torch.tensor(std).view(-1, 1, 1)
    np.testing.assert_allclose(ours.numpy(), ((xt - m) / s).numpy(), rtol=1e-6, atol=1e-7)
    t = ember.from_numpy(x.copy())
    assert T.Normalize(mean, std, inplace=True)(t) is t
    np.testing.assert_allclose(t.numpy(), ours.numpy())


def test_normalize_errors():
    with pytest.raises(TypeError):
        F.normalize(ember.zeros(1, 2, 2, dtype=ember.uint8), [0.0], [1.0])
    with pytest.raises(ValueError):
        F.normalize(ember.zeros(2, 2), [0.0], [1.0])
    with pytest.raises(ValueError, match="division by zero"):
        F.normalize(ember.zeros(1, 2, 2), [0.0], [0.0])


# --- geometry against Pillow ------------------------------------------------------------------

@pytest.mark.parametrize("size, expect", [((5, 7), (7, 5)), (6, (8, 6)), ([4], (5, 4))])
def test_resize_matches_pil(size, expect):
    img = rgb()
    out = T.Resize(size)(img)
    assert out.size == expect and same(out, img.resize(expect, Image.BILINEAR))
    t = T.Resize(size, interpolation=T.InterpolationMode.NEAREST)(T.PILToTensor()(img))
    assert same(T.ToPILImage()(t), img.resize(expect, Image.NEAREST))


def test_resize_max_size():
    assert T.Resize(6, max_size=7)(rgb()).size == (7, 5)
    with pytest.raises(ValueError):
        T.Resize(6, max_size=5)(rgb())


def test_center_crop_and_pad_if_larger():
    img = rgb()
    out = T.CenterCrop((5, 6))(img)
    top, left = int(round((9 - 5) / 2)), int(round((12 - 6) / 2))
    assert same(out, img.crop((left, top, left + 6, top + 5)))
    t = T.CenterCrop((5, 6))(T.PILToTensor()(img))
    assert same(T.ToPILImage()(t), out)
    big = T.CenterCrop(14)(img)
    assert big.size == (14, 14) and np.asarray(big)[0].max() == 0


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_modes(mode):
    img = rgb()
    out = T.Pad((1, 2, 3, 4), fill=7, padding_mode=mode)(img)
    kw = {"constant_values": 7} if mode == "constant" else {}
    ref = np.pad(np.asarray(img), [(2, 4), (1, 3), (0, 0)], mode=mode, **kw)
    assert same(out, ref)
    t = T.Pad((1, 2, 3, 4), fill=7, padding_mode=mode)(T.PILToTensor()(img))
    assert np.array_equal(t.numpy().transpose(1, 2, 0), ref)
    if mode == "constant":
        assert same(T.Pad(2, fill=(1, 2, 3))(img),
                    ImageOps.expand(img, border=2, fill=(1, 2, 3)))


def test_flips_match_pil():
    img = rgb()
    assert same(T.RandomHorizontalFlip(p=1.0)(img), img.transpose(Image.FLIP_LEFT_RIGHT))
    assert same(T.RandomVerticalFlip(p=1.0)(img), img.transpose(Image.FLIP_TOP_BOTTOM))
    assert T.RandomHorizontalFlip(p=0.0)(img) is img
    t = T.PILToTensor()(img)
    assert same(T.ToPILImage()(F.hflip(t)), img.transpose(Image.FLIP_LEFT_RIGHT))
    assert same(T.ToPILImage()(F.vflip(t)), img.transpose(Image.FLIP_TOP_BOTTOM))


def test_rotation_matches_pil():
    img = rgb(11, 11)
    assert same(T.RandomRotation((30, 30))(img), img.rotate(30, Image.NEAREST))
    assert same(T.RandomRotation((20, 20), expand=True, fill=9)(img),
                img.rotate(20, Image.NEAREST, expand=True, fillcolor=(9, 9, 9)))
    t = F.rotate(T.PILToTensor()(img), 90)
    assert same(T.ToPILImage()(t), img.rotate(90))


def test_affine_conventions_against_pil():
    img = rgb(10, 10)
    # A pure rotation by `a` (clockwise) equals Pillow's counter-clockwise rotate by -a.
    assert same(F.affine(img, 90, [0, 0], 1.0, [0.0, 0.0]), img.rotate(-90))
    # A translation moves content right/down, as Pillow's inverse map (x - tx, y - ty).
    ref = img.transform(img.size, Image.AFFINE, (1, 0, -2, 0, 1, -3), Image.NEAREST)
    assert same(F.affine(img, 0, [2, 3], 1.0, 0.0), ref)
    t = F.affine(T.PILToTensor()(img), 0, [2, 3], 1.0, 0.0)
    assert same(T.ToPILImage()(t), ref)
    # Scale 2 about the centre: output pixel (x, y) reads input ((x - 5) / 2 + 5, ...).
    ref = img.transform(img.size, Image.AFFINE, (0.5, 0, 2.5, 0, 0.5, 2.5), Image.NEAREST)
    assert same(F.affine(img, 0, [0, 0], 2.0, 0.0), ref)


def test_random_affine_identity_and_ranges():
    img = rgb()
    assert same(T.RandomAffine(0)(img), img)
    angle, (tx, ty), scale, shear = T.RandomAffine.get_params([-10, 10], [0.1, 0.2], [0.9, 1.1],
                                                              [-5, 5, -3, 3], [12, 9])
    assert -10 <= angle <= 10 and abs(tx) <= 1 and abs(ty) <= 2  # round(0.1 * 12), ...
    assert 0.9 <= scale <= 1.1 and -5 <= shear[0] <= 5 and -3 <= shear[1] <= 3


def test_perspective():
    img = rgb()
    pts = [[0, 0], [11, 0], [11, 8], [0, 8]]
    nearest = F.InterpolationMode.NEAREST
    assert same(F.perspective(img, pts, pts, nearest), img)
    # Bilinear sampling of the (numerically) identity warp is off by at most rounding.
    diff = np.asarray(F.perspective(img, pts, pts)).astype(int) - np.asarray(img)
    assert np.abs(diff).max() <= 1
    end = [[1, 1], [10, 0], [11, 8], [0, 7]]
    coeffs = F._perspective_coeffs(pts, end)
    assert same(F.perspective(img, pts, end, nearest),
                img.transform(img.size, Image.PERSPECTIVE, coeffs, Image.NEAREST))
    for (sx, sy), (ex, ey) in zip(pts, end):  # the coefficients map each end point to its start
        a, b, c, d, e, f, g, h = coeffs
        den = g * ex + h * ey + 1
        assert (a * ex + b * ey + c) / den == pytest.approx(sx, abs=1e-9)
        assert (d * ex + e * ey + f) / den == pytest.approx(sy, abs=1e-9)
    start, end = T.RandomPerspective.get_params(12, 9, 0.5)
    assert start == pts
    for (ex, ey) in end:
        assert 0 <= ex < 12 and 0 <= ey < 9
    assert T.RandomPerspective(p=1.0)(img).size == img.size


def test_random_crop_and_resized_crop():
    img = rgb()
    ember.manual_seed(3)
    a = T.RandomCrop((4, 5))(img)
    ember.manual_seed(3)
    i, j, h, w = T.RandomCrop.get_params(img, (4, 5))
    assert same(a, img.crop((j, i, j + w, i + h)))
    padded = T.RandomCrop((13, 16), padding=2)(img)
    assert same(padded, ImageOps.expand(img, border=2))
    assert T.RandomCrop((20, 20), pad_if_needed=True)(img).size == (20, 20)
    with pytest.raises(ValueError):
        T.RandomCrop((20, 20))(img)
    for _ in range(20):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and i + h <= 9 and 0 <= j and j + w <= 12
    ember.manual_seed(5)
    out = T.RandomResizedCrop(6)(img)
    ember.manual_seed(5)
    i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
    assert same(out, img.crop((j, i, j + w, i + h)).resize((6, 6), Image.BILINEAR))


def test_five_and_ten_crop():
    img = rgb()
    crops = T.FiveCrop(4)(img)
    assert same(crops[0], img.crop((0, 0, 4, 4))) and same(crops[3], img.crop((8, 5, 12, 9)))
    ten = T.TenCrop(4)(img)
    assert len(ten) == 10 and same(ten[5], img.transpose(Image.FLIP_LEFT_RIGHT).crop((0, 0, 4, 4)))


# --- colour -----------------------------------------------------------------------------------

def test_color_jitter_fixed_factors_match_pil():
    img = rgb()
    assert same(T.ColorJitter(brightness=(1.5, 1.5))(img),
                ImageEnhance.Brightness(img).enhance(1.5))
    assert same(T.ColorJitter(contrast=(0.5, 0.5))(img), ImageEnhance.Contrast(img).enhance(0.5))
    assert same(T.ColorJitter(saturation=(0.3, 0.3))(img), ImageEnhance.Color(img).enhance(0.3))
    assert same(F.adjust_hue(img, 0.0), img.convert("HSV").convert("RGB"))
    assert not same(F.adjust_hue(img, 0.25), img)
    t = T.ToTensor()(img)
    np.testing.assert_allclose(F.adjust_brightness(t, 0.5).numpy(), t.numpy() * 0.5, rtol=1e-6)
    back = F.adjust_hue(F.adjust_hue(t, 0.2), -0.2)
    np.testing.assert_allclose(back.numpy(), t.numpy(), atol=1e-5)
    with pytest.raises(ValueError):
        T.ColorJitter(hue=0.6)


def test_grayscale():
    img = rgb()
    assert same(T.Grayscale()(img), img.convert("L"))
    three = T.Grayscale(3)(img)
    assert three.mode == "RGB" and same(three.split()[1], img.convert("L"))
    t = T.Grayscale()(T.ToTensor()(img))
    x = np.asarray(img, dtype=np.float32) / 255
    ref = 0.2989 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]
    np.testing.assert_allclose(t.numpy()[0], ref, atol=1e-6)
    assert T.RandomGrayscale(p=1.0)(img).mode == "RGB"
    assert T.RandomGrayscale(p=0.0)(img) is img


def test_gaussian_blur_kernel():
    delta = np.zeros((1, 9, 9), np.float32)
    delta[0, 4, 4] = 1.0
    out = F.gaussian_blur(ember.from_numpy(delta), [5, 5], [1.0, 1.0]).numpy()[0]
    k = np.exp(-0.5 * np.arange(-2, 3) ** 2)
    k /= k.sum()
    np.testing.assert_allclose(out[2:7, 2:7], np.outer(k, k), rtol=1e-5)
    assert out.sum() == pytest.approx(1.0, rel=1e-5)
    flat = Image.new("RGB", (8, 8), (50, 100, 150))
    assert same(T.GaussianBlur(3)(flat), flat)
    with pytest.raises(ValueError):
        T.GaussianBlur(4)


def test_random_erasing():
    x = ember.ones(3, 10, 10)
    assert T.RandomErasing(p=0.0)(x) is x
    ember.manual_seed(0)
    out = T.RandomErasing(p=1.0, value=0)(x)
    zeros = (out.numpy() == 0)
    assert zeros.any() and (x.numpy() == 1).all()
    rows, cols = np.nonzero(zeros[0])
    assert zeros[:, rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()
    with pytest.raises(TypeError):
        T.RandomErasing(p=1.0)(rgb())


# --- composition and seeding ------------------------------------------------------------------

def test_compose_repr_and_containers():
    c = T.Compose([T.ToTensor(), T.Normalize([0.5], [0.5])])
    assert repr(c) == "Compose(\n    ToTensor()\n    Normalize(mean=[0.5], std=[0.5])\n)"
    img = grey()
    assert T.Lambda(lambda im: im.size)(img) == (12, 9)
    assert same(T.RandomApply([T.Lambda(ImageOps.invert)], p=1.0)(img), ImageOps.invert(img))
    assert T.RandomApply([T.Lambda(ImageOps.invert)], p=0.0)(img) is img
    assert T.RandomChoice([T.Lambda(lambda im: 1), T.Lambda(lambda im: 2)], p=[0, 1])(img) == 2
    order = T.RandomOrder([T.Lambda(lambda s: s + "a"), T.Lambda(lambda s: s + "b")])
    assert {order("") for _ in range(30)} == {"ab", "ba"}


def test_random_transforms_follow_manual_seed():
    pipeline = T.Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(), T.ColorJitter(
        0.4, 0.4, 0.4, 0.1), T.RandomRotation(15), T.ToTensor(), T.RandomErasing()])
    img = rgb(16, 16)
    ember.manual_seed(42)
    a = [pipeline(img).numpy() for _ in range(3)]
    ember.manual_seed(42)
    b = [pipeline(img).numpy() for _ in range(3)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], a[1])
