"""redline — a declarative use-policy engine, in process.

Compile ``.pol`` policies once, then decide requests from any thread::

    import redline

    policy = redline.compile(["vendor.pol", "agency.pol"])
    d = policy.decide({"purpose": "summarization", "actor": {"role": "analyst"}})
    if not d.allowed:
        print(d.outcome, d.reasons, d.pending)

    @policy.guard(purpose="summarization")
    def summarize(text): ...        # raises redline.Denied / redline.ApprovalRequired

The package wraps the C API of ``libredline.so.0`` (redline/redline.h) with
ctypes; the GIL is released while a request is decided. Decisions are the
exact JSON of the C++ engine (``Decision.to_json()``), parsed lazily.
"""
from __future__ import annotations

import ctypes
import functools
import inspect
import json
import os
import threading
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from . import _native
from ._native import lib

__all__ = [
    "__version__",
    "compile",
    "compile_source",
    "Policy",
    "Decision",
    "Diagnostic",
    "Switches",
    "Approvals",
    "RedlineError",
    "PolicyError",
    "NotAllowed",
    "Denied",
    "ApprovalRequired",
    "default_stdlib",
]

__version__: str = lib.rl_version().decode()


class RedlineError(Exception):
    """Base class of every error this package raises."""


class Diagnostic:
    """One compile diagnostic: where (file, line, column; 1-based), what
    (severity, stable code such as ``RL2003``, message) and a suggested fix
    (help, or ``""``)."""

    __slots__ = ("severity", "code", "message", "file", "line", "column", "end_line", "end_column", "help", "notes")

    def __init__(self, d: Mapping[str, Any]):
        self.severity: str = d.get("severity", "error")
        self.code: str = d.get("code", "")
        self.message: str = d.get("message", "")
        self.file: str = d.get("file", "")
        self.line: int = int(d.get("line", 0))
        self.column: int = int(d.get("column", 0))
        self.end_line: int = int(d.get("end_line", 0))
        self.end_column: int = int(d.get("end_column", 0))
        self.help: str = d.get("help", "")
        self.notes: list[str] = list(d.get("notes", []))

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}

    def __str__(self) -> str:
        s = f"{self.file}:{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}"
        if self.help:
            s += f"\n  help: {self.help}"
        return s

    def __repr__(self) -> str:
        return f"Diagnostic({self.severity} {self.code} at {self.file}:{self.line}:{self.column}: {self.message!r})"


class PolicyError(RedlineError):
    """The policies did not compile. ``diagnostics`` lists every diagnostic
    (errors and warnings); ``errors`` only the errors."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]):
        super().__init__(message)
        self.diagnostics = diagnostics

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


class NotAllowed(RedlineError):
    """A guarded call was not made; ``decision`` says why."""

    def __init__(self, decision: "Decision"):
        self.decision = decision
        super().__init__(self._text())

    def _text(self) -> str:
        d = self.decision
        why = "; ".join(r.get("because") or r.get("rule", "") for r in d.reasons) or (d.error or {}).get("message", "")
        return f"{d.outcome}" + (f": {why}" if why else "")


class Denied(NotAllowed):
    """The policy denied the call (outcome ``deny``)."""


class ApprovalRequired(NotAllowed):
    """The call needs a human's approval or an escalation first (outcome
    ``require_approval`` or ``escalate``); ``pending`` says what is still needed."""

    @property
    def pending(self) -> dict[str, Any] | None:
        """The decision's ``pending`` object (see :attr:`Decision.pending`)."""
        return self.decision.pending


def _check(status: int, what: str) -> None:
    if status == _native.RL_OK:
        return
    message = _native.last_error() or lib.rl_status_string(status).decode()
    if status == _native.RL_ERR_NO_MEMORY:
        raise MemoryError(message)
    if status == _native.RL_ERR_NOT_FOUND:
        raise KeyError(message)
    if status in (_native.RL_ERR_INVALID_ARGUMENT, _native.RL_ERR_BAD_INPUT):
        raise ValueError(f"{what}: {message}")
    raise RedlineError(f"{what}: {message}")


def default_stdlib() -> str:
    """The stdlib folder used when none is given: ``$REDLINE_STDLIB``, else
    the one shipped beside the library."""
    out = ctypes.c_void_p()
    _check(lib.rl_default_stdlib(ctypes.byref(out)), "default_stdlib")
    return _native.take_string(out) or ""


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _request_bytes(request: Any) -> bytes:
    if isinstance(request, str):
        return request.encode("utf-8", "surrogatepass")
    if isinstance(request, (bytes, bytearray, memoryview)):
        return bytes(request)
    if isinstance(request, Mapping):
        return _dumps(request).encode("utf-8", "surrogatepass")
    raise TypeError(f"a request is a dict, or its JSON as str or bytes, not {type(request).__name__}")


class Decision:
    """The answer to a request.

    ``outcome`` is ``"allow"``, ``"require_approval"``, ``"escalate"`` or
    ``"deny"``; a request that could not be decided is ``deny`` with ``error``
    set. ``to_json()`` is the engine's decision JSON, byte for byte; the other
    accessors read it (parsed once, on first use)."""

    __slots__ = ("_json", "_outcome", "_dict")

    def __init__(self, decision_json: str, outcome: int):
        self._json = decision_json
        self._outcome = outcome
        self._dict: dict[str, Any] | None = None

    @property
    def outcome(self) -> str:
        return _native.OUTCOMES[self._outcome]

    @property
    def allowed(self) -> bool:
        return self._outcome == 0

    def to_json(self) -> str:
        """The decision JSON of the engine (one line), exactly as C++ gives it."""
        return self._json

    def to_dict(self) -> dict[str, Any]:
        """The decision JSON, parsed (a new dict each call)."""
        return json.loads(self._json)

    def _d(self) -> dict[str, Any]:
        if self._dict is None:
            self._dict = json.loads(self._json)
        return self._dict

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The rules that applied, most severe first (rule, outcome, because, cite, ...)."""
        return self._d().get("reasons", [])

    @property
    def obligations(self) -> list[str]:
        return self._d().get("obligations", [])

    @property
    def pending(self) -> dict[str, Any] | None:
        """What the decision still waits for (``require_approval`` or
        ``escalate``): the decision JSON's ``pending`` object — ``rules``
        (each unsatisfied rule: roles, quorum, missing, deadline, ...),
        ``escalation`` and ``steps`` — or None."""
        return self._d().get("pending")

    @property
    def error(self) -> dict[str, Any] | None:
        """Why the request could not be decided (code, message, pointer), or None."""
        return self._d().get("error")

    @property
    def killed_by(self) -> str | None:
        return self._d().get("killed_by")

    def __bool__(self) -> bool:
        return self.allowed

    def __repr__(self) -> str:
        return f"Decision({self.outcome!r})"


class Approvals:
    """How approvals are judged: the approvers' keys file (``keys``, its JSON
    text or parsed dict; None: no keys) and whether only signed approvals
    count (``require_signed``). Immutable; pass it to ``decide``."""

    def __init__(self, keys: str | Mapping[str, Any] | None = None, require_signed: bool = False):
        text = None if keys is None else (keys if isinstance(keys, str) else json.dumps(keys)).encode()
        h = ctypes.c_void_p()
        _check(lib.rl_approvals_new(text, len(text) if text is not None else 0, int(require_signed), ctypes.byref(h)), "approver keys")
        self._h = h

    def __del__(self) -> None:
        h, self._h = getattr(self, "_h", None), None
        if h and _native is not None and lib is not None:
            lib.rl_approvals_free(h)


class Switches:
    """The kill switches of a policy: ``trip(name)``, ``reset(name)``,
    ``tripped(name)``, by qualified (``"policy/switch"``) or plain name.
    Thread-safe; a flip is seen by the very next decision."""

    def __init__(self, policy: "Policy"):
        self._policy = policy
        self._board = lib.rl_policy_switchboard(policy._h)

    @property
    def names(self) -> tuple[str, ...]:
        return self._policy._switch_names

    def trip(self, name: str) -> None:
        """Trips a switch; KeyError when there is no such switch."""
        _check(lib.rl_switch_trip(self._board, name.encode()), "trip")

    def reset(self, name: str) -> None:
        """Resets a switch; KeyError when there is no such switch."""
        _check(lib.rl_switch_reset(self._board, name.encode()), "reset")

    def tripped(self, name: str) -> bool:
        """Whether a switch is tripped; KeyError when there is no such switch."""
        out = ctypes.c_int()
        _check(lib.rl_switch_status(self._board, name.encode(), ctypes.byref(out)), "tripped")
        return bool(out.value)

    @property
    def generation(self) -> int:
        """Bumped by every flip."""
        return int(lib.rl_switchboard_generation(self._board))

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(n == name or n.endswith("/" + name) for n in self.names)


class _Scratch(threading.local):
    """Per-thread output buffer for decisions (grown on demand)."""

    def __init__(self) -> None:
        self.cap = 4096
        self.buf = ctypes.create_string_buffer(self.cap)
        self.len = ctypes.c_size_t()
        self.outcome = ctypes.c_int()
        self.len_ref = ctypes.byref(self.len)
        self.outcome_ref = ctypes.byref(self.outcome)


_scratch = _Scratch()
_decide = lib.rl_decide
_string_at = ctypes.string_at


class Policy:
    """A compiled policy stack: immutable, shared by any number of threads.
    Made by :func:`compile` or :func:`compile_source`."""

    def __init__(self, handle: ctypes.c_void_p, diagnostics: list[Diagnostic]):
        self._h = handle
        self.diagnostics = diagnostics   # the warnings of the compilation
        self._hash = lib.rl_policy_hash(handle).decode()
        self._layers = tuple(lib.rl_policy_layer(handle, i).decode() for i in range(lib.rl_policy_layer_count(handle)))
        self._switch_names = tuple(lib.rl_policy_switch(handle, i).decode() for i in range(lib.rl_policy_switch_count(handle)))
        self.switches = Switches(self)

    def __del__(self) -> None:
        h, self._h = getattr(self, "_h", None), None
        if h and _native is not None and lib is not None:
            lib.rl_policy_free(h)

    @property
    def hash(self) -> str:
        """``"sha256:<hex>"`` over the sources of the compilation."""
        return self._hash

    @property
    def layers(self) -> tuple[str, ...]:
        """The layers of the deciding stack, root first."""
        return self._layers

    def decide(self, request: Mapping[str, Any] | str | bytes, *, approvals: Approvals | None = None) -> Decision:
        """Decides a request (a dict, or its JSON text). Never raises for a
        bad request: it is ``deny`` with ``error`` set. The GIL is released
        while the engine decides."""
        data = request.encode("utf-8", "surrogatepass") if type(request) is str else _request_bytes(request)
        s = _scratch
        status = _decide(self._h, None, approvals._h if approvals is not None else None, data, len(data), s.buf, s.cap,
                         s.len_ref, s.outcome_ref)
        if status == 3:   # RL_ERR_BUFFER_TOO_SMALL: grow, decide again
            s.cap = s.len.value + 1
            s.buf = ctypes.create_string_buffer(s.cap)
            status = _decide(self._h, None, approvals._h if approvals is not None else None, data, len(data), s.buf,
                             s.cap, s.len_ref, s.outcome_ref)
        if status:
            _check(status, "decide")
        return Decision(_string_at(s.buf, s.len.value).decode("utf-8", "replace"), s.outcome.value)

    def decide_many(self, requests: Iterable[Mapping[str, Any] | str | bytes], *,
                    approvals: Approvals | None = None) -> list[Decision]:
        """Decides each request in turn (see :meth:`decide`)."""
        return [self.decide(r, approvals=approvals) for r in requests]

    def explain(self, request: Mapping[str, Any] | str | bytes, *, approvals: Approvals | None = None) -> str:
        """A human-readable account of how the request is decided: the purpose
        dispatch, each attribute read, each candidate rule and why it applied
        or not."""
        data = _request_bytes(request)
        out = ctypes.c_void_p()
        _check(lib.rl_explain(self._h, None, approvals._h if approvals else None, data, len(data), ctypes.byref(out)), "explain")
        return _native.take_string(out) or ""

    def guard(self, purpose: str | None = None, *, context: Mapping[str, Any] | None = None,
              request: Mapping[str, Any] | Callable[..., Mapping[str, Any]] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """A decorator that decides before each call of the function it wraps:
        the request is ``{"purpose": purpose}`` merged with ``context`` and
        with ``request`` (a dict, or a function given the call's arguments
        that returns one). ``allow`` runs the function; ``deny`` raises
        :class:`Denied`; ``require_approval`` and ``escalate`` raise
        :class:`ApprovalRequired`; both carry the decision. Works on
        ``async def`` functions too."""

        def build(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
            req: dict[str, Any] = {}
            if purpose is not None:
                req["purpose"] = purpose
            if context:
                _merge(req, context)
            if request is not None:
                _merge(req, request(*args, **kwargs) if callable(request) else request)
            return req

        def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Decision:
            d = self.decide(build(args, kwargs))
            if d.allowed:
                return d
            if d.outcome in ("require_approval", "escalate"):
                raise ApprovalRequired(d)
            raise Denied(d)

        def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
            if inspect.iscoroutinefunction(fn):
                @functools.wraps(fn)
                async def inner_async(*args: Any, **kwargs: Any) -> Any:
                    check(args, kwargs)
                    return await fn(*args, **kwargs)
                return inner_async

            @functools.wraps(fn)
            def inner(*args: Any, **kwargs: Any) -> Any:
                check(args, kwargs)
                return fn(*args, **kwargs)
            return inner

        return wrap

    def __repr__(self) -> str:
        return f"<redline.Policy {self._hash[:19]} layers={list(self._layers)}>"


def _merge(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    for k, v in more.items():
        if isinstance(v, Mapping) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = dict(v) if isinstance(v, Mapping) else v


def _options(layer: str | None, stdlib: str | None, sources: Mapping[str, str] | None) -> ctypes.c_void_p:
    o = ctypes.c_void_p()
    _check(lib.rl_compile_options_new(ctypes.byref(o)), "compile options")
    try:
        if layer:
            _check(lib.rl_compile_options_set_layer(o, layer.encode()), "layer")
        if stdlib:
            _check(lib.rl_compile_options_set_stdlib(o, str(stdlib).encode()), "stdlib")
        for name, text in (sources or {}).items():
            t = text.encode()
            _check(lib.rl_compile_options_add_source(o, str(name).encode(), t, len(t)), "source")
    except BaseException:
        lib.rl_compile_options_free(o)
        raise
    return o


def _finish(status: int, handle: ctypes.c_void_p, diags: ctypes.c_void_p) -> Policy:
    text = _native.take_string(diags)
    diagnostics = [Diagnostic(d) for d in json.loads(text)] if text else []
    if status == _native.RL_ERR_COMPILE:
        errors = [d for d in diagnostics if d.severity == "error"]
        head = _native.last_error() if not errors else "\n".join(str(d) for d in errors[:5])
        more = f"\n(and {len(errors) - 5} more errors)" if len(errors) > 5 else ""
        raise PolicyError(head + more, diagnostics)
    _check(status, "compile")
    return Policy(handle, [d for d in diagnostics])


def compile(paths: Sequence[str] | str, layer: str | None = None, *, stdlib: str | None = None,
            sources: Mapping[str, str] | None = None) -> Policy:
    """Compiles policy files (and their imports) as one compilation.

    ``layer`` chooses the layer whose stack decides (default: the unique
    most-derived one); ``stdlib`` the stdlib folder (default:
    :func:`default_stdlib`); ``sources`` maps file names to in-memory text,
    consulted before the disk. Raises :class:`PolicyError` with the
    diagnostics when the policies have errors."""
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]  # type: ignore[list-item]
    names = [os.fsencode(p) for p in paths]  # type: ignore[union-attr]
    if not names:
        raise ValueError("compile: no files to compile")
    arr = (ctypes.c_char_p * len(names))(*names)
    o = _options(layer, stdlib, sources)
    h, diags = ctypes.c_void_p(), ctypes.c_void_p()
    try:
        status = lib.rl_compile_files(o, arr, len(names), ctypes.byref(h), ctypes.byref(diags))
    finally:
        lib.rl_compile_options_free(o)
    return _finish(status, h, diags)


def compile_source(text: str, name: str = "<input>", layer: str | None = None, *, stdlib: str | None = None,
                   sources: Mapping[str, str] | None = None) -> Policy:
    """Compiles policy text held in memory, named ``name`` in diagnostics
    (see :func:`compile`)."""
    t = text.encode()
    o = _options(layer, stdlib, sources)
    h, diags = ctypes.c_void_p(), ctypes.c_void_p()
    try:
        status = lib.rl_compile_source(o, name.encode(), t, len(t), ctypes.byref(h), ctypes.byref(diags))
    finally:
        lib.rl_compile_options_free(o)
    return _finish(status, h, diags)
