package io.vxmesh.gossip;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads the gossip TCP stream {@code length (4) | PacketAuth frame} into authenticated
 * {@link GossipFrame}s, spending on unauthenticated bytes only what {@link SourceGuard} allows:
 * <ol>
 *   <li>the length and the frame's stamp (magic, version, fresh timestamp) are checked first,
 *       with 14 bytes buffered;
 *   <li>then the frame's bytes are reserved from the per-IP and global budgets, and only then
 *       buffered, into an array that grows as they arrive (so 14 bytes claiming a megabyte
 *       allocate 16 KB, not the megabyte) up to the capped length;
 *   <li>the MAC is verified on the complete frame before the body is parsed at all; the parsed
 *       frame goes down the pipeline, so nothing unauthenticated reaches a handler, Kryo or
 *       any Atomix queue.
 * </ol>
 * The first bad frame closes the connection and is counted against the socket's real peer IP
 * ({@link Rejections}, one log line per source per interval); a frame must complete within
 * {@code frameTimeout} once begun, and an inbound connection must deliver its first authentic
 * frame within it too, so nobody holds budget or a connection slot by trickling bytes.
 *
 * <p>One instance per channel, used on its event loop only.
 */
final class FrameReader extends ChannelInboundHandlerAdapter {
  /** The TCP transport's MAC domain ({@link PacketAuth} binds a type into every MAC). */
  static final String MAC_DOMAIN = "vxmesh-tcp";
  private static final int LENGTH = 4;
  private static final int HEAD = LENGTH + PacketAuth.STAMP;
  /** Shortest frame body: a response without payload. */
  private static final int MIN_FRAME = PacketAuth.HEADER + 1 + 8 + 1;

  private final PacketAuth auth;
  private final SourceGuard guard;
  private final Rejections rejections;
  private final Duration frameTimeout;
  private final boolean inbound;

  /** Arrays start this small and double as bytes arrive: a claimed length costs nothing by itself. */
  private static final int FIRST_CHUNK = 16 * 1024;

  private final byte[] head = new byte[HEAD];
  private int headFill;
  private byte[] frame;
  private int frameLength;
  private int fill;
  private InetAddress peer;
  private ScheduledFuture<?> deadline;
  private boolean failed;
  private boolean authenticated;

  /** @param inbound an accepted connection: must authenticate its first frame within the timeout */
  FrameReader(PacketAuth auth, SourceGuard guard, Rejections rejections, Duration frameTimeout, boolean inbound) {
    this.auth = auth;
    this.guard = guard;
    this.rejections = rejections;
    this.frameTimeout = frameTimeout;
    this.inbound = inbound;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    learnPeer(ctx);
    if (inbound) {
      arm(ctx, "no authentic frame within " + frameTimeout.toMillis() + " ms of connecting");
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    learnPeer(ctx);
    ctx.fireChannelActive();
  }

  private void learnPeer(ChannelHandlerContext ctx) {
    if (peer == null && ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
      peer = a.getAddress();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      while (!failed && buf.isReadable()) {
        if (frame == null) {
          int n = Math.min(HEAD - headFill, buf.readableBytes());
          buf.readBytes(head, headFill, n);
          headFill += n;
          if (headFill == HEAD && !begin(ctx)) {
            return;
          }
        } else {
          if (fill == frame.length) {
            frame = Arrays.copyOf(frame, (int) Math.min(frameLength, 2L * frame.length));
          }
          int n = Math.min(frame.length - fill, buf.readableBytes());
          buf.readBytes(frame, fill, n);
          fill += n;
          if (fill == frameLength && !complete(ctx)) {
            return;
          }
        }
      }
    } finally {
      buf.release();
    }
  }

  /** Checks the length and stamp, reserves the budget, starts the frame; false when it failed. */
  private boolean begin(ChannelHandlerContext ctx) {
    int len = (head[0] & 0xff) << 24 | (head[1] & 0xff) << 16 | (head[2] & 0xff) << 8 | head[3] & 0xff;
    if (len < MIN_FRAME || len > guard.limits().frameBytes()) {
      return fail(ctx, len > guard.limits().frameBytes() ? PacketAuth.TOO_LARGE : PacketAuth.MALFORMED, "frame length " + Integer.toUnsignedString(len) + " outside " + MIN_FRAME + ".." + guard.limits().frameBytes());
    }
    if (!auth.plausible(head, LENGTH)) {
      return fail(ctx, PacketAuth.MALFORMED, "not a vxmesh frame or timestamp outside the window");
    }
    if (!guard.reserve(peer, len)) {
      return fail(ctx, PacketAuth.OVER_BUDGET, "frame of " + len + " bytes over the receive budget");
    }
    frameLength = len;
    frame = new byte[Math.min(len, FIRST_CHUNK)];
    System.arraycopy(head, LENGTH, frame, 0, PacketAuth.STAMP);
    fill = PacketAuth.STAMP;
    headFill = 0;
    if (authenticated || !inbound) {
      arm(ctx, "frame incomplete after " + frameTimeout.toMillis() + " ms");
    }
    return true;
  }

  private boolean complete(ChannelHandlerContext ctx) {
    byte[] f = frame;
    byte[] body;
    try {
      auth.traffic("tcp", "in", f.length);
      body = auth.open(MAC_DOMAIN, f);
    } finally {
      releaseFrame();
    }
    if (body == null) {
      return fail(ctx, PacketAuth.BAD_MAC, "bad MAC or stale timestamp");
    }
    GossipFrame g;
    try {
      g = GossipFrame.decode(body);
    } catch (IllegalArgumentException e) { // authentic, yet malformed: a peer with a bug
      return fail(ctx, PacketAuth.MALFORMED, e.getMessage());
    }
    authenticated = true;
    disarm();
    ctx.fireChannelRead(g);
    return !failed;
  }

  private boolean fail(ChannelHandlerContext ctx, String reason, String why) {
    if (failed) {
      return false;
    }
    failed = true;
    releaseFrame();
    disarm();
    guard.rejected(peer);
    rejections.reject(peer, reason, why);
    ctx.close();
    return false;
  }

  private void arm(ChannelHandlerContext ctx, String why) {
    disarm();
    deadline = ctx.executor().schedule(() -> {
      deadline = null;
      fail(ctx, PacketAuth.TIMEOUT, why);
    }, frameTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  private void releaseFrame() {
    if (frame != null) {
      guard.release(peer, frameLength);
      frame = null;
      fill = 0;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    failed = true;
    releaseFrame();
    disarm();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseFrame();
    disarm();
  }
}
