// bench/serve-alternatives/http_layer_bench.cc REQUESTS.jsonl POLICY.pol —
// the HTTP layer alone, in one thread, no sockets: what reading a request
// and writing its response costs with our parser (server/http.h) and with
// Boost.Beast's, on the benchmark's own requests (the bytes wrk sends), and,
// for proportion, what Service::handle (the decision itself) costs on them.
// The wrk figures of compare.sh include the kernel, wrk and a shared CPU;
// these do not, so they isolate the part in which the front ends differ.
//
// Each figure is the best of several passes over the requests (ns/request).
// Per request:
//   ours   parse_request into a reused HttpRequest; write_response into a
//          reused string (as server.cc does: the body is copied in);
//   Beast  a fresh request_parser<string_body> over a reused message, as
//          http::async_read builds one per call; the message's fields as an
//          HttpRequest (as beast_server.cc does); a response message with
//          Content-Type, Content-Length, keep-alive (the message reused,
//          its body swapped in, as beast_server.cc does), serialized with
//          http::serializer — its buffers counted, not copied (async_write
//          gathers them, where our writer copies the body), which favours
//          Beast slightly.
// cpp-httplib's parser is internal to its library, so it is not here.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "common.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace redline;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }

volatile std::size_t g_sink = 0;

/// Best ns per item over `passes` runs of `fn` (which handles `n` items).
double best_ns(int passes, std::size_t n, const std::function<std::size_t()>& fn) {
  double best = 1e300;
  for (int p = 0; p < passes; ++p) {
    auto t0 = std::chrono::steady_clock::now();
    std::size_t s = fn();
    auto t1 = std::chrono::steady_clock::now();
    g_sink = g_sink + s;
    best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: http_layer_bench REQUESTS.jsonl POLICY.pol [COUNT] [PASSES]\n";
    return 2;
  }
  std::size_t count = argc > 3 ? std::stoul(argv[3]) : 20000;
  int passes = argc > 4 ? std::stoi(argv[4]) : 7;

  // The requests as wrk sends them (wrk.format: request line, Host, the
  // script's Content-Type, Content-Length, the body).
  std::vector<std::string> raw;
  {
    std::ifstream in(argv[1]);
    std::string line;
    while (raw.size() < count && std::getline(in, line)) {
      raw.push_back("POST /v1/decide HTTP/1.1\r\nHost: 127.0.0.1:40000\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(line.size()) + "\r\n\r\n" + line);
    }
  }
  if (raw.empty()) return std::cerr << "http_layer_bench: no requests\n", 1;
  const std::size_t n = raw.size();

  bench_http::Options opts;
  opts.policy = argv[2];
  auto backend = bench_http::load_backend(opts);
  if (!backend) return 1;
  server::Scratch scratch(backend->host);

  // The decisions, as bodies to write (the same for both writers).
  std::vector<server::Response> answers(n);
  server::HttpLimits limits;
  {
    server::HttpRequest req;
    for (std::size_t i = 0; i < n; ++i) {
      if (server::parse_request(raw[i], limits, req).status != server::ParseStatus::Complete)
        return std::cerr << "http_layer_bench: request " << i << " did not parse\n", 1;
      backend->service.handle(req, "bench", scratch, answers[i]);
    }
  }

  // ---- ours ----
  server::HttpRequest req;
  double ours_parse = best_ns(passes, n, [&] {
    std::size_t s = 0;
    for (const auto& r : raw) s += server::parse_request(r, limits, req).consumed + req.body.size();
    return s;
  });
  std::string out;
  double ours_write = best_ns(passes, n, [&] {
    std::size_t s = 0;
    for (const auto& a : answers) {
      out.clear();
      server::write_response(out, a.status, a.content_type, a.body, true, a.headers);
      s += out.size();
    }
    return s;
  });

  // ---- Beast ----
  http::request<http::string_body> msg;
  server::HttpRequest view;
  double beast_parse = best_ns(passes, n, [&] {
    std::size_t s = 0;
    for (const auto& r : raw) {
      msg = {};
      http::request_parser<http::string_body> p(std::move(msg));
      p.eager(true);
      boost::system::error_code ec;
      std::size_t used = 0;
      while (!p.is_done() && !ec) used += p.put(boost::asio::buffer(r.data() + used, r.size() - used), ec);
      msg = p.release();
      view.method = sv(msg.method_string());
      view.target = sv(msg.target());
      view.minor_version = static_cast<int>(msg.version() % 10);
      view.header_count = 0;
      for (const auto& f : msg) {
        if (view.header_count == view.headers.size()) break;
        view.headers[view.header_count++] = {sv(f.name_string()), sv(f.value())};
      }
      view.body = msg.body();
      view.keep_alive = msg.keep_alive();
      view.content_type = sv(msg[http::field::content_type]);
      view.authorization = sv(msg[http::field::authorization]);
      s += used + view.body.size();
    }
    return s;
  });
  http::response<http::string_body> res;
  double beast_write = best_ns(passes, n, [&] {
    std::size_t s = 0;
    for (auto& a : answers) {
      res.clear();
      res.body().swap(a.body);   // as beast_server.cc does (no copy)
      res.version(11);
      res.result(static_cast<unsigned>(a.status));
      res.set(http::field::content_type, bsv(a.content_type));
      res.keep_alive(true);
      res.prepare_payload();
      http::serializer<false, http::string_body> sr(res);
      boost::system::error_code ec;
      while (!sr.is_done() && !ec) {
        sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
          std::size_t bytes = beast::buffer_bytes(buffers);
          s += bytes;
          sr.consume(bytes);
        });
      }
      res.body().swap(a.body);
    }
    return s;
  });

  // ---- the decision, for proportion ----
  server::Response answer;
  double service = best_ns(passes, n, [&] {
    std::size_t s = 0;
    for (const auto& r : raw) {
      server::parse_request(r, limits, req);
      backend->service.handle(req, "bench", scratch, answer);
      s += answer.body.size();
    }
    return s;
  });
  service -= ours_parse;

  std::printf("requests %zu, best of %d passes, ns per request\n", n, passes);
  std::printf("| | read the request | write the response | HTTP layer total | Service::handle (the decision) |\n|---|---|---|---|---|\n");
  std::printf("| ours (server/http.h) | %.0f | %.0f | %.0f | %.0f |\n", ours_parse, ours_write, ours_parse + ours_write, service);
  std::printf("| Boost.Beast | %.0f | %.0f | %.0f | %.0f |\n", beast_parse, beast_write, beast_parse + beast_write, service);
  return 0;
}
