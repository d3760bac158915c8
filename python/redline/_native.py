"""The C API of libredline.so.0 (redline/redline.h), declared for ctypes.

ctypes.CDLL releases the GIL around every foreign call, so deciding runs
without the GIL. Which library is loaded, first match wins:

1. ``$REDLINE_LIBRARY`` (a path to libredline.so.0, e.g. a build tree's);
2. ``libredline.so.0`` inside this package (what a wheel or ``pip install``
   puts there);
3. ``libredline.so.0`` found by the dynamic loader (an installed prefix).
"""
from __future__ import annotations

import ctypes
import os
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_uint64, c_void_p

RL_OK = 0
RL_ERR_INVALID_ARGUMENT = 1
RL_ERR_COMPILE = 2
RL_ERR_BUFFER_TOO_SMALL = 3
RL_ERR_NOT_FOUND = 4
RL_ERR_BAD_INPUT = 5
RL_ERR_NO_MEMORY = 6
RL_ERR_INTERNAL = 7
RL_NUL_TERMINATED = ctypes.c_size_t(-1).value

OUTCOMES = ("allow", "require_approval", "escalate", "deny")


def _load() -> ctypes.CDLL:
    candidates = []
    env = os.environ.get("REDLINE_LIBRARY")
    if env:
        candidates.append(env)
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libredline.so.0")
    if os.path.exists(here):
        candidates.append(here)
    candidates.append("libredline.so.0")
    errors = []
    for c in candidates:
        try:
            return ctypes.CDLL(c)
        except OSError as e:  # try the next one
            errors.append(f"{c}: {e}")
    raise ImportError("redline: cannot load libredline.so.0 (" + "; ".join(errors) + "); set REDLINE_LIBRARY")


lib = _load()
library_path = getattr(lib, "_name", "libredline.so.0")

_status = c_int
_p = c_void_p
_pp = POINTER(c_void_p)
_out_str = POINTER(c_void_p)   # char** received as void* so that we can free it


def _declare(name: str, restype, *argtypes) -> None:
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_declare("rl_version", c_char_p)
_declare("rl_abi_version", c_int)
_declare("rl_status_string", c_char_p, c_int)
_declare("rl_last_error", c_char_p)
_declare("rl_string_free", None, c_void_p)
_declare("rl_default_stdlib", _status, _out_str)
_declare("rl_compile_options_new", _status, _pp)
_declare("rl_compile_options_free", None, _p)
_declare("rl_compile_options_set_stdlib", _status, _p, c_char_p)
_declare("rl_compile_options_set_layer", _status, _p, c_char_p)
_declare("rl_compile_options_add_source", _status, _p, c_char_p, c_char_p, c_size_t)
_declare("rl_compile_files", _status, _p, POINTER(c_char_p), c_size_t, _pp, _out_str)
_declare("rl_compile_source", _status, _p, c_char_p, c_char_p, c_size_t, _pp, _out_str)
_declare("rl_policy_free", None, _p)
_declare("rl_policy_hash", c_char_p, _p)
_declare("rl_policy_layer_count", c_size_t, _p)
_declare("rl_policy_layer", c_char_p, _p, c_size_t)
_declare("rl_policy_switch_count", c_size_t, _p)
_declare("rl_policy_switch", c_char_p, _p, c_size_t)
_declare("rl_policy_switchboard", _p, _p)
_declare("rl_switch_trip", _status, _p, c_char_p)
_declare("rl_switch_reset", _status, _p, c_char_p)
_declare("rl_switch_status", _status, _p, c_char_p, POINTER(c_int))
_declare("rl_switchboard_generation", c_uint64, _p)
_declare("rl_approvals_new", _status, c_char_p, c_size_t, c_int, _pp)
_declare("rl_approvals_free", None, _p)
_declare("rl_decide", _status, _p, _p, _p, c_char_p, c_size_t, c_void_p, c_size_t, POINTER(c_size_t), POINTER(c_int))
_declare("rl_decide_alloc", _status, _p, _p, _p, c_char_p, c_size_t, _out_str, POINTER(c_int))
_declare("rl_decide_outcome", _status, _p, _p, _p, c_char_p, c_size_t, POINTER(c_int))
_declare("rl_explain", _status, _p, _p, _p, c_char_p, c_size_t, _out_str)


def last_error() -> str:
    return lib.rl_last_error().decode("utf-8", "replace")


def take_string(p: c_void_p) -> str | None:
    """Copies a library-owned string out and frees it."""
    if not p.value:
        return None
    try:
        return ctypes.string_at(p.value).decode("utf-8", "replace")
    finally:
        lib.rl_string_free(p)
