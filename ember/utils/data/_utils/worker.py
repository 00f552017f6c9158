"""What runs inside a DataLoader worker process, and ``get_worker_info``."""
import os
import queue
import random
import sys
import threading
import traceback
from multiprocessing.reduction import ForkingPickler

import numpy as np

# How often (seconds) a blocked worker or main process wakes up to check that its peer lives.
MP_STATUS_CHECK_INTERVAL = 1.0

_worker_info = None


class WorkerInfo:
    """Describes the current worker: ``id``, ``num_workers``, ``seed`` and ``dataset`` (this
    process's copy). Read-only."""

    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError("Cannot assign attributes to %s objects" % type(self).__name__)
        super().__setattr__(key, val)

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__,
                           ", ".join("%s=%s" % (k, getattr(self, k)) for k in self.__keys))


def get_worker_info():
    """The :class:`WorkerInfo` of the calling DataLoader worker process, or None in the main
    process. Use it in an ``IterableDataset.__iter__`` or a ``worker_init_fn`` to shard data.
    """
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, exc_info=None, where="in background"):
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = "Caught %s %s.\nOriginal %s" % (self.exc_type.__name__, self.where, self.exc_msg)
        if self.exc_type is KeyError:
            # KeyError repr()s its message; this subclass prints it as written.
            raise _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class _KeyErrorMessage(KeyError):
    def __str__(self):
        return self.args[0]


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _DoneFlag:
    """The main process's one-way "shutting down" signal to its workers (torch's
    ``workers_done_event``), kept in one byte of shared memory.

    A ``multiprocessing.Event`` takes a lock in ``is_set()``: a worker killed (SIGKILL, the OOM
    killer) while it read the Event kept that lock forever, and the main process then hung in
    ``set()`` on its way to reporting the dead worker. One writer and plain reads need no lock.
    """

    def __init__(self, ctx):
        self._value = ctx.RawValue("b", 0)

    def set(self):
        self._value.value = 1

    def is_set(self):
        return bool(self._value.value)


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch; echoed back as acknowledgement."""


def _seed_worker(base_seed, worker_id):
    import ember

    seed = base_seed + worker_id
    random.seed(seed)
    ember.manual_seed(seed)
    # NumPy's global state gets its own stream, so that it does not repeat Python's or ember's.
    ss = np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32])
    np.random.seed(ss.generate_state(4))
    return seed


class _Sender:
    """Sends results to the main process on the worker's own pipe, from a background thread (as
    ``multiprocessing.Queue``'s feeder thread does), so that the worker goes on loading its next
    batches while the main process has not read the last one: ``prefetch_factor`` buffers.

    A batch that cannot be pickled is sent as the error instead; pickling is done here, before
    the first byte is written, so the stream stays whole.
    """

    def __init__(self, conn, worker_id):
        self._conn, self._worker_id = conn, worker_id
        self._pending = queue.SimpleQueue()
        threading.Thread(target=self._feed, daemon=True).start()

    def _feed(self):
        while True:
            payload = self._pending.get()
            if payload is None:
                return
            try:
                self._conn.send_bytes(payload)
            except OSError:  # the main process closed its end: it is shutting down
                return

    def send(self, idx, data):
        try:
            payload = ForkingPickler.dumps((idx, data))
        except Exception:
            where = "in DataLoader worker process %d while sending a batch" % self._worker_id
            payload = ForkingPickler.dumps((idx, ExceptionWrapper(where=where)))
        self._pending.put(payload)

    def close(self):
        # Only at shutdown, when nobody reads any more: a send still blocked on the pipe must
        # not keep the worker from exiting (the thread is a daemon).
        self._pending.put(None)


def _worker_loop(is_iterable, dataset, index_queue, data_conn, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers, parent_pid):
    """Fetch the batches that ``index_queue`` asks for and send them on ``data_conn``, the
    worker's own pipe to the main process: if the worker dies part-way through a message, the
    main process reads end-of-file instead of waiting forever for the rest."""
    global _worker_info
    from ember.utils.data._utils.fetch import create_fetcher

    sender = _Sender(data_conn, worker_id)
    try:
        from ember._parallel import set_num_threads

        set_num_threads(1)  # as in torch: N workers must not each spread over every core
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn,
                                     drop_last)
        except Exception:
            init_error = ExceptionWrapper(where="in DataLoader worker process %d" % worker_id)
        stream_ended = False
        while True:
            try:
                task = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent_pid:
                    break  # orphaned: the main process died without shutting us down
                continue
            if task is None:
                break
            if isinstance(task, _ResumeIteration):
                sender.send(task, None)
                stream_ended = False
                if is_iterable and init_error is None:
                    fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn,
                                             drop_last)
                continue
            if done_event.is_set() or stream_ended:
                continue
            idx, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if is_iterable and isinstance(e, StopIteration):
                        data = _IterableDatasetStopIteration(worker_id)
                        stream_ended = True
                        sender.send(idx, data)
                        continue
                    where = "in DataLoader worker process %d" % worker_id
                    if hasattr(e, "_ember_sample_index"):
                        where += " while loading sample index %r" % (e._ember_sample_index,)
                    elif not is_iterable:
                        where += " while loading batch indices %r" % (index,)
                    data = ExceptionWrapper(where=where)
            sender.send(idx, data)
            del data, task
    except KeyboardInterrupt:
        pass  # the main process gets the interrupt too and shuts the workers down
    sender.close()
