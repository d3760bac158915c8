#!/usr/bin/env python3
"""Checks the house's layering: a room of engine/ includes only rooms below it.

The rooms, bottom first (rooms on one line are peers and do not include each
other). `redline/` (the public headers, engine/include) may be included from
anywhere. The reference interpreter (engine/eval/reference*) is test-only: no
library or CLI source includes it. Run by ctest as `layers`; exits 1 and
lists every arrow that runs back up.
"""
import pathlib
import re
import sys

LEVELS = [
    ["source", "crypto"],
    ["diag"],
    ["ast"],
    ["parse"],
    ["sema"],
    ["compile", "verify"],
    ["flat"],
    ["eval"],
    ["api"],
    ["state"],
    ["audit"],
    ["killswitch"],
    ["runtime"],
    ["capi", "report"],
    ["cases"],
    ["server", "lsp"],
    ["cli"],
]
LEVEL = {room: i for i, rooms in enumerate(LEVELS) for room in rooms}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.M)


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    engine = root / "engine"
    problems = []
    for path in sorted(engine.rglob("*")):
        if path.suffix not in (".h", ".cc") or path.is_dir():
            continue
        room = path.relative_to(engine).parts[0]
        if room == "include":
            continue
        if room not in LEVEL:
            problems.append(f"{path.relative_to(root)}: room `{room}` has no place in scripts/check-layers.py")
            continue
        test_only = path.parent.name == "eval" and path.name.startswith("reference")
        for target_room, rest in INCLUDE.findall(path.read_text(encoding="utf-8")):
            where = f"{path.relative_to(root)}: includes \"{target_room}/{rest}\""
            if target_room == "redline" or target_room == room:
                pass
            elif target_room not in LEVEL:
                problems.append(f"{where}: unknown room")
            elif LEVEL[target_room] >= LEVEL[room]:
                problems.append(f"{where}: `{target_room}` is not below `{room}`")
            if target_room == "eval" and rest.startswith("reference") and not test_only:
                problems.append(f"{where}: the reference interpreter is for tests only")
    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} arrow(s) run back up", file=sys.stderr)
        return 1
    print(f"check-layers: every include of engine/ runs down ({len(LEVEL)} rooms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
