// The HTTP/1.1 request parser of the decision service: complete, partial,
// pipelined and chunked requests; and every rejection with its status —
// smuggling shapes (Content-Length with Transfer-Encoding, differing
// lengths), folding, bare CR/LF, limits.
#include <doctest/doctest.h>

#include "server/http.h"
#include "server/service.h"

using namespace redline::server;

namespace {

ParseResult parse(std::string_view text, HttpRequest& req, HttpLimits limits = {}) { return parse_request(text, limits, req); }

int error_status(std::string_view text, HttpLimits limits = {}) {
  HttpRequest req;
  ParseResult r = parse(text, req, limits);
  return r.status == ParseStatus::Error ? r.http_status : 0;
}

}  // namespace

TEST_CASE("http: a complete request with a body") {
  std::string text = "POST /v1/decide?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                     "Authorization: Bearer tok\r\n\r\n{}";
  HttpRequest req;
  ParseResult r = parse(text, req);
  REQUIRE(r.status == ParseStatus::Complete);
  CHECK(r.consumed == text.size());
  CHECK(req.method == "POST");
  CHECK(req.path() == "/v1/decide");
  CHECK(req.body == "{}");
  CHECK(req.keep_alive);
  CHECK(req.content_type == "application/json");
  CHECK(req.authorization == "Bearer tok");
  CHECK(req.header("HOST") == "a");
}

TEST_CASE("http: every prefix of a request is incomplete, and nothing is read past it") {
  std::string one = "POST /v1/decide HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  std::string two = one + "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
  for (std::size_t n = 0; n < one.size(); ++n) {
    HttpRequest req;
    CHECK_MESSAGE(parse(one.substr(0, n), req).status == ParseStatus::Incomplete, "prefix " << n);
  }
  HttpRequest req;
  ParseResult r = parse(two, req);
  REQUIRE(r.status == ParseStatus::Complete);
  CHECK(req.body == "hello");
  ParseResult r2 = parse(std::string_view(two).substr(r.consumed), req);
  REQUIRE(r2.status == ParseStatus::Complete);
  CHECK(req.path() == "/healthz");
}

TEST_CASE("http: chunked bodies are decoded, trailers dropped") {
  std::string text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-T: 1\r\n\r\nNEXT";
  HttpRequest req;
  ParseResult r = parse(text, req);
  REQUIRE(r.status == ParseStatus::Complete);
  CHECK(req.body == "{\"a\":1}");
  CHECK(text.substr(r.consumed) == "NEXT");
  for (std::size_t n = 60; n < text.size() - 4; ++n) CHECK(parse(text.substr(0, n), req).status == ParseStatus::Incomplete);
}

TEST_CASE("http: connection persistence follows the version and Connection") {
  HttpRequest req;
  REQUIRE(parse("GET / HTTP/1.0\r\n\r\n", req).status == ParseStatus::Complete);
  CHECK_FALSE(req.keep_alive);
  REQUIRE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", req).status == ParseStatus::Complete);
  CHECK(req.keep_alive);
  REQUIRE(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n", req).status == ParseStatus::Complete);
  CHECK_FALSE(req.keep_alive);
  REQUIRE(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", req).status == ParseStatus::Complete);   // leading empty lines
}

TEST_CASE("http: Expect: 100-continue is seen once the headers are in") {
  HttpRequest req;
  ParseResult r = parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", req);
  CHECK(r.status == ParseStatus::Incomplete);
  CHECK(r.headers_done);
  CHECK(req.expect_continue);
}

TEST_CASE("http: malformed and hostile requests are rejected with the right status") {
  CHECK(error_status("GET / HTTP/1.1\r\n\r\n") == 400);                                     // no Host
  CHECK(error_status("GET /\r\nHost: a\r\n\r\n") == 400);                                  // no version
  CHECK(error_status("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 505);
  CHECK(error_status("GET / FTP/1.1\r\nHost: a\r\n\r\n") == 400);
  CHECK(error_status("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
  CHECK(error_status("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
  CHECK(error_status("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n") == 400);
  CHECK(error_status("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n") == 400);
  CHECK(error_status("GET / HTTP/1.1\r\nHost: a\r\nX: a\nY: b\r\n\r\n") == 400);          // bare LF
  CHECK(error_status("GET / HTTP/1.1\nHost: a\n\n") == 400);                                // LF-only lines, refused at once
  CHECK(error_status("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n") == 400);
  CHECK(error_status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
  CHECK(error_status(std::string("GET / HTTP/1.1\r\nHost: a\0\r\n\r\n", 28)) == 400);
  // Request smuggling shapes.
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n") == 400);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n") == 400);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n") == 400);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501);
  CHECK(error_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == 400);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n") == 400);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n") == 417);
}

TEST_CASE("http: a duplicated Content-Type or Authorization is refused, never resolved by picking one") {
  // Last-wins would let a front proxy check one media type (or token) while redline reads the other.
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\n"
                     "Content-Length: 2\r\n\r\n{}") == 400);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\ncontent-type: application/json\r\nCONTENT-TYPE: application/json\r\n"
                     "Content-Length: 2\r\n\r\n{}") == 400);   // even when equal, and whatever the case
  CHECK(error_status("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer x\r\nAuthorization: Bearer y\r\n\r\n") == 400);
  HttpRequest req;
  ParseResult r = parse("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer x\r\nContent-Type: application/json\r\n\r\n", req);
  REQUIRE(r.status == ParseStatus::Complete);   // one of each is fine
  CHECK(req.authorization == "Bearer x");
  CHECK(req.content_type == "application/json");
}

TEST_CASE("http: limits stop a request before the buffer grows past them") {
  HttpLimits small;
  small.max_header_bytes = 256;
  small.max_body_bytes = 100;
  small.max_headers = 4;
  CHECK(error_status("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(300, 'x'), small) == 431);   // before the end arrives
  CHECK(error_status("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n", small) == 431);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", small) == 413);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", small) == 413);
  CHECK(error_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + std::string(64, 'x') + "\r\n40\r\n",
                     small) == 413);
  CHECK(error_status("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", HttpLimits{.max_header_bytes = 20000}) == 414);
}

TEST_CASE("http: responses carry length and persistence") {
  std::string out;
  write_response(out, 200, "application/json", "{}", true);
  CHECK(out == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}");
  out.clear();
  write_response(out, 503, "text/plain", "", false, "Retry-After: 1\r\n");
  CHECK(out == "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n");
}

TEST_CASE("http: batch bodies split into their requests") {
  std::vector<std::string_view> items;
  std::string error;
  REQUIRE(split_json_array(" [ {\"a\":[1,{\"b\":\"],\"}]} , {\"c\":\"\\\"\"} ] ", 10, items, error));
  REQUIRE(items.size() == 2);
  CHECK(items[0] == "{\"a\":[1,{\"b\":\"],\"}]}");
  CHECK(items[1] == "{\"c\":\"\\\"\"}");
  CHECK(split_json_array("[]", 10, items, error));
  CHECK(items.empty());
  CHECK_FALSE(split_json_array("{}", 10, items, error));
  CHECK_FALSE(split_json_array("[1,", 10, items, error));
  CHECK_FALSE(split_json_array("[1,,2]", 10, items, error));
  CHECK_FALSE(split_json_array("[1] x", 10, items, error));
  CHECK_FALSE(split_json_array("[1,2,3]", 2, items, error));
  CHECK(error.find("more than 2") != std::string::npos);
  CHECK_FALSE(split_json_array("[" + std::string(200, '[') + std::string(200, ']') + "]", 10, items, error));
}

TEST_CASE("http: percent-decoding of switch names") {
  std::string out;
  CHECK(percent_decode("svc%2Fweapons_stop", out));
  CHECK(out == "svc/weapons_stop");
  CHECK_FALSE(percent_decode("bad%2", out));
  CHECK_FALSE(percent_decode("bad%zz", out));
}
