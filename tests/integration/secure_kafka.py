"""A local Apache Kafka with TLS, SASL/SCRAM and ACLs: what the security tests run against.

:class:`SecureLocalBroker` is a :class:`~fugitive_alerts.local.kafka.LocalBroker` whose client
listener is ``SASL_SSL`` (SCRAM-SHA-512 logins, TLS with a certificate signed by a CA generated
on first start) and whose authorizer is KRaft's ``StandardAuthorizer`` with
``allow.everyone.if.no.acl.found=false``: a principal may do only what an ACL allows, except the
super user ``admin``.

Besides the files of :class:`LocalBroker`, its data directory holds::

    <data_dir>/credentials.json   SCRAM passwords, per user (0600), generated once
    <data_dir>/tls/ca.pem         the CA certificate clients trust (``KAFKA_SSL_CAFILE``)
    <data_dir>/tls/ca.key         the CA's key (0600)
    <data_dir>/tls/broker.p12     the broker's key and certificate (SAN IP:127.0.0.1, DNS:localhost)

Listeners:

- ``SASL_SSL://127.0.0.1:<port>``: clients and the broker's own inter-broker connections
  (as ``admin``, SCRAM-SHA-512).
- ``CONTROLLER://127.0.0.1:<controller_port>``: KRaft's controller, ``SASL_SSL`` with the PLAIN
  mechanism and only the ``admin`` login. SCRAM credentials live in the metadata log, which the
  controller serves, so the controller listener cannot use SCRAM itself (Kafka's documentation).

SCRAM users are created when the storage is formatted (``kafka-storage format --add-scram``),
so the user list is fixed by the first start of a data directory.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from fugitive_alerts.local.jars import BrokerError, _stderr
from fugitive_alerts.local.kafka import LocalBroker, _server_properties, broker_answers

__all__ = ["SecureLocalBroker", "generate_tls", "ADMIN", "MECHANISM"]

ADMIN = "admin"
"""The super user (``super.users=User:admin``): creates topics and ACLs, and the broker's own login."""
MECHANISM = "SCRAM-SHA-512"
_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


def _openssl(*args: str, cwd: Path) -> None:
    proc = subprocess.run(["openssl", *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise BrokerError(f"openssl {args[0]} failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}\n"
                          "Install OpenSSL 1.1.1 or newer (Debian/Ubuntu: apt-get install openssl).")


def generate_tls(directory: Path, store_password: str, days: int = 30) -> Path:
    """A CA and a broker certificate it signs, for 127.0.0.1 and localhost; returns the CA file.

    Writes ``ca.pem``/``ca.key`` and ``broker.p12`` (PKCS#12 key store, ``store_password``).
    Kept if they exist already.
    """
    directory.mkdir(parents=True, exist_ok=True)
    ca = directory / "ca.pem"
    if ca.exists() and (directory / "broker.p12").exists():
        return ca
    (directory / "broker.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n"
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
    )
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", str(days), "-subj", "/CN=fugitive-alerts local CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=directory)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "broker.key", "-out", "broker.csr",
             "-subj", "/CN=localhost", cwd=directory)  # fmt: skip
    _openssl("x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "broker.pem", "-days", str(days), "-sha256", "-extfile", "broker.ext", cwd=directory)
    _openssl("pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key", "-certfile", "ca.pem",
             "-name", "broker", "-out", "broker.p12", "-passout", f"pass:{store_password}", cwd=directory)
    for secret in ("ca.key", "broker.key", "broker.p12"):
        os.chmod(directory / secret, 0o600)
    return ca


class SecureLocalBroker(LocalBroker):
    """A local broker with SASL_SSL, SCRAM users and ACLs (see the module docstring).

    ``users``: the SCRAM principals besides ``admin`` (service principals and agencies), created
    at the first start of ``data_dir``. Their passwords: :meth:`password`.
    """

    def __init__(self, data_dir: Path, port: int | None = None, controller_port: int | None = None,
                 users: Iterable[str] = ()) -> None:
        super().__init__(data_dir, port, controller_port)
        self.users = [ADMIN, *(u for u in dict.fromkeys(users) if u != ADMIN)]

    # -- credentials --

    @property
    def credentials_path(self) -> Path:
        return self.data_dir / "credentials.json"

    @property
    def cafile(self) -> Path:
        """The CA certificate clients must trust (``KAFKA_SSL_CAFILE``)."""
        return self.data_dir / "tls" / "ca.pem"

    def _credentials(self) -> dict[str, str]:
        """SCRAM passwords per user (and the key store's), generated once and kept 0600."""
        try:
            saved: dict[str, str] = json.loads(self.credentials_path.read_text())
        except (OSError, ValueError):
            saved = {}
        missing = [u for u in [*self.users, "keystore"] if u not in saved]
        if missing:
            if (self.data_dir / "data" / "meta.properties").exists() and set(missing) - {"keystore"}:
                raise BrokerError(
                    f"users {missing} are not in the broker of {self.data_dir}: SCRAM users are created "
                    "when the storage is formatted. Use a new data directory to add users."
                )
            saved |= {u: secrets.token_urlsafe(18).replace("-", "x").replace("_", "y") for u in missing}
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.credentials_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(saved, out)
        return saved

    def password(self, user: str) -> str:
        """The SCRAM password of ``user`` (a :class:`BrokerError` for a user the broker does not have)."""
        creds = self._credentials()
        if user not in creds or user == "keystore":
            raise BrokerError(f"the secure broker has no user {user!r}; its users: {', '.join(self.users)}")
        return creds[user]

    def client_settings(self, user: str = ADMIN) -> dict[str, Any]:
        """``Settings`` fields that connect as ``user`` (bootstrap, SASL_SSL, SCRAM, the CA)."""
        return {
            "kafka_bootstrap_servers": self.bootstrap,
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": MECHANISM,
            "kafka_sasl_username": user,
            "kafka_sasl_password": SecretStr(self.password(user)),
            "kafka_ssl_cafile": self.cafile,
        }

    def client_kwargs(self, user: str = ADMIN) -> dict[str, object]:
        """aiokafka client arguments that connect as ``user``."""
        from schemas import Settings

        return Settings.model_construct(**self.client_settings(user)).kafka_client_kwargs()

    def answers(self, timeout: float = 2.0) -> bool:
        """True if the broker answers a metadata request from ``admin`` over SASL_SSL."""
        return broker_answers(self.bootstrap, timeout, self.client_kwargs(ADMIN))

    # -- configuration --

    def _write_config(self) -> Path:
        props = super()._write_config()
        creds = self._credentials()
        store = creds["keystore"]
        ca = generate_tls(self.data_dir / "tls", store)
        admin = creds[ADMIN]
        base = _server_properties(self.data_dir / "data", self.port, self.controller_port).splitlines()
        settings = dict(line.split("=", 1) for line in base if "=" in line and not line.startswith("#"))
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
        plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
        settings |= {
            "listeners": f"SASL_SSL://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"SASL_SSL://127.0.0.1:{self.port}",
            "inter.broker.listener.name": "SASL_SSL",
            "listener.security.protocol.map": "CONTROLLER:SASL_SSL,SASL_SSL:SASL_SSL",
            "sasl.enabled.mechanisms": MECHANISM,
            "sasl.mechanism.inter.broker.protocol": MECHANISM,
            f"listener.name.sasl_ssl.{MECHANISM.lower()}.sasl.jaas.config":
                f'{scram} required username="{ADMIN}" password="{admin}";',
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config":
                f'{plain} required username="{ADMIN}" password="{admin}" user_{ADMIN}="{admin}";',
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.location": str(self.data_dir / "tls" / "broker.p12"),
            "ssl.keystore.password": store,
            "ssl.key.password": store,
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(ca),
            "ssl.endpoint.identification.algorithm": "https",
            "authorizer.class.name": _AUTHORIZER,
            "super.users": f"User:{ADMIN}",
            "allow.everyone.if.no.acl.found": "false",
        }  # fmt: skip
        lines = ["# Generated by fugitive-alerts (secure broker) on every start; edits are overwritten."]
        lines += [f"{key}={value}" for key, value in settings.items()]
        fd = os.open(props, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds passwords
        with os.fdopen(fd, "w") as out:
            out.write("\n".join(lines) + "\n")
        os.chmod(props, 0o600)
        return props

    def _format_storage(self, props: Path, progress: Callable[[str], None] = _stderr) -> None:
        """Format the storage once, with a SCRAM-SHA-512 credential for every user."""
        if self._formatted():
            return
        cluster_id = self._cluster_id()
        creds = self._credentials()
        scram: list[str] = []
        for user in self.users:
            scram += ["--add-scram", f"{MECHANISM}=[name={user},password={creds[user]}]"]
        progress(f"Formatting secure Kafka storage in {self.data_dir / 'data'} ({len(self.users)} SCRAM users) ...")
        argv = self._argv("kafka.tools.StorageTool", "format", "--ignore-formatted",
                          "-t", cluster_id, "-c", str(props), *scram)  # fmt: skip
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            output = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
            for secret in creds.values():
                output = output.replace(secret, "***")
            raise BrokerError(f"formatting the secure Kafka storage in {self.data_dir} failed:\n{output}")
