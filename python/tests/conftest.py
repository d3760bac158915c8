"""pytest setup: import the package from this source tree (python/) and load
libredline.so.0 from $REDLINE_LIBRARY (ctest sets it to the build tree's)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def child_env():
    """The environment for the programs the tests run (the CLI, the C++
    conformance dump): without LD_PRELOAD, which the sanitizer build sets for
    Python alone — an instrumented executable carries its own runtime."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    return env

DEMO = """
purposes {
  chat
  summarization
  weapons { targeting engagement }
}
context {
  actor.role: enum { analyst, safety }
  data.tags:  tags { pii, public }
}
policy "demo" {
  default deny
  rule talk:      permit chat oblige log_chat;
  rule summarize: permit summarization when data.tags has public;
  rule aim:       require approval weapons.targeting by safety because "A safety officer signs off targeting.";
  rule no_engage: prohibit weapons.engagement because "Never.";
  kill_switch chat_stop covers chat;
}
"""
