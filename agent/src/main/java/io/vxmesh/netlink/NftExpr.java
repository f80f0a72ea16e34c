package io.vxmesh.netlink;

import java.util.HexFormat;

/**
 * One nf_tables rule expression, as {@code nft --debug=netlink} prints it. Only the kinds the
 * VXLAN filter uses are decoded; anything else comes back as {@link Other} (never written).
 * Registers: 0 is the verdict register, 1 the first data register.
 */
public sealed interface NftExpr {
  /** The first data register. */
  int REG_1 = io.vxmesh.netlink.nl.Nft.NFT_REG_1;
  /** Meta key {@code l4proto}. */
  int META_L4PROTO = io.vxmesh.netlink.nl.Nft.NFT_META_L4PROTO;
  /** Payload bases: the network (IP) header and the transport (UDP) header. */
  int NETWORK_HEADER = io.vxmesh.netlink.nl.Nft.NFT_PAYLOAD_NETWORK_HEADER;
  int TRANSPORT_HEADER = io.vxmesh.netlink.nl.Nft.NFT_PAYLOAD_TRANSPORT_HEADER;
  /** Lookup flag: match when the key is NOT in the set. */
  int LOOKUP_INV = io.vxmesh.netlink.nl.Nft.NFT_LOOKUP_F_INV;
  /** Verdict {@code drop}. */
  int DROP = io.vxmesh.netlink.nl.Nft.NF_DROP;

  /** {@code [ meta load KEY => reg DREG ]}, e.g. key 16 = l4proto. */
  record Meta(int key, int dreg) implements NftExpr {}

  /** {@code [ cmp OP reg SREG DATA ]}; {@code data} as lower-case hex of the raw bytes. */
  record Cmp(int sreg, int op, String data) implements NftExpr {
    public static Cmp eq(int sreg, byte[] data) {
      return new Cmp(sreg, 0, HexFormat.of().formatHex(data));
    }
  }

  /** {@code [ payload load LEN b @ BASE header + OFFSET => reg DREG ]}. */
  record Payload(int base, int offset, int len, int dreg) implements NftExpr {}

  /** {@code [ lookup reg SREG set SET FLAGS ]}; flags 1 = NFT_LOOKUP_F_INV (not in the set). */
  record Lookup(String set, int sreg, int flags) implements NftExpr {}

  /** {@code [ counter pkts P bytes B ]} (zero when written). */
  record Counter(long packets, long bytes) implements NftExpr {}

  /** {@code [ immediate reg 0 VERDICT ]}: 0 drop, 1 accept. */
  record Verdict(int code) implements NftExpr {}

  /** An expression of a kind this codec does not decode. */
  record Other(String name) implements NftExpr {}
}
