// fuzz/make_seeds.cc — `redline_fuzz_seeds OUTDIR`: writes the seed corpus of
// every fuzz target into OUTDIR/<target>/, from what the repository already
// holds (scripts/fuzz.sh runs it before fuzzing; nothing it writes is
// committed):
//   policy          every .pol of tests/golden, examples and stdlib, and the
//                   policies of tests/conformance;
//   request         every request of examples/*/requests.jsonl and of the
//                   conformance cases (valid or not);
//   request_struct, approvals, differential
//                   decoder inputs: each fixed policy's selector byte, then
//                   pseudo-random bytes (seeded, so the corpus is stable);
//   audit           a real state folder's files after a session of decisions,
//                   approvals, a switch flip and checkpoints (raw), its
//                   records as a structured input with every kind of damage,
//                   and its checkpoint notes.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "audit/log_format.h"
#include "audit/record.h"
#include "audit/verify.h"
#include "audit_support.h"
#include "fuzz_support.h"
#include "redline/audit.h"

using namespace redline;
namespace fs = std::filesystem;

namespace {

fs::path out_root;
std::size_t written = 0;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void seed(const std::string& target, const std::string& name, std::string_view bytes) {
  fs::path dir = out_root / target;
  fs::create_directories(dir);
  std::string file = name;
  for (char& c : file)
    if (c == '/' || c == ' ') c = '_';
  std::ofstream out(dir / file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ++written;
}

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

void policy_seeds() {
  const fs::path src = fuzz::source_dir();
  for (const char* dir : {"tests/golden", "examples", "stdlib"})
    for (const auto& e : fs::recursive_directory_iterator(src / dir))
      if (e.path().extension() == ".pol") seed("policy", fs::relative(e.path(), src).string(), read_text(e.path()));
  for (const auto& e : fs::directory_iterator(src / "tests/conformance")) {
    if (e.path().extension() != ".json") continue;
    auto doc = nlohmann::json::parse(read_text(e.path()));
    for (const auto& name : doc["files"])   // the policies, in the folder named after the file
      seed("policy", "conformance-" + e.path().stem().string() + "-" + name.get<std::string>(),
           read_text(e.path().parent_path() / e.path().stem() / name.get<std::string>()));
  }
}

void request_seeds() {
  const fs::path src = fuzz::source_dir();
  for (const auto& e : fs::directory_iterator(src / "examples")) {
    std::ifstream in(e.path() / "requests.jsonl");
    std::string line;
    for (int i = 0; std::getline(in, line); ++i)
      if (!line.empty()) seed("request", e.path().filename().string() + "-" + std::to_string(i), line);
  }
  for (const auto& e : fs::directory_iterator(src / "tests/conformance")) {
    if (e.path().extension() != ".json") continue;
    auto doc = nlohmann::json::parse(read_text(e.path()));
    int i = 0;
    for (const auto& c : doc["cases"]) {
      std::string text = c.contains("request_text") ? c["request_text"].get<std::string>() : c["request"].dump();
      seed("request", e.path().stem().string() + "-" + std::to_string(i++), text);
    }
  }
}

void decoder_seeds() {
  std::mt19937_64 rng(11);
  std::size_t fixed = fuzz::all_fixed().size(), approval = fuzz::approval_fixed().size();
  for (std::size_t p = 0; p < fixed; ++p)
    for (int k = 0; k < 4; ++k)
      seed("request_struct", "p" + std::to_string(p) + "-" + std::to_string(k), std::string(1, static_cast<char>(p)) + random_bytes(rng, 32 << k));
  for (std::size_t p = 0; p < approval; ++p)
    for (int k = 0; k < 4; ++k)
      seed("approvals", "p" + std::to_string(p) + "-" + std::to_string(k), std::string(1, static_cast<char>(p)) + random_bytes(rng, 64 << k));
  for (int k = 0; k < 48; ++k) seed("differential", "r" + std::to_string(k), random_bytes(rng, 64 + 48 * static_cast<std::size_t>(k)));
}

void audit_seeds() {
  const std::string path = fuzz::temp_dir("redline-fuzz-seeds");
  state::StateDir dir = fuzz::fixed_state_dir(path);
  std::shared_ptr<const Program> program = fuzz::audit_policy();
  std::vector<std::string> requests = fuzz::audit_requests();
  {
    std::string error;
    AuditOptions options;
    options.stdlib_root = fuzz::stdlib_root();
    auto trail = AuditTrail::open(path, options, error);
    if (!trail || !trail->load_policy(*program, error)) fuzz::fail("cannot start the seed audit trail: " + error);
    for (std::size_t i = 0; i < requests.size() && i < 12; ++i) {
      (void)trail->decide_json(*program, requests[i], nullptr);
      if (i % 4 == 3 && !trail->flush(error)) fuzz::fail("cannot flush the seed audit trail: " + error);
    }
  }   // closing checkpoints
  std::string checkpoints = read_text(dir.file("checkpoints")), log = read_text(dir.file("audit.log"));
  audit::VerifyReport v = audit::verify_log(dir);
  if (!v.ok || v.records == 0) fuzz::fail("the seed audit log does not verify: " + v.error);
  std::vector<std::string> payloads;
  std::string error;
  audit::for_each_record(dir, [&](std::uint64_t, std::string_view p) { return payloads.emplace_back(p), true; }, error);
  std::vector<std::string> notes;
  for (std::size_t off = 0;;) {
    audit::Frame fr = audit::read_frame(checkpoints, off);
    if (fr.status != audit::FrameStatus::ok) break;
    notes.emplace_back(fr.payload);
    off += fr.size;
  }
  const std::string split(fuzz::kSplit);
  seed("audit", "raw-session", std::string(1, '\0') + checkpoints + split + log + split + (notes.empty() ? "" : notes.back()));
  seed("audit", "raw-no-checkpoints", std::string(1, '\0') + split + log);
  seed("audit", "raw-torn-tail", std::string(1, '\0') + checkpoints + split + log.substr(0, log.size() - 5));
  for (std::size_t i = 0; i < notes.size() && i < 3; ++i) seed("audit", "note-" + std::to_string(i), std::string(1, '\0') + split + split + notes[i]);
  std::string joined;
  for (std::size_t i = 0; i < payloads.size(); ++i) joined += (i ? std::string(1, fuzz::kRecordSep) : "") + payloads[i];
  std::string few = payloads[0] + fuzz::kRecordSep + payloads[std::min<std::size_t>(1, payloads.size() - 1)];
  for (std::uint8_t damage = 0; damage < 16; ++damage) {
    std::string control = {1, static_cast<char>(damage % 4 + 1), static_cast<char>(damage), 0, static_cast<char>(damage * 3), 7, 0, 0, 0};
    seed("audit", "structured-damage-" + std::to_string(damage), control + (damage % 2 ? few : joined));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: redline_fuzz_seeds OUTDIR\n");
    return 2;
  }
  out_root = argv[1];
  policy_seeds();
  request_seeds();
  decoder_seeds();
  audit_seeds();
  std::printf("redline_fuzz_seeds: %zu seeds in %s\n", written, out_root.string().c_str());
  return 0;
}
