#!/usr/bin/env python3
"""Regenerates tests/fuzz/corpus/decode: one file per seed, first byte = link selector
(0 Ethernet, 1 Null, 2 Loop, 3 Raw, 4 IPv4, 5 IPv6, 6 SLL, 7 SLL2), the rest = the frame.
Checksums are left zero: the decoder treats them as verdicts, not as errors."""
import os, struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "decode")

def ipv4(proto, body, opts=b"", src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02", frag=0x4000):
    ihl = 5 + len(opts) // 4
    return struct.pack("!BBHHHBBH", 0x40 | ihl, 0, ihl * 4 + len(body), 1, frag, 64, proto, 0) + src + dst + opts + body

def ipv6(nh, body, hop=64):
    return struct.pack("!IHBB", 0x60000000, len(body), nh, hop) + bytes(15) + b"\x01" + bytes(15) + b"\x02" + body

def tcp(sport=40000, dport=80, flags=0x18, opts=b"", data=b""):
    doff = 5 + len(opts) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, doff << 4, flags, 65535, 0, 0) + opts + data

def udp(sport=5353, dport=53, data=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data

def eth(etype, body):
    return b"\x02" * 6 + b"\x04" * 6 + struct.pack("!H", etype) + body

SYN_OPTS = b"\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00\x01\x03\x03\x07"
HTTP = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
DNS = bytes.fromhex("123401000001000000000000076578616d706c6503636f6d0000010001")

seeds = {
    "eth-ipv4-tcp-syn": (0, eth(0x0800, ipv4(6, tcp(flags=0x02, opts=SYN_OPTS)))),
    "eth-ipv4-tcp-http": (0, eth(0x0800, ipv4(6, tcp(data=HTTP)))),
    "eth-ipv4-udp-dns-padded": (0, eth(0x0800, ipv4(17, udp(data=DNS))) + bytes(6)),
    "eth-ipv4-icmp-echo": (0, eth(0x0800, ipv4(1, b"\x08\x00\x00\x00\x00\x07\x00\x01ping"))),
    "eth-ipv4-icmp-fragneeded": (0, eth(0x0800, ipv4(1, b"\x03\x04\x00\x00\x00\x00\x05\xdc" + ipv4(6, tcp())[:28]))),
    "eth-ipv4-options-rr": (0, eth(0x0800, ipv4(17, udp(data=b"x"), opts=b"\x07\x07\x04" + bytes(4) + b"\x00"))),
    "eth-ipv4-frag-second": (0, eth(0x0800, ipv4(17, b"fragment-data", frag=0x0003))),
    "eth-ipv4-frag-first": (0, eth(0x0800, ipv4(17, udp(data=b"first"), frag=0x2000))),
    "eth-vlan-ipv4-udp": (0, eth(0x8100, b"\x00\x64\x08\x00" + ipv4(17, udp(data=b"v")))),
    "eth-qinq-ipv6-tcp": (0, eth(0x88a8, b"\x00\x0a\x81\x00\x00\x14\x86\xdd" + ipv6(6, tcp(data=b"q")))),
    "eth-ipv6-hop-frag-udp": (0, eth(0x86dd, ipv6(0, b"\x2c\x00\x01\x04\x00\x00\x00\x00" + b"\x11\x00\x00\x01\x00\x00\x00\x2a" + udp(data=b"6")))),
    "eth-ipv6-icmpv6-ptb": (0, eth(0x86dd, ipv6(58, b"\x02\x00\x00\x00\x00\x00\x05\x00" + ipv6(17, udp())))),
    "eth-ipv6-routing-dst-ah": (0, eth(0x86dd, ipv6(43, b"\x3c\x00\x00\x00\x00\x00\x00\x00" + b"\x33\x00\x01\x04\x00\x00\x00\x00" + b"\x06\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01" + tcp()))),
    "eth-gre-key-seq-ipv4": (0, eth(0x0800, ipv4(47, b"\x30\x00\x08\x00\x00\x00\x00\x2a\x00\x00\x00\x01" + ipv4(17, udp(data=b"g"))))),
    "eth-gre-teb-eth": (0, eth(0x0800, ipv4(47, b"\x00\x00\x65\x58" + eth(0x0800, ipv4(6, tcp()))))),
    "eth-ipip": (0, eth(0x0800, ipv4(4, ipv4(17, udp(data=b"i"))))),
    "eth-6in4": (0, eth(0x0800, ipv4(41, ipv6(17, udp(data=b"6in4"))))),
    "eth-mpls-ipv4": (0, eth(0x8847, b"\x00\x01\x01\x40" + ipv4(6, tcp()))),
    "eth-mpls-pw-eth": (0, eth(0x8847, b"\x00\x01\x11\x40" + b"\x00\x00\x00\x00" + eth(0x0800, ipv4(17, udp())))),
    "eth-arp": (0, eth(0x0806, bytes.fromhex("0001080006040001020202020202c0a80001000000000000c0a80002"))),
    "null-le-ipv4": (1, b"\x02\x00\x00\x00" + ipv4(17, udp(data=b"n"))),
    "null-ipv6": (1, b"\x1e\x00\x00\x00" + ipv6(6, tcp())),
    "loop-ipv4": (2, b"\x00\x00\x00\x02" + ipv4(6, tcp(data=b"loop"))),
    "raw-ipv4": (3, ipv4(17, udp(data=b"raw"))),
    "raw-ipv6": (3, ipv6(17, udp(data=b"raw6"))),
    "ipv4-gre-v1": (4, ipv4(47, b"\x30\x81\x88\x0b\x00\x04\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00")),
    "ipv6-esp": (5, ipv6(50, b"\x00\x00\x10\x01\x00\x00\x00\x01" + bytes(16))),
    "sll-ipv4-tcp": (6, struct.pack("!HHH8sH", 0, 1, 6, b"\x02" * 6 + b"\x00\x00", 0x0800) + ipv4(6, tcp(data=b"sll"))),
    "sll2-ipv6-udp": (7, struct.pack("!HHIHBB8s", 0x86dd, 0, 2, 1, 0, 6, b"\x02" * 6 + b"\x00\x00") + ipv6(17, udp(data=b"sll2"))),
    "eth-truncated-ipv4": (0, eth(0x0800, ipv4(6, tcp(data=HTTP)))[:40]),
}

os.makedirs(OUT, exist_ok=True)
for name, (sel, frame) in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([sel]) + frame)
print(f"wrote {len(seeds)} seeds to {OUT}")
