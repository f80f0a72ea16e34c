package io.vxmesh.netlink.nl;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink request: the 16-byte nlmsghdr, the family header written field by field
 * (a request starts from {@link Ifinfomsg#request}, {@link Ndmsg#request}, ...), then
 * attributes. Header and struct fields are in host order; {@link #attrBe16} and addresses are
 * in network order, as the kernel wants them. Every attribute is padded to 4 bytes. The
 * sequence number is filled in by the socket when sent.
 */
public final class NlMsg {
  private static final java.lang.invoke.VarHandle INT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
  private byte[] b = new byte[64];
  private int pos;
  private final int type;

  NlMsg(int type, int flags) {
    this.type = type;
    pos = Rtnl.NLMSG_HDRLEN;
    put16(4, type);
    put16(6, flags | Rtnl.NLM_F_REQUEST);
  }

  public int type() {
    return type;
  }

  /** Current length in bytes (always 4-aligned between calls that add attributes). */
  int length() {
    return pos;
  }

  NlMsg u8(int v) {
    ensure(1);
    b[pos++] = (byte) v;
    return this;
  }

  NlMsg u16(int v) {
    ensure(2);
    put16(pos, v);
    pos += 2;
    return this;
  }

  NlMsg u32(int v) {
    ensure(4);
    put32(pos, v);
    pos += 4;
    return this;
  }

  public NlMsg attr(int type, byte[] value) {
    int len = 4 + value.length;
    ensure(align(len));
    put16(pos, len);
    put16(pos + 2, type);
    System.arraycopy(value, 0, b, pos + 4, value.length);
    Arrays.fill(b, pos + len, pos + align(len), (byte) 0);
    pos += align(len);
    return this;
  }

  public NlMsg attrU8(int type, int v) {
    return attr(type, new byte[] {(byte) v});
  }

  public NlMsg attrU16(int type, int v) {
    ensure(8);
    put16(pos, 6);
    put16(pos + 2, type);
    put16(pos + 4, v);
    put16(pos + 6, 0);
    pos += 8;
    return this;
  }

  /** A 16-bit value in network order (e.g. IFLA_VXLAN_PORT). */
  public NlMsg attrBe16(int type, int v) {
    return attr(type, new byte[] {(byte) (v >> 8), (byte) v});
  }

  public NlMsg attrU32(int type, int v) {
    ensure(8);
    put16(pos, 8);
    put16(pos + 2, type);
    put32(pos + 4, v);
    pos += 8;
    return this;
  }

  /** A 32-bit value in network order (nf_tables attributes are big-endian). */
  public NlMsg attrBe32(int type, int v) {
    return attr(type, new byte[] {(byte) (v >>> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v});
  }

  /** A 64-bit value in network order (nf_tables handles). */
  public NlMsg attrBe64(int type, long v) {
    byte[] b8 = new byte[8];
    for (int i = 0; i < 8; i++) {
      b8[i] = (byte) (v >>> (56 - 8 * i));
    }
    return attr(type, b8);
  }

  /** A NUL-terminated string. */
  public NlMsg attrString(int type, String s) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    return attr(type, Arrays.copyOf(raw, raw.length + 1));
  }

  /** An IP address in network order (4 or 16 bytes). */
  public NlMsg attrAddr(int type, InetAddress a) {
    return attr(type, a.getAddress());
  }

  /** Opens a nested attribute; close it with {@link #nestEnd(int)}. */
  public int nestStart(int type) {
    ensure(4);
    int at = pos;
    put16(pos + 2, type | Rtnl.NLA_F_NESTED);
    pos += 4;
    return at;
  }

  public NlMsg nestEnd(int at) {
    if (pos - at > 0xffff) { // nlattr.nla_len is 16 bits: a longer nest would be silently cut
      throw new IllegalArgumentException("nested attribute of " + (pos - at) + " bytes exceeds 65535");
    }
    put16(at, pos - at);
    return this;
  }

  /** Writes the final length and the given sequence number into a copy of the bytes. */
  public byte[] encode(int seq) {
    byte[] out = Arrays.copyOf(b, pos);
    writeHeader(out, 0, seq);
    return out;
  }

  /** Copies the message to {@code dst} at {@code off} with the given sequence number. */
  void encodeInto(byte[] dst, int off, int seq) {
    System.arraycopy(b, 0, dst, off, pos);
    writeHeader(dst, off, seq);
  }

  private void writeHeader(byte[] out, int off, int seq) {
    INT.set(out, off, pos);
    INT.set(out, off + 8, seq);
    INT.set(out, off + 12, 0);
  }

  static int align(int n) {
    return (n + 3) & ~3;
  }

  private void ensure(int n) {
    if (pos + n > b.length) {
      b = Arrays.copyOf(b, Math.max(b.length * 2, pos + n));
    }
  }

  private void put16(int at, int v) {
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      b[at] = (byte) v;
      b[at + 1] = (byte) (v >> 8);
    } else {
      b[at] = (byte) (v >> 8);
      b[at + 1] = (byte) v;
    }
  }

  private void put32(int at, int v) {
    INT.set(b, at, v);
  }
}
