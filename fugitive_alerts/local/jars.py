"""The Apache Kafka jars, fetched once from Maven Central with the pom shipped in this package.

``maven/pom.xml`` pins ``org.apache.kafka:kafka_2.13`` plus the slf4j → log4j2 binding the broker
needs to log. ``mvn dependency:copy-dependencies`` copies them into
``$XDG_CACHE_HOME/fugitive-alerts/kafka-<version>/libs`` (``~/.cache`` by default), never into
the repository. A lock file keeps two processes (two test sessions) from fetching at once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from schemas.errors import FugitiveAlertsError

from .services import file_lock, user_cache_dir

__all__ = ["POM_PATH", "BrokerError", "ensure_jars", "jars_dir", "java", "kafka_version"]

POM_PATH = Path(__file__).with_name("maven") / "pom.xml"


class BrokerError(FugitiveAlertsError, RuntimeError):
    """The local broker could not be set up, started or reached. The message says what to do."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def kafka_version() -> str:
    """The Apache Kafka version pinned in ``maven/pom.xml``."""
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM_PATH.read_text())
    if match is None:
        raise BrokerError(f"{POM_PATH} has no <kafka.version> property")
    return match.group(1).strip()


def jars_dir() -> Path:
    """Where the jars of the pinned Kafka version live (whether fetched yet or not)."""
    return user_cache_dir() / f"kafka-{kafka_version()}" / "libs"


def ensure_jars(progress: Callable[[str], None] = _stderr) -> Path:
    """Fetch the Kafka jars with Maven once; return the directory that holds them."""
    libs = jars_dir()
    marker = libs / ".complete"
    if marker.exists():
        return libs
    version = kafka_version()
    with file_lock(libs.parent / ".lock"):
        if marker.exists():
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise BrokerError(
                f"Maven ('mvn') is needed once, to download Apache Kafka {version} from Maven Central. "
                "Install it (Debian/Ubuntu: apt-get install maven), or use a broker you already have "
                "by setting KAFKA_BOOTSTRAP_SERVERS."
            )
        tmp = libs.parent / f"libs.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        progress(f"Downloading Apache Kafka {version} jars from Maven Central into {libs} (once) ...")
        started = time.monotonic()
        proc = subprocess.run(
            [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(POM_PATH),
             "dependency:copy-dependencies", f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0 or not (tmp / f"kafka_2.13-{version}.jar").exists():
            shutil.rmtree(tmp, ignore_errors=True)
            output = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            raise BrokerError(
                f"Maven could not download Apache Kafka {version} (exit code {proc.returncode}). "
                f"Check the network access to Maven Central (repo1.maven.org) and retry.\n{output}"
            )
        jars = sorted(p.name for p in tmp.glob("*.jar"))
        (tmp / ".complete").write_text("\n".join(jars) + "\n")
        shutil.rmtree(libs, ignore_errors=True)
        tmp.replace(libs)
        size = sum(p.stat().st_size for p in libs.glob("*.jar")) / 1e6
        progress(f"Fetched {len(jars)} jars ({size:.0f} MB) in {time.monotonic() - started:.1f} s.")
    return libs


def java() -> str:
    """The java executable: ``$JAVA_HOME/bin/java``, else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise BrokerError(
            "Java 17 or newer is needed to run Apache Kafka 4. Install it "
            "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME."
        )
    return found
