/* bench/python/decide_c.c — the native figure for bench/python/bench.py: the
 * same policy and request decided in a C loop through the C API (rl_decide
 * into a caller buffer: C++ Program::bind_json + evaluate + Decision::to_json),
 * JSON text to outcome only (rl_decide_outcome: no decision JSON written),
 * and through the bound fast path (rl_bound_decide_outcome).
 * Usage: decide_c POLICY.pol REQUEST_JSON N  → prints ns per call, three lines. */
#define _POSIX_C_SOURCE 200809L
#include <redline/redline.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ns per call of `body`, the best of 5 rounds of n/5 (the machine is shared). */
#define BEST_OF_5(result, n, body)                            \
  do {                                                        \
    int round_;                                               \
    long k_;                                                  \
    (result) = 1e300;                                         \
    for (round_ = 0; round_ < 5; ++round_) {                  \
      double t_ = now();                                      \
      for (k_ = 0; k_ < (n) / 5; ++k_) { body; }              \
      t_ = (now() - t_) / (double)((n) / 5);                  \
      if (t_ < (result)) (result) = t_;                       \
    }                                                         \
  } while (0)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char** argv) {
  rl_policy* p = NULL;
  rl_bound* b = NULL;
  char buf[8192];
  size_t len = 0;
  rl_outcome o;
  long i, n;
  double best;
  const char* files[1];
  if (argc != 4) return 2;
  files[0] = argv[1];
  n = atol(argv[3]);
  if (rl_compile_files(NULL, files, 1, &p, NULL) != RL_OK) {
    fprintf(stderr, "%s\n", rl_last_error());
    return 1;
  }
  for (i = 0; i < n / 10; ++i) rl_decide(p, NULL, NULL, argv[2], RL_NUL_TERMINATED, buf, sizeof buf, &len, &o);
  BEST_OF_5(best, n, rl_decide(p, NULL, NULL, argv[2], RL_NUL_TERMINATED, buf, sizeof buf, &len, &o));
  printf("c_decide_json %.1f\n", best);
  BEST_OF_5(best, n, rl_decide_outcome(p, NULL, NULL, argv[2], RL_NUL_TERMINATED, &o));
  printf("c_decide_outcome %.1f\n", best);
  rl_bind(p, NULL, argv[2], RL_NUL_TERMINATED, &b);
  BEST_OF_5(best, n, rl_bound_decide_outcome(b, NULL, &o));
  printf("c_bound_outcome %.1f\n", best);
  rl_bound_free(b);
  rl_policy_free(p);
  return 0;
}
