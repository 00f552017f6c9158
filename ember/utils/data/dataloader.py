"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

With ``num_workers > 0`` each worker is a separate process (``multiprocessing``) with its own
copy of the dataset. The main process hands out index batches round robin, at most
``prefetch_factor`` per worker ahead, and yields results in sampler order. Workers are seeded
``base_seed + worker_id``, ``base_seed`` being drawn from ``generator`` (or ember's default
generator) for each iterator, as torch does.
"""
import itertools
import multiprocessing
import multiprocessing.connection
import os
import signal
import warnings

from ember.random import default_generator
from ember.utils.data._utils import collate as _collate
from ember.utils.data._utils import worker as _worker
from ember.utils.data._utils.fetch import create_fetcher
from ember.utils.data.dataset import IterableDataset
from ember.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

default_collate = _collate.default_collate
default_convert = _collate.default_convert
get_worker_info = _worker.get_worker_info


class _InfiniteConstantSampler:
    """The sampler of an IterableDataset: an endless stream of None (the dataset decides)."""

    def __iter__(self):
        return itertools.repeat(None)


class DataLoader:
    """Iterates over ``dataset`` in (mini-)batches.

    Args:
        dataset (Dataset): map-style or iterable-style dataset.
        batch_size (int, optional): samples per batch; None turns batching off. Default: 1.
        shuffle (bool, optional): reshuffle every epoch (map-style only). Default: False.
        sampler (Sampler or Iterable, optional): the order of the indices; excludes shuffle.
        batch_sampler (Sampler or Iterable, optional): yields index lists; excludes
            batch_size, shuffle, sampler and drop_last.
        num_workers (int, optional): worker processes; 0 loads in the main process.
        collate_fn (Callable, optional): merges a list of samples into a batch.
        pin_memory (bool, optional): accepted for compatibility; ember has no pinned memory.
        drop_last (bool, optional): drop the last, incomplete batch. Default: False.
        timeout (numeric, optional): seconds to wait for a batch from the workers before
            raising; 0 waits forever.
        worker_init_fn (Callable, optional): called with the worker id in each worker, after
            seeding and before loading.
        multiprocessing_context (str or context, optional): start method for the workers.
        generator (Generator, optional): draws the shuffle order and the workers' base seed.
        prefetch_factor (int, optional): batches each worker loads in advance (default 2 with
            workers; must be None without).
        persistent_workers (bool, optional): keep the workers alive between epochs.
        pin_memory_device (str, optional): accepted for compatibility.
        in_order (bool, optional): yield batches in sampler order (True) or as they arrive.

    Example::

        >>> import ember
        >>> from ember.utils.data import DataLoader, TensorDataset
        >>> ds = TensorDataset(ember.arange(10), ember.arange(10) * 2)
        >>> [x.tolist() for x, _ in DataLoader(ds, batch_size=4)]
        [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    """

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 "option, but got shuffle=%s" % (shuffle,))
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 "option, but got sampler=%s" % (sampler,))
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "batch_sampler option, but got batch_sampler=%s"
                                 % (batch_sampler,))
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        if pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=2)
        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None and self.num_workers > 0:
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError("multiprocessing_context option should specify a valid "
                                     "start method in %r, but got multiprocessing_context=%r"
                                     % (methods, context))
                context = multiprocessing.get_context(context)
            elif not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context "
                                "object or a string specifying the start method, but got "
                                "multiprocessing_context=%s" % (context,))
        elif context is not None:
            raise ValueError("multiprocessing_context can only be used with multi-process "
                             "loading (num_workers > 0), but got num_workers=%d"
                             % self.num_workers)
        self.__multiprocessing_context = context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                           "dataset", "persistent_workers"):
            raise ValueError("%s attribute should not be set after %s is initialized"
                             % (attr, type(self).__name__))
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        if self._is_iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else \
                    -(-length // self.batch_size)
            return length
        return len(self._index_sampler)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._is_iterable = loader._is_iterable
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._persistent_workers = loader.persistent_workers
        self._sampler_iter = iter(self._index_sampler)
        gen = loader.generator or default_generator
        self._base_seed = int(gen._rng.integers(0, 2 ** 63))
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._is_iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = ("Length of IterableDataset %s was reported to be %d (when accessing "
                   "len(dataloader)), but %d samples have been fetched. "
                   % (self._dataset, self._IterableDataset_len_called, self._num_yielded))
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly "
                        "configuring the IterableDataset replica at each worker.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError("%s cannot be pickled" % type(self).__name__)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._fetcher = create_fetcher(self._is_iterable, self._dataset, self._auto_collation,
                                       self._collate_fn, self._drop_last)

    def _next_data(self):
        index = self._next_index()
        return self._fetcher.fetch(index)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Workers, each with its own index queue, send results back on their own pipe;
    ``_task_info`` maps each task number to ``(worker_id,)`` while pending and
    ``(worker_id, data)`` once it arrived early, so that batches come out in sampler order.

    Only the worker holds the writing end of its pipe, so a worker that dies, even part-way
    through sending a batch, shows as end-of-file there (torch's shared result queue leaves a
    half-written message that a read waits on forever; torch escapes it with a SIGCHLD handler).
    """

    def __init__(self, loader):
        super().__init__(loader)
        self._shutdown = True  # until the workers exist, there is nothing to shut down
        self._in_order = loader.in_order
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._worker_init_fn = loader.worker_init_fn
        self._done_event = _worker._DoneFlag(ctx)
        self._index_queues = []
        self._workers = []
        self._result_conns = []
        self._shutdown = False
        for worker_id in range(self._num_workers):
            index_queue = ctx.Queue()
            # The main process never waits on this queue's feeder when it exits.
            index_queue.cancel_join_thread()
            result_conn, worker_conn = ctx.Pipe(duplex=False)
            w = ctx.Process(target=_worker._worker_loop, daemon=True,
                            args=(self._is_iterable, self._dataset, index_queue,
                                  worker_conn, self._done_event, self._auto_collation,
                                  self._collate_fn, self._drop_last, self._base_seed,
                                  self._worker_init_fn, worker_id, self._num_workers,
                                  os.getpid()))
            self._index_queues.append(index_queue)
            self._result_conns.append(result_conn)
            try:
                w.start()
            finally:
                worker_conn.close()  # before the next worker forks, so that it lacks this end
            self._workers.append(w)
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        self._next_conn = 0
        if not first_iter:
            # Persistent workers: tell each to start over and drop whatever the previous epoch
            # left in flight until every worker has acknowledged.
            for q in self._index_queues:
                q.put(_worker._ResumeIteration())
            pending = self._num_workers
            while pending:
                ok, data = self._try_get_data()
                if ok and isinstance(data[0], _worker._ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=_worker.MP_STATUS_CHECK_INTERVAL):
        ready = multiprocessing.connection.wait(self._result_conns, timeout)
        if ready:
            # Start after the pipe read last, so that no worker waits behind a busy one.
            n = len(self._result_conns)
            i = min((self._result_conns.index(c) for c in ready),
                    key=lambda j: (j - self._next_conn) % n)
            self._next_conn = i + 1
            try:
                return True, self._result_conns[i].recv()
            except (EOFError, OSError):  # the worker is gone, perhaps part-way through a batch
                self._raise_dead([self._workers[i]])
        self._raise_dead([w for w in self._workers if not w.is_alive()])
        return False, None

    def _raise_dead(self, dead):
        """Shut down and raise torch's error for the ``dead`` workers (if there are any)."""
        if not dead:
            return
        for w in dead:
            w.join(_worker.MP_STATUS_CHECK_INTERVAL)  # reaped, so that its exit code is known
        self._shutdown_workers()
        causes = []
        for w in dead:
            if w.exitcode is not None and w.exitcode < 0:
                try:
                    name = signal.Signals(-w.exitcode).name
                    name = signal.strsignal(-w.exitcode) or name
                except ValueError:
                    name = "signal %d" % -w.exitcode
                causes.append("DataLoader worker (pid %d) is killed by signal: %s. "
                              % (w.pid, name))
            elif w.exitcode:
                causes.append("DataLoader worker (pid %d) exited unexpectedly with exit code %d. "
                              "Details are lost due to multiprocessing. Rerunning with "
                              "num_workers=0 may give better error trace." % (w.pid, w.exitcode))
        cause = RuntimeError(" ".join(causes)) if causes else None
        raise RuntimeError("DataLoader worker (pid(s) %s) exited unexpectedly"
                           % ", ".join(str(w.pid) for w in dead)) from cause

    def _get_data(self):
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if not ok:
                raise RuntimeError("DataLoader timed out after %s seconds" % self._timeout)
            return data
        while True:
            ok, data = self._try_get_data()
            if ok:
                return data

    def _next_data(self):
        while True:
            # Skip tasks sent to workers whose stream has ended: they will never answer.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                data = self._task_info.pop(self._rcvd_idx)[1]
                self._rcvd_idx += 1
                return self._process_data(data)
            if self._shutdown:
                raise StopIteration
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _worker._IterableDatasetStopIteration):
                self._workers_status[data.worker_id] = False
                self._task_info.pop(idx, None)
                self._try_put_index()
                continue
            if idx == self._rcvd_idx:
                del self._task_info[idx]
                self._rcvd_idx += 1
                return self._process_data(data)
            if self._in_order:
                self._task_info[idx] += (data,)
            else:
                del self._task_info[idx]
                return self._process_data(data)

    def _try_put_index(self):
        if self._tasks_outstanding >= self._prefetch_factor * self._num_workers:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return  # every worker's stream has ended
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data):
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown_workers(self):
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for q in self._index_queues:
                q.put(None)
            for w in self._workers:
                w.join(timeout=_worker.MP_STATUS_CHECK_INTERVAL)
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join()
        finally:
            for q in self._index_queues:
                q.close()
            for conn in self._result_conns:
                conn.close()

    def __del__(self):
        self._shutdown_workers()
