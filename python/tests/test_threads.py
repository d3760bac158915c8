"""8 threads decide while another flips a kill switch: every decision is
consistent (allow, or deny by that switch), both are seen, and the last state
wins once the flipping stops."""
import threading

import redline
from conftest import DEMO


def test_eight_threads_while_a_switch_flips():
    policy = redline.compile_source(DEMO, "demo.pol")
    stop = threading.Event()
    seen = [dict(allow=0, killed=0, other=0) for _ in range(8)]

    def worker(i):
        s = seen[i]
        while not stop.is_set():
            for d in policy.decide_many(['{"purpose": "chat"}'] * 50):
                if d.outcome == "allow" and d.killed_by is None and d.obligations == ["log_chat"]:
                    s["allow"] += 1
                elif d.outcome == "deny" and d.killed_by == "demo/chat_stop":
                    s["killed"] += 1
                else:
                    s["other"] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    flips = 0
    for _ in range(400):
        policy.switches.trip("chat_stop")
        policy.switches.reset("chat_stop")
        flips += 2
        if flips % 40 == 0:
            policy.switches.trip("chat_stop")
            threading.Event().wait(0.002)
            policy.switches.reset("chat_stop")
            flips += 2
    stop.set()
    for t in threads:
        t.join()
    total = {k: sum(s[k] for s in seen) for k in ("allow", "killed", "other")}
    assert total["other"] == 0, total
    assert total["allow"] > 0 and total["killed"] > 0, total
    assert policy.switches.generation == flips
    assert policy.decide({"purpose": "chat"}).allowed
