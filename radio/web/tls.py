"""The console's own HTTPS certificate: browsers give the microphone only to secure pages.

A commune's console is reached on its Wi-Fi by a private address; no public authority will
certify that. So the station makes its own certificate once (``cryptography``): an EC P-256
key, self-signed, valid ten years, naming localhost, the PC's host name and its addresses
(and the address `radio web` listens on), and marked as a certificate authority so that a
phone can install it as trusted (Android and iOS install only CA certificates). It is kept
in the station home (the key readable by the station's user only) and reused: a phone
trusts it once. docs/commands-web.md says how.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
from pathlib import Path

from radio.home import StationHome

VALID_DAYS = 3650


def _addresses(listen_host: str) -> tuple[list[str], list[ipaddress._BaseAddress]]:
    names = {"localhost", socket.gethostname()}
    ips = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            ips.add(ipaddress.ip_address(info[4][0].split("%")[0]))
    except OSError:
        pass
    try:
        ips.add(ipaddress.ip_address(listen_host))
    except ValueError:
        if listen_host:
            names.add(listen_host)
    ips = {ip for ip in ips if not ip.is_unspecified}
    return sorted(names), sorted(ips, key=str)


def ensure_certificate(home: Path, listen_host: str = "") -> tuple[Path, Path]:
    """(certificate, key) in the station home, made the first time."""
    layout = StationHome(home)
    cert_path, key_path = layout.web_certificate, layout.web_certificate_key
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    names, ips = _addresses(listen_host)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"radio console {socket.gethostname()}"[:64]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "radio")])  # fmt: skip
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([*map(x509.DNSName, names), *map(x509.IPAddress, ips)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))  # fmt: skip
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path
