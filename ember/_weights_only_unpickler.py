"""The interpreter behind ``ember.load(..., weights_only=True)``, as torch's module of that name.

Python's own unpickler imports and calls whatever a file names; this one runs the pickle opcodes
itself and admits only what its caller allows, so loading an untrusted checkpoint cannot run code.
"""
import collections
import pickle
import struct


class Unpickler:
    """A pickle interpreter that builds only data: the ``weights_only=True`` loader.

    It implements the opcodes of protocols 2 to 5 that data needs, resolves a GLOBAL only
    through ``find_global(module, name)`` (which returns the object or None to refuse), calls
    (REDUCE) only objects in ``callables``, creates (NEWOBJ) and sets the state (BUILD) only of
    instances of the classes in ``classes`` (the user's allowed globals), besides the
    ``_metadata`` of an ``OrderedDict``. Nothing else a file names is imported or called, so a
    crafted file can fail to load but cannot run code.

    Args:
        data (bytes): the pickle.
        persistent_load: called with each persistent id (BINPERSID).
        find_global: maps a GLOBAL's ``(module, name)`` to an object, or None to refuse it.
        callables: the objects REDUCE may call.
        classes: the classes NEWOBJ may instantiate and BUILD may fill.
    """

    def __init__(self, data, persistent_load, find_global, callables, classes=()):
        self._data = bytes(data)
        self._pos = 0
        self._persistent_load = persistent_load
        self._find_global = find_global
        self._callable_ids = {id(f) for f in callables}
        self._class_ids = {id(c) for c in classes if isinstance(c, type)}

    def _read(self, n):
        end = self._pos + n
        if n < 0 or end > len(self._data):
            raise pickle.UnpicklingError("pickle data was truncated")
        chunk = self._data[self._pos:end]
        self._pos = end
        return chunk

    def _readline(self):
        end = self._data.find(b"\n", self._pos)
        if end < 0:
            raise pickle.UnpicklingError("pickle data was truncated")
        line = self._data[self._pos:end]
        self._pos = end + 1
        return line

    def _unpack(self, fmt):
        return struct.unpack(fmt, self._read(struct.calcsize(fmt)))[0]

    def _pop_mark(self):
        if not self._marks:
            raise pickle.UnpicklingError("MARK expected on the stack")
        mark = self._marks.pop()
        items = self._stack[mark:]
        del self._stack[mark:]
        return items

    def _pop(self):
        if not self._stack:
            raise pickle.UnpicklingError("unpickling stack underflow")
        return self._stack.pop()

    def _top(self, kind, opname):
        if not self._stack or not isinstance(self._stack[-1], kind):
            raise pickle.UnpicklingError("%s expects a %s on the stack" % (opname, kind.__name__))
        return self._stack[-1]

    def _global(self, module, name):
        obj = self._find_global(module, name)
        if obj is None:
            raise pickle.UnpicklingError(
                "weights_only load refused the global %s.%s: only tensors, containers and "
                "primitives are allowed. Load with weights_only=False only if you trust the "
                "file's source." % (module, name))
        self._stack.append(obj)

    def load(self):
        """Run the pickle and return its object; a malformed pickle raises UnpicklingError."""
        try:
            return self._run()
        except (TypeError, ValueError, KeyError, IndexError, struct.error) as e:
            raise pickle.UnpicklingError("malformed pickle: %s: %s"
                                         % (type(e).__name__, e)) from e

    def _run(self):
        self._stack, self._marks, self._memo = [], [], {}
        stack, memo = self._stack, self._memo
        read, unpack = self._read, self._unpack
        while True:
            op = read(1)
            if op == pickle.PROTO:
                if read(1)[0] > 5:
                    raise pickle.UnpicklingError("unsupported pickle protocol")
            elif op == pickle.FRAME:
                read(8)
            elif op == pickle.STOP:
                if len(stack) != 1:
                    raise pickle.UnpicklingError("malformed pickle: %d objects left on the stack"
                                                 % len(stack))
                return stack[0]
            elif op == pickle.MARK:
                self._marks.append(len(stack))
            elif op == pickle.POP:
                self._pop()
            elif op == pickle.POP_MARK:
                self._pop_mark()
            elif op == pickle.DUP:
                stack.append(self._top(object, "DUP"))
            elif op == pickle.NONE:
                stack.append(None)
            elif op == pickle.NEWTRUE:
                stack.append(True)
            elif op == pickle.NEWFALSE:
                stack.append(False)
            elif op == pickle.BININT:
                stack.append(unpack("<i"))
            elif op == pickle.BININT1:
                stack.append(read(1)[0])
            elif op == pickle.BININT2:
                stack.append(unpack("<H"))
            elif op in (pickle.LONG1, pickle.LONG4):
                n = read(1)[0] if op == pickle.LONG1 else unpack("<i")
                if n > 4096:
                    raise pickle.UnpicklingError("integer too long")
                stack.append(int.from_bytes(read(n), "little", signed=True))
            elif op == pickle.BINFLOAT:
                stack.append(unpack(">d"))
            elif op in (pickle.SHORT_BINUNICODE, pickle.BINUNICODE, pickle.BINUNICODE8):
                n = (read(1)[0] if op == pickle.SHORT_BINUNICODE
                     else unpack("<I") if op == pickle.BINUNICODE else unpack("<Q"))
                stack.append(read(n).decode("utf-8", "surrogatepass"))
            elif op in (pickle.SHORT_BINBYTES, pickle.BINBYTES, pickle.BINBYTES8):
                n = (read(1)[0] if op == pickle.SHORT_BINBYTES
                     else unpack("<I") if op == pickle.BINBYTES else unpack("<Q"))
                stack.append(read(n))
            elif op == pickle.EMPTY_TUPLE:
                stack.append(())
            elif op in (pickle.TUPLE1, pickle.TUPLE2, pickle.TUPLE3):
                n = {pickle.TUPLE1: 1, pickle.TUPLE2: 2, pickle.TUPLE3: 3}[op]
                if len(stack) < n:
                    raise pickle.UnpicklingError("unpickling stack underflow")
                items = tuple(stack[-n:])
                del stack[-n:]
                stack.append(items)
            elif op == pickle.TUPLE:
                stack.append(tuple(self._pop_mark()))
            elif op == pickle.EMPTY_LIST:
                stack.append([])
            elif op == pickle.LIST:
                stack.append(self._pop_mark())
            elif op == pickle.EMPTY_DICT:
                stack.append({})
            elif op == pickle.DICT:
                items = self._pop_mark()
                stack.append(dict(zip(items[::2], items[1::2])))
            elif op == pickle.EMPTY_SET:
                stack.append(set())
            elif op == pickle.FROZENSET:
                stack.append(frozenset(self._pop_mark()))
            elif op == pickle.APPEND:
                value = self._pop()
                self._top(list, "APPEND").append(value)
            elif op == pickle.APPENDS:
                items = self._pop_mark()
                self._top(list, "APPENDS").extend(items)
            elif op == pickle.SETITEM:
                value, key = self._pop(), self._pop()
                self._top(dict, "SETITEM")[key] = value
            elif op == pickle.SETITEMS:
                items = self._pop_mark()
                if len(items) % 2:
                    raise pickle.UnpicklingError("SETITEMS needs key-value pairs")
                target = self._top(dict, "SETITEMS")
                for i in range(0, len(items), 2):
                    target[items[i]] = items[i + 1]
            elif op == pickle.ADDITEMS:
                items = self._pop_mark()
                self._top(set, "ADDITEMS").update(items)
            elif op == pickle.GLOBAL:
                module = self._readline().decode("utf-8")
                self._global(module, self._readline().decode("utf-8"))
            elif op == pickle.STACK_GLOBAL:
                name, module = self._pop(), self._pop()
                if not isinstance(module, str) or not isinstance(name, str):
                    raise pickle.UnpicklingError("STACK_GLOBAL requires str")
                self._global(module, name)
            elif op == pickle.REDUCE:
                args, func = self._pop(), self._pop()
                if id(func) not in self._callable_ids or not isinstance(args, tuple):
                    raise pickle.UnpicklingError("weights_only load refused to call %r"
                                                 % (func,))
                stack.append(func(*args))
            elif op == pickle.NEWOBJ:
                args, cls = self._pop(), self._pop()
                if id(cls) not in self._class_ids or not isinstance(args, tuple):
                    raise pickle.UnpicklingError("weights_only load refused to create %r"
                                                 % (cls,))
                stack.append(cls.__new__(cls, *args))
            elif op == pickle.BUILD:
                state = self._pop()
                self._build(self._top(object, "BUILD"), state)
            elif op == pickle.BINPERSID:
                stack.append(self._persistent_load(self._pop()))
            elif op in (pickle.BINGET, pickle.LONG_BINGET):
                idx = read(1)[0] if op == pickle.BINGET else unpack("<I")
                if idx not in memo:
                    raise pickle.UnpicklingError("memo key %d not found" % idx)
                stack.append(memo[idx])
            elif op in (pickle.BINPUT, pickle.LONG_BINPUT):
                idx = read(1)[0] if op == pickle.BINPUT else unpack("<I")
                memo[idx] = self._top(object, "PUT")
            elif op == pickle.MEMOIZE:
                memo[len(memo)] = self._top(object, "MEMOIZE")
            else:
                raise pickle.UnpicklingError("weights_only load does not support pickle opcode "
                                             "%r at byte %d" % (op, self._pos - 1))

    def _build(self, obj, state):
        if id(type(obj)) in self._class_ids:
            # an allowed class restores itself, as pickle's BUILD does
            if hasattr(obj, "__setstate__"):
                obj.__setstate__(state)
                return
            state, slots = state if isinstance(state, tuple) and len(state) == 2 else (state,
                                                                                     None)
            obj.__dict__.update(state or {})
            for key, value in (slots or {}).items():
                setattr(obj, key, value)
            return
        if type(obj) is not collections.OrderedDict or not isinstance(state, dict):
            raise pickle.UnpicklingError("weights_only load refused to set the state of a %s"
                                         % type(obj).__name__)
        for key in state:
            if not isinstance(key, str) or key.startswith("__"):
                raise pickle.UnpicklingError("refusing attribute %r" % (key,))
        obj.__dict__.update(state)
