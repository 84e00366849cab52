from pathlib import Path

import pytest


@pytest.fixture(params=["trio", "asyncio"])
def anyio_backend(request):
    """`@pytest.mark.anyio` tests run on both backends; trio is the home backend."""
    return request.param


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`trio_mode` marks every async test as a trio test, which would run an `anyio` test on
    trio whatever its `anyio_backend`: take that mark off, so that anyio's plugin runs it on the
    backend it names (both, with the fixture above). A test on trio's mock clock
    (`autojump_clock`) is about trio's time: it is pytest-trio's, never marked `anyio`."""
    for item in items:
        if item.get_closest_marker("anyio") is not None:
            item.own_markers = [m for m in item.own_markers if m.name != "trio"]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 and its key: (cert, key) PEM files, for
    the TLS servers of the pool's tests (HTTP/2, dials, the hostile HTTP/2 server)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    paths = directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths
