"""SummaryWriter: written by ember, read back with TensorBoard's own EventAccumulator."""
import io
import os

import numpy as np
import pytest
from google.protobuf import text_format
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

import ember
from ember.cli.models import Net
from ember.utils.tensorboard import SummaryWriter


def _read(path):
    acc = EventAccumulator(str(path), size_guidance={"tensors": 0, "images": 0, "scalars": 0,
                                                     "histograms": 0})
    acc.Reload()
    return acc


def test_scalars_and_histograms(tmp_path):
    values = ember.randn(1000)
    with SummaryWriter(tmp_path, flush_secs=1) as w:
        for step in range(3):
            w.add_scalar("loss/train", ember.tensor(1.0 / (step + 1)), step)
        w.add_scalar("lr", 0.05, 7)
        w.add_histogram("weights", values, 2)
        w.add_histogram("ints", np.arange(10), 3, bins=5)
    acc = _read(tmp_path)
    assert [(e.step, round(e.value, 6)) for e in acc.Scalars("loss/train")] == [
        (0, 1.0), (1, 0.5), (2, 0.333333)]
    assert [(e.step, e.value) for e in acc.Scalars("lr")] == [(7, pytest.approx(0.05))]
    (h,) = acc.Histograms("weights")
    v = values.numpy().astype(np.float64)
    assert h.step == 2
    assert h.histogram_value.num == 1000
    assert h.histogram_value.min == pytest.approx(v.min())
    assert h.histogram_value.sum == pytest.approx(v.sum(), rel=1e-6)
    assert h.histogram_value.sum_squares == pytest.approx((v * v).sum(), rel=1e-6)
    assert sum(h.histogram_value.bucket) == 1000
    counts = acc.Histograms("ints")[0].histogram_value.bucket
    assert sum(counts) == 10 and len(counts) == 5


@pytest.mark.parametrize("shape,dataformats,expected", [
    ((3, 4, 5), "CHW", (4, 5, 3)), ((4, 5, 3), "HWC", (4, 5, 3)), ((4, 5), "HW", (4, 5)),
    ((10, 1, 4, 5), "NCHW", (8, 40, 3)), ((2, 4, 5, 3), "NHWC", (4, 10, 3))])
def test_images(tmp_path, shape, dataformats, expected):
    img = ember.rand(*shape)
    with SummaryWriter(tmp_path) as w:
        add = w.add_images if "N" in dataformats else w.add_image
        add("img", img, 4, dataformats=dataformats)
    (event,) = _read(tmp_path).Images("img")
    decoded = np.asarray(Image.open(io.BytesIO(event.encoded_image_string)))
    assert event.step == 4 and decoded.shape == expected
    if dataformats == "HWC":
        np.testing.assert_array_equal(decoded, np.round(img.numpy() * 255).astype(np.uint8))


def test_text_pr_curve_scalars_and_purge(tmp_path):
    labels = ember.tensor([0, 1, 1, 0, 1])
    preds = ember.tensor([0.1, 0.9, 0.6, 0.4, 0.2])
    with SummaryWriter(tmp_path, purge_step=5) as w:
        w.add_text("note", "lr **0.05**", 1)
        w.add_pr_curve("pr", labels, preds, 2, num_thresholds=11)
        w.add_scalars("acc", {"train": 0.9, "test": 0.8}, 3)
    acc = _read(tmp_path)
    (text,) = acc.Tensors("note/text_summary")
    assert text.step == 1 and text.tensor_proto.string_val == [b"lr **0.05**"]
    assert acc.SummaryMetadata("note/text_summary").plugin_data.plugin_name == "text"
    (pr,) = acc.Tensors("pr")
    data = np.array(pr.tensor_proto.float_val).reshape(6, 11)
    tp, fp, tn, fn, precision, recall = data
    # threshold 0.5 is bucket 5: predictions >= 0.5 are 0.9 and 0.6, both positive
    assert (tp[5], fp[5], tn[5], fn[5]) == (2, 0, 2, 1)
    assert precision[5] == pytest.approx(1.0) and recall[5] == pytest.approx(2 / 3)
    assert acc.SummaryMetadata("pr").plugin_data.plugin_name == "pr_curves"
    for run, value in (("acc_train", 0.9), ("acc_test", 0.8)):
        (event,) = _read(tmp_path / run).Scalars("acc")
        assert (event.step, event.value) == (3, pytest.approx(value))


def test_hparams(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"lr": 0.05, "optimizer": "sgd", "nesterov": True}, {"hparam/accuracy": 0.9},
                      run_name="trial0")
    acc = _read(tmp_path / "trial0")
    content = acc.PluginTagToContent("hparams")
    experiment = plugin_data_pb2.HParamsPluginData.FromString(
        content["_hparams_/experiment"]).experiment
    assert [h.name for h in experiment.hparam_infos] == ["lr", "optimizer", "nesterov"]
    assert [m.name.tag for m in experiment.metric_infos] == ["hparam/accuracy"]
    start = plugin_data_pb2.HParamsPluginData.FromString(
        content["_hparams_/session_start_info"]).session_start_info
    assert start.hparams["lr"].number_value == 0.05
    assert start.hparams["optimizer"].string_value == "sgd"
    assert start.hparams["nesterov"].bool_value is True
    assert acc.Scalars("hparam/accuracy")[0].value == pytest.approx(0.9)


def test_graph_holds_module_tree_and_ops(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_graph(Net(), ember.zeros(1, 1, 28, 28))
    graph = _read(tmp_path).Graph()
    nodes = {n.name: n for n in graph.node}
    assert nodes["Net/conv/conv1/Conv"].op == "Conv"
    assert list(nodes["Net/conv/conv1/Conv"].input) == [
        "Net/input/input", "Net/conv/conv1/weight", "Net/conv/conv1/bias"]
    assert nodes["Net/conv/conv1/weight"].op == "Parameter"
    assert nodes["Net/dense/relu2/Relu"].input == ["Net/dense/dense1/Gemm"]
    assert nodes["Net/output/output"].input == ["Net/dense/dense2/Gemm"]
    shape = nodes["Net/conv/pool/MaxPool"].attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [1, 32, 14, 14]


def test_embedding(tmp_path):
    mat = ember.randn(6, 3)
    with SummaryWriter(tmp_path) as w:
        w.add_embedding(mat, metadata=[0, 1, 2, 0, 1, 2], label_img=ember.rand(6, 1, 4, 4),
                        global_step=3, tag="digits")
    config = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(),
                               ProjectorConfig())
    (emb,) = config.embeddings
    assert emb.tensor_name == "digits:00003"
    saved = np.loadtxt(tmp_path / emb.tensor_path, delimiter="\t")
    np.testing.assert_allclose(saved, mat.numpy(), rtol=1e-6)
    assert (tmp_path / emb.metadata_path).read_text().split() == ["0", "1", "2", "0", "1", "2"]
    assert Image.open(tmp_path / emb.sprite.image_path).size == (12, 12)
    assert list(emb.sprite.single_image_dim) == [4, 4]


def test_figure(tmp_path):
    import matplotlib.pyplot as plt  # the [test] extra declares matplotlib: never skipped

    fig = plt.figure(figsize=(2, 1), dpi=50)
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path) as w:
        w.add_figure("fig", fig, 0)
    (event,) = _read(tmp_path).Images("fig")
    assert (event.width, event.height) == (100, 50)


def test_default_logdir_and_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_exp")
    w.close()
    assert w.get_logdir().startswith("runs" + os.sep) and w.get_logdir().endswith("_exp")
    assert any(f.startswith("events.out.tfevents") for f in os.listdir(w.get_logdir()))


def test_missing_extra_is_named():
    import subprocess
    import sys

    code = ("import sys; sys.modules['tensorboard'] = None\n"
            "try:\n    import ember.utils.tensorboard\nexcept ImportError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "ember[tensorboard]" in out.stdout


def test_boxes_video_audio_custom_scalars_onnx_graph(tmp_path):
    import wave

    from tensorboard.plugins.custom_scalar import layout_pb2

    samples = ember.sin(ember.arange(800) * 0.1) * 0.5
    with SummaryWriter(tmp_path) as w:
        w.add_image_with_boxes("boxed", ember.zeros(3, 20, 30), ember.tensor([[2, 3, 12, 15]]),
                               1, labels=["digit"])
        w.add_video("clip", ember.rand(2, 5, 3, 8, 8), 2, fps=5)
        w.add_audio("tone", samples, 3, sample_rate=8000)
        w.add_custom_scalars({"losses": {"both": ["Multiline", ["loss/train", "loss/test"]],
                                         "band": ["Margin", ["acc", "acc_lo", "acc_hi"]]}})
        path = tmp_path / "net.onnx"
        ember.onnx.export(Net(), ember.zeros(1, 1, 28, 28), str(path))
        w.add_onnx_graph(str(path))
    acc = _read(tmp_path)
    boxed = np.asarray(Image.open(io.BytesIO(acc.Images("boxed")[0].encoded_image_string)))
    assert boxed.shape == (20, 30, 3) and boxed[3, 5].tolist() == [255, 0, 0]  # the top edge
    clip = Image.open(io.BytesIO(acc.Images("clip")[0].encoded_image_string))
    assert clip.format == "GIF" and clip.n_frames == 5 and clip.size == (16, 8)
    (tone,) = acc.Audio("tone")
    with wave.open(io.BytesIO(tone.encoded_audio_string)) as wav:
        pcm = np.frombuffer(wav.readframes(800), dtype="<i2")
        assert wav.getframerate() == 8000 and wav.getnframes() == 800
    np.testing.assert_allclose(pcm / 32767, samples.numpy(), atol=1e-4)
    layout = layout_pb2.Layout.FromString(
        acc.Tensors("custom_scalars__config__")[0].tensor_proto.string_val[0])
    charts = {c.title: c for c in layout.category[0].chart}
    assert list(charts["both"].multiline.tag) == ["loss/train", "loss/test"]
    assert charts["band"].margin.series[0].upper == "acc_hi"
    nodes = {n.name: n for n in acc.Graph().node}
    assert nodes["conv/conv1/Conv"].input == ["input/input", "conv/conv1/weight",
                                              "conv/conv1/bias"]
