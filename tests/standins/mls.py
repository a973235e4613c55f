"""The voice gateway's side of DAVE's MLS group: the external sender, as Discord's voice servers
are (daveprotocol.com, "External Sender"; RFC 9420).

DAVE members run MLS themselves (discord.py through davey); the voice gateway is not a member. It
is the group's *external sender*: it hands every member its public key and credential (opcode 25),
proposes adding each member who sent a key package and removing each who left (opcode 27, MLS
Add and Remove proposals it signs), and relays the commit and welcome a member answers with
(opcode 28 in; 29 and 30 out). So what the stand-in needs of MLS is small and written here from
RFC 9420's wire format: the TLS presentation language's variable-length vectors, an
ExternalSender, Add and Remove proposals framed as PublicMessages from an external sender and
signed with the gateway's P-256 key (DAVE protocol version 1 is
ciphersuite 2, MLS_128_DHKEMP256_AES128GCM_SHA256_P256), and enough of a parser to tell where the
commit ends and the welcome begins in an opcode 28 payload.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

MLS10 = 1  # ProtocolVersion mls10
PUBLIC_MESSAGE = 1  # WireFormat mls_public_message
EXTERNAL_SENDER, MEMBER_SENDER = 2, 1  # SenderType
PROPOSAL, COMMIT = 2, 3  # ContentType
ADD, REMOVE = 1, 3  # ProposalType
BASIC_CREDENTIAL = 1  # CredentialType
_KEY_PACKAGE_SOURCE, _COMMIT_SOURCE = 1, 3  # LeafNodeSource
_X509_CREDENTIAL = 2


def varint(value: int) -> bytes:
    """RFC 9420 2.1.2: the length of a vector in 1, 2 or 4 bytes, its top two bits saying which."""
    if value < 1 << 6:
        return struct.pack(">B", value)
    if value < 1 << 14:
        return struct.pack(">H", value | 0x4000)
    if value < 1 << 30:
        return struct.pack(">I", value | 0x8000_0000)
    raise ValueError("too long for an MLS vector")


def vector(data: bytes) -> bytes:
    """An `opaque data<V>`: its length, then the bytes."""
    return varint(len(data)) + data


class Reader:
    """Reads TLS-serialized MLS structures; a malformed one raises ValueError."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data, self.offset = data, offset

    def take(self, count: int) -> bytes:
        if self.offset + count > len(self.data):
            raise ValueError("truncated MLS structure")
        chunk = self.data[self.offset : self.offset + count]
        self.offset += count
        return chunk

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def vector(self) -> bytes:
        first = self.uint(1)
        prefix = first >> 6
        if prefix == 3:
            raise ValueError("invalid MLS vector length")
        length = first & 0x3F
        for _ in range((1 << prefix) - 1):
            length = (length << 8) | self.uint(1)
        return self.take(length)


class ExternalSender:
    """The voice gateway's signing key and credential, one per call."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        public = self._key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        # ExternalSender { SignaturePublicKey signature_key; Credential credential; }
        credential = struct.pack(">H", BASIC_CREDENTIAL) + vector(b"voice gateway")
        self.package = vector(public) + credential

    def add_proposal(self, group_id: bytes, epoch: int, key_package: bytes) -> bytes:
        """An MLSMessage: a PublicMessage from this external sender proposing to add the owner of
        `key_package` (as a member sent it in opcode 26) to the group at `epoch`."""
        return self._proposal(group_id, epoch, struct.pack(">H", ADD) + key_package)

    def remove_proposal(self, group_id: bytes, epoch: int, leaf_index: int) -> bytes:
        """An MLSMessage proposing to remove the member at `leaf_index` (they left the call)."""
        return self._proposal(group_id, epoch, struct.pack(">HI", REMOVE, leaf_index))

    def _proposal(self, group_id: bytes, epoch: int, proposal: bytes) -> bytes:
        content = (
            vector(group_id)
            + struct.pack(">QBI", epoch, EXTERNAL_SENDER, 0)  # sender_index 0: the only one
            + vector(b"")  # authenticated_data
            + struct.pack(">B", PROPOSAL)
            + proposal
        )
        framing = struct.pack(">HH", MLS10, PUBLIC_MESSAGE)
        # FramedContentTBS carries no GroupContext for an external sender.
        signature = self._sign_with_label(b"FramedContentTBS", framing + content)
        # No membership_tag: only members' messages have one.
        return framing + content + vector(signature)

    def _sign_with_label(self, label: bytes, content: bytes) -> bytes:
        sign_content = vector(b"MLS 1.0 " + label) + vector(content)
        return self._key.sign(sign_content, ec.ECDSA(hashes.SHA256()))  # DER, as MLS's ECDSA


@dataclass(frozen=True)
class CommitWelcome:
    """An opcode 28 payload split in two: the MLSMessage with the commit, then the Welcome of
    the members it adds (absent when it adds none)."""

    commit: bytes
    epoch: int
    welcome: bytes | None


def split_commit_welcome(payload: bytes) -> CommitWelcome:
    """Where the commit ends is known only by parsing it: a PublicMessage whose content is a
    Commit (its proposals, an optional UpdatePath), then its signature, confirmation tag and
    membership tag. Anything else raises ValueError, as the real gateway refuses it."""
    reader = Reader(payload)
    if reader.uint(2) != MLS10 or reader.uint(2) != PUBLIC_MESSAGE:
        raise ValueError("not an MLS 1.0 PublicMessage")
    reader.vector()  # group_id
    epoch = reader.uint(8)
    if reader.uint(1) != MEMBER_SENDER:
        raise ValueError("a commit must come from a member")
    reader.uint(4)  # leaf_index
    reader.vector()  # authenticated_data
    if reader.uint(1) != COMMIT:
        raise ValueError("not a commit")
    reader.vector()  # proposals (by reference)
    if reader.uint(1):
        _skip_update_path(reader)
    reader.vector()  # signature
    reader.vector()  # confirmation_tag
    reader.vector()  # membership_tag
    commit, rest = payload[: reader.offset], payload[reader.offset :]
    return CommitWelcome(commit, epoch, rest or None)


def _skip_update_path(reader: Reader) -> None:
    # LeafNode
    reader.vector()  # encryption_key
    reader.vector()  # signature_key
    credential_type = reader.uint(2)
    if credential_type not in (BASIC_CREDENTIAL, _X509_CREDENTIAL):
        raise ValueError("unknown credential type")
    reader.vector()  # identity, or the certificates
    for _ in range(5):  # capabilities: versions, ciphersuites, extensions, proposals, credentials
        reader.vector()
    source = reader.uint(1)
    if source == _KEY_PACKAGE_SOURCE:
        reader.take(16)  # lifetime
    elif source == _COMMIT_SOURCE:
        reader.vector()  # parent_hash
    reader.vector()  # extensions
    reader.vector()  # signature
    reader.vector()  # UpdatePathNode nodes<V>
