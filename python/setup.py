"""Builds the redline Python package: the pure-Python ctypes wrapper plus
libredline.so.0 and the stdlib copied into the package (so a wheel is
self-contained).

Which libredline.so.0: $REDLINE_LIBRARY, else <repo>/build/libredline.so.0
(or $REDLINE_BUILD_DIR/libredline.so.0); when there is none, the library is
built first with CMake and Ninja (`ninja redline_c` in that build folder).
"""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # pragma: no cover - wheel is a build requirement
    bdist_wheel = None

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.environ.get("REDLINE_REPO") or os.path.dirname(HERE)   # build-wheel.sh builds from a copy


def find_library():
    lib = os.environ.get("REDLINE_LIBRARY")
    if lib:
        return lib
    build = os.environ.get("REDLINE_BUILD_DIR", os.path.join(REPO, "build"))
    lib = os.path.join(build, "libredline.so.0")
    if not os.path.exists(lib):
        if not os.path.exists(os.path.join(build, "build.ninja")):
            subprocess.check_call(["cmake", "-S", REPO, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"])
        subprocess.check_call(["ninja", "-C", build, "-j2", "redline_c"])
    return lib


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "redline")
        os.makedirs(target, exist_ok=True)
        lib = os.path.join(target, "libredline.so.0")
        shutil.copyfile(os.path.realpath(find_library()), lib)
        if shutil.which("strip"):   # debug info stays in the build tree: the library shrinks from ~50 MB to ~2 MB
            subprocess.check_call(["strip", "--strip-unneeded", lib])
        stdlib = os.path.join(target, "stdlib")
        if os.path.exists(stdlib):
            shutil.rmtree(stdlib)
        shutil.copytree(os.path.join(REPO, "stdlib"), stdlib)


class BinaryDistribution(Distribution):
    def has_ext_modules(self):  # the wheel carries a native library
        return True


cmdclass = {"build_py": BuildWithLibrary}
if bdist_wheel is not None:
    class Wheel(bdist_wheel):
        def get_tag(self):  # ctypes: any CPython 3, this platform
            _, _, plat = super().get_tag()
            return "py3", "none", plat
    cmdclass["bdist_wheel"] = Wheel

setup(cmdclass=cmdclass, distclass=BinaryDistribution)
