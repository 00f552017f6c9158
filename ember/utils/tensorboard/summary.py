"""Summary protobufs for each kind of data, built with the tensorboard package's protos and
plugin metadata (torch.utils.tensorboard.summary)."""
import io

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

__all__ = ["scalar", "histogram", "image", "text", "pr_curve", "hparams", "audio", "video",
           "custom_scalars", "image_boxes", "make_np"]


def make_np(x):
    """A NumPy array from an ember tensor, an array, a list or a Python number."""
    from ember._tensor import Tensor

    if isinstance(x, Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def _scalar_value(x):
    a = make_np(x)
    if a.size != 1:
        raise ValueError("scalar should be 0D, got a value of shape %s" % (a.shape,))
    return float(a.reshape(()))


def scalar(tag, value):
    return Summary(value=[Summary.Value(tag=tag, simple_value=_scalar_value(value))])


def histogram(tag, values, bins="tensorflow", max_bins=None):
    """A histogram summary: ``bins`` as NumPy's ``histogram`` takes it (or ``'tensorflow'``)."""
    values = make_np(values).astype(np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError("The input has no element.")
    if isinstance(bins, str) and bins == "tensorflow":
        pos = 1e-12 * 1.1 ** np.arange(0, 775)
        pos = pos[pos < 1e20]
        edges = np.concatenate([-pos[::-1], [0.0], pos])
    else:
        edges = np.histogram_bin_edges(values, bins=bins)
    counts, edges = np.histogram(values, bins=edges)
    if max_bins is not None and len(counts) > max_bins:
        k = -(-len(counts) // max_bins)
        pad = (-len(counts)) % k
        counts = np.pad(counts, (0, pad)).reshape(-1, k).sum(1)
        edges = np.concatenate([edges[:-1:k], [edges[-1]]])
    # keep the populated range (TensorBoard draws bucket i from limit i-1 to limit i)
    nonzero = np.nonzero(counts)[0]
    if len(nonzero):
        lo, hi = max(nonzero[0] - 1, 0), nonzero[-1] + 1
        counts, limits = counts[lo:hi + 1], edges[lo + 1:hi + 2]
    else:
        limits = edges[1:]
    hist = HistogramProto(min=float(values.min()), max=float(values.max()),
                          num=int(values.size), sum=float(values.sum()),
                          sum_squares=float(np.dot(values, values)),
                          bucket_limit=limits.tolist(), bucket=counts.astype(float).tolist())
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def to_hwc(array, dataformats):
    """``array`` in HWC order, from any of torch's ``dataformats`` (CHW, HWC, HW, NCHW...)."""
    dataformats = dataformats.upper()
    if array.ndim != len(dataformats):
        raise ValueError("size of input tensor and input format are different. tensor shape: "
                         "%s, input_format: %s" % (array.shape, dataformats))
    if "N" in dataformats:
        from ember.utils.tensorboard.writer import _grid

        array = array.transpose([dataformats.index(c) for c in "NCHW" if c in dataformats])
        if "C" not in dataformats:
            array = array[:, None]
        return _grid(array).transpose(1, 2, 0)
    if dataformats == "HW":
        return array[:, :, None]
    return array.transpose([dataformats.index(c) for c in "HWC"])


def _uint8(hwc):
    if hwc.dtype != np.uint8:
        hwc = (np.clip(hwc.astype(np.float64), 0, 1) * 255 + 0.5).astype(np.uint8)
    if hwc.shape[2] not in (1, 3, 4):
        raise ValueError("an image has 1, 3 or 4 channels, got %d" % hwc.shape[2])
    return hwc


def _pil(hwc):
    from PIL import Image

    mode = {1: "L", 3: "RGB", 4: "RGBA"}[hwc.shape[2]]
    return Image.fromarray(hwc[:, :, 0] if hwc.shape[2] == 1 else hwc, mode)


def _image_summary(tag, hwc, encoded):
    img = Summary.Image(height=hwc.shape[0], width=hwc.shape[1], colorspace=hwc.shape[2],
                        encoded_image_string=encoded)
    return Summary(value=[Summary.Value(tag=tag, image=img)])


def image(tag, array, dataformats="CHW"):
    """An image summary: the image encoded as PNG (values in [0, 1] for floats)."""
    hwc = _uint8(to_hwc(make_np(array), dataformats))
    buf = io.BytesIO()
    _pil(hwc).save(buf, format="PNG")
    return _image_summary(tag, hwc, buf.getvalue())


def image_boxes(tag, array, boxes, labels=None, dataformats="CHW"):
    """An image with ``boxes`` (N x 4: x_min, y_min, x_max, y_max in pixels) drawn on it."""
    from PIL import ImageDraw

    hwc = _uint8(to_hwc(make_np(array), dataformats))
    picture = _pil(hwc).convert("RGB")
    draw = ImageDraw.Draw(picture)
    for i, box in enumerate(make_np(boxes).reshape(-1, 4).tolist()):
        draw.rectangle(box, outline=(255, 0, 0), width=2)
        if labels is not None:
            draw.text((box[0] + 3, box[1] + 2), str(labels[i]), fill=(255, 0, 0))
    rgb = np.asarray(picture)
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    return _image_summary(tag, rgb, buf.getvalue())


def video(tag, array, fps=4):
    """A video (N, T, C, H, W) as an animated GIF: each frame the grid of the N clips."""
    from ember.utils.tensorboard.writer import _grid

    clips = make_np(array)
    if clips.ndim != 5:
        raise ValueError("a video tensor is (N, T, C, H, W), got %d dims" % clips.ndim)
    frames = [_uint8(_grid(clips[:, t]).transpose(1, 2, 0)) for t in range(clips.shape[1])]
    pictures = [_pil(f).convert("RGB") for f in frames]
    buf = io.BytesIO()
    pictures[0].save(buf, format="GIF", save_all=True, append_images=pictures[1:],
                     duration=int(1000 / fps), loop=0)
    return _image_summary(tag, frames[0][:, :, :3], buf.getvalue())


def audio(tag, samples, sample_rate=44100):
    """Mono audio (values in [-1, 1]) as a 16-bit PCM WAV."""
    import wave

    pcm = (np.clip(make_np(samples).astype(np.float64).reshape(-1), -1, 1) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(pcm.tobytes())
    clip = Summary.Audio(sample_rate=float(sample_rate), num_channels=1,
                         length_frames=len(pcm), encoded_audio_string=buf.getvalue(),
                         content_type="audio/wav")
    return Summary(value=[Summary.Value(tag=tag, audio=clip)])


def custom_scalars(layout):
    """The custom scalars plugin's layout: ``{category: {title: ["Multiline", [tags]] or
    ["Margin", [value, lower, upper]]}}``."""
    from tensorboard.plugins.custom_scalar import layout_pb2, metadata

    categories = []
    for category, charts in layout.items():
        items = []
        for title, (kind, tags) in charts.items():
            if kind == "Multiline":
                items.append(layout_pb2.Chart(
                    title=title, multiline=layout_pb2.MultilineChartContent(tag=tags)))
            elif kind == "Margin":
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1],
                                                              upper=tags[2])
                items.append(layout_pb2.Chart(
                    title=title, margin=layout_pb2.MarginChartContent(series=[series])))
            else:
                raise ValueError("a chart is 'Multiline' or 'Margin', got %r" % kind)
        categories.append(layout_pb2.Category(title=category, chart=items))
    content = layout_pb2.Layout(category=categories).SerializeToString()
    tensor = TensorProto(dtype="DT_STRING", string_val=[content],
                         tensor_shape=TensorShapeProto())
    return Summary(value=[Summary.Value(tag=metadata.CONFIG_SUMMARY_TAG, tensor=tensor,
                                        metadata=metadata.create_summary_metadata())])


def text(tag, text_string):
    from tensorboard.plugins.text.metadata import create_summary_metadata

    tensor = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf-8")],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", tensor=tensor,
                                        metadata=create_summary_metadata(None, None))])


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    """Precision-recall data: TP, FP, TN, FN, precision, recall at ``num_thresholds``
    thresholds evenly spaced in [0, 1] (the pr_curves plugin's layout)."""
    from tensorboard.plugins.pr_curve.metadata import create_summary_metadata

    labels = make_np(labels).reshape(-1).astype(bool)
    predictions = make_np(predictions).reshape(-1).astype(np.float64)
    weights = np.ones_like(predictions) if weights is None else \
        make_np(weights).reshape(-1).astype(np.float64)
    num_thresholds = min(int(num_thresholds), 127)
    bucket = np.floor(np.clip(predictions, 0, 1) * (num_thresholds - 1)).astype(np.int64)
    tp_per = np.bincount(bucket, weights * labels, minlength=num_thresholds)
    fp_per = np.bincount(bucket, weights * ~labels, minlength=num_thresholds)
    tp = np.cumsum(tp_per[::-1])[::-1]
    fp = np.cumsum(fp_per[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    data = np.stack([tp, fp, tn, fn, precision, recall]).astype(np.float32)
    tensor = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(),
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=s)
                                                            for s in data.shape]))
    metadata = create_summary_metadata(display_name=tag, description="",
                                       num_thresholds=num_thresholds)
    return Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=metadata)])


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three summaries (experiment, session start, session end)."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2

    infos, values = [], {}
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, bool):
            kind, values[k] = api_pb2.DATA_TYPE_BOOL, struct_pb2.Value(bool_value=v)
        elif isinstance(v, (int, float)):
            kind, values[k] = api_pb2.DATA_TYPE_FLOAT64, struct_pb2.Value(number_value=v)
        elif isinstance(v, str):
            kind, values[k] = api_pb2.DATA_TYPE_STRING, struct_pb2.Value(string_value=v)
        else:
            from ember._tensor import Tensor

            if isinstance(v, Tensor):
                kind = api_pb2.DATA_TYPE_FLOAT64
                values[k] = struct_pb2.Value(number_value=_scalar_value(v))
            else:
                raise ValueError("value should be one of int, float, str, bool, or Tensor")
        domain = (hparam_domain_discrete or {}).get(k)
        info = api_pb2.HParamInfo(name=k, type=kind)
        if domain is not None:
            info.domain_discrete.extend([struct_pb2.Value(number_value=d) if isinstance(
                d, (int, float)) and not isinstance(d, bool) else struct_pb2.Value(
                string_value=d) if isinstance(d, str) else struct_pb2.Value(bool_value=d)
                for d in domain])
        infos.append(info)
    experiment = api_pb2.Experiment(hparam_infos=infos, metric_infos=[
        api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict])
    start = plugin_data_pb2.SessionStartInfo(group_name="")
    for k, v in values.items():
        start.hparams[k].CopyFrom(v)
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.STATUS_SUCCESS)

    def summary(tag, **data):
        meta = metadata.create_summary_metadata(plugin_data_pb2.HParamsPluginData(**data))
        return Summary(value=[Summary.Value(tag=tag, metadata=meta,
                                            tensor=metadata.NULL_TENSOR)])

    return (summary(metadata.EXPERIMENT_TAG, experiment=experiment),
            summary(metadata.SESSION_START_INFO_TAG, session_start_info=start),
            summary(metadata.SESSION_END_INFO_TAG, session_end_info=end))

