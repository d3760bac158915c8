// report/external_tools.cc — runs Graphviz `dot` and WeasyPrint through a
// temporary file and a pipe (see external_tools.h). Arguments are fixed and
// paths are generated here, so nothing user-written reaches a shell.
#include "report/external_tools.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <algorithm>
#include <sys/wait.h>
#include <unistd.h>

namespace redline::report {
namespace {

namespace fs = std::filesystem;

// A fresh temporary file with `text`; "" on failure.
std::string temp_file(const std::string& text, const char* suffix) {
  std::string tmpl = (fs::temp_directory_path() / "redline-report-XXXXXX").string() + suffix;
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = mkstemps(buf.data(), static_cast<int>(std::string(suffix).size()));
  if (fd < 0) return "";
  ::close(fd);
  std::ofstream out(buf.data(), std::ios::binary);
  out << text;
  return out ? std::string(buf.data()) : "";
}

// Runs `command`, returning its standard output; `status` gets the exit status.
std::string run(const std::string& command, int& status) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) {
    status = -1;
    return out;
  }
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

// Drops the XML prolog, the DOCTYPE and comments, and lets the picture scale.
std::string clean_svg(const std::string& svg) {
  std::string s = svg.substr(std::min(svg.size(), svg.find("<svg")));
  for (std::size_t a; (a = s.find("<!--")) != std::string::npos;) {
    std::size_t b = s.find("-->", a);
    if (b == std::string::npos) break;
    std::size_t end = b + 3;
    if (end < s.size() && s[end] == '\n') ++end;
    s.erase(a, end - a);
  }
  std::size_t open_end = s.find('>');
  for (const char* attr : {" width=\"", " height=\""}) {
    std::size_t a = s.find(attr);
    if (a == std::string::npos || a > open_end) continue;
    std::size_t b = s.find('"', a + std::string(attr).size());
    s.erase(a, b + 1 - a);
    open_end = s.find('>');
  }
  s.insert(4, " role=\"img\" aria-label=\"Decision graph\" style=\"max-width:100%;height:auto\"");
  return s;
}

}  // namespace

bool program_available(const std::string& name) {
  int status = 0;
  run("command -v " + name + " >/dev/null 2>&1 && echo yes", status);
  return status == 0;
}

std::string dot_to_svg(const std::string& dot, std::string& error) {
  if (!program_available("dot")) {
    error = "Graphviz is not installed (the `dot` program was not found); install the `graphviz` package.";
    return "";
  }
  std::string in = temp_file(dot, ".dot");
  if (in.empty()) {
    error = "cannot write a temporary file for Graphviz";
    return "";
  }
  int status = 0;
  std::string svg = run("dot -Tsvg '" + in + "' 2>/dev/null", status);
  std::error_code ec;
  fs::remove(in, ec);
  if (status != 0 || svg.find("<svg") == std::string::npos) {
    error = "Graphviz `dot` failed to render the graph";
    return "";
  }
  return clean_svg(svg);
}

bool html_to_pdf(const std::string& html, const std::string& out_path, std::string& error) {
  if (!program_available("weasyprint")) {
    error = "PDF output needs WeasyPrint, which is not installed (Debian: apt-get install weasyprint); "
            "use --format html and print it instead";
    return false;
  }
  std::string in = temp_file(html, ".html");
  std::string out = temp_file("", ".pdf");
  if (in.empty() || out.empty()) {
    error = "cannot write a temporary file for WeasyPrint";
    return false;
  }
  int status = 0;
  std::string log = run("weasyprint '" + in + "' '" + out + "' 2>&1", status);
  std::error_code ec;
  fs::remove(in, ec);
  if (status != 0) {
    fs::remove(out, ec);
    error = "WeasyPrint failed: " + log;
    return false;
  }
  fs::copy_file(out, out_path, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::permissions(out_path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read, ec);
  std::error_code ignored;
  fs::remove(out, ignored);
  if (ec) error = "cannot write `" + out_path + "`: " + ec.message();
  return !ec;
}

}  // namespace redline::report
