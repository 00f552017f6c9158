"""``SummaryWriter``: torch.utils.tensorboard's writer on ember tensors.

Events go through the tensorboard package's ``EventFileWriter`` (its record format, queue and
flush thread); each ``add_*`` builds the summary protobuf of :mod:`.summary`.
"""
import math
import os
import socket
import time
from datetime import datetime

import numpy as np
from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from ember.utils.tensorboard import summary as _summary
from ember.utils.tensorboard.summary import make_np

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """Writes ``Event`` protobufs to one event file in ``log_dir``."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        log_dir = str(log_dir)
        self.event_writer = EventFileWriter(log_dir, max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_def, walltime=None):
        self.add_event(Event(graph_def=graph_def.SerializeToString()), None, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


class SummaryWriter:
    """Write scalars, histograms, images, text, graphs, embeddings, PR curves and
    hyperparameters for TensorBoard to event files in ``log_dir``.

    Args:
        log_dir: the directory (default ``runs/CURRENT_DATETIME_HOSTNAME``).
        comment: appended to the default ``log_dir``.
        purge_step: events of a crashed run at steps >= ``purge_step`` are hidden by
            TensorBoard (a ``SessionLog.START`` at that step).
        max_queue: events queued before a write to disk.
        flush_secs: how often the queue is flushed.
        filename_suffix: appended to the event file's name.

    Example::

        >>> import ember, tempfile
        >>> from ember.utils.tensorboard import SummaryWriter
        >>> with SummaryWriter(tempfile.mkdtemp()) as w:
        ...     for step in range(3):
        ...         w.add_scalar("loss", 1.0 / (step + 1), step)
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue, self.flush_secs = max_queue, flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = None
        self.all_writers = {}
        self._get_file_writer()

    def _get_file_writer(self):
        if self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer.add_event(Event(file_version="brain.Event:2"), step)
                self.file_writer.add_event(
                    Event(session_log=SessionLog(status=SessionLog.START)), step)
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    def _add(self, summary, global_step, walltime):
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # --- values --------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one number under ``tag`` at ``global_step``."""
        self._add(_summary.scalar(tag, scalar_value), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several numbers on one chart: each key goes to the run
        ``log_dir/main_tag_key`` under the tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            path = os.path.join(self._get_file_writer().get_logdir(),
                                main_tag.replace("/", "_") + "_" + tag)
            writer = self.all_writers.get(path)
            if writer is None:
                writer = FileWriter(path, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[path] = writer
            writer.add_summary(_summary.scalar(main_tag, value), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """Log the distribution of ``values`` (``bins`` as ``numpy.histogram`` takes it)."""
        self._add(_summary.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Log one image (floats in [0, 1] or uint8; ``dataformats`` CHW, HWC or HW)."""
        self._add(_summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Log a batch of images as one grid (``dataformats`` NCHW, NHWC, NHW)."""
        self._add(_summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None,
                             walltime=None, rescale=1, dataformats="CHW", labels=None):
        """Log an image with boxes (N x 4: x_min, y_min, x_max, y_max) drawn on it."""
        boxes = make_np(box_tensor) * rescale
        self._add(_summary.image_boxes(tag, img_tensor, boxes, labels, dataformats), global_step,
                  walltime)

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None):
        """Log videos (N, T, C, H, W) as one animated GIF of their grid."""
        self._add(_summary.video(tag, vid_tensor, fps), global_step, walltime)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """Log a mono clip (values in [-1, 1]) as WAV."""
        self._add(_summary.audio(tag, snd_tensor, sample_rate), global_step, walltime)

    def add_custom_scalars(self, layout):
        """The custom scalars dashboard's layout: ``{category: {title: ["Multiline", [tags]]
        or ["Margin", [value, lower, upper]]}}``."""
        self._add(_summary.custom_scalars(layout), None, None)

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled"):
        self.add_custom_scalars({category: {title: ["Multiline", tags]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled"):
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    def add_onnx_graph(self, prototxt):
        """Log the graph of an ONNX file (or ``onnx.ModelProto``)."""
        from ember.utils.tensorboard._graph import onnx_graph_def

        self._get_file_writer().add_graph(onnx_graph_def(prototxt))

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Log a matplotlib figure (or a list of them) rendered to an image."""
        figures = figure if isinstance(figure, (list, tuple)) else [figure]
        images = [_render(f, close) for f in figures]
        if isinstance(figure, (list, tuple)):
            self.add_images(tag, np.stack(images), global_step, walltime, dataformats="NHWC")
        else:
            self.add_image(tag, images[0], global_step, walltime, dataformats="HWC")

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a string (rendered as Markdown by TensorBoard)."""
        self._add(_summary.text(tag, text_string), global_step, walltime)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127,
                     weights=None, walltime=None):
        """Log a precision-recall curve of ``predictions`` (probabilities) for binary
        ``labels``."""
        self._add(_summary.pr_curve(tag, labels, predictions, num_thresholds, weights), global_step,
                  walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log one trial's hyperparameters and final metrics, in the sub-run ``run_name``
        (default: the current time)."""
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name or str(time.time()))
        with SummaryWriter(log_dir=logdir) as w:
            for s in _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete):
                w.file_writer.add_summary(s)
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    # --- structure -----------------------------------------------------------------------
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Log the model's graph: the ops ember's ONNX tracer records while the model runs on
        ``input_to_model``, grouped by the module that called them."""
        from ember.onnx.utils import trace_model
        from ember.utils.tensorboard._graph import graph_def

        args = () if input_to_model is None else input_to_model
        trace = trace_model(model, args, check=False)
        self._get_file_writer().add_graph(graph_def(trace))

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        """Write ``mat`` (N x D) with its labels and thumbnails for the projector plugin."""
        from ember.utils.tensorboard._embedding import write_embedding

        write_embedding(self._get_file_writer().get_logdir(), make_np(mat), metadata, label_img,
                        global_step, tag, metadata_header)

    # --- files ---------------------------------------------------------------------------
    def flush(self):
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = None
        self.all_writers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _grid(images, ncols=8):
    """``(N, C, H, W)`` images tiled into one ``(C, rows * H, ncols * W)`` image."""
    n, c, h, w = images.shape
    if c == 1:
        images = np.repeat(images, 3, axis=1)
        c = 3
    ncols = min(n, ncols)
    rows = int(math.ceil(n / ncols))
    canvas = np.zeros((c, rows * h, ncols * w), dtype=images.dtype)
    for i in range(n):
        r, k = divmod(i, ncols)
        canvas[:, r * h:(r + 1) * h, k * w:(k + 1) * w] = images[i]
    return canvas


def _render(figure, close):
    """A matplotlib figure as an RGBA HWC uint8 array."""
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba(), dtype=np.uint8).copy()
    if close:
        import matplotlib.pyplot as plt

        plt.close(figure)
    return image
