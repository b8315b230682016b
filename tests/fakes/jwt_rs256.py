"""jwt_rs256.py — checking RS256 JWTs in the test fakes, standard library only.

The public key is read with the `openssl` command (modulus and exponent);
the signature is checked by RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.2):
sig^e mod n must equal the padded DigestInfo of SHA-256(header.claims).
The Snowflake fake uses fingerprint() for the iss claim.
"""
import base64
import hashlib
import json
import re
import subprocess

# DER prefix of DigestInfo for SHA-256 (RFC 8017 §9.2, note 1)
SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


class PublicKey:
    def __init__(self, pem_path):
        text = subprocess.run(["openssl", "rsa", "-pubin", "-in", pem_path, "-noout", "-text"],
                              check=True, capture_output=True, text=True).stdout
        m = re.search(r"Modulus:\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
        e = re.search(r"Exponent: (\d+)", text)
        self.n = int(re.sub(r"[\s:]", "", m.group(1)), 16)
        self.e = int(e.group(1))
        self.size = (self.n.bit_length() + 7) // 8
        der = subprocess.run(["openssl", "pkey", "-pubin", "-in", pem_path, "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.fingerprint = base64.b64encode(hashlib.sha256(der).digest()).decode()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def verify(token, key):
    """The claims of token if its RS256 signature verifies with key, else
    raises ValueError saying why."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a compact JWT")
    header = json.loads(b64url_decode(parts[0]))
    if header != {"alg": "RS256", "typ": "JWT"}:
        raise ValueError("unexpected header %r" % header)
    sig = b64url_decode(parts[2])
    if len(sig) != key.size:
        raise ValueError("signature of the wrong length")
    em = pow(int.from_bytes(sig, "big"), key.e, key.n).to_bytes(key.size, "big")
    digest = hashlib.sha256((parts[0] + "." + parts[1]).encode()).digest()
    t = SHA256_PREFIX + digest
    expected = b"\x00\x01" + b"\xff" * (key.size - len(t) - 3) + b"\x00" + t
    if em != expected:
        raise ValueError("Invalid JWT Signature.")
    return json.loads(b64url_decode(parts[1]))
