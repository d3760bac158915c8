// tests/unit/audit/audit_support.h — helpers for the audit, state and
// kill-switch tests: a temporary folder removed at scope exit, a small
// policy with roles and kill switches, and raw file edits for tampering.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "state/state_dir.h"
#include "test_support.h"

namespace redline::testing {

/// A fresh folder under $TMPDIR, removed (with its content) at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "redline-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// A path inside the folder.
  std::string operator/(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

/// A policy with roles, two kill switches (one with owners) and a default allow.
inline const char* kSwitchPolicy =
    "purposes {\n  weapons { targeting engagement }\n  intel { targeting_support bulk }\n  chat\n}\n"
    "context { actor.role: enum { analyst, safety, cdao } }\n"
    "policy \"ks\" {\n  default allow\n"
    "  rule no_engage: prohibit weapons.engagement when actor.role == analyst;\n"
    "  kill_switch weapons_stop covers weapons, intel.targeting_support\n"
    "    owner safety, cdao because \"Stop all weapons-related use at once.\";\n"
    "  kill_switch ownerless covers chat;\n"
    "}\n";

/// Opens (creating) a state folder, failing the test when it cannot.
inline state::StateDir open_state(const std::string& path) {
  auto d = state::StateDir::open(path, true);
  REQUIRE_MESSAGE(d.ok(), d.error);
  return *d.value;
}

}  // namespace redline::testing
