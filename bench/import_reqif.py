"""Time ``reqctl import reqif`` of N generated requirements (standard library only; reqctl as a child process).

    python bench/import_reqif.py                      # 10,000 SPEC-OBJECTs, each relation to the previous one
    python bench/import_reqif.py --objects 2000 --reqctl "python -m reqctl"

Prints the time of the first import (creates every file) and of a second one
(matches every item on ``source:`` and changes nothing).
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import subprocess
import tempfile
import time
from pathlib import Path

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:xhtml="http://www.w3.org/1999/xhtml">
<THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>bench</TITLE></REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT>
<DATATYPES><DATATYPE-DEFINITION-STRING IDENTIFIER="ds" LAST-CHANGE="2020-01-01T00:00:00" MAX-LENGTH="1000"/>
<DATATYPE-DEFINITION-XHTML IDENTIFIER="dx" LAST-CHANGE="2020-01-01T00:00:00"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t1" LONG-NAME="Requirement" LAST-CHANGE="2020-01-01T00:00:00">
<SPEC-ATTRIBUTES>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="a1" LONG-NAME="ReqIF.Name" LAST-CHANGE="2020-01-01T00:00:00">
<TYPE><DATATYPE-DEFINITION-STRING-REF>ds</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="a2" LONG-NAME="ReqIF.Text" LAST-CHANGE="2020-01-01T00:00:00">
<TYPE><DATATYPE-DEFINITION-XHTML-REF>dx</DATATYPE-DEFINITION-XHTML-REF></TYPE></ATTRIBUTE-DEFINITION-XHTML>
</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE>
<SPEC-RELATION-TYPE IDENTIFIER="rt" LONG-NAME="derives" LAST-CHANGE="2020-01-01T00:00:00"/></SPEC-TYPES>
"""


def generate(count: int) -> str:
    objects = "".join(
        f'<SPEC-OBJECT IDENTIFIER="o{i}" LAST-CHANGE="2020-01-01T00:00:00"><TYPE><SPEC-OBJECT-TYPE-REF>t1'
        f"</SPEC-OBJECT-TYPE-REF></TYPE><VALUES>"
        f'<ATTRIBUTE-VALUE-STRING THE-VALUE="Requirement number {i}"><DEFINITION>'
        f"<ATTRIBUTE-DEFINITION-STRING-REF>a1</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>"
        f"<ATTRIBUTE-VALUE-XHTML><DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>a2</ATTRIBUTE-DEFINITION-XHTML-REF>"
        f"</DEFINITION><THE-VALUE><xhtml:div>The system <xhtml:b>shall</xhtml:b> do {i}.</xhtml:div></THE-VALUE>"
        f"</ATTRIBUTE-VALUE-XHTML></VALUES></SPEC-OBJECT>\n"
        for i in range(count)
    )
    relations = "".join(
        f'<SPEC-RELATION IDENTIFIER="r{i}" LAST-CHANGE="2020-01-01T00:00:00"><TYPE><SPEC-RELATION-TYPE-REF>rt'
        f"</SPEC-RELATION-TYPE-REF></TYPE><SOURCE><SPEC-OBJECT-REF>o{i}</SPEC-OBJECT-REF></SOURCE>"
        f"<TARGET><SPEC-OBJECT-REF>o{i - 1}</SPEC-OBJECT-REF></TARGET></SPEC-RELATION>\n"
        for i in range(1, count)
    )
    return (f"{HEAD}<SPEC-OBJECTS>{objects}</SPEC-OBJECTS><SPEC-RELATIONS>{relations}</SPEC-RELATIONS>"
            "</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>\n")


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child: on a shared machine the wall time mostly
    measures the other users, the CPU time what reqctl did."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--reqctl", default="reqctl", help="command that runs reqctl (default: reqctl on PATH)")
    args = parser.parse_args()
    reqctl = shlex.split(args.reqctl)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "project"
        root.mkdir()
        source = Path(scratch) / "bench.reqif"
        source.write_text(generate(args.objects), encoding="utf-8")
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        subprocess.run([*reqctl, "init"], cwd=root, check=True, stdout=subprocess.DEVNULL)
        load = os.getloadavg()[0]
        first, first_cpu = timed([*reqctl, "import", "reqif", str(source)], root)
        second, second_cpu = timed([*reqctl, "import", "reqif", str(source)], root)
    print(f"| import reqif, {args.objects} SPEC-OBJECTs | first (creates) {first:.1f} s ({first_cpu:.1f} s CPU) "
          f"| again (no change) {second:.1f} s ({second_cpu:.1f} s CPU) | load average {load:.1f} |")


if __name__ == "__main__":
    main()
