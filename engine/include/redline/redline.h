/* redline/redline.h — the C API of redline (C99), for every language that is
 * not C++: compile policies once, then decide JSON requests from any thread.
 *
 *   rl_compile_options* o = NULL;
 *   rl_policy* p = NULL;
 *   char* diags = NULL;
 *   rl_compile_options_new(&o);
 *   const char* files[] = {"policy.pol"};
 *   if (rl_compile_files(o, files, 1, &p, &diags) != RL_OK) {
 *     fprintf(stderr, "%s\n", diags ? diags : rl_last_error());
 *   }
 *   rl_string_free(diags);
 *   rl_compile_options_free(o);
 *   char* decision = NULL;
 *   rl_decide_alloc(p, NULL, NULL, "{\"purpose\": \"chat\"}", (size_t)-1, &decision);
 *   puts(decision);                    // the decision JSON, as the C++ Decision::to_json
 *   rl_string_free(decision);
 *   rl_policy_free(p);
 *
 * Conventions, for every function below:
 *
 * Status. Every function that can fail returns an rl_status; RL_OK is 0.
 *   A request that cannot be decided (malformed JSON, unknown purpose, ...)
 *   is NOT a failure: the call returns RL_OK and the decision is `deny` with
 *   its "error" member set, exactly as in the C++ API. No C++ exception ever
 *   crosses this boundary: each function catches everything and turns it into
 *   a status (RL_ERR_NO_MEMORY for std::bad_alloc, RL_ERR_INTERNAL otherwise).
 *   After a failing call, rl_last_error() describes it.
 *
 * Arguments. NULL where a pointer is required gives RL_ERR_INVALID_ARGUMENT,
 *   never a crash. Text is UTF-8. A (text, len) pair whose len is
 *   RL_NUL_TERMINATED ((size_t)-1) is read up to its NUL byte.
 *
 * Ownership. Handles (rl_policy, rl_switchboard, rl_bound, rl_approvals,
 *   rl_compile_options) are made by an rl_*_new / rl_compile_* / rl_bind call
 *   and released by the matching rl_*_free, which accepts NULL. A `char**`
 *   out-parameter receives a library-owned NUL-terminated string the caller
 *   releases with rl_string_free (NULL is stored when there is nothing). A
 *   `const char*` returned by an accessor is borrowed from the handle it came
 *   from and stays valid until that handle is freed. Nothing the caller passes
 *   in is kept after the call returns (paths, texts and options are copied).
 *
 * Caller buffers. Functions taking (char* buf, size_t cap, size_t* len) write
 *   the NUL-terminated result into buf when it fits (cap >= *len + 1) and
 *   return RL_OK; otherwise they write nothing into buf, return
 *   RL_ERR_BUFFER_TOO_SMALL, and still store the needed length (without the
 *   NUL) in *len — call again with a buffer of *len + 1 bytes.
 *
 * Threads. A rl_policy is immutable (its switchboard aside) and may be used
 *   by any number of threads at once. Every rl_switchboard function is safe
 *   from any thread at any time; a flip is seen by the very next decision. An
 *   rl_bound may be decided by many threads at once but freed by one, after
 *   they are done. rl_approvals is immutable. rl_compile_options is a plain
 *   value: one thread at a time. rl_last_error() is per thread.
 *
 * Lifetimes. An rl_switchboard and an rl_bound keep the policy they were made
 *   for alive (reference counted): freeing the policy first is allowed. The
 *   library is the shared library libredline.so.0 (pkg-config redline, or
 *   CMake find_package(redline) and target redline::redline_c).
 */
#ifndef REDLINE_REDLINE_H
#define REDLINE_REDLINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define RL_API __attribute__((visibility("default")))
#else
#define RL_API
#endif

/** Status of a call. Values are stable (part of the ABI). */
typedef enum rl_status {
  RL_OK = 0,
  RL_ERR_INVALID_ARGUMENT = 1,   /**< a required pointer was NULL, a count or option is invalid */
  RL_ERR_COMPILE = 2,            /**< the policies have errors: see the diagnostics JSON */
  RL_ERR_BUFFER_TOO_SMALL = 3,   /**< the caller's buffer is too small: *len holds the needed length */
  RL_ERR_NOT_FOUND = 4,          /**< no such switch, layer or index */
  RL_ERR_BAD_INPUT = 5,          /**< input other than a request is malformed (e.g. approver keys JSON) */
  RL_ERR_NO_MEMORY = 6,          /**< out of memory */
  RL_ERR_INTERNAL = 7            /**< an unexpected failure inside the library (a bug): see rl_last_error */
} rl_status;

/** Decision outcomes, ordered by severity (as the C++ redline::Outcome). */
typedef enum rl_outcome {
  RL_ALLOW = 0,
  RL_REQUIRE_APPROVAL = 1,
  RL_ESCALATE = 2,
  RL_DENY = 3
} rl_outcome;

/** A (text, len) pair whose text is read up to its NUL byte. */
#define RL_NUL_TERMINATED ((size_t)-1)

typedef struct rl_compile_options rl_compile_options;  /**< how to compile */
typedef struct rl_policy rl_policy;                    /**< a compiled policy stack (C++ Program) + its switchboard */
typedef struct rl_switchboard rl_switchboard;          /**< kill-switch state for one policy */
typedef struct rl_bound rl_bound;                      /**< a request bound to one policy (the hot path) */
typedef struct rl_approvals rl_approvals;              /**< how approvals are judged: approver keys, signed demanded */

/* ---- Library ----------------------------------------------------------- */

/** The library version, e.g. "0.1.0". Static storage: never free it. */
RL_API const char* rl_version(void);
/** The ABI version (the shared library's SOVERSION): 0. */
RL_API int rl_abi_version(void);
/** The name of a status ("RL_OK", ...). Static storage. */
RL_API const char* rl_status_string(rl_status status);
/** The name of an outcome ("allow", "require_approval", "escalate", "deny"), or NULL. Static storage. */
RL_API const char* rl_outcome_string(rl_outcome outcome);
/** What the last failing call of this thread said ("" if none). Valid until
 *  this thread's next rl_* call. */
RL_API const char* rl_last_error(void);
/** Releases a library-owned string. NULL is fine. */
RL_API void rl_string_free(char* s);
/** The stdlib folder used when no stdlib root is set: $REDLINE_STDLIB, else
 *  the one installed beside the library (<prefix>/share/redline/stdlib).
 *  Library-owned string into *out. */
RL_API rl_status rl_default_stdlib(char** out);

/* ---- Compiling --------------------------------------------------------- */

/** New, empty compile options (stdlib: the default; layer: the unique most-derived one). */
RL_API rl_status rl_compile_options_new(rl_compile_options** out);
RL_API void rl_compile_options_free(rl_compile_options* options);
/** The `stdlib` folder (NULL or "": the default). Copied. */
RL_API rl_status rl_compile_options_set_stdlib(rl_compile_options* options, const char* path);
/** The layer whose stack decides (NULL or "": the unique most-derived one). Copied. */
RL_API rl_status rl_compile_options_set_layer(rl_compile_options* options, const char* layer);
/** An in-memory file, consulted before the disk under `name` (as imports and
 *  rl_compile_files write it). Copied; a second call with the same name replaces it. */
RL_API rl_status rl_compile_options_add_source(rl_compile_options* options, const char* name, const char* text, size_t len);

/** Compiles the files `paths[0..count)` (and their imports) as one
 *  compilation. `options` may be NULL (defaults). On success stores a new
 *  policy in *out and returns RL_OK; when the policies have errors stores NULL
 *  and returns RL_ERR_COMPILE. Either way, when `diagnostics` is not NULL it
 *  receives the diagnostics (warnings included) as a JSON array (the C++
 *  Diagnostics::to_json: severity, code, message, file, line, column, help,
 *  ...), a library-owned string. */
RL_API rl_status rl_compile_files(const rl_compile_options* options, const char* const* paths, size_t count,
                                  rl_policy** out, char** diagnostics);
/** Compiles policy text held in memory, named `name` in diagnostics (NULL: "<input>"). */
RL_API rl_status rl_compile_source(const rl_compile_options* options, const char* name, const char* text, size_t len,
                                   rl_policy** out, char** diagnostics);

/* ---- A policy ---------------------------------------------------------- */

/** Releases a policy (its switchboard goes with it unless an rl_switchboard
 *  or rl_bound still holds it). NULL is fine. */
RL_API void rl_policy_free(rl_policy* policy);
/** "sha256:<hex>" over the sources of the compilation. Borrowed from the policy. */
RL_API const char* rl_policy_hash(const rl_policy* policy);
/** The number of layers of the deciding stack. */
RL_API size_t rl_policy_layer_count(const rl_policy* policy);
/** Layer `index` (root first), or NULL when out of range. Borrowed. */
RL_API const char* rl_policy_layer(const rl_policy* policy, size_t index);
/** The number of kill switches. */
RL_API size_t rl_policy_switch_count(const rl_policy* policy);
/** The qualified name ("policy/switch") of switch `index`, or NULL. Borrowed. */
RL_API const char* rl_policy_switch(const rl_policy* policy, size_t index);
/** The policy's own switchboard, which decisions use when they are given
 *  none. Borrowed: valid while the policy is. */
RL_API rl_switchboard* rl_policy_switchboard(rl_policy* policy);

/* ---- Kill switches ----------------------------------------------------- */

/** A new, separate switchboard for `policy`'s switches, all reset. It holds a
 *  reference to the policy. Free it with rl_switchboard_free. */
RL_API rl_status rl_switchboard_new(const rl_policy* policy, rl_switchboard** out);
/** Releases a switchboard made by rl_switchboard_new. NULL is fine, and so
 *  is the board of rl_policy_switchboard, which is left alone (its policy
 *  releases it). */
RL_API void rl_switchboard_free(rl_switchboard* board);
/** Trips a switch by qualified or plain name: RL_ERR_NOT_FOUND if no such switch. */
RL_API rl_status rl_switch_trip(rl_switchboard* board, const char* name);
/** Resets a switch: RL_ERR_NOT_FOUND if no such switch. */
RL_API rl_status rl_switch_reset(rl_switchboard* board, const char* name);
/** Whether a switch is tripped: stores 1 or 0 in *tripped; RL_ERR_NOT_FOUND if no such switch. */
RL_API rl_status rl_switch_status(const rl_switchboard* board, const char* name, int* tripped);
/** Bumped by every flip (0 for NULL). */
RL_API uint64_t rl_switchboard_generation(const rl_switchboard* board);

/* ---- Approvals --------------------------------------------------------- */

/** How approvals are judged: `keys_json` is an approvers keys file
 *  (docs/approvals.md; NULL: no keys), `require_signed` demands signed
 *  approvals for every rule. RL_ERR_BAD_INPUT when the keys do not parse. */
RL_API rl_status rl_approvals_new(const char* keys_json, size_t len, int require_signed, rl_approvals** out);
RL_API void rl_approvals_free(rl_approvals* approvals);

/* ---- Deciding ---------------------------------------------------------- */
/* In each call, `board` NULL means the policy's own switchboard and
 * `approvals` NULL means no keys, nothing demanded. The decision JSON is the
 * C++ Decision::to_json() on one line (docs/language.md §12). */

/** Decides a JSON request into the caller's buffer (see "Caller buffers").
 *  `outcome` may be NULL. */
RL_API rl_status rl_decide(const rl_policy* policy, const rl_switchboard* board, const rl_approvals* approvals,
                           const char* request, size_t request_len, char* buf, size_t cap, size_t* len,
                           rl_outcome* outcome);
/** Decides a JSON request into a library-owned string. `outcome` may be NULL. */
RL_API rl_status rl_decide_alloc(const rl_policy* policy, const rl_switchboard* board, const rl_approvals* approvals,
                                 const char* request, size_t request_len, char** decision, rl_outcome* outcome);
/** Decides a JSON request and gives only its outcome (no JSON is written). */
RL_API rl_status rl_decide_outcome(const rl_policy* policy, const rl_switchboard* board, const rl_approvals* approvals,
                                   const char* request, size_t request_len, rl_outcome* outcome);
/** A human-readable account of how a request is decided (C++ Program::explain). */
RL_API rl_status rl_explain(const rl_policy* policy, const rl_switchboard* board, const rl_approvals* approvals,
                            const char* request, size_t request_len, char** text);

/* ---- The hot path: bind once, decide many times ------------------------ */

/** Parses and binds a JSON request to `policy` (approvals are judged now).
 *  A request that cannot be decided still gives a bound request (RL_OK)
 *  whose decisions are `deny` with the error. Holds a reference to the policy. */
RL_API rl_status rl_bind(const rl_policy* policy, const rl_approvals* approvals, const char* request, size_t request_len,
                         rl_bound** out);
RL_API void rl_bound_free(rl_bound* bound);
/** Decides a bound request: its outcome only, no allocation (a per-thread
 *  decision buffer is reused). `board` NULL: the policy's own. */
RL_API rl_status rl_bound_decide_outcome(const rl_bound* bound, const rl_switchboard* board, rl_outcome* outcome);
/** Decides a bound request into the caller's buffer (see "Caller buffers"). */
RL_API rl_status rl_bound_decide(const rl_bound* bound, const rl_switchboard* board, char* buf, size_t cap, size_t* len,
                                 rl_outcome* outcome);

#ifdef __cplusplus
}
#endif

#endif /* REDLINE_REDLINE_H */
