package io.vxmesh.gossip;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.MessagingException;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.utils.net.Address;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.vxmesh.net.HostPort;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vxmesh's own gossip TCP transport, in place of Atomix's NettyMessagingService, which read and
 * queued whole messages (allocating by a length field anyone could write) before vxmesh could
 * check their MAC: 64 forged 1 MB messages exhausted a 64 MB heap (issue 12). Here nothing is
 * buffered before {@link SourceGuard} allows it and nothing reaches a handler (so Atomix's
 * Kryo) before the MAC is verified ({@link FrameReader}); see {@link GossipFrame} for the wire
 * format. It gives Atomix's SWIM what it uses of {@link ManagedMessagingService}: handlers by
 * message type, one-way messages, request/response matched by id, timeouts.
 *
 * <ul>
 *   <li>One pooled connection per peer, whatever {@code keepAlive} says: a SWIM probe is a few
 *       hundred bytes, a connection per probe only costs handshakes.
 *   <li>The caller's timeout is enforced here (a frozen peer's kernel accepts the connection and
 *       nobody answers; Atomix 3.1.12's own timeout did not fire then, FACTS.md). A request to a
 *       peer whose socket buffer is full fails at once instead of queueing.
 *   <li>{@link PacketFilter}: a filtered request is not sent (the caller sees a connect failure)
 *       and a filtered incoming one is refused (the sender sees a handler failure).
 *   <li>Connections idle for {@link #IDLE_TIMEOUT} are closed; at most
 *       {@link #MAX_IN_FLIGHT_PER_CONNECTION} requests per connection are handled at a time (reading
 *       pauses beyond), at most {@link #MAX_PENDING} of our requests await answers.
 * </ul>
 *
 * <p>Threads: two Netty event loops (epoll when available), daemon; handlers registered with an
 * executor run there, the others on the event loop.
 */
final class GossipMessaging implements ManagedMessagingService {
  private static final Logger log = LoggerFactory.getLogger(GossipMessaging.class);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration FRAME_TIMEOUT = Duration.ofSeconds(5);
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
  static final int MAX_PENDING = 4096;
  static final int MAX_IN_FLIGHT_PER_CONNECTION = 64;

  /** A registered handler; a null future means "no answer" (one-way). */
  private interface Handler {
    CompletableFuture<byte[]> handle(Address from, byte[] payload);
  }

  private record Pending(CompletableFuture<byte[]> future, Channel channel) {}

  private final Address address;
  private final HostPort self;
  private final InetSocketAddress bind;
  private final PacketAuth auth;
  private final Rejections rejections;
  private final SourceGuard guard;
  private final PacketFilter filter;
  private final BiConsumer<Address, String> onRequest;
  private final Duration connectTimeout;
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  private final Map<HostPort, ChannelFuture> connections = new ConcurrentHashMap<>();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong(new SecureRandom().nextLong() & Long.MAX_VALUE | 1);

  private volatile EventLoopGroup group;
  private volatile Channel server;
  private volatile boolean running;

  /**
   * @param self our gossip address, sent with every request (peers answer and filter by it)
   * @param bind where to listen
   * @param filter which messages are sent and received at all ({@link PacketFilter#PASS_ALL} but in tests)
   * @param onRequest told (address, type) for every request sent; drives the re-join backoff
   */
  GossipMessaging(HostPort self, InetSocketAddress bind, PacketAuth auth, Rejections rejections, SourceGuard guard,
      PacketFilter filter, BiConsumer<Address, String> onRequest, Duration connectTimeout) {
    this.self = self;
    this.address = AtomixAddresses.address(self);
    this.bind = bind;
    this.auth = auth;
    this.rejections = rejections;
    this.guard = guard;
    this.filter = filter;
    this.onRequest = onRequest;
    this.connectTimeout = connectTimeout;
  }

  @Override
  public Address address() {
    return address;
  }

  // ------------------------------------------------------------------ sending

  @Override
  public CompletableFuture<Void> sendAsync(Address to, String type, byte[] payload, boolean keepAlive) {
    HostPort peer = AtomixAddresses.hostPort(to);
    if (!filter.passes(peer, type)) {
      return CompletableFuture.failedFuture(new ConnectException("dropped by the packet filter: " + type + " to " + to));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    channel(peer).whenComplete((ch, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
      } else {
        write(ch, GossipFrame.request(0, type, self, payload)).whenComplete((v, we) -> {
          if (we != null) {
            done.completeExceptionally(we);
          } else {
            done.complete(null);
          }
        });
      }
    });
    return done;
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive) {
    return request(to, type, payload, DEFAULT_TIMEOUT, null);
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive, Executor executor) {
    return request(to, type, payload, DEFAULT_TIMEOUT, executor);
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive, Duration timeout) {
    return request(to, type, payload, timeout, null);
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceive(Address to, String type, byte[] payload, boolean keepAlive,
      Duration timeout, Executor executor) {
    return request(to, type, payload, timeout, executor);
  }

  private CompletableFuture<byte[]> request(Address to, String type, byte[] payload, Duration timeout, Executor executor) {
    onRequest.accept(to, type);
    CompletableFuture<byte[]> answer = send(to, type, payload, timeout == null ? DEFAULT_TIMEOUT : timeout);
    if (executor == null) {
      return answer;
    }
    CompletableFuture<byte[]> out = new CompletableFuture<>();
    answer.whenCompleteAsync((r, e) -> {
      if (e != null) {
        out.completeExceptionally(e);
      } else {
        out.complete(r);
      }
    }, executor);
    return out;
  }

  private CompletableFuture<byte[]> send(Address to, String type, byte[] payload, Duration timeout) {
    HostPort peer = AtomixAddresses.hostPort(to);
    if (!filter.passes(peer, type)) {
      return CompletableFuture.failedFuture(new ConnectException("dropped by the packet filter: " + type + " to " + to));
    }
    if (!running) {
      return CompletableFuture.failedFuture(new ConnectException("gossip transport stopped"));
    }
    if (pending.size() >= MAX_PENDING) {
      return CompletableFuture.failedFuture(new MessagingException("more than " + MAX_PENDING + " requests awaiting answers"));
    }
    long id = ids.getAndIncrement();
    if (id == 0) {
      id = ids.getAndIncrement();
    }
    long rid = id;
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(rid));
    channel(peer).whenComplete((ch, e) -> {
      if (e != null) {
        answer.completeExceptionally(e);
        return;
      }
      pending.put(rid, new Pending(answer, ch));
      if (answer.isDone()) { // timed out while connecting
        pending.remove(rid);
        return;
      }
      write(ch, GossipFrame.request(rid, type, self, payload)).whenComplete((v, we) -> {
        if (we != null) {
          answer.completeExceptionally(we);
        }
      });
    });
    return answer;
  }

  /** Seals and writes one frame; fails when it is too large or the peer stopped reading. */
  private CompletableFuture<Void> write(Channel ch, GossipFrame g) {
    byte[] f = auth.seal(FrameReader.MAC_DOMAIN, g.encode());
    if (f.length > guard.limits().frameBytes()) {
      log.warn("gossip message too large to send to={} type={} bytes={} limit={}",
          ch.remoteAddress(), g.type() == null ? "response" : g.type(), f.length, guard.limits().frameBytes());
      return CompletableFuture.failedFuture(new MessagingException("message of " + f.length + " bytes exceeds the frame limit"));
    }
    if (!ch.isWritable()) {
      return CompletableFuture.failedFuture(new ConnectException("peer " + ch.remoteAddress() + " is not reading"));
    }
    auth.traffic("tcp", "out", f.length);
    CompletableFuture<Void> done = new CompletableFuture<>();
    ch.writeAndFlush(Unpooled.wrappedBuffer(ByteBuffer.allocate(4 + f.length).putInt(f.length).put(f).array()))
        .addListener(w -> {
          if (w.isSuccess()) {
            done.complete(null);
          } else {
            done.completeExceptionally(new ConnectException("write to " + ch.remoteAddress() + " failed: " + w.cause()));
          }
        });
    return done;
  }

  /** The pooled connection to {@code peer}, connecting when there is none. */
  private CompletableFuture<Channel> channel(HostPort peer) {
    EventLoopGroup g = group;
    if (g == null || !running) {
      return CompletableFuture.failedFuture(new ConnectException("gossip transport stopped"));
    }
    ChannelFuture cf;
    // Not ConcurrentHashMap.compute: connect() may fire its close listener (which removes the
    // entry) at once, and the map forbids that inside compute.
    synchronized (connections) {
      cf = connections.get(peer);
      if (cf == null || (cf.isDone() && !cf.channel().isActive())) {
        cf = connect(g, peer);
        connections.put(peer, cf);
      }
    }
    ChannelFuture pooled = cf;
    CompletableFuture<Channel> out = new CompletableFuture<>();
    pooled.addListener(f -> {
      if (f.isSuccess()) {
        out.complete(pooled.channel());
      } else {
        connections.remove(peer, pooled);
        out.completeExceptionally(new ConnectException("cannot connect to " + peer + ": " + f.cause().getMessage()));
      }
    });
    return out;
  }

  private ChannelFuture connect(EventLoopGroup g, HostPort peer) {
    Bootstrap b = new Bootstrap()
        .group(g)
        .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            pipeline(ch, false);
          }
        });
    if (!bind.getAddress().isAnyLocalAddress()) {
      // From the address we listen on: peers count connections per source IP (SourceGuard), and
      // members sharing a host (loopback meshes, 127.x.y.z each) must not all look like 127.0.0.1.
      b.localAddress(new InetSocketAddress(bind.getAddress(), 0));
    }
    ChannelFuture cf = b.connect(new InetSocketAddress(peer.host(), peer.port()));
    cf.channel().closeFuture().addListener(f -> {
      connections.remove(peer, cf);
      failPending(cf.channel());
    });
    return cf;
  }

  private void failPending(Channel ch) {
    pending.values().removeIf(p -> {
      if (p.channel() == ch) {
        p.future().completeExceptionally(new ConnectException("connection to " + ch.remoteAddress() + " closed"));
        return true;
      }
      return false;
    });
  }

  // ------------------------------------------------------------------ receiving

  @Override
  public void registerHandler(String type, BiConsumer<Address, byte[]> handler, Executor executor) {
    handlers.put(type, (from, payload) -> {
      executor.execute(() -> handler.accept(from, payload));
      return null;
    });
  }

  @Override
  public void registerHandler(String type, BiFunction<Address, byte[], byte[]> handler, Executor executor) {
    handlers.put(type, (from, payload) -> CompletableFuture.supplyAsync(() -> handler.apply(from, payload), executor));
  }

  @Override
  public void registerHandler(String type, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
    handlers.put(type, handler::apply);
  }

  @Override
  public void unregisterHandler(String type) {
    handlers.remove(type);
  }

  private void pipeline(Channel ch, boolean inbound) {
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .addLast(new FrameReader(auth, guard, rejections, FRAME_TIMEOUT, inbound))
        .addLast(new Dispatcher());
  }

  /** Handles authenticated frames of one connection: requests to handlers, responses to waiters. */
  private final class Dispatcher extends ChannelInboundHandlerAdapter {
    private int inFlight;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      GossipFrame g = (GossipFrame) msg;
      if (!g.isRequest()) {
        Pending p = pending.remove(g.id());
        if (p != null) {
          switch (g.status()) {
            case GossipFrame.OK -> p.future().complete(g.payload());
            case GossipFrame.NO_HANDLER -> p.future().completeExceptionally(new MessagingException.NoRemoteHandler());
            default -> p.future().completeExceptionally(new MessagingException.RemoteHandlerFailure());
          }
        }
        return;
      }
      Channel ch = ctx.channel();
      boolean oneWay = g.id() == 0;
      if (!filter.passes(g.sender(), g.type())) {
        answer(ch, g, oneWay, GossipFrame.REFUSED, new byte[0]);
        return;
      }
      Handler h = handlers.get(g.type());
      if (h == null) {
        answer(ch, g, oneWay, GossipFrame.NO_HANDLER, new byte[0]);
        return;
      }
      CompletableFuture<byte[]> r;
      try {
        r = h.handle(AtomixAddresses.address(g.sender()), g.payload());
      } catch (RuntimeException e) {
        log.debug("gossip handler failed type={} from={} error={}", g.type(), g.sender(), e.toString());
        answer(ch, g, oneWay, GossipFrame.FAILED, new byte[0]);
        return;
      }
      if (r == null) {
        return;
      }
      if (++inFlight >= MAX_IN_FLIGHT_PER_CONNECTION) {
        ch.config().setAutoRead(false);
      }
      r.whenComplete((out, e) -> ch.eventLoop().execute(() -> {
        if (--inFlight < MAX_IN_FLIGHT_PER_CONNECTION) {
          ch.config().setAutoRead(true);
        }
        if (e != null || out == null) {
          log.debug("gossip handler failed type={} from={} error={}", g.type(), g.sender(), String.valueOf(e));
          answer(ch, g, oneWay, GossipFrame.FAILED, new byte[0]);
        } else {
          answer(ch, g, oneWay, GossipFrame.OK, out);
        }
      }));
    }

    private void answer(Channel ch, GossipFrame request, boolean oneWay, byte status, byte[] payload) {
      if (!oneWay && ch.isActive()) {
        write(ch, GossipFrame.response(request.id(), status, payload));
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Resets and the like: one debug line, never a stack trace; the connection is done.
      log.debug("gossip connection error peer={} error={}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public synchronized CompletableFuture<MessagingService> start() {
    if (running) {
      return CompletableFuture.completedFuture(this);
    }
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "vxmesh-gossip-tcp-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup g = epoll ? new EpollEventLoopGroup(2, tf) : new NioEventLoopGroup(2, tf);
    Class<? extends ServerChannel> serverClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    ServerBootstrap b = new ServerBootstrap()
        .group(g)
        .channel(serverClass)
        .option(ChannelOption.SO_BACKLOG, 128)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            java.net.InetAddress ip = ch.remoteAddress().getAddress();
            String refused = guard.openConnection(ip);
            if (refused != null) {
              rejections.reject(ip, PacketAuth.REFUSED, "connection refused: " + refused);
              ch.close();
              return;
            }
            ch.closeFuture().addListener(f -> guard.closeConnection(ip));
            pipeline(ch, true);
          }
        });
    CompletableFuture<MessagingService> started = new CompletableFuture<>();
    b.bind(bind).addListener((ChannelFuture f) -> {
      if (f.isSuccess()) {
        server = f.channel();
        group = g;
        running = true;
        log.debug("gossip TCP listening address={} transport={}", bind, epoll ? "epoll" : "nio");
        started.complete(this);
      } else {
        g.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        started.completeExceptionally(new ConnectException("cannot bind gossip TCP " + HostPort.of(bind) + ": " + f.cause().getMessage()));
      }
    });
    return started;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public synchronized CompletableFuture<Void> stop() {
    running = false;
    Channel s = server;
    if (s != null) {
      s.close();
    }
    connections.values().forEach(cf -> cf.channel().close());
    connections.clear();
    pending.values().forEach(p -> p.future().completeExceptionally(new ConnectException("gossip transport stopped")));
    pending.clear();
    EventLoopGroup g = group;
    group = null;
    if (g == null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    g.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).addListener(f -> done.complete(null));
    return done;
  }
}
