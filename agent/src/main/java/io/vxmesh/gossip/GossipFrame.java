package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One message of vxmesh's gossip TCP transport ({@link GossipMessaging}), the body of a
 * {@link PacketAuth} frame, so every field below is covered by the MAC:
 * <pre>
 * request:  1 | id (8) | type length (1) | type (UTF-8) | sender IP length (1: 4 or 16) | sender IP | sender port (2) | payload
 * response: 2 | id (8) | status (1: 0 ok, 1 handler failed, 2 no handler, 3 refused) | payload
 * </pre>
 * The sender is the requester's gossip (listening) address: what Atomix's handlers receive as
 * {@code from} and what the {@link PacketFilter} matches. It is trusted only because the frame
 * authenticated; rejections are never counted against it (the socket's peer IP is used).
 */
record GossipFrame(byte kind, long id, String type, HostPort sender, byte status, byte[] payload) {
  static final byte REQUEST = 1;
  static final byte RESPONSE = 2;
  static final byte OK = 0;
  static final byte FAILED = 1;
  static final byte NO_HANDLER = 2;
  static final byte REFUSED = 3;
  static final int MAX_TYPE = 255;

  static GossipFrame request(long id, String type, HostPort sender, byte[] payload) {
    return new GossipFrame(REQUEST, id, type, sender, OK, payload);
  }

  static GossipFrame response(long id, byte status, byte[] payload) {
    return new GossipFrame(RESPONSE, id, null, null, status, payload);
  }

  boolean isRequest() {
    return kind == REQUEST;
  }

  byte[] encode() {
    if (kind == RESPONSE) {
      return ByteBuffer.allocate(1 + 8 + 1 + payload.length).put(kind).putLong(id).put(status).put(payload).array();
    }
    byte[] t = type.getBytes(StandardCharsets.UTF_8);
    byte[] ip = sender.host().getAddress();
    if (t.length == 0 || t.length > MAX_TYPE) {
      throw new IllegalArgumentException("message type of " + t.length + " bytes (1.." + MAX_TYPE + ")");
    }
    return ByteBuffer.allocate(1 + 8 + 1 + t.length + 1 + ip.length + 2 + payload.length)
        .put(kind).putLong(id).put((byte) t.length).put(t).put((byte) ip.length).put(ip)
        .putShort((short) sender.port()).put(payload).array();
  }

  /** Parses an authenticated body; throws IllegalArgumentException naming what is wrong. */
  static GossipFrame decode(byte[] body) {
    try {
      ByteBuffer b = ByteBuffer.wrap(body);
      byte kind = b.get();
      long id = b.getLong();
      if (kind == RESPONSE) {
        byte status = b.get();
        if (status < OK || status > REFUSED) {
          throw new IllegalArgumentException("unknown response status " + status);
        }
        return response(id, status, rest(b));
      }
      if (kind != REQUEST) {
        throw new IllegalArgumentException("unknown frame kind " + kind);
      }
      int tl = b.get() & 0xff;
      if (tl == 0) {
        throw new IllegalArgumentException("empty message type");
      }
      byte[] t = new byte[tl];
      b.get(t);
      int il = b.get() & 0xff;
      if (il != 4 && il != 16) {
        throw new IllegalArgumentException("sender address of " + il + " bytes");
      }
      byte[] ip = new byte[il];
      b.get(ip);
      int port = b.getShort() & 0xffff;
      if (port == 0) {
        throw new IllegalArgumentException("sender port 0");
      }
      return request(id, new String(t, StandardCharsets.UTF_8), new HostPort(InetAddress.getByAddress(ip), port), rest(b));
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated frame of " + body.length + " bytes");
    } catch (UnknownHostException e) { // only for a bad length, excluded above
      throw new IllegalArgumentException("bad sender address");
    }
  }

  private static byte[] rest(ByteBuffer b) {
    byte[] p = new byte[b.remaining()];
    b.get(p);
    return p;
  }
}
