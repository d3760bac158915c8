/* tests/capi/abi_test.c — the C API as a C99 application meets it: compiled
 * with `-std=c99 -Wall -Werror` against redline/redline.h and linked against
 * libredline.so.0. Run by ctest against the build tree (capi_abi) and by
 * scripts/test-install.sh against the installed header and library (through
 * pkg-config and through find_package).
 *
 * Usage: abi_test [EXPECTED_STDLIB_DIR]
 * With an argument, the library's default stdlib must be that folder (the
 * installed <prefix>/share/redline/stdlib, found from the library's path) and
 * a policy importing the stdlib must compile without any stdlib option. */
#define _XOPEN_SOURCE 700 /* realpath, PATH_MAX */
#include <redline/redline.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, \
              __LINE__, #cond, rl_last_error());                            \
      ++failures;                                                           \
    }                                                                       \
  } while (0)

static const char* kPolicy =
    "purposes {\n"
    "  chat\n"
    "  weapons { targeting engagement }\n"
    "}\n"
    "context { actor.role: enum { analyst, safety } }\n"
    "policy \"demo\" {\n"
    "  default deny\n"
    "  rule talk: permit chat oblige log_chat;\n"
    "  rule aim: require approval weapons.targeting by safety;\n"
    "  rule no_engage: prohibit weapons.engagement because \"Never.\";\n"
    "  kill_switch chat_stop covers chat;\n"
    "}\n";

static int contains(const char* haystack, const char* needle) { return haystack && strstr(haystack, needle) != NULL; }

int main(int argc, char** argv) {
  rl_compile_options* options = NULL;
  rl_policy* policy = NULL;
  char* diagnostics = NULL;
  char* decision = NULL;
  rl_outcome outcome = RL_DENY;
  char small[8];
  char big[4096];
  size_t len = 0;
  int tripped = -1;

  CHECK(strcmp(rl_version(), "") != 0);
  CHECK(rl_abi_version() == 0);
  CHECK(strcmp(rl_status_string(RL_ERR_COMPILE), "RL_ERR_COMPILE") == 0);
  CHECK(strcmp(rl_outcome_string(RL_REQUIRE_APPROVAL), "require_approval") == 0);

  /* Bad arguments give a status, never a crash. */
  CHECK(rl_compile_files(NULL, NULL, 0, &policy, NULL) == RL_ERR_INVALID_ARGUMENT);
  CHECK(policy == NULL);
  CHECK(strlen(rl_last_error()) > 0);
  CHECK(rl_decide_alloc(NULL, NULL, NULL, "{}", RL_NUL_TERMINATED, &decision, NULL) == RL_ERR_INVALID_ARGUMENT);
  CHECK(decision == NULL);
  CHECK(rl_switch_trip(NULL, "x") == RL_ERR_INVALID_ARGUMENT);
  rl_policy_free(NULL);
  rl_string_free(NULL);
  CHECK(rl_policy_hash(NULL) == NULL);

  /* A policy with an error: RL_ERR_COMPILE and diagnostics as JSON. */
  CHECK(rl_compile_source(NULL, "bad.pol", "policy \"p\" { rule r: permit nothing_here; }", RL_NUL_TERMINATED, &policy,
                          &diagnostics) == RL_ERR_COMPILE);
  CHECK(policy == NULL);
  CHECK(contains(diagnostics, "\"code\""));
  CHECK(contains(diagnostics, "bad.pol"));
  CHECK(contains(rl_last_error(), "bad.pol"));
  rl_string_free(diagnostics);
  diagnostics = NULL;

  /* A file that does not exist. */
  {
    const char* missing[] = {"/nonexistent/redline/abi.pol"};
    CHECK(rl_compile_files(NULL, missing, 1, &policy, &diagnostics) == RL_ERR_COMPILE);
    CHECK(policy == NULL);
    CHECK(contains(diagnostics, "abi.pol"));
    rl_string_free(diagnostics);
    diagnostics = NULL;
  }

  /* In-memory sources through the options, compiled as files. */
  CHECK(rl_compile_options_new(&options) == RL_OK);
  CHECK(rl_compile_options_add_source(options, "demo.pol", kPolicy, strlen(kPolicy)) == RL_OK);
  CHECK(rl_compile_options_set_layer(options, "nope") == RL_OK);
  {
    const char* entry[] = {"demo.pol"};
    CHECK(rl_compile_files(options, entry, 1, &policy, NULL) == RL_ERR_COMPILE); /* no layer `nope` */
    CHECK(policy == NULL);
    CHECK(rl_compile_options_set_layer(options, "demo") == RL_OK);
    CHECK(rl_compile_files(options, entry, 1, &policy, &diagnostics) == RL_OK);
  }
  rl_compile_options_free(options);
  if (!policy) {
    fprintf(stderr, "cannot compile the demo policy: %s\n", diagnostics ? diagnostics : rl_last_error());
    return 1;
  }
  CHECK(diagnostics != NULL && diagnostics[0] == '[');
  rl_string_free(diagnostics);

  CHECK(strncmp(rl_policy_hash(policy), "sha256:", 7) == 0);
  CHECK(rl_policy_layer_count(policy) == 1);
  CHECK(strcmp(rl_policy_layer(policy, 0), "demo") == 0);
  CHECK(rl_policy_layer(policy, 1) == NULL);
  CHECK(rl_policy_switch_count(policy) == 1);
  CHECK(strcmp(rl_policy_switch(policy, 0), "demo/chat_stop") == 0);

  /* Deciding: library-owned string. */
  CHECK(rl_decide_alloc(policy, NULL, NULL, "{\"purpose\": \"chat\"}", RL_NUL_TERMINATED, &decision, &outcome) == RL_OK);
  CHECK(outcome == RL_ALLOW);
  CHECK(contains(decision, "\"decision\":\"allow\""));
  CHECK(contains(decision, "log_chat"));
  rl_string_free(decision);

  /* Caller buffer: too small gives the needed length, then it fits. */
  CHECK(rl_decide(policy, NULL, NULL, "{\"purpose\": \"weapons.engagement\"}", RL_NUL_TERMINATED, small, sizeof small, &len,
                  &outcome) == RL_ERR_BUFFER_TOO_SMALL);
  CHECK(len > sizeof small);
  CHECK(len < sizeof big);
  CHECK(rl_decide(policy, NULL, NULL, "{\"purpose\": \"weapons.engagement\"}", RL_NUL_TERMINATED, big, len + 1, &len, &outcome) ==
        RL_OK);
  CHECK(strlen(big) == len);
  CHECK(outcome == RL_DENY);
  CHECK(contains(big, "no_engage"));

  /* A request that cannot be decided is an answer (deny + error), not a failure. */
  CHECK(rl_decide(policy, NULL, NULL, "{not json", RL_NUL_TERMINATED, big, sizeof big, &len, &outcome) == RL_OK);
  CHECK(outcome == RL_DENY);
  CHECK(contains(big, "\"error\":{"));
  CHECK(rl_decide(policy, NULL, NULL, "{\"purpose\": \"chat\"}garbage", 19, big, sizeof big, &len, &outcome) == RL_OK);
  CHECK(outcome == RL_ALLOW); /* the length bounds the request */

  /* Approval pending. */
  CHECK(rl_decide(policy, NULL, NULL, "{\"purpose\": \"weapons.targeting\"}", RL_NUL_TERMINATED, big, sizeof big, &len, &outcome) ==
        RL_OK);
  CHECK(outcome == RL_REQUIRE_APPROVAL);
  CHECK(contains(big, "\"pending\""));

  /* Kill switches: the policy's own board. */
  {
    rl_switchboard* own = rl_policy_switchboard(policy);
    rl_switchboard* other = NULL;
    rl_switchboard_free(own); /* the policy's own board: left alone, still usable */
    CHECK(rl_switch_trip(own, "no_such_switch") == RL_ERR_NOT_FOUND);
    CHECK(rl_switch_trip(own, "chat_stop") == RL_OK);
    CHECK(rl_switch_status(own, "demo/chat_stop", &tripped) == RL_OK);
    CHECK(tripped == 1);
    CHECK(rl_switchboard_generation(own) == 1);
    CHECK(rl_decide_outcome(policy, NULL, NULL, "{\"purpose\": \"chat\"}", RL_NUL_TERMINATED, &outcome) == RL_OK);
    CHECK(outcome == RL_DENY);
    CHECK(rl_decide(policy, NULL, NULL, "{\"purpose\": \"chat\"}", RL_NUL_TERMINATED, big, sizeof big, &len, NULL) == RL_OK);
    CHECK(contains(big, "\"killed_by\":\"demo/chat_stop\""));
    /* A separate board is not tripped. */
    CHECK(rl_switchboard_new(policy, &other) == RL_OK);
    CHECK(rl_decide_outcome(policy, other, NULL, "{\"purpose\": \"chat\"}", RL_NUL_TERMINATED, &outcome) == RL_OK);
    CHECK(outcome == RL_ALLOW);
    CHECK(rl_switch_reset(own, "chat_stop") == RL_OK);
    CHECK(rl_switch_status(own, "chat_stop", &tripped) == RL_OK);
    CHECK(tripped == 0);

    /* The hot path. */
    {
      rl_bound* bound = NULL;
      int i;
      CHECK(rl_bind(policy, NULL, "{\"purpose\": \"chat\"}", RL_NUL_TERMINATED, &bound) == RL_OK);
      for (i = 0; i < 1000; ++i) CHECK(rl_bound_decide_outcome(bound, NULL, &outcome) == RL_OK && outcome == RL_ALLOW);
      CHECK(rl_switch_trip(own, "chat_stop") == RL_OK);
      CHECK(rl_bound_decide_outcome(bound, NULL, &outcome) == RL_OK);
      CHECK(outcome == RL_DENY);
      CHECK(rl_bound_decide(bound, other, big, sizeof big, &len, &outcome) == RL_OK);
      CHECK(outcome == RL_ALLOW);
      CHECK(rl_switch_reset(own, "chat_stop") == RL_OK);
      rl_bound_free(bound);
    }

    /* Explain. */
    {
      char* text = NULL;
      CHECK(rl_explain(policy, other, NULL, "{\"purpose\": \"weapons.engagement\"}", RL_NUL_TERMINATED, &text) == RL_OK);
      CHECK(contains(text, "no_engage"));
      rl_string_free(text);
    }

    /* Approver keys that do not parse. */
    {
      rl_approvals* approvals = NULL;
      CHECK(rl_approvals_new("{oops", RL_NUL_TERMINATED, 0, &approvals) == RL_ERR_BAD_INPUT);
      CHECK(approvals == NULL);
      CHECK(rl_approvals_new(NULL, 0, 1, &approvals) == RL_OK);
      CHECK(rl_decide_outcome(policy, NULL, approvals, "{\"purpose\": \"chat\"}", RL_NUL_TERMINATED, &outcome) == RL_OK);
      rl_approvals_free(approvals);
    }

    /* A board keeps its policy alive; a board of another policy is refused. */
    {
      rl_policy* second = NULL;
      CHECK(rl_compile_source(NULL, "demo.pol", kPolicy, RL_NUL_TERMINATED, &second, NULL) == RL_OK);
      CHECK(rl_decide_outcome(second, other, NULL, "{\"purpose\": \"chat\"}", RL_NUL_TERMINATED, &outcome) ==
            RL_ERR_INVALID_ARGUMENT);
      rl_policy_free(second);
    }
    rl_policy_free(policy);
    CHECK(rl_switch_trip(other, "chat_stop") == RL_OK);
    rl_switchboard_free(other);
  }

  /* The default stdlib, found from the library's own path. */
  {
    char* root = NULL;
    CHECK(rl_default_stdlib(&root) == RL_OK);
    if (argc > 1) {
      const char* import = "import \"stdlib/taxonomy/ai-uses.pol\"\npolicy \"p\" { default allow }\n";
      rl_policy* with_stdlib = NULL;
      char* diags = NULL;
      char want[PATH_MAX], got[PATH_MAX];
      CHECK(realpath(argv[1], want) != NULL);
      CHECK(root != NULL && realpath(root, got) != NULL);
      CHECK(strcmp(want, got) == 0);
      if (strcmp(want, got) != 0) fprintf(stderr, "default stdlib %s, expected %s\n", root ? root : "(null)", argv[1]);
      CHECK(rl_compile_source(NULL, "uses.pol", import, RL_NUL_TERMINATED, &with_stdlib, &diags) == RL_OK);
      if (!with_stdlib) fprintf(stderr, "%s\n", diags ? diags : "");
      rl_string_free(diags);
      rl_policy_free(with_stdlib);
    }
    rl_string_free(root);
  }

  if (failures) {
    fprintf(stderr, "abi test: %d checks failed\n", failures);
    return 1;
  }
  printf("abi test: every check passed (redline %s, C API)\n", rl_version());
  return 0;
}
