// examples/embed/main.cc — an application embedding redline: compile a policy
// once, share the immutable Program across threads, decide requests built in
// C++ and from JSON, trip a kill switch at run time, and print decisions.
#include <redline/engine.h>

#include <iostream>
#include <thread>
#include <vector>

static const char* kPolicy = R"pol(
purposes {
  chat "Conversational assistance"
  biometrics "Identifying people by their bodies" { face_match voice_match }
}
context {
  actor.role: enum { clerk, officer, supervisor }
  data.tags:  tags { minors, consented }
  env.zone:   level { public < restricted < secret }
}
policy "demo" {
  default deny
  rule talk:   permit chat;
  rule bio_ok: permit biometrics when data.tags has consented and env.zone >= restricted oblige log_access;
  rule kids:   prohibit biometrics.face_match when data.tags has minors because "Never match children's faces.";
  kill_switch bio_stop covers biometrics;
}
)pol";

int main() {
  redline::CompileOptions options;
  options.stdlib_root = REDLINE_STDLIB_DIR;
  redline::CompileResult compiled = redline::compile_source(kPolicy, "demo.pol", options);
  if (!compiled.ok()) {
    std::cerr << compiled.diagnostics.render();
    return 1;
  }
  std::shared_ptr<const redline::Program> program = compiled.program;
  std::unique_ptr<redline::SwitchBoard> switches = program->make_switchboard();
  const redline::EvalOptions opts{.switches = switches.get()};   // borrowed by each call

  // A request built in C++: no JSON involved.
  redline::Request consented;
  consented.purpose("biometrics.face_match").set("data.tags", std::vector<std::string>{"consented"}).set("env.zone", "secret");

  // The same Program from several threads at once.
  std::vector<std::thread> threads;
  std::vector<redline::Outcome> outcomes(4);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] { outcomes[i] = program->evaluate(consented, opts).outcome(); });
  for (auto& t : threads) t.join();
  for (auto o : outcomes)
    if (o != redline::Outcome::allow) return 2;
  std::cout << program->evaluate(consented, opts).to_json() << '\n';

  // A request from JSON; children's faces are a red line.
  std::cout << program->evaluate_json(R"({"purpose":"biometrics.face_match","data":{"tags":["consented","minors"]},"env":{"zone":"secret"}})")
                   .to_json()
            << '\n';

  // The hot path: bind once, then evaluate into a reused Decision.
  redline::BoundRequest bound = program->bind(consented, opts);
  redline::Decision reused;
  for (int i = 0; i < 3; ++i) program->evaluate(bound, reused, opts);
  if (!bound.ok() || reused.outcome() != redline::Outcome::allow) return 4;

  // Trip the kill switch: the very next decision is a deny.
  switches->trip("bio_stop");
  redline::Decision killed = program->evaluate(consented, opts);
  std::cout << killed.to_json() << '\n';
  return killed.outcome() == redline::Outcome::deny && killed.killed_by() ? 0 : 3;
}
