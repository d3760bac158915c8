// server/http.cc — see http.h. The grammar is RFC 9112's, read strictly where
// leniency would open request smuggling (Content-Length with
// Transfer-Encoding, duplicate differing lengths, duplicate Host,
// Content-Type or Authorization, obsolete line folding, bare CR/LF) and leniently only where RFC 9112 allows it (empty lines before the
// request line, optional whitespace around field values).
#include "server/http.h"

#include <charconv>

namespace redline::server {
namespace {

constexpr std::size_t kMaxTarget = 8 * 1024;

bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Whether the comma-separated list `list` holds `token` (case-insensitive).
bool list_has(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = trim_ows(list.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

ParseResult fail(int status, std::string_view why) {
  ParseResult r;
  r.status = ParseStatus::Error;
  r.http_status = status;
  r.error = why;
  return r;
}

bool parse_decimal(std::string_view s, std::size_t& out) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

/// Decodes a chunked body starting at `in`. Returns Complete with `consumed`
/// (bytes of `in` used), Incomplete, or Error.
ParseResult decode_chunked(std::string_view in, const HttpLimits& limits, std::string& body) {
  body.clear();
  std::size_t pos = 0;
  for (;;) {
    std::size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      if (in.size() - pos > 1024) return fail(400, "chunk size line too long");
      return {};
    }
    std::string_view line = in.substr(pos, eol - pos);
    std::size_t semi = line.find(';');   // chunk extensions are ignored
    std::string_view hex = trim_ows(line.substr(0, semi));
    if (hex.empty() || hex.size() > 15) return fail(400, "malformed chunk size");
    std::size_t size = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
    if (ec != std::errc() || p != hex.data() + hex.size()) return fail(400, "malformed chunk size");
    pos = eol + 2;
    if (size == 0) {
      // Trailer fields, then an empty line. They are read and dropped.
      for (;;) {
        std::size_t e = in.find("\r\n", pos);
        if (e == std::string_view::npos) {
          if (in.size() - pos > limits.max_header_bytes) return fail(431, "trailer section too large");
          return {};
        }
        if (e == pos) {
          ParseResult r;
          r.status = ParseStatus::Complete;
          r.consumed = e + 2;
          return r;
        }
        if (e - pos > limits.max_header_bytes) return fail(431, "trailer section too large");
        pos = e + 2;
      }
    }
    if (size > limits.max_body_bytes || body.size() + size > limits.max_body_bytes) return fail(413, "request body too large");
    if (in.size() - pos < size + 2) return {};
    if (in.substr(pos + size, 2) != "\r\n") return fail(400, "chunk data not followed by CRLF");
    body.append(in.substr(pos, size));
    pos += size + 2;
  }
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view HttpRequest::header(std::string_view name) const {
  for (std::size_t i = 0; i < header_count; ++i)
    if (iequals(headers[i].name, name)) return headers[i].value;
  return {};
}

std::string_view HttpRequest::path() const {
  std::size_t q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

ParseResult parse_request(std::string_view input, const HttpLimits& limits, HttpRequest& out) {
  out.method = out.target = out.body = out.content_type = out.authorization = {};
  out.header_count = 0;
  out.minor_version = 1;
  out.keep_alive = true;
  out.expect_continue = false;

  // RFC 9112 §2.2: ignore empty lines before the request line.
  std::size_t start = 0;
  while (start + 1 < input.size() && input[start] == '\r' && input[start + 1] == '\n') start += 2;
  if (start > 64) return fail(400, "too many empty lines before the request");
  std::string_view in = input.substr(start);

  // A request line longer than any acceptable one is refused as soon as it is seen.
  std::size_t first_eol = in.find("\r\n");
  if ((first_eol == std::string_view::npos ? in.size() : first_eol) > kMaxTarget + 64) return fail(414, "request target too long");
  std::size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (in.size() > limits.max_header_bytes) return fail(431, "request header section too large");
    // A bare LF would make the header section never end: refuse it now, not at the timeout.
    for (std::size_t i = in.find('\n'); i != std::string_view::npos; i = in.find('\n', i + 1))
      if (i == 0 || in[i - 1] != '\r') return fail(400, "bare LF in the header section (lines end with CRLF)");
    // Reject a bad method early, before the headers arrive.
    std::string_view first = first_eol == std::string_view::npos ? in : in.substr(0, first_eol);
    std::size_t sp = first.find(' ');
    if (!first.empty() && !is_token(first.substr(0, sp == std::string_view::npos ? first.size() : sp)) &&
        (sp != std::string_view::npos || first.size() > 32))
      return fail(400, "malformed request line");
    return {};
  }
  std::string_view head = in.substr(0, head_end + 2);   // every line with its CRLF
  for (char c : head)
    if (c == '\0') return fail(400, "NUL byte in the header section");

  // Request line: method SP target SP HTTP-version.
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return fail(400, "malformed request line");
  out.method = line.substr(0, sp1);
  out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(out.method)) return fail(400, "malformed request method");
  if (out.target.empty()) return fail(400, "empty request target");
  if (out.target.size() > kMaxTarget) return fail(414, "request target too long");
  for (unsigned char c : out.target)
    if (c <= 0x20 || c >= 0x7f) return fail(400, "invalid character in the request target");
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' || version[5] < '0' || version[5] > '9' ||
      version[7] < '0' || version[7] > '9')
    return fail(400, "malformed HTTP version");
  if (version[5] != '1') return fail(505, "only HTTP/1.x is supported");
  out.minor_version = version[7] - '0';
  out.keep_alive = out.minor_version >= 1;
  if (head_end + 4 > limits.max_header_bytes) return fail(431, "request header section too large");

  // Header fields.
  bool has_length = false, chunked = false, has_host = false, has_content_type = false, has_authorization = false;
  std::size_t length = 0;
  std::size_t pos = eol + 2;
  while (pos < head.size()) {
    std::size_t e = head.find("\r\n", pos);
    std::string_view field = head.substr(pos, e - pos);
    pos = e + 2;
    if (field.find('\r') != std::string_view::npos || field.find('\n') != std::string_view::npos)
      return fail(400, "bare CR or LF in a header field");
    if (field.front() == ' ' || field.front() == '\t') return fail(400, "obsolete header line folding");
    std::size_t colon = field.find(':');
    if (colon == std::string_view::npos) return fail(400, "header field without a colon");
    std::string_view name = field.substr(0, colon);
    if (!is_token(name)) return fail(400, "malformed header field name");
    std::string_view value = trim_ows(field.substr(colon + 1));
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(400, "control character in a header field value");
    if (out.header_count == out.headers.size() || out.header_count == limits.max_headers) return fail(431, "too many header fields");
    out.headers[out.header_count++] = {name, value};

    if (iequals(name, "content-length")) {
      std::size_t n = 0;
      if (!parse_decimal(value, n)) return fail(400, "malformed Content-Length");
      if (has_length && n != length) return fail(400, "conflicting Content-Length fields");
      has_length = true;
      length = n;
    } else if (iequals(name, "transfer-encoding")) {
      if (out.minor_version == 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
      if (chunked || !iequals(value, "chunked")) return fail(501, "unsupported Transfer-Encoding (only `chunked`)");
      chunked = true;
    } else if (iequals(name, "connection")) {
      if (list_has(value, "close")) out.keep_alive = false;
      else if (list_has(value, "keep-alive")) out.keep_alive = true;
    } else if (iequals(name, "host")) {
      if (has_host) return fail(400, "more than one Host field");
      has_host = true;
    } else if (iequals(name, "content-type")) {
      // Two media types are ambiguous (which one did the client mean?): refuse, never pick one.
      if (has_content_type) return fail(400, "more than one Content-Type field");
      has_content_type = true;
      out.content_type = value;
    } else if (iequals(name, "authorization")) {
      // Two credentials are ambiguous, and an intermediary may have checked the other one.
      if (has_authorization) return fail(400, "more than one Authorization field");
      has_authorization = true;
      out.authorization = value;
    } else if (iequals(name, "expect")) {
      if (!iequals(value, "100-continue")) return fail(417, "unsupported expectation");
      out.expect_continue = out.minor_version >= 1;
    }
  }
  if (out.minor_version >= 1 && !has_host) return fail(400, "missing Host field");
  if (has_length && chunked) return fail(400, "both Content-Length and Transfer-Encoding");

  std::size_t body_start = start + head_end + 4;
  std::string_view rest = input.substr(body_start);
  ParseResult r;
  r.headers_done = true;
  if (chunked) {
    ParseResult c = decode_chunked(rest, limits, out.chunked_body);
    if (c.status != ParseStatus::Complete) {
      c.headers_done = true;
      return c;
    }
    out.body = out.chunked_body;
    r.status = ParseStatus::Complete;
    r.consumed = body_start + c.consumed;
    return r;
  }
  if (length > limits.max_body_bytes) return fail(413, "request body too large");
  if (rest.size() < length) return r;   // Incomplete
  out.body = rest.substr(0, length);
  r.status = ParseStatus::Complete;
  r.consumed = body_start + length;
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

void write_response(std::string& out, int status, std::string_view content_type, std::string_view body, bool keep_alive,
                    std::string_view extra_headers) {
  char num[24];
  out.append("HTTP/1.1 ");
  auto [p, ec] = std::to_chars(num, num + sizeof num, status);
  (void)ec;
  out.append(num, p);
  out.push_back(' ');
  out.append(reason_phrase(status));
  out.append("\r\nContent-Type: ");
  out.append(content_type);
  out.append("\r\nContent-Length: ");
  auto [q, ec2] = std::to_chars(num, num + sizeof num, body.size());
  (void)ec2;
  out.append(num, q);
  out.append(keep_alive ? "\r\nConnection: keep-alive\r\n" : "\r\nConnection: close\r\n");
  out.append(extra_headers);
  out.append("\r\n");
  out.append(body);
}

}  // namespace redline::server
