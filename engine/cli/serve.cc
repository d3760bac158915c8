// cli/serve.cc — `redline serve`: the decision service (engine/server,
// docs/serve.md). Compiles the policies, opens the state folder, listens, and
// prints `listening on HOST:PORT` on stdout once it accepts connections (so a
// supervisor or a test can use port 0 and read the port back).
#include <iostream>

#include "cli/cli.h"
#include "audit/log.h"
#include "server/config.h"
#include "server/server.h"
#include "state/state_dir.h"

namespace redline::cli {
namespace {

const char* kHelp =
    "usage: redline serve [options] FILE.pol...\n"
    "\n"
    "Serves decisions over HTTP/1.1 (keep-alive): POST /v1/decide, POST /v1/decide/batch,\n"
    "POST /access/v1/evaluation(s) (AuthZEN), GET /v1/policy, GET /v1/switches,\n"
    "POST /v1/switches/NAME/trip|reset, GET /v1/audit/checkpoint, GET /v1/audit/proof/SEQ,\n"
    "GET /healthz, GET /metrics. See docs/serve.md.\n"
    "\n"
    "  --listen HOST:PORT  where to listen (default 127.0.0.1:8181; port 0 picks a free port)\n"
    "  --state DIR         audit every decision and switch flip in DIR, and honour its switches\n"
    "  --witness FILE      with --state: also append every signed checkpoint to FILE (outside DIR);\n"
    "                      start refuses a log that no longer matches what FILE holds\n"
    "  --config FILE       JSON config: tokens, which endpoints need them, limits, timeouts\n"
    "  --threads N         event loops (default: one per core)\n"
    "  --keys FILE         approver keys (docs/approvals.md): signed approvals are verified;\n"
    "                      re-read with every reload\n"
    "  --require-signed    count only signed approvals, for every rule\n"
    "  --layer NAME        the layer whose stack decides\n"
    "  --stdlib DIR        the stdlib folder\n"
    "\n"
    "SIGHUP (or a changed policy file) reloads the policy: a version that does not compile or\n"
    "whose assertions fail is refused and the serving one stays. SIGTERM or SIGINT drains:\n"
    "no new connections, in-flight requests are answered, then the process exits 0.\n"
    "\n"
    "Exit status: 0 after a drain; 1 when the policy does not compile or the address, state\n"
    "folder or config cannot be used; 2 on usage errors.\n";

}  // namespace

int cmd_serve(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {"listen", "state", "config", "threads", "layer", "stdlib", "keys", "witness"}, {"require-signed"}, "serve");
  if (!args) return 2;
  if (args->has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (args->positional.empty()) {
    std::cerr << "redline serve: no policy files given\n" << kHelp;
    return 2;
  }
  server::ServeConfig config;
  std::string error;
  if (args->has("config")) {
    auto text = state::read_file(args->get("config"));
    if (!text) {
      std::cerr << "redline serve: cannot read the config `" << args->get("config") << "`\n";
      return 1;
    }
    if (!server::parse_config(*text, config, error)) {
      std::cerr << "redline serve: " << args->get("config") << ": " << error << '\n';
      return 1;
    }
  }
  if (args->has("listen") && !server::parse_listen(args->get("listen"), config.host, config.port, error)) {
    std::cerr << "redline serve: " << error << '\n';
    return 2;
  }
  if (args->has("threads")) {
    try {
      int n = std::stoi(args->get("threads"));
      if (n < 1 || n > 256) throw std::out_of_range("threads");
      config.threads = static_cast<unsigned>(n);
    } catch (const std::exception&) {
      std::cerr << "redline serve: --threads must be a number from 1 to 256\n";
      return 2;
    }
  }
  // Governance endpoints always need a token; say so when there is none to give.
  if (config.tokens.empty()) std::cerr << "redline serve: note: no tokens configured (--config); governance endpoints refuse every call\n";

  if (!config.webhooks.empty() && !args->has("state"))
    std::cerr << "redline serve: note: webhooks are configured but there is no --state folder, so no case opens and none is sent\n";

  CompileOptions opts;
  opts.layer = args->get("layer");
  opts.stdlib_root = args->get("stdlib", stdlib_root());
  server::PolicyHost host(args->positional, opts);
  host.add_mask(config.mask);
  host.set_strict(config.strict_audit);
  host.set_approvals(args->get("keys"), args->has("require-signed"));
  audit::LogOptions log_options;
  if (!config.audit_durability.empty()) log_options.level = *audit::durability_from_string(config.audit_durability);
  log_options.witness = args->get("witness");
  if (config.audit_segment_mb) log_options.segment_bytes = *config.audit_segment_mb << 20;
  // A long-running service starts from the stored frontier: start no longer
  // grows with the log; the older records are checked by a thread meanwhile.
  log_options.resume_from_frontier = true;
  if (args->has("state") && !host.open_state(args->get("state"), error, log_options)) {
    std::cerr << "redline serve: " << error << '\n';
    return 1;
  }
  server::ReloadReport first = host.reload("start");
  if (!first.ok) {
    std::cerr << first.message;
    return 1;
  }
  server::Metrics metrics;
  server::Service service(config, host, metrics);
  server::Server srv(config, host, metrics, service);
  if (!srv.listen(error)) {
    std::cerr << "redline serve: " << error << '\n';
    return 1;
  }
  service.start_case_scheduler();
  service.start_webhooks();
  std::cout << "listening on " << srv.bound_address() << std::endl;
  return srv.run();
}

}  // namespace redline::cli
