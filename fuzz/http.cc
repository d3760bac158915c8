// fuzz/http.cc — the decision service's HTTP front on arbitrary bytes: the
// RFC 9112 parser (engine/server/http.cc) and the endpoints behind it
// (server/service.cc, in process, no sockets). Invariants: the parser never
// reads past its input and is prefix-consistent (a request found complete in
// a prefix is the request found in the whole); limits hold; every response
// has a real status and a JSON body, and a decision endpoint's body always
// carries a `decision` (fail closed), `deny` unless the status is 200; on an
// AuthZEN path (/access/v1...) — errors and malformed HTTP included — that
// `decision` is a JSON boolean, `false` unless the status is 200.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz_support.h"
#include "server/authzen.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/policy_host.h"
#include "server/service.h"

using namespace redline;
using namespace redline::server;

namespace {

struct World {
  ServeConfig config;
  std::unique_ptr<PolicyHost> host;
  Metrics metrics;
  std::unique_ptr<Service> service;
  std::unique_ptr<Scratch> scratch;
};

World& world() {
  static World* w = [] {
    auto* x = new World;
    // A token so governance endpoints can be reached: "fuzz-token-0123456789".
    std::string error;
    parse_config(R"({"decisions":"open","tokens":[{"token":"fuzz-token-0123456789","actor":"f","roles":["safety"]}],
                     "limits":{"max_body_bytes":65536,"max_header_bytes":4096,"max_batch":8}})",
                 x->config, error);
    std::string dir = std::filesystem::temp_directory_path() / ("redline-fuzz-http-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/p.pol") << "purposes { weapons { targeting engagement } intel { bulk } chat }\n"
                                     "context { actor.role: enum { analyst, safety } }\n"
                                     "policy \"f\" { default allow\n"
                                     "  rule r1: prohibit weapons.engagement when actor.role == analyst;\n"
                                     "  rule r2: require approval intel.bulk by safety within 1h;\n"
                                     "  kill_switch stop covers weapons owner safety;\n}\n";
    CompileOptions opts;
    opts.stdlib_root = fuzz::stdlib_root();
    x->host = std::make_unique<PolicyHost>(std::vector<std::string>{dir + "/p.pol"}, opts);
    if (!x->host->reload("start").ok) fuzz::fail("the fuzz policy does not compile");
    x->service = std::make_unique<Service>(x->config, *x->host, x->metrics);
    x->scratch = std::make_unique<Scratch>(*x->host);
    return x;
  }();
  return *w;
}

bool decision_path(std::string_view p) { return p == "/v1/decide" || p == "/v1/decide/batch" || p.starts_with("/access/v1/"); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Switch flips are governance, fine to fuzz, but a tripped switch must not
  // leak into the next input: reset the board first.
  for (const auto& name : w.host->current()->board->names()) w.host->current()->board->reset(name);
  std::size_t offset = 0;
  for (int i = 0; i < 8 && offset < input.size(); ++i) {
    std::string_view rest = input.substr(offset);
    HttpRequest req;
    ParseResult r = parse_request(rest, w.config.http, req);
    if (r.status == ParseStatus::Incomplete) break;
    Response resp;
    if (r.status == ParseStatus::Error) {
      fuzz::check(r.http_status >= 400 && r.http_status < 600, "error status outside 4xx/5xx", rest);
      w.service->bad_http(r.http_status, r.error, resp, rest);
      auto j = nlohmann::json::parse(resp.body, nullptr, false);
      fuzz::check(j.is_object() && j.contains("decision"), "bad HTTP answered without a decision", rest);
      if (classify_raw_request(rest) == RawPath::Other) fuzz::check(j["decision"] == "deny", "bad HTTP not denied", rest);
      else fuzz::check(j["decision"] == false, "bad HTTP on an AuthZEN path not a boolean false", rest);
      break;
    }
    fuzz::check(r.consumed > 0 && r.consumed <= rest.size(), "consumed out of range", rest);
    fuzz::check(req.body.size() <= w.config.http.max_body_bytes, "body over the limit", rest);
    // Prefix consistency: a shorter prefix is never a different complete request.
    std::size_t cut = r.consumed > 1 ? r.consumed / 2 : 0;
    HttpRequest half;
    ParseResult h = parse_request(rest.substr(0, cut), w.config.http, half);
    fuzz::check(h.status != ParseStatus::Complete, "a prefix parsed as a complete request", rest);
    // The endpoint.
    bool decision = decision_path(req.path());
    w.service->handle(req, "fuzz", *w.scratch, resp);
    fuzz::check(resp.status >= 200 && resp.status < 600, "response status out of range", rest);
    if (is_authzen_path(req.path())) fuzz::check(resp.content_type == "application/json", "an AuthZEN answer that is not JSON", rest);
    if (resp.content_type == "application/json") {
      auto j = nlohmann::json::parse(resp.body, nullptr, false);
      fuzz::check(!j.is_discarded(), "response body is not JSON", rest);
      if (is_authzen_path(req.path())) {
        bool boolean = j.is_object() && j.contains("decision") && j["decision"].is_boolean();
        fuzz::check(boolean, "an AuthZEN answer without a boolean decision", rest);
        if (boolean && resp.status != 200) fuzz::check(j["decision"] == false, "a refused AuthZEN request was not false", rest);
      }
      if (decision && req.path() == "/v1/decide") {
        fuzz::check(j.contains("decision"), "a decision endpoint answered without a decision", rest);
        if (resp.status != 200) fuzz::check(j["decision"] == "deny", "a refused request was not denied", rest);
      }
    }
    std::string wire;
    write_response(wire, resp.status, resp.content_type, resp.body, req.keep_alive, resp.headers);
    fuzz::check(wire.size() > resp.body.size(), "response framing", rest);
    offset += r.consumed;
  }
  return 0;
}
