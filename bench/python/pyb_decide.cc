// bench/python/pyb_decide.cc — the same C API call as the ctypes package,
// bound with pybind11 instead, to measure what the binding layer costs
// (bench/python/bench.py builds it when pybind11-dev is installed; it is
// a measurement, not a product).
#include <pybind11/pybind11.h>
#include <redline/redline.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace py = pybind11;

namespace {
struct Policy {
  rl_policy* p = nullptr;
  explicit Policy(const std::string& path) {
    const char* files[] = {path.c_str()};
    if (rl_compile_files(nullptr, files, 1, &p, nullptr) != RL_OK) throw std::runtime_error(rl_last_error());
  }
  ~Policy() { rl_policy_free(p); }
  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;
};
}  // namespace

PYBIND11_MODULE(pyb_decide, m) {
  py::class_<Policy>(m, "Policy")
      .def(py::init<const std::string&>())
      .def("decide", [](const Policy& self, std::string_view request) {
        thread_local std::string buf(8192, '\0');
        std::size_t len = 0;
        rl_outcome outcome = RL_DENY;
        rl_status s;
        {
          py::gil_scoped_release unlocked;
          s = rl_decide(self.p, nullptr, nullptr, request.data(), request.size(), buf.data(), buf.size(), &len, &outcome);
          if (s == RL_ERR_BUFFER_TOO_SMALL) {
            buf.resize(len + 1);
            s = rl_decide(self.p, nullptr, nullptr, request.data(), request.size(), buf.data(), buf.size(), &len, &outcome);
          }
        }
        if (s != RL_OK) throw std::runtime_error(rl_last_error());
        return py::make_tuple(py::str(buf.data(), len), static_cast<int>(outcome));
      });
}
