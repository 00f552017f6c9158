"""``ember train``: train an MNIST digit classifier, as the study notes do, on ember.

The run, step by step (all of it written as PyTorch code would be):

- data: ``MNIST(DIR, transform=Compose([ToTensor(), Normalize([0.5], [0.5])]))`` from ``--data``
  (downloaded there when possible); without it, the 5,000-digit sample shipped with ember, which
  is announced in one line;
- model: the notes' CNN (``--model net``), LeNet-5 or an MLP (``ember.cli.models``);
- loop: per epoch, ``model.train()`` over shuffled batches (``cross_entropy``, ``zero_grad``,
  ``backward``, ``step``) with a tqdm bar, then ``model.eval()`` under ``no_grad`` on the test
  set, and a one-line summary;
- output in ``--out``: ``checkpoint.pt`` after every epoch, ``metrics.csv``, ``curves.png``,
  ``predictions.png`` and, at the end, ``model.safetensors``.

Resuming is exact: the data order of epoch ``e`` is a permutation drawn from a generator seeded
with ``seed + e``, so a checkpoint needs no sampler state, only the number of batches done.
Ctrl-C stops at the end of the current batch, saves such a checkpoint, and ``--resume``
continues to the same weights an uninterrupted run reaches.
"""
import argparse
import csv
import io
import math
import os
import signal
import sys
import time
import warnings

import ember
import ember.nn.functional as F
from ember.cli import CommandError
from ember.cli import nproc as _nproc
from ember.cli.data import _one_line, mnist_transform, open_mnist
from ember.cli.models import MODELS, build_model

__all__ = ["add_parser", "run", "open_mnist", "mnist_transform", "CHECKPOINT_FORMAT"]

CHECKPOINT_FORMAT = "ember.cli.train/1"
DEFAULT_EPOCHS = 6
DEFAULT_LR = {"sgd": 0.05, "adam": 0.001}
# Options that define a run: resuming with a different value would not continue the same run.
_RUN_OPTIONS = ("model", "optimizer", "lr", "momentum", "weight_decay", "batch_size", "seed",
                "scheduler")
_METRICS = ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "time_s")
_GRID_DIGITS = 40
_DEFAULT_DATA = os.path.join(".", "data")


# --- options ---------------------------------------------------------------------------------

def _number(kind, low, inclusive, what):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("invalid %s: %r" % (what, text)) from None
        if not math.isfinite(value) or value < low or (value == low and not inclusive):
            raise argparse.ArgumentTypeError("invalid %s: %s (must be %s %g)" % (
                what, text, ">=" if inclusive else ">", low))
        return value
    return parse


def add_parser(commands):
    p = commands.add_parser(
        "train", help="train a digit classifier on MNIST",
        description="Train a digit classifier on MNIST (or the 5,000-digit sample shipped with "
                    "ember when MNIST is not in --data), writing a checkpoint per epoch, "
                    "metrics.csv, curves.png, predictions.png and model.safetensors to --out.")
    p.add_argument("--model", choices=sorted(MODELS), default=None,
                   help="network: the notes' CNN (net, default), lenet5 or mlp")
    p.add_argument("--epochs", type=_number(int, 1, True, "epoch count"), default=None,
                   help="total epochs (default %d)" % DEFAULT_EPOCHS)
    p.add_argument("--batch-size", type=_number(int, 1, True, "batch size"), default=None,
                   help="training batch size (default 64)")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default=None,
                   help="sgd with momentum (default) or adam")
    p.add_argument("--lr", type=_number(float, 0.0, False, "learning rate"), default=None,
                   help="learning rate (default 0.05 for sgd, 0.001 for adam)")
    p.add_argument("--momentum", type=_number(float, 0.0, True, "momentum"), default=None,
                   help="SGD momentum (default 0.9)")
    p.add_argument("--weight-decay", type=_number(float, 0.0, True, "weight decay"),
                   default=None, help="L2 penalty (default 0)")
    p.add_argument("--scheduler", choices=("none", "step", "cosine"), default=None,
                   help="learning-rate schedule: cosine (to 0 over the run; default), step "
                        "(x0.7 per epoch) or none")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    p.add_argument("--data", default=_DEFAULT_DATA, metavar="DIR",
                   help="MNIST root, holding MNIST/raw/*-ubyte[.gz] (default ./data)")
    p.add_argument("--no-download", dest="download", action="store_false",
                   help="do not try to download MNIST into --data when it is missing")
    p.add_argument("--sample", action="store_true",
                   help="train on the 5,000-digit sample shipped with ember, ignoring --data")
    p.add_argument("--out", default=os.path.join(".", "runs", "mnist"), metavar="DIR",
                   help="output folder (default ./runs/mnist)")
    p.add_argument("--resume", nargs="?", const=True, default=None, metavar="CHECKPOINT",
                   help="continue from CHECKPOINT (default OUT/checkpoint.pt)")
    p.add_argument("--workers", type=_number(int, 0, True, "worker count"), default=0,
                   help="DataLoader worker processes (default 0)")
    p.add_argument("--threads", type=_number(int, 1, True, "thread count"), default=None,
                   help="BLAS threads (default: the BLAS library's choice)")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar (also off when stdout is not a terminal)")
    p.add_argument("--tensorboard", metavar="DIR", default=None,
                   help="also log loss, accuracy, learning rate, weight histograms and the "
                        "prediction grid per epoch to DIR for TensorBoard")
    p.add_argument("--nproc", type=_number(int, 1, True, "process count"), default=None,
                   help="train data-parallel on N processes under MPI (global batch = N x "
                        "--batch-size; rank 0 writes the files)")
    p.set_defaults(func=run)
    return p


def _config(args, saved=None):
    """The run's settings: the checkpoint's when resuming, else the options and defaults."""
    if saved is not None:
        for name in _RUN_OPTIONS:
            given = getattr(args, name)
            if given is not None and given != saved[name]:
                raise CommandError(
                    "--%s %s differs from the checkpoint's %s; a resumed run keeps its settings "
                    "(use another --out to start a new run)"
                    % (name.replace("_", "-"), given, saved[name]))
        config = dict(saved)
        if args.epochs is not None and args.epochs != saved["epochs"]:
            if saved["scheduler"] == "cosine":
                raise CommandError(
                    "--epochs %d differs from the checkpoint's %d: a cosine schedule is fixed by "
                    "the run's length (use --scheduler step or none for runs you extend)"
                    % (args.epochs, saved["epochs"]))
            config["epochs"] = args.epochs
        return config
    optimizer = args.optimizer or "sgd"
    return {
        "model": args.model or "net",
        "optimizer": optimizer,
        "lr": args.lr if args.lr is not None else DEFAULT_LR[optimizer],
        "momentum": args.momentum if args.momentum is not None else 0.9,
        "weight_decay": args.weight_decay if args.weight_decay is not None else 0.0,
        "batch_size": args.batch_size or 64,
        "seed": args.seed if args.seed is not None else 0,
        "scheduler": args.scheduler or "cosine",
        "epochs": args.epochs or DEFAULT_EPOCHS,
        "data": None,
    }


# --- data ------------------------------------------------------------------------------------

def _epoch_order(n, seed, epoch):
    """The shuffled sample order of epoch ``epoch`` (1-based): a function of seed and epoch."""
    return ember.randperm(n, generator=ember.Generator().manual_seed(seed + epoch)).tolist()


# --- progress --------------------------------------------------------------------------------

class _NoBar:
    def update(self, n=1):
        pass

    def set_postfix_str(self, s, refresh=True):
        pass

    def close(self):
        pass


def _progress_bar(enabled, total, initial, desc):
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, initial=initial, desc=desc, unit="img", leave=False,
                dynamic_ncols=True, file=sys.stderr)


class _Interrupt:
    """Turns Ctrl-C into a flag read at batch boundaries, so a checkpoint is always consistent.

    A second Ctrl-C raises KeyboardInterrupt at once.
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: Ctrl-C cannot reach this loop anyway
            self._previous = None
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


# --- training --------------------------------------------------------------------------------

def _make_optimizer(config, model):
    params = model.parameters()
    if config["optimizer"] == "adam":
        return ember.optim.Adam(params, lr=config["lr"], weight_decay=config["weight_decay"])
    return ember.optim.SGD(params, lr=config["lr"], momentum=config["momentum"],
                           weight_decay=config["weight_decay"])


def _make_scheduler(config, optimizer):
    from ember.optim import lr_scheduler

    if config["scheduler"] == "step":
        return lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    if config["scheduler"] == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=config["epochs"])
    return None


def _fresh_partial():
    return {"batch": 0, "loss_sum": 0.0, "correct": 0, "seen": 0, "time_s": 0.0}


def _train_epoch(model, optimizer, dataset, config, epoch, partial, workers, progress, stop,
                 ranks=None):
    """Train one epoch from batch ``partial['batch']``, updating ``partial`` after each batch.

    Returns False when stopped early by Ctrl-C (``partial`` then says where to go on).
    """
    batch_size = config["batch_size"]
    if ranks is None or ranks.world == 1:
        order = _epoch_order(len(dataset), config["seed"], epoch)
    else:
        order = ranks.order(dataset, config["seed"], epoch)
    start = partial["batch"] * batch_size
    if start >= len(order):
        return True
    loader = ember.utils.data.DataLoader(dataset, batch_size=batch_size, sampler=order[start:],
                                         num_workers=workers)
    bar = _progress_bar(progress, len(order), start, "epoch %d/%d" % (epoch, config["epochs"]))
    began = time.perf_counter() - partial["time_s"]
    model.train()
    try:
        for images, targets in loader:
            output = model(images)
            loss = F.cross_entropy(output, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            n = len(targets)
            partial["loss_sum"] += loss.item() * n
            partial["correct"] += int((output.argmax(1) == targets).sum().item())
            partial["seen"] += n
            partial["batch"] += 1
            partial["time_s"] = time.perf_counter() - began
            bar.update(n)
            bar.set_postfix_str("loss %.4f" % (partial["loss_sum"] / partial["seen"]),
                                refresh=False)
            if stop.requested:
                return False
    finally:
        bar.close()
    return True


def _checkpoint(config, model, optimizer, scheduler, epoch, partial, history):
    return {
        "format": CHECKPOINT_FORMAT,
        "config": config,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "epoch": epoch,
        "partial": partial,
        "history": history,
        "rng_state": ember.get_rng_state(),
    }


def _write_text(path, text):
    from ember.serialization import _atomic_write

    _atomic_write(path, lambda fp: fp.write(text.encode()))


def _write_metrics(path, history):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_METRICS, lineterminator="\n")
    writer.writeheader()
    for row in history:
        writer.writerow({k: ("%.6g" % row[k] if isinstance(row[k], float) else row[k])
                         for k in _METRICS})
    _write_text(path, buffer.getvalue())


def _write_predictions(model, test_set, path):
    from ember.cli.evaluate import predict_batch
    from ember.cli.plots import plot_predictions

    count = min(_GRID_DIGITS, len(test_set))
    images = ember.stack([test_set[i][0] for i in range(count)])
    targets = [test_set[i][1] for i in range(count)]
    predicted = predict_batch(model, images).argmax(1).tolist()
    plot_predictions(images.numpy() * 0.5 + 0.5, predicted, targets, path)


def _load_resume(path):
    from ember.cli.models import read_checkpoint

    checkpoint = read_checkpoint(path)
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise CommandError("%s is not a checkpoint written by ember train" % path)
    return checkpoint


def _summary(row, epochs):
    return ("epoch %*d/%d  train loss %.4f  train acc %6.2f%%  test loss %.4f  test acc %6.2f%%"
            "  lr %.3g  %.1fs" % (len(str(epochs)), row["epoch"], epochs, row["train_loss"],
                                 100 * row["train_acc"], row["test_loss"], 100 * row["test_acc"],
                                 row["lr"], row["time_s"]))


def run(args):
    """Run ``ember train`` with parsed ``args``; returns the exit status."""
    if (args.nproc or 1) > 1 and not _nproc.in_rank():
        return _nproc.launch(args.nproc, args.argv)
    from ember.cli.evaluate import evaluate_model
    from ember.cli.plots import plot_curves
    from ember.serialization import save_safetensors

    out = args.out
    checkpoint_path = os.path.join(out, "checkpoint.pt")
    resume = None
    if args.resume is not None:
        resume_path = checkpoint_path if args.resume is True else args.resume
        resume = _load_resume(resume_path)
    config = _config(args, resume["config"] if resume else None)
    saved_nproc = resume["config"].get("nproc", 1) if resume else None
    if resume and args.nproc is not None and args.nproc != saved_nproc:
        raise CommandError("--nproc %d differs from the checkpoint's %d; resume a run with the "
                           "processes it started with" % (args.nproc, saved_nproc))
    config["nproc"] = saved_nproc or args.nproc or 1
    if config["nproc"] > 1 and not _nproc.in_rank():  # --resume of a --nproc run, without it
        return _nproc.launch(config["nproc"], args.argv)
    ranks = _nproc.Ranks(config["nproc"])
    if resume is not None and resume["epoch"] >= config["epochs"]:
        raise CommandError("%s already holds %d epochs; pass --epochs with a larger total to "
                           "train further" % (resume_path, resume["epoch"]))
    if args.threads is not None:
        ember.set_num_threads(args.threads)

    use_sample = args.sample or (resume is not None and resume["config"]["data"] == "sample")
    train_set, test_set, source = open_mnist(args.data, download=args.download,
                                             require_full=resume is not None and not use_sample,
                                             sample=use_sample)
    config["data"] = source
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise CommandError("cannot create output folder %s: %s" % (out, e.strerror)) from None

    ember.manual_seed(config["seed"])
    model = build_model(config["model"])
    optimizer = _make_optimizer(config, model)
    scheduler = _make_scheduler(config, optimizer)
    history, epochs_done, partial = [], 0, _fresh_partial()
    if resume is not None:
        try:
            model.load_state_dict(resume["model"])
            optimizer.load_state_dict(resume["optimizer"])
            if scheduler is not None:
                scheduler.load_state_dict(resume["scheduler"])
        except (KeyError, RuntimeError, ValueError, TypeError) as e:
            raise CommandError("cannot resume from %s: %s" % (resume_path, _one_line(e))) from None
        ember.set_rng_state(resume["rng_state"])
        history, epochs_done, partial = (list(resume["history"]), resume["epoch"],
                                         resume["partial"])
    net, model = model, ranks.wrap(model)  # net: the plain model, saved and evaluated

    progress = args.progress and sys.stdout.isatty()
    params = sum(p.numel() for p in model.parameters())
    print("%s %s (%s parameters) on %s: %s train / %s test digits; %s lr %g%s, batch %d, "
          "%d epoch%s, seed %d" % (
              "resuming" if resume else "training", config["model"], format(params, ","),
              "ember's MNIST sample" if source == "sample" else "MNIST in %s" % args.data,
              format(len(train_set), ","),
              format(len(test_set), ","),
              config["optimizer"].upper() if config["optimizer"] == "sgd" else "Adam",
              config["lr"],
              " momentum %g" % config["momentum"] if config["optimizer"] == "sgd" else "",
              config["batch_size"], config["epochs"], "s"[:config["epochs"] != 1],
              config["seed"]))
    if resume:
        print("continuing %s from %s" % (
            "in epoch %d after batch %d" % (epochs_done + 1, partial["batch"]) if partial["batch"]
            else "after epoch %d" % epochs_done, resume_path))
    sys.stdout.flush()

    def save(epoch_done, part):
        if ranks.main:
            ember.save(_checkpoint(config, net, optimizer, scheduler, epoch_done, part, history),
                       checkpoint_path)

    def interrupted(epoch_done, part):
        if board is not None:
            board.close()
        save(epoch_done, part)
        if part["batch"]:
            where = "in epoch %d (%d of %d batches done)" % (
                epoch_done + 1, part["batch"], math.ceil(len(train_set) / config["batch_size"]))
        else:
            where = "after epoch %d" % epoch_done
        again = "ember train --out %s --resume" % out
        if source == "full" and args.data != _DEFAULT_DATA:
            again += " --data %s" % args.data
        print("%sinterrupted %s: checkpoint saved to %s; continue with `%s`"
              % ("\n" if progress else "", where, checkpoint_path, again))
        return 130

    board = None
    if args.tensorboard and ranks.main:
        from ember.cli.tensorboard import log_epoch, open_writer

        board = open_writer(args.tensorboard)
    run_began = time.perf_counter()
    with _Interrupt() as local_stop:
        stop = ranks.stop(local_stop)
        try:
            for epoch in range(epochs_done + 1, config["epochs"] + 1):
                if not _train_epoch(model, optimizer, train_set, config, epoch, partial,
                                    args.workers, progress, stop, ranks):
                    return interrupted(epoch - 1, partial)
                began = time.perf_counter() - partial["time_s"]
                if ranks.world == 1:
                    test = evaluate_model(net, test_set, stop=stop)
                else:  # rank 0 evaluates, uninterrupted, while the others wait for it
                    test = evaluate_model(net, test_set) if ranks.main else {}
                if test is None:
                    return interrupted(epoch - 1, partial)
                loss_sum, correct, seen = ranks.sum(partial["loss_sum"], partial["correct"],
                                                    partial["seen"])
                history.append({
                    "epoch": epoch,
                    "train_loss": loss_sum / seen,
                    "train_acc": correct / seen,
                    "test_loss": test.get("loss"), "test_acc": test.get("accuracy"),
                    "lr": optimizer.param_groups[0]["lr"],
                    "time_s": time.perf_counter() - began,
                })
                if scheduler is not None:
                    with warnings.catch_warnings():
                        # A run resumed after its last batch steps the schedule without having
                        # stepped the optimizer in this process; the order is right all the same.
                        warnings.filterwarnings("ignore", "Detected call of `lr_scheduler.step")
                        scheduler.step()
                partial = _fresh_partial()
                save(epoch, partial)
                if ranks.main:
                    _write_metrics(os.path.join(out, "metrics.csv"), history)
                    plot_curves(history, os.path.join(out, "curves.png"))
                    print(_summary(history[-1], config["epochs"]))
                sys.stdout.flush()
                if board is not None:
                    log_epoch(board, history[-1], net, test_set)
                if stop.requested:
                    return interrupted(epoch, partial)
        except KeyboardInterrupt:  # a second Ctrl-C, or one raised outside the batch loop
            if os.path.isfile(checkpoint_path):
                print("interrupted: %s is kept as it was (the last completed save)"
                      % checkpoint_path)
            else:
                print("interrupted before the first checkpoint was saved")
            return 130

    if board is not None:
        board.close()
    ranks.close()
    if not ranks.main:
        return 0
    _write_metrics(os.path.join(out, "metrics.csv"), history)
    plot_curves(history, os.path.join(out, "curves.png"))
    _write_predictions(net, test_set, os.path.join(out, "predictions.png"))
    try:
        save_safetensors(net.state_dict(), os.path.join(out, "model.safetensors"),
                               metadata={"format": "pt", "model": config["model"]})
        weights = "model.safetensors"
    except ImportError:
        weights = "no model.safetensors (pip install safetensors)"
    last = history[-1]
    print("done: test accuracy %.2f%% after %d epoch%s (%.1fs); wrote %s: checkpoint.pt, "
          "metrics.csv, curves.png, predictions.png, %s"
          % (100 * last["test_acc"], last["epoch"], "s"[:last["epoch"] != 1],
             time.perf_counter() - run_began, out, weights))
    return 0
