// capi/capi.cc — the C API of redline/redline.h, on the C++ public API
// (redline/engine.h) only. Every entry point catches everything: no C++
// exception crosses into C.
#include "redline/redline.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "redline/engine.h"

struct rl_compile_options {
  redline::CompileOptions options;
};

struct rl_switchboard {
  std::shared_ptr<const redline::Program> program;
  std::unique_ptr<redline::SwitchBoard> board;
  bool owned_by_policy = false;   ///< the board of rl_policy_switchboard: rl_switchboard_free leaves it alone
};

namespace {

// What a policy handle, its own switchboard and its bound requests share.
struct PolicyCore {
  std::shared_ptr<const redline::Program> program;
  rl_switchboard own;
};

}  // namespace

struct rl_policy {
  std::shared_ptr<PolicyCore> core;
};

struct rl_bound {
  std::shared_ptr<PolicyCore> core;
  redline::BoundRequest bound;
};

struct rl_approvals {
  redline::ApprovalOptions options;
};

namespace {

thread_local std::string last_error;

rl_status fail(rl_status status, std::string message) {
  try {
    last_error = std::move(message);
  } catch (...) {
    // the status says enough
  }
  return status;
}

// Runs `body`, turning every exception into a status.
template <class F>
rl_status guarded(const char* what, F&& body) noexcept {
  try {
    last_error.clear();
    return body();
  } catch (const std::bad_alloc&) {
    return fail(RL_ERR_NO_MEMORY, std::string(what) + ": out of memory");
  } catch (const std::exception& e) {
    return fail(RL_ERR_INTERNAL, std::string(what) + ": " + e.what());
  } catch (...) {
    return fail(RL_ERR_INTERNAL, std::string(what) + ": unknown failure");
  }
}

rl_status invalid(const char* message) { return fail(RL_ERR_INVALID_ARGUMENT, message); }

std::string_view text_of(const char* text, std::size_t len) {
  return len == RL_NUL_TERMINATED ? std::string_view(text) : std::string_view(text, len);
}

// A library-owned copy of `s` (malloc, released by rl_string_free).
char* owned(std::string_view s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

rl_status to_buffer(std::string_view s, char* buf, std::size_t cap, std::size_t* len) {
  *len = s.size();
  if (!buf || cap < s.size() + 1) return fail(RL_ERR_BUFFER_TOO_SMALL, "the buffer is too small: " + std::to_string(s.size() + 1) + " bytes needed");
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return RL_OK;
}

rl_status compile(const rl_compile_options* options, const std::vector<std::string>& paths, const std::string* source_name,
                  std::string_view source, rl_policy** out, char** diagnostics) {
  redline::CompileOptions opts = options ? options->options : redline::CompileOptions{};
  redline::CompileResult r = source_name ? redline::compile_source(source, *source_name, opts) : redline::compile_files(paths, opts);
  if (diagnostics) *diagnostics = owned(r.diagnostics.to_json());
  if (!r.ok()) {
    std::string first = "the policies have errors";
    for (const auto& d : r.diagnostics.items)
      if (d.severity == redline::Severity::error) {
        first = redline::render(d);
        while (!first.empty() && first.back() == '\n') first.pop_back();
        break;
      }
    return fail(RL_ERR_COMPILE, first);
  }
  auto core = std::make_shared<PolicyCore>();
  core->program = r.program;
  core->own.program = r.program;
  core->own.board = r.program->make_switchboard();
  core->own.owned_by_policy = true;
  *out = new rl_policy{std::move(core)};
  return RL_OK;
}

// The options of one call, checked against the policy.
bool options_for(const PolicyCore& core, const rl_switchboard* board, const rl_approvals* approvals, redline::EvalOptions& o) {
  if (board && board->program != core.program) return false;
  o.switches = (board ? board : &core.own)->board.get();
  o.approvals = approvals ? &approvals->options : nullptr;
  return true;
}

constexpr const char* kForeignBoard = "the switchboard was made for another policy";

rl_outcome outcome_of(redline::Outcome o) { return static_cast<rl_outcome>(static_cast<int>(o)); }

// One Decision per thread for the calls that only need the outcome or copy the JSON out.
redline::Decision& scratch() {
  thread_local redline::Decision d;
  return d;
}

}  // namespace

extern "C" {

const char* rl_version(void) { return redline::version(); }

int rl_abi_version(void) { return 0; }

const char* rl_status_string(rl_status status) {
  switch (status) {
    case RL_OK: return "RL_OK";
    case RL_ERR_INVALID_ARGUMENT: return "RL_ERR_INVALID_ARGUMENT";
    case RL_ERR_COMPILE: return "RL_ERR_COMPILE";
    case RL_ERR_BUFFER_TOO_SMALL: return "RL_ERR_BUFFER_TOO_SMALL";
    case RL_ERR_NOT_FOUND: return "RL_ERR_NOT_FOUND";
    case RL_ERR_BAD_INPUT: return "RL_ERR_BAD_INPUT";
    case RL_ERR_NO_MEMORY: return "RL_ERR_NO_MEMORY";
    case RL_ERR_INTERNAL: return "RL_ERR_INTERNAL";
  }
  return "RL_ERR_UNKNOWN";
}

const char* rl_outcome_string(rl_outcome outcome) {
  switch (outcome) {
    case RL_ALLOW: return "allow";
    case RL_REQUIRE_APPROVAL: return "require_approval";
    case RL_ESCALATE: return "escalate";
    case RL_DENY: return "deny";
  }
  return nullptr;
}

const char* rl_last_error(void) { return last_error.c_str(); }

void rl_string_free(char* s) { std::free(s); }

rl_status rl_default_stdlib(char** out) {
  return guarded("rl_default_stdlib", [&] {
    if (!out) return invalid("rl_default_stdlib: out is NULL");
    *out = owned(redline::default_stdlib_root());
    return RL_OK;
  });
}

rl_status rl_compile_options_new(rl_compile_options** out) {
  return guarded("rl_compile_options_new", [&] {
    if (!out) return invalid("rl_compile_options_new: out is NULL");
    *out = new rl_compile_options{};
    return RL_OK;
  });
}

void rl_compile_options_free(rl_compile_options* options) { delete options; }

rl_status rl_compile_options_set_stdlib(rl_compile_options* options, const char* path) {
  return guarded("rl_compile_options_set_stdlib", [&] {
    if (!options) return invalid("rl_compile_options_set_stdlib: options is NULL");
    options->options.stdlib_root = path ? path : "";
    return RL_OK;
  });
}

rl_status rl_compile_options_set_layer(rl_compile_options* options, const char* layer) {
  return guarded("rl_compile_options_set_layer", [&] {
    if (!options) return invalid("rl_compile_options_set_layer: options is NULL");
    options->options.layer = layer ? layer : "";
    return RL_OK;
  });
}

rl_status rl_compile_options_add_source(rl_compile_options* options, const char* name, const char* text, size_t len) {
  return guarded("rl_compile_options_add_source", [&] {
    if (!options || !name || !text) return invalid("rl_compile_options_add_source: options, name and text must not be NULL");
    if (!*name) return invalid("rl_compile_options_add_source: the name is empty");
    options->options.files[name] = std::string(text_of(text, len));
    return RL_OK;
  });
}

rl_status rl_compile_files(const rl_compile_options* options, const char* const* paths, size_t count, rl_policy** out,
                           char** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (out) *out = nullptr;
  return guarded("rl_compile_files", [&] {
    if (!out) return invalid("rl_compile_files: out is NULL");
    if (count == 0 || !paths) return invalid("rl_compile_files: no files to compile");
    std::vector<std::string> list;
    for (size_t i = 0; i < count; ++i) {
      if (!paths[i]) return invalid("rl_compile_files: a path is NULL");
      list.emplace_back(paths[i]);
    }
    return compile(options, list, nullptr, {}, out, diagnostics);
  });
}

rl_status rl_compile_source(const rl_compile_options* options, const char* name, const char* text, size_t len, rl_policy** out,
                            char** diagnostics) {
  if (diagnostics) *diagnostics = nullptr;
  if (out) *out = nullptr;
  return guarded("rl_compile_source", [&] {
    if (!out || !text) return invalid("rl_compile_source: out and text must not be NULL");
    std::string n = name && *name ? name : "<input>";
    return compile(options, {}, &n, text_of(text, len), out, diagnostics);
  });
}

void rl_policy_free(rl_policy* policy) { delete policy; }

const char* rl_policy_hash(const rl_policy* policy) { return policy ? policy->core->program->hash().c_str() : nullptr; }

size_t rl_policy_layer_count(const rl_policy* policy) { return policy ? policy->core->program->layers().size() : 0; }

const char* rl_policy_layer(const rl_policy* policy, size_t index) {
  if (!policy || index >= policy->core->program->layers().size()) return nullptr;
  return policy->core->program->layers()[index].c_str();
}

size_t rl_policy_switch_count(const rl_policy* policy) { return policy ? policy->core->program->switch_names().size() : 0; }

const char* rl_policy_switch(const rl_policy* policy, size_t index) {
  if (!policy || index >= policy->core->program->switch_names().size()) return nullptr;
  return policy->core->program->switch_names()[index].c_str();
}

rl_switchboard* rl_policy_switchboard(rl_policy* policy) { return policy ? &policy->core->own : nullptr; }

rl_status rl_switchboard_new(const rl_policy* policy, rl_switchboard** out) {
  return guarded("rl_switchboard_new", [&] {
    if (!policy || !out) return invalid("rl_switchboard_new: policy and out must not be NULL");
    *out = new rl_switchboard{policy->core->program, policy->core->program->make_switchboard()};
    return RL_OK;
  });
}

void rl_switchboard_free(rl_switchboard* board) {
  if (board && !board->owned_by_policy) delete board;
}

rl_status rl_switch_trip(rl_switchboard* board, const char* name) {
  return guarded("rl_switch_trip", [&] {
    if (!board || !name) return invalid("rl_switch_trip: board and name must not be NULL");
    if (!board->board->trip(name)) return fail(RL_ERR_NOT_FOUND, std::string("no kill switch named `") + name + "`");
    return RL_OK;
  });
}

rl_status rl_switch_reset(rl_switchboard* board, const char* name) {
  return guarded("rl_switch_reset", [&] {
    if (!board || !name) return invalid("rl_switch_reset: board and name must not be NULL");
    if (!board->board->reset(name)) return fail(RL_ERR_NOT_FOUND, std::string("no kill switch named `") + name + "`");
    return RL_OK;
  });
}

rl_status rl_switch_status(const rl_switchboard* board, const char* name, int* tripped) {
  return guarded("rl_switch_status", [&] {
    if (!board || !name || !tripped) return invalid("rl_switch_status: board, name and tripped must not be NULL");
    std::string_view wanted(name);
    const auto& names = board->board->names();
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string& q = names[i];
      bool match = q == wanted || (q.size() > wanted.size() && q.ends_with(wanted) && q[q.size() - wanted.size() - 1] == '/');
      if (match) {
        *tripped = board->board->tripped(i) ? 1 : 0;
        return RL_OK;
      }
    }
    return fail(RL_ERR_NOT_FOUND, std::string("no kill switch named `") + name + "`");
  });
}

uint64_t rl_switchboard_generation(const rl_switchboard* board) { return board ? board->board->generation() : 0; }

rl_status rl_approvals_new(const char* keys_json, size_t len, int require_signed, rl_approvals** out) {
  return guarded("rl_approvals_new", [&] {
    if (!out) return invalid("rl_approvals_new: out is NULL");
    *out = nullptr;
    auto a = std::make_unique<rl_approvals>();
    a->options.require_signed = require_signed != 0;
    if (keys_json) {
      std::string error;
      a->options.keys = redline::ApproverKeys::parse(text_of(keys_json, len), error);
      if (!a->options.keys) return fail(RL_ERR_BAD_INPUT, "approver keys: " + error);
    }
    *out = a.release();
    return RL_OK;
  });
}

void rl_approvals_free(rl_approvals* approvals) { delete approvals; }

// Decides `request` into this thread's scratch Decision (the body every
// rl_decide* shares); null when `board` belongs to another policy.
static redline::Decision* decide_scratch(const rl_policy& policy, const rl_switchboard* board, const rl_approvals* approvals,
                                         const char* request, size_t request_len) {
  redline::EvalOptions o;
  if (!options_for(*policy.core, board, approvals, o)) return nullptr;
  const redline::Program& p = *policy.core->program;
  redline::Decision& d = scratch();
  p.evaluate(p.bind_json(text_of(request, request_len), o), d, o);
  return &d;
}

rl_status rl_decide(const rl_policy* policy, const rl_switchboard* board, const rl_approvals* approvals, const char* request,
                    size_t request_len, char* buf, size_t cap, size_t* len, rl_outcome* outcome) {
  return guarded("rl_decide", [&] {
    if (!policy || !request || !len) return invalid("rl_decide: policy, request and len must not be NULL");
    redline::Decision* decided = decide_scratch(*policy, board, approvals, request, request_len);
    if (!decided) return invalid(kForeignBoard);
    redline::Decision& d = *decided;
    if (outcome) *outcome = outcome_of(d.outcome());
    return to_buffer(d.to_json(), buf, cap, len);
  });
}

rl_status rl_decide_alloc(const rl_policy* policy, const rl_switchboard* board, const rl_approvals* approvals,
                          const char* request, size_t request_len, char** decision, rl_outcome* outcome) {
  if (decision) *decision = nullptr;
  return guarded("rl_decide_alloc", [&] {
    if (!policy || !request || !decision) return invalid("rl_decide_alloc: policy, request and decision must not be NULL");
    redline::Decision* decided = decide_scratch(*policy, board, approvals, request, request_len);
    if (!decided) return invalid(kForeignBoard);
    redline::Decision& d = *decided;
    if (outcome) *outcome = outcome_of(d.outcome());
    *decision = owned(d.to_json());
    return RL_OK;
  });
}

rl_status rl_decide_outcome(const rl_policy* policy, const rl_switchboard* board, const rl_approvals* approvals,
                            const char* request, size_t request_len, rl_outcome* outcome) {
  return guarded("rl_decide_outcome", [&] {
    if (!policy || !request || !outcome) return invalid("rl_decide_outcome: policy, request and outcome must not be NULL");
    redline::Decision* decided = decide_scratch(*policy, board, approvals, request, request_len);
    if (!decided) return invalid(kForeignBoard);
    redline::Decision& d = *decided;
    *outcome = outcome_of(d.outcome());
    return RL_OK;
  });
}

rl_status rl_explain(const rl_policy* policy, const rl_switchboard* board, const rl_approvals* approvals, const char* request,
                     size_t request_len, char** text) {
  if (text) *text = nullptr;
  return guarded("rl_explain", [&] {
    if (!policy || !request || !text) return invalid("rl_explain: policy, request and text must not be NULL");
    redline::EvalOptions o;
    if (!options_for(*policy->core, board, approvals, o)) return invalid(kForeignBoard);
    *text = owned(policy->core->program->explain(redline::Request::from_json(text_of(request, request_len)), o));
    return RL_OK;
  });
}

rl_status rl_bind(const rl_policy* policy, const rl_approvals* approvals, const char* request, size_t request_len, rl_bound** out) {
  if (out) *out = nullptr;
  return guarded("rl_bind", [&] {
    if (!policy || !request || !out) return invalid("rl_bind: policy, request and out must not be NULL");
    redline::EvalOptions o;
    o.approvals = approvals ? &approvals->options : nullptr;
    auto b = std::make_unique<rl_bound>();
    b->core = policy->core;
    b->bound = policy->core->program->bind_json(text_of(request, request_len), o);
    *out = b.release();
    return RL_OK;
  });
}

void rl_bound_free(rl_bound* bound) { delete bound; }

rl_status rl_bound_decide_outcome(const rl_bound* bound, const rl_switchboard* board, rl_outcome* outcome) {
  return guarded("rl_bound_decide_outcome", [&] {
    if (!bound || !outcome) return invalid("rl_bound_decide_outcome: bound and outcome must not be NULL");
    redline::EvalOptions o;
    if (!options_for(*bound->core, board, nullptr, o)) return invalid(kForeignBoard);
    redline::Decision& d = scratch();
    bound->core->program->evaluate(bound->bound, d, o);
    *outcome = outcome_of(d.outcome());
    return RL_OK;
  });
}

rl_status rl_bound_decide(const rl_bound* bound, const rl_switchboard* board, char* buf, size_t cap, size_t* len, rl_outcome* outcome) {
  return guarded("rl_bound_decide", [&] {
    if (!bound || !len) return invalid("rl_bound_decide: bound and len must not be NULL");
    redline::EvalOptions o;
    if (!options_for(*bound->core, board, nullptr, o)) return invalid(kForeignBoard);
    redline::Decision& d = scratch();
    bound->core->program->evaluate(bound->bound, d, o);
    if (outcome) *outcome = outcome_of(d.outcome());
    return to_buffer(d.to_json(), buf, cap, len);
  });
}

}  // extern "C"
