package io.vxmesh.netlink.nl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The attributes of one message (or one nested attribute), indexed by type. Parsing stops
 * quietly at a malformed attribute (a length that runs past the end), as the kernel's own
 * parser does; unknown types are kept and simply never asked for.
 */
public final class NlAttrs {
  private final ByteBuffer buf;
  private int start;
  private int end;
  private int[] off = new int[32];
  private int[] len = new int[32];

  private NlAttrs(ByteBuffer buf) {
    this.buf = buf;
  }

  /** Parses attributes in {@code buf} from {@code start} (inclusive) to {@code end} (exclusive). */
  static NlAttrs parse(ByteBuffer buf, int start, int end) {
    ByteBuffer b = buf.duplicate().order(ByteOrder.nativeOrder());
    NlAttrs a = new NlAttrs(b);
    a.start = start;
    a.end = end;
    Arrays.fill(a.off, -1);
    int p = start;
    while (p + 4 <= end) {
      int l = b.getShort(p) & 0xffff;
      int t = b.getShort(p + 2) & Rtnl.NLA_TYPE_MASK;
      if (l < 4 || p + l > end) {
        break;
      }
      if (t >= a.off.length) {
        int n = Math.max(t + 1, a.off.length * 2);
        int old = a.off.length;
        a.off = Arrays.copyOf(a.off, n);
        a.len = Arrays.copyOf(a.len, n);
        Arrays.fill(a.off, old, n, -1);
      }
      a.off[t] = p + 4;
      a.len[t] = l - 4;
      p += NlMsg.align(l);
    }
    return a;
  }

  public boolean has(int type) {
    return type < off.length && off[type] >= 0;
  }

  public int length(int type) {
    return has(type) ? len[type] : -1;
  }

  public byte[] bytes(int type) {
    if (!has(type)) {
      return null;
    }
    byte[] out = new byte[len[type]];
    buf.get(off[type], out);
    return out;
  }

  public int u8(int type, int dflt) {
    return has(type) && len[type] >= 1 ? buf.get(off[type]) & 0xff : dflt;
  }

  public int u16(int type, int dflt) {
    return has(type) && len[type] >= 2 ? buf.getShort(off[type]) & 0xffff : dflt;
  }

  public int be16(int type, int dflt) {
    return has(type) && len[type] >= 2 ? (buf.get(off[type]) & 0xff) << 8 | (buf.get(off[type] + 1) & 0xff) : dflt;
  }

  public int u32(int type, int dflt) {
    return has(type) && len[type] >= 4 ? buf.getInt(off[type]) : dflt;
  }

  /** A 32-bit value in network order (nf_tables). */
  public int be32(int type, int dflt) {
    return has(type) && len[type] >= 4 ? buf.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(off[type]) : dflt;
  }

  /** A 64-bit value in network order (nf_tables handles and counters). */
  public long be64(int type, long dflt) {
    return has(type) && len[type] >= 8 ? buf.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(off[type]) : dflt;
  }

  /** Every attribute of one type, in order (nf_tables lists: NFTA_LIST_ELEM repeated). */
  public java.util.List<NlAttrs> nestedAll(int type) {
    java.util.List<NlAttrs> out = new java.util.ArrayList<>();
    int p = start;
    while (p + 4 <= end) {
      int l = buf.getShort(p) & 0xffff;
      int t = buf.getShort(p + 2) & Rtnl.NLA_TYPE_MASK;
      if (l < 4 || p + l > end) {
        break;
      }
      if (t == type) {
        out.add(parse(buf, p + 4, p + l));
      }
      p += NlMsg.align(l);
    }
    return out;
  }

  /** A NUL-terminated string (the NUL and anything after it dropped). */
  public String string(int type) {
    byte[] raw = bytes(type);
    if (raw == null) {
      return null;
    }
    int n = 0;
    while (n < raw.length && raw[n] != 0) {
      n++;
    }
    return new String(raw, 0, n, StandardCharsets.UTF_8);
  }

  public InetAddress addr(int type) {
    byte[] raw = bytes(type);
    if (raw == null || (raw.length != 4 && raw.length != 16)) {
      return null;
    }
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The attributes nested inside {@code type}, or an empty set. */
  public NlAttrs nested(int type) {
    if (!has(type)) {
      return parse(buf, 0, 0);
    }
    return parse(buf, off[type], off[type] + len[type]);
  }
}
